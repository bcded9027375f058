package tenancy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/access"
)

// compile turns a stored partition into the decision's form, resolving every
// role to its permissions: (for a delegated grant) the relationship's frozen
// ceiling role first, then a custom role the home tenant defined in the
// tenant, then (for a native grant) the built-in catalogue. A role that
// resolves to nothing grants nothing.
func (s *Service) compile(tenant, home string, p Partition) *access.Partition {
	custom := make(map[string]access.PermSet, len(p.Roles))
	for _, r := range p.Roles {
		set, _ := s.cat.Set(r.Permissions)
		custom[r.ID] = set
	}
	links := make([]access.Link, 0, len(p.Relationships))
	frozen := make(map[string]map[string]access.PermSet, len(p.Relationships))
	for _, r := range p.Relationships {
		l := access.Link{ID: r.ID, Status: r.Status, EndsAt: r.EndsAt, RequireMFA: r.RequireMFA, Grants: r.Kind != KindOrganization}
		l.Scope, _ = access.ParseScope(r.Scope)
		roles := make(map[string]access.PermSet, len(r.Ceiling))
		for _, c := range r.Ceiling {
			set, _ := s.cat.Set(c.Permissions)
			roles[c.ID] = set
			l.Ceiling.Union(set)
		}
		frozen[r.ID] = roles
		links = append(links, l)
	}
	grants := make([]access.Grant, 0, len(p.Assignments))
	for _, a := range p.Assignments {
		kind, id, _ := strings.Cut(a.Principal, ":")
		g := access.Grant{ID: a.ID, RelationshipID: a.RelationshipID, PrincipalKind: kind, PrincipalID: id, Eligible: a.Eligible}
		g.Scope, _ = access.ParseScope(a.Scope)
		g.Direct, _ = s.cat.Set(a.Permissions)
		for _, act := range p.Activations {
			if act.AssignmentID == a.ID {
				g.Activations = append(g.Activations, access.Activation{User: act.User, Until: act.Until})
			}
		}
		for _, roleID := range a.Roles {
			// The ceiling the customer agreed to comes first: a role the
			// partner defines can never stand in for a ceiling role.
			set, ok := frozen[a.RelationshipID][roleID]
			if !ok {
				set, ok = custom[roleID]
			}
			// A delegated grant holds ceiling roles and the partner's own
			// roles only: a built-in role the customer narrowed out of the
			// ceiling grants nothing from that moment, even while the grant
			// still names it.
			if !ok && a.RelationshipID == "" {
				var r access.Role
				r, ok = s.cat.Role(roleID)
				set = r.Perms
			}
			if ok {
				g.Roles = append(g.Roles, access.GrantRole{ID: roleID, Perms: set})
			}
		}
		grants = append(grants, g)
	}
	return access.NewPartition(tenant, home, links, grants)
}

// loaded is a partition read once per request and reused by every decision
// about the same (tenant, home) pair.
type loaded struct {
	raw      Partition
	compiled *access.Partition
}

type partitions map[[2]string]*loaded

func (s *Service) partition(ctx context.Context, cache partitions, tenant, home string) (*loaded, error) {
	key := [2]string{tenant, home}
	if p, ok := cache[key]; ok {
		return p, nil
	}
	raw, err := s.store.LoadPartition(ctx, tenant, home)
	if err != nil {
		return nil, fmt.Errorf("load partition %s/%s: %w", tenant, home, err)
	}
	p := &loaded{raw: raw, compiled: s.compile(tenant, home, raw)}
	if cache != nil {
		cache[key] = p
	}
	return p, nil
}

// decide answers whether subject may use perm on resource in tenant.
func (s *Service) decide(ctx context.Context, cache partitions, subject access.Subject, tenant, permID, resource string, now time.Time) (access.Decision, error) {
	perm, ok := s.cat.Permission(permID)
	if !ok {
		return access.Decision{}, fmt.Errorf("permission %q is not in the catalogue", permID)
	}
	p, err := s.partition(ctx, cache, tenant, subject.Home)
	if err != nil {
		return access.Decision{}, err
	}
	return access.Decide(p.compiled, subject, perm, resource, now), nil
}

// authorize requires the caller to hold perm over the whole tenant. A caller
// with no tie to the tenant at all is told the tenant does not exist, so a
// stranger cannot tell an unknown tenant from somebody else's.
func (s *Service) authorize(ctx context.Context, c Caller, tenant, perm string) error {
	d, err := s.decide(ctx, nil, c.Subject(), tenant, perm, "/", s.now())
	if err != nil {
		return err
	}
	if d.Allowed {
		return nil
	}
	if d.Reason == access.ReasonNoRelationship {
		return notFound("tenant", tenant)
	}
	return denied(d.Reason, "%s is required in tenant %s", perm, tenant)
}

// authorizeHome requires perm in the caller's own tenant, granted natively:
// relationships and invitations are managed by a tenant's own people.
func (s *Service) authorizeHome(ctx context.Context, c Caller, perm string) error {
	d, err := s.decide(ctx, nil, c.Subject(), c.Tenant, perm, "/", s.now())
	if err != nil {
		return err
	}
	if !d.Allowed {
		return denied(d.Reason, "%s is required in your tenant %s", perm, c.Tenant)
	}
	return nil
}
