package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"sync"
	"time"
)

// LocalSigner signs with P-256 keys held in memory: the local stack's signer.
// Rotate makes a new signing key and keeps the previous one published, as a
// rollover does.
type LocalSigner struct {
	mu       sync.Mutex
	current  string
	keys     map[string]*ecdsa.PrivateKey
	previous string
}

// NewLocalSigner makes a signer with a fresh key.
func NewLocalSigner() (*LocalSigner, error) {
	s := &LocalSigner{keys: map[string]*ecdsa.PrivateKey{}}
	if _, err := s.Rotate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Rotate makes a new signing key; the one before stays published until the
// next rotation, so tokens it signed still verify.
func (s *LocalSigner) Rotate() (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	kid := fmt.Sprintf("local-%d", time.Now().UnixNano())
	if s.previous != "" {
		delete(s.keys, s.previous)
	}
	s.previous, s.current = s.current, kid
	s.keys[kid] = key
	return kid, nil
}

// KeyID implements Signer.
func (s *LocalSigner) KeyID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

// SignDigest implements Signer.
func (s *LocalSigner) SignDigest(_ context.Context, digest []byte) ([]byte, error) {
	s.mu.Lock()
	key := s.keys[s.current]
	s.mu.Unlock()
	return ecdsa.SignASN1(rand.Reader, key, digest)
}

// PublicKeys implements Signer.
func (s *LocalSigner) PublicKeys(context.Context) (map[string]*ecdsa.PublicKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]*ecdsa.PublicKey, len(s.keys))
	for kid, k := range s.keys {
		out[kid] = &k.PublicKey
	}
	return out, nil
}
