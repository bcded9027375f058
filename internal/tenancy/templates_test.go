package tenancy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// seed 002's default groups: admin agents get global admin, helpdesk agents
// the helpdesk administrator.
func agentsTemplate() tenancy.NewTemplate {
	return tenancy.NewTemplate{ID: "gdap-default", Name: "GDAP default", Roles: []string{"helpdesk-admin", "site-lead", "mmr-admin"}, Scope: []string{"/sites/*"},
		GroupMappings: []tenancy.GroupMapping{
			{Principal: "group:admin-agents", Roles: []string{"mmr-admin", "site-lead"}},
			{Principal: "group:helpdesk-agents", Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/eu"}},
			{Principal: "user:ivy", Roles: []string{"mmr-admin"}},
		}}
}

func TestTemplateRequestsAreValidated(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	day := 24 * time.Hour
	ext := 180 * day
	many := make([]tenancy.GroupMapping, tenancy.MaxTemplateMappings+1)
	for i := range many {
		many[i] = tenancy.GroupMapping{Principal: fmt.Sprintf("group:g%d", i), Roles: []string{"helpdesk-admin"}}
	}
	wide := make([]string, tenancy.MaxScopePatterns+1)
	for i := range wide {
		wide[i] = fmt.Sprintf("/sites/s%d", i)
	}
	for _, c := range []struct {
		name  string
		edit  func(*tenancy.NewTemplate)
		field string
	}{
		{"bad id", func(n *tenancy.NewTemplate) { n.ID = "Not An Id" }, "id"},
		{"no name", func(n *tenancy.NewTemplate) { n.Name = " " }, "name"},
		{"no roles", func(n *tenancy.NewTemplate) { n.Roles = nil }, "roles"},
		{"unknown role", func(n *tenancy.NewTemplate) { n.Roles = append(n.Roles, "no-such-role") }, "roles"},
		{"bad scope", func(n *tenancy.NewTemplate) { n.Scope = []string{"sites"} }, "scope"},
		{"too many scope patterns", func(n *tenancy.NewTemplate) { n.Scope = wide }, "scope"},
		{"too short", func(n *tenancy.NewTemplate) { d := time.Hour; n.Duration = &d }, "duration"},
		{"auto-extend with global-admin", func(n *tenancy.NewTemplate) {
			n.Roles, n.AutoExtend, n.GroupMappings = []string{"global-admin"}, &ext, nil
		}, "autoExtend"},
		{"too many mappings", func(n *tenancy.NewTemplate) { n.GroupMappings = many }, "groupMappings"},
		{"not a principal", func(n *tenancy.NewTemplate) { n.GroupMappings[1].Principal = "admin-agents" }, "groupMappings[1].principal"},
		{"a mapping without roles", func(n *tenancy.NewTemplate) { n.GroupMappings[0].Roles = nil }, "groupMappings[0].roles"},
		{"a mapping beyond the ceiling", func(n *tenancy.NewTemplate) { n.GroupMappings[2].Roles = []string{"global-admin"} }, "groupMappings[2].roles"},
		{"a mapping beyond the scope", func(n *tenancy.NewTemplate) { n.GroupMappings[1].Scope = []string{"/rooms/r1"} }, "groupMappings[1].scope"},
		{"a mapping with a bad scope", func(n *tenancy.NewTemplate) { n.GroupMappings[1].Scope = []string{} }, "groupMappings[1].scope"},
		{"workspace roles outside a workspace", func(n *tenancy.NewTemplate) {
			n.Roles, n.Scope = []string{"hub-workspace-admin"}, []string{"/sites/eu"}
			n.GroupMappings = []tenancy.GroupMapping{{Principal: "group:hub", Roles: []string{"hub-workspace-admin"}}}
		}, "groupMappings[0].scope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := agentsTemplate()
			in.GroupMappings = slices.Clone(in.GroupMappings)
			c.edit(&in)
			_, _, err := w.svc.SaveTemplate(ctx, nina, "northwind", in)
			ve := wantErr[*tenancy.ValidationError](t, err, "SaveTemplate()")
			if ve.Field != c.field {
				t.Errorf("SaveTemplate() refused %q (%v), want field %q", ve.Field, ve, c.field)
			}
		})
	}
	l, err := w.svc.ListTemplates(ctx, nina, "northwind", tenancy.Page{})
	if err != nil || len(l.Items) != 0 {
		t.Fatalf("ListTemplates() after refusals = %v, %v; want none stored", l.Items, err)
	}
}

