package tenancy_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/meter"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// world is a service over the real store and an in-process DynamoDB, with a
// clock the test moves and deterministic ids.
type world struct {
	t     *testing.T
	svc   *tenancy.Service
	store *store.Store
	meter *meter.Meter
	now   time.Time
	mu    sync.Mutex
}

var (
	operator = tenancy.Caller{User: "op", Tenant: "platform"}
	nina     = tenancy.Caller{User: "nina", Tenant: "northwind"} // MSP admin
	tom      = tenancy.Caller{User: "tom", Tenant: "northwind"}  // MSP technician
	carl     = tenancy.Caller{User: "carl", Tenant: "contoso"}   // customer admin
	eve      = tenancy.Caller{User: "eve", Tenant: "evilcorp"}   // unrelated tenant admin
)

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, meter: meter.New(), now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	db, table := dbtest.Table(t, w.meter.Option())
	w.store = store.New(db, table)
	w.svc = tenancy.New(tenancy.Config{Store: w.store, Now: w.clock, NewID: ids.Sequence("id"), OperatorTenant: "platform"})
	for _, tn := range []tenancy.NewTenant{
		{ID: "northwind", Name: "Northwind", Domain: "northwind.example", MSP: true, Admins: []string{"user:nina"}},
		{ID: "contoso", Name: "Contoso", Domain: "contoso.example", Admins: []string{"user:carl"}},
		{ID: "evilcorp", Name: "Evil Corp", Domain: "evil.example", MSP: true, Admins: []string{"user:eve"}},
	} {
		w.must(w.svc.CreateTenant(context.Background(), operator, tn))
	}
	return w
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

func (w *world) must(_ any, err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// relate makes northwind a partner of contoso with the given ceiling.
func (w *world) relate(in tenancy.NewInvitation, acc tenancy.Acceptance) tenancy.Relationship {
	w.t.Helper()
	ctx := context.Background()
	in.ToTenant = "contoso"
	inv, err := w.svc.CreateInvitation(ctx, nina, in)
	if err != nil {
		w.t.Fatal(err)
	}
	rel, err := w.svc.AcceptInvitation(ctx, carl, inv.ID, acc)
	if err != nil {
		w.t.Fatal(err)
	}
	return rel
}

func (w *world) check(c tenancy.Caller, tenant, perm, resource string) tenancy.CheckResult {
	w.t.Helper()
	res, err := w.svc.CheckAccess(context.Background(), c, []tenancy.Check{{Tenant: tenant, Permission: perm, Resource: resource}})
	if err != nil {
		w.t.Fatal(err)
	}
	return res[0]
}

func wantReason(t *testing.T, got tenancy.CheckResult, want access.Reason) {
	t.Helper()
	if got.Reason != want || got.Allowed != (want == access.ReasonAllowed) {
		t.Errorf("CheckAccess() = %v (%s), want %s", got.Allowed, got.Reason, want)
	}
}

func wantErr[T error](t *testing.T, err error, what string) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("%s = %v, want %T", what, err, target)
	}
	return target
}

