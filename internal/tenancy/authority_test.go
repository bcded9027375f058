package tenancy_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/tenancy"
)

func wantNotHeld(t *testing.T, err error, what string, values ...string) {
	t.Helper()
	var de *tenancy.DeniedError
	if !errors.As(err, &de) || de.Reason != access.ReasonNotHeld {
		t.Errorf("%s = %v, want a not-held refusal", what, err)
		return
	}
	for _, v := range values {
		if !slices.Contains(de.Values, v) {
			t.Errorf("%s refused naming %v, want %s among them", what, de.Values, v)
		}
	}
}

// A native user who may modify roles grants only what it holds itself:
// never global-admin (only a global admin does), never a role or a custom
// role holding more than it holds; the same for taking grants away and for
// defining or redefining custom roles.
func TestNoSelfElevationInATenant(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	pam := tenancy.Caller{User: "pam", Tenant: "contoso"} // primary-admin: roles.modify, not data.export
	w.must(w.svc.AssignNative(ctx, carl, "contoso", tenancy.NewAssignment{Principal: "user:pam", Roles: []string{"primary-admin"}}))
	if _, _, err := w.svc.SaveRole(ctx, carl, "contoso", tenancy.NewRole{ID: "exporter", Name: "Exporter", Permissions: []string{"data.export", "rooms.view"}}); err != nil {
		t.Fatal(err)
	}

	_, err := w.svc.AssignNative(ctx, pam, "contoso", tenancy.NewAssignment{Principal: "user:pam", Roles: []string{"global-admin"}})
	wantNotHeld(t, err, "granting oneself global-admin", "global-admin")
	_, err = w.svc.AssignNative(ctx, pam, "contoso", tenancy.NewAssignment{Principal: "user:pam", Roles: []string{"exporter"}})
	wantNotHeld(t, err, "granting oneself a custom role with data.export", "data.export")
	_, err = w.svc.AssignNative(ctx, pam, "contoso", tenancy.NewAssignment{Principal: "user:pam", Permissions: []string{"data.export"}})
	wantNotHeld(t, err, "granting oneself data.export", "data.export")
	_, err = w.svc.AssignNative(ctx, pam, "contoso", tenancy.NewAssignment{Principal: "user:pam", Roles: []string{"mmr-admin"}})
	wantNotHeld(t, err, "granting oneself mmr-admin", "rooms.create")
	_, _, err = w.svc.SaveRole(ctx, pam, "contoso", tenancy.NewRole{ID: "mine", Name: "Mine", Permissions: []string{"data.export"}})
	wantNotHeld(t, err, "defining a role with data.export", "data.export")
	_, _, err = w.svc.SaveRole(ctx, pam, "contoso", tenancy.NewRole{ID: "exporter", Name: "Exporter", Permissions: []string{"rooms.view"}})
	wantNotHeld(t, err, "redefining a role holding more than oneself", "data.export")
	// Taking away what one could not have given.
	admins, err := w.store.ListAssignments(ctx, "contoso", "contoso", "", tenancy.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range admins.Items {
		if a.Principal == "user:carl" {
			wantNotHeld(t, w.svc.RemoveNative(ctx, pam, "contoso", a.ID), "removing the global admin's assignment", "global-admin")
		}
	}
	// Within what it holds, it grants, on part of the tenant too.
	if _, err := w.svc.AssignNative(ctx, pam, "contoso", tenancy.NewAssignment{Principal: "user:dora", Roles: []string{"primary-admin"}}); err != nil {
		t.Errorf("granting primary-admin, which pam holds: %v", err)
	}
	if _, err := w.svc.AssignNative(ctx, pam, "contoso", tenancy.NewAssignment{Principal: "user:eli", Permissions: []string{"rooms.view"}, Scope: []string{"/sites/eu"}}); err != nil {
		t.Errorf("granting rooms.view on a site: %v", err)
	}
	// A global admin grants global-admin.
	if _, err := w.svc.AssignNative(ctx, carl, "contoso", tenancy.NewAssignment{Principal: "user:pam", Roles: []string{"global-admin"}}); err != nil {
		t.Errorf("a global admin granting global-admin: %v", err)
	}
	wantReason(t, w.check(pam, "contoso", "data.export", ""), access.ReasonAllowed)
}

// A partner user who may not assign roles (no relationships.manage at home,
// not a primary admin) cannot widen the partner-defined role it holds, even
// with a delegated roles.modify and inside the ceiling: changing the role
// is changing what its holders hold.
func TestNoSelfElevationThroughAPartnerRole(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"mmr-admin", "helpdesk-admin"}}, tenancy.Acceptance{})
	// Nina, the partner's admin, holds roles.modify in the customer too.
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:nina", Roles: []string{"mmr-admin"}}))
	if _, _, err := w.svc.SaveRole(ctx, nina, "contoso", tenancy.NewRole{ID: "printer-tech", Name: "Printer technician", Permissions: []string{"tickets.view"}}); err != nil {
		t.Fatal(err)
	}
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"printer-tech", "mmr-admin"}}))
	wantReason(t, w.check(tom, "contoso", "roles.modify", ""), access.ReasonAllowed) // tom has a delegated roles.modify
	_, _, err := w.svc.SaveRole(ctx, tom, "contoso", tenancy.NewRole{ID: "printer-tech", Name: "Printer technician", Permissions: []string{"tickets.view", "rooms.create"}})
	var de *tenancy.DeniedError
	if !errors.As(err, &de) {
		t.Fatalf("tom widening the role he holds = %v, want a refusal", err)
	}
	_, _, err = w.svc.SaveRole(ctx, tom, "contoso", tenancy.NewRole{ID: "tom-role", Name: "Tom's", Permissions: []string{"rooms.create"}})
	if !errors.As(err, &de) {
		t.Errorf("tom defining a new partner role = %v, want a refusal", err)
	}
	// The partner's admin may.
	if _, _, err := w.svc.SaveRole(ctx, nina, "contoso", tenancy.NewRole{ID: "printer-tech", Name: "Printer technician", Permissions: []string{"tickets.view", "rooms.create"}}); err != nil {
		t.Errorf("the partner's admin redefining its role: %v", err)
	}
}
