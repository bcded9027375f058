package token_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/switchboard/switchboard/internal/kmssign"
	"github.com/switchboard/switchboard/internal/tenancy"
	"github.com/switchboard/switchboard/internal/token"
)

const (
	issuer   = "https://switchboard.test"
	audience = "downstream"
)

// session is a switch token as the switch decides it.
func session(now time.Time) tenancy.SwitchToken {
	return tenancy.SwitchToken{Issuer: issuer, Audience: audience, ClientID: "console", Subject: "tom",
		Actor: tenancy.Actor{User: "tom", Tenant: "northwind"}, Tenant: "contoso", RelationshipID: "rel-1",
		Roles: []string{"site-lead"}, Scope: []string{"/sites/eu"}, Permissions: []string{"rooms.view"},
		Grants:    []tenancy.TokenGrant{{Assignment: "asg-1", Roles: []string{"site-lead"}, Perms: []string{"rooms.view"}, Scope: []string{"/sites/eu"}}},
		SessionID: "sess-1", IssuedAt: now, ExpiresAt: now.Add(15 * time.Minute)}
}

// requireAtJWT is a jws.KeyProvider that offers the keys of a JWKS only to a
// signature whose protected header says typ at+jwt: the check RFC 9068 §4
// asks of a resource server, so that no other kind of JWT signed by the same
// key passes for an access token.
type requireAtJWT struct{ keys jwk.Set }

func (p requireAtJWT) FetchKeys(_ context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
	h := sig.ProtectedHeaders()
	typ, _ := h.Type()
	if t := strings.ToLower(typ); t != "at+jwt" && t != "application/at+jwt" {
		return fmt.Errorf("typ %q is not at+jwt", typ)
	}
	kid, _ := h.KeyID()
	key, ok := p.keys.LookupKeyID(kid)
	if !ok {
		return fmt.Errorf("no key %q in the JWKS", kid)
	}
	sink.Key(jwa.ES256(), key)
	return nil
}

// accessTokenVerifier is a generic JWT access-token verifier built on an
// independent JOSE library and configured with nothing but the issuer, the
// audience and the JWKS document (as JSON): typ at+jwt, the signature, iss,
// aud and the times.
func accessTokenVerifier(t *testing.T, jwksDoc []byte, iss, aud string) func(raw string) (jwt.Token, error) {
	t.Helper()
	keys, err := jwk.Parse(jwksDoc)
	if err != nil {
		t.Fatalf("jwx cannot read our JWKS %s: %v", jwksDoc, err)
	}
	return func(raw string) (jwt.Token, error) {
		return jwt.Parse([]byte(raw), jwt.WithKeyProvider(requireAtJWT{keys}), jwt.WithIssuer(iss), jwt.WithAudience(aud))
	}
}