func TestLifecycle(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin", "site-lead"}}, tenancy.Acceptance{PrimaryAdmins: []string{"user:nina"}})
	wantReason(t, w.check(tom, "contoso", "tickets.update", ""), access.ReasonNoGrant)

	a, err := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	got := w.check(tom, "contoso", "tickets.update", "/sites/us/room-1")
	wantReason(t, got, access.ReasonAllowed)
	if got.Via == nil || *got.Via != (access.Via{RelationshipID: rel.ID, AssignmentID: a.ID, RoleID: "helpdesk-admin"}) {
		t.Errorf("via = %+v, want the relationship, assignment and role", got.Via)
	}
	wantReason(t, w.check(tom, "contoso", "data.export", ""), access.ReasonNotDelegable)
	wantReason(t, w.check(tom, "contoso", "rooms.create", ""), access.ReasonNoGrant)

	// The customer takes the partner's access back.
	if err := w.svc.RemoveDelegated(ctx, carl, rel.ID, a.ID); err != nil {
		t.Fatalf("customer RemoveDelegated() = %v", err)
	}
	wantReason(t, w.check(tom, "contoso", "tickets.update", ""), access.ReasonNoGrant)

	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "group:techs", Roles: []string{"site-lead"}}))
	techs := tom
	techs.Groups = []string{"techs"}
	wantReason(t, w.check(techs, "contoso", "rooms.create", ""), access.ReasonAllowed)

	// Offboarding ends everything at once and is idempotent.
	if _, err := w.svc.TerminateRelationship(ctx, carl, rel.ID); err != nil {
		t.Fatal(err)
	}
	wantReason(t, w.check(techs, "contoso", "rooms.create", ""), access.ReasonRelationshipTerminated)
	l, err := w.svc.ListRelationshipAssignments(ctx, carl, rel.ID, tenancy.Page{})
	if err != nil || len(l.Items) != 0 {
		t.Errorf("assignments after offboarding = %d, %v; want none", len(l.Items), err)
	}
	again, err := w.svc.TerminateRelationship(ctx, nina, rel.ID)
	if err != nil || again.Status != tenancy.RelationshipTerminated || again.EndedBy.User != "carl" {
		t.Errorf("second TerminateRelationship() = %+v, %v; want the first termination unchanged", again.EndedBy, err)
	}
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}})
	if ce := wantErr[*tenancy.ConflictError](t, err, "AssignDelegated() after offboarding"); !errors.Is(err, tenancy.ErrConflict) || ce.Reason != access.ReasonRelationshipTerminated {
		t.Errorf("AssignDelegated() after offboarding = %v, want a conflict with reason relationship-terminated", err)
	}
}

func TestExpiryIsDecidedByTheClock(t *testing.T) {
	w := newWorld(t)
	d := 2 * 24 * time.Hour
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}, Duration: &d}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(context.Background(), nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
	wantReason(t, w.check(tom, "contoso", "tickets.view", ""), access.ReasonAllowed)
	w.advance(d)
	wantReason(t, w.check(tom, "contoso", "tickets.view", ""), access.ReasonRelationshipExpired)
	_, err := w.svc.AssignDelegated(context.Background(), nina, rel.ID, tenancy.NewAssignment{Principal: "user:ann", Roles: []string{"helpdesk-admin"}})
	if !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("AssignDelegated() on an expired relationship = %v, want ErrConflict", err)
	}
}

