package tenancy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// parallel runs n calls of fn, eight at a time, and fails the test on the
// first error.
func parallel(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	var g errgroup.Group
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error { return fn(i) })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// seedAssignments writes n delegated assignments under rel straight into the
// store (set-up at size; the behaviour under test goes through the service).
func (w *world) seedAssignments(rel tenancy.Relationship, n int, prefix string) {
	w.t.Helper()
	ctx := context.Background()
	parallel(w.t, n, func(i int) error {
		return w.store.CreateAssignment(ctx, tenancy.Assignment{ID: fmt.Sprintf("%s-asg-%d", prefix, i), TenantID: rel.CustomerTenant, HomeTenant: rel.PartnerTenant,
			RelationshipID: rel.ID, Principal: fmt.Sprintf("user:u%d", i), Roles: []string{rel.Ceiling[0].ID}, Permissions: []string{}, Scope: []string{"*"},
			CreatedAt: w.clock(), CreatedBy: tenancy.Actor{User: "nina", Tenant: rel.PartnerTenant}}, nil)
	})
}

// Offboarding removes every assignment under the relationship, whatever
// their number: pages of a list that shrinks as it is deleted.
func TestOffboardingRemovesEveryAssignmentAtSize(t *testing.T) {
	const n = 1000
	w := newWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	w.seedAssignments(rel, n, "off")
	wantReason(t, w.check(tenancy.Caller{User: fmt.Sprint("u", n-1), Tenant: "northwind"}, "contoso", "tickets.view", ""), access.ReasonAllowed)
	if _, err := w.svc.TerminateRelationship(ctx, carl, rel.ID); err != nil {
		t.Fatal(err)
	}
	// Access ends with the request; on a slow machine what the request's
	// budget did not remove is finished as the sync consumer does it.
	wantReason(t, w.check(tenancy.Caller{User: fmt.Sprint("u", n-1), Tenant: "northwind"}, "contoso", "tickets.view", ""), access.ReasonRelationshipTerminated)
	if err := w.svc.FinishOffboarding(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	left, err := w.store.ListAssignments(ctx, "contoso", "northwind", "", tenancy.Page{Limit: 100})
	if err != nil || len(left.Items) != 0 {
		t.Fatalf("after offboarding %d assignments, %d are left (%v)", n, len(left.Items), err)
	}
	p, err := w.store.LoadPartition(ctx, "contoso", "northwind")
	if err != nil || len(p.Assignments) != 0 {
		t.Errorf("after offboarding, the decision partition holds %d grants (%v), want none", len(p.Assignments), err)
	}
	wantReason(t, w.check(tenancy.Caller{User: fmt.Sprint("u", n-1), Tenant: "northwind"}, "contoso", "tickets.view", ""), access.ReasonRelationshipTerminated)
	got, err := w.svc.GetRelationship(ctx, carl, rel.ID)
	if err != nil || got.Status != tenancy.RelationshipTerminated {
		t.Errorf("relationship = %s, %v; want terminated", got.Status, err)
	}
}

// The sweep works through more due items than one run takes, a bounded batch
// at a time, until nothing is left: 1,000 invitations expire, and 1,000
// relationships reach their end and lose their assignments.
func TestSweepFinishesAtSize(t *testing.T) {
	const n = 1000
	w := newWorld(t)
	ctx := context.Background()
	day := 24 * time.Hour
	parallel(t, n, func(i int) error {
		inv := tenancy.Invitation{ID: fmt.Sprintf("inv-%d", i), Kind: tenancy.KindDelegatedAdmin, Status: tenancy.InvitationPending, FromTenant: "northwind", ToTenant: "contoso",
			As: tenancy.SidePartner, PartnerTenant: "northwind", CustomerTenant: "contoso", Roles: []string{"helpdesk-admin"}, Scope: []string{"*"},
			ExpiresAt: w.clock().Add(day), CreatedAt: w.clock(), UpdatedAt: w.clock()}
		if err := w.store.CreateInvitation(ctx, inv, nil); err != nil {
			return err
		}
		if i%2 == 1 { // half of them are accepted: a relationship ending in two days, with an assignment
			return nil
		}
		rel := tenancy.Relationship{ID: fmt.Sprintf("rel-%d", i), Kind: tenancy.KindDelegatedAdmin, Status: tenancy.RelationshipActive, PartnerTenant: "northwind", CustomerTenant: "contoso",
			InvitationID: inv.ID, Ceiling: []tenancy.CeilingRole{{ID: "helpdesk-admin", Permissions: []string{"tickets.view"}}}, Scope: []string{"*"},
			StartsAt: w.clock(), EndsAt: w.clock().Add(2 * day), PrimaryAdmins: []string{}, CreatedAt: w.clock(), UpdatedAt: w.clock()}
		inv.Status, inv.RelationshipID, inv.Version = tenancy.InvitationAccepted, rel.ID, 1 // as read back
		if err := w.store.AcceptInvitation(ctx, inv, rel, nil); err != nil {
			return err
		}
		return w.store.CreateAssignment(ctx, tenancy.Assignment{ID: fmt.Sprintf("asg-%d", i), TenantID: "contoso", HomeTenant: "northwind", RelationshipID: rel.ID,
			Principal: fmt.Sprintf("user:u%d", i), Roles: []string{"helpdesk-admin"}, Permissions: []string{}, Scope: []string{"*"}, CreatedAt: w.clock()}, nil)
	})
	w.advance(3 * day)
	var total tenancy.SweepReport
	runs := 0
	for more := true; more; runs++ {
		if runs == 20 {
			t.Fatalf("the sweep still has more after %d runs: %+v", runs, total)
		}
		r, err := w.svc.Sweep(ctx, 300)
		if err != nil {
			t.Fatal(err)
		}
		total.InvitationsExpired += r.InvitationsExpired
		total.RelationshipsExpired += r.RelationshipsExpired
		more = r.More
	}
	if total.InvitationsExpired != n/2 || total.RelationshipsExpired != n/2 {
		t.Errorf("sweeps expired %d invitations and %d relationships in %d runs, want %d of each", total.InvitationsExpired, total.RelationshipsExpired, runs, n/2)
	}
	p, err := w.store.LoadPartition(ctx, "contoso", "northwind")
	if err != nil || len(p.Assignments) != 0 {
		t.Errorf("after the sweeps %d grants are left (%v), want none", len(p.Assignments), err)
	}
	for _, r := range p.Relationships {
		if r.Status == tenancy.RelationshipActive {
			t.Errorf("relationship %s is still active after its end", r.ID)
		}
	}
	pending, err := w.store.DueInvitations(ctx, w.clock(), n)
	if err != nil || len(pending) != 0 {
		t.Errorf("%d invitations are still due (%v)", len(pending), err)
	}
}

// A user holding many assignments in one customer switches there: the
// commit's transaction does not grow with them (it broke at 98), the token
// merges grants on one scope and the event stays small.
func TestSwitchWithManyAssignments(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin", "site-lead"}}, tenancy.Acceptance{})
	const n = tenancy.MaxPrincipalGrants - 1
	parallel(t, n, func(i int) error {
		role := []string{"helpdesk-admin", "site-lead"}[i%2]
		_, err := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{role}})
		return err
	})
	res, err := w.svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso"})
	if err != nil {
		t.Fatalf("Switch() with %d assignments: %v", n, err)
	}
	if c := claimsOf(t, res.Token); len(c.Grants) != 1 || len(res.Token) > tenancy.MaxTokenBytes {
		t.Errorf("token of %d bytes with %d grants, want one merged grant on the whole tenant", len(res.Token), len(c.Grants))
	}
	if p := w.outboxPayloads(events.DetailTypeTenantSwitched); len(p) != 1 || len(p[0]) > 4096 {
		t.Errorf("TenantSwitched events %d, of %d bytes; want one, small", len(p), len(p[len(p)-1]))
	}
	// The next assignment is one too many for Tom, with a 422 that names
	// the limit.
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"site-lead"}})
	if err != nil {
		t.Fatalf("the %dth assignment: %v", tenancy.MaxPrincipalGrants, err)
	}
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"site-lead"}})
	if ve := wantErr[*tenancy.ValidationError](t, err, "one assignment past the limit"); !strings.Contains(ve.Error(), "MaxPrincipalGrants") {
		t.Errorf("error %q does not name the limit", ve.Error())
	}
}

