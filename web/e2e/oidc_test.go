package e2e_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard/switchboard/internal/devstack"
	"github.com/switchboard/switchboard/web"
)

// identityProvider is a minimal OpenID Connect provider for the AWS sign-in
// path: discovery, an authorization endpoint that signs in one user at
// once, and a token endpoint that checks PKCE (S256) as a real one does.
type identityProvider struct {
	t      *testing.T
	url    string
	mint   func() (string, error) // the access token the API accepts
	user   string
	mu     sync.Mutex
	codes  map[string]authRequest
	pkceOK int
}

type authRequest struct{ challenge, redirect, nonce string }

func (p *identityProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": p.url, "authorization_endpoint": p.url + "/authorize",
			"token_endpoint": p.url + "/token", "jwks_uri": p.url + "/jwks", "response_types_supported": []string{"code"},
			"code_challenge_methods_supported": []string{"S256"}, "subject_types_supported": []string{"public"}})
	case "/authorize":
		q := r.URL.Query()
		if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("client_id") != "switchboard-console" {
			http.Error(w, "want the code flow with PKCE S256 for switchboard-console: "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		code := "code-" + q.Get("state")
		p.codes[code] = authRequest{challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri"), nonce: q.Get("nonce")}
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
	case "/token":
		if r.Method == http.MethodOptions {
			return
		}
		_ = r.ParseForm()
		p.mu.Lock()
		req, ok := p.codes[r.Form.Get("code")]
		delete(p.codes, r.Form.Get("code"))
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.Form.Get("code_verifier")))
		if !ok || r.Form.Get("grant_type") != "authorization_code" || r.Form.Get("redirect_uri") != req.redirect ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != req.challenge {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		p.mu.Lock()
		p.pkceOK++
		p.mu.Unlock()
		access, err := p.mint()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		claims := map[string]any{"iss": p.url, "aud": "switchboard-console", "sub": p.user, "iat": 1, "exp": 4102444800}
		if req.nonce != "" {
			claims["nonce"] = req.nonce
		}
		cj, _ := json.Marshal(claims)
		idToken := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + base64.RawURLEncoding.EncodeToString(cj) + ".x"
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": access, "id_token": idToken, "token_type": "Bearer", "expires_in": 3600, "scope": "openid profile"})
	default:
		http.NotFound(w, r)
	}
}

// cspWriter gives the console's answers the CSP CloudFront sends in AWS:
// the identity provider is another origin the page must reach.
type cspWriter struct {
	http.ResponseWriter
	csp   string
	wrote bool
}

func (c *cspWriter) WriteHeader(status int) {
	if !c.wrote {
		c.wrote = true
		c.Header().Set("Content-Security-Policy", c.csp)
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *cspWriter) Write(b []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(b)
}

// TestOIDCSignIn: in oidc mode (the document the CDK writes) the console signs
// in with the authorization code flow and PKCE, calls the API with the access
// token, and keeps the tokens out of the browser's storage.
func TestOIDCSignIn(t *testing.T) {
	idp := &identityProvider{t: t, user: "nina", codes: map[string]authRequest{}}
	idpSrv := httptest.NewServer(idp)
	t.Cleanup(idpSrv.Close)
	idp.url = idpSrv.URL
	var h *harness
	h = startWith(t, func(base string, next http.Handler) http.Handler {
		cfg, _ := json.Marshal(web.Config{Mode: web.ModeOIDC, Issuer: idp.url, ClientID: "switchboard-console", Scope: "openid profile"})
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == web.BasePath+web.ConfigPath {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(cfg)
				return
			}
			if strings.HasPrefix(r.URL.Path, web.BasePath) {
				w = &cspWriter{ResponseWriter: w, csp: web.ContentSecurityPolicy(idp.url)}
			}
			next.ServeHTTP(w, r)
		})
	})
	idp.mint = func() (string, error) {
		return h.stack.Issuer.Issue(devstack.TokenRequest{Sub: "nina", Tid: "northwind"})
	}

	tb := h.tab("oidc")
	tb.do(
		chromedp.Navigate(h.base+"/console/customers"),
		chromedp.Click(xp(`//button[normalize-space()="Sign in"]`)),
	)
	// To the identity provider and back: wait until the page is home again.
	deadline := time.Now().Add(stepTimeout)
	for {
		home, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`location.pathname === '/console/customers' && !!document.querySelector('.top .who')`))
		if err == nil && home {
			break
		}
		if time.Now().After(deadline) {
			loc, _ := chromedp.Run(tb.ctx, chromedp.Location())
			t.Fatalf("after signing in the page is at %s (%v)%s", loc, err, tb.failureShot())
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.do(
		waitText("Northwind IT Services"),
		chromedp.WaitVisible(xp(`//h1[normalize-space()="Customers"]`)),
		waitText("Contoso Ltd"),
	)
	if idp.pkceOK != 1 {
		t.Errorf("the token endpoint checked PKCE %d times, want once", idp.pkceOK)
	}
	stored := eval[string](tb, `JSON.stringify({local: {...localStorage}, session: {...sessionStorage}})`)
	if strings.Contains(stored, "eyJ") || strings.Contains(stored, "access_token") {
		t.Errorf("tokens in the browser's storage: %s", stored)
	}
}
