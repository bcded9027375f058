// Package e2e drives the console in a real headless Chromium (chromedp)
// against the local stack started in process, as a person would use it.
package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard/switchboard/internal/devstack"
	"github.com/switchboard/switchboard/web"
)

// repoRoot is the repository's root, two levels above this file.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// chromium finds the browser, or fails saying how to install it: a browser
// test that passes without a browser would prove nothing.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium on this machine, and the console's browser tests need one: install it with `apt-get install -y chromium` " +
		"(`make tools` does, and `make test` runs it), or set CHROMIUM to a Chrome or Chromium binary")
	return ""
}

// harness is one local stack serving the built console, and one browser.
type harness struct {
	t     *testing.T
	base  string
	stack *devstack.Stack
	root  context.Context // the browser; each tab is a child of it

	mu       sync.Mutex
	problems []string // uncaught exceptions and CSP violations in any tab
}

func start(t *testing.T) *harness { return startWith(t, nil) }

// startWith puts wrap in front of the stack, e.g. to serve another config
// document; base is the stack's URL.
func startWith(t *testing.T, wrap func(base string, next http.Handler) http.Handler) *harness {
	t.Helper()
	dist := filepath.Join(repoRoot(), web.DistDir)
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the console is not built (%v): run `make console` (npm ci and node build.mjs in web/) first; `make test` does", err)
	}
	chrome := chromium(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	st, err := devstack.Start(context.Background(), devstack.Config{BaseURL: base, Seed: true, ConsoleDir: dist})
	if err != nil {
		t.Fatal(err)
	}
	var handler http.Handler = st
	if wrap != nil {
		handler = wrap(base, st)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	h := &harness{t: t, base: base, stack: st, root: root}
	t.Cleanup(func() {
		cancelRoot()
		cancelAlloc()
		_ = srv.Close()
		_ = st.Close()
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, p := range h.problems {
			t.Errorf("in the browser: %s", p)
		}
	})
	if err := chromedp.Do(root); err != nil { // starts the browser
		t.Fatalf("start %s: %v", chrome, err)
	}
	return h
}

// takeProblems answers what the browser reported so far, and forgets it.
func (h *harness) takeProblems() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.problems
	h.problems = nil
	return p
}

// tab is one browser tab, signed in or not.
type tab struct {
	h    *harness
	ctx  context.Context
	name string
}

// tab opens a new tab in the browser.
func (h *harness) tab(name string) *tab {
	h.t.Helper()
	ctx, cancel := chromedp.NewContext(h.root)
	h.t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		h.t.Fatalf("open a tab: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Source == "security" {
				h.mu.Lock()
				h.problems = append(h.problems, fmt.Sprintf("%s: %s", name, m))
				h.mu.Unlock()
			}
		}
	}()
	return &tab{h: h, ctx: ctx, name: name}
}

const stepTimeout = 20 * time.Second

// do runs actions; on failure it keeps a screenshot to look at.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.h.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.h.t.Fatalf("%s: %v%s", tb.name, err, tb.failureShot())
	}
}

func (tb *tab) failureShot() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return ""
	}
	name := filepath.Join(os.TempDir(), fmt.Sprintf("console-%s-%s.png", strings.ReplaceAll(tb.h.t.Name(), "/", "-"), tb.name))
	if os.WriteFile(name, png, 0o644) != nil {
		return ""
	}
	return " (screenshot: " + name + ")"
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb *tab, js string) T {
	tb.h.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.h.t.Fatalf("%s: evaluate %s: %v%s", tb.name, js, err, tb.failureShot())
	}
	return v
}

func (tb *tab) text(sel string) string {
	tb.h.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.h.t.Fatalf("%s: text of %s: %v%s", tb.name, sel, err, tb.failureShot())
	}
	return s
}

// waitText waits until the main area (or the whole page) shows text.
func waitText(text string) chromedp.Action[chromedp.Void] {
	q, _ := json.Marshal(text)
	return chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.body.innerText.includes(%s)`, q), chromedp.WithPollingTimeout(stepTimeout))
}

// fill replaces a field's value by typing, as a person would.
func fill(sel, value string) chromedp.Action[chromedp.Void] {
	q, _ := json.Marshal(sel)
	keys := value
	if keys == "" {
		keys = "\b"
	}
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(e => { e.focus(); e.select(); })(document.querySelector(%s))`, q)),
		chromedp.KeyEvent(keys),
	)
}

// signIn opens the console and picks a demo user.
func (tb *tab) signIn(user string) {
	tb.h.t.Helper()
	tb.do(
		chromedp.Navigate(tb.h.base+"/console/"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-user=%q]`, user))),
		chromedp.WaitVisible(chromedp.CSS(".top .who")),
		waitText("Welcome, "+user),
	)
}

// visit moves to a console path the way its links do, without a reload (a
// reload would sign out: tokens live in memory only).
func (tb *tab) visit(path string) {
	tb.h.t.Helper()
	q, _ := json.Marshal(path)
	tb.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`history.pushState(null, '', %s); dispatchEvent(new PopStateEvent('popstate'))`, q)))
}

// api calls the HTTP API directly, to set up and to check what the browser did.
func (h *harness) api(method, path, tok, body string, status int, out any) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.base+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		h.t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, b, status)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

func (h *harness) token(sub, tid string) string {
	h.t.Helper()
	var out struct{ Token string }
	h.api("POST", "/dev/token", "", fmt.Sprintf(`{"sub":%q,"tid":%q}`, sub, tid), 200, &out)
	return out.Token
}

// settle waits until the bus has delivered what was published (audit records).
func (h *harness) settle() {
	h.t.Helper()
	if err := h.stack.Bus.Wait(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}