// The switcher's list holds at any size: one customer holds 1,150 other
// people's assignments, and every page of a user's targets (limit=1 too)
// answers only that user's customers.
func TestSwitchTargetsAtSize(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	w.seedAssignments(rel, 1150, "crowd")
	if _, err := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1, 50} {
		l, err := w.svc.SwitchTargets(ctx, tom, tenancy.Page{Limit: limit})
		if err != nil || len(l.Items) != 1 || l.Items[0].TenantID != "contoso" || l.Items[0].Status != tenancy.TargetReady || l.NextCursor != "" {
			t.Errorf("SwitchTargets(limit %d) = %+v, %v; want contoso, ready, one page", limit, l, err)
		}
	}
	// A user of the crowd sees the same customer; a stranger sees nothing.
	w.letSwitch("u7", "nobody")
	l, err := w.svc.SwitchTargets(ctx, tenancy.Caller{User: "u7", Tenant: "northwind"}, tenancy.Page{Limit: 1})
	if err != nil || len(l.Items) != 1 {
		t.Errorf("targets of u7 = %+v, %v", l, err)
	}
	l, err = w.svc.SwitchTargets(ctx, tenancy.Caller{User: "nobody", Tenant: "northwind"}, tenancy.Page{})
	if err != nil || len(l.Items) != 0 || l.Reason != "" {
		t.Errorf("targets of a user without grants = %+v, %v", l, err)
	}
}

