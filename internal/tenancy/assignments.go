package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/period"
)

// NewAssignment is the request to grant roles (and/or single permissions).
type NewAssignment struct {
	Principal     string
	Roles         []string
	Permissions   []string
	Scope         []string
	Eligible      bool
	MaxActivation *time.Duration
}

// partnerAdmin: the partner side manages its people's access in a customer
// with relationships.manage at home, or as a primary admin of the relationship.
func (s *Service) partnerAdmin(ctx context.Context, c Caller, rel Relationship) error {
	if c.Tenant != rel.PartnerTenant {
		return denied(access.ReasonNoGrant, "only the partner side %s grants access under this relationship", rel.PartnerTenant)
	}
	if c.is(rel.PrimaryAdmins) {
		return nil
	}
	return s.authorizeHome(ctx, c, "relationships.manage")
}

// AssignDelegated grants a partner principal roles in the customer tenant,
// inside the relationship's ceiling and scope.
func (s *Service) AssignDelegated(ctx context.Context, c Caller, relID string, in NewAssignment) (Assignment, error) {
	rel, err := s.relationshipFor(ctx, c, relID)
	if err != nil {
		return Assignment{}, err
	}
	if err := s.partnerAdmin(ctx, c, rel); err != nil {
		return Assignment{}, err
	}
	if !s.linkActive(rel) {
		return Assignment{}, s.relationshipEnded(rel)
	}
	if err := checkPrincipal("principal", in.Principal); err != nil {
		return Assignment{}, err
	}
	partnerRoles, err := s.store.ListRoles(ctx, rel.CustomerTenant, rel.PartnerTenant)
	if err != nil {
		return Assignment{}, err
	}
	var ceiling access.PermSet
	for _, r := range rel.Ceiling {
		set, _ := s.cat.Set(r.Permissions)
		ceiling.Union(set)
	}
	roles, perms, err := s.checkGrant(in, func(id string) (access.PermSet, bool, bool) {
		if contains(rel.CeilingRoleIDs(), id) {
			return access.PermSet{}, true, true
		}
		if r := findRole(partnerRoles, id); r != nil {
			set, _ := s.cat.Set(r.Permissions)
			return set, true, set.SubsetOf(ceiling)
		}
		if r, ok := s.cat.Role(id); ok {
			return r.Perms, true, false
		}
		return access.PermSet{}, false, false
	})
	if err != nil {
		return Assignment{}, err
	}
	var notAllowed []string
	for _, id := range perms {
		p, _ := s.cat.Permission(id)
		if !p.Delegable || !ceiling.Has(p) {
			notAllowed = append(notAllowed, id)
		}
	}
	if len(notAllowed) > 0 {
		return Assignment{}, &ValidationError{Field: "permissions", Reason: "outside the relationship's ceiling or not delegable", Values: notAllowed}
	}
	relScope, _ := access.ParseScope(rel.Scope)
	scope := relScope
	if in.Scope != nil {
		if scope, err = checkScope("scope", in.Scope); err != nil {
			return Assignment{}, err
		}
		if out := scope.Outside(relScope); len(out) > 0 {
			return Assignment{}, &ValidationError{Field: "scope", Reason: "outside the relationship's scope", Values: out}
		}
	}
	if err := s.checkWorkspaceScope(roles, perms, scope, partnerRoles); err != nil {
		return Assignment{}, err
	}
	if err := s.withinPrincipalLimits(ctx, rel, in.Principal, scope); err != nil {
		return Assignment{}, err
	}
	a, err := s.newAssignment(c, rel.CustomerTenant, rel.PartnerTenant, rel.ID, in, roles, perms, scope)
	if err != nil {
		return Assignment{}, err
	}
	if err := s.createAssignment(ctx, c, a, rel.Version); err != nil {
		if errors.Is(err, ErrConflict) {
			return Assignment{}, conflict("relationship %s ended or changed (e.g. was narrowed) while the assignment was being made; read it and assign again", rel.ID)
		}
		return Assignment{}, err
	}
	return a, nil
}

