package tenancy

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
)

// NewRole is the request to define or replace a custom role.
type NewRole struct {
	ID          string
	Name        string
	Description string
	Permissions []string
}

// SaveRole defines or replaces a custom role in tenant and reports whether it
// was created. A tenant's own administrators define roles for the tenant; a
// partner with a delegated roles.modify defines roles for its own people in
// that customer (the seeds' partner roles per customer), only from permissions
// inside its ceiling. The next check uses the new definition.
func (s *Service) SaveRole(ctx context.Context, c Caller, tenant string, in NewRole) (CustomRole, bool, error) {
	if err := s.authorize(ctx, c, tenant, "roles.modify"); err != nil {
		return CustomRole{}, false, err
	}
	if !idPattern.MatchString(in.ID) {
		return CustomRole{}, false, invalid("id", "%q is not a role id: 1-63 lower-case letters, digits and dashes", in.ID)
	}
	if _, builtin := s.cat.Role(in.ID); builtin {
		return CustomRole{}, false, invalid("id", "%q is a built-in role", in.ID)
	}
	if err := checkName("name", in.Name, maxNameLength); err != nil {
		return CustomRole{}, false, err
	}
	if utf8.RuneCountInString(in.Description) > maxDescription {
		return CustomRole{}, false, invalid("description", "longer than %d characters", maxDescription)
	}
	perms := dedupe(in.Permissions)
	if len(perms) == 0 {
		return CustomRole{}, false, invalid("permissions", "name at least one permission")
	}
	set, unknown := s.cat.Set(perms)
	if len(unknown) > 0 {
		return CustomRole{}, false, &ValidationError{Field: "permissions", Reason: "not in the catalogue", Values: unknown}
	}
	if c.Tenant != tenant {
		if err := s.withinCeilings(ctx, c, tenant, set, in.ID); err != nil {
			return CustomRole{}, false, err
		}
		if err := s.mayDefinePartnerRole(ctx, c, tenant); err != nil {
			return CustomRole{}, false, err
		}
	}
	existing, err := s.store.ListRoles(ctx, tenant, c.Tenant)
	if err != nil {
		return CustomRole{}, false, err
	}
	if c.Tenant == tenant {
		if err := s.mayDefineNativeRole(ctx, c, tenant, set, findRole(existing, in.ID)); err != nil {
			return CustomRole{}, false, err
		}
	}
	role := CustomRole{ID: in.ID, Name: strings.TrimSpace(in.Name), Description: in.Description, TenantID: tenant, DefinedBy: c.Tenant,
		Permissions: s.cat.IDs(set), UpdatedAt: s.now()}
	prev := findRole(existing, in.ID)
	if prev != nil {
		role.Version = prev.Version // replaces the role as read
	}
	msgs, err := encode(events.CustomRoleSaved{Meta: s.meta(actorOf(c), c.RequestID, "", tenant, c.Tenant), Role: roleView(role)})
	if err != nil {
		return CustomRole{}, false, err
	}
	role, err = s.store.SaveRole(ctx, role, msgs)
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return CustomRole{}, false, conflict("role %s was changed by another request", in.ID)
		}
		return CustomRole{}, false, err
	}
	s.publish(ctx, msgs)
	return role, prev == nil, nil
}

// withinCeilings: a partner's role holds only permissions of its active
// ceilings, and its id is not one of theirs (nor of the customer's own
// roles), so it cannot pass for a role the customer agreed to.
func (s *Service) withinCeilings(ctx context.Context, c Caller, tenant string, set access.PermSet, id string) error {
	p, err := s.store.LoadPartition(ctx, tenant, c.Tenant)
	if err != nil {
		return err
	}
	own, err := s.store.ListRoles(ctx, tenant, tenant)
	if err != nil {
		return err
	}
	if findRole(own, id) != nil {
		return invalid("id", "%q is a role of tenant %s; choose another id", id, tenant)
	}
	var ceiling access.PermSet
	for _, rel := range p.Relationships {
		if contains(rel.CeilingRoleIDs(), id) {
			return invalid("id", "%q is a ceiling role of relationship %s; choose another id", id, rel.ID)
		}
		if s.linkActive(rel) {
			for _, r := range rel.Ceiling {
				cs, _ := s.cat.Set(r.Permissions)
				ceiling.Union(cs)
			}
		}
	}
	ceiling = intersect(ceiling, s.cat.Delegable())
	if !set.SubsetOf(ceiling) {
		var outside []string
		for _, id := range s.cat.IDs(set) {
			if p, _ := s.cat.Permission(id); !ceiling.Has(p) {
				outside = append(outside, id)
			}
		}
		return &ValidationError{Field: "permissions", Reason: "a partner's role stays inside its relationship's ceiling", Values: outside}
	}
	return nil
}

func intersect(a, b access.PermSet) access.PermSet {
	for i := range a {
		a[i] &= b[i]
	}
	return a
}

// ListRoles answers the built-in roles and the tenant's custom roles; to the
// tenant's own people every role its partners defined there too (each marked
// with DefinedBy: the customer sees what every role it is subject to holds),
// to a partner only the roles it defined itself.
func (s *Service) ListRoles(ctx context.Context, c Caller, tenant string) ([]CustomRole, error) {
	if err := s.authorize(ctx, c, tenant, "roles.view"); err != nil {
		return nil, err
	}
	var out []CustomRole
	for _, r := range s.cat.Roles() {
		out = append(out, CustomRole{ID: r.ID, Name: r.Name, Description: r.Description, Permissions: s.cat.IDs(r.Perms), BuiltIn: true})
	}
	own, err := s.store.ListRoles(ctx, tenant, tenant)
	if err != nil {
		return nil, err
	}
	out = append(out, own...)
	var partners []CustomRole
	if c.Tenant == tenant {
		partners, err = s.store.ListPartnerRoles(ctx, tenant)
	} else {
		partners, err = s.store.ListRoles(ctx, tenant, c.Tenant)
	}
	if err != nil {
		return nil, err
	}
	return append(out, partners...), nil
}

func findRole(roles []CustomRole, id string) *CustomRole {
	for i := range roles {
		if roles[i].ID == id {
			return &roles[i]
		}
	}
	return nil
}
