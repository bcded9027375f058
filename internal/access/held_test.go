package access

import (
	"slices"
	"testing"
	"time"
)

func TestHeld(t *testing.T) {
	alice := Subject{Home: "acme", User: "alice", Groups: []string{"admins"}}
	native := func(grants ...Grant) *Partition { return NewPartition("acme", "acme", nil, grants) }
	g := func(kind, id string, scope Scope, roles ...string) Grant {
		gr := Grant{ID: id + "-grant", PrincipalKind: kind, PrincipalID: id, Scope: scope}
		for _, r := range roles {
			gr.Roles = append(gr.Roles, role(t, r))
		}
		return gr
	}
	eu := MustParseScope("/sites/eu/*")
	tests := []struct {
		name      string
		p         *Partition
		scope     Scope
		hold      []string
		notHold   []string
		roles     []string
		wantEmpty bool
	}{
		{name: "a global admin holds everything on the whole tenant", p: native(g(KindUser, "alice", WholeTenant, "global-admin")), scope: WholeTenant,
			hold: []string{"data.export", "roles.modify"}, roles: []string{"global-admin"}},
		{name: "a primary admin does not hold data.export", p: native(g(KindUser, "alice", WholeTenant, "primary-admin")), scope: WholeTenant,
			hold: []string{"roles.modify", "rooms.view"}, notHold: []string{"data.export", "rooms.create"}, roles: []string{"primary-admin"}},
		{name: "through a group", p: native(g(KindGroup, "admins", WholeTenant, "site-lead")), scope: eu, hold: []string{"rooms.create"}},
		{name: "a grant on part of the tenant holds nothing on all of it", p: native(g(KindUser, "alice", eu, "site-lead")), scope: WholeTenant, wantEmpty: true},
		{name: "a grant on part of the tenant holds no unscopeable permission", p: native(g(KindUser, "alice", eu, "mmr-admin")), scope: MustParseScope("/sites/eu/paris"),
			hold: []string{"rooms.create"}, notHold: []string{"roles.modify", "settings.modify"}},
		{name: "someone else's grant", p: native(g(KindUser, "bob", WholeTenant, "global-admin")), scope: WholeTenant, wantEmpty: true},
		{name: "an eligible grant not activated", p: native(func() Grant { x := g(KindUser, "alice", WholeTenant, "global-admin"); x.Eligible = true; return x }()),
			scope: WholeTenant, wantEmpty: true},
		{name: "an eligible grant activated by another member", p: native(func() Grant {
			x := g(KindGroup, "admins", WholeTenant, "global-admin")
			x.Eligible, x.Activations = true, []Activation{{User: "bob", Until: t0.Add(time.Hour)}}
			return x
		}()), scope: WholeTenant, wantEmpty: true},
		{name: "delegated, capped by the ceiling and delegability", p: NewPartition("acme", "msp",
			[]Link{{ID: "rel-1", Status: LinkActive, EndsAt: yearOn, Ceiling: ceiling(t, "helpdesk-admin"), Scope: WholeTenant, Grants: true}},
			[]Grant{{ID: "a", RelationshipID: "rel-1", PrincipalKind: KindUser, PrincipalID: "alice", Roles: []GrantRole{role(t, "global-admin")}, Scope: WholeTenant}}),
			scope: WholeTenant, hold: []string{"tickets.update"}, notHold: []string{"data.export", "rooms.create"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := alice
			if !tt.p.Native() {
				sub.Home = "msp"
			}
			held, roles := Held(tt.p, sub, cat, tt.scope, t0)
			if tt.wantEmpty && held.Len() != 0 {
				t.Errorf("Held() = %v, want nothing", cat.IDs(held))
			}
			for _, id := range tt.hold {
				if !held.Has(perm(t, id)) {
					t.Errorf("Held() lacks %s: %v", id, cat.IDs(held))
				}
			}
			for _, id := range tt.notHold {
				if held.Has(perm(t, id)) {
					t.Errorf("Held() has %s, want it not held", id)
				}
			}
			for _, r := range tt.roles {
				if !slices.Contains(roles, r) {
					t.Errorf("Held() roles = %v, want %s among them", roles, r)
				}
			}
		})
	}
}
