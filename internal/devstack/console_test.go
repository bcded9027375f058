package devstack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/devstack"
	"github.com/switchboard/switchboard/web"
)

// TestConsoleIsServed: the local stack serves a console build as CloudFront
// does — the page for every console route, fingerprinted assets cached for
// good, the strict CSP on everything, and the dev-mode config document.
func TestConsoleIsServed(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "assets"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "index.html"), []byte(`<!doctype html><script type="module" src="/console/assets/main-ABC.js"></script>`), 0o644))
	must(os.WriteFile(filepath.Join(dir, "assets", "main-ABC.js"), []byte(`console.log(1)`), 0o644))
	must(os.WriteFile(filepath.Join(dir, "assets", "main-ABC.css"), []byte(`body{}`), 0o644))
	s, err := devstack.Start(context.Background(), devstack.Config{BaseURL: "http://switchboard.test", Seed: true, ConsoleDir: dir})
	must(err)
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close(); s.Close() })
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, tc := range []struct {
		name, method, path string
		status             int
		contentType        string
		cache              string
		bodyHas            string
	}{
		{"the page", "GET", "/console/", 200, "text/html; charset=utf-8", "no-cache", "main-ABC.js"},
		{"a deep link gets the page", "GET", "/console/partners/rel-1", 200, "text/html; charset=utf-8", "no-cache", "main-ABC.js"},
		{"a script", "GET", "/console/assets/main-ABC.js", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "console.log"},
		{"a stylesheet", "GET", "/console/assets/main-ABC.css", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", "body"},
		{"a missing asset is no page", "GET", "/console/assets/main-OLD.js", 404, "text/plain; charset=utf-8", "no-cache", "no such console asset"},
		{"no escape from the build", "GET", "/console/assets/../../console.go", 404, "", "", ""},
		{"the config document", "GET", "/console/config.json", 200, "application/json", "no-cache", `"mode":"dev"`},
		{"read-only", "POST", "/console/", 405, "application/problem+json", "", "GET and HEAD"},
		{"the bare path redirects", "GET", "/console", 301, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			res, err := noRedirect.Do(req)
			must(err)
			defer res.Body.Close()
			var body bytes.Buffer
			_, _ = body.ReadFrom(res.Body)
			if res.StatusCode != tc.status {
				t.Fatalf("%s %s = %d %s, want %d", tc.method, tc.path, res.StatusCode, body.String(), tc.status)
			}
			if tc.status == 404 && tc.contentType == "" {
				return
			}
			if got := res.Header.Get("Content-Security-Policy"); got != web.ContentSecurityPolicy() || !strings.Contains(got, "script-src 'self'") || strings.Contains(got, "unsafe") {
				t.Errorf("CSP = %q, want the console's strict policy", got)
			}
			if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if tc.contentType != "" && res.Header.Get("Content-Type") != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", res.Header.Get("Content-Type"), tc.contentType)
			}
			if tc.cache != "" && res.Header.Get("Cache-Control") != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", res.Header.Get("Cache-Control"), tc.cache)
			}
			if !strings.Contains(body.String(), tc.bodyHas) {
				t.Errorf("body = %q, want it to hold %q", body.String(), tc.bodyHas)
			}
		})
	}

	// The demo people the sign-in page offers are the seed's.
	res, err := http.Get(srv.URL + "/console/config.json")
	must(err)
	defer res.Body.Close()
	var cfg web.Config
	must(json.NewDecoder(res.Body).Decode(&cfg))
	var users []string
	for _, u := range cfg.DemoUsers {
		users = append(users, u.Sub+"@"+u.Tid)
	}
	if got := strings.Join(users, " "); got != "nina@northwind tom@northwind carl@contoso fay@fabrikam op@platform" || cfg.OperatorTenant != devstack.OperatorTenant {
		t.Errorf("demo users %s, operator %q", got, cfg.OperatorTenant)
	}
}

// TestConsoleNotBuilt: without a build the stack says how to make one.
func TestConsoleNotBuilt(t *testing.T) {
	s, err := devstack.Start(context.Background(), devstack.Config{BaseURL: "http://switchboard.test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close(); s.Close() })
	res, err := http.Get(srv.URL + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	if res.StatusCode != 404 || !strings.Contains(body.String(), "make console") {
		t.Errorf("GET /console/ without a build = %d %q, want 404 naming `make console`", res.StatusCode, body.String())
	}
}
