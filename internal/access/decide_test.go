package access

import (
	"fmt"
	"testing"
	"time"
)

var (
	t0     = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	cat    = Builtin()
	yearOn = t0.AddDate(1, 0, 0)
)

func perm(t testing.TB, id string) Permission {
	t.Helper()
	p, ok := cat.Permission(id)
	if !ok {
		t.Fatalf("permission %q not in catalogue", id)
	}
	return p
}

func role(t testing.TB, id string) GrantRole {
	t.Helper()
	r, ok := cat.Role(id)
	if !ok {
		t.Fatalf("role %q not in catalogue", id)
	}
	return GrantRole{ID: r.ID, Perms: r.Perms}
}

func ceiling(t testing.TB, roles ...string) PermSet {
	var s PermSet
	for _, id := range roles {
		s.Union(role(t, id).Perms)
	}
	return s
}

func TestDecide(t *testing.T) {
	alice := Subject{Home: "msp", User: "alice", Groups: []string{"techs"}}
	aliceMFA := alice
	aliceMFA.MFA = true
	activeLink := func() Link {
		return Link{ID: "rel-1", Status: LinkActive, EndsAt: yearOn, Ceiling: ceiling(t, "helpdesk-admin", "site-lead"), Scope: WholeTenant, Grants: true}
	}
	grant := func(mut func(*Grant)) Grant {
		g := Grant{ID: "asg-1", RelationshipID: "rel-1", PrincipalKind: KindUser, PrincipalID: "alice", Roles: []GrantRole{role(t, "helpdesk-admin")}, Scope: WholeTenant}
		if mut != nil {
			mut(&g)
		}
		return g
	}
	tests := []struct {
		name     string
		links    []Link
		grants   []Grant
		subject  Subject
		perm     string
		resource string
		at       time.Time
		want     Reason
		wantVia  Via
	}{
		{name: "delegated allowed", links: []Link{activeLink()}, grants: []Grant{grant(nil)}, perm: "tickets.update",
			want: ReasonAllowed, wantVia: Via{RelationshipID: "rel-1", AssignmentID: "asg-1", RoleID: "helpdesk-admin"}},
		{name: "delegated through a group", links: []Link{activeLink()}, grants: []Grant{grant(func(g *Grant) { g.PrincipalKind, g.PrincipalID = KindGroup, "techs" })},
			perm: "rooms.view", want: ReasonAllowed, wantVia: Via{RelationshipID: "rel-1", AssignmentID: "asg-1", RoleID: "helpdesk-admin"}},
		{name: "another user's grant does not apply", links: []Link{activeLink()}, grants: []Grant{grant(func(g *Grant) { g.PrincipalID = "bob" })},
			perm: "rooms.view", want: ReasonNoGrant},
		{name: "no relationship", grants: nil, perm: "rooms.view", want: ReasonNoRelationship},
		{name: "organisation membership grants nothing", links: []Link{{ID: "org-1", Status: LinkActive, EndsAt: yearOn, Scope: WholeTenant}},
			perm: "rooms.view", want: ReasonNoRelationship},
		{name: "expired by the clock before any cleanup", links: []Link{activeLink()}, grants: []Grant{grant(nil)}, perm: "rooms.view",
			at: yearOn, want: ReasonRelationshipExpired},
		{name: "expired by cleanup", links: []Link{func() Link { l := activeLink(); l.Status = LinkExpired; return l }()}, perm: "rooms.view", want: ReasonRelationshipExpired},
		{name: "terminated", links: []Link{func() Link { l := activeLink(); l.Status = LinkTerminated; return l }()}, perm: "rooms.view", want: ReasonRelationshipTerminated},
		{name: "not delegable even with global-admin", links: []Link{func() Link { l := activeLink(); l.Ceiling = ceiling(t, "global-admin"); return l }()},
			grants: []Grant{grant(func(g *Grant) { g.Roles = []GrantRole{role(t, "global-admin")} })}, perm: "data.export", want: ReasonNotDelegable},
		{name: "role holds it but the ceiling does not", links: []Link{func() Link { l := activeLink(); l.Ceiling = ceiling(t, "site-technical"); return l }()},
			grants: []Grant{grant(func(g *Grant) { g.Roles = []GrantRole{role(t, "site-lead")} })}, perm: "rooms.create", want: ReasonNotInCeiling},
		{name: "no grant of that permission", links: []Link{activeLink()}, grants: []Grant{grant(nil)}, perm: "rooms.create", want: ReasonNoGrant},
		{name: "out of the assignment scope", links: []Link{activeLink()}, grants: []Grant{grant(func(g *Grant) { g.Scope = MustParseScope("/sites/eu") })},
			perm: "rooms.view", resource: "/sites/us/r1", want: ReasonOutOfScope},
		{name: "inside the assignment scope", links: []Link{activeLink()}, grants: []Grant{grant(func(g *Grant) { g.Scope = MustParseScope("/sites/eu") })},
			perm: "rooms.view", resource: "/sites/eu/r1", want: ReasonAllowed, wantVia: Via{RelationshipID: "rel-1", AssignmentID: "asg-1", RoleID: "helpdesk-admin"}},
		{name: "out of the relationship scope", links: []Link{func() Link { l := activeLink(); l.Scope = MustParseScope("/sites/eu"); return l }()},
			grants: []Grant{grant(nil)}, perm: "rooms.view", resource: "/sites/us/r1", want: ReasonOutOfScope},
		{name: "scoped grant cannot hold an unscopeable permission", links: []Link{func() Link { l := activeLink(); l.Ceiling = ceiling(t, "primary-admin"); return l }()},
			grants: []Grant{grant(func(g *Grant) { g.Roles = []GrantRole{role(t, "primary-admin")}; g.Scope = MustParseScope("/sites/eu") })},
			perm:   "roles.view", resource: "/sites/eu", want: ReasonOutOfScope},
		{name: "tenant-wide resource needs a tenant-wide scope", links: []Link{activeLink()}, grants: []Grant{grant(func(g *Grant) { g.Scope = MustParseScope("/sites/eu") })},
			perm: "rooms.view", want: ReasonOutOfScope},
		{name: "mfa required", links: []Link{func() Link { l := activeLink(); l.RequireMFA = true; return l }()}, grants: []Grant{grant(nil)},
			perm: "rooms.view", want: ReasonMFARequired},
		{name: "mfa present", links: []Link{func() Link { l := activeLink(); l.RequireMFA = true; return l }()}, grants: []Grant{grant(nil)},
			subject: aliceMFA, perm: "rooms.view", want: ReasonAllowed, wantVia: Via{RelationshipID: "rel-1", AssignmentID: "asg-1", RoleID: "helpdesk-admin"}},
		{name: "mfa needed only on the relationship that would allow", links: []Link{
			func() Link { l := activeLink(); l.RequireMFA = true; return l }(),
			{ID: "rel-2", Status: LinkActive, EndsAt: yearOn, Ceiling: ceiling(t, "site-technical"), Scope: WholeTenant, Grants: true}},
			grants: []Grant{grant(nil)}, perm: "rooms.view", want: ReasonMFARequired},
		{name: "eligible not active", links: []Link{activeLink()}, grants: []Grant{grant(func(g *Grant) { g.Eligible = true })},
			perm: "rooms.view", want: ReasonEligibleNotActive},
		{name: "activated by another member of the group", links: []Link{activeLink()}, grants: []Grant{grant(func(g *Grant) {
			g.PrincipalKind, g.PrincipalID, g.Eligible, g.Activations = KindGroup, "techs", true, []Activation{{User: "bob", Until: t0.Add(time.Hour)}}
		})}, perm: "rooms.view", want: ReasonEligibleNotActive},
		{name: "eligible and activated", links: []Link{activeLink()}, grants: []Grant{grant(func(g *Grant) {
			g.Eligible = true
			g.Activations = []Activation{{User: "alice", Until: t0.Add(time.Hour)}}
		})},
			perm: "rooms.view", want: ReasonAllowed, wantVia: Via{RelationshipID: "rel-1", AssignmentID: "asg-1", RoleID: "helpdesk-admin"}},
		{name: "activation ended", links: []Link{activeLink()}, grants: []Grant{grant(func(g *Grant) {
			g.Eligible = true
			g.Activations = []Activation{{User: "alice", Until: t0.Add(time.Hour)}}
		})},
			perm: "rooms.view", at: t0.Add(time.Hour), want: ReasonEligibleNotActive},
		{name: "a grant on a terminated relationship beside an active one", links: []Link{
			func() Link { l := activeLink(); l.Status = LinkTerminated; return l }(),
			{ID: "rel-2", Status: LinkActive, EndsAt: yearOn, Ceiling: ceiling(t, "helpdesk-admin"), Scope: WholeTenant, Grants: true}},
			grants: []Grant{grant(nil)}, perm: "rooms.view", want: ReasonNoGrant},
		{name: "direct permission", links: []Link{activeLink()}, grants: []Grant{grant(func(g *Grant) {
			g.Roles = nil
			g.Direct.Add(perm(t, "rooms.modify"))
		})}, perm: "rooms.modify", want: ReasonAllowed, wantVia: Via{RelationshipID: "rel-1", AssignmentID: "asg-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.subject
			if s.User == "" {
				s = alice
			}
			res := tc.resource
			if res == "" {
				res = "/"
			}
			at := tc.at
			if at.IsZero() {
				at = t0
			}
			p := NewPartition("customer", "msp", tc.links, tc.grants)
			got := Decide(p, s, perm(t, tc.perm), res, at)
			if got.Reason != tc.want || got.Allowed != (tc.want == ReasonAllowed) || got.Via != tc.wantVia {
				t.Errorf("Decide() = %v %s via %+v, want %s via %+v", got.Allowed, got.Reason, got.Via, tc.want, tc.wantVia)
			}
		})
	}
}