func TestInvitationRules(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		caller tenancy.Caller
		in     tenancy.NewInvitation
		field  string
	}{
		{"customer side cannot be the partner without a licence", carl, tenancy.NewInvitation{ToTenant: "northwind", Roles: []string{"helpdesk-admin"}}, "as"},
		{"two MSPs: reads as an unknown tenant", nina, tenancy.NewInvitation{ToTenant: "evilcorp", Roles: []string{"helpdesk-admin"}}, "to.tenantId"},
		{"unknown role", nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"root"}}, "roles"},
		{"no roles", nina, tenancy.NewInvitation{ToTenant: "contoso"}, "roles"},
		{"unknown tenant", nina, tenancy.NewInvitation{ToTenant: "nobody", Roles: []string{"helpdesk-admin"}}, "to.tenantId"},
		{"unknown domain", nina, tenancy.NewInvitation{ToDomain: "nobody.example", Roles: []string{"helpdesk-admin"}}, "to.domain"},
		{"both tenant and domain", nina, tenancy.NewInvitation{ToTenant: "contoso", ToDomain: "contoso.example", Roles: []string{"helpdesk-admin"}}, "to"},
		{"itself", nina, tenancy.NewInvitation{ToTenant: "northwind", Roles: []string{"helpdesk-admin"}}, "to"},
		{"bad scope", nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/us*"}}, "scope"},
		{"duration too long", nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}, Duration: ptr(731 * 24 * time.Hour)}, "duration"},
		{"expiry too long", nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}, ExpiresIn: ptr(91 * 24 * time.Hour)}, "expiresIn"},
		{"unknown kind", nina, tenancy.NewInvitation{ToTenant: "contoso", Kind: "friends", Roles: []string{"helpdesk-admin"}}, "kind"},
		{"on behalf without being the operator", nina, tenancy.NewInvitation{FromTenant: "evilcorp", ToTenant: "contoso", Kind: tenancy.KindParentChild, Roles: []string{"helpdesk-admin"}}, "from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.svc.CreateInvitation(ctx, tc.caller, tc.in)
			if ve := wantErr[*tenancy.ValidationError](t, err, "CreateInvitation()"); ve.Field != tc.field {
				t.Errorf("CreateInvitation() field = %q, want %q (%v)", ve.Field, tc.field, err)
			}
		})
	}
	// A customer may invite the partner, and name the partner by domain.
	inv, err := w.svc.CreateInvitation(ctx, carl, tenancy.NewInvitation{ToDomain: "NORTHWIND.example", As: tenancy.SideCustomer, Roles: []string{"site-technical"}})
	if err != nil || inv.PartnerTenant != "northwind" || inv.CustomerTenant != "contoso" {
		t.Fatalf("customer-initiated CreateInvitation() = %+v, %v", inv, err)
	}
	if inv.ExpiresAt.Sub(inv.CreatedAt) != tenancy.DefaultInviteExpiry || time.Duration(inv.Duration) != tenancy.DefaultDuration {
		t.Errorf("defaults: expires after %v, lasts %v", inv.ExpiresAt.Sub(inv.CreatedAt), time.Duration(inv.Duration))
	}
	// Only the other side answers it.
	_, err = w.svc.AcceptInvitation(ctx, carl, inv.ID, tenancy.Acceptance{})
	wantErr[*tenancy.DeniedError](t, err, "inviter accepting its own invitation")
	_, err = w.svc.AcceptInvitation(ctx, eve, inv.ID, tenancy.Acceptance{})
	if !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("stranger accepting = %v, want ErrNotFound", err)
	}
	// A tenant member without invitations.accept cannot accept.
	_, err = w.svc.AcceptInvitation(ctx, tom, inv.ID, tenancy.Acceptance{})
	if de := wantErr[*tenancy.DeniedError](t, err, "accept without invitations.accept"); de.Reason != access.ReasonNoGrant {
		t.Errorf("reason = %s", de.Reason)
	}
	// The operator may create parent-child invitations on an MSP's behalf.
	if _, err := w.svc.CreateInvitation(ctx, operator, tenancy.NewInvitation{FromTenant: "northwind", ToTenant: "contoso", Kind: tenancy.KindParentChild, Roles: []string{"global-admin"}}); err != nil {
		t.Errorf("operator on behalf = %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestInvitationTransitions(t *testing.T) {
	ctx := context.Background()
	type step struct {
		do   string
		want error // nil, ErrConflict
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"accept twice", []step{{"accept", nil}, {"accept", tenancy.ErrConflict}}},
		{"decline after accept", []step{{"accept", nil}, {"decline", tenancy.ErrConflict}}},
		{"cancel after accept", []step{{"accept", nil}, {"cancel", tenancy.ErrConflict}}},
		{"accept after decline", []step{{"decline", nil}, {"accept", tenancy.ErrConflict}}},
		{"decline twice", []step{{"decline", nil}, {"decline", tenancy.ErrConflict}}},
		{"accept after cancel", []step{{"cancel", nil}, {"accept", tenancy.ErrConflict}}},
		{"accept after expiry", []step{{"wait", nil}, {"accept", tenancy.ErrConflict}, {"cancel", tenancy.ErrConflict}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			inv, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.steps {
				switch s.do {
				case "accept":
					_, err = w.svc.AcceptInvitation(ctx, carl, inv.ID, tenancy.Acceptance{})
				case "decline":
					_, err = w.svc.DeclineInvitation(ctx, carl, inv.ID)
				case "cancel":
					_, err = w.svc.CancelInvitation(ctx, nina, inv.ID)
				case "wait":
					w.advance(tenancy.DefaultInviteExpiry)
					err = nil
				}
				if (s.want == nil) != (err == nil) || (s.want != nil && !errors.Is(err, s.want)) {
					t.Fatalf("%s = %v, want %v", s.do, err, s.want)
				}
			}
		})
	}
}

