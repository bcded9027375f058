package devstack_test

import (
	"context"
	"maps"
	"strings"
	"testing"
)

// twoPartners gives contoso a second partner, acme, beside northwind: acme's
// admin al grants its technician art helpdesk-admin there, and pam, an acme
// user who only reads (tenant-manager at home), holds the delegated read
// permissions audit.view, roles.view and access.check in contoso. Northwind
// gets a second relationship whose ceiling lets nina read contoso's audit and
// define a partner role there. It answers the ids a reader of the other
// partner must never see.
type partnerPair struct {
	acmeRel, acmeAssignment, nwAuditRel, nwRole string
	pam, al, art                                string
}

func twoPartners(t *testing.T, st *stack) partnerPair {
	t.Helper()
	var p partnerPair
	op, carl, nina := st.token("op", "platform"), st.token("carl", "contoso"), st.token("nina", "northwind")
	st.mustDo("POST", "/tenants", op, `{"id":"acme","name":"Acme Services","domain":"acme.example","msp":true,"admins":["user:al"]}`, 201, nil)
	p.al, p.art, p.pam = st.token("al", "acme"), st.token("art", "acme"), st.token("pam", "acme")
	st.mustDo("POST", "/tenants/acme/assignments", p.al, `{"principal":"user:pam","roles":["tenant-manager"]}`, 201, nil)
	var inv, rel, asg struct{ ID string }
	st.mustDo("POST", "/invitations", p.al, `{"to":{"tenantId":"contoso"},"roles":["global-admin","helpdesk-admin"]}`, 201, &inv)
	st.mustDo("POST", "/invitations/"+inv.ID+"/accept", carl, `{}`, 201, &rel)
	p.acmeRel = rel.ID
	st.mustDo("POST", "/relationships/"+rel.ID+"/assignments", p.al, `{"principal":"user:art","roles":["helpdesk-admin"]}`, 201, &asg)
	p.acmeAssignment = asg.ID
	st.mustDo("POST", "/relationships/"+rel.ID+"/assignments", p.al, `{"principal":"user:pam","permissions":["audit.view","roles.view","access.check"]}`, 201, nil)
	// acme's own role in contoso, for the customer's listing
	st.mustDo("POST", "/relationships/"+rel.ID+"/assignments", p.al, `{"principal":"user:al","permissions":["roles.modify"]}`, 201, nil)
	st.mustDo("POST", "/tenants/contoso/roles", p.al, `{"id":"acme-desk","name":"Acme desk","permissions":["tickets.view"]}`, 201, nil)

	st.mustDo("POST", "/invitations", nina, `{"to":{"tenantId":"contoso"},"roles":["global-admin"]}`, 201, &inv)
	st.mustDo("POST", "/invitations/"+inv.ID+"/accept", carl, `{}`, 201, &rel)
	p.nwAuditRel = rel.ID
	st.mustDo("POST", "/relationships/"+rel.ID+"/assignments", nina, `{"principal":"user:nina","permissions":["audit.view","roles.view","roles.modify"]}`, 201, nil)
	p.nwRole = "northwind-night-shift"
	st.mustDo("POST", "/tenants/contoso/roles", nina, `{"id":"`+p.nwRole+`","name":"Night shift","permissions":["rooms.view"]}`, 201, nil)
	// Each partner acts in contoso once more, so both appear in its log.
	st.mustDo("POST", "/relationships/"+p.acmeRel+"/assignments", p.al, `{"principal":"user:ari","roles":["helpdesk-admin"]}`, 201, nil)
	st.mustDo("POST", "/relationships/"+st.s.Demo.RelationshipID+"/assignments", nina, `{"principal":"user:ann","roles":["site-lead"]}`, 201, nil)
	if err := st.s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	return p
}

type auditPage struct {
	Items []struct {
		ID, Type string
		Actor    struct{ User, Tenant string }
	}
	NextCursor string
}