func jwksDoc(t *testing.T, iss *token.Issuer) []byte {
	t.Helper()
	set, err := iss.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func mint(t *testing.T, iss *token.Issuer, s tenancy.SwitchToken) string {
	t.Helper()
	raw, err := iss.Mint(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSwitchTokensVerifyAsJWTAccessTokens(t *testing.T) {
	signer, err := token.NewLocalSigner()
	if err != nil {
		t.Fatal(err)
	}
	iss := token.NewIssuer(signer)
	now := time.Now()
	raw := mint(t, iss, session(now))
	verify := accessTokenVerifier(t, jwksDoc(t, iss), issuer, audience)
	tok, err := verify(raw)
	if err != nil {
		t.Fatalf("an access-token verifier refuses the switch token: %v", err)
	}
	for _, claim := range []string{"iss", "sub", "aud", "exp", "iat", "jti", "client_id", "act", "tid", "rel", "roles", "resource_scope", "perms", "grants", "amr"} {
		if !tok.Has(claim) {
			t.Errorf("the token has no %s claim; claims: %v", claim, tok.Keys())
		}
	}
	// OAuth's scope is a space-separated string of OAuth scopes: the resource
	// scope must not take its name.
	if tok.Has("scope") {
		t.Errorf("the token has a scope claim: %v", tok.Keys())
	}
	var client string
	if err := tok.Get("client_id", &client); err != nil || client != "console" {
		t.Errorf("client_id = %q (%v), want console", client, err)
	}
	if exp, _ := tok.Expiration(); exp.Unix() != now.Add(15*time.Minute).Unix() {
		t.Errorf("exp = %v, want %v", exp, now.Add(15*time.Minute))
	}
	var claims token.Claims
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[1])
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if want := token.ClaimsOf(session(now)); !equalJSON(claims, want) {
		t.Errorf("payload = %+v, want %+v", claims, want)
	}

	stale := session(now.Add(-2 * time.Hour))
	for _, tc := range []struct {
		name string
		raw  string
		iss  string
		aud  string
	}{
		{"changed signature", raw[:len(raw)-4] + "AAAA", issuer, audience},
		{"another issuer expected", raw, "https://elsewhere.test", audience},
		{"another audience expected", raw, issuer, "billing"},
		{"expired", mint(t, iss, stale), issuer, audience},
		{"typ JWT, not at+jwt", retyped(t, signer, raw, "JWT"), issuer, audience},
	} {
		if _, err := accessTokenVerifier(t, jwksDoc(t, iss), tc.iss, tc.aud)(tc.raw); err == nil {
			t.Errorf("%s: the verifier accepts the token", tc.name)
		}
	}
	// The typ check is what refused the retyped token: the same header with
	// at+jwt, signed the same way, verifies.
	if _, err := verify(retyped(t, signer, raw, "at+jwt")); err != nil {
		t.Errorf("a token re-signed with typ at+jwt: %v", err)
	}
}

// retyped re-signs raw's payload with the signer's key under a header of
// another typ.
func retyped(t *testing.T, signer *token.LocalSigner, raw, typ string) string {
	t.Helper()
	header, _ := json.Marshal(map[string]string{"alg": "ES256", "kid": signer.KeyID(), "typ": typ})
	input := base64.RawURLEncoding.EncodeToString(header) + "." + strings.Split(raw, ".")[1]
	der, err := signer.SignDigest(context.Background(), sha256Sum(input))
	if err != nil {
		t.Fatal(err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	rs.R.FillBytes(sig[:32])
	rs.S.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func sha256Sum(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestHeaderIsAtJWTWithTheSigningKey(t *testing.T) {
	signer, _ := token.NewLocalSigner()
	raw := mint(t, token.NewIssuer(signer), session(time.Now()))
	b, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	var h map[string]string
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"alg": "ES256", "kid": signer.KeyID(), "typ": "at+jwt"}; fmt.Sprint(h) != fmt.Sprint(want) {
		t.Errorf("header = %v, want %v", h, want)
	}
}

// TestJWKSWritesThePublicKey: each JWK carries exactly the point of the
// signer's key (x ‖ y is the uncompressed point without its 0x04 prefix).
func TestJWKSWritesThePublicKey(t *testing.T) {
	signer, _ := token.NewLocalSigner()
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(jwksDoc(t, token.NewIssuer(signer)), &doc); err != nil {
		t.Fatal(err)
	}
	keys, _ := signer.PublicKeys(context.Background())
	if len(doc.Keys) != 1 {
		t.Fatalf("JWKS = %v, want one key", doc.Keys)
	}
	k := doc.Keys[0]
	point, err := keys[signer.KeyID()].Bytes()
	if err != nil {
		t.Fatal(err)
	}
	x, _ := base64.RawURLEncoding.DecodeString(k["x"])
	y, _ := base64.RawURLEncoding.DecodeString(k["y"])
	if !bytes.Equal(append(x, y...), point[1:]) {
		t.Errorf("JWK x ‖ y = %x, want the key's point %x", append(x, y...), point[1:])
	}
	want := map[string]string{"kty": "EC", "crv": "P-256", "kid": signer.KeyID(), "use": "sig", "alg": "ES256"}
	for name, v := range want {
		if k[name] != v {
			t.Errorf("JWK %s = %q, want %q", name, k[name], v)
		}
	}
	if len(k) != len(want)+2 {
		t.Errorf("JWK = %v, want only %v, x and y", k, want)
	}
}

func TestLocalSignerTokensVerifyWithTheJWKSAcrossARollover(t *testing.T) {
	signer, err := token.NewLocalSigner()
	if err != nil {
		t.Fatal(err)
	}
	iss := token.NewIssuer(signer)
	ctx := context.Background()
	verify := func(raw string) error {
		_, err := accessTokenVerifier(t, jwksDoc(t, iss), issuer, audience)(raw)
		return err
	}
	first := mint(t, iss, session(time.Now()))
	if err := verify(first); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	if _, err := signer.Rotate(); err != nil {
		t.Fatal(err)
	}
	set, _ := iss.JWKS(ctx)
	if k, _ := set.Key(0); set.Len() != 2 || kid(k) != signer.KeyID() {
		t.Fatalf("JWKS during a rollover has %d keys, the first %q; want the new key %q first and the old one after", set.Len(), kid(k), signer.KeyID())
	}
	if err := verify(first); err != nil {
		t.Errorf("a token of the previous key during the rollover: %v", err)
	}
	if err := verify(mint(t, iss, session(time.Now()))); err != nil {
		t.Errorf("a token of the new key: %v", err)
	}
	if _, err := signer.Rotate(); err != nil {
		t.Fatal(err)
	}
	if err := verify(first); err == nil {
		t.Error("a token of a key two rotations old still verifies")
	}
}

func kid(k jwk.Key) string {
	if k == nil {
		return ""
	}
	id, _ := k.KeyID()
	return id
}

// kmsEndpoint is a KMS-compatible endpoint (the JSON 1.1 protocol's Sign and
// GetPublicKey) over a local P-256 key, so the KMS signer runs the real SDK.
func kmsEndpoint(t *testing.T, key *ecdsa.PrivateKey) *httptest.Server {
	t.Helper()
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in struct {
			KeyId, MessageType, SigningAlgorithm string
			Message                              []byte
		}
		_ = json.Unmarshal(body, &in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch r.Header.Get("X-Amz-Target") {
		case "TrentService.Sign":
			if in.MessageType != "DIGEST" || in.SigningAlgorithm != "ECDSA_SHA_256" || len(in.Message) != 32 {
				w.WriteHeader(400)
				io.WriteString(w, `{"__type":"ValidationException","message":"bad sign request"}`)
				return
			}
			der, _ := ecdsa.SignASN1(rand.Reader, key, in.Message)
			json.NewEncoder(w).Encode(map[string]any{"KeyId": in.KeyId, "Signature": der, "SigningAlgorithm": "ECDSA_SHA_256"})
		case "TrentService.GetPublicKey":
			json.NewEncoder(w).Encode(map[string]any{"KeyId": in.KeyId, "PublicKey": spki, "KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"})
		default:
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"UnknownOperationException"}`)
		}
	}))
}

func TestKMSSigner(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := kmsEndpoint(t, key)
	defer srv.Close()
	client := kms.NewFromConfig(aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")},
		func(o *kms.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	signer, err := kmssign.New(client, []string{"arn:aws:kms:eu-west-1:111122223333:key/new", "arn:aws:kms:eu-west-1:111122223333:key/old"})
	if err != nil {
		t.Fatal(err)
	}
	iss := token.NewIssuer(signer)
	verify := accessTokenVerifier(t, jwksDoc(t, iss), issuer, audience)
	for i := 0; i < 20; i++ { // DER lengths vary with leading zeros of r and s
		raw := mint(t, iss, session(time.Now()))
		if _, err := verify(raw); err != nil {
			t.Fatalf("KMS-signed token %d: %v", i, err)
		}
		if header, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0]); !strings.Contains(string(header), `"kid":"arn:aws:kms:eu-west-1:111122223333:key/new"`) {
			t.Errorf("header %s does not name the signing key", header)
		}
	}
	if set, _ := iss.JWKS(context.Background()); set.Len() != 2 {
		t.Errorf("JWKS has %d keys, want both keys of the rollover", set.Len())
	}
}

// derSigner answers a fixed signature, as a broken signer might.
type derSigner struct {
	*token.LocalSigner
	sig []byte
}

func (s derSigner) SignDigest(context.Context, []byte) ([]byte, error) { return s.sig, nil }

func TestMintRefusesASignatureThatIsNotP256DER(t *testing.T) {
	der := func(r, s *big.Int) []byte {
		b, _ := asn1.Marshal(struct{ R, S *big.Int }{r, s})
		return b
	}
	small := big.NewInt(7)
	tooBig := new(big.Int).Lsh(big.NewInt(1), 257)
	local, _ := token.NewLocalSigner()
	for _, tc := range []struct {
		name string
		sig  []byte
	}{
		{"garbage", []byte("not der")},
		{"JOSE r ‖ s instead of DER", make([]byte, 64)},
		{"r too large", der(tooBig, small)},
		{"negative r", der(big.NewInt(-1), small)},
		{"zero s", der(small, big.NewInt(0))},
		{"trailing byte", append(der(small, small), 0)},
	} {
		if err := token.CheckDER(tc.sig); err == nil {
			t.Errorf("CheckDER(%s) = nil, want an error", tc.name)
		}
		if raw, err := token.NewIssuer(derSigner{local, tc.sig}).Mint(context.Background(), session(time.Now())); err == nil {
			t.Errorf("Mint with a signer answering %s = %s, want an error", tc.name, raw)
		}
	}
	if err := token.CheckDER(der(small, small)); err != nil {
		t.Errorf("CheckDER(7, 7) = %v, want nil: small values are valid", err)
	}
}

func TestClaimsOfWritesListsAsArrays(t *testing.T) {
	s := session(time.Unix(1_800_000_000, 0))
	s.AMR, s.Roles, s.Grants = nil, nil, []tenancy.TokenGrant{{Assignment: "asg-1"}}
	b, _ := json.Marshal(token.ClaimsOf(s))
	for _, want := range []string{`"amr":[]`, `"roles":[]`, `"grants":[{"asg":"asg-1","roles":[],"perms":[],"scope":[]}]`, `"iat":1800000000`, `"nbf":1800000000`, `"exp":1800000900`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("claims %s lack %s", b, want)
		}
	}
	if keys := jsonKeys(t, b); slices.Contains(keys, "scope") {
		t.Errorf("claims %s carry a top-level scope", b)
	}
}

func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func BenchmarkMintLocal(b *testing.B) {
	signer, _ := token.NewLocalSigner()
	iss := token.NewIssuer(signer)
	s := session(time.Now())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Mint(context.Background(), s); err != nil {
			b.Fatal(err)
		}
	}
}
