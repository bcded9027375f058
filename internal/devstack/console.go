package devstack

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/switchboard/switchboard/web"
)

// console serves the built web console at /console/ as CloudFront does in
// AWS: fingerprinted assets cached for a year, index.html never cached and
// answered for every other path under /console/ (the page routes itself),
// the console's Content-Security-Policy on every answer, and the config
// document that puts the page in dev sign-in mode.
type console struct {
	files  fs.FS // nil when no build is configured
	config []byte
}

// newConsole serves the build in dir (see web.DistDir); an empty dir serves
// an answer that says how to build it.
func newConsole(dir string, d *Demo) *console {
	cfg := web.Config{Mode: web.ModeDev, OperatorTenant: OperatorTenant,
		DemoUsers: []web.DemoUser{{Sub: "op", Tid: OperatorTenant, Role: "platform operator"}}}
	if d != nil {
		cfg.DemoUsers = append([]web.DemoUser{
			{Sub: d.MSPAdmin, Tid: d.MSP, Role: "MSP admin"},
			{Sub: d.Technician, Tid: d.MSP, Role: "MSP technician"},
			{Sub: d.CustomerAdmin, Tid: d.Customer, Role: "customer admin"},
			{Sub: d.ProspectAdmin, Tid: d.Prospect, Role: "customer admin, invited"},
		}, cfg.DemoUsers...)
	}
	b, _ := json.Marshal(cfg) // a struct of strings always marshals
	c := &console{config: b}
	if dir != "" {
		c.files = os.DirFS(dir)
	}
	return c
}

func isConsolePath(p string) bool {
	return p == strings.TrimSuffix(web.BasePath, "/") || strings.HasPrefix(p, web.BasePath)
}

func (c *console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", web.ContentSecurityPolicy())
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		problem(w, http.StatusMethodNotAllowed, "the console answers GET and HEAD")
		return
	}
	rel := strings.TrimPrefix(r.URL.Path, web.BasePath)
	switch {
	case r.URL.Path+"/" == web.BasePath:
		http.Redirect(w, r, web.BasePath, http.StatusMovedPermanently)
	case rel == web.ConfigPath:
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(c.config)
	case c.files == nil:
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("The console is not served: run `make console` to build it into " + web.DistDir + ", then `make run`.\n"))
	case strings.HasPrefix(rel, "assets/"):
		c.asset(w, r, rel)
	default:
		c.index(w, r)
	}
}

// asset answers a fingerprinted file: its name changes with its content, so
// it may be kept for good. A missing one is a 404, never the page.
func (c *console) asset(w http.ResponseWriter, r *http.Request, rel string) {
	name := path.Clean(rel)
	b, err := fs.ReadFile(c.files, name)
	if err != nil || !strings.HasPrefix(name, "assets/") {
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("no such console asset: " + rel + "\n"))
		return
	}
	w.Header().Set("Content-Type", contentType(name))
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

// index answers the page itself for every route of the console.
func (c *console) index(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(c.files, "index.html")
	if errors.Is(err, fs.ErrNotExist) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("The console has no index.html in " + web.DistDir + ": run `make console`.\n"))
		return
	}
	if err != nil {
		problem(w, http.StatusInternalServerError, "the console cannot be read")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

// contentType is the type of a console file by its extension; scripts are
// JavaScript whatever the system's MIME table says (module scripts must be).
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".map", ".json":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
