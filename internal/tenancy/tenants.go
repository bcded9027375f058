package tenancy

import (
	"context"
	"errors"
	"strings"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
)

// NewTenant is the request to create a tenant.
type NewTenant struct {
	// ID is the identity provider's tenant id (the `tid` claim of its users);
	// one is generated when it is empty.
	ID     string
	Name   string
	Domain string
	MSP    bool
	Admins []string
	// Workspaces are the tenant's Services Hub workspaces (seed 004), the
	// first one first; grants on workspace-level permissions are scoped to
	// /workspaces/{id}.
	Workspaces []string
	// ServiceAdmins get Services Hub's Service administrator role natively
	// and, as the seed says, are workspace administrators of the first
	// workspace.
	ServiceAdmins []string
}

// Bounds of a tenant's setup: every admin's grants are written with the
// tenant in one transaction.
const (
	MaxWorkspaces    = 50
	maxServiceAdmins = 10
)

// Services Hub's roles a tenant's setup grants (catalogue: services-hub).
const (
	roleServiceAdmin   = "hub-service-admin"
	roleWorkspaceAdmin = "hub-workspace-admin"
)

// CreateTenant creates a tenant; only the platform operator may, as only the
// vendor grants the MSP licence. The admins get global-admin natively.
func (s *Service) CreateTenant(ctx context.Context, c Caller, in NewTenant) (Tenant, error) {
	if !s.IsOperator(c) {
		return Tenant{}, denied(access.ReasonNoGrant, "only the platform operator creates tenants")
	}
	t := Tenant{ID: in.ID, Name: strings.TrimSpace(in.Name), Domain: strings.ToLower(strings.TrimSpace(in.Domain)), MSP: in.MSP, Status: "active", CreatedAt: s.now()}
	if t.ID == "" {
		t.ID = strings.ToLower(s.newID())
	}
	if !ValidTenantID(t.ID) {
		return Tenant{}, invalid("id", "%q is not a tenant id: 1-63 lower-case letters, digits and dashes", t.ID)
	}
	if err := checkName("name", t.Name, maxNameLength); err != nil {
		return Tenant{}, err
	}
	if !domainPattern.MatchString(t.Domain) || len(t.Domain) > 253 {
		return Tenant{}, invalid("domain", "%q is not a domain name such as contoso.com", in.Domain)
	}
	if len(in.Admins) == 0 {
		return Tenant{}, invalid("admins", "at least one admin is required, or nobody could manage the tenant")
	}
	admins := dedupe(in.Admins)
	if err := checkPrincipals("admins", admins); err != nil {
		return Tenant{}, err
	}
	grants := make([]Assignment, len(admins))
	for i, p := range admins {
		grants[i] = s.setupGrant(c, t, p, "global-admin", "*")
	}
	hub, err := s.workspaceSetup(c, &t, in)
	if err != nil {
		return Tenant{}, err
	}
	grants = append(grants, hub...)
	msgs, err := encode(events.TenantCreated{Meta: s.meta(actorOf(c), c.RequestID, "", t.ID), Tenant: tenantView(t)})
	if err != nil {
		return Tenant{}, err
	}
	if err := s.store.CreateTenant(ctx, t, grants, msgs); err != nil {
		if errors.Is(err, ErrConflict) {
			return Tenant{}, conflict("a tenant with id %q or domain %q exists", t.ID, t.Domain)
		}
		return Tenant{}, err
	}
	s.publish(ctx, msgs)
	return t, nil
}

// workspaceSetup validates a tenant's workspaces and service admins, records
// the workspaces on t, and answers the service admins' native grants: the
// Service administrator role on the tenant and, when there are workspaces,
// the Workspace administrator role on the first one (seed 004).
func (s *Service) workspaceSetup(c Caller, t *Tenant, in NewTenant) ([]Assignment, error) {
	ws := dedupe(in.Workspaces)
	if len(ws) > MaxWorkspaces {
		return nil, invalid("workspaces", "%d workspaces; a tenant is set up with at most %d (MaxWorkspaces)", len(ws), MaxWorkspaces)
	}
	for _, w := range ws {
		if !ValidTenantID(w) {
			return nil, invalid("workspaces", "%q is not a workspace id: 1-63 lower-case letters, digits and dashes", w)
		}
	}
	admins := dedupe(in.ServiceAdmins)
	if len(admins) > maxServiceAdmins {
		return nil, invalid("serviceAdmins", "at most %d service admins at setup; assign more later", maxServiceAdmins)
	}
	if err := checkPrincipals("serviceAdmins", admins); err != nil {
		return nil, err
	}
	t.Workspaces = ws
	var out []Assignment
	for _, p := range admins {
		out = append(out, s.setupGrant(c, *t, p, roleServiceAdmin, "*"))
		if len(ws) > 0 {
			out = append(out, s.setupGrant(c, *t, p, roleWorkspaceAdmin, "/workspaces/"+ws[0]))
		}
	}
	return out, nil
}

// setupGrant is a native grant a tenant's setup makes: one role, on one
// scope, to one of its first people.
func (s *Service) setupGrant(c Caller, t Tenant, principal, role, scope string) Assignment {
	return Assignment{ID: s.newID(), TenantID: t.ID, HomeTenant: t.ID, Principal: principal, Roles: []string{role},
		Permissions: []string{}, Scope: []string{scope}, CreatedAt: t.CreatedAt, CreatedBy: c.Actor()}
}

// GetTenant answers a tenant to its members, to the operator, and to the
// people of a tenant with an active relationship to it (either side) who hold
// relationships.view natively at home; to anyone else — a partner user
// without that permission, or one whose relationship ended — it does not
// exist, the same answer as for an unknown id.
func (s *Service) GetTenant(ctx context.Context, c Caller, id string) (Tenant, error) {
	if !ValidTenantID(id) {
		return Tenant{}, notFound("tenant", id)
	}
	if c.Tenant != id && !s.IsOperator(c) {
		var refused *DeniedError
		if err := s.authorizeHome(ctx, c, "relationships.view"); errors.As(err, &refused) {
			return Tenant{}, notFound("tenant", id)
		} else if err != nil {
			return Tenant{}, err
		}
		related, err := s.activelyRelated(ctx, c.Tenant, id)
		if err != nil {
			return Tenant{}, err
		}
		if !related {
			return Tenant{}, notFound("tenant", id)
		}
	}
	return s.store.GetTenant(ctx, id)
}

// activelyRelated reports whether an active relationship links the two
// tenants, in either direction.
func (s *Service) activelyRelated(ctx context.Context, a, b string) (bool, error) {
	for _, pair := range [][2]string{{a, b}, {b, a}} {
		p, err := s.store.LoadPartition(ctx, pair[0], pair[1])
		if err != nil {
			return false, err
		}
		for _, rel := range p.Relationships {
			if s.linkActive(rel) {
				return true, nil
			}
		}
	}
	return false, nil
}