func TestConcurrentAcceptsHaveOneWinner(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	inv, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = w.svc.AcceptInvitation(ctx, carl, inv.ID, tenancy.Acceptance{})
		}(i)
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, tenancy.ErrConflict):
			t.Errorf("AcceptInvitation() = %v, want success or ErrConflict", err)
		}
	}
	l, err := w.svc.ListRelationships(ctx, carl, tenancy.SideCustomer, tenancy.Page{})
	if wins != 1 || err != nil || len(l.Items) != 1 {
		t.Errorf("wins = %d, relationships = %d (%v); want exactly one of each", wins, len(l.Items), err)
	}
}

func TestAcceptMayNarrowNeverWiden(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	inv, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin", "site-lead"}, Scope: []string{"/sites"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.AcceptInvitation(ctx, carl, inv.ID, tenancy.Acceptance{Roles: []string{"global-admin"}})
	if ve := wantErr[*tenancy.ValidationError](t, err, "widening roles"); len(ve.Values) != 1 || ve.Values[0] != "global-admin" {
		t.Errorf("offending roles = %v", ve.Values)
	}
	_, err = w.svc.AcceptInvitation(ctx, carl, inv.ID, tenancy.Acceptance{Scope: []string{"*"}})
	wantErr[*tenancy.ValidationError](t, err, "widening scope")
	rel, err := w.svc.AcceptInvitation(ctx, carl, inv.ID, tenancy.Acceptance{Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/eu"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rel.Ceiling) != 1 || rel.Scope[0] != "/sites/eu" {
		t.Errorf("relationship ceiling %v scope %v, want the narrowed ones", rel.CeilingRoleIDs(), rel.Scope)
	}
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"site-lead"}})
	if ve := wantErr[*tenancy.ValidationError](t, err, "role outside the ceiling"); ve.Values[0] != "site-lead" {
		t.Errorf("offending roles = %v", ve.Values)
	}
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/us"}})
	wantErr[*tenancy.ValidationError](t, err, "scope outside the relationship")
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Permissions: []string{"data.export"}})
	wantErr[*tenancy.ValidationError](t, err, "non-delegable single permission")
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
	wantReason(t, w.check(tom, "contoso", "rooms.view", "/sites/eu/r1"), access.ReasonAllowed)
	wantReason(t, w.check(tom, "contoso", "rooms.view", "/sites/us/r1"), access.ReasonOutOfScope)
}

