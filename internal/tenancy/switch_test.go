package tenancy_test

import (
	"context"
	"encoding/base64"
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
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
	"github.com/switchboard/switchboard/internal/token"
)

// switchWorld is a world whose service mints switch tokens.
func switchWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	signer, err := token.NewLocalSigner()
	if err != nil {
		t.Fatal(err)
	}
	w.svc = tenancy.New(tenancy.Config{Store: w.store, Now: w.clock, NewID: ids.Sequence("sw"), OperatorTenant: "platform",
		Minter: token.NewIssuer(signer), TokenIssuer: "https://switchboard.test", TokenAudience: "downstream"})
	w.letSwitch("tom", "sam", "ann", "bob", "pat")
	return w
}

// letSwitch gives users of northwind its "first-line support" role, which
// holds tenants.switch and nothing else: they may use the tenant switcher,
// and act in customers only as far as their grants there go (seed 000).
func (w *world) letSwitch(users ...string) {
	w.t.Helper()
	ctx := context.Background()
	if _, _, err := w.svc.SaveRole(ctx, nina, "northwind", tenancy.NewRole{ID: "first-line-support", Name: "First-line support",
		Permissions: []string{tenancy.PermSwitch}}); err != nil {
		w.t.Fatal(err)
	}
	for _, u := range users {
		w.must(w.svc.AssignNative(ctx, nina, "northwind", tenancy.NewAssignment{Principal: "user:" + u, Roles: []string{"first-line-support"}}))
	}
}

func claimsOf(t *testing.T, raw string) token.Claims {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a compact JWS", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c token.Claims
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// outboxTypes answers the detail types waiting in the outbox, oldest first.
func (w *world) outboxTypes() []string {
	w.t.Helper()
	msgs, err := w.store.PendingEvents(context.Background(), w.clock().Add(24*time.Hour), 10000)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, string(m.Type))
	}
	return out
}

func (w *world) outboxPayloads(typ events.DetailType) []json.RawMessage {
	w.t.Helper()
	msgs, _ := w.store.PendingEvents(context.Background(), w.clock().Add(24*time.Hour), 10000)
	var out []json.RawMessage
	for _, m := range msgs {
		if m.Type == typ {
			out = append(out, m.Detail)
		}
	}
	return out
}

func TestSwitch(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	d := 3 * 24 * time.Hour
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin", "site-lead"}, Duration: &d}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/eu"}}))
	w.meter.Reset()
	res, err := w.svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.meter.Counts(); got["Query"] != 2 || got["TransactWriteItems"] != 1 || w.meter.Total() != 3 {
		t.Errorf("a switch made %v, want two Queries (tenants.switch at home, the decision in the target, made together) and one transaction (the session)", got)
	}
	c := claimsOf(t, res.Token)
	now := w.clock()
	want := token.Claims{Issuer: "https://switchboard.test", Audience: "downstream", Subject: "tom", Tenant: "contoso", ClientID: tenancy.DefaultClientID,
		Act: token.Actor{Subject: "tom", Tenant: "northwind"}, Relationship: rel.ID, Roles: []string{"helpdesk-admin"}, ResourceScope: []string{"/sites/eu"},
		Perms:  []string{"incidents.create", "rooms.view", "tickets.update", "tickets.view"},
		Grants: []token.Grant{{Assignment: res.Grants[0].Assignment, Roles: []string{"helpdesk-admin"}, Perms: []string{"incidents.create", "rooms.view", "tickets.update", "tickets.view"}, Scope: []string{"/sites/eu"}}},
		AMR:    []string{}, ID: res.SessionID,
		IssuedAt: now.Unix(), NotBefore: now.Unix(), Expires: now.Add(time.Hour).Unix()}
	if gotJSON, wantJSON := mustJSON(c), mustJSON(want); gotJSON != wantJSON {
		t.Errorf("claims = %s\nwant     %s", gotJSON, wantJSON)
	}
	if !slices.Contains(w.outboxTypes(), string(events.DetailTypeTenantSwitched)) {
		t.Error("no TenantSwitched event")
	}
	// The client the caller's identity-provider token names is the token's client_id.
	viaConsole := tom
	viaConsole.Client = "admin-console"
	if res, err := w.svc.Switch(ctx, viaConsole, tenancy.SwitchRequest{Tenant: "contoso"}); err != nil || claimsOf(t, res.Token).ClientID != "admin-console" {
		t.Errorf("client_id of a switch from admin-console = %q (%v), want admin-console", claimsOf(t, res.Token).ClientID, err)
	}
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:pat", Permissions: []string{"tickets.view"}}))
	pat, err := w.svc.Switch(ctx, tenancy.Caller{User: "pat", Tenant: "northwind"}, tenancy.SwitchRequest{Tenant: "contoso"})
	if err != nil || pat.Roles == nil || len(pat.Roles) != 0 || claimsOf(t, pat.Token).Roles == nil {
		t.Errorf("a permission-only switch = roles %#v, %v; want an empty list, not null", pat.Roles, err)
	}

	// exp never passes the relationship's end, nor the duration asked for.
	short := 10 * time.Minute
	res, _ = w.svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso", Duration: &short})
	if c := claimsOf(t, res.Token); c.Expires != now.Add(short).Unix() {
		t.Errorf("exp with duration PT10M = %d, want %d", c.Expires, now.Add(short).Unix())
	}
	w.advance(d - 20*time.Minute)
	res, _ = w.svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso"})
	if c := claimsOf(t, res.Token); c.Expires != rel.EndsAt.Unix() {
		t.Errorf("exp 20 minutes before the relationship ends = %d, want its end %d", c.Expires, rel.EndsAt.Unix())
	}
}

