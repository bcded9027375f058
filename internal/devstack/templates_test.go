package devstack_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// gdapDefault is seed 002's model: Northwind's admin agents and helpdesk
// agents mapped to roles of the ceiling.
const gdapDefault = `{"id":"gdap-default","name":"GDAP default","roles":["helpdesk-admin","site-lead"],"scope":["/sites/*"],` +
	`"groupMappings":[{"principal":"group:admin-agents","roles":["site-lead"]},` +
	`{"principal":"group:helpdesk-agents","roles":["helpdesk-admin"],"scope":["/sites/eu"]}]}`

type batchAnswer struct {
	Created, Pending, Failed int
	Results                  []struct {
		Index        int
		Status       int
		Result       string
		InvitationID string
		Error        *struct {
			Status        int
			Type, Field   string
			Detail, Title string
		}
	}
}

// TestTemplatesOverHTTP: a partner defines a template with group mappings,
// invites customers in bulk, and a customer's acceptance creates the mapped
// assignments at once — every exchange checked against openapi.yaml.
func TestTemplatesOverHTTP(t *testing.T) {
	st := startStack(t)
	api := loadContract(t)
	call := func(tok, method, path, body string, status int, out any) response {
		t.Helper()
		res := st.mustDo(method, path, tok, body, status, out)
		api.check(method, path, body, res)
		return res
	}
	nina, fay := st.token("nina", "northwind"), st.token("fay", "fabrikam")
	path := "/tenants/northwind/invitation-templates"
	call(nina, "POST", path, gdapDefault, 201, nil)
	call(nina, "POST", path, gdapDefault, 200, nil)
	res := call(nina, "POST", path, `{"id":"bad","name":"Bad","roles":["helpdesk-admin"],"groupMappings":[{"principal":"group:x","roles":["global-admin"]}]}`, 422, nil)
	if !strings.Contains(string(res.body), `"field":"groupMappings[0].roles"`) || !strings.Contains(string(res.body), "global-admin") {
		t.Errorf("a mapping beyond the ceiling = %s, want 422 naming groupMappings[0].roles and global-admin", res.body)
	}
	var list struct {
		Items []struct {
			ID            string
			GroupMappings []struct{ Principal string }
		}
	}
	call(nina, "GET", path, "", 200, &list)
	if len(list.Items) != 1 || list.Items[0].ID != "gdap-default" || len(list.Items[0].GroupMappings) != 2 {
		t.Fatalf("GET %s = %+v, want gdap-default with its two mappings", path, list.Items)
	}

	batch := `{"template":"gdap-default","to":[{"domain":"fabrikam.example"},{"tenantId":"contoso"},{"tenantId":"fabrikam"},{"tenantId":"nobody"}]}`
	first := st.doWithKey("POST", "/invitations/batch", nina, "batch-1", batch)
	api.check("POST", "/invitations/batch", batch, first)
	var ans batchAnswer
	if err := json.Unmarshal(first.body, &ans); err != nil || first.status != 200 {
		t.Fatalf("POST /invitations/batch = %d %s", first.status, first.body)
	}
	if ans.Created != 2 || ans.Failed != 2 || ans.Results[0].Status != 201 || ans.Results[2].Error == nil || ans.Results[2].Error.Status != 422 ||
		!strings.Contains(ans.Results[2].Error.Detail, "same customer as entry 0") || ans.Results[3].Error == nil || ans.Results[3].Error.Field != "to.tenantId" {
		t.Fatalf("POST /invitations/batch = %s, want two sent, a duplicate and an unknown tenant refused", first.body)
	}
	replay := st.doWithKey("POST", "/invitations/batch", nina, "batch-1", batch)
	if string(replay.body) != string(first.body) || replay.headers.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the batch replayed with its key = %s, want the first answer", replay.body)
	}
	var again batchAnswer
	call(nina, "POST", "/invitations/batch", batch, 200, &again)
	if again.Created != 0 || again.Pending != 2 || again.Results[0].InvitationID != ans.Results[0].InvitationID || again.Results[0].Result != "pending" {
		t.Errorf("the batch re-sent without a key: %+v, want both customers' pending invitations answered, none sent", again)
	}

	// Fabrikam reads the mappings it is asked to accept, and accepts Paris only.
	inv := ans.Results[0].InvitationID
	var pending struct {
		Items []struct {
			ID, TemplateID string
			GroupMappings  []struct{ Principal string }
		}
	}
	call(fay, "GET", "/invitations?direction=incoming&status=pending", "", 200, &pending)
	found := false
	for _, it := range pending.Items {
		found = found || it.ID == inv && it.TemplateID == "gdap-default" && len(it.GroupMappings) == 2
	}
	if !found {
		t.Fatalf("fabrikam's pending invitations %+v do not show %s with its template and mappings", pending.Items, inv)
	}
	var acc struct {
		ID                string
		MappedAssignments []struct{ ID, Principal string }
		SkippedMappings   []struct{ Principal, Reason string }
	}
	call(fay, "POST", "/invitations/"+inv+"/accept", `{"roles":["helpdesk-admin"],"scope":["/sites/eu/paris"]}`, 201, &acc)
	if len(acc.MappedAssignments) != 1 || acc.MappedAssignments[0].Principal != "group:helpdesk-agents" ||
		len(acc.SkippedMappings) != 1 || acc.SkippedMappings[0].Reason != "roles-not-accepted" {
		t.Fatalf("the acceptance = %+v, want helpdesk agents mapped and admin agents skipped (site-lead not accepted)", acc)
	}
	desk := st.token("dan", "northwind", "helpdesk-agents")
	for _, c := range []struct{ resource, want string }{{"/sites/eu/paris/room-1", "allowed"}, {"/sites/eu/berlin", "out-of-scope"}} {
		var r struct{ Reason string }
		body := fmt.Sprintf(`{"tenantId":"fabrikam","permission":"tickets.update","resource":%q}`, c.resource)
		call(desk, "POST", "/check-access", body, 200, &r)
		if r.Reason != c.want {
			t.Errorf("a helpdesk agent on %s = %s, want %s", c.resource, r.Reason, c.want)
		}
	}
	// Both sides' logs have the acceptance and the mapped assignment; the
	// partner's has the template saved.
	st.waitForAudit(t, fay, "fabrikam", "RoleAssigned", 1)
	st.waitForAudit(t, nina, "northwind", "RoleAssigned", 1)
	st.waitForAudit(t, nina, "northwind", "InvitationTemplateSaved", 2)
	st.consistent(t)
}

