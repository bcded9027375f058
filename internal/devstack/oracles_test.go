package devstack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// TestNoExistenceOracles sends, on every route that takes a tenant id or
// domain in its body or path, the same request naming a tenant that does not
// exist and one the caller may not see or use, and wants the same answer —
// status and problem document, the named id aside — checked against the
// OpenAPI document.
func TestNoExistenceOracles(t *testing.T) {
	st := startStack(t)
	api := loadContract(t)
	ctx := context.Background()
	op, nina, carl := st.token("op", "platform"), st.token("nina", "northwind"), st.token("carl", "contoso")
	// acme holds the MSP licence: never a customer of northwind, never the
	// partner side of a customer's invitation… unless it is an MSP, as here.
	st.mustDo("POST", "/tenants", op, `{"id":"acme","name":"Acme","domain":"acme.example","msp":true,"admins":["user:al"]}`, 201, nil)
	st.mustDo("POST", "/tenants", op, `{"id":"adatum","name":"Adatum","domain":"adatum.example","msp":false,"admins":["user:ada"]}`, 201, nil)

	// A full organisation: an owner adding one more tenant is refused the same
	// way whether the tenant exists or not.
	var org struct{ ID string }
	st.mustDo("POST", "/organizations", carl, `{"name":"Contoso Group"}`, 201, &org)
	carlC := tenancy.Caller{User: "carl", Tenant: "contoso"}
	for i := 1; i < tenancy.MaxOrganizationMembers; i++ {
		id := fmt.Sprintf("member-%03d", i)
		if _, err := st.s.Service.CreateTenant(ctx, tenancy.Caller{User: "op", Tenant: "platform"},
			tenancy.NewTenant{ID: id, Name: id, Domain: id + ".example", Admins: []string{"user:a"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Service.AddTenant(ctx, carlC, org.ID, id); err != nil {
			t.Fatal(err)
		}
	}

	type req struct{ tok, method, path, body string }
	for _, tc := range []struct {
		name     string
		missing  req // names "nobody" (or nobody.example)
		existing req // names a tenant that exists but the caller may not see or use this way
		id       [2]string
	}{
		{"invite with a bad duration",
			req{nina, "POST", "/invitations", `{"to":{"tenantId":"nobody"},"roles":["helpdesk-admin"],"duration":"P1000D"}`},
			req{nina, "POST", "/invitations", `{"to":{"tenantId":"adatum"},"roles":["helpdesk-admin"],"duration":"P1000D"}`},
			[2]string{"nobody", "adatum"}},
		{"invite with an unknown role",
			req{nina, "POST", "/invitations", `{"to":{"domain":"nobody.example"},"roles":["root"]}`},
			req{nina, "POST", "/invitations", `{"to":{"domain":"adatum.example"},"roles":["root"]}`},
			[2]string{"nobody", "adatum"}},
		{"invite an MSP as customer",
			req{nina, "POST", "/invitations", `{"to":{"tenantId":"nobody"},"roles":["helpdesk-admin"]}`},
			req{nina, "POST", "/invitations", `{"to":{"tenantId":"acme"},"roles":["helpdesk-admin"]}`},
			[2]string{"nobody", "acme"}},
		{"invite an MSP as customer, by domain",
			req{nina, "POST", "/invitations", `{"to":{"domain":"nobody.example"},"roles":["helpdesk-admin"]}`},
			req{nina, "POST", "/invitations", `{"to":{"domain":"acme.example"},"roles":["helpdesk-admin"]}`},
			[2]string{"nobody", "acme"}},
		{"a customer invites a partner without the licence",
			req{carl, "POST", "/invitations", `{"to":{"tenantId":"nobody"},"as":"customer","roles":["helpdesk-admin"]}`},
			req{carl, "POST", "/invitations", `{"to":{"tenantId":"adatum"},"as":"customer","roles":["helpdesk-admin"]}`},
			[2]string{"nobody", "adatum"}},
		{"add a tenant to a full organisation",
			req{carl, "POST", "/organizations/" + org.ID + "/tenants", `{"tenantId":"nobody"}`},
			req{carl, "POST", "/organizations/" + org.ID + "/tenants", `{"tenantId":"adatum"}`},
			[2]string{"nobody", "adatum"}},
		{"read an unrelated tenant",
			req{nina, "GET", "/tenants/nobody", ""},
			req{nina, "GET", "/tenants/adatum", ""},
			[2]string{"nobody", "adatum"}},
		{"read an unrelated tenant's roles",
			req{nina, "GET", "/tenants/nobody/roles", ""},
			req{nina, "GET", "/tenants/adatum/roles", ""},
			[2]string{"nobody", "adatum"}},
		{"read an unrelated tenant's audit with a bad window",
			req{nina, "GET", "/tenants/nobody/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", ""},
			req{nina, "GET", "/tenants/adatum/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", ""},
			[2]string{"nobody", "adatum"}},
		{"subscribe a webhook in an unrelated tenant with a bad url",
			req{nina, "POST", "/tenants/nobody/webhooks", `{"url":"https://x.example:99999/"}`},
			req{nina, "POST", "/tenants/adatum/webhooks", `{"url":"https://x.example:99999/"}`},
			[2]string{"nobody", "adatum"}},
		{"check access in an unrelated tenant",
			req{nina, "POST", "/check-access", `{"tenantId":"nobody","permission":"rooms.view"}`},
			req{nina, "POST", "/check-access", `{"tenantId":"adatum","permission":"rooms.view"}`},
			[2]string{"nobody", "adatum"}},
		{"switch into an unrelated tenant",
			req{nina, "POST", "/switch", `{"tenantId":"nobody"}`},
			req{nina, "POST", "/switch", `{"tenantId":"adatum"}`},
			[2]string{"nobody", "adatum"}},
		{"list an unrelated tenant's cross-tenant access",
			req{nina, "GET", "/tenants/nobody/cross-tenant-access", ""},
			req{nina, "GET", "/tenants/adatum/cross-tenant-access", ""},
			[2]string{"nobody", "adatum"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := st.do(tc.missing.method, tc.missing.path, tc.missing.tok, tc.missing.body)
			e := st.do(tc.existing.method, tc.existing.path, tc.existing.tok, tc.existing.body)
			api.check(tc.missing.method, tc.missing.path, tc.missing.body, m)
			api.check(tc.existing.method, tc.existing.path, tc.existing.body, e)
			got := strings.ReplaceAll(string(e.body), tc.id[1], tc.id[0])
			if m.status != e.status || string(m.body) != got {
				t.Errorf("missing tenant: %d %s\nexisting tenant: %d %s\nwant the same refusal", m.status, m.body, e.status, e.body)
			}
		})
	}

	// from is the operator's alone, and only as {tenantId}.
	for _, tc := range []struct {
		tok, body, field string
		status           int
	}{
		{nina, `{"from":{"tenantId":"northwind"},"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"]}`, "from", 422},
		{nina, `{"from":{"tenantId":"acme"},"to":{"tenantId":"contoso"},"kind":"parent-child","roles":["helpdesk-admin"]}`, "from", 422},
		{nina, `{"from":{"domain":"acme.example"},"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"]}`, "from.domain", 400},
		{op, `{"from":{},"to":{"tenantId":"contoso"},"kind":"parent-child","roles":["helpdesk-admin"]}`, "from.tenantId", 400},
	} {
		var p struct{ Field string }
		res := st.mustDo("POST", "/invitations", tc.tok, tc.body, tc.status, &p)
		api.check("POST", "/invitations", tc.body, res)
		if p.Field != tc.field {
			t.Errorf("POST /invitations %s: field %q, want %q", tc.body, p.Field, tc.field)
		}
	}
	st.mustDo("POST", "/invitations", op, `{"from":{"tenantId":"northwind"},"to":{"tenantId":"adatum"},"kind":"parent-child","roles":["helpdesk-admin"]}`, 201, nil)
}