// TestTokenNeverWidensAScopedGrant: a whole-tenant grant beside a scoped
// one must not carry the scoped grant's permissions to the whole tenant.
func TestTokenNeverWidensAScopedGrant(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin", "site-lead"}}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"site-lead"}, Scope: []string{"/sites/eu"}}))
	res, err := w.svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	c := claimsOf(t, res.Token)
	if slices.Contains(c.Perms, "rooms.create") || fmt.Sprint(c.ResourceScope) != "[*]" {
		t.Errorf("summary perms %v on %v: rooms.create (held only under /sites/eu) claimed for the whole tenant", c.Perms, c.ResourceScope)
	}
	wantReason(t, w.check(tom, "contoso", "rooms.create", "/sites/us/nyc"), access.ReasonOutOfScope)
	found := false
	for _, g := range c.Grants {
		found = found || (fmt.Sprint(g.Scope) == "[/sites/eu]" && slices.Contains(g.Perms, "rooms.create"))
	}
	if !found {
		t.Errorf("grants %+v, want site-lead's rooms.create under /sites/eu", c.Grants)
	}
	// Two scoped grants with different permissions: the summary claims
	// neither's permissions for the other's scope.
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:ann", Permissions: []string{"rooms.modify"}, Scope: []string{"/sites/us"}}))
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:ann", Permissions: []string{"rooms.view"}, Scope: []string{"/sites/eu"}}))
	res, err = w.svc.Switch(ctx, tenancy.Caller{User: "ann", Tenant: "northwind"}, tenancy.SwitchRequest{Tenant: "contoso"})
	if err != nil {
		t.Fatal(err)
	}
	if c := claimsOf(t, res.Token); len(c.Perms) != 0 || len(c.Grants) != 2 {
		t.Errorf("summary %v on %v with %d grants, want no summary permission and two exact grants", c.Perms, c.ResourceScope, len(c.Grants))
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestSwitchDenials(t *testing.T) {
	ctx := context.Background()
	sam := tenancy.Caller{User: "sam", Tenant: "northwind"}
	tests := []struct {
		name   string
		setup  func(w *world) tenancy.Caller
		reason access.Reason
	}{
		{"no relationship", func(w *world) tenancy.Caller { return tom }, access.ReasonNoRelationship},
		{"no grant", func(w *world) tenancy.Caller {
			w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
			return sam
		}, access.ReasonNoGrant},
		{"mfa required", func(w *world) tenancy.Caller {
			rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}, RequireMFA: true}, tenancy.Acceptance{})
			w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
			return tom
		}, access.ReasonMFARequired},
		{"expired", func(w *world) tenancy.Caller {
			d := 24 * time.Hour
			rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}, Duration: &d}, tenancy.Acceptance{})
			w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
			w.advance(d)
			return tom
		}, access.ReasonRelationshipExpired},
		{"terminated", func(w *world) tenancy.Caller {
			rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
			w.must(w.svc.TerminateRelationship(ctx, carl, rel.ID))
			return tom
		}, access.ReasonRelationshipTerminated},
		{"eligible not active", func(w *world) tenancy.Caller {
			rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
			w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}, Eligible: true}))
			return tom
		}, access.ReasonEligibleNotActive},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := switchWorld(t)
			caller := tc.setup(w)
			_, err := w.svc.Switch(ctx, caller, tenancy.SwitchRequest{Tenant: "contoso"})
			if de := wantErr[*tenancy.DeniedError](t, err, "Switch()"); de.Reason != tc.reason {
				t.Errorf("Switch() denied with %s, want %s", de.Reason, tc.reason)
			}
			if !slices.Contains(w.outboxTypes(), string(events.DetailTypeAccessDenied)) {
				t.Error("the refusal left no AccessDenied event")
			}
		})
	}
	w := switchWorld(t)
	for _, in := range []tenancy.SwitchRequest{{Tenant: "northwind"}, {Tenant: "Not An Id"}, {Tenant: "contoso", Activate: []string{"x"}}, {Tenant: "contoso", Duration: ptr(2 * time.Hour)}} {
		if _, err := w.svc.Switch(ctx, tom, in); err == nil || !errors.As(err, new(*tenancy.ValidationError)) {
			t.Errorf("Switch(%+v) = %v, want a validation error", in, err)
		}
	}
}