// TestTemplateIsolation: partner B never reads or uses partner A's
// templates, nobody but the partner's own people reads them, and half the
// rights (relationships.view without relationships.manage) reads but sends
// nothing. Every refusal writes nothing.
func TestTemplateIsolation(t *testing.T) {
	st := startStack(t)
	op, nina := st.token("op", "platform"), st.token("nina", "northwind")
	st.mustDo("POST", "/tenants", op, `{"id":"evilcorp","name":"Evil Corp","domain":"evil.example","msp":true,"admins":["user:eve"]}`, 201, nil)
	st.mustDo("POST", "/tenants/northwind/invitation-templates", nina, gdapDefault, 201, nil)
	st.mustDo("POST", "/tenants/northwind/assignments", nina, `{"principal":"user:rita","roles":["tenant-manager"]}`, 201, nil)
	eve, rita, tom, carl := st.token("eve", "evilcorp"), st.token("rita", "northwind"), st.token("tom", "northwind"), st.token("carl", "contoso")
	mallory := st.token("mallory", "evilcorp")
	tpls := "/tenants/northwind/invitation-templates"
	useIt := `{"to":{"tenantId":"contoso"},"template":"gdap-default"}`
	batch := `{"template":"gdap-default","to":[{"tenantId":"contoso"}]}`
	for _, c := range []struct {
		who, token, method, path, body string
		status                         int
		field                          string
	}{
		// partner beside partner
		{"eve", eve, "GET", tpls, "", 404, ""},
		{"eve", eve, "POST", tpls, gdapDefault, 404, ""},
		{"eve", eve, "POST", "/invitations", useIt, 422, "template"},
		{"eve", eve, "POST", "/invitations/batch", batch, 422, "template"},
		// a stranger without rights
		{"mallory", mallory, "GET", tpls, "", 404, ""},
		{"mallory", mallory, "POST", "/invitations/batch", batch, 403, ""},
		// the customer of the partner
		{"carl", carl, "GET", tpls, "", 404, ""},
		{"carl", carl, "POST", "/invitations", useIt, 422, "template"},
		// the partner's own people without the rights
		{"tom", tom, "GET", tpls, "", 403, ""},
		{"tom", tom, "POST", tpls, gdapDefault, 403, ""},
		{"tom", tom, "POST", "/invitations/batch", batch, 403, ""},
		// half the rights: relationships.view, no relationships.manage
		{"rita", rita, "POST", tpls, gdapDefault, 403, ""},
		{"rita", rita, "POST", "/invitations", useIt, 403, ""},
		{"rita", rita, "POST", "/invitations/batch", batch, 403, ""},
	} {
		st.meter.Reset()
		res := st.do(c.method, c.path, c.token, c.body)
		var wrote []string
		for op, n := range st.meter.Counts() {
			if op != "GetItem" && op != "Query" && op != "BatchGetItem" {
				wrote = append(wrote, fmt.Sprintf("%s×%d", op, n))
			}
		}
		if res.status != c.status || !isProblem(res) || len(wrote) > 0 || (c.field != "" && !strings.Contains(string(res.body), `"field":"`+c.field+`"`)) ||
			strings.Contains(string(res.body), "admin-agents") {
			t.Errorf("%s: %s %s = %d %s, writes %v; want %d (field %q), nothing written or named", c.who, c.method, c.path, res.status, res.body, wrote, c.status, c.field)
		}
	}
	var l struct{ Items []struct{ ID string } }
	st.mustDo("GET", tpls, rita, "", 200, &l)
	if len(l.Items) != 1 {
		t.Errorf("rita (relationships.view) lists %d templates, want 1", len(l.Items))
	}
	var own struct{ Items []struct{ ID string } }
	st.mustDo("GET", "/tenants/evilcorp/invitation-templates", eve, "", 200, &own)
	if len(own.Items) != 0 {
		t.Errorf("evilcorp lists %v, want none of northwind's", own.Items)
	}
}