// withinPrincipalLimits bounds what one partner principal holds in one
// customer (MaxPrincipalGrants assignments, MaxPrincipalScopeBytes of scope
// patterns in all), so that its switch token and events stay small.
func (s *Service) withinPrincipalLimits(ctx context.Context, rel Relationship, principal string, scope access.Scope) error {
	held, err := s.store.PrincipalGrants(ctx, rel.CustomerTenant, rel.PartnerTenant, principal)
	if err != nil {
		return err
	}
	if len(held) >= MaxPrincipalGrants {
		return invalid("principal", "%s holds %d assignments in %s, the most one principal may (MaxPrincipalGrants %d)", principal, len(held), rel.CustomerTenant, MaxPrincipalGrants)
	}
	total := scopeBytes(scope.Patterns())
	for _, a := range held {
		total += scopeBytes(a.Scope)
	}
	if total > MaxPrincipalScopeBytes {
		return invalid("scope", "%s would hold %d bytes of scope patterns in %s, more than one principal may (MaxPrincipalScopeBytes %d)", principal, total, rel.CustomerTenant, MaxPrincipalScopeBytes)
	}
	return nil
}

// createAssignment writes a, evented; a delegated one (relVersion > 0) only
// while its relationship is still at relVersion.
func (s *Service) createAssignment(ctx context.Context, c Caller, a Assignment, relVersion int) error {
	msgs, err := encode(events.RoleAssigned{Meta: s.meta(actorOf(c), c.RequestID, a.RelationshipID, a.TenantID, a.HomeTenant), Assignment: assignmentView(a)})
	if err != nil {
		return err
	}
	if a.RelationshipID != "" {
		err = s.store.CreateDelegatedAssignment(ctx, a, relVersion, msgs)
	} else {
		err = s.store.CreateAssignment(ctx, a, msgs)
	}
	if err != nil {
		return err
	}
	s.publish(ctx, msgs)
	return nil
}

func (s *Service) removeAssignment(ctx context.Context, c Caller, a Assignment, extra ...events.Payload) error {
	msgs, err := encode(append([]events.Payload{events.RoleAssignmentRemoved{Meta: s.meta(actorOf(c), c.RequestID, a.RelationshipID, a.TenantID, a.HomeTenant), Assignment: assignmentView(a)}}, extra...)...)
	if err != nil {
		return err
	}
	if err := s.store.RemoveAssignment(ctx, a, msgs); err != nil {
		return err
	}
	s.publish(ctx, msgs)
	return nil
}

// AssignNative grants a principal of the tenant roles in its own tenant. Only
// the tenant's own people with roles.modify may: a partner never hands out
// native access.
func (s *Service) AssignNative(ctx context.Context, c Caller, tenant string, in NewAssignment) (Assignment, error) {
	if err := s.nativeAdmin(ctx, c, tenant); err != nil {
		return Assignment{}, err
	}
	if err := checkPrincipal("principal", in.Principal); err != nil {
		return Assignment{}, err
	}
	custom, err := s.store.ListRoles(ctx, tenant, tenant)
	if err != nil {
		return Assignment{}, err
	}
	var delegatedOnly []string
	roles, perms, err := s.checkGrant(in, func(id string) (access.PermSet, bool, bool) {
		if r, ok := s.cat.Role(id); ok {
			if r.DelegatedOnly {
				delegatedOnly = append(delegatedOnly, id)
			}
			return r.Perms, true, true
		}
		return access.PermSet{}, findRole(custom, id) != nil, true
	})
	if err != nil {
		return Assignment{}, err
	}
	if len(delegatedOnly) > 0 {
		return Assignment{}, &ValidationError{Field: "roles", Reason: "held only by a partner's people (a vendor's roles): assign them under a relationship", Values: delegatedOnly}
	}
	scope := access.WholeTenant
	if in.Scope != nil {
		if scope, err = checkScope("scope", in.Scope); err != nil {
			return Assignment{}, err
		}
	}
	if err := s.checkWorkspaceScope(roles, perms, scope, custom); err != nil {
		return Assignment{}, err
	}
	if err := s.mayGrantNative(ctx, c, tenant, roles, perms, scope); err != nil {
		return Assignment{}, err
	}
	a, err := s.newAssignment(c, tenant, tenant, "", in, roles, perms, scope)
	if err != nil {
		return Assignment{}, err
	}
	return a, s.createAssignment(ctx, c, a, 0)
}

