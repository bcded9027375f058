package tenancy

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
)

// SkippedMapping is a group mapping that made no assignment when its
// invitation was accepted, and why.
type SkippedMapping struct {
	Principal string
	Roles     []string
	Reason    string
	Detail    string
}

// Reasons a mapping is skipped at acceptance.
const (
	SkipRolesNotAccepted = "roles-not-accepted"
	SkipScopeNotAccepted = "scope-not-accepted"
	SkipWorkspaceScope   = "workspace-scope"
	SkipPrincipalLimit   = "principal-limit"
)

// Accepted is an acceptance's outcome: the relationship, and for an
// invitation made from a template the assignments its mappings created and
// the mappings that created none.
type Accepted struct {
	Relationship
	Assignments []Assignment
	Skipped     []SkippedMapping
}

// mapGroups turns an accepted invitation's group mappings into delegated
// assignments under rel, narrowed to what the customer accepted: a
// mapping's roles to those of the accepted ceiling, its scope (the
// relationship's when it has none) to the accepted scope. A mapping left
// with no role or no scope, or that would break a limit an assignment keeps,
// is skipped with its reason.
func (s *Service) mapGroups(ctx context.Context, c Caller, inv Invitation, rel Relationship) ([]Assignment, []SkippedMapping, error) {
	if len(inv.GroupMappings) == 0 {
		return nil, nil, nil
	}
	p, err := s.store.LoadPartition(ctx, rel.CustomerTenant, rel.PartnerTenant)
	if err != nil {
		return nil, nil, err
	}
	held, heldBytes := map[string]int{}, map[string]int{}
	for _, a := range p.Assignments {
		if a.RelationshipID != "" {
			held[a.Principal]++
			heldBytes[a.Principal] += scopeBytes(a.Scope)
		}
	}
	relScope, _ := access.ParseScope(rel.Scope)
	ceiling := rel.CeilingRoleIDs()
	var made []Assignment
	var skipped []SkippedMapping
	for _, m := range inv.GroupMappings {
		skip := func(reason, format string, args ...any) {
			skipped = append(skipped, SkippedMapping{Principal: m.Principal, Roles: m.Roles, Reason: reason, Detail: fmt.Sprintf(format, args...)})
		}
		var roles []string
		for _, r := range m.Roles {
			if contains(ceiling, r) {
				roles = append(roles, r)
			}
		}
		if len(roles) == 0 {
			skip(SkipRolesNotAccepted, "none of its roles is in the accepted ceiling")
			continue
		}
		scope := relScope
		if m.Scope != nil {
			ms, err := access.ParseScope(m.Scope)
			if err != nil {
				return nil, nil, fmt.Errorf("invitation %s: stored mapping scope: %w", inv.ID, err)
			}
			var ok bool
			if scope, ok = ms.Intersect(relScope); !ok {
				skip(SkipScopeNotAccepted, "its scope lies wholly outside the accepted scope")
				continue
			}
		}
		if err := s.checkWorkspaceScope(roles, nil, scope, nil); err != nil {
			skip(SkipWorkspaceScope, "%v", err)
			continue
		}
		if n := len(scope.Patterns()); n > MaxScopePatterns {
			skip(SkipScopeNotAccepted, "narrowed to the accepted scope it needs %d patterns, more than an assignment holds (MaxScopePatterns %d)", n, MaxScopePatterns)
			continue
		}
		bytes := scopeBytes(scope.Patterns())
		switch {
		case bytes > MaxScopeBytes:
			skip(SkipScopeNotAccepted, "narrowed to the accepted scope it needs %d bytes of patterns, more than an assignment holds (MaxScopeBytes %d)", bytes, MaxScopeBytes)
			continue
		case held[m.Principal] >= MaxPrincipalGrants:
			skip(SkipPrincipalLimit, "%s holds %d assignments in %s, the most one principal may (MaxPrincipalGrants %d)", m.Principal, held[m.Principal], rel.CustomerTenant, MaxPrincipalGrants)
			continue
		case heldBytes[m.Principal]+bytes > MaxPrincipalScopeBytes:
			skip(SkipPrincipalLimit, "%s would hold more scope patterns in %s than one principal may (MaxPrincipalScopeBytes %d)", m.Principal, rel.CustomerTenant, MaxPrincipalScopeBytes)
			continue
		}
		held[m.Principal]++
		heldBytes[m.Principal] += bytes
		made = append(made, Assignment{ID: s.newID(), TenantID: rel.CustomerTenant, HomeTenant: rel.PartnerTenant, RelationshipID: rel.ID,
			Principal: m.Principal, Roles: roles, Scope: scope.Patterns(), CreatedAt: s.now(), CreatedBy: c.Actor()})
	}
	return made, skipped, nil
}

// acceptedPayloads are the events of an acceptance: InvitationAccepted
// (naming the mapped assignments and the skipped mappings),
// RelationshipActivated and a RoleAssigned for each mapped assignment.
func (s *Service) acceptedPayloads(c Caller, accepted Invitation, rel Relationship, made []Assignment, skipped []SkippedMapping) []events.Payload {
	ev := s.invitationEvent(actorOf(c), c.RequestID, accepted).(events.InvitationAccepted)
	for _, a := range made {
		ev.AssignmentIDs = append(ev.AssignmentIDs, a.ID)
	}
	for _, sk := range skipped {
		ev.SkippedMappings = append(ev.SkippedMappings, events.SkippedMapping{Principal: sk.Principal, Roles: sk.Roles, Reason: sk.Reason})
	}
	out := []events.Payload{ev,
		events.RelationshipActivated{Meta: s.meta(actorOf(c), c.RequestID, rel.ID, rel.PartnerTenant, rel.CustomerTenant), Relationship: relationshipView(rel)}}
	for _, a := range made {
		out = append(out, events.RoleAssigned{Meta: s.meta(actorOf(c), c.RequestID, rel.ID, a.TenantID, a.HomeTenant), Assignment: assignmentView(a)})
	}
	return out
}
