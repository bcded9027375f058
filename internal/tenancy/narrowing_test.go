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
	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// lazyWorld is a world whose narrowing requests prune nothing
// themselves (a budget of a nanosecond), so what a check sees between the
// commit and the pruning is observable.
func lazyWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	w.svc = tenancy.New(tenancy.Config{Store: w.store, Now: w.clock, NewID: ids.Sequence("nw"), OperatorTenant: "platform", OffboardBudget: time.Nanosecond})
	return w
}

func (w *world) assignments(relID string) map[string]tenancy.Assignment {
	w.t.Helper()
	out := map[string]tenancy.Assignment{}
	page := tenancy.Page{Limit: 100}
	for {
		l, err := w.store.ListAssignments(context.Background(), "contoso", "northwind", relID, page)
		if err != nil {
			w.t.Fatal(err)
		}
		for _, a := range l.Items {
			out[a.Principal] = a
		}
		if l.NextCursor == "" {
			return out
		}
		page.Cursor = l.NextCursor
	}
}

// The customer narrows: the next check denies what fell outside — before
// any assignment is touched — and the assignments then lose it: one left
// with nothing is removed, one partly outside keeps the rest.
func TestNarrowingDeniesAtOnceThenPrunes(t *testing.T) {
	w := lazyWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"global-admin", "helpdesk-admin", "site-lead"}}, tenancy.Acceptance{})
	assign := func(who string, roles, perms, scope []string) {
		w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:" + who, Roles: roles, Permissions: perms, Scope: scope}))
	}
	assign("ann", []string{"global-admin"}, nil, nil)
	assign("tom", []string{"helpdesk-admin", "site-lead"}, nil, nil)
	assign("ivy", []string{"site-lead"}, nil, []string{"/sites/us/*", "/sites/eu/paris"})
	assign("sam", nil, []string{"rooms.create", "tickets.view"}, nil)
	who := func(u string) tenancy.Caller { return tenancy.Caller{User: u, Tenant: "northwind"} }
	wantReason(t, w.check(who("ann"), "contoso", "tickets.update", ""), access.ReasonAllowed)
	wantReason(t, w.check(who("ivy"), "contoso", "rooms.view", "/sites/us/nyc/r1"), access.ReasonAllowed)

	got, err := w.svc.NarrowRelationship(ctx, carl, rel.ID, tenancy.Narrowing{Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/eu/*"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.CeilingRoleIDs(), []string{"helpdesk-admin"}) || !slices.Equal(got.Scope, []string{"/sites/eu/*"}) || !got.PruneAssignments {
		t.Fatalf("narrowed = %v %v pruning %v, want [helpdesk-admin] [/sites/eu/*] with pruning pending", got.CeilingRoleIDs(), got.Scope, got.PruneAssignments)
	}
	// Nothing pruned yet, and every check already sees the narrowing.
	if n := len(w.assignments(rel.ID)); n != 4 {
		t.Fatalf("%d assignments before pruning, want the 4 untouched", n)
	}
	wantReason(t, w.check(who("ann"), "contoso", "tickets.update", "/sites/eu/paris"), access.ReasonNoGrant)
	// ivy's site-lead shares rooms.view with helpdesk-admin: the removed
	// role grants nothing, even for a permission still in the ceiling.
	wantReason(t, w.check(who("ivy"), "contoso", "rooms.view", "/sites/eu/paris/r1"), access.ReasonNoGrant)
	wantReason(t, w.check(who("tom"), "contoso", "rooms.view", "/sites/eu/paris/r1"), access.ReasonAllowed)
	wantReason(t, w.check(who("tom"), "contoso", "rooms.view", "/sites/us/nyc"), access.ReasonOutOfScope)
	wantReason(t, w.check(who("tom"), "contoso", "rooms.create", "/sites/eu/paris"), access.ReasonNoGrant)
	wantReason(t, w.check(who("sam"), "contoso", "rooms.create", "/sites/eu/paris"), access.ReasonNotInCeiling)
	wantReason(t, w.check(who("sam"), "contoso", "tickets.view", "/sites/eu/paris"), access.ReasonAllowed)

	if err := w.svc.FinishNarrowing(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	left := w.assignments(rel.ID)
	if _, ok := left["user:ann"]; ok {
		t.Errorf("ann's global-admin assignment survived the narrowing: %+v", left["user:ann"])
	}
	if _, ok := left["user:ivy"]; ok {
		t.Errorf("ivy's site-lead assignment survived: %+v", left["user:ivy"])
	}
	if a := left["user:tom"]; !slices.Equal(a.Roles, []string{"helpdesk-admin"}) || !slices.Equal(a.Scope, []string{"/sites/eu/*"}) {
		t.Errorf("tom's assignment = %v on %v, want [helpdesk-admin] on [/sites/eu/*]", a.Roles, a.Scope)
	}
	if a := left["user:sam"]; !slices.Equal(a.Permissions, []string{"tickets.view"}) {
		t.Errorf("sam's permissions = %v, want [tickets.view]", a.Permissions)
	}
	// Decisions are the same after pruning as before it.
	wantReason(t, w.check(who("tom"), "contoso", "rooms.view", "/sites/eu/paris/r1"), access.ReasonAllowed)
	wantReason(t, w.check(who("sam"), "contoso", "tickets.view", "/sites/eu/paris"), access.ReasonAllowed)
	if r, err := w.store.GetRelationship(ctx, rel.ID); err != nil || r.PruneAssignments {
		t.Errorf("relationship after pruning: pruning %v, %v; want done", r.PruneAssignments, err)
	}
	if r, err := w.svc.Sweep(ctx, 100); err != nil || r.RelationshipsPruned != 0 {
		t.Errorf("sweep after pruning = %+v, %v; want nothing left", r, err)
	}
	p := w.outboxPayloads(events.DetailTypeRelationshipNarrowed)
	if len(p) != 1 {
		t.Fatalf("%d RelationshipNarrowed events, want 1", len(p))
	}
	var ev events.RelationshipNarrowed
	if err := json.Unmarshal(p[0], &ev); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ev.RemovedRoles, []string{"global-admin", "site-lead"}) || !slices.Equal(ev.RemovedScope, []string{"*"}) ||
		ev.AssignmentsAffected != 4 || !slices.Equal(ev.Tenants, []string{"northwind", "contoso"}) {
		t.Errorf("RelationshipNarrowed = %+v, want removed [global-admin site-lead] and [*], 4 affected, both tenants", ev)
	}
}

func TestNarrowingRefusesWhatWouldWiden(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/eu/*"}}, tenancy.Acceptance{})
	for _, c := range []struct {
		name   string
		in     tenancy.Narrowing
		field  string
		values []string
	}{
		{"a role outside the ceiling", tenancy.Narrowing{Roles: []string{"helpdesk-admin", "global-admin"}}, "roles", []string{"global-admin"}},
		{"a wider scope", tenancy.Narrowing{Scope: []string{"/sites/eu/paris", "/sites/us"}}, "scope", []string{"/sites/us"}},
		{"the whole tenant", tenancy.Narrowing{Scope: []string{"*"}}, "scope", []string{"*"}},
		{"nothing named", tenancy.Narrowing{}, "roles", nil},
		{"an empty scope", tenancy.Narrowing{Scope: []string{}}, "scope", nil},
	} {
		_, err := w.svc.NarrowRelationship(ctx, carl, rel.ID, c.in)
		ve := wantErr[*tenancy.ValidationError](t, err, c.name)
		if ve.Field != c.field || !slices.Equal(ve.Values, c.values) {
			t.Errorf("%s: %v, want field %s naming %v", c.name, ve, c.field, c.values)
		}
	}
	if _, err := w.svc.NarrowRelationship(ctx, nina, rel.ID, tenancy.Narrowing{Roles: []string{}}); !errors.As(err, new(*tenancy.DeniedError)) {
		t.Errorf("the partner narrowing = %v, want denied", err)
	}
	if _, err := w.svc.NarrowRelationship(ctx, eve, rel.ID, tenancy.Narrowing{Roles: []string{}}); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("a stranger narrowing = %v, want not found", err)
	}
	read, _ := w.store.GetRelationship(ctx, rel.ID)
	same, err := w.svc.NarrowRelationship(ctx, carl, rel.ID, tenancy.Narrowing{Roles: []string{"helpdesk-admin"}})
	if err != nil || same.Version != read.Version {
		t.Errorf("narrowing to what it holds = version %d, %v; want unchanged %d", same.Version, err, read.Version)
	}
	if got, _ := w.store.GetRelationship(ctx, rel.ID); !slices.Equal(got.Scope, rel.Scope) || len(got.Ceiling) != 1 {
		t.Errorf("refused narrowings changed the relationship: %+v", got)
	}
}

// Down to no roles: privileges removed, relationship kept.
func TestNarrowingToNoPrivilegesKeepsTheRelationship(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
	got, err := w.svc.NarrowRelationship(ctx, carl, rel.ID, tenancy.Narrowing{Roles: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != tenancy.RelationshipActive || got.Privileges() != tenancy.PrivilegesNone || got.PruneAssignments {
		t.Errorf("relationship = %s, privileges %s, pruning %v; want active, none, pruned within the request", got.Status, got.Privileges(), got.PruneAssignments)
	}
	if n := len(w.assignments(rel.ID)); n != 0 {
		t.Errorf("%d assignments left, want none", n)
	}
	wantReason(t, w.check(tom, "contoso", "tickets.view", ""), access.ReasonNoGrant)
	for _, c := range []tenancy.Caller{nina, carl} {
		side := tenancy.SidePartner
		if c.Tenant == carl.Tenant {
			side = tenancy.SideCustomer
		}
		l, err := w.svc.ListRelationships(ctx, c, side, tenancy.Page{})
		if err != nil || len(l.Items) != 1 || l.Items[0].Privileges() != tenancy.PrivilegesNone {
			t.Errorf("%s's view = %+v, %v; want the relationship, holding no privileges", c.Tenant, l.Items, err)
		}
	}
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}})
	wantErr[*tenancy.ValidationError](t, err, "assigning under a relationship without privileges")
}

// Sessions that used an assignment the narrowing touches are revoked; the
// others live on.
func TestNarrowingRevokesTheSessionsItTouches(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin", "site-lead"}}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"site-lead"}}))
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:ann", Roles: []string{"helpdesk-admin"}}))
	toms, err := w.svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	anns, err := w.svc.Switch(ctx, tenancy.Caller{User: "ann", Tenant: "northwind"}, tenancy.SwitchRequest{Tenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	w.must(w.svc.NarrowRelationship(ctx, carl, rel.ID, tenancy.Narrowing{Roles: []string{"helpdesk-admin"}}))
	var revoked []string
	for _, raw := range w.outboxPayloads(events.DetailTypeSwitchSessionsRevoked) {
		var ev events.SwitchSessionsRevoked
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Reason == "relationship-narrowed" {
			revoked = append(revoked, ev.SessionIDs...)
		}
	}
	if !slices.Equal(revoked, []string{toms.SessionID}) {
		t.Errorf("revoked %v, want tom's session %s only (not ann's %s)", revoked, toms.SessionID, anns.SessionID)
	}
	if _, err := w.svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso"}); !errors.As(err, new(*tenancy.DeniedError)) {
		t.Errorf("tom switching again = %v, want denied", err)
	}
}

// At 10,000 assignments the request answers within its budget; checks deny
// at once; the sync consumer's FinishNarrowing (or the sweep) does the rest.
func TestNarrowingAtSize(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	w := newWorld(t)
	w.svc = tenancy.New(tenancy.Config{Store: w.store, Now: w.clock, NewID: ids.Sequence("big"), OperatorTenant: "platform", OffboardBudget: 200 * time.Millisecond})
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin", "site-lead"}}, tenancy.Acceptance{})
	// Even users hold site-lead alone (removed), odd ones both roles
	// (rewritten).
	parallel(t, n, func(i int) error {
		roles := []string{"site-lead"}
		if i%2 == 1 {
			roles = []string{"helpdesk-admin", "site-lead"}
		}
		return w.store.CreateAssignment(ctx, tenancy.Assignment{ID: fmt.Sprintf("n-%05d", i), TenantID: "contoso", HomeTenant: "northwind",
			RelationshipID: rel.ID, Principal: fmt.Sprintf("user:u%d", i), Roles: roles, Scope: []string{"*"}, CreatedAt: w.clock(),
			CreatedBy: tenancy.Actor{User: "nina", Tenant: "northwind"}}, nil)
	})
	u := func(i int) tenancy.Caller { return tenancy.Caller{User: fmt.Sprint("u", i), Tenant: "northwind"} }
	wantReason(t, w.check(u(n-2), "contoso", "rooms.create", ""), access.ReasonAllowed)
	if _, err := w.svc.NarrowRelationship(ctx, carl, rel.ID, tenancy.Narrowing{Roles: []string{"helpdesk-admin"}}); err != nil {
		t.Fatal(err)
	}
	wantReason(t, w.check(u(n-2), "contoso", "rooms.view", ""), access.ReasonNoGrant)
	wantReason(t, w.check(u(n-1), "contoso", "rooms.create", ""), access.ReasonNoGrant)
	wantReason(t, w.check(u(n-1), "contoso", "tickets.update", ""), access.ReasonAllowed)
	if err := w.svc.FinishNarrowing(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	left := w.assignments(rel.ID)
	if len(left) != n/2 {
		t.Errorf("%d assignments left, want the %d that held helpdesk-admin", len(left), n/2)
	}
	for p, a := range left {
		if !slices.Equal(a.Roles, []string{"helpdesk-admin"}) {
			t.Fatalf("%s kept %v, want [helpdesk-admin]", p, a.Roles)
		}
	}
	if r, err := w.store.GetRelationship(ctx, rel.ID); err != nil || r.PruneAssignments {
		t.Errorf("pruning still pending (%v) after FinishNarrowing", err)
	}
	part, err := w.store.LoadPartition(ctx, "contoso", "northwind")
	if err != nil || len(part.Assignments) != n/2 {
		t.Errorf("decision partition holds %d grants (%v), want %d", len(part.Assignments), err, n/2)
	}
}

// An assignment checked against the ceiling read before a narrowing commits
// is never written: its transaction holds only while the relationship is at
// the version it was checked against.
func TestAssigningWhileNarrowed(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	accepted := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin", "site-lead"}}, tenancy.Acceptance{})
	rel, err := w.store.GetRelationship(ctx, accepted.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The narrowing commits between the partner's read and its write.
	narrowed := rel
	narrowed.Ceiling, narrowed.PruneAssignments = rel.Ceiling[:1], true
	w.must(w.store.NarrowRelationship(ctx, narrowed, nil))
	a := tenancy.Assignment{ID: "late", TenantID: "contoso", HomeTenant: "northwind", RelationshipID: rel.ID, Principal: "user:tom",
		Roles: []string{"site-lead"}, Scope: []string{"*"}, CreatedAt: w.clock()}
	if err := w.store.CreateDelegatedAssignment(ctx, a, rel.Version, nil); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("an assignment checked against the ceiling before a narrowing = %v, want a conflict", err)
	}
	if _, err := w.store.GetAssignment(ctx, "contoso", "northwind", "late"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("the late assignment was written (%v)", err)
	}
	// Checked against the narrowed relationship, the service refuses the
	// removed role and grants the kept one.
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{rel.Ceiling[1].ID}})
	wantErr[*tenancy.ValidationError](t, err, "a role narrowed out")
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{rel.Ceiling[0].ID}}))
}

// Scopes stay within their bounds whatever the narrowing or widening: the
// cut of an assignment's 20 patterns with the relationship's 20 could hold
// 400, so that assignment goes (never read as wider later); a change request
// whose approval would take the scope past MaxScopePatterns is refused.
func TestScopesStayWithinTheirBounds(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	var mine, narrowed []string
	for i := range tenancy.MaxScopePatterns {
		mine = append(mine, fmt.Sprintf("/*/a%d", i))
		narrowed = append(narrowed, fmt.Sprintf("/s%d/*", i))
	}
	wide, err := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}, Scope: mine})
	if err != nil {
		t.Fatal(err)
	}
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:ann", Roles: []string{"helpdesk-admin"}, Scope: []string{"/s3/*"}}))
	w.must(w.svc.NarrowRelationship(ctx, carl, rel.ID, tenancy.Narrowing{Scope: narrowed}))
	w.must(nil, w.svc.FinishNarrowing(ctx, rel.ID))
	left := w.assignments(rel.ID)
	if _, ok := left[wide.ID]; ok || len(left) != 1 {
		t.Errorf("after the narrowing %d assignments are left (tom's %v): want only ann's, tom's cut past MaxScopePatterns", len(left), ok)
	}
	wantReason(t, w.check(tom, "contoso", "tickets.view", "/s1/a1"), access.ReasonNoGrant)
	wantReason(t, w.check(tenancy.Caller{User: "ann", Tenant: "northwind"}, "contoso", "tickets.view", "/s3/x"), access.ReasonAllowed)

	// The relationship holds 20 patterns: asking for one more is refused
	// before the customer is asked, naming the limit.
	_, err = w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{Scope: []string{"/t0/*"}})
	if ve := wantErr[*tenancy.ValidationError](t, err, "a change past MaxScopePatterns"); ve.Field != "scope" || !strings.Contains(ve.Error(), "MaxScopePatterns") {
		t.Errorf("error %v, want scope naming MaxScopePatterns", ve)
	}
}
