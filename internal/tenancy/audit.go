package tenancy

import "context"

// ListAudit answers a tenant's audit records, newest first. It needs
// audit.view in the tenant: the tenant's own people, or a partner holding a
// delegated grant of it.
func (s *Service) ListAudit(ctx context.Context, c Caller, tenant string, f AuditFilter, page Page) (List[AuditRecord], error) {
	if !ValidTenantID(tenant) {
		return List[AuditRecord]{}, notFound("tenant", tenant)
	}
	if err := s.authorize(ctx, c, tenant, "audit.view"); err != nil {
		return List[AuditRecord]{}, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return List[AuditRecord]{}, invalid("to", "is before from")
	}
	if f.ActorTenant != "" && !ValidTenantID(f.ActorTenant) {
		return List[AuditRecord]{}, invalid("actorTenant", "%q is not a tenant id", f.ActorTenant)
	}
	return s.store.ListAudit(ctx, tenant, f, page)
}
