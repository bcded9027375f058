package token_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/switchboard/switchboard/internal/tenancy"
	"github.com/switchboard/switchboard/internal/token"
)

// FuzzJWTParseIndependent mints a token over fuzzed claim values, checks that an
// independent JOSE library verifies it with nothing but the published JWKS,
// then sets the byte at pos to b: the changed token must be refused unless
// every part still decodes to the same bytes (a base64 spelling of the same
// value — unused trailing bits, or the standard alphabet, which jwx accepts).
func FuzzJWTParseIndependent(f *testing.F) {
	for _, seed := range []struct {
		sub string
		n   int64
		pos uint16
		b   byte
	}{
		{"tom", 4102444800, 0, 'e'},     // unchanged
		{"tom", 0, 0, 'f'},              // the header's first character
		{"tom", 1, 2, '.'},              // a fourth part
		{"tom", 2, 100, 'A'},            // somewhere in the payload
		{"tom", 3, 65535, 'A'},          // the signature's last character
		{"tom", 3, 65535, 'B'},          // the same character, its unused bits set
		{"ünïcödé", -1, 300, '='},       // padding inside the signature
		{"\xff\xfe", 1 << 62, 40, '\n'}, // invalid UTF-8 in a claim, a newline in the header
		{`"quoted" <tag> & more`, 7, 9, '+'},
	} {
		f.Add(seed.sub, seed.n, seed.pos, seed.b)
	}
	ctx := context.Background()
	signer, err := token.NewLocalSigner()
	if err != nil {
		f.Fatal(err)
	}
	iss := token.NewIssuer(signer)
	set, err := iss.JWKS(ctx)
	if err != nil {
		f.Fatal(err)
	}
	doc, err := json.Marshal(set)
	if err != nil {
		f.Fatal(err)
	}
	keys, err := jwk.Parse(doc)
	if err != nil {
		f.Fatalf("jwx cannot read our JWKS %s: %v", doc, err)
	}
	verify := func(raw string) error {
		_, err := jwt.Parse([]byte(raw), jwt.WithKeySet(keys), jwt.WithValidate(false))
		return err
	}

	// ECDSA signatures are randomised, so the same claims mint a different
	// token each time; a worker keeps the tokens it minted so that running
	// an input again (as the fuzzer does to minimise it) takes the same path.
	type key struct {
		sub string
		n   int64
	}
	minted := map[key]string{}
	f.Fuzz(func(t *testing.T, sub string, n int64, pos uint16, b byte) {
		// A longer claim reaches no new code and makes every run slower.
		if len(sub) > 64 {
			sub = sub[:64]
		}
		raw, ok := minted[key{sub, n}]
		if !ok {
			var err error
			// Times are NumericDates: seconds since the epoch, not before it.
			at := time.Unix(n&(1<<40-1), 0)
			claims := tenancy.SwitchToken{Issuer: "https://switchboard.test", Subject: sub, Tenant: sub, SessionID: sub, RelationshipID: fmt.Sprint(n),
				Grants: []tenancy.TokenGrant{{Assignment: sub, Scope: []string{sub}}}, IssuedAt: at, ExpiresAt: at}
			if raw, err = iss.Mint(ctx, claims); err != nil {
				t.Fatalf("Mint(%v) = %v", claims, err)
			}
			if err := verify(raw); err != nil {
				t.Fatalf("jwx refuses the token %s minted over %v: %v", raw, claims, err)
			}
			if len(minted) >= 1024 {
				clear(minted)
			}
			minted[key{sub, n}] = raw
		}

		mutated := []byte(raw)
		mutated[int(pos)%len(mutated)] = b
		if string(mutated) == raw {
			return
		}
		if err := verify(string(mutated)); err == nil && !sameParts(raw, string(mutated)) {
			t.Fatalf("jwx accepts %s, the token %s with byte %d set to %q", mutated, raw, int(pos)%len(raw), b)
		}
	})
}

// sameParts reports whether the compact tokens a and b have the same three
// parts once decoded, whatever base64 spelling b uses.
func sameParts(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	if len(pa) != 3 || len(pb) != 3 {
		return false
	}
	for i := range pa {
		want, err := base64.RawURLEncoding.DecodeString(pa[i])
		if err != nil {
			return false
		}
		if !decodesTo(pb[i], want) {
			return false
		}
	}
	return true
}

func decodesTo(s string, want []byte) bool {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if got, err := enc.DecodeString(s); err == nil && bytes.Equal(got, want) {
			return true
		}
	}
	return false
}
