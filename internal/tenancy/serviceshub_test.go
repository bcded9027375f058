package tenancy_test

import (
	"context"
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
