package tenancy

import "context"

// ListAudit answers a tenant's audit records, newest first. It needs
// audit.view in the tenant: the tenant's own people, or a partner holding a
// delegated grant of it. The tenant's own people read every record; a
// partner reads only the records whose actor is one of its own people — what
// another partner (or the customer itself) did there is the customer's
// business — so its actorTenant filter can only name itself.
func (s *Service) ListAudit(ctx context.Context, c Caller, tenant string, f AuditFilter, page Page) (List[AuditRecord], error) {
	if !ValidTenantID(tenant) {
		return List[AuditRecord]{}, notFound("tenant", tenant)
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return List[AuditRecord]{}, invalid("to", "is before from")
	}
	if f.ActorTenant != "" && !ValidTenantID(f.ActorTenant) {
		return List[AuditRecord]{}, invalid("actorTenant", "%q is not a tenant id", f.ActorTenant)
	}
	if err := s.authorize(ctx, c, tenant, "audit.view"); err != nil {
		return List[AuditRecord]{}, err
	}
	if c.Tenant != tenant {
		if f.ActorTenant != "" && f.ActorTenant != c.Tenant {
			return List[AuditRecord]{}, nil
		}
		f.ActorTenant = c.Tenant
	}
	return s.store.ListAudit(ctx, tenant, f, page)
}