func TestJustInTimeActivation(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	window := 30 * time.Minute
	a, err := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "group:oncall", Roles: []string{"helpdesk-admin"}, Eligible: true, MaxActivation: &window})
	if err != nil {
		t.Fatal(err)
	}
	oncall := tom
	oncall.Groups = []string{"oncall"}
	wantReason(t, w.check(oncall, "contoso", "tickets.update", ""), access.ReasonEligibleNotActive)
	targets, err := w.svc.SwitchTargets(ctx, oncall, tenancy.Page{})
	if err != nil || len(targets.Items) != 1 || targets.Items[0].Status != tenancy.TargetActivationRequired || len(targets.Items[0].Eligible) != 1 {
		t.Fatalf("targets before activation = %+v, %v; want contoso needing an activation", targets.Items, err)
	}
	if _, err := w.svc.Switch(ctx, oncall, tenancy.SwitchRequest{Tenant: "contoso", Activate: []string{a.ID}}); err == nil {
		t.Error("an activation without a justification was accepted")
	}
	_, err = w.svc.Switch(ctx, tenancy.Caller{User: "sam", Tenant: "northwind"}, tenancy.SwitchRequest{Tenant: "contoso", Activate: []string{a.ID}, Justification: "x"})
	wantErr[*tenancy.ValidationError](t, err, "activating another principal's assignment")

	res, err := w.svc.Switch(ctx, oncall, tenancy.SwitchRequest{Tenant: "contoso", Activate: []string{a.ID}, Justification: "INC-4711 printer fleet down"})
	if err != nil {
		t.Fatal(err)
	}
	if c := claimsOf(t, res.Token); c.Expires != w.clock().Add(window).Unix() {
		t.Errorf("exp = %d, want the activation's end %d", c.Expires, w.clock().Add(window).Unix())
	}
	if p := w.outboxPayloads(events.DetailTypeAssignmentActivated); len(p) != 1 || !strings.Contains(string(p[0]), "INC-4711") {
		t.Errorf("AssignmentActivated events = %s, want one with the justification", p)
	}
	wantReason(t, w.check(oncall, "contoso", "tickets.update", ""), access.ReasonAllowed)
	// The activation is Tom's: another member of the group has activated nothing.
	bob := tenancy.Caller{User: "bob", Tenant: "northwind", Groups: []string{"oncall"}}
	wantReason(t, w.check(bob, "contoso", "tickets.update", ""), access.ReasonEligibleNotActive)
	if _, err := w.svc.Switch(ctx, bob, tenancy.SwitchRequest{Tenant: "contoso"}); err == nil {
		t.Error("a group member switched on another member's activation")
	}
	w.advance(window - time.Second)
	wantReason(t, w.check(oncall, "contoso", "tickets.update", ""), access.ReasonAllowed)
	w.advance(time.Second)
	wantReason(t, w.check(oncall, "contoso", "tickets.update", ""), access.ReasonEligibleNotActive)
}