// Offboarding a customer's partner with more assignments than one request's
// budget removes: access ends at once, the request answers within about its
// budget, and finishing (as the sync consumer does on the event) leaves
// nothing. Listing pages through them all before.
func TestOffboardingPastTheRequestBudget(t *testing.T) {
	const n = 1000
	w := newWorld(t)
	w.svc = tenancy.New(tenancy.Config{Store: w.store, Now: w.clock, NewID: ids.Sequence("ob"), OperatorTenant: "platform", OffboardBudget: 100 * time.Millisecond})
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	w.seedAssignments(rel, n, "big")
	seen, page := 0, tenancy.Page{Limit: 100}
	for {
		l, err := w.svc.ListRelationshipAssignments(ctx, carl, rel.ID, page)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(l.Items)
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
	}
	if seen != n {
		t.Fatalf("listing the relationship's assignments answered %d, want %d", seen, n)
	}
	start := time.Now()
	if _, err := w.svc.TerminateRelationship(ctx, carl, rel.ID); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	wantReason(t, w.check(tenancy.Caller{User: "u1", Tenant: "northwind"}, "contoso", "tickets.view", ""), access.ReasonRelationshipTerminated)
	left, err := w.store.ListAssignments(ctx, "contoso", "northwind", rel.ID, tenancy.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(left.Items) == 0 {
		t.Logf("the request removed all %d within its budget (%v): nothing left to finish", n, took)
	}
	if err := w.svc.FinishOffboarding(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	left, err = w.store.ListAssignments(ctx, "contoso", "northwind", rel.ID, tenancy.Page{Limit: 100})
	if err != nil || len(left.Items) != 0 {
		t.Errorf("after finishing, %d assignments are left (%v)", len(left.Items), err)
	}
	if got, err := w.store.GetRelationship(ctx, rel.ID); err != nil || !got.AssignmentsCleared {
		t.Errorf("relationship cleared = %v, %v; want it marked", got.AssignmentsCleared, err)
	}
	if r, err := w.svc.Sweep(ctx, 100); err != nil || r.RelationshipsCleared != 0 {
		t.Errorf("a sweep after finishing = %+v, %v; want nothing to clear", r, err)
	}
}

// The inputs that feed events and tokens are bounded, each refusal a 422
// naming its limit: patterns and bytes of one scope, the scope bytes one
// principal holds in a customer, the activations of one switch.
func TestInputsThatFeedEventsAreBounded(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	patterns := func(n, size int, tag string) []string {
		var out []string
		for i := 0; i < n; i++ {
			p := fmt.Sprintf("/sites/%s%d/", tag, i)
			out = append(out, p+strings.Repeat("r", size-len(p)))
		}
		return out
	}
	wantLimit := func(err error, limit string) {
		t.Helper()
		ve := wantErr[*tenancy.ValidationError](t, err, limit)
		if !strings.Contains(ve.Error(), limit) {
			t.Errorf("error %q does not name %s", ve.Error(), limit)
		}
	}
	_, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}, Scope: patterns(tenancy.MaxScopePatterns+1, 20, "a")})
	wantLimit(err, "MaxScopePatterns")
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}, Scope: patterns(20, 110, "b")})
	wantLimit(err, "MaxScopeBytes")
	for i := 0; i < 2; i++ { // 2 × 1,900 bytes: within what one principal may hold
		if _, err := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}, Scope: patterns(19, 100, fmt.Sprint("c", i))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}, Scope: patterns(19, 100, "d")})
	wantLimit(err, "MaxPrincipalScopeBytes")
	// Tom's switch carries his two assignments: the token and the event
	// stay within their limits.
	res, err := w.svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Token) > tenancy.MaxTokenBytes {
		t.Errorf("token of %d bytes", len(res.Token))
	}
	var ts events.TenantSwitched
	p := w.outboxPayloads(events.DetailTypeTenantSwitched)
	if err := json.Unmarshal(p[len(p)-1], &ts); err != nil || ts.ScopePatterns != 38 || !ts.ScopeTruncated || len(ts.Scope) != events.MaxScopeInEvent {
		t.Errorf("TenantSwitched = %d patterns of %d, truncated %v (%v); want %d of 38, truncated", len(ts.Scope), ts.ScopePatterns, ts.ScopeTruncated, err, events.MaxScopeInEvent)
	}
	var ids []string
	for i := 0; i <= tenancy.MaxActivations; i++ {
		ids = append(ids, fmt.Sprint("a", i))
	}
	_, err = w.svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso", Activate: ids, Justification: "x"})
	wantLimit(err, "MaxActivations")
}