func TestDecideNative(t *testing.T) {
	bob := Subject{Home: "acme", User: "bob", Groups: []string{"admins"}}
	admins := Grant{ID: "asg-n", PrincipalKind: KindGroup, PrincipalID: "admins", Roles: []GrantRole{role(t, "global-admin")}, Scope: WholeTenant}
	scoped := Grant{ID: "asg-s", PrincipalKind: KindUser, PrincipalID: "bob", Roles: []GrantRole{role(t, "site-technical")}, Scope: MustParseScope("/sites/us")}
	tests := []struct {
		name     string
		grants   []Grant
		perm     string
		resource string
		want     Reason
	}{
		{"own tenant admin may export data", []Grant{admins}, "data.export", "/", ReasonAllowed},
		{"no assignment", nil, "rooms.view", "/", ReasonNoGrant},
		{"scoped native grant inside", []Grant{scoped}, "rooms.modify", "/sites/us/r9", ReasonAllowed},
		{"scoped native grant outside", []Grant{scoped}, "rooms.modify", "/sites/usa", ReasonOutOfScope},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPartition("acme", "acme", nil, tc.grants)
			if got := Decide(p, bob, perm(t, tc.perm), tc.resource, t0); got.Reason != tc.want {
				t.Errorf("Decide() = %s, want %s", got.Reason, tc.want)
			}
		})
	}
}

