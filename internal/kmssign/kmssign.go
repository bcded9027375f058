// Package kmssign signs switch tokens with an asymmetric AWS KMS key: the
// production token.Signer. It is apart from package token so that functions
// that only read keys do not link the KMS client.
package kmssign

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/switchboard/switchboard/internal/token"
)

// API is the part of the KMS client the signer calls.
type API interface {
	Sign(context.Context, *kms.SignInput, ...func(*kms.Options)) (*kms.SignOutput, error)
	GetPublicKey(context.Context, *kms.GetPublicKeyInput, ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error)
}

// Signer signs with an asymmetric ECC_NIST_P256 KMS key; the private key
// never leaves KMS. Keys lists the key ids (or ARNs) to publish, the signing
// key first: during a rollover the old key follows it until its tokens expire.
type Signer struct {
	api  API
	keys []string
	ttl  time.Duration

	mu      sync.Mutex
	cached  map[string]*ecdsa.PublicKey
	fetched time.Time
}

// New returns a signer over keys (the first signs); public keys are
// cached for an hour.
func New(api API, keys []string) (*Signer, error) {
	if len(keys) == 0 || keys[0] == "" {
		return nil, fmt.Errorf("no KMS signing key")
	}
	return &Signer{api: api, keys: keys, ttl: time.Hour}, nil
}

var _ token.Signer = (*Signer)(nil)

// KeyID implements token.Signer.
func (s *Signer) KeyID() string { return s.keys[0] }

// SignDigest implements token.Signer: KMS answers the ASN.1 DER ECDSA
// signature the interface asks for (the token package checks it and has jwx
// write it as JOSE's r ‖ s).
func (s *Signer) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	out, err := s.api.Sign(ctx, &kms.SignInput{KeyId: aws.String(s.keys[0]), Message: digest,
		MessageType: kmstypes.MessageTypeDigest, SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		return nil, fmt.Errorf("kms sign: %w", err)
	}
	return out.Signature, nil
}

// PublicKeys implements token.Signer, from GetPublicKey, cached.
func (s *Signer) PublicKeys(ctx context.Context) (map[string]*ecdsa.PublicKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && time.Since(s.fetched) < s.ttl {
		return s.cached, nil
	}
	keys := make(map[string]*ecdsa.PublicKey, len(s.keys))
	for _, id := range s.keys {
		out, err := s.api.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("kms get public key %s: %w", id, err)
		}
		pub, err := x509.ParsePKIXPublicKey(out.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("kms public key %s: %w", id, err)
		}
		ec, ok := pub.(*ecdsa.PublicKey)
		if !ok || ec.Curve.Params().Name != "P-256" {
			return nil, fmt.Errorf("kms key %s is not ECC_NIST_P256", id)
		}
		keys[id] = ec
	}
	s.cached, s.fetched = keys, time.Now()
	return keys, nil
}