func (s *Service) nativeAdmin(ctx context.Context, c Caller, tenant string) error {
	if c.Tenant != tenant {
		if err := s.authorize(ctx, c, tenant, "roles.view"); err != nil {
			return err
		}
		return denied(access.ReasonNoGrant, "native assignments in %s are made by its own administrators", tenant)
	}
	return s.authorizeHome(ctx, c, "roles.modify")
}

// checkGrant validates roles and single permissions. lookup answers a role's
// permissions, whether it exists, and whether it is allowed here.
func (s *Service) checkGrant(in NewAssignment, lookup func(string) (access.PermSet, bool, bool)) ([]string, []string, error) {
	roles, perms := dedupe(in.Roles), dedupe(in.Permissions)
	if len(roles)+len(perms) == 0 {
		return nil, nil, invalid("roles", "name at least one role or permission")
	}
	if len(roles) > maxRoles || len(perms) > len(s.cat.Permissions()) {
		return nil, nil, invalid("roles", "at most %d roles", maxRoles)
	}
	var unknown, outside []string
	for _, id := range roles {
		_, exists, allowed := lookup(id)
		switch {
		case !exists:
			unknown = append(unknown, id)
		case !allowed:
			outside = append(outside, id)
		}
	}
	if len(unknown) > 0 {
		return nil, nil, &ValidationError{Field: "roles", Reason: "unknown roles", Values: unknown}
	}
	if len(outside) > 0 {
		return nil, nil, &ValidationError{Field: "roles", Reason: "not within the relationship's ceiling", Values: outside}
	}
	if _, unknownPerms := s.cat.Set(perms); len(unknownPerms) > 0 {
		return nil, nil, &ValidationError{Field: "permissions", Reason: "not in the catalogue", Values: unknownPerms}
	}
	// A permission the catalogue does not let be granted on its own (no G
	// in its application's matrix) comes only through a role.
	var roleOnly []string
	for _, id := range perms {
		if p, _ := s.cat.Permission(id); !p.Grantable {
			roleOnly = append(roleOnly, id)
		}
	}
	if len(roleOnly) > 0 {
		return nil, nil, &ValidationError{Field: "permissions", Reason: "cannot be granted on their own, only through a role", Values: roleOnly}
	}
	return roles, perms, nil
}

// checkWorkspaceScope: a grant holding workspace-level permissions (Services
// Hub's) limited to a scope is limited to workspaces: every pattern names
// one under the application's workspace scope.
func (s *Service) checkWorkspaceScope(roles, perms []string, scope access.Scope, custom []CustomRole) error {
	if scope.All() {
		return nil
	}
	set, err := s.grantPerms(roles, perms, custom)
	if err != nil {
		return err
	}
	var ws []string
	for _, id := range s.cat.IDs(set) {
		if p, _ := s.cat.Permission(id); p.Workspace {
			ws = append(ws, id)
		}
	}
	if len(ws) == 0 {
		return nil
	}
	var outside []string
	for _, p := range scope.Patterns() {
		if !strings.HasPrefix(p, "/workspaces/") || len(strings.Split(strings.Trim(p, "/"), "/")) < 2 {
			outside = append(outside, p)
		}
	}
	if len(outside) > 0 {
		return &ValidationError{Field: "scope", Reason: fmt.Sprintf("workspace-level permissions (%s) are scoped to /workspaces/{id}", strings.Join(ws, ", ")), Values: outside}
	}
	return nil
}