func TestTemplatesAreTheirPartnersAlone(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	tpl, created, err := w.svc.SaveTemplate(ctx, nina, "northwind", agentsTemplate())
	if err != nil || !created || tpl.Version != 1 {
		t.Fatalf("SaveTemplate() = v%d, created %v, %v; want a new template", tpl.Version, created, err)
	}
	again, created, err := w.svc.SaveTemplate(ctx, nina, "northwind", agentsTemplate())
	if err != nil || created || again.Version != 2 || !again.CreatedAt.Equal(tpl.CreatedAt) {
		t.Fatalf("SaveTemplate() again = v%d, created %v, %v; want the template replaced", again.Version, created, err)
	}

	// A partner beside the partner: the templates' tenant reads as unknown,
	// and its own invitations cannot name them.
	if _, err := w.svc.ListTemplates(ctx, eve, "northwind", tenancy.Page{}); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("ListTemplates(eve, northwind) = %v, want not found", err)
	}
	if _, _, err := w.svc.SaveTemplate(ctx, eve, "northwind", agentsTemplate()); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("SaveTemplate(eve, northwind) = %v, want not found", err)
	}
	_, err = w.svc.CreateInvitation(ctx, eve, tenancy.NewInvitation{ToTenant: "contoso", Template: "gdap-default"})
	if ve := wantErr[*tenancy.ValidationError](t, err, "CreateInvitation(eve, northwind's template)"); ve.Field != "template" {
		t.Errorf("CreateInvitation(eve, northwind's template) refused %q, want template", ve.Field)
	}
	_, err = w.svc.InviteBatch(ctx, eve, tenancy.BatchInvitation{Template: "gdap-default", To: []tenancy.InviteeRef{{TenantID: "contoso"}}})
	wantErr[*tenancy.ValidationError](t, err, "InviteBatch(eve, northwind's template)")

	// Half the rights: tom holds nothing at home.
	_, _, err = w.svc.SaveTemplate(ctx, tom, "northwind", agentsTemplate())
	wantErr[*tenancy.DeniedError](t, err, "SaveTemplate(tom)")
	_, err = w.svc.ListTemplates(ctx, tom, "northwind", tenancy.Page{})
	wantErr[*tenancy.DeniedError](t, err, "ListTemplates(tom)")
	_, err = w.svc.CreateInvitation(ctx, tom, tenancy.NewInvitation{ToTenant: "contoso", Template: "gdap-default"})
	wantErr[*tenancy.DeniedError](t, err, "CreateInvitation(tom, template)")

	// A customer of the partner is no keeper of its templates; its own
	// tenant holds no licence for them.
	w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	if _, err := w.svc.ListTemplates(ctx, carl, "northwind", tenancy.Page{}); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("ListTemplates(carl, northwind) = %v, want not found", err)
	}
	_, _, err = w.svc.SaveTemplate(ctx, carl, "contoso", agentsTemplate())
	if ve := wantErr[*tenancy.ValidationError](t, err, "SaveTemplate(carl, contoso)"); ve.Field != "tenantId" {
		t.Errorf("SaveTemplate(carl, contoso) refused %q, want tenantId", ve.Field)
	}

	l, err := w.svc.ListTemplates(ctx, nina, "northwind", tenancy.Page{})
	if err != nil || len(l.Items) != 1 || l.Items[0].ID != "gdap-default" || len(l.Items[0].GroupMappings) != 3 {
		t.Fatalf("ListTemplates(nina) = %+v, %v; want the one template with its mappings", l.Items, err)
	}
}