func TestCustomRolesTakeEffectOnTheNextCheck(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"primary-admin", "helpdesk-admin"}}, tenancy.Acceptance{PrimaryAdmins: []string{"user:nina"}})
	// Nina holds roles.modify in contoso through the relationship.
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:nina", Roles: []string{"primary-admin"}}))
	_, _, err := w.svc.SaveRole(ctx, nina, "contoso", tenancy.NewRole{ID: "incident-desk", Name: "Incident desk", Permissions: []string{"settings.modify"}})
	if ve := wantErr[*tenancy.ValidationError](t, err, "partner role beyond its ceiling"); ve.Values[0] != "settings.modify" {
		t.Errorf("offending permissions = %v", ve.Values)
	}
	role, created, err := w.svc.SaveRole(ctx, nina, "contoso", tenancy.NewRole{ID: "incident-desk", Name: "Incident desk", Permissions: []string{"incidents.create", "tickets.view"}})
	if err != nil || !created || role.DefinedBy != "northwind" {
		t.Fatalf("SaveRole() = %+v, %v, %v", role, created, err)
	}
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"incident-desk"}}))
	wantReason(t, w.check(tom, "contoso", "tickets.view", ""), access.ReasonAllowed)
	_, created, err = w.svc.SaveRole(ctx, nina, "contoso", tenancy.NewRole{ID: "incident-desk", Name: "Incident desk", Permissions: []string{"incidents.create"}})
	if err != nil || created {
		t.Fatalf("replacing SaveRole() = %v, %v", created, err)
	}
	wantReason(t, w.check(tom, "contoso", "tickets.view", ""), access.ReasonNoGrant)
	wantReason(t, w.check(tom, "contoso", "incidents.create", ""), access.ReasonAllowed)

	// The customer's own custom role works natively at once too.
	if _, _, err := w.svc.SaveRole(ctx, carl, "contoso", tenancy.NewRole{ID: "auditor", Name: "Auditor", Permissions: []string{"audit.view"}}); err != nil {
		t.Fatal(err)
	}
	dora := tenancy.Caller{User: "dora", Tenant: "contoso"}
	wantReason(t, w.check(dora, "contoso", "audit.view", ""), access.ReasonNoGrant)
	w.must(w.svc.AssignNative(ctx, carl, "contoso", tenancy.NewAssignment{Principal: "user:dora", Roles: []string{"auditor"}}))
	wantReason(t, w.check(dora, "contoso", "audit.view", ""), access.ReasonAllowed)
	roles, err := w.svc.ListRoles(ctx, nina, "contoso")
	if err != nil || len(roles) != len(access.Builtin().Roles())+2 {
		t.Errorf("ListRoles() as partner = %d roles, %v; want built-ins, contoso's and northwind's own", len(roles), err)
	}
	// A partner never hands out native access.
	_, err = w.svc.AssignNative(ctx, nina, "contoso", tenancy.NewAssignment{Principal: "user:dora", Roles: []string{"global-admin"}})
	wantErr[*tenancy.DeniedError](t, err, "partner making a native assignment")
}

func TestMFACondition(t *testing.T) {
	w := newWorld(t)
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}, RequireMFA: true}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(context.Background(), nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
	wantReason(t, w.check(tom, "contoso", "tickets.view", ""), access.ReasonMFARequired)
	withMFA := tom
	withMFA.AMR = []string{"pwd", "mfa"}
	wantReason(t, w.check(withMFA, "contoso", "tickets.view", ""), access.ReasonAllowed)
}

