package access

import (
	"strings"
	"testing"
	"time"
)

// FuzzDecide builds a delegated partition from the fuzz bytes and checks every
// permission of the catalogue on a handful of resources against the rules of
// SPEC §3, written out again here from the outside: an allow must be explained
// by the grant and relationship it names, a grant that meets every rule must
// allow, and Evaluate (what a switch token carries) must never give more than
// the relationship's ceiling, what is delegable and what the grant holds.
func FuzzDecide(f *testing.F) {
	// The bytes are read in the order newDecideFixture reads them; missing
	// bytes are zeros. Roles by bit: 0 global-admin, 1 tenant-manager,
	// 2 helpdesk-admin, 3 mmr-admin, 4 site-lead, 5 site-technical,
	// 6 primary-admin (role masks are inverted, so 0 is every role).
	for _, seed := range [][]byte{
		{},                 // one active link, a standing grant of every role to alice
		{0, 0, 0, 0, 0, 1}, // the link requires MFA and alice has none
		{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, // … and with MFA
		{0, 0, 2}, // the link ends exactly now
		{0, 3},    // the link is expired by cleanup
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2},       // an eligible grant activated until exactly now
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1},       // an eligible grant active for another hour
		{0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 3},             // link on /sites/us, group grant on /sites/us/*
		{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},             // link on /sites/us, grant on the whole tenant
		{0, 0, 0, 0xef, 0, 0, 0, 0, 0, 0, 0xff, 3, 7, 8, 0}, // ceiling site-lead, direct rooms.view, rooms.modify, relationships.view
		{0, 0, 0, 0, 0, 0, 3},                               // an organisation membership: grants nothing
		// A terminated link, an MFA-bound helpdesk link on /sites/*/rooms, a
		// site-lead link on /sites/us, a grant whose relationship is gone;
		// then the same without MFA.
		{2, 2, 0, 0, 0, 0, 0, 0, 1, 0xfb, 6, 1, 0, 0, 0, 0xef, 1, 0, 0,
			3, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xfb, 0, 2, 0, 0, 2, 0, 0xff, 2, 7, 13, 3, 2, 1, 3, 0, 0, 0, 0, 0, 0, 1},
		{2, 2, 0, 0, 0, 0, 0, 0, 1, 0xfb, 6, 1, 0, 0, 0, 0xef, 1, 0, 0,
			3, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xfb, 0, 2, 0, 0, 2, 0, 0xff, 2, 7, 13, 3, 2, 1, 3, 0, 0, 0, 0, 0, 0, 0},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fx := newDecideFixture(data)
		p := NewPartition("contoso", "northwind", fx.links, fx.grants)
		c := Builtin()
		var delegable, scopeable PermSet
		for _, perm := range c.Permissions() {
			if perm.Delegable {
				delegable.Add(perm)
			}
			if perm.Scopeable {
				scopeable.Add(perm)
			}
		}
		for _, perm := range c.Permissions() {
			for _, res := range fuzzResources {
				d := Decide(p, fx.subject, perm, res, fuzzNow)
				witness := fx.witness(perm, res)
				if !d.Allowed {
					if witness != "" {
						t.Fatalf("%s\nDecide(%s, %q) = deny(%s), want allow through %s", fx, perm.ID, res, d.Reason, witness)
					}
					if d.Reason == ReasonAllowed || d.Via != (Via{}) {
						t.Fatalf("%s\nDecide(%s, %q) = deny with reason %q via %+v", fx, perm.ID, res, d.Reason, d.Via)
					}
					continue
				}
				if why := fx.explains(d.Via, perm, res); why != "" {
					t.Fatalf("%s\nDecide(%s, %q) = allow via %+v, but %s", fx, perm.ID, res, d.Via, why)
				}
			}
		}

		// Each grant that can act carries exactly held ∩ ceiling ∩ delegable,
		// less what cannot be scoped unless grant and relationship both span
		// the whole tenant; a grant that carries nothing is left out.
		want, wantEnds := map[string]PermSet{}, time.Time{}
		for i := range fx.grants {
			g := &fx.grants[i]
			l := fx.link(g.RelationshipID)
			if fx.usable(g, l) != "" {
				continue
			}
			carries := intersect(held(g), l.Ceiling, delegable)
			if !(g.Scope.All() && l.Scope.All()) {
				carries = intersect(carries, scopeable)
			}
			if carries.Len() > 0 {
				want[g.ID] = carries
				if wantEnds.IsZero() || l.EndsAt.Before(wantEnds) {
					wantEnds = l.EndsAt
				}
			}
		}
		e, reason := Evaluate(p, fx.subject, c, fuzzNow)
		if (reason == ReasonAllowed) != (len(e.Grants) > 0) {
			t.Fatalf("%s\nEvaluate() = %s with %d grants", fx, reason, len(e.Grants))
		}
		var union PermSet
		for _, eg := range e.Grants {
			g := fx.grant(eg.AssignmentID)
			if g == nil || g.RelationshipID != eg.RelationshipID {
				t.Fatalf("%s\nEvaluate() names assignment %q of relationship %q, which is not a grant of the partition", fx, eg.AssignmentID, eg.RelationshipID)
			}
			l := fx.link(g.RelationshipID)
			if why := fx.usable(g, l); why != "" {
				t.Fatalf("%s\nEvaluate() carries %s, but %s", fx, g.ID, why)
			}
			if limit := intersect(l.Ceiling, delegable); !eg.Perms.SubsetOf(limit) {
				t.Fatalf("%s\nEvaluate() gives %s %v, beyond ceiling ∩ delegable %v", fx, g.ID, c.IDs(eg.Perms), c.IDs(limit))
			}
			if eg.Perms != want[g.ID] {
				t.Fatalf("%s\nEvaluate() gives %s %v, want %v", fx, g.ID, c.IDs(eg.Perms), c.IDs(want[g.ID]))
			}
			delete(want, g.ID) // a second entry for the grant fails above
			union.Union(eg.Perms)
			// What the token carries, Decide allows.
			for _, perm := range c.Permissions() {
				if !eg.Perms.Has(perm) {
					continue
				}
				for _, res := range fuzzResources {
					if refScopeCovers(g.Scope, res) && refScopeCovers(l.Scope, res) {
						if d := Decide(p, fx.subject, perm, res, fuzzNow); !d.Allowed {
							t.Fatalf("%s\nEvaluate() gives %s %s but Decide(%s, %q) = deny(%s)", fx, g.ID, perm.ID, perm.ID, res, d.Reason)
						}
					}
				}
			}
		}
		for id, carries := range want {
			t.Fatalf("%s\nEvaluate() leaves out %s, which carries %v", fx, id, c.IDs(carries))
		}
		if e.Perms != union {
			t.Fatalf("%s\nEvaluate().Perms = %v, want the union of its grants %v", fx, c.IDs(e.Perms), c.IDs(union))
		}
		if !e.EndsAt.Equal(wantEnds) {
			t.Fatalf("%s\nEvaluate().EndsAt = %v, want the earliest end of the grants' relationships %v", fx, e.EndsAt, wantEnds)
		}
	})
}

