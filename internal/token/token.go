// Package token mints switch tokens — JWT access tokens in the shape of
// RFC 9068 (header typ at+jwt, ES256) — and publishes the keys that verify
// them as a JWKS: the current key and, during a rollover, the previous one.
// The JOSE encoding is lestrrat-go/jwx's; the signature comes from a Signer,
// AWS KMS in production and a local P-256 key in the local stack.
package token

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// Type is the JOSE header typ of a switch token: a JWT access token
// (RFC 9068 §2.1), which access-token verifiers may require.
const Type = "at+jwt"

// Signer signs SHA-256 digests with ECDSA P-256.
type Signer interface {
	// KeyID names the key that signs now.
	KeyID() string
	// SignDigest answers the ECDSA signature of a digest as ASN.1 DER, as
	// KMS and crypto.Signer answer it.
	SignDigest(ctx context.Context, digest []byte) ([]byte, error)
	// PublicKeys answers every key a verifier must accept now, by key id.
	PublicKeys(ctx context.Context) (map[string]*ecdsa.PublicKey, error)
}

// Issuer mints tokens.
type Issuer struct {
	signer Signer
}

// NewIssuer returns an issuer signing with signer.
func NewIssuer(s Signer) *Issuer { return &Issuer{signer: s} }

var _ tenancy.Minter = (*Issuer)(nil)

// Mint encodes a switch token's claims and signs them: a compact JWS with
// the header {"alg":"ES256","kid":…,"typ":"at+jwt"}.
func (i *Issuer) Mint(ctx context.Context, t tenancy.SwitchToken) (string, error) {
	return i.sign(ctx, ClaimsOf(t))
}

func (i *Issuer) sign(ctx context.Context, claims Claims) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	kid := i.signer.KeyID()
	keys, err := i.signer.PublicKeys(ctx)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	pub, ok := keys[kid]
	if !ok {
		return "", fmt.Errorf("sign token: the signing key %s is not among the published keys", kid)
	}
	headers := jws.NewHeaders()
	if err := headers.Set(jws.TypeKey, Type); err != nil {
		return "", err
	}
	if err := headers.Set(jws.KeyIDKey, kid); err != nil {
		return "", err
	}
	raw, err := jws.Sign(payload, jws.WithKey(jwa.ES256(), cryptoSigner{ctx: ctx, signer: i.signer, pub: pub}, jws.WithProtectedHeaders(headers)))
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return string(raw), nil
}

// cryptoSigner is the crypto.Signer that jwx signs with: it hands the
// digest jwx computed to the project's Signer and checks that the answer is
// a DER signature of P-256 size before jwx converts it to JOSE's r ‖ s.
type cryptoSigner struct {
	ctx    context.Context
	signer Signer
	pub    *ecdsa.PublicKey
}

func (c cryptoSigner) Public() crypto.PublicKey { return c.pub }

func (c cryptoSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts.HashFunc() != crypto.SHA256 || len(digest) != sha256.Size {
		return nil, fmt.Errorf("switch tokens are signed over SHA-256 digests, not %v", opts.HashFunc())
	}
	der, err := c.signer.SignDigest(c.ctx, digest)
	if err != nil {
		return nil, err
	}
	if err := CheckDER(der); err != nil {
		return nil, err
	}
	return der, nil
}

// CheckDER reports whether sig is an ASN.1 DER ECDSA signature whose r and s
// are positive and fit P-256, with nothing after it.
func CheckDER(sig []byte) error {
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(sig, &rs)
	if err != nil || len(rest) > 0 || rs.R == nil || rs.S == nil {
		return errors.New("the signer answered a signature that is not DER ECDSA")
	}
	if rs.R.Sign() <= 0 || rs.S.Sign() <= 0 || rs.R.BitLen() > 256 || rs.S.BitLen() > 256 {
		return errors.New("the signer answered a signature outside P-256")
	}
	return nil
}

// JWKS answers the verification keys as a JSON Web Key Set, the signing key
// first; each key names its kid, use sig and alg ES256.
func (i *Issuer) JWKS(ctx context.Context) (jwk.Set, error) {
	keys, err := i.signer.PublicKeys(ctx)
	if err != nil {
		return nil, err
	}
	current := i.signer.KeyID()
	kids := []string{}
	if _, ok := keys[current]; ok {
		kids = append(kids, current)
	}
	for kid := range keys {
		if kid != current {
			kids = append(kids, kid)
		}
	}
	set := jwk.NewSet()
	for _, kid := range kids {
		key, err := publicJWK(kid, keys[kid])
		if err != nil {
			return nil, err
		}
		if err := set.AddKey(key); err != nil {
			return nil, fmt.Errorf("key %s: %w", kid, err)
		}
	}
	return set, nil
}

func publicJWK(kid string, pub *ecdsa.PublicKey) (jwk.Key, error) {
	if pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("key %s is not a P-256 key", kid)
	}
	key, err := jwk.Import(pub)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", kid, err)
	}
	for k, v := range map[string]any{jwk.KeyIDKey: kid, jwk.KeyUsageKey: jwk.ForSignature, jwk.AlgorithmKey: jwa.ES256()} {
		if err := key.Set(k, v); err != nil {
			return nil, fmt.Errorf("key %s: %w", kid, err)
		}
	}
	return key, nil
}
