package devstack_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/switchboard/switchboard/internal/devstack"
	"github.com/switchboard/switchboard/internal/httpapi"
)

// contract validates requests and responses against openapi.yaml.
type contract struct {
	t      *testing.T
	router routers.Router
	seen   map[string]bool
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	ctx := context.Background()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("../../openapi.yaml")
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("openapi.yaml is not valid: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{t: t, router: router, seen: map[string]bool{}}
}

// check validates one exchange; the request is rebuilt against the
// document's server URL.
func (c *contract) check(method, path, body string, res response) {
	c.t.Helper()
	ctx := context.Background()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, "http://127.0.0.1:8080"+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer x")
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Errorf("openapi.yaml has no route for %s %s: %v", method, path, err)
		return
	}
	c.seen[method+" "+route.Path] = true
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if res.status < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			c.t.Errorf("request %s %s %s does not match openapi.yaml: %v", method, path, body, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.status, Header: res.headers,
		Body: io.NopCloser(bytes.NewReader(res.body)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.t.Errorf("response %d to %s %s does not match openapi.yaml: %v\n%s", res.status, method, path, err, res.body)
	}
}

// TestContractCoversEveryRoute: the OpenAPI document and the route table
// cannot drift apart.
func TestContractCoversEveryRoute(t *testing.T) {
	api := loadContract(t)
	for _, r := range httpapi.Routes {
		path := strings.NewReplacer("{tenantId}", "t", "{id}", "i", "{assignmentId}", "a", "{webhookId}", "w").Replace(r.Path)
		req, _ := http.NewRequest(r.Method, "http://127.0.0.1:8080"+path, nil)
		route, _, err := api.router.FindRoute(req)
		if err != nil {
			t.Errorf("openapi.yaml lacks %s: %v", r.Key(), err)
			continue
		}
		if got := route.Operation.Extensions["x-function"]; got != r.Function {
			t.Errorf("%s: x-function %v, want %s", r.Key(), got, r.Function)
		}
		if got := route.Operation.OperationID; got != r.Operation {
			t.Errorf("%s: operationId %s, want %s (the operation the route table names)", r.Key(), got, r.Operation)
		}
	}
}

// TestWalkthrough follows the README's curl walk-through over HTTP, checking
// every exchange against the OpenAPI document.
func TestWalkthrough(t *testing.T) {
	st := startStack(t)
	api := loadContract(t)
	d := st.s.Demo
	costs := map[string]string{}
	call := func(tok, method, path, body string, status int, out any) {
		t.Helper()
		st.meter.Reset()
		res := st.mustDo(method, path, tok, body, status, out)
		if key := routeKey(method, path); status < 300 && costs[key] == "" {
			u := st.meter.Usage()
			if err := st.meter.Report(key); err != nil {
				t.Fatal(err)
			}
			costs[key] = fmt.Sprintf("%s | %d | %.1f | %d | %.1f", formatCounts(st.meter.Counts()), u.ItemsRead, u.ReadUnits, u.ItemsWritten, u.WriteUnits)
		}
		api.check(method, path, body, res)
	}
	nina, fay, tom := st.token("nina", "northwind"), st.token("fay", "fabrikam"), st.token("tom", "northwind")
	op := st.token("op", "platform")

	// 1. The MSP's aggregated view of its customers.
	var rels struct {
		Items []struct{ ID, CustomerTenantID, Status string }
	}
	call(nina, "GET", "/relationships?side=partner", "", 200, &rels)
	if len(rels.Items) != 1 || rels.Items[0].CustomerTenantID != "contoso" {
		t.Fatalf("partner view = %+v, want contoso", rels.Items)
	}
	call(nina, "GET", "/tenants/contoso", "", 200, nil)
	call(nina, "GET", "/relationships/"+d.RelationshipID, "", 200, nil)

	// 2. Fabrikam finds Northwind's invitation and accepts it, narrowing the scope.
	var invs struct{ Items []struct{ ID, Status string } }
	call(fay, "GET", "/invitations?direction=incoming&status=pending", "", 200, &invs)
	if len(invs.Items) != 1 || invs.Items[0].ID != d.PendingInvitationID {
		t.Fatalf("incoming = %+v, want the pending invitation", invs.Items)
	}
	var rel struct {
		ID, Status string
		Scope      []string
	}
	call(fay, "POST", "/invitations/"+d.PendingInvitationID+"/accept", `{"primaryAdmins":["user:nina"],"scope":["/sites/eu/paris"]}`, 201, &rel)
	if rel.Status != "active" || len(rel.Scope) != 1 || rel.Scope[0] != "/sites/eu/paris" {
		t.Fatalf("relationship = %+v", rel)
	}
	api.check("POST", "/invitations/"+d.PendingInvitationID+"/accept", "{}", st.mustDo("POST", "/invitations/"+d.PendingInvitationID+"/accept", fay, "{}", 409, nil))

	// 3. Northwind gives Tom site-lead there; a role outside the ceiling is refused.
	var asg struct{ ID string }
	call(nina, "POST", "/relationships/"+rel.ID+"/assignments", `{"principal":"user:tom","roles":["site-lead"]}`, 201, &asg)
	call(nina, "POST", "/relationships/"+rel.ID+"/assignments", `{"principal":"user:tom","roles":["mmr-admin"]}`, 422, nil)

	// 4. Tom's checks: inside the scope, outside it, and a permission no partner holds.
	for _, c := range []struct{ body, reason string }{
		{`{"tenantId":"fabrikam","permission":"rooms.create","resource":"/sites/eu/paris/room-7"}`, "allowed"},
		{`{"tenantId":"fabrikam","permission":"rooms.create","resource":"/sites/us/nyc"}`, "out-of-scope"},
		{`{"tenantId":"fabrikam","permission":"data.export"}`, "not-delegable"},
		{`{"tenantId":"contoso","permission":"tickets.update"}`, "allowed"},
	} {
		var got struct {
			Allowed bool
			Reason  string
		}
		call(tom, "POST", "/check-access", c.body, 200, &got)
		if got.Reason != c.reason {
			t.Errorf("check %s = %s, want %s", c.body, got.Reason, c.reason)
		}
	}
	var batch struct{ Results []struct{ Reason string } }
	call(tom, "POST", "/check-access", `{"checks":[{"tenantId":"fabrikam","permission":"rooms.view","resource":"/sites/eu/paris"},{"tenantId":"contoso","permission":"rooms.create"}]}`, 200, &batch)
	if len(batch.Results) != 2 || batch.Results[0].Reason != "allowed" || batch.Results[1].Reason != "no-grant" {
		t.Errorf("batch = %+v", batch.Results)
	}

	// 5. The customer sees the partner's assignments and custom roles, and defines one of its own.
	var asgs struct{ Items []struct{ Principal string } }
	call(fay, "GET", "/relationships/"+rel.ID+"/assignments", "", 200, &asgs)
	if len(asgs.Items) != 1 || asgs.Items[0].Principal != "user:tom" {
		t.Errorf("assignments seen by the customer = %+v", asgs.Items)
	}
	call(fay, "GET", "/tenants/fabrikam/roles", "", 200, nil)
	call(fay, "POST", "/tenants/fabrikam/roles", `{"id":"auditor","name":"Auditor","permissions":["audit.view","relationships.view"]}`, 201, nil)
	call(fay, "POST", "/tenants/fabrikam/roles", `{"id":"auditor","name":"Auditor","permissions":["audit.view"]}`, 200, nil)
	var native struct{ ID string }
	call(fay, "POST", "/tenants/fabrikam/assignments", `{"principal":"user:dora","roles":["auditor"]}`, 201, &native)
	call(fay, "DELETE", "/tenants/fabrikam/assignments/"+native.ID, "", 204, nil)

	// 6. The customer offboards the partner: access ends at once, and again is a no-op.
	call(fay, "DELETE", "/relationships/"+rel.ID, "", 204, nil)
	call(fay, "DELETE", "/relationships/"+rel.ID, "", 204, nil)
	var after struct{ Reason string }
	call(tom, "POST", "/check-access", `{"tenantId":"fabrikam","permission":"rooms.create","resource":"/sites/eu/paris/room-7"}`, 200, &after)
	if after.Reason != "relationship-terminated" {
		t.Errorf("after offboarding: %s, want relationship-terminated", after.Reason)
	}

	// 7. An invitation left alone expires by the test clock.
	var inv struct{ ID string }
	call(nina, "POST", "/invitations", `{"to":{"domain":"fabrikam.example"},"roles":["helpdesk-admin"],"duration":"P90D","expiresIn":"P1D"}`, 201, &inv)
	st.mustDo("POST", "/dev/clock", "", `{"advance":"P2D"}`, 200, nil)
	call(fay, "POST", "/invitations/"+inv.ID+"/accept", "", 409, nil)
	var cancelled struct{ ID string }
	call(nina, "POST", "/invitations", `{"to":{"tenantId":"fabrikam"},"roles":["helpdesk-admin"]}`, 201, &cancelled)
	call(nina, "DELETE", "/invitations/"+cancelled.ID, "", 204, nil)
	call(nina, "GET", "/invitations?direction=outgoing&limit=2", "", 200, nil)
	var decl struct{ ID string }
	call(nina, "POST", "/invitations", `{"to":{"tenantId":"fabrikam"},"roles":["helpdesk-admin"]}`, 201, &decl)
	call(fay, "POST", "/invitations/"+decl.ID+"/decline", "", 200, nil)

	// 8. Only the operator creates tenants.
	call(op, "POST", "/tenants", `{"id":"adatum","name":"Adatum","domain":"adatum.example","admins":["user:ada"]}`, 201, nil)
	call(nina, "POST", "/tenants", `{"name":"Sneaky","domain":"sneaky.example","admins":["user:nina"]}`, 403, nil)
	call(op, "POST", "/tenants", `{"id":"adatum","name":"Adatum","domain":"adatum2.example","admins":["user:ada"]}`, 409, nil)

	// 9. The customer removes a partner assignment on the remaining relationship.
	call(st.token("carl", "contoso"), "DELETE", "/relationships/"+d.RelationshipID+"/assignments/"+d.TechnicianAssignmentID, "", 204, nil)
	call(tom, "GET", "/relationships/"+d.RelationshipID+"/assignments", "", 403, nil)

	// 10. The customer reads what the partner did, and subscribes a webhook.
	carl := st.token("carl", "contoso")
	if err := st.s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	var audit struct{ Items []struct{ Type string } }
	call(carl, "GET", "/tenants/contoso/audit?actorTenant=northwind", "", 200, &audit)
	if len(audit.Items) == 0 {
		t.Error("contoso's audit shows nothing northwind did")
	}
	call(carl, "GET", "/tenants/contoso/audit?from=2020-01-01T00:00:00Z&limit=5", "", 200, nil)
	var hook struct{ ID string }
	call(carl, "POST", "/tenants/contoso/webhooks", `{"url":"https://psa.contoso.example/switchboard","eventTypes":["RoleAssigned"]}`, 201, &hook)
	call(carl, "GET", "/tenants/contoso/webhooks", "", 200, nil)
	call(carl, "GET", "/tenants/contoso/webhooks/"+hook.ID+"/deliveries", "", 200, nil)
	call(carl, "DELETE", "/tenants/contoso/webhooks/"+hook.ID, "", 204, nil)

	// 11. Tom switches into contoso; a downstream service verifies the token
	// with only the JWKS, through an independent JOSE library.
	call(nina, "POST", "/relationships/"+d.RelationshipID+"/assignments", `{"principal":"user:tom","roles":["helpdesk-admin"]}`, 201, nil)
	var targets struct {
		Items []struct{ TenantID, Status string }
	}
	call(tom, "GET", "/switch/targets", "", 200, &targets)
	if len(targets.Items) == 0 || targets.Items[0].TenantID != "contoso" {
		t.Errorf("tom's targets = %+v, want contoso", targets.Items)
	}
	var sw struct{ Token, SessionID string }
	call(tom, "POST", "/switch", `{"tenantId":"contoso","duration":"PT15M"}`, 200, &sw)
	call(tom, "POST", "/switch", `{"tenantId":"fabrikam"}`, 403, nil)
	call("", "GET", "/.well-known/jwks.json", "", 200, nil)
	keys, err := jwk.Fetch(context.Background(), st.url+"/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Parse([]byte(sw.Token), jwt.WithKeySet(keys), jwt.WithAudience(devstack.SwitchAudience))
	if err != nil {
		t.Fatalf("the switch token does not verify with the JWKS: %v", err)
	}
	if jti, _ := tok.JwtID(); jti != sw.SessionID {
		t.Errorf("jti = %q, want the session id %q", jti, sw.SessionID)
	}

	if c := st.consistent(t); c.Pending != 0 {
		t.Errorf("%d events left undelivered after the walk-through", c.Pending)
	}

	for _, r := range []string{"GET /relationships/{id}", "POST /check-access"} {
		if !api.seen[r] {
			t.Errorf("walk-through never exercised %s", r)
		}
	}
	var table strings.Builder
	table.WriteString("DynamoDB requests per route (first successful call in the walk-through):\n")
	table.WriteString("| route | requests | items read | RCU | items written | WCU |\n")
	for _, r := range httpapi.Routes {
		fmt.Fprintf(&table, "| %-55s | %s |\n", "`"+r.Key()+"`", costs[r.Key()])
	}
	t.Log(table.String())
}

// routeKey finds the route template of a concrete path.
func routeKey(method, path string) string {
	p, _, _ := strings.Cut(path, "?")
	r, _, _, ok := httpapi.Match(method, p)
	if !ok {
		return method + " " + p
	}
	return r.Key()
}

func formatCounts(c map[string]int) string {
	ops := make([]string, 0, len(c))
	total := 0
	for op, n := range c {
		ops = append(ops, fmt.Sprintf("%s %d", op, n))
		total += n
	}
	sort.Strings(ops)
	return fmt.Sprintf("%d (%s)", total, strings.Join(ops, ", "))
}

func TestUnauthenticated(t *testing.T) {
	st := startStack(t)
	for _, tok := range []string{"", "not-a-jwt", st.token("nina", "northwind")[:40] + "x"} {
		res := st.do("GET", "/relationships", tok, "")
		if res.status != 401 || !isProblem(res) {
			t.Errorf("token %q: %d %s, want 401 problem", tok, res.status, res.body)
		}
	}
	if res := st.do("GET", "/nowhere", "", ""); res.status != 404 || !isProblem(res) {
		t.Errorf("unknown route: %d %s", res.status, res.body)
	}
	if res := st.do("PUT", "/invitations", "", ""); res.status != 405 || res.headers.Get("Allow") == "" {
		t.Errorf("wrong method: %d %v", res.status, res.headers)
	}
}