func TestScope(t *testing.T) {
	tests := []struct {
		patterns []string
		resource string
		want     bool
	}{
		{[]string{"*"}, "/", true},
		{[]string{"*"}, "/anything/at/all", true},
		{[]string{"/sites/us"}, "/sites/us", true},
		{[]string{"/sites/us"}, "/sites/us/r1", true},
		{[]string{"/sites/us"}, "/sites/usa", false},
		{[]string{"/sites/us"}, "/sites", false},
		{[]string{"/sites/us"}, "/", false},
		{[]string{"/sites/us/*"}, "/sites/us", false},
		{[]string{"/sites/us/*"}, "/sites/us/r1", true},
		{[]string{"/sites/*/rooms"}, "/sites/eu/rooms/r1", true},
		{[]string{"/sites/*/rooms"}, "/sites/eu/groups", false},
		{[]string{"/workspaces/ws-1", "/sites/eu"}, "/sites/eu/r", true},
	}
	for _, tc := range tests {
		s := MustParseScope(tc.patterns...)
		if err := ValidateResource(tc.resource); err != nil {
			t.Fatalf("ValidateResource(%q) = %v", tc.resource, err)
		}
		if got := s.Covers(tc.resource); got != tc.want {
			t.Errorf("%v.Covers(%q) = %v, want %v", tc.patterns, tc.resource, got, tc.want)
		}
	}
}

func TestScopeRejects(t *testing.T) {
	for _, p := range []string{"", "sites", "/sites/us*", "/sites//us", "/sites/us/", "/sites/../x", "/sites/%2e%2e", "/sites/ｕｓ", "/a b"} {
		if _, err := ParseScope([]string{p}); err == nil {
			t.Errorf("ParseScope(%q) = nil error, want a refusal", p)
		}
	}
	if _, err := ParseScope([]string{"*", "junk"}); err == nil {
		t.Error(`ParseScope(["*", "junk"]) = nil error, want a refusal`)
	}
	if _, err := ParseScope(nil); err == nil {
		t.Error("ParseScope(nil) = nil error, want a refusal")
	}
	for _, r := range []string{"", "x", "/a/", "/a/*", "/a/./b", "//"} {
		if err := ValidateResource(r); err == nil {
			t.Errorf("ValidateResource(%q) = nil, want an error", r)
		}
	}
}