// auditActors pages through a tenant's log as tok (with a filter) and counts
// the records by actor tenant.
func auditActors(t *testing.T, st *stack, tok, tenant, filter string) map[string]int {
	t.Helper()
	actors := map[string]int{}
	cursor := ""
	for {
		var page auditPage
		st.mustDo("GET", "/tenants/"+tenant+"/audit?limit=100"+filter+cursor, tok, "", 200, &page)
		for _, it := range page.Items {
			actors[it.Actor.Tenant]++
		}
		if page.NextCursor == "" {
			return actors
		}
		cursor = "&cursor=" + page.NextCursor
	}
}

// TestPartnersReadOnlyTheirOwnActorsInACustomersLog: a partner with
// audit.view in a customer reads the records of its own people there, with
// or without a filter, never another partner's; the customer reads them all.
func TestPartnersReadOnlyTheirOwnActorsInACustomersLog(t *testing.T) {
	st := startStack(t)
	p := twoPartners(t, st)
	nina, carl := st.token("nina", "northwind"), st.token("carl", "contoso")

	all := auditActors(t, st, carl, "contoso", "")
	if all["acme"] == 0 || all["northwind"] == 0 || all["contoso"] == 0 {
		t.Fatalf("the customer's log by actor tenant = %v, want records of acme, northwind and contoso", all)
	}
	for _, tc := range []struct {
		name, tok, filter, own string
	}{
		{"northwind, no filter", nina, "", "northwind"},
		{"northwind asking for acme", nina, "&actorTenant=acme", ""},
		{"northwind asking for the customer", nina, "&actorTenant=contoso", ""},
		{"northwind asking for itself", nina, "&actorTenant=northwind", "northwind"},
		{"acme, no filter", p.pam, "", "acme"},
		{"acme asking for northwind", p.pam, "&actorTenant=northwind", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := auditActors(t, st, tc.tok, "contoso", tc.filter)
			for actor, n := range got {
				if actor != tc.own {
					t.Errorf("read %d records of actor tenant %s, want only %q's", n, actor, tc.own)
				}
			}
			if tc.own != "" && got[tc.own] != all[tc.own] {
				t.Errorf("read %d of its own records, want all %d", got[tc.own], all[tc.own])
			}
		})
	}
	// The customer still filters by any partner.
	if got := auditActors(t, st, carl, "contoso", "&actorTenant=acme"); len(got) != 1 || got["acme"] != all["acme"] {
		t.Errorf("customer filtering by acme = %v, want %d acme records", got, all["acme"])
	}
	if res := st.mustDo("GET", "/tenants/contoso/audit?limit=100", nina, "", 200, nil); strings.Contains(string(res.body), p.acmeAssignment) {
		t.Errorf("northwind's read of contoso's log names acme's assignment %s", p.acmeAssignment)
	}
}

// TestTheCustomerListsEveryPartnersRoles, over HTTP and against the OpenAPI
// document: the customer's role list marks each partner's roles with who
// defined them; each partner's holds its own, never the other's.
func TestTheCustomerListsEveryPartnersRoles(t *testing.T) {
	st := startStack(t)
	api := loadContract(t)
	p := twoPartners(t, st)
	custom := func(tok string) map[string]string {
		t.Helper()
		var l struct {
			Items []struct {
				ID, DefinedBy string
				BuiltIn       bool
			}
		}
		res := st.mustDo("GET", "/tenants/contoso/roles", tok, "", 200, &l)
		api.check("GET", "/tenants/contoso/roles", "", res)
		got := map[string]string{}
		for _, r := range l.Items {
			if !r.BuiltIn {
				got[r.ID] = r.DefinedBy
			}
		}
		return got
	}
	for _, tc := range []struct {
		name, tok string
		want      map[string]string
	}{
		{"the customer", st.token("carl", "contoso"), map[string]string{"acme-desk": "acme", p.nwRole: "northwind"}},
		{"acme", p.pam, map[string]string{"acme-desk": "acme"}},
		{"northwind", st.token("nina", "northwind"), map[string]string{p.nwRole: "northwind"}},
	} {
		if got := custom(tc.tok); !maps.Equal(got, tc.want) {
			t.Errorf("%s: custom roles in contoso = %v, want %v", tc.name, got, tc.want)
		}
	}
}