var (
	fuzzNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

	// Offsets from now for a link's end and an activation's end; zero is "never set".
	fuzzOffsets = []time.Duration{365 * 24 * time.Hour, time.Hour, 0, -time.Hour}

	fuzzScopes = [][]string{
		{"*"}, {"/sites/us"}, {"/sites/*"}, {"/sites/us/*"}, {"/sites/eu"},
		{"/workspaces/ws-1"}, {"/sites/*/rooms"}, {"/sites/us", "/workspaces/ws-1"},
	}
	fuzzResources = []string{
		"/", "/sites/us", "/sites/usa", "/sites/us/rooms/r1", "/sites/eu/rooms/r1", "/workspaces/ws-1",
	}
	fuzzPrincipals = []struct{ kind, id string }{
		{KindUser, "alice"}, {KindGroup, "techs"}, {KindUser, "bob"}, {KindGroup, "ops"}, {KindGroup, "alice"},
	}
	fuzzStatuses = []string{LinkActive, LinkActive, LinkTerminated, LinkExpired}
)

// decideFixture is a partition between contoso (customer) and northwind
// (partner) and the subject asking, alice of northwind.
type decideFixture struct {
	links   []Link
	grants  []Grant
	subject Subject
}

// byteSource hands out the fuzz bytes, then zeros; zeros build the plainest
// case (an active link, a standing grant of every role to alice).
type byteSource []byte

func (b *byteSource) next() byte {
	if len(*b) == 0 {
		return 0
	}
	c := (*b)[0]
	*b = (*b)[1:]
	return c
}

func (b *byteSource) pick(n int) int { return int(b.next()) % n }

