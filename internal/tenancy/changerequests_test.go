package tenancy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/tenancy"
)

func TestChangeRequestLifecycle(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	year := 365 * 24 * time.Hour
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/eu/*"}, Duration: &year}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))

	// Asking for nothing new, or from the wrong side, is refused.
	for _, c := range []struct {
		name  string
		in    tenancy.NewChangeRequest
		field string
	}{
		{"nothing", tenancy.NewChangeRequest{}, "roles"},
		{"a role it holds", tenancy.NewChangeRequest{Roles: []string{"helpdesk-admin"}}, "roles"},
		{"a pattern inside the scope", tenancy.NewChangeRequest{Scope: []string{"/sites/eu/paris"}}, "scope"},
		{"a shorter duration", tenancy.NewChangeRequest{Duration: ptr(200 * 24 * time.Hour)}, "duration"},
		{"an unknown role", tenancy.NewChangeRequest{Roles: []string{"no-such-role"}}, "roles"},
	} {
		_, err := w.svc.RequestChange(ctx, nina, rel.ID, c.in)
		if ve := wantErr[*tenancy.ValidationError](t, err, c.name); ve.Field != c.field {
			t.Errorf("%s: field %s, want %s", c.name, ve.Field, c.field)
		}
	}
	if _, err := w.svc.RequestChange(ctx, carl, rel.ID, tenancy.NewChangeRequest{Roles: []string{"site-lead"}}); !errors.As(err, new(*tenancy.DeniedError)) {
		t.Errorf("the customer asking = %v, want denied", err)
	}
	if _, err := w.svc.RequestChange(ctx, eve, rel.ID, tenancy.NewChangeRequest{Roles: []string{"site-lead"}}); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("a stranger asking = %v, want not found", err)
	}

	cr, err := w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{Roles: []string{"site-lead", "mmr-admin"}, Scope: []string{"/sites/us/*"},
		Duration: ptr(2 * year)})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Status != tenancy.ChangeRequestPending || !cr.ExpiresAt.Equal(w.clock().Add(tenancy.DefaultInviteExpiry)) {
		t.Errorf("change request = %s until %s, want pending for 14 days", cr.Status, cr.ExpiresAt)
	}
	if _, err := w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{Roles: []string{"global-admin"}}); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("a second pending request = %v, want 409", err)
	}
	// Both sides list it.
	for _, c := range []tenancy.Caller{nina, carl} {
		l, err := w.svc.ListChangeRequests(ctx, c, rel.ID, tenancy.Page{})
		if err != nil || len(l.Items) != 1 || l.Items[0].ID != cr.ID {
			t.Errorf("%s lists %+v, %v; want the request", c.Tenant, l.Items, err)
		}
	}
	if _, err := w.svc.ListChangeRequests(ctx, eve, rel.ID, tenancy.Page{}); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("a stranger listing = %v, want not found", err)
	}
	// The partner cannot approve its own request; the customer cannot
	// approve more than was asked.
	if _, _, err := w.svc.ApproveChange(ctx, nina, rel.ID, cr.ID, tenancy.Approval{}); !errors.As(err, new(*tenancy.DeniedError)) {
		t.Errorf("the partner approving = %v, want denied", err)
	}
	for _, c := range []struct {
		name  string
		in    tenancy.Approval
		field string
	}{
		{"a role not asked", tenancy.Approval{Roles: []string{"site-lead", "global-admin"}}, "roles"},
		{"a scope not asked", tenancy.Approval{Scope: []string{"/sites/apac"}}, "scope"},
	} {
		_, _, err := w.svc.ApproveChange(ctx, carl, rel.ID, cr.ID, c.in)
		if ve := wantErr[*tenancy.ValidationError](t, err, c.name); ve.Field != c.field {
			t.Errorf("%s: field %s, want %s", c.name, ve.Field, c.field)
		}
	}
	wantReason(t, w.check(tom, "contoso", "rooms.create", "/sites/us/nyc"), access.ReasonNoGrant)
	// Approved narrower: site-lead only, and only New York.
	answered, widened, err := w.svc.ApproveChange(ctx, carl, rel.ID, cr.ID, tenancy.Approval{Roles: []string{"site-lead"}, Scope: []string{"/sites/us/nyc"}})
	if err != nil {
		t.Fatal(err)
	}
	if answered.Status != tenancy.ChangeRequestApproved || !slices.Equal(answered.ApprovedRoles, []string{"site-lead"}) {
		t.Errorf("answered = %s %v, want approved [site-lead]", answered.Status, answered.ApprovedRoles)
	}
	if !slices.Equal(widened.CeilingRoleIDs(), []string{"helpdesk-admin", "site-lead"}) || !slices.Equal(widened.Scope, []string{"/sites/eu/*", "/sites/us/nyc"}) ||
		!widened.EndsAt.Equal(widened.StartsAt.Add(2*year)) {
		t.Errorf("widened = %v %v until %s, want [helpdesk-admin site-lead] [/sites/eu/* /sites/us/nyc] for two years", widened.CeilingRoleIDs(), widened.Scope, widened.EndsAt)
	}
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"site-lead"}, Scope: []string{"/sites/us/nyc"}}))
	wantReason(t, w.check(tom, "contoso", "rooms.create", "/sites/us/nyc/r1"), access.ReasonAllowed)
	// A second answer is 409, as for invitations.
	if _, _, err := w.svc.ApproveChange(ctx, carl, rel.ID, cr.ID, tenancy.Approval{}); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("a second approve = %v, want 409", err)
	}
	if _, err := w.svc.DeclineChange(ctx, carl, rel.ID, cr.ID); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("a decline after approve = %v, want 409", err)
	}
	// The next request may go in; declined, it stays declined.
	next, err := w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{Roles: []string{"global-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := w.svc.DeclineChange(ctx, carl, rel.ID, next.ID); err != nil || d.Status != tenancy.ChangeRequestDeclined {
		t.Errorf("decline = %s, %v", d.Status, err)
	}
	if _, _, err := w.svc.ApproveChange(ctx, carl, rel.ID, next.ID, tenancy.Approval{}); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("approve after decline = %v, want 409", err)
	}
	for typ, want := range map[events.DetailType]int{events.DetailTypeChangeRequestCreated: 2, events.DetailTypeChangeRequestApproved: 1, events.DetailTypeChangeRequestDeclined: 1} {
		if got := len(w.outboxPayloads(typ)); got != want {
			t.Errorf("%d %s events, want %d", got, typ, want)
		}
	}
}

// Stale change requests expire by the sweep, like invitations; an expired
// one neither blocks the next nor can be approved.
func TestChangeRequestsExpire(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	day := 24 * time.Hour
	cr, err := w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{Roles: []string{"site-lead"}, ExpiresIn: &day})
	if err != nil {
		t.Fatal(err)
	}
	w.advance(2 * day)
	r, err := w.svc.Sweep(ctx, 100)
	if err != nil || r.ChangeRequestsExpired != 1 {
		t.Fatalf("sweep = %+v, %v; want one change request expired", r, err)
	}
	if _, _, err := w.svc.ApproveChange(ctx, carl, rel.ID, cr.ID, tenancy.Approval{}); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("approving an expired request = %v, want 409", err)
	}
	// One past its expiry that the sweep has not reached yet gives way.
	late, err := w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{Roles: []string{"site-lead"}, ExpiresIn: &day})
	if err != nil {
		t.Fatal(err)
	}
	w.advance(2 * day)
	if _, err := w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{Roles: []string{"site-lead"}}); err != nil {
		t.Errorf("a request after an expired one = %v", err)
	}
	if got, _ := w.store.GetChangeRequest(ctx, rel.ID, late.ID); got.Status != tenancy.ChangeRequestExpired {
		t.Errorf("the late request is %s, want expired", got.Status)
	}
}

// GDAP's rule: a ceiling holding global-admin does not auto-extend; once
// the customer narrows global-admin out, auto-extension may be asked and
// approved; adding global-admin to a relationship that auto-extends turns
// auto-extension off.
func TestAutoExtendAfterGlobalAdminIsNarrowedOut(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	half := 180 * 24 * time.Hour
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"global-admin", "helpdesk-admin"}}, tenancy.Acceptance{})
	_, err := w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{AutoExtend: &half})
	if ve := wantErr[*tenancy.ValidationError](t, err, "auto-extension with global-admin"); ve.Field != "autoExtend" || !slices.Contains(ve.Values, "global-admin") {
		t.Errorf("%v, want autoExtend naming global-admin", ve)
	}
	w.must(w.svc.NarrowRelationship(ctx, carl, rel.ID, tenancy.Narrowing{Roles: []string{"helpdesk-admin"}}))
	cr, err := w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{AutoExtend: &half})
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := w.svc.ApproveChange(ctx, carl, rel.ID, cr.ID, tenancy.Approval{})
	if err != nil || got.AutoExtend == nil || time.Duration(*got.AutoExtend) != half {
		t.Fatalf("approved auto-extension = %v, %v; want P180D", got.AutoExtend, err)
	}
	back, err := w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{Roles: []string{"global-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	_, got, err = w.svc.ApproveChange(ctx, carl, rel.ID, back.ID, tenancy.Approval{})
	if err != nil || got.AutoExtend != nil || !slices.Contains(got.CeilingRoleIDs(), "global-admin") {
		t.Fatalf("global-admin approved = %v auto-extend %v, %v; want it in and auto-extension off", got.CeilingRoleIDs(), got.AutoExtend, err)
	}
	p := w.outboxPayloads(events.DetailTypeChangeRequestApproved)
	var last events.ChangeRequestApproved
	if err := json.Unmarshal(p[len(p)-1], &last); err != nil || !last.AutoExtendTurnedOff {
		t.Errorf("the approval's event = %+v, %v; want autoExtendTurnedOff", last, err)
	}
}

// An approval waits for a narrowing's pruning: assignments not yet pruned
// must not regain what the widening adds back.
func TestApprovalWaitsForPruning(t *testing.T) {
	w := lazyWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin", "site-lead"}}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"site-lead"}}))
	w.must(w.svc.NarrowRelationship(ctx, carl, rel.ID, tenancy.Narrowing{Roles: []string{"helpdesk-admin"}}))
	cr, err := w.svc.RequestChange(ctx, nina, rel.ID, tenancy.NewChangeRequest{Roles: []string{"site-lead"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.ApproveChange(ctx, carl, rel.ID, cr.ID, tenancy.Approval{}); !errors.Is(err, tenancy.ErrConflict) {
		t.Fatalf("approve during pruning = %v, want 409", err)
	}
	if err := w.svc.FinishNarrowing(ctx, rel.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.svc.ApproveChange(ctx, carl, rel.ID, cr.ID, tenancy.Approval{}); err != nil {
		t.Fatal(err)
	}
	wantReason(t, w.check(tom, "contoso", "rooms.create", ""), access.ReasonNoGrant)
}

// GET /relationships filters at 2,000 relationships of one partner: a page
// is full or the last, however sparse the filter.
func TestRelationshipFiltersAtSize(t *testing.T) {
	const n = 2000
	w := newWorld(t)
	ctx := context.Background()
	now := w.clock()
	// Every 400th relationship holds site-lead and ends within 30 days.
	parallel(t, n, func(i int) error {
		id := fmt.Sprintf("c%04d", i)
		inv := tenancy.Invitation{ID: "inv-" + id, Kind: tenancy.KindDelegatedAdmin, Status: tenancy.InvitationPending, FromTenant: "northwind", ToTenant: id,
			PartnerTenant: "northwind", CustomerTenant: id, ExpiresAt: now.Add(time.Hour), CreatedAt: now}
		if err := w.store.CreateInvitation(ctx, inv, nil); err != nil {
			return err
		}
		rel := tenancy.Relationship{ID: "rel-" + id, Kind: tenancy.KindDelegatedAdmin, Status: tenancy.RelationshipActive, PartnerTenant: "northwind",
			CustomerTenant: id, Ceiling: []tenancy.CeilingRole{{ID: "helpdesk-admin", Permissions: []string{"tickets.view"}}}, Scope: []string{"*"},
			StartsAt: now, EndsAt: now.Add(365 * 24 * time.Hour), CreatedAt: now.Add(time.Duration(i) * time.Millisecond), UpdatedAt: now}
		if i%400 == 7 {
			rel.Ceiling = append(rel.Ceiling, tenancy.CeilingRole{ID: "site-lead", Permissions: []string{"rooms.view"}})
			rel.EndsAt = now.Add(time.Duration(i%20+1) * 24 * time.Hour)
		}
		if i%3 == 0 {
			rel.Status = tenancy.RelationshipTerminated
		}
		inv.Status, inv.RelationshipID, inv.Version = tenancy.InvitationAccepted, rel.ID, 1
		return w.store.AcceptInvitation(ctx, inv, rel, nil)
	})
	within := 30 * 24 * time.Hour
	collect := func(f tenancy.RelationshipFilter, limit int) ([]string, int) {
		var got []string
		pages := 0
		page := tenancy.Page{Limit: limit}
		for {
			l, err := w.svc.FindRelationships(ctx, nina, tenancy.SidePartner, f, page)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if len(l.Items) < limit && l.NextCursor != "" {
				t.Fatalf("page %d holds %d of %d with more to come: a filtered page must be full or the last", pages, len(l.Items), limit)
			}
			for _, r := range l.Items {
				got = append(got, r.ID)
			}
			if l.NextCursor == "" {
				return got, pages
			}
			page.Cursor = l.NextCursor
		}
	}
	var want []string
	for i := n - 1; i >= 0; i-- {
		if i%400 == 7 && i%3 != 0 {
			want = append(want, fmt.Sprintf("rel-c%04d", i))
		}
	}
	got, _ := collect(tenancy.RelationshipFilter{Role: "site-lead", EndsWithin: &within, Status: tenancy.RelationshipActive}, 2)
	if !slices.Equal(got, want) {
		t.Errorf("site-lead, active, ending within 30 days = %v, want %v (newest first)", got, want)
	}
	got, pages := collect(tenancy.RelationshipFilter{Status: tenancy.RelationshipTerminated}, 100)
	if len(got) != (n+2)/3 || pages != 7 {
		t.Errorf("terminated: %d in %d pages, want %d in 7", len(got), pages, (n+2)/3)
	}
	if got, _ := collect(tenancy.RelationshipFilter{Role: "mmr-admin"}, 50); len(got) != 0 {
		t.Errorf("mmr-admin: %v, want none", got)
	}
	if _, err := w.svc.FindRelationships(ctx, nina, tenancy.SidePartner, tenancy.RelationshipFilter{Status: "paused"}, tenancy.Page{}); err == nil {
		t.Error("an unknown status was accepted")
	}
}
