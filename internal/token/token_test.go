package token_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/switchboard/switchboard/internal/kmssign"
	"github.com/switchboard/switchboard/internal/token"
)

var claims = map[string]any{"iss": "https://switchboard.test", "aud": "downstream", "sub": "tom", "tid": "contoso",
	"act": map[string]string{"sub": "tom", "tid": "northwind"}, "exp": 4102444800}

// verify checks a token with an independent JOSE library, given only the
// JWKS document as JSON.
func verify(t *testing.T, iss *token.Issuer, raw string) error {
	t.Helper()
	set, err := iss.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(set)
	keys, err := jwk.Parse(doc)
	if err != nil {
		t.Fatalf("jwx cannot read our JWKS %s: %v", doc, err)
	}
	_, err = jwt.Parse([]byte(raw), jwt.WithKeySet(keys), jwt.WithAudience("downstream"))
	return err
}

func TestLocalSignerTokensVerifyWithTheJWKSAcrossARollover(t *testing.T) {
	signer, err := token.NewLocalSigner()
	if err != nil {
		t.Fatal(err)
	}
	iss := token.NewIssuer(signer)
	ctx := context.Background()
	first, err := iss.Mint(ctx, claims)
	if err != nil {
		t.Fatal(err)
	}
	if err := verify(t, iss, first); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	if err := verify(t, iss, first[:len(first)-2]+"AA"); err == nil {
		t.Error("a token with a changed signature verified")
	}
	if _, err := signer.Rotate(); err != nil {
		t.Fatal(err)
	}
	set, _ := iss.JWKS(ctx)
	if len(set.Keys) != 2 || set.Keys[0].Kid != signer.KeyID() {
		t.Fatalf("JWKS during a rollover = %+v, want the new key first and the old one after", set.Keys)
	}
	if err := verify(t, iss, first); err != nil {
		t.Errorf("a token of the previous key during the rollover: %v", err)
	}
	second, _ := iss.Mint(ctx, claims)
	if err := verify(t, iss, second); err != nil {
		t.Errorf("a token of the new key: %v", err)
	}
	if _, err := signer.Rotate(); err != nil {
		t.Fatal(err)
	}
	if err := verify(t, iss, first); err == nil {
		t.Error("a token of a key two rotations old still verifies")
	}
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
	for i := 0; i < 20; i++ { // DER lengths vary with leading zeros of r and s
		raw, err := iss.Mint(context.Background(), claims)
		if err != nil {
			t.Fatal(err)
		}
		if err := verify(t, iss, raw); err != nil {
			t.Fatalf("KMS-signed token %d: %v", i, err)
		}
		if header, _ := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0]); !strings.Contains(string(header), `"kid":"arn:aws:kms:eu-west-1:111122223333:key/new"`) {
			t.Errorf("header %s does not name the signing key", header)
		}
	}
	if set, _ := iss.JWKS(context.Background()); len(set.Keys) != 2 {
		t.Errorf("JWKS has %d keys, want both keys of the rollover", len(set.Keys))
	}
}

func TestDERToJOSE(t *testing.T) {
	der := func(r, s *big.Int) []byte {
		b, _ := asn1.Marshal(struct{ R, S *big.Int }{r, s})
		return b
	}
	small := big.NewInt(7)
	got, err := token.DERToJOSE(der(small, small))
	if err != nil || len(got) != 64 || got[31] != 7 || got[63] != 7 || got[0] != 0 {
		t.Errorf("DERToJOSE(7, 7) = %x, %v; want 64 bytes, zero-padded", got, err)
	}
	tooBig := new(big.Int).Lsh(big.NewInt(1), 257)
	for name, in := range map[string][]byte{"garbage": []byte("not der"), "too large": der(tooBig, small), "negative": der(big.NewInt(-1), small), "trailing": append(der(small, small), 0)} {
		if _, err := token.DERToJOSE(in); err == nil {
			t.Errorf("DERToJOSE(%s) = nil error", name)
		}
	}
}

func BenchmarkMintLocal(b *testing.B) {
	signer, _ := token.NewLocalSigner()
	iss := token.NewIssuer(signer)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := iss.Mint(context.Background(), claims); err != nil {
			b.Fatal(err)
		}
	}
}
