package access

import "time"

// Reason explains a decision. The values are part of the HTTP contract.
type Reason string

// Reason codes, SPEC §3.
const (
	ReasonAllowed                Reason = "allowed"
	ReasonNoRelationship         Reason = "no-relationship"
	ReasonRelationshipExpired    Reason = "relationship-expired"
	ReasonRelationshipTerminated Reason = "relationship-terminated"
	ReasonNotInCeiling           Reason = "not-in-ceiling"
	ReasonOutOfScope             Reason = "out-of-scope"
	ReasonNotDelegable           Reason = "not-delegable"
	ReasonMFARequired            Reason = "mfa-required"
	ReasonNoGrant                Reason = "no-grant"
	ReasonEligibleNotActive      Reason = "eligible-not-active"
	// ReasonNotHeld refuses a grant the caller does not hold itself.
	ReasonNotHeld Reason = "not-held"
	// ReasonSwitchNotPermitted refuses the tenant switcher to a principal
	// that does not hold tenants.switch natively in its home tenant.
	ReasonSwitchNotPermitted Reason = "switch-not-permitted"
)

// Link states as the decision sees them.
const (
	LinkActive     = "active"
	LinkTerminated = "terminated"
	LinkExpired    = "expired"
)

// Subject is who is asking: a user of a home tenant with its groups.
type Subject struct {
	Home   string
	User   string
	Groups []string
	MFA    bool
}

// Principal kinds.
const (
	KindUser  = "user"
	KindGroup = "group"
)

// Link is a relationship between the partition's tenant (customer) and the
// subject's home tenant (partner), as far as a decision needs it.
type Link struct {
	ID         string
	Status     string
	EndsAt     time.Time
	Ceiling    PermSet
	Scope      Scope
	RequireMFA bool
	// Grants says whether the link's kind carries administrative rights at all
	// (an organisation membership does not).
	Grants bool
}

// GrantRole is one role of a grant with its permissions resolved.
type GrantRole struct {
	ID    string
	Perms PermSet
}

// Grant is an assignment as the decision sees it.
type Grant struct {
	ID             string
	RelationshipID string // empty for a native assignment
	PrincipalKind  string
	PrincipalID    string
	Roles          []GrantRole
	Direct         PermSet
	Scope          Scope
	Eligible       bool
	// Activations of an eligible grant, one per user: an activation is its
	// user's alone, even when the grant is a group's, and two members of the
	// group activating it never end each other's.
	Activations []Activation
	link        int
}

// Activation is one user's just-in-time activation of an eligible grant.
type Activation struct {
	User  string
	Until time.Time
}

// Partition is everything that decides one (tenant, home tenant) pair: the
// relationships between them and the assignments of the home tenant's
// principals in the tenant. One DynamoDB query loads it.
type Partition struct {
	Tenant string
	Home   string
	Links  []Link
	Grants []Grant
}

// NewPartition builds a partition and binds each grant to its relationship;
// a grant whose relationship is not in the partition decides nothing in a
// delegated partition.
func NewPartition(tenant, home string, links []Link, grants []Grant) *Partition {
	p := &Partition{Tenant: tenant, Home: home, Links: links, Grants: grants}
	for i := range p.Grants {
		g := &p.Grants[i]
		g.link = -1
		for j := range p.Links {
			if p.Links[j].ID == g.RelationshipID {
				g.link = j
				break
			}
		}
	}
	return p
}

// Native reports whether the partition holds the tenant's own principals.
func (p *Partition) Native() bool { return p.Tenant == p.Home }

// linkOf answers the link a grant hangs off (NewPartition bound it).
func (p *Partition) linkOf(g *Grant) *Link {
	if g.link < 0 {
		return nil
	}
	return &p.Links[g.link]
}

// Via names the grant that decided.
type Via struct {
	RelationshipID string
	AssignmentID   string
	RoleID         string
}

// Decision is the answer to "may this subject do this".
type Decision struct {
	Allowed bool
	Reason  Reason
	Via     Via
}

// How far a grant got towards allowing; the furthest explains a denial.
const (
	stageNone = iota
	stageGranted
	stageInCeiling
	stageInScope
	stageAllowed
)

var stageReason = [...]Reason{
	stageNone:      ReasonNoGrant,
	stageGranted:   ReasonNotInCeiling,
	stageInCeiling: ReasonOutOfScope,
	stageInScope:   ReasonEligibleNotActive,
}