func TestRevocation(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin", "site-lead"}}, tenancy.Acceptance{})
	a1, _ := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:ann", Roles: []string{"site-lead"}}))
	ann := tenancy.Caller{User: "ann", Tenant: "northwind"}
	s1, _ := w.svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso"})
	s2, _ := w.svc.Switch(ctx, ann, tenancy.SwitchRequest{Tenant: "contoso"})

	// Removing Tom's assignment revokes Tom's session only.
	if err := w.svc.RemoveDelegated(ctx, carl, rel.ID, a1.ID); err != nil {
		t.Fatal(err)
	}
	revoked := w.outboxPayloads(events.DetailTypeSwitchSessionsRevoked)
	if len(revoked) != 1 || !strings.Contains(string(revoked[0]), s1.SessionID) || strings.Contains(string(revoked[0]), s2.SessionID) {
		t.Fatalf("after removing Tom's assignment: %s, want Tom's session %s revoked, not Ann's", revoked, s1.SessionID)
	}
	// Offboarding revokes every live session; the next switch fails.
	w.must(w.svc.TerminateRelationship(ctx, carl, rel.ID))
	revoked = w.outboxPayloads(events.DetailTypeSwitchSessionsRevoked)
	offboarded := false
	for _, r := range revoked {
		offboarded = offboarded || strings.Contains(string(r), "relationship-terminated") && strings.Contains(string(r), s2.SessionID)
	}
	if len(revoked) != 2 || !offboarded {
		t.Errorf("after offboarding: %s, want Ann's session %s revoked", revoked, s2.SessionID)
	}
	_, err := w.svc.Switch(ctx, ann, tenancy.SwitchRequest{Tenant: "contoso"})
	if de := wantErr[*tenancy.DeniedError](t, err, "switch after offboarding"); de.Reason != access.ReasonRelationshipTerminated {
		t.Errorf("reason = %s", de.Reason)
	}
}