func newDecideFixture(data []byte) *decideFixture {
	src := byteSource(data)
	c := Builtin()
	roles, perms := c.Roles(), c.Permissions()
	rolesIn := func(mask byte) []GrantRole {
		var out []GrantRole
		for i, r := range roles {
			if mask&(1<<(i%8)) != 0 {
				out = append(out, GrantRole{ID: r.ID, Perms: r.Perms})
			}
		}
		return out
	}
	scope := func() Scope { return MustParseScope(fuzzScopes[src.pick(len(fuzzScopes))]...) }

	fx := &decideFixture{}
	nLinks := 1 + src.pick(3)
	for i := 0; i < nLinks; i++ {
		l := Link{ID: "rel-" + string(rune('a'+i))}
		l.Status = fuzzStatuses[src.pick(len(fuzzStatuses))]
		l.EndsAt = fuzzNow.Add(fuzzOffsets[src.pick(len(fuzzOffsets))])
		for _, r := range rolesIn(^src.next()) {
			l.Ceiling.Union(r.Perms)
		}
		l.Scope = scope()
		l.RequireMFA = src.next()%2 == 1
		l.Grants = src.next()%4 != 3
		fx.links = append(fx.links, l)
	}
	nGrants := 1 + src.pick(4)
	for i := 0; i < nGrants; i++ {
		g := Grant{ID: "asg-" + string(rune('a'+i))}
		// One past the last link is a relationship that is not in the partition.
		if k := src.pick(nLinks + 1); k < nLinks {
			g.RelationshipID = fx.links[k].ID
		} else {
			g.RelationshipID = "rel-gone"
		}
		who := fuzzPrincipals[src.pick(len(fuzzPrincipals))]
		g.PrincipalKind, g.PrincipalID = who.kind, who.id
		g.Roles = rolesIn(^src.next())
		for n := src.pick(4); n > 0; n-- {
			g.Direct.Add(perms[src.pick(len(perms))])
		}
		g.Scope = scope()
		g.Eligible = src.next()%3 == 2
		// Activated by alice, by another member of the group, by both, or
		// not at all; each activation is its user's own.
		for _, user := range []string{"alice", "bob"} {
			if k := src.pick(len(fuzzOffsets) + 2); k < len(fuzzOffsets) {
				g.Activations = append(g.Activations, Activation{User: user, Until: fuzzNow.Add(fuzzOffsets[k])})
			}
		}
		fx.grants = append(fx.grants, g)
	}
	flags := src.next()
	fx.subject = Subject{Home: "northwind", User: "alice", MFA: flags&1 == 1}
	if flags&2 == 0 {
		fx.subject.Groups = append(fx.subject.Groups, "techs")
	}
	if flags&4 != 0 {
		fx.subject.Groups = append(fx.subject.Groups, "ops")
	}
	return fx
}

func (fx *decideFixture) link(id string) *Link {
	for i := range fx.links {
		if fx.links[i].ID == id {
			return &fx.links[i]
		}
	}
	return nil
}

func (fx *decideFixture) grant(id string) *Grant {
	for i := range fx.grants {
		if fx.grants[i].ID == id {
			return &fx.grants[i]
		}
	}
	return nil
}

// usable answers why grant g on link l cannot act for the subject now, or "".
func (fx *decideFixture) usable(g *Grant, l *Link) string {
	switch {
	case l == nil:
		return "its relationship is not in the partition"
	case !l.Grants:
		return "its relationship carries no rights"
	case l.Status != LinkActive:
		return "its relationship is " + l.Status
	case !fuzzNow.Before(l.EndsAt):
		return "its relationship ended at " + l.EndsAt.Format(time.RFC3339)
	case l.RequireMFA && !fx.subject.MFA:
		return "its relationship requires MFA and the subject has none"
	case g.Eligible && !activeForSubject(g, fx.subject.User):
		return "it is eligible and the subject's activation is missing or over"
	}
	switch g.PrincipalKind {
	case KindUser:
		if g.PrincipalID == fx.subject.User {
			return ""
		}
	case KindGroup:
		for _, grp := range fx.subject.Groups {
			if grp == g.PrincipalID {
				return ""
			}
		}
	}
	return "it is for " + g.PrincipalKind + " " + g.PrincipalID
}

