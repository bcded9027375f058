package tenancy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// TestTenantRecordNeedsAnActiveRelationshipAndRelationshipsView: a tenant's
// record is read by its members, the operator, and people of an actively
// related tenant who hold relationships.view natively at home; a partner user
// without it, or after offboarding or expiry, gets the answer of an unknown
// tenant.
func TestTenantRecordNeedsAnActiveRelationshipAndRelationshipsView(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}, Duration: ptr(10 * 24 * time.Hour)}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
	dora := tenancy.Caller{User: "dora", Tenant: "contoso"} // no grant in her own tenant

	type read struct {
		name   string
		caller tenancy.Caller
		tenant string
		ok     bool
	}
	check := func(t *testing.T, cases []read) {
		t.Helper()
		for _, tc := range cases {
			_, err := w.svc.GetTenant(ctx, tc.caller, tc.tenant)
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s: GetTenant(%s) = %v, want the tenant", tc.name, tc.tenant, err)
			case !tc.ok && !errors.Is(err, tenancy.ErrNotFound):
				t.Errorf("%s: GetTenant(%s) = %v, want not found", tc.name, tc.tenant, err)
			}
		}
	}
	check(t, []read{
		{"a member without any grant", dora, "contoso", true},
		{"the operator", operator, "contoso", true},
		{"partner admin (relationships.view at home)", nina, "contoso", true},
		{"partner technician with a grant in the customer, nothing at home", tom, "contoso", false},
		{"customer admin reading its partner", carl, "northwind", true},
		{"customer user without relationships.view reading its partner", dora, "northwind", false},
		{"stranger admin", eve, "contoso", false},
		{"stranger admin, unknown tenant", eve, "nobody", false},
	})
	// The stranger's answer for an existing tenant reads as for a missing one.
	_, existing := w.svc.GetTenant(ctx, eve, "contoso")
	_, missing := w.svc.GetTenant(ctx, eve, "nobody1")
	if existing == nil || missing == nil || existing.Error() != "not found: tenant contoso" || missing.Error() != "not found: tenant nobody1" {
		t.Errorf("stranger: existing %v, missing %v; want the same not-found answer", existing, missing)
	}

	w.advance(11 * 24 * time.Hour) // past endsAt, before any sweep
	check(t, []read{{"partner admin after the relationship's end", nina, "contoso", false}})

	w2 := newWorld(t)
	rel2 := w2.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	w2.must(w2.svc.TerminateRelationship(ctx, carl, rel2.ID))
	if _, err := w2.svc.GetTenant(ctx, nina, "contoso"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("partner admin after offboarding: GetTenant(contoso) = %v, want not found", err)
	}
}
