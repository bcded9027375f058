// Command verify-token checks a switch token the way a downstream service
// would: as a JWT access token (RFC 9068 — header typ at+jwt), with nothing
// but the JWKS, the audience and optionally the issuer, through an
// independent JOSE library (lestrrat-go/jwx), and prints its claims.
//
//	go run ./cmd/verify-token -jwks http://127.0.0.1:8080/.well-known/jwks.json -aud switchboard-downstream -iss http://127.0.0.1:8080 "$TOKEN"
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

func main() {
	jwksURL := flag.String("jwks", "http://127.0.0.1:8080/.well-known/jwks.json", "where the verification keys are")
	aud := flag.String("aud", "switchboard-downstream", "the audience this service expects")
	iss := flag.String("iss", "", "the issuer to require (optional)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: verify-token [-jwks URL] [-aud AUD] [-iss ISS] TOKEN")
		os.Exit(2)
	}
	if err := run(*jwksURL, *aud, *iss, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "verify-token:", err)
		os.Exit(1)
	}
}

func run(jwksURL, aud, iss, raw string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	set, err := jwk.Fetch(ctx, jwksURL)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", jwksURL, err)
	}
	opts := []jwt.ParseOption{jwt.WithKeyProvider(accessTokenKeys{set}), jwt.WithAudience(aud), jwt.WithAcceptableSkew(30 * time.Second)}
	if iss != "" {
		opts = append(opts, jwt.WithIssuer(iss))
	}
	tok, err := jwt.Parse([]byte(raw), opts...)
	if err != nil {
		return fmt.Errorf("token refused: %w", err)
	}
	claims, err := json.MarshalIndent(tok, "", "  ")
	if err != nil {
		return err
	}
	fmt.Printf("valid: a JWT access token (typ at+jwt) signed by a key of %s, audience %s\n%s\n", jwksURL, aud, claims)
	return nil
}

// accessTokenKeys offers the JWKS's key named by kid only to a signature
// whose header says typ at+jwt, as RFC 9068 §4 asks of a resource server: no
// other JWT signed by the same key passes for an access token.
type accessTokenKeys struct{ set jwk.Set }

func (p accessTokenKeys) FetchKeys(_ context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
	h := sig.ProtectedHeaders()
	typ, _ := h.Type()
	if t := strings.ToLower(typ); t != "at+jwt" && t != "application/at+jwt" {
		return fmt.Errorf("header typ %q: not a JWT access token (at+jwt)", typ)
	}
	kid, _ := h.KeyID()
	key, ok := p.set.LookupKeyID(kid)
	if !ok {
		return fmt.Errorf("no key %q in the JWKS", kid)
	}
	sink.Key(jwa.ES256(), key)
	return nil
}