// reaches answers why grant g on link l cannot give perm on res, or "".
func reaches(g *Grant, l *Link, perm Permission, res string) string {
	switch {
	case !perm.Delegable:
		return perm.ID + " is not delegable"
	case !l.Ceiling.Has(perm):
		return perm.ID + " is outside the ceiling of " + l.ID
	case perm.Scopeable && !(refScopeCovers(g.Scope, res) && refScopeCovers(l.Scope, res)):
		return res + " is outside the scopes of " + g.ID + " and " + l.ID
	case !perm.Scopeable && !(g.Scope.All() && l.Scope.All()):
		return perm.ID + " cannot be scoped and " + g.ID + " or " + l.ID + " is not the whole tenant"
	}
	return ""
}

// explains answers why via does not account for an allow of perm on res, or "".
func (fx *decideFixture) explains(via Via, perm Permission, res string) string {
	g, l := fx.grant(via.AssignmentID), fx.link(via.RelationshipID)
	if g == nil || l == nil || g.RelationshipID != l.ID {
		return "that names no grant of the partition on its relationship"
	}
	if why := fx.usable(g, l); why != "" {
		return g.ID + " cannot act: " + why
	}
	if via.RoleID == "" {
		if !g.Direct.Has(perm) {
			return g.ID + " does not hold " + perm.ID + " directly"
		}
	} else {
		found := false
		for _, r := range g.Roles {
			found = found || r.ID == via.RoleID && r.Perms.Has(perm)
		}
		if !found {
			return g.ID + " has no role " + via.RoleID + " holding " + perm.ID
		}
	}
	return reaches(g, l, perm, res)
}

// witness names a grant that should allow perm on res, or answers "".
func (fx *decideFixture) witness(perm Permission, res string) string {
	for i := range fx.grants {
		g := &fx.grants[i]
		l := fx.link(g.RelationshipID)
		hp := held(g)
		if fx.usable(g, l) == "" && hp.Has(perm) && reaches(g, l, perm, res) == "" {
			return g.ID
		}
	}
	return ""
}

// intersect answers the permissions in every set.
func intersect(first PermSet, rest ...PermSet) PermSet {
	for _, o := range rest {
		for i := range first {
			first[i] &= o[i]
		}
	}
	return first
}

// held is everything a grant holds before any ceiling.
func held(g *Grant) PermSet {
	s := g.Direct
	for _, r := range g.Roles {
		s.Union(r.Perms)
	}
	return s
}

// refScopeCovers is the reference matcher of scope_fuzz_test.go over every
// pattern of s.
func refScopeCovers(s Scope, res string) bool {
	for _, p := range s.Patterns() {
		if refCovers(p, res) {
			return true
		}
	}
	return false
}

func (fx *decideFixture) String() string {
	var b strings.Builder
	c := Builtin()
	b.WriteString("partition:")
	for _, l := range fx.links {
		b.WriteString("\n  link " + l.ID + " " + l.Status + " ends " + l.EndsAt.Sub(fuzzNow).String() + " from now")
		b.WriteString(" scope " + strings.Join(l.Scope.Patterns(), ","))
		if l.RequireMFA {
			b.WriteString(" mfa")
		}
		if !l.Grants {
			b.WriteString(" grants-nothing")
		}
		b.WriteString(" ceiling " + strings.Join(c.IDs(l.Ceiling), ","))
	}
	for _, g := range fx.grants {
		b.WriteString("\n  grant " + g.ID + " on " + g.RelationshipID + " to " + g.PrincipalKind + ":" + g.PrincipalID)
		for _, r := range g.Roles {
			b.WriteString(" role:" + r.ID)
		}
		if g.Direct.Len() > 0 {
			b.WriteString(" direct " + strings.Join(c.IDs(g.Direct), ","))
		}
		b.WriteString(" scope " + strings.Join(g.Scope.Patterns(), ","))
		if g.Eligible {
			b.WriteString(" eligible")
			for _, a := range g.Activations {
				b.WriteString(" activated by " + a.User + " until " + a.Until.Sub(fuzzNow).String() + " from now")
			}
		}
	}
	b.WriteString("\n  subject alice groups " + strings.Join(fx.subject.Groups, ","))
	if fx.subject.MFA {
		b.WriteString(" mfa")
	}
	return b.String()
}

// activeForSubject is the fuzz model of an activation, written apart from
// Grant.activeFor: some activation of the user's own that has not ended.
func activeForSubject(g *Grant, user string) bool {
	for _, a := range g.Activations {
		if a.User == user && fuzzNow.Before(a.Until) {
			return true
		}
	}
	return false
}