func TestSwitchTargets(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	for _, tn := range []tenancy.NewTenant{
		{ID: "adatum", Name: "Adatum", Domain: "adatum.example", Admins: []string{"user:ada"}},
		{ID: "bellows", Name: "Bellows", Domain: "bellows.example", Admins: []string{"user:bo"}},
	} {
		w.must(w.svc.CreateTenant(ctx, operator, tn))
	}
	relate := func(customer, admin string, mfa bool) tenancy.Relationship {
		inv, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: customer, Roles: []string{"helpdesk-admin"}, RequireMFA: mfa})
		if err != nil {
			t.Fatal(err)
		}
		rel, err := w.svc.AcceptInvitation(ctx, tenancy.Caller{User: admin, Tenant: customer}, inv.ID, tenancy.Acceptance{})
		if err != nil {
			t.Fatal(err)
		}
		return rel
	}
	for _, r := range []tenancy.Relationship{relate("contoso", "carl", false), relate("adatum", "ada", true)} {
		w.must(w.svc.AssignDelegated(ctx, nina, r.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
	}
	bel := relate("bellows", "bo", false)
	w.must(w.svc.AssignDelegated(ctx, nina, bel.ID, tenancy.NewAssignment{Principal: "user:ann", Roles: []string{"helpdesk-admin"}}))

	w.meter.Reset()
	all := map[string]string{}
	page := tenancy.Page{Limit: 1}
	pages := 0
	for ; ; pages++ {
		l, err := w.svc.SwitchTargets(ctx, tom, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range l.Items {
			all[it.TenantID] = it.Status
			if it.TenantName == "" {
				t.Errorf("target %s has no name", it.TenantID)
			}
		}
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	want := map[string]string{"adatum": tenancy.TargetMFARequired, "contoso": tenancy.TargetReady}
	if mustJSON(all) != mustJSON(want) {
		t.Errorf("targets = %v, want %v (bellows is Ann's, not Tom's)", all, want)
	}
	// A page reads Tom's home partition (tenants.switch), his index
	// partition (he has no groups), the partition of the one customer on
	// it, and the customer's name.
	if got := w.meter.Counts(); got["Query"] != 3*(pages+1) || got["BatchGetItem"] != pages+1 || w.meter.Total() != 4*(pages+1) {
		t.Errorf("%d pages of targets made %v, want 3 Queries and 1 BatchGetItem a page", pages+1, got)
	}
}

// Two members of a group activate the same eligible assignment: each holds
// an activation of its own, and the second never ends the first's.
func TestActivationsArePerUser(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	window := time.Hour
	a, err := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "group:oncall", Roles: []string{"helpdesk-admin"}, Eligible: true, MaxActivation: &window})
	if err != nil {
		t.Fatal(err)
	}
	tomOnCall := tenancy.Caller{User: "tom", Tenant: "northwind", Groups: []string{"oncall"}}
	bob := tenancy.Caller{User: "bob", Tenant: "northwind", Groups: []string{"oncall"}}
	first, err := w.svc.Switch(ctx, tomOnCall, tenancy.SwitchRequest{Tenant: "contoso", Activate: []string{a.ID}, Justification: "INC-1"})
	if err != nil {
		t.Fatal(err)
	}
	w.advance(10 * time.Minute)
	if _, err := w.svc.Switch(ctx, bob, tenancy.SwitchRequest{Tenant: "contoso", Activate: []string{a.ID}, Justification: "INC-2"}); err != nil {
		t.Fatal(err)
	}
	wantReason(t, w.check(tomOnCall, "contoso", "tickets.update", ""), access.ReasonAllowed)
	wantReason(t, w.check(bob, "contoso", "tickets.update", ""), access.ReasonAllowed)
	if revoked := w.outboxPayloads(events.DetailTypeSwitchSessionsRevoked); len(revoked) != 0 {
		t.Errorf("a second member's activation revoked sessions: %s", revoked)
	}
	// Tom's ends when his hour does, not when Bob's does.
	w.advance(50*time.Minute + time.Second)
	wantReason(t, w.check(tomOnCall, "contoso", "tickets.update", ""), access.ReasonEligibleNotActive)
	wantReason(t, w.check(bob, "contoso", "tickets.update", ""), access.ReasonAllowed)
	if c := claimsOf(t, first.Token); c.Expires != first.ExpiresAt.Unix() {
		t.Errorf("Tom's token exp = %d, want his session's end %d", c.Expires, first.ExpiresAt.Unix())
	}
	p := w.outboxPayloads(events.DetailTypeAssignmentActivated)
	if len(p) != 2 || !strings.Contains(string(p[0]), `"user":"tom"`) || !strings.Contains(string(p[1]), `"user":"bob"`) {
		t.Errorf("AssignmentActivated events = %s, want Tom's then Bob's", p)
	}
}

// A partner user without a grant retrying the switch does not fill the
// customer's audit log: one AccessDenied per window and kind, the repeats
// counted and recorded with the next window's first refusal or, when none
// comes, by the sweep that closes the window.
func TestRepeatedDenialsAreCountedNotRepeated(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	sam := tenancy.Caller{User: "sam", Tenant: "northwind"} // no grant in contoso
	denials := func() []events.AccessDenied {
		var out []events.AccessDenied
		for _, raw := range w.outboxPayloads(events.DetailTypeAccessDenied) {
			var d events.AccessDenied
			if err := json.Unmarshal(raw, &d); err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
		// The outbox is sharded: put them back in the order they happened.
		slices.SortFunc(out, func(a, b events.AccessDenied) int { return a.OccurredAt.Compare(b.OccurredAt) })
		return out
	}
	for i := 0; i < 50; i++ {
		if _, err := w.svc.Switch(ctx, sam, tenancy.SwitchRequest{Tenant: "contoso"}); err == nil {
			t.Fatal("a switch without a grant succeeded")
		}
	}
	if d := denials(); len(d) != 1 || d[0].Reason != string(access.ReasonNoGrant) || d[0].Repeats != 0 || !slices.Contains(d[0].Tenants, "contoso") {
		t.Fatalf("after 50 refusals: %+v, want one AccessDenied, seen by the customer", d)
	}
	// The next window's first refusal carries the 49 counted.
	w.advance(tenancy.DenialWindow + time.Second)
	w.svc.Switch(ctx, sam, tenancy.SwitchRequest{Tenant: "contoso"})
	if d := denials(); len(d) != 2 || d[1].Repeats != 49 || d[1].Summary {
		t.Fatalf("the next window's first refusal: %+v, want repeats 49", d)
	}
	// A window nobody refuses into again is closed by the sweep, with its count.
	for i := 0; i < 3; i++ {
		w.svc.Switch(ctx, sam, tenancy.SwitchRequest{Tenant: "contoso"})
	}
	w.advance(tenancy.DenialWindow + time.Second)
	r, err := w.svc.Sweep(ctx, 100)
	if err != nil || r.DenialWindowsClosed != 1 {
		t.Fatalf("Sweep() = %+v, %v; want the window closed", r, err)
	}
	d := denials()
	if last := d[len(d)-1]; len(d) != 3 || !last.Summary || last.Repeats != 3 {
		t.Errorf("after the sweep: %+v, want a summary of 3 repeats", d)
	}
	total := 0
	for _, x := range d {
		total += 1 + x.Repeats
		if x.Summary {
			total--
		}
	}
	if total != 54 {
		t.Errorf("the records account for %d refusals, want all 54", total)
	}
}

// The switcher is a permission (seed 000): a partner user with grants in a
// customer but without tenants.switch at home may not switch there and sees
// no targets, with the reason; check-access answers as before. A customer
// cannot give it (it is not delegable), and a custom role at home can.
func TestSwitchIsAPermission(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:uma", Roles: []string{"helpdesk-admin"}}))
	uma := tenancy.Caller{User: "uma", Tenant: "northwind"}

	_, err := w.svc.Switch(ctx, uma, tenancy.SwitchRequest{Tenant: "contoso"})
	if d := wantErr[*tenancy.DeniedError](t, err, "a switch without tenants.switch"); d.Reason != access.ReasonSwitchNotPermitted || !strings.Contains(d.Message, "tenants.switch") {
		t.Errorf("denied %s: %q; want switch-not-permitted naming tenants.switch", d.Reason, d.Message)
	}
	l, err := w.svc.SwitchTargets(ctx, uma, tenancy.Page{})
	if err != nil || len(l.Items) != 0 || l.Reason != access.ReasonSwitchNotPermitted || l.Detail == "" {
		t.Errorf("targets without tenants.switch = %+v, %v; want none, with the reason", l, err)
	}
	wantReason(t, w.check(uma, "contoso", "tickets.view", ""), access.ReasonAllowed)
	// The refusal is the partner's own business: in its audit log, never
	// in the target's (anyone could write there by naming any tenant).
	p := w.outboxPayloads(events.DetailTypeAccessDenied)
	if len(p) == 0 {
		t.Fatal("no AccessDenied event for a refused switch")
	}
	var last events.AccessDenied
	if err := json.Unmarshal(p[len(p)-1], &last); err != nil || last.Reason != string(access.ReasonSwitchNotPermitted) || !slices.Equal(last.Tenants, []string{"northwind"}) {
		t.Errorf("AccessDenied %s (%v): want switch-not-permitted for northwind only", p[len(p)-1], err)
	}

	// tenants.switch is held at home: a customer's role holding it is
	// refused, not a way in.
	_, _, err = w.svc.SaveRole(ctx, carl, "contoso", tenancy.NewRole{ID: "switchers", Name: "Switchers", Permissions: []string{tenancy.PermSwitch}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.AssignDelegated(ctx, carl, rel.ID, tenancy.NewAssignment{Principal: "user:uma", Roles: []string{"switchers"}})
	if err == nil {
		t.Error("a customer delegated tenants.switch to a partner user")
	}
	// Northwind's admin (global-admin) holds it; so does whoever the first-
	// line support role is given to.
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:nina", Roles: []string{"helpdesk-admin"}}))
	if _, err := w.svc.Switch(ctx, nina, tenancy.SwitchRequest{Tenant: "contoso"}); err != nil {
		t.Errorf("the partner's global admin: %v", err)
	}
	w.letSwitch("uma")
	res, err := w.svc.Switch(ctx, uma, tenancy.SwitchRequest{Tenant: "contoso"})
	if err != nil {
		t.Fatalf("with first-line support: %v", err)
	}
	if slices.Contains(res.Permissions, tenancy.PermSwitch) || !slices.Contains(res.Permissions, "tickets.view") {
		t.Errorf("the session holds %v: what her grants in contoso give, never the home permission", res.Permissions)
	}
	if l, err := w.svc.SwitchTargets(ctx, uma, tenancy.Page{}); err != nil || len(l.Items) != 1 || l.Reason != "" {
		t.Errorf("targets with first-line support = %+v, %v", l, err)
	}
}

// racingStore runs change once, right before the first switch commits: the
// grants the switch was decided on change under it.
type racingStore struct {
	*store.Store
	change  func()
	commits int
}

func (r *racingStore) CommitSwitch(ctx context.Context, sess tenancy.Session, epoch int, acts []tenancy.Activation, msgs []events.Message) error {
	r.commits++
	if f := r.change; f != nil {
		r.change = nil
		f()
	}
	return r.Store.CommitSwitch(ctx, sess, epoch, acts, msgs)
}

// A switch that races a removal in the same customer is decided again on
// what is stored then: the caller gets a session on what it still holds,
// not a 409; and one whose only grant was the one removed is refused with
// the reason.
func TestSwitchRacingARemovalIsDecidedAgain(t *testing.T) {
	w := switchWorld(t)
	ctx := context.Background()
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin", "site-lead"}}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
	other, err := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:sam", Roles: []string{"site-lead"}})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := token.NewLocalSigner()
	if err != nil {
		t.Fatal(err)
	}
	racing := &racingStore{Store: w.store}
	svc := tenancy.New(tenancy.Config{Store: racing, Now: w.clock, NewID: ids.Sequence("race"), OperatorTenant: "platform",
		Minter: token.NewIssuer(signer), TokenIssuer: "https://switchboard.test", TokenAudience: "downstream"})
	racing.change = func() { w.must(nil, w.svc.RemoveDelegated(ctx, nina, rel.ID, other.ID)) }
	res, err := svc.Switch(ctx, tom, tenancy.SwitchRequest{Tenant: "contoso"})
	if err != nil || racing.commits != 2 || !slices.Equal(res.Roles, []string{"helpdesk-admin"}) {
		t.Fatalf("a switch racing another user's removal = %+v, %v after %d commits; want a session on the second", res.Roles, err, racing.commits)
	}
	// Sam's own assignment goes while he switches: decided again, refused.
	sams, err := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:sam", Roles: []string{"site-lead"}})
	if err != nil {
		t.Fatal(err)
	}
	racing.commits, racing.change = 0, func() { w.must(nil, w.svc.RemoveDelegated(ctx, nina, rel.ID, sams.ID)) }
	_, err = svc.Switch(ctx, tenancy.Caller{User: "sam", Tenant: "northwind"}, tenancy.SwitchRequest{Tenant: "contoso"})
	if d := wantErr[*tenancy.DeniedError](t, err, "a switch whose grant was removed meanwhile"); d.Reason != access.ReasonNoGrant {
		t.Errorf("denied %s, want no-grant", d.Reason)
	}
}
