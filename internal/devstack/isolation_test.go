package devstack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/httpapi"
)

// bodies are valid requests for each route, so a refusal is about who asks,
// not about what was sent.
var bodies = map[string]string{
	"POST /tenants":                        `{"name":"Mallory Inc","domain":"mallory.example","msp":true,"admins":["user:mallory"]}`,
	"POST /invitations":                    `{"to":{"tenantId":"contoso"},"roles":["global-admin"]}`,
	"POST /invitations/{id}/accept":        `{"primaryAdmins":["user:mallory"]}`,
	"POST /invitations/{id}/decline":       `{}`,
	"POST /relationships/{id}/assignments": `{"principal":"user:mallory","roles":["helpdesk-admin"]}`,
	"POST /tenants/{tenantId}/roles":       `{"id":"backdoor","name":"Backdoor","permissions":["rooms.view"]}`,
	"POST /tenants/{tenantId}/assignments": `{"principal":"user:mallory","roles":["global-admin"]}`,
	"POST /check-access":                   `{"tenantId":"contoso","permission":"rooms.view","principal":{"id":"user:tom","tenantId":"northwind"}}`,
	"POST /tenants/{tenantId}/webhooks":    `{"url":"https://mallory.example/steal"}`,
	"POST /switch":                         `{"tenantId":"contoso"}`,
}

// ownTenant routes act on the caller's own tenant: an admin of an unrelated
// tenant legitimately gets an answer, which must name nothing of anyone else.
var ownTenant = map[string]bool{"POST /invitations": true, "GET /invitations": true, "GET /relationships": true}

// answersEveryone are routes that answer any caller with only the caller's
// own data (an empty list for a stranger) or public data.
var answersEveryone = map[string]bool{"GET /switch/targets": true, "GET /.well-known/jwks.json": true}

// recordsRefusals are routes whose refusal is itself recorded (AccessDenied,
// in the caller's own audit log): a write that changes nothing of anyone else.
var recordsRefusals = map[string]bool{"POST /switch": true}

func TestIsolation(t *testing.T) {
	st := startStack(t)
	d := st.s.Demo
	op := st.token("op", "platform")
	st.mustDo("POST", "/tenants", op, `{"id":"evilcorp","name":"Evil Corp","domain":"evil.example","msp":true,"admins":["user:eve"]}`, 201, nil)
	var hook struct{ ID, Secret string }
	st.mustDo("POST", "/tenants/contoso/webhooks", st.token(d.CustomerAdmin, d.Customer), `{"url":"https://psa.contoso.example/hooks"}`, 201, &hook)

	actors := []struct {
		name, token string
		admin       bool
	}{
		{"stranger tenant user without grants", st.token("mallory", "evilcorp"), false},
		{"stranger tenant admin", st.token("eve", "evilcorp"), true},
		{"partner user without a grant", st.token("sam", d.MSP), false},
		{"prospect customer admin", st.token(d.ProspectAdmin, d.Prospect), true},
	}
	params := func(r httpapi.Route) string {
		p := strings.NewReplacer("{tenantId}", d.Customer, "{assignmentId}", d.TechnicianAssignmentID, "{webhookId}", hook.ID).Replace(r.Path)
		if strings.HasPrefix(r.Path, "/invitations/") {
			return strings.Replace(p, "{id}", d.PendingInvitationID, 1)
		}
		return strings.Replace(p, "{id}", d.RelationshipID, 1)
	}
	secrets := []string{d.RelationshipID, d.TechnicianAssignmentID, d.PendingInvitationID, "Contoso Ltd", "Northwind IT Services", "user:" + d.MSPAdmin, "user:" + d.Technician,
		hook.Secret, "psa.contoso.example"}

	cells, failures := 0, 0
	for _, a := range actors {
		for _, r := range httpapi.Routes {
			if a.admin && ownTenant[r.Key()] || (a.name == "prospect customer admin" && strings.HasPrefix(r.Path, "/invitations")) {
				continue // the prospect may answer its own invitation; covered by the walk-through
			}
			cells++
			path := params(r)
			body := bodies[r.Key()]
			st.meter.Reset()
			res := st.do(r.Method, path, a.token, body)
			var wrote []string
			for op, n := range st.meter.Counts() {
				if op != "GetItem" && op != "Query" && !recordsRefusals[r.Key()] {
					wrote = append(wrote, fmt.Sprintf("%s×%d", op, n))
				}
			}
			var leaked []string
			for _, s := range secrets {
				if strings.Contains(string(res.body), s) && !strings.Contains(path+body, s) {
					leaked = append(leaked, s)
				}
			}
			if answersEveryone[r.Key()] {
				if res.status != 200 || len(wrote) > 0 || len(leaked) > 0 || strings.Contains(string(res.body), d.Customer) {
					failures++
					t.Errorf("%s: %s %s = %d %s; want 200 naming nothing of another tenant", a.name, r.Method, path, res.status, res.body)
				}
				continue
			}
			if a.name == "partner user without a grant" && r.Key() == "GET /tenants/{tenantId}" {
				// SPEC §3: a partner's people may read a tenant they have a relationship with.
				if res.status != 200 || len(wrote) > 0 {
					failures++
					t.Errorf("partner reading its customer: %d %s", res.status, res.body)
				}
				continue
			}
			if (res.status != 403 && res.status != 404) || !isProblem(res) || len(wrote) > 0 || len(leaked) > 0 {
				failures++
				t.Errorf("%s: %s %s = %d %s; writes %v, leaked %v; want 403/404 problem, no writes, nothing named", a.name, r.Method, path, res.status, res.body, wrote, leaked)
			}
		}
	}
	// The admin of an unrelated tenant sees only its own (empty) lists.
	for _, path := range []string{"/invitations?direction=incoming", "/invitations?direction=outgoing", "/relationships?side=partner", "/relationships?side=customer"} {
		cells++
		res := st.mustDo("GET", path, actors[1].token, "", 200, nil)
		if got := strings.TrimSpace(string(res.body)); got != `{"items":[]}` {
			failures++
			t.Errorf("GET %s as a stranger admin = %s, want an empty list", path, got)
		}
	}
	t.Logf("isolation matrix: %d actors × %d routes → %d cells, %d failures", len(actors), len(httpapi.Routes), cells, failures)
}
