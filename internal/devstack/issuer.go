package devstack

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer stands in for the identity provider in the local stack: it signs
// tokens for POST /dev/token and validates bearer tokens the way API Gateway's
// JWT authorizer does (signature, issuer, audience, expiry).
type Issuer struct {
	URL      string
	Audience string
	key      *ecdsa.PrivateKey
	now      func() time.Time
}

// TokenRequest is the body of POST /dev/token.
type TokenRequest struct {
	Sub    string   `json:"sub"`
	Tid    string   `json:"tid"`
	Groups []string `json:"groups"`
	AMR    []string `json:"amr"`
}

// TokenLifetime is how long a dev token lives.
const TokenLifetime = time.Hour

// NewIssuer makes an issuer with a fresh P-256 key.
func NewIssuer(url, audience string, now func() time.Time) (*Issuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &Issuer{URL: url, Audience: audience, key: key, now: now}, nil
}

// Issue signs an identity-provider token.
func (i *Issuer) Issue(r TokenRequest) (string, error) {
	if r.Sub == "" || r.Tid == "" {
		return "", fmt.Errorf("sub and tid are required")
	}
	now := i.now()
	claims := jwt.MapClaims{"iss": i.URL, "aud": i.Audience, "sub": r.Sub, "tid": r.Tid,
		"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(TokenLifetime).Unix()}
	if r.Groups != nil {
		claims["groups"] = r.Groups
	}
	if r.AMR != nil {
		claims["amr"] = r.AMR
	} else {
		claims["amr"] = []string{"pwd"}
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["kid"] = "dev-idp"
	return t.SignedString(i.key)
}

// Sign signs arbitrary claims with the issuer's key: the local identity
// provider can mint any token, malformed ones included, for drills.
func (i *Issuer) Sign(claims map[string]any) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims(claims))
	t.Header["kid"] = "dev-idp"
	return t.SignedString(i.key)
}

// Validate checks a bearer token and answers its claims flattened to strings
// exactly as API Gateway hands them to a function: arrays become "[a b]".
func (i *Issuer) Validate(raw string) (map[string]string, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &i.key.PublicKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}), jwt.WithIssuer(i.URL), jwt.WithAudience(i.Audience),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(i.now))
	if err != nil {
		return nil, err
	}
	flat := make(map[string]string, len(claims))
	for k, v := range claims {
		flat[k] = flatten(v)
	}
	return flat, nil
}

func flatten(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprint(int64(x))
		}
		return fmt.Sprint(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = flatten(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	default:
		return fmt.Sprint(x)
	}
}