// Decide answers whether s may use perm on resource in the partition's tenant
// at now. resource must have passed ValidateResource ("/" is the tenant).
// Expiry is decided here from now, not left to a cleanup run.
func Decide(p *Partition, s Subject, perm Permission, resource string, now time.Time) Decision {
	if p.Native() {
		return decide(p, s, perm, resource, now, false)
	}
	denial, mfaBlocked := gate(p, s, now)
	switch {
	case denial != "":
		return deny(denial)
	case !perm.Delegable:
		return deny(ReasonNotDelegable)
	case mfaBlocked:
		return deny(ReasonMFARequired)
	}
	return decide(p, s, perm, resource, now, true)
}

// gate judges the relationships alone: the denial when none of a granting
// kind is active now (expired before terminated before none at all), and
// whether every active one requires MFA the subject lacks.
func gate(p *Partition, s Subject, now time.Time) (Reason, bool) {
	active, blocked, expired := 0, 0, false
	for i := range p.Links {
		l := &p.Links[i]
		if !l.Grants {
			continue
		}
		switch linkState(l, now) {
		case LinkActive:
			active++
			if l.RequireMFA && !s.MFA {
				blocked++
			}
		case LinkExpired:
			expired = true
		}
	}
	switch {
	case active > 0:
		return "", blocked == active
	case expired:
		return ReasonRelationshipExpired, false
	case hasGrantingLink(p):
		return ReasonRelationshipTerminated, false
	}
	return ReasonNoRelationship, false
}

func decide(p *Partition, s Subject, perm Permission, resource string, now time.Time, delegated bool) Decision {
	best, mfaWouldAllow := stageNone, false
	for i := range p.Grants {
		g := &p.Grants[i]
		if !s.matches(g) {
			continue
		}
		var l *Link
		if delegated {
			l = p.linkOf(g)
			if l == nil || !l.Grants || linkState(l, now) != LinkActive {
				continue
			}
		}
		stage, role := evaluate(g, l, s.User, perm, resource, now)
		if stage == stageAllowed {
			if l != nil && l.RequireMFA && !s.MFA {
				mfaWouldAllow = true
				continue
			}
			return Decision{Allowed: true, Reason: ReasonAllowed, Via: Via{RelationshipID: g.RelationshipID, AssignmentID: g.ID, RoleID: role}}
		}
		if stage > best {
			best = stage
		}
	}
	if mfaWouldAllow {
		return deny(ReasonMFARequired)
	}
	return deny(stageReason[best])
}

func evaluate(g *Grant, l *Link, user string, perm Permission, resource string, now time.Time) (int, string) {
	role, granted := "", g.Direct.Has(perm)
	if !granted {
		for i := range g.Roles {
			if g.Roles[i].Perms.Has(perm) {
				role, granted = g.Roles[i].ID, true
				break
			}
		}
	}
	if !granted {
		return stageNone, ""
	}
	if l != nil && !l.Ceiling.Has(perm) {
		return stageGranted, role
	}
	if !inScope(g, l, perm, resource) {
		return stageInCeiling, role
	}
	if g.Eligible && !g.activeFor(user, now) {
		return stageInScope, role
	}
	return stageAllowed, role
}

// inScope: a scopeable permission holds for resources inside assignment scope ∩
// relationship scope; one that cannot be scoped holds only for a grant that
// spans the whole tenant.
func inScope(g *Grant, l *Link, perm Permission, resource string) bool {
	if !perm.Scopeable {
		return g.Scope.all && (l == nil || l.Scope.all)
	}
	return g.Scope.Covers(resource) && (l == nil || l.Scope.Covers(resource))
}

// activeFor: an eligible grant is active for a user who activated it, until
// that user's activation ends.
func (g *Grant) activeFor(user string, now time.Time) bool {
	return now.Before(g.activeUntil(user))
}

// activeUntil answers when the user's activation of the grant ends (zero
// without one).
func (g *Grant) activeUntil(user string) time.Time {
	var until time.Time
	for _, a := range g.Activations {
		if a.User == user && a.Until.After(until) {
			until = a.Until
		}
	}
	return until
}

func (s *Subject) matches(g *Grant) bool {
	switch g.PrincipalKind {
	case KindUser:
		return g.PrincipalID == s.User
	case KindGroup:
		for _, grp := range s.Groups {
			if grp == g.PrincipalID {
				return true
			}
		}
	}
	return false
}

func linkState(l *Link, now time.Time) string {
	if l.Status == LinkActive && !now.Before(l.EndsAt) {
		return LinkExpired
	}
	return l.Status
}

func hasGrantingLink(p *Partition) bool {
	for i := range p.Links {
		if p.Links[i].Grants {
			return true
		}
	}
	return false
}

func deny(r Reason) Decision { return Decision{Reason: r} }
