// Package token mints switch tokens: compact JWS (ES256) signed through a
// Signer — AWS KMS in production, a local P-256 key in the local stack — and
// publishes the verification keys as a JWKS, the current key and, during a
// rollover, the previous one.
package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// Signer signs SHA-256 digests with ECDSA P-256.
type Signer interface {
	// KeyID names the key that signs now.
	KeyID() string
	// SignDigest answers the JOSE signature (r ‖ s, 64 bytes) of a digest.
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

var b64 = base64.RawURLEncoding

// Mint signs claims (any JSON object) as a compact JWS with alg ES256.
func (i *Issuer) Mint(ctx context.Context, claims any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": i.signer.KeyID()})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("encode claims: %w", err)
	}
	input := b64.EncodeToString(header) + "." + b64.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	sig, err := i.signer.SignDigest(ctx, digest[:])
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// JWK is one public key as RFC 7517 writes it.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// JWKS is the document at /.well-known/jwks.json.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWKS answers the verification keys, the signing key first.
func (i *Issuer) JWKS(ctx context.Context) (JWKS, error) {
	keys, err := i.signer.PublicKeys(ctx)
	if err != nil {
		return JWKS{}, err
	}
	set := JWKS{Keys: []JWK{}}
	current := i.signer.KeyID()
	if k, ok := keys[current]; ok {
		set.Keys = append(set.Keys, jwk(current, k))
	}
	for kid, k := range keys {
		if kid != current {
			set.Keys = append(set.Keys, jwk(kid, k))
		}
	}
	return set, nil
}

func jwk(kid string, k *ecdsa.PublicKey) JWK {
	return JWK{Kty: "EC", Crv: "P-256", X: b64.EncodeToString(pad32(k.X)), Y: b64.EncodeToString(pad32(k.Y)), Kid: kid, Use: "sig", Alg: "ES256"}
}

// pad32 writes a coordinate as the 32 bytes JOSE requires.
func pad32(n *big.Int) []byte {
	out := make([]byte, 32)
	n.FillBytes(out)
	return out
}

// DERToJOSE converts an ASN.1 DER ECDSA signature to JOSE's 64-byte r ‖ s.
func DERToJOSE(der []byte) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) > 0 || sig.R == nil || sig.S == nil {
		return nil, fmt.Errorf("kms answered a signature that is not DER ECDSA")
	}
	if sig.R.BitLen() > 256 || sig.S.BitLen() > 256 || sig.R.Sign() <= 0 || sig.S.Sign() <= 0 {
		return nil, fmt.Errorf("kms answered a signature outside P-256")
	}
	return joseSignature(sig.R, sig.S), nil
}

// joseSignature converts r and s to the fixed 64-byte JOSE form.
func joseSignature(r, s *big.Int) []byte {
	return append(pad32(r), pad32(s)...)
}