func TestCheckAccessCosts(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	for _, p := range []string{"user:tom", "user:ann", "group:techs"} {
		w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: p, Roles: []string{"helpdesk-admin"}}))
	}
	for i := 0; i < 17; i++ { // 20 assignments of the partner in the customer
		w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: fmt.Sprintf("user:u%d", i), Roles: []string{"helpdesk-admin"}}))
	}
	w.meter.Reset()
	wantReason(t, w.check(tom, "contoso", "tickets.view", ""), access.ReasonAllowed)
	if got := w.meter.Counts(); got["Query"] != 1 || w.meter.Total() != 1 {
		t.Errorf("one check-access made %v, want exactly one Query", got)
	}
	if u := w.meter.Usage(); u.ReadUnits > 1 || u.ItemsRead != 21 {
		t.Errorf("one check-access with 20 assignments read %d items for %.1f RCU, want 21 items in 1 RCU", u.ItemsRead, u.ReadUnits)
	}
	if err := w.meter.Report("check-access, partner with 20 assignments"); err != nil {
		t.Fatal(err)
	}
	// A batch costs one request per distinct (tenant, home tenant) pair.
	w.meter.Reset()
	var checks []tenancy.Check
	for i := 0; i < 50; i++ {
		checks = append(checks, tenancy.Check{Tenant: "contoso", Permission: "tickets.view"}, tenancy.Check{Tenant: "northwind", Permission: "roles.view"})
	}
	if _, err := w.svc.CheckAccess(ctx, tom, checks); err != nil {
		t.Fatal(err)
	}
	if got := w.meter.Total(); got != 2 {
		t.Errorf("a batch over 2 pairs made %d requests, want 2", got)
	}
	// Asking about someone else needs access.check.
	_, err := w.svc.CheckAccess(ctx, tom, []tenancy.Check{{Tenant: "contoso", Permission: "tickets.view", Principal: &tenancy.CheckPrincipal{ID: "user:ann", Tenant: "northwind"}}})
	wantErr[*tenancy.DeniedError](t, err, "checking another principal without access.check")
	res, err := w.svc.CheckAccess(ctx, carl, []tenancy.Check{{Tenant: "contoso", Permission: "tickets.view", Principal: &tenancy.CheckPrincipal{ID: "user:ann", Tenant: "northwind"}}})
	if err != nil || !res[0].Allowed {
		t.Errorf("customer admin checking a partner user = %+v, %v", res, err)
	}
	// A partner holding a delegated access.check asks about its own people
	// only, never about the customer's staff or another partner's.
	rel2 := w.relate(tenancy.NewInvitation{Roles: []string{"global-admin"}}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel2.ID, tenancy.NewAssignment{Principal: "user:nina", Permissions: []string{"access.check"}}))
	if _, err := w.svc.CheckAccess(ctx, nina, []tenancy.Check{{Tenant: "contoso", Permission: "tickets.view", Principal: &tenancy.CheckPrincipal{ID: "user:ann", Tenant: "northwind"}}}); err != nil {
		t.Errorf("partner checking its own user = %v", err)
	}
	_, err = w.svc.CheckAccess(ctx, nina, []tenancy.Check{{Tenant: "contoso", Permission: "tickets.view", Principal: &tenancy.CheckPrincipal{ID: "user:carl", Tenant: "contoso"}}})
	wantErr[*tenancy.DeniedError](t, err, "partner checking the customer's own staff")
}

func TestStrangersSeeNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	if _, err := w.svc.GetTenant(ctx, eve, "contoso"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("GetTenant() by a stranger = %v, want ErrNotFound", err)
	}
	if _, err := w.svc.GetTenant(ctx, nina, "contoso"); err != nil {
		t.Errorf("GetTenant() by the partner = %v", err)
	}
	if _, err := w.svc.GetRelationship(ctx, eve, rel.ID); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("GetRelationship() by a stranger = %v, want ErrNotFound", err)
	}
	if _, err := w.svc.TerminateRelationship(ctx, eve, rel.ID); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("TerminateRelationship() by a stranger = %v, want ErrNotFound", err)
	}
	if _, _, err := w.svc.SaveRole(ctx, eve, "contoso", tenancy.NewRole{ID: "x", Name: "x", Permissions: []string{"rooms.view"}}); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("SaveRole() by a stranger = %v, want ErrNotFound", err)
	}
	if _, err := w.svc.CreateTenant(ctx, nina, tenancy.NewTenant{Name: "x", Domain: "x.example", Admins: []string{"user:x"}}); err == nil {
		t.Error("CreateTenant() by a non-operator succeeded")
	}
}

func TestSweepIsBoundedAndResumes(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		w.must(w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}, ExpiresIn: ptr(time.Hour)}))
	}
	if r, err := w.svc.Sweep(ctx, 2); err != nil || r.InvitationsExpired != 0 {
		t.Fatalf("Sweep() before expiry = %+v, %v; want nothing", r, err)
	}
	w.advance(2 * time.Hour)
	r, err := w.svc.Sweep(ctx, 2)
	if err != nil || r.InvitationsExpired != 2 || !r.More {
		t.Fatalf("first bounded Sweep() = %+v, %v; want 2 expired and more to do", r, err)
	}
	r, err = w.svc.Sweep(ctx, 2)
	if err != nil || r.InvitationsExpired != 1 || r.More {
		t.Fatalf("second Sweep() = %+v, %v; want the last one and no more", r, err)
	}
	if r, _ = w.svc.Sweep(ctx, 2); r != (tenancy.SweepReport{}) {
		t.Errorf("third Sweep() = %+v, want nothing left", r)
	}
	l, err := w.svc.ListInvitations(ctx, nina, tenancy.Outgoing, tenancy.InvitationExpired, tenancy.Page{})
	if err != nil || len(l.Items) != 3 {
		t.Errorf("expired invitations = %d, %v; want 3", len(l.Items), err)
	}
}

