package tenancy_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Services Hub's rules (seed 004): a permission without a G mark comes
// only through a role; workspace-level grants are scoped to workspaces; the
// vendor's roles are held only by a partner's people, who never export.
func TestServicesHubRules(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	wantInvalid := func(err error, field, says string) {
		t.Helper()
		ve := wantErr[*tenancy.ValidationError](t, err, says)
		if ve.Field != field || !strings.Contains(ve.Error(), says) {
			t.Errorf("error %v, want field %s saying %q", ve, field, says)
		}
	}
	_, err := w.svc.AssignNative(ctx, carl, "contoso", tenancy.NewAssignment{Principal: "user:sue", Permissions: []string{"hub.users-manage"}})
	wantInvalid(err, "permissions", "only through a role")
	_, err = w.svc.AssignNative(ctx, carl, "contoso", tenancy.NewAssignment{Principal: "user:sue", Permissions: []string{"hub.learning"}, Scope: []string{"/sites/eu"}})
	wantInvalid(err, "scope", "/workspaces/{id}")
	_, err = w.svc.AssignNative(ctx, carl, "contoso", tenancy.NewAssignment{Principal: "user:sue", Roles: []string{"hub-csam"}})
	wantInvalid(err, "roles", "partner's people")
	w.must(w.svc.AssignNative(ctx, carl, "contoso", tenancy.NewAssignment{Principal: "user:sue", Permissions: []string{"hub.learning"}, Scope: []string{"/workspaces/ws-1"}}))
	w.must(w.svc.AssignNative(ctx, carl, "contoso", tenancy.NewAssignment{Principal: "user:wes", Roles: []string{"hub-workspace-admin"}, Scope: []string{"/workspaces/ws-2"}}))
	sue, wes := tenancy.Caller{User: "sue", Tenant: "contoso"}, tenancy.Caller{User: "wes", Tenant: "contoso"}
	wantReason(t, w.check(sue, "contoso", "hub.learning", "/workspaces/ws-1/courses/c1"), access.ReasonAllowed)
	wantReason(t, w.check(sue, "contoso", "hub.learning", "/workspaces/ws-2"), access.ReasonOutOfScope)
	wantReason(t, w.check(wes, "contoso", "hub.users-manage", "/workspaces/ws-2"), access.ReasonAllowed)
	wantReason(t, w.check(wes, "contoso", "hub.customer-admin", "/"), access.ReasonNoGrant)

	// The vendor's CSAM, under a relationship whose ceiling allows it.
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"hub-csam"}}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"hub-csam"}}))
	wantReason(t, w.check(tom, "contoso", "hub.vendor-customer-admin", "/"), access.ReasonAllowed)
	wantReason(t, w.check(tom, "contoso", "hub.users-manage", "/workspaces/ws-1"), access.ReasonAllowed)
	wantReason(t, w.check(tom, "contoso", "hub.data-export", "/workspaces/ws-1"), access.ReasonNotDelegable)
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Permissions: []string{"hub.support-dashboard-view"}})
	wantInvalid(err, "permissions", "only through a role")
}

// GDAP's rule: a ceiling holding global-admin does not auto-extend.
func TestAutoExtendIsRefusedWithGlobalAdmin(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	year := 365 * 24 * time.Hour
	_, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"global-admin"}, AutoExtend: &year})
	if ve := wantErr[*tenancy.ValidationError](t, err, "auto-extending global-admin"); ve.Field != "autoExtend" || !slices.Contains(ve.Values, "global-admin") {
		t.Errorf("error %v, want autoExtend naming global-admin", ve)
	}
	if _, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}, AutoExtend: &year}); err != nil {
		t.Errorf("auto-extending helpdesk-admin: %v", err)
	}
}

// A tenant set up with workspaces (seed 004): its service administrators
// hold Services Hub's Service administrator role and are workspace
// administrators of the first workspace, not of the others.
func TestTenantSetUpWithWorkspaces(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	got, err := w.svc.CreateTenant(ctx, operator, tenancy.NewTenant{ID: "adatum", Name: "Adatum", Domain: "adatum.example", Admins: []string{"user:ada"},
		Workspaces: []string{"ws-main", "ws-lab"}, ServiceAdmins: []string{"user:sal"}})
	if err != nil {
		t.Fatal(err)
	}
	if stored, err := w.svc.GetTenant(ctx, operator, "adatum"); err != nil || !slices.Equal(stored.Workspaces, []string{"ws-main", "ws-lab"}) || !slices.Equal(got.Workspaces, stored.Workspaces) {
		t.Errorf("workspaces = %v (stored %v, %v), want ws-main, ws-lab in order", got.Workspaces, stored.Workspaces, err)
	}
	sal := tenancy.Caller{User: "sal", Tenant: "adatum"}
	wantReason(t, w.check(sal, "adatum", "hub.support-dashboard-manage", "/"), access.ReasonAllowed)
	wantReason(t, w.check(sal, "adatum", "hub.users-manage", "/workspaces/ws-main/users/u1"), access.ReasonAllowed)
	wantReason(t, w.check(sal, "adatum", "hub.users-manage", "/workspaces/ws-lab"), access.ReasonOutOfScope)
	wantReason(t, w.check(sal, "adatum", "hub.customer-admin", "/"), access.ReasonNoGrant)

	// Without workspaces a service admin is only that; bad setups change nothing.
	w.must(w.svc.CreateTenant(ctx, operator, tenancy.NewTenant{ID: "bellows", Name: "Bellows", Domain: "bellows.example", Admins: []string{"user:bea"}, ServiceAdmins: []string{"user:sid"}}))
	wantReason(t, w.check(tenancy.Caller{User: "sid", Tenant: "bellows"}, "bellows", "hub.open-canvas-view", "/"), access.ReasonAllowed)
	wantReason(t, w.check(tenancy.Caller{User: "sid", Tenant: "bellows"}, "bellows", "hub.users-manage", "/workspaces/any"), access.ReasonNoGrant)
	many := make([]string, tenancy.MaxWorkspaces+1)
	for i := range many {
		many[i] = "ws-" + strings.Repeat("a", 1+i%40) + string(rune('a'+i%26))
	}
	for _, bad := range []tenancy.NewTenant{
		{Workspaces: []string{"Main Workspace"}},
		{Workspaces: many},
		{ServiceAdmins: []string{"sal"}},
	} {
		bad.ID, bad.Name, bad.Domain, bad.Admins = "cobalt", "Cobalt", "cobalt.example", []string{"user:cy"}
		_, err := w.svc.CreateTenant(ctx, operator, bad)
		wantErr[*tenancy.ValidationError](t, err, "a bad workspace setup")
	}
	if _, err := w.svc.GetTenant(ctx, operator, "cobalt"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("a refused setup left tenant cobalt: %v", err)
	}
}
