package tenancy

import (
	"context"
	"slices"

	"github.com/switchboard/switchboard/internal/access"
)

// Who may change a grant (SPEC §1, "Who may grant"), in one place. Every
// route that makes, takes away or redefines a grant asks here:
//
//   - a native grant (a tenant's own people): roles.modify at home, and what
//     the grant gives is held by the caller itself on the grant's scope;
//     global-admin only from a global admin. Taking a grant away needs the
//     same, so nobody removes the access of someone above them.
//   - a custom role of the tenant's own: roles.modify, and both what the role
//     held and what it will hold are held by the caller on the whole tenant —
//     redefining a role changes what every holder holds.
//   - a delegated grant (a partner's people): the partner's admin authority
//     (relationships.manage at home, or a primary admin of the relationship),
//     inside the ceiling the customer allowed; the customer takes any of it
//     back with relationships.manage.
//   - a role a partner defines for its people in a customer: roles.modify
//     delegated there and the same authority as assigning under an active
//     relationship, inside the ceiling.

// mayGrantNative checks that c may make or remove, in its own tenant, a grant
// of roles and perms on scope.
func (s *Service) mayGrantNative(ctx context.Context, c Caller, tenant string, roles, perms []string, scope access.Scope) error {
	loaded, err := s.partition(ctx, nil, tenant, c.Tenant)
	if err != nil {
		return err
	}
	want, err := s.grantPerms(roles, perms, loaded.raw.Roles)
	if err != nil {
		return err
	}
	held, heldRoles := access.Held(loaded.compiled, c.Subject(), s.cat, scope, s.now())
	if slices.Contains(roles, "global-admin") && !slices.Contains(heldRoles, "global-admin") {
		return &DeniedError{Reason: access.ReasonNotHeld, Message: "only a global administrator grants or removes global-admin", Values: []string{"global-admin"}}
	}
	return s.notHeld(held, s.cat.Effect(want, scope), "you may grant or remove only what you hold yourself on that scope")
}

// mayDefineNativeRole checks that c may give a role of its own tenant the
// permissions next, replacing prev (nil for a new role).
func (s *Service) mayDefineNativeRole(ctx context.Context, c Caller, tenant string, next access.PermSet, prev *CustomRole) error {
	loaded, err := s.partition(ctx, nil, tenant, c.Tenant)
	if err != nil {
		return err
	}
	held, _ := access.Held(loaded.compiled, c.Subject(), s.cat, access.WholeTenant, s.now())
	if prev != nil {
		old, _ := s.cat.Set(prev.Permissions)
		if err := s.notHeld(held, old, "you may redefine only a role whose permissions you hold yourself"); err != nil {
			return err
		}
	}
	return s.notHeld(held, next, "a role you define holds only permissions you hold yourself on the whole tenant")
}

// mayDefinePartnerRole checks that partner caller c may define or redefine
// its people's roles in customer tenant: it must have the authority to assign
// them under an active relationship with it.
func (s *Service) mayDefinePartnerRole(ctx context.Context, c Caller, tenant string) error {
	loaded, err := s.partition(ctx, nil, tenant, c.Tenant)
	if err != nil {
		return err
	}
	if err := s.authorizeHome(ctx, c, "relationships.manage"); err == nil {
		return nil
	}
	for _, link := range loaded.raw.Relationships {
		if !s.linkActive(link) {
			continue
		}
		rel, err := s.store.GetRelationship(ctx, link.ID)
		if err != nil {
			return err
		}
		if c.is(rel.PrimaryAdmins) {
			return nil
		}
	}
	return denied(access.ReasonNoGrant, "changing a role your people hold in %s needs the authority to assign them: relationships.manage in your tenant or a primary admin of the relationship", tenant)
}

// grantPerms answers the permissions roles and perms give, resolving custom
// roles among custom.
func (s *Service) grantPerms(roles, perms []string, custom []CustomRole) (access.PermSet, error) {
	set, unknown := s.cat.Set(perms)
	if len(unknown) > 0 {
		return set, &ValidationError{Field: "permissions", Reason: "not in the catalogue", Values: unknown}
	}
	for _, id := range roles {
		if r, ok := s.cat.Role(id); ok {
			set.Union(r.Perms)
			continue
		}
		if r := findRole(custom, id); r != nil {
			rs, _ := s.cat.Set(r.Permissions)
			set.Union(rs)
			continue
		}
		return set, &ValidationError{Field: "roles", Reason: "unknown roles", Values: []string{id}}
	}
	return set, nil
}

// notHeld refuses when want holds a permission held lacks, naming them.
func (s *Service) notHeld(held, want access.PermSet, message string) error {
	if want.SubsetOf(held) {
		return nil
	}
	var missing []string
	for _, id := range s.cat.IDs(want) {
		if p, _ := s.cat.Permission(id); !held.Has(p) {
			missing = append(missing, id)
		}
	}
	return &DeniedError{Reason: access.ReasonNotHeld, Message: message, Values: missing}
}
