package access

import "time"

// EffectiveGrant is one assignment that applies to a subject now.
type EffectiveGrant struct {
	AssignmentID   string
	RelationshipID string
	Roles          []string
	Perms          PermSet
	Scope          Scope
	// Until is when an activated eligible assignment stops; zero otherwise.
	Until time.Time
}

// Effective is everything a subject may do in the partition's tenant now —
// what a switch token carries.
type Effective struct {
	Grants []EffectiveGrant
	Perms  PermSet
	// EndsAt is the earliest end of the relationships the grants hang off.
	EndsAt time.Time
	// Dormant lists the subject's eligible assignments that are not active.
	Dormant []string
}

// Evaluate answers what the subject may do in a partner partition now, or why
// nothing, with the same rules and reason codes as Decide: a grant's
// permissions are capped by the ceiling and by what is delegable, and a grant
// limited to a scope carries only scopeable permissions.
func Evaluate(p *Partition, s Subject, c *Catalogue, now time.Time) (Effective, Reason) {
	var e Effective
	if p.Native() {
		return e, ReasonNoRelationship
	}
	if denial, mfaBlocked := gate(p, s, now); denial != "" {
		return e, denial
	} else if mfaBlocked {
		return e, ReasonMFARequired
	}
	delegable, scopeable := c.Delegable(), c.scopeable()
	mfaMissing := false
	for i := range p.Grants {
		g := &p.Grants[i]
		l := p.linkOf(g)
		if !s.matches(g) || l == nil || !l.Grants || linkState(l, now) != LinkActive {
			continue
		}
		if l.RequireMFA && !s.MFA {
			mfaMissing = true
			continue
		}
		if g.Eligible && !g.activeFor(s.User, now) {
			e.Dormant = append(e.Dormant, g.ID)
			continue
		}
		perms := g.Direct
		roles := make([]string, 0, len(g.Roles))
		for _, r := range g.Roles {
			perms.Union(r.Perms)
			roles = append(roles, r.ID)
		}
		perms = and(and(perms, l.Ceiling), delegable)
		if !(g.Scope.all && l.Scope.all) {
			perms = and(perms, scopeable)
		}
		if perms.Len() == 0 {
			continue
		}
		eg := EffectiveGrant{AssignmentID: g.ID, RelationshipID: g.RelationshipID, Roles: roles, Perms: perms, Scope: g.Scope}
		if g.Eligible {
			eg.Until = g.activeUntil(s.User)
		}
		e.Grants = append(e.Grants, eg)
		e.Perms.Union(perms)
		if e.EndsAt.IsZero() || l.EndsAt.Before(e.EndsAt) {
			e.EndsAt = l.EndsAt
		}
	}
	switch {
	case len(e.Grants) > 0:
		return e, ReasonAllowed
	case len(e.Dormant) > 0:
		return e, ReasonEligibleNotActive
	case mfaMissing:
		return e, ReasonMFARequired
	}
	return e, ReasonNoGrant
}

// HeldThroughout answers the permissions held on every pattern of the
// grants' combined scope — what a flat (perms, scope) summary may claim
// without widening any grant: a permission held only under /sites/eu is not
// in it when another grant adds /sites/us or the whole tenant.
func (e Effective) HeldThroughout() (PermSet, Scope) {
	var all Scope
	for _, g := range e.Grants {
		if g.Scope.all {
			all = WholeTenant
			break
		}
		all.patterns = append(all.patterns, g.Scope.patterns...)
	}
	var held PermSet
	for i := range held {
		held[i] = ^uint64(0)
	}
	parts := []Scope{all}
	if !all.all {
		parts = parts[:0]
		for _, p := range all.patterns {
			parts = append(parts, Scope{patterns: [][]string{p}})
		}
	}
	for _, part := range parts {
		var onPart PermSet
		for _, g := range e.Grants {
			if part.Within(g.Scope) {
				onPart.Union(g.Perms)
			}
		}
		held = and(held, onPart)
	}
	return and(held, e.Perms), all
}

func and(a, b PermSet) PermSet {
	for i := range a {
		a[i] &= b[i]
	}
	return a
}

// scopeable is the set of permissions that can be limited to resources.
func (c *Catalogue) scopeable() PermSet {
	var s PermSet
	for _, p := range c.permissions {
		if p.Scopeable {
			s.Add(p)
		}
	}
	return s
}

// Held answers what the subject holds on every resource of scope in the
// partition's tenant now — the most it may grant there — and the roles it
// holds on all of scope. A grant counts only when its scope covers all of
// scope, and a grant limited to part of the tenant holds no permission that
// cannot be scoped; delegated grants count as Evaluate caps them (ceiling,
// delegable, MFA, activation).
func Held(p *Partition, s Subject, c *Catalogue, scope Scope, now time.Time) (PermSet, []string) {
	var held PermSet
	var roles []string
	add := func(perms PermSet, rs []string) {
		held.Union(perms)
		for _, r := range rs {
			if !contains(roles, r) {
				roles = append(roles, r)
			}
		}
	}
	if !p.Native() {
		e, _ := Evaluate(p, s, c, now)
		for _, g := range e.Grants {
			if scope.Within(g.Scope) {
				add(g.Perms, g.Roles)
			}
		}
		return held, roles
	}
	scopeable := c.scopeable()
	for i := range p.Grants {
		g := &p.Grants[i]
		if !s.matches(g) || g.Eligible && !g.activeFor(s.User, now) || !scope.Within(g.Scope) {
			continue
		}
		perms := g.Direct
		ids := make([]string, 0, len(g.Roles))
		for _, r := range g.Roles {
			perms.Union(r.Perms)
			ids = append(ids, r.ID)
		}
		if !g.Scope.all {
			perms = and(perms, scopeable)
		}
		add(perms, ids)
	}
	return held, roles
}

// Effect is what a grant of perms on scope gives: a grant limited to part of
// the tenant carries only the permissions that can be scoped.
func (c *Catalogue) Effect(perms PermSet, scope Scope) PermSet {
	if scope.all {
		return perms
	}
	return and(perms, c.scopeable())
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