func TestTemplateInvitationMapsGroupsOnAcceptance(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.must(w.svc.CreateTenant(ctx, operator, tenancy.NewTenant{ID: "fabrikam", Name: "Fabrikam", Domain: "fabrikam.example", Admins: []string{"user:fay"}}))
	fay := tenancy.Caller{User: "fay", Tenant: "fabrikam"}
	if _, _, err := w.svc.SaveTemplate(ctx, nina, "northwind", agentsTemplate()); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "fabrikam", Template: "gdap-default", Roles: []string{"global-admin"}})
	if ve := wantErr[*tenancy.ValidationError](t, err, "CreateInvitation(template and roles)"); ve.Field != "roles" {
		t.Errorf("CreateInvitation(template and roles) refused %q, want roles", ve.Field)
	}
	inv, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToDomain: "fabrikam.example", Template: "gdap-default"})
	if err != nil {
		t.Fatal(err)
	}
	if inv.TemplateID != "gdap-default" || !slices.Equal(inv.Roles, []string{"helpdesk-admin", "site-lead", "mmr-admin"}) || len(inv.GroupMappings) != 3 {
		t.Fatalf("CreateInvitation(template) = %+v, want the template's terms and mappings", inv)
	}

	// Editing the template later changes nothing of the invitation sent.
	edited := agentsTemplate()
	edited.GroupMappings = []tenancy.GroupMapping{{Principal: "group:everyone", Roles: []string{"mmr-admin"}}}
	if _, _, err := w.svc.SaveTemplate(ctx, nina, "northwind", edited); err != nil {
		t.Fatal(err)
	}

	// Fabrikam accepts narrower: no mmr-admin, only Paris.
	acc, err := w.svc.Accept(ctx, fay, inv.ID, tenancy.Acceptance{Roles: []string{"helpdesk-admin", "site-lead"}, Scope: []string{"/sites/eu/paris"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]tenancy.Assignment{}
	for _, a := range acc.Assignments {
		got[a.Principal] = a
	}
	if a := got["group:admin-agents"]; !slices.Equal(a.Roles, []string{"site-lead"}) || !slices.Equal(a.Scope, []string{"/sites/eu/paris"}) {
		t.Errorf("admin agents hold %v on %v, want site-lead on /sites/eu/paris (mmr-admin was not accepted)", a.Roles, a.Scope)
	}
	if a := got["group:helpdesk-agents"]; !slices.Equal(a.Roles, []string{"helpdesk-admin"}) || !slices.Equal(a.Scope, []string{"/sites/eu/paris"}) {
		t.Errorf("helpdesk agents hold %v on %v, want helpdesk-admin on /sites/eu/paris", a.Roles, a.Scope)
	}
	if len(acc.Assignments) != 2 || len(got) != 2 {
		t.Errorf("Accept() made %d assignments, want 2 (the edited template's mapping must not appear)", len(acc.Assignments))
	}
	if len(acc.Skipped) != 1 || acc.Skipped[0].Principal != "user:ivy" || acc.Skipped[0].Reason != tenancy.SkipRolesNotAccepted {
		t.Errorf("Accept() skipped %+v, want ivy's mapping (roles-not-accepted)", acc.Skipped)
	}

	// The mapped principals are allowed at once, as far as their grant goes.
	desk := tenancy.Caller{User: "dan", Tenant: "northwind", Groups: []string{"helpdesk-agents"}}
	wantReason(t, w.check(desk, "fabrikam", "tickets.update", "/sites/eu/paris/room-1"), access.ReasonAllowed)
	wantReason(t, w.check(desk, "fabrikam", "tickets.update", "/sites/us/nyc"), access.ReasonOutOfScope)
	wantReason(t, w.check(desk, "fabrikam", "rooms.create", "/sites/eu/paris/room-1"), access.ReasonNoGrant)
	admin := tenancy.Caller{User: "ada", Tenant: "northwind", Groups: []string{"admin-agents"}}
	wantReason(t, w.check(admin, "fabrikam", "rooms.view", "/sites/eu/paris/room-1"), access.ReasonAllowed)
	wantReason(t, w.check(tenancy.Caller{User: "ivy", Tenant: "northwind"}, "fabrikam", "rooms.view", "/sites/eu/paris/room-1"), access.ReasonNoGrant)

	// The accepted event names what was made and what was skipped, and each
	// assignment has its RoleAssigned.
	msgs, err := w.store.PendingEvents(ctx, w.clock().Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var accepted events.InvitationAccepted
	assigned := 0
	for _, m := range msgs {
		switch m.Type {
		case events.DetailTypeInvitationAccepted:
			if err := json.Unmarshal(m.Detail, &accepted); err != nil {
				t.Fatal(err)
			}
		case events.DetailTypeRoleAssigned:
			assigned++
		}
	}
	want := []string{acc.Assignments[0].ID, acc.Assignments[1].ID}
	if !slices.Equal(accepted.AssignmentIDs, want) || len(accepted.SkippedMappings) != 1 || accepted.Invitation.TemplateID != "gdap-default" {
		t.Errorf("InvitationAccepted names %v, skipped %+v; want %v and ivy's mapping", accepted.AssignmentIDs, accepted.SkippedMappings, want)
	}
	if assigned != 2 {
		t.Errorf("%d RoleAssigned events, want 2", assigned)
	}
}

// TestTemplateAcceptanceAtTheBound accepts an invitation carrying the most
// mappings a template holds: every assignment commits in the acceptance's one
// transaction.
func TestTemplateAcceptanceAtTheBound(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := tenancy.NewTemplate{ID: "many", Name: "Many groups", Roles: []string{"helpdesk-admin", "site-lead"}, Scope: []string{"*"}}
	for i := range tenancy.MaxTemplateMappings {
		scope := []string{fmt.Sprintf("/sites/site-%02d", i)}
		in.GroupMappings = append(in.GroupMappings, tenancy.GroupMapping{Principal: fmt.Sprintf("group:team-%02d", i), Roles: []string{"helpdesk-admin", "site-lead"}, Scope: scope})
	}
	if _, _, err := w.svc.SaveTemplate(ctx, nina, "northwind", in); err != nil {
		t.Fatal(err)
	}
	inv, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Template: "many"})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := w.svc.Accept(ctx, carl, inv.ID, tenancy.Acceptance{})
	if err != nil {
		t.Fatalf("Accept() with %d mappings: %v", tenancy.MaxTemplateMappings, err)
	}
	if len(acc.Assignments) != tenancy.MaxTemplateMappings || len(acc.Skipped) != 0 {
		t.Fatalf("Accept() made %d assignments, skipped %d; want %d and none", len(acc.Assignments), len(acc.Skipped), tenancy.MaxTemplateMappings)
	}
	l, err := w.svc.ListRelationshipAssignments(ctx, carl, acc.ID, tenancy.Page{Limit: 100})
	if err != nil || len(l.Items) != tenancy.MaxTemplateMappings {
		t.Fatalf("the customer sees %d assignments (%v), want %d", len(l.Items), err, tenancy.MaxTemplateMappings)
	}
	last := tenancy.Caller{User: "x", Tenant: "northwind", Groups: []string{fmt.Sprintf("team-%02d", tenancy.MaxTemplateMappings-1)}}
	wantReason(t, w.check(last, "contoso", "tickets.view", fmt.Sprintf("/sites/site-%02d/r", tenancy.MaxTemplateMappings-1)), access.ReasonAllowed)
	wantReason(t, w.check(last, "contoso", "tickets.view", "/sites/site-00/r"), access.ReasonOutOfScope)
}