func (s *Service) newAssignment(c Caller, tenant, home, relID string, in NewAssignment, roles, perms []string, scope access.Scope) (Assignment, error) {
	a := Assignment{ID: s.newID(), TenantID: tenant, HomeTenant: home, RelationshipID: relID, Principal: in.Principal,
		Roles: roles, Permissions: perms, Scope: scope.Patterns(), Eligible: in.Eligible, CreatedAt: s.now(), CreatedBy: c.Actor()}
	switch {
	case in.Eligible:
		d, err := within("maxActivation", in.MaxActivation, DefaultMaxActivation, MinActivation, MaxActivation)
		if err != nil {
			return Assignment{}, err
		}
		v := period.Duration(d)
		a.MaxActivation = &v
	case in.MaxActivation != nil:
		return Assignment{}, invalid("maxActivation", "applies only to an eligible assignment")
	}
	return a, nil
}

// ListRelationshipAssignments lists the assignments under a relationship to either side.
func (s *Service) ListRelationshipAssignments(ctx context.Context, c Caller, relID string, page Page) (List[Assignment], error) {
	rel, err := s.relationshipFor(ctx, c, relID)
	if err != nil {
		return List[Assignment]{}, err
	}
	if err := s.viewRelationship(ctx, c, rel); err != nil {
		return List[Assignment]{}, err
	}
	return s.store.ListAssignments(ctx, rel.CustomerTenant, rel.PartnerTenant, rel.ID, page)
}

// RemoveDelegated removes a partner principal's assignment: the partner side
// as for assigning, or the customer side with relationships.manage — a
// customer can always take a partner's access back.
func (s *Service) RemoveDelegated(ctx context.Context, c Caller, relID, id string) error {
	rel, err := s.relationshipFor(ctx, c, relID)
	if err != nil {
		return err
	}
	if c.Tenant == rel.CustomerTenant {
		err = s.authorizeHome(ctx, c, "relationships.manage")
	} else {
		err = s.partnerAdmin(ctx, c, rel)
	}
	if err != nil {
		return err
	}
	a, err := s.store.GetAssignment(ctx, rel.CustomerTenant, rel.PartnerTenant, id)
	if err != nil {
		return err
	}
	if a.RelationshipID != rel.ID {
		return notFound("assignment", id)
	}
	// The sessions that used the assignment are revoked in the removal's own
	// transaction; a switch that slipped in between is revoked just after.
	rev, ids, err := s.revocation(ctx, actorOf(c), c.RequestID, rel, a.ID, "assignment-removed", nil)
	if err != nil {
		return err
	}
	// A removal's transaction carries a few revocation events; more are
	// recorded right after it, as for sessions that slipped in between.
	var done []string
	if len(rev) > maxRevocationsInRemoval {
		rev = nil
	} else {
		done = ids
	}
	if err := s.removeAssignment(ctx, c, a, rev...); err != nil {
		return err
	}
	return s.revokeSessions(ctx, actorOf(c), c.RequestID, rel, a.ID, "assignment-removed", done)
}

// maxRevocationsInRemoval bounds the revocation events (of up to
// MaxSessionsInEvent sessions each) that share an assignment's removal
// transaction.
const maxRevocationsInRemoval = 20

// RemoveNative removes a native assignment.
func (s *Service) RemoveNative(ctx context.Context, c Caller, tenant, id string) error {
	if err := s.nativeAdmin(ctx, c, tenant); err != nil {
		return err
	}
	a, err := s.store.GetAssignment(ctx, tenant, tenant, id)
	if err != nil {
		return err
	}
	scope, _ := access.ParseScope(a.Scope)
	if err := s.mayGrantNative(ctx, c, tenant, a.Roles, a.Permissions, scope); err != nil {
		return err
	}
	return s.removeAssignment(ctx, c, a)
}
