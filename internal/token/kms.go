package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KMSAPI is the part of the KMS client the signer calls.
type KMSAPI interface {
	Sign(context.Context, *kms.SignInput, ...func(*kms.Options)) (*kms.SignOutput, error)
	GetPublicKey(context.Context, *kms.GetPublicKeyInput, ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error)
}

// KMSSigner signs with an asymmetric ECC_NIST_P256 KMS key; the private key
// never leaves KMS. Keys lists the key ids (or ARNs) to publish, the signing
// key first: during a rollover the old key follows it until its tokens expire.
type KMSSigner struct {
	api  KMSAPI
	keys []string
	ttl  time.Duration

	mu      sync.Mutex
	cached  map[string]*ecdsa.PublicKey
	fetched time.Time
}

// NewKMSSigner returns a signer over keys (the first signs); public keys are
// cached for an hour.
func NewKMSSigner(api KMSAPI, keys []string) (*KMSSigner, error) {
	if len(keys) == 0 || keys[0] == "" {
		return nil, fmt.Errorf("no KMS signing key")
	}
	return &KMSSigner{api: api, keys: keys, ttl: time.Hour}, nil
}

// KeyID implements Signer.
func (s *KMSSigner) KeyID() string { return s.keys[0] }

// SignDigest implements Signer: KMS answers a DER ECDSA signature, which JOSE
// wants as the fixed-size r ‖ s.
func (s *KMSSigner) SignDigest(ctx context.Context, digest []byte) ([]byte, error) {
	out, err := s.api.Sign(ctx, &kms.SignInput{KeyId: aws.String(s.keys[0]), Message: digest,
		MessageType: kmstypes.MessageTypeDigest, SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		return nil, fmt.Errorf("kms sign: %w", err)
	}
	return DERToJOSE(out.Signature)
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

// PublicKeys implements Signer, from GetPublicKey, cached.
func (s *KMSSigner) PublicKeys(ctx context.Context) (map[string]*ecdsa.PublicKey, error) {
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
