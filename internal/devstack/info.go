package devstack

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	switchboard "github.com/switchboard/switchboard"
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/web"
)

// serveInfo answers what a newcomer opens first: the root page (where the
// console, the API document, the routes and the token route are), the API
// document itself, and a health route for scripts.
func (s *Stack) serveInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		problem(w, http.StatusMethodNotAllowed, "use GET")
		return
	}
	switch r.URL.Path {
	case "/openapi.yaml":
		w.Header().Set("Content-Type", "application/yaml")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(switchboard.OpenAPI)
	case "/health":
		s.health(w, r)
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		_ = rootPage.Execute(w, s.rootData())
	}
}

// health answers 200 when the table answers and the bus is up, 503 with
// what is wrong otherwise.
func (s *Stack) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, checks := http.StatusOK, map[string]string{"dynamodb": "ok", "bus": "ok"}
	if _, err := s.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.Table)}); err != nil {
		status, checks["dynamodb"] = http.StatusServiceUnavailable, err.Error()
	}
	if s.Local != nil {
		select {
		case <-s.Local.Done():
			status, checks["dynamodb"] = http.StatusServiceUnavailable, "DynamoDB Local has stopped"
		default:
		}
	}
	state := "ok"
	if status != http.StatusOK {
		state = "unavailable"
	}
	writeJSON(w, status, "application/json", map[string]any{"status": state, "checks": checks, "table": s.Table, "now": s.Clock.Now()})
}

type rootRoute struct{ Method, Path, Function string }

func (s *Stack) rootData() map[string]any {
	var routes []rootRoute
	for _, rt := range httpapi.Routes {
		routes = append(routes, rootRoute{rt.Method, rt.Path, rt.Function})
	}
	return map[string]any{"Console": web.BasePath, "Routes": routes, "Tenants": s.tenantHint(), "Operator": OperatorTenant}
}

// tenantHint names the seed's tenants and their people, for a newcomer.
func (s *Stack) tenantHint() string {
	switch {
	case s.Demo != nil:
		d := s.Demo
		return fmt.Sprintf("%s (%s, %s), %s (%s), %s (%s), %s (the operator)", d.MSP, d.MSPAdmin, d.Technician, d.Customer, d.CustomerAdmin, d.Prospect, d.ProspectAdmin, OperatorTenant)
	case s.Large != nil:
		return fmt.Sprintf("%s (%s), cust-0001 … (admin), %s (the operator)", s.Large.MSP, s.Large.Admin, OperatorTenant)
	}
	return OperatorTenant + " (the operator)"
}

var rootPage = template.Must(template.New("root").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchboard — local stack</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}code,pre{background:#f4f4f4;padding:.1rem .3rem}table{border-collapse:collapse}td{padding:.1rem .8rem .1rem 0}</style></head>
<body><h1>Switchboard — local stack</h1>
<p>The <a href="{{.Console}}">console</a>: sign in as a demo user. The API's contract: <a href="/openapi.yaml">/openapi.yaml</a>. Health, for scripts: <a href="/health">/health</a>.</p>
<p>Every API route needs a bearer token from the local identity provider:</p>
<pre>TOKEN=$(curl -s -X POST http://HOST/dev/token -d '{"sub":"nina","tid":"northwind"}' | jq -r .token)
curl -s http://HOST/relationships -H "Authorization: Bearer $TOKEN"</pre>
<p>Tenants of the seed (and their people): {{.Tenants}}. README.md walks through every route.</p>
<p>Local only: <code>POST /dev/token</code>, <code>POST /dev/clock {"advance":"P15D"}</code> or <code>{"reset":true}</code>, <code>POST /dev/cleanup</code>, <code>GET /dev/dead-letters</code>, <code>POST /dev/keys/rotate</code>, <code>POST /dev/reset</code> (empties the table and seeds again).</p>
<h2>Routes</h2><table>{{range .Routes}}<tr><td><code>{{.Method}}</code></td><td><code>{{.Path}}</code></td><td>{{.Function}}</td></tr>{{end}}</table>
</body></html>
`))

// devReset empties the table and writes the seed again, and puts the clock
// back on real time: a fresh start without a restart. Requests wait for it.
func (s *Stack) devReset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		problem(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	s.resetting.Lock()
	defer s.resetting.Unlock()
	ctx := r.Context()
	if err := s.Bus.Wait(ctx); err != nil {
		problem(w, http.StatusInternalServerError, err.Error())
		return
	}
	if _, err := s.DynamoDB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(s.Table)}); err != nil {
		problem(w, http.StatusInternalServerError, "delete the table: "+err.Error())
		return
	}
	waiter := dynamodb.NewTableNotExistsWaiter(s.DynamoDB)
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.Table)}, time.Minute); err != nil {
		problem(w, http.StatusInternalServerError, err.Error())
		return
	}
	if err := store.EnsureTable(ctx, s.DynamoDB, s.Table); err != nil {
		problem(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.Clock.Reset()
	s.Bus.ClearDeadLetters()
	out := map[string]any{"table": s.Table, "now": s.Clock.Now()}
	if s.seeded {
		d, err := seed(ctx, s.Service)
		if err != nil {
			problem(w, http.StatusInternalServerError, "seed: "+err.Error())
			return
		}
		s.Demo = d
		out["demo"] = d
	}
	if err := s.Bus.Wait(ctx); err != nil {
		problem(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, "application/json", out)
}

var (
	devSub = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)
	devTid = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

// check refuses a token request the API could never accept: the ids the
// API takes, groups and methods without surrounding blanks.
func (r TokenRequest) check() error {
	switch {
	case r.Sub == "" || r.Tid == "":
		return fmt.Errorf(`sub and tid are required, e.g. {"sub":"nina","tid":"northwind"}`)
	case !devSub.MatchString(r.Sub):
		return fmt.Errorf("sub %q is not a user id: letters, digits and ._@+-", r.Sub)
	case !devTid.MatchString(r.Tid):
		return fmt.Errorf("tid %q is not a tenant id: lower-case letters, digits and dashes", r.Tid)
	}
	for _, g := range append(append([]string{}, r.Groups...), r.AMR...) {
		if g == "" || strings.TrimSpace(g) != g {
			return fmt.Errorf("group or method %q is empty or has blanks around it", g)
		}
	}
	return nil
}