func TestTemplateInvitationsAreOnePendingPerCustomer(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, _, err := w.svc.SaveTemplate(ctx, nina, "northwind", agentsTemplate()); err != nil {
		t.Fatal(err)
	}
	first, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Template: "gdap-default"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToDomain: "contoso.example", Template: "gdap-default"})
	if ce := wantErr[*tenancy.ConflictError](t, err, "CreateInvitation() again"); !errors.Is(err, tenancy.ErrConflict) || !strings.Contains(ce.Message, first.ID) {
		t.Errorf("CreateInvitation() again = %v, want a conflict naming %s", err, first.ID)
	}
	res, err := w.svc.InviteBatch(ctx, nina, tenancy.BatchInvitation{Template: "gdap-default", To: []tenancy.InviteeRef{{TenantID: "contoso"}}})
	if err != nil || res[0].Err != nil || !res[0].Existing || res[0].Invitation.ID != first.ID {
		t.Fatalf("InviteBatch() again = %+v, %v; want the pending invitation %s answered", res, err, first.ID)
	}
	// Once the invitation is answered, the template invites the customer again.
	if _, err := w.svc.CancelInvitation(ctx, nina, first.ID); err != nil {
		t.Fatal(err)
	}
	second, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Template: "gdap-default"})
	if err != nil || second.ID == first.ID {
		t.Fatalf("CreateInvitation() after the cancel = %s, %v; want a new invitation", second.ID, err)
	}
	// And once it has expired, even before the sweep marks it so.
	w.advance(tenancy.DefaultInviteExpiry + time.Hour)
	third, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Template: "gdap-default"})
	if err != nil || third.ID == second.ID {
		t.Fatalf("CreateInvitation() after the expiry = %s, %v; want a new invitation", third.ID, err)
	}
	l, err := w.svc.ListInvitations(ctx, carl, tenancy.Incoming, "", tenancy.Page{})
	if err != nil || len(l.Items) != 3 {
		t.Fatalf("contoso received %d invitations (%v), want 3", len(l.Items), err)
	}
}