func TestScopeWithin(t *testing.T) {
	tests := []struct {
		inner, outer []string
		want         bool
	}{
		{[]string{"/sites/us/r1"}, []string{"/sites/us"}, true},
		{[]string{"/sites/us"}, []string{"/sites/us/*"}, false},
		{[]string{"/sites/us/*"}, []string{"/sites/*"}, true},
		{[]string{"/sites/*"}, []string{"/sites/us"}, false},
		{[]string{"*"}, []string{"/sites"}, false},
		{[]string{"/x"}, []string{"*"}, true},
	}
	for _, tc := range tests {
		if got := MustParseScope(tc.inner...).Within(MustParseScope(tc.outer...)); got != tc.want {
			t.Errorf("%v.Within(%v) = %v, want %v", tc.inner, tc.outer, got, tc.want)
		}
	}
}

func TestCatalogueMatchesTheSeedMatrix(t *testing.T) {
	want := map[string][]string{
		"site-technical": {"incidents.create", "rooms.download-key", "rooms.modify", "rooms.unregister", "rooms.view", "tickets.update", "tickets.view"},
		"tenant-manager": {"invitations.accept", "relationships.view"},
		"primary-admin":  {"groups.view", "incidents.create", "reports.view", "rings.modify", "rings.view", "roles.modify", "roles.view", "rooms.modify", "rooms.view", "tickets.update", "tickets.view"},
	}
	for id, perms := range want {
		r, _ := cat.Role(id)
		if got := fmt.Sprint(cat.IDs(r.Perms)); got != fmt.Sprint(perms) {
			t.Errorf("role %s = %s, want %v", id, got, perms)
		}
	}
	ga, _ := cat.Role("global-admin")
	if ga.Perms.Len() != len(cat.Permissions()) {
		t.Errorf("global-admin has %d permissions, want all %d", ga.Perms.Len(), len(cat.Permissions()))
	}
	if p, _ := cat.Permission("data.export"); p.Delegable {
		t.Error("data.export is delegable, want never")
	}
}

// benchPartition builds a partner's partition with n assignments, only the last
// of which belongs to the subject, so a decision walks all of them.
func benchPartition(b *testing.B, n, patterns int) *Partition {
	link := Link{ID: "rel-1", Status: LinkActive, EndsAt: yearOn, Ceiling: ceiling(b, "site-lead"), Scope: WholeTenant, Grants: true}
	var pats []string
	for i := 0; i < patterns; i++ {
		pats = append(pats, fmt.Sprintf("/sites/s%d", i))
	}
	grants := make([]Grant, n)
	for i := range grants {
		grants[i] = Grant{ID: fmt.Sprintf("asg-%d", i), RelationshipID: "rel-1", PrincipalKind: KindUser, PrincipalID: fmt.Sprintf("user-%d", i),
			Roles: []GrantRole{role(b, "site-technical"), role(b, "site-lead")}, Scope: MustParseScope(pats...)}
	}
	grants[n-1].PrincipalID = "alice"
	return NewPartition("customer", "msp", []Link{link}, grants)
}

func BenchmarkDecide(b *testing.B) {
	alice := Subject{Home: "msp", User: "alice", Groups: []string{"g1", "g2", "g3"}}
	rooms := perm(b, "rooms.create")
	for _, n := range []int{1, 10, 50, 500} {
		for _, pats := range []int{1, 10, 100} {
			p := benchPartition(b, n, pats)
			resource := fmt.Sprintf("/sites/s%d/rooms/r1", pats-1)
			b.Run(fmt.Sprintf("assignments=%d/patterns=%d", n, pats), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if d := Decide(p, alice, rooms, resource, t0); !d.Allowed {
						b.Fatalf("Decide() = %s, want allowed", d.Reason)
					}
				}
			})
		}
	}
}

// BenchmarkDecideBatch is a batch of 100 checks against one partition of 50
// assignments: what a check-access call with {"checks": [...]} costs in CPU
// once its one Query has answered.
func BenchmarkDecideBatch(b *testing.B) {
	alice := Subject{Home: "msp", User: "alice", Groups: []string{"g1", "g2", "g3"}}
	p := benchPartition(b, 50, 10)
	perms := cat.Permissions()
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < 100; i++ {
			_ = Decide(p, alice, perms[i%len(perms)], "/sites/s3/rooms/r1", t0)
		}
	}
}