func TestEventsCommitWithTheirChange(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	inv, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	outbox := func() int {
		t.Helper()
		msgs, err := w.store.PendingEvents(ctx, w.clock().Add(time.Hour), 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs)
	}
	before := outbox()
	if _, err := w.svc.AcceptInvitation(ctx, carl, inv.ID, tenancy.Acceptance{}); err != nil {
		t.Fatal(err)
	}
	if got := outbox() - before; got != 2 {
		t.Errorf("accepting wrote %d events, want InvitationAccepted and RelationshipActivated", got)
	}
	before = outbox()
	if _, err := w.svc.AcceptInvitation(ctx, carl, inv.ID, tenancy.Acceptance{}); !errors.Is(err, tenancy.ErrConflict) {
		t.Fatalf("second accept = %v", err)
	}
	if got := outbox() - before; got != 0 {
		t.Errorf("a refused change wrote %d events, want none", got)
	}
}

// TestAcceptingIsNotAWayToPromoteOneself: a partner user who may only accept
// invitations cannot name itself primary admin and grant itself roles.
func TestAcceptingIsNotAWayToPromoteOneself(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.must(w.svc.AssignNative(ctx, nina, "northwind", tenancy.NewAssignment{Principal: "user:tim", Roles: []string{"tenant-manager"}}))
	tim := tenancy.Caller{User: "tim", Tenant: "northwind"}
	inv, err := w.svc.CreateInvitation(ctx, carl, tenancy.NewInvitation{ToTenant: "northwind", As: tenancy.SideCustomer, Roles: []string{"mmr-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.AcceptInvitation(ctx, tim, inv.ID, tenancy.Acceptance{PrimaryAdmins: []string{"user:tim"}})
	wantErr[*tenancy.DeniedError](t, err, "a tenant-manager naming itself primary admin")
	rel, err := w.svc.AcceptInvitation(ctx, tim, inv.ID, tenancy.Acceptance{})
	if err != nil {
		t.Fatalf("accepting without naming admins = %v", err)
	}
	_, err = w.svc.AssignDelegated(ctx, tim, rel.ID, tenancy.NewAssignment{Principal: "user:tim", Roles: []string{"mmr-admin"}})
	wantErr[*tenancy.DeniedError](t, err, "a tenant-manager assigning roles")
}

// TestPartnerRolesCannotStandInForCeilingRoles: a partner-defined role may
// not take the id of a role the customer agreed to.
func TestPartnerRolesCannotStandInForCeilingRoles(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, _, err := w.svc.SaveRole(ctx, carl, "contoso", tenancy.NewRole{ID: "ops", Name: "Ops", Permissions: []string{"roles.view", "roles.modify", "reports.view"}}); err != nil {
		t.Fatal(err)
	}
	inv, err := w.svc.CreateInvitation(ctx, carl, tenancy.NewInvitation{ToTenant: "northwind", As: tenancy.SideCustomer, Roles: []string{"ops", "helpdesk-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	rel, err := w.svc.AcceptInvitation(ctx, nina, inv.ID, tenancy.Acceptance{})
	if err != nil {
		t.Fatal(err)
	}
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"ops"}}))
	_, _, err = w.svc.SaveRole(ctx, tom, "contoso", tenancy.NewRole{ID: "ops", Name: "Ops", Permissions: []string{"tickets.update", "roles.modify"}})
	if ve := wantErr[*tenancy.ValidationError](t, err, "a partner role taking a ceiling role's id"); ve.Field != "id" {
		t.Errorf("field = %s", ve.Field)
	}
	wantReason(t, w.check(tom, "contoso", "tickets.update", ""), access.ReasonNoGrant)
}