func TestBatchInvitations(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, id := range []string{"fabrikam", "adatum"} {
		w.must(w.svc.CreateTenant(ctx, operator, tenancy.NewTenant{ID: id, Name: id, Domain: id + ".example", Admins: []string{"user:a"}}))
	}
	if _, _, err := w.svc.SaveTemplate(ctx, nina, "northwind", agentsTemplate()); err != nil {
		t.Fatal(err)
	}
	to := []tenancy.InviteeRef{
		{TenantID: "contoso"}, {Domain: "fabrikam.example"}, {TenantID: "fabrikam"}, {TenantID: "contoso"},
		{TenantID: "nobody"}, {TenantID: "evilcorp"}, {Domain: "not a domain"}, {TenantID: "northwind"}, {}, {Domain: "ADATUM.example"},
	}
	res, err := w.svc.InviteBatch(ctx, nina, tenancy.BatchInvitation{Template: "gdap-default", To: to})
	if err != nil {
		t.Fatal(err)
	}
	created := func(i int) bool { return res[i].Err == nil && !res[i].Existing && res[i].Invitation.ID != "" }
	for _, i := range []int{0, 1, 9} {
		if !created(i) {
			t.Errorf("entry %d (%+v) = %+v, want an invitation", i, to[i], res[i])
		}
	}
	for i, field := range map[int]string{2: "to.tenantId", 3: "to.tenantId", 4: "to.tenantId", 5: "to.tenantId", 6: "to.domain", 7: "to.tenantId", 8: "to"} {
		var ve *tenancy.ValidationError
		if !errors.As(res[i].Err, &ve) || ve.Field != field {
			t.Errorf("entry %d (%+v) = %v, want a refusal of %s", i, to[i], res[i].Err, field)
		}
	}
	// Unknown and licensed tenants read the same.
	if res[4].Err.Error() != res[5].Err.Error() {
		t.Errorf("an unknown tenant answers %q, an MSP %q; want the same", res[4].Err, res[5].Err)
	}
	// Re-sent, the batch creates nothing.
	again, err := w.svc.InviteBatch(ctx, nina, tenancy.BatchInvitation{Template: "gdap-default", To: to})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 9} {
		if !again[i].Existing || again[i].Invitation.ID != res[i].Invitation.ID {
			t.Errorf("entry %d re-sent = %+v, want the pending invitation %s", i, again[i], res[i].Invitation.ID)
		}
	}
	l, err := w.svc.ListInvitations(ctx, nina, tenancy.Outgoing, tenancy.InvitationPending, tenancy.Page{})
	if err != nil || len(l.Items) != 3 {
		t.Fatalf("northwind has %d pending invitations (%v), want 3", len(l.Items), err)
	}

	// What concerns the whole batch refuses it all.
	tooMany := make([]tenancy.InviteeRef, tenancy.MaxBatchInvitations+1)
	for _, c := range []struct {
		in    tenancy.BatchInvitation
		field string
	}{
		{tenancy.BatchInvitation{Template: "gdap-default", To: tooMany}, "to"},
		{tenancy.BatchInvitation{Template: "gdap-default"}, "to"},
		{tenancy.BatchInvitation{Template: "missing", To: to[:1]}, "template"},
	} {
		_, err := w.svc.InviteBatch(ctx, nina, c.in)
		if ve := wantErr[*tenancy.ValidationError](t, err, "InviteBatch()"); ve.Field != c.field {
			t.Errorf("InviteBatch() refused %q, want %q", ve.Field, c.field)
		}
	}
}

// TestBatchAtTheBound invites MaxBatchInvitations customers in one request.
func TestBatchAtTheBound(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, _, err := w.svc.SaveTemplate(ctx, nina, "northwind", agentsTemplate()); err != nil {
		t.Fatal(err)
	}
	to := make([]tenancy.InviteeRef, tenancy.MaxBatchInvitations)
	for i := range to {
		id := fmt.Sprintf("customer-%03d", i)
		w.must(w.svc.CreateTenant(ctx, operator, tenancy.NewTenant{ID: id, Name: id, Domain: id + ".example", Admins: []string{"user:a"}}))
		to[i] = tenancy.InviteeRef{TenantID: id}
	}
	res, err := w.svc.InviteBatch(ctx, nina, tenancy.BatchInvitation{Template: "gdap-default", To: to})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, r := range res {
		if r.Err != nil || r.Existing || r.Invitation.ToTenant != to[i].TenantID || seen[r.Invitation.ID] {
			t.Fatalf("entry %d = %+v, want a new invitation to %s", i, r, to[i].TenantID)
		}
		seen[r.Invitation.ID] = true
	}
}
