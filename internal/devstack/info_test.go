package devstack_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// What a newcomer meets first: a root page pointing to the console, the
// API document and the token route; the document itself; a health route;
// clear answers from the dev routes; a reset without a restart.
func TestNewcomerRoutes(t *testing.T) {
	st := startStack(t)
	root := st.do("GET", "/", "", "")
	if root.status != 200 || !strings.HasPrefix(root.headers.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(root.body), `href="/console/"`) || !strings.Contains(string(root.body), "/openapi.yaml") || !strings.Contains(string(root.body), "/dev/token") {
		t.Errorf("GET / = %d %s", root.status, root.body)
	}
	if doc := st.do("GET", "/openapi.yaml", "", ""); doc.status != 200 || !strings.HasPrefix(string(doc.body), "openapi: 3.1") {
		t.Errorf("GET /openapi.yaml = %d %.60s", doc.status, doc.body)
	}
	var health struct{ Status string }
	if h := st.do("GET", "/health", "", ""); h.status != 200 || json.Unmarshal(h.body, &health) != nil || health.Status != "ok" {
		t.Errorf("GET /health = %d %s", h.status, h.body)
	}
	if res := st.do("POST", "/dev/token", "", ""); res.status != 400 || !strings.Contains(string(res.body), "the body is empty") || !strings.Contains(string(res.body), "sub") {
		t.Errorf("POST /dev/token without a body = %d %s, want 400 saying what to send", res.status, res.body)
	}
	if res := st.do("POST", "/dev/token", "", `{"sub":"nina"}`); res.status != 400 || !strings.Contains(string(res.body), "tid") {
		t.Errorf("POST /dev/token without tid = %d %s", res.status, res.body)
	}
	var tok struct{ Token, Warning string }
	st.mustDo("POST", "/dev/token", "", `{"sub":"zed","tid":"nowhere"}`, 200, &tok)
	if tok.Token == "" || !strings.Contains(tok.Warning, "nowhere") || !strings.Contains(tok.Warning, "northwind") {
		t.Errorf("a token for a tenant the stack lacks = %+v, want it with a warning naming the demo's tenants", tok)
	}
	tok.Warning = ""
	st.mustDo("POST", "/dev/token", "", `{"sub":"nina","tid":"northwind"}`, 200, &tok)
	if tok.Warning != "" {
		t.Errorf("a token for a demo tenant carries a warning: %q", tok.Warning)
	}
	// The test clock goes back to real time.
	var clock struct{ Now time.Time }
	st.mustDo("POST", "/dev/clock", "", `{"advance":"P30D"}`, 200, &clock)
	st.mustDo("POST", "/dev/clock", "", `{"reset":true}`, 200, &clock)
	if d := time.Since(clock.Now); d < -time.Minute || d > time.Minute {
		t.Errorf("after a reset the clock is %v away from real time", d)
	}
	// A reset empties the table and seeds again.
	nina := st.token("nina", "northwind")
	var inv struct{ ID string }
	st.mustDo("POST", "/invitations", nina, `{"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"]}`, 201, &inv)
	st.mustDo("POST", "/dev/reset", "", "", 200, nil)
	var list struct{ Items []struct{ ID string } }
	st.mustDo("GET", "/invitations?direction=outgoing", nina, "", 200, &list)
	for _, it := range list.Items {
		if it.ID == inv.ID {
			t.Errorf("the invitation made before the reset is still there")
		}
	}
	if len(list.Items) != 2 {
		t.Errorf("after the reset northwind has %d outgoing invitations, want the seed's two", len(list.Items))
	}
}
