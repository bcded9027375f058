package tenancy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/period"
)

// Invitation templates (SPEC §1): a partner's reusable invitation — the
// ceiling, scope, duration, auto-extension and MFA condition — with group
// mappings, the partner's own groups (or users) and the roles and scope each
// gets in the customer. An invitation made from a template carries a copy
// of its terms and mappings as they are when it is sent; accepting it creates
// the mapped assignments in the acceptance's own transaction, narrowed to what
// the customer accepted.

// MaxTemplateMappings bounds a template's group mappings so that accepting
// an invitation made from it always fits one DynamoDB transaction (100
// items): acceptItems, plus itemsPerMapping for each mapping.
const MaxTemplateMappings = 20

// What accepting writes in one transaction: the invitation, the relationship,
// its id item and decision link, InvitationAccepted and RelationshipActivated
// (acceptItems); for each mapped assignment the assignment, its decision
// grant and its RoleAssigned event (itemsPerMapping). At MaxTemplateMappings
// that is 66 of DynamoDB's 100.
const (
	acceptItems     = 6
	itemsPerMapping = 3
)

// The build fails (a negative array length) if MaxTemplateMappings outgrows
// one transaction; TestTemplateAcceptanceAtTheBound accepts at the bound.
var _ [100 - acceptItems - itemsPerMapping*MaxTemplateMappings]struct{}

// GroupMapping gives a principal of the partner tenant (group:<id> or
// user:<id>, as assignments name principals) roles of the template's ceiling,
// optionally limited to a scope inside the template's (nil: the
// relationship's whole scope).
type GroupMapping struct {
	Principal string
	Roles     []string
	Scope     []string
}

// InvitationTemplate is a partner's reusable invitation.
type InvitationTemplate struct {
	ID            string
	TenantID      string
	Name          string
	Roles         []string
	Scope         []string
	Duration      period.Duration
	AutoExtend    *period.Duration
	RequireMFA    bool
	GroupMappings []GroupMapping
	CreatedAt     time.Time
	UpdatedAt     time.Time
	UpdatedBy     Actor
	Version       int
}

// NewTemplate is the request to create or replace a template.
type NewTemplate struct {
	ID            string
	Name          string
	Roles         []string
	Scope         []string
	Duration      *time.Duration
	AutoExtend    *time.Duration
	RequireMFA    bool
	GroupMappings []GroupMapping
}

// templateStore is what templates need of the store.
type templateStore interface {
	// SaveTemplate creates a template (Version 0) or replaces the one read
	// at t.Version, with its events.
	SaveTemplate(ctx context.Context, t InvitationTemplate, msgs []events.Message) (InvitationTemplate, error)
	GetTemplate(ctx context.Context, tenant, id string) (InvitationTemplate, error)
	ListTemplates(ctx context.Context, tenant string, page Page) (List[InvitationTemplate], error)
	// CreateTemplateInvitation writes an invitation made from a template
	// with its events and claims (partner, template, customer) for it: while
	// no claim exists, or while the claim still names replaces (a claim
	// whose invitation is no longer pending). ErrConflict otherwise.
	CreateTemplateInvitation(ctx context.Context, inv Invitation, replaces string, msgs []events.Message) error
	// TemplateClaim answers the invitation that holds the claim of
	// (partner, template, customer); ErrNotFound when there is none.
	TemplateClaim(ctx context.Context, partner, template, customer string) (string, error)
	// AcceptWithAssignments is AcceptInvitation creating the assignments
	// too, in the same transaction.
	AcceptWithAssignments(ctx context.Context, inv Invitation, rel Relationship, assignments []Assignment, msgs []events.Message) error
}

// SaveTemplate creates or replaces an invitation template of tenant, which
// must be the caller's own tenant and hold the MSP licence; it reports
// whether the template was created. Everything is checked as an invitation's
// terms are, and each mapping stays inside the template: its roles among the
// template's, its scope inside the template's scope.
func (s *Service) SaveTemplate(ctx context.Context, c Caller, tenant string, in NewTemplate) (InvitationTemplate, bool, error) {
	if !ValidTenantID(tenant) {
		return InvitationTemplate{}, false, notFound("tenant", tenant)
	}
	tpl, err := s.checkTemplate(in)
	if err != nil {
		return InvitationTemplate{}, false, err
	}
	if err := s.templateKeeper(ctx, c, tenant, "relationships.manage"); err != nil {
		return InvitationTemplate{}, false, err
	}
	owner, err := s.store.GetTenant(ctx, tenant)
	if err != nil {
		return InvitationTemplate{}, false, err
	}
	if !owner.MSP {
		return InvitationTemplate{}, false, invalid("tenantId", "%s holds no MSP licence: templates are a partner's, for inviting customers", tenant)
	}
	prev, err := s.store.GetTemplate(ctx, tenant, tpl.ID)
	created := errors.Is(err, ErrNotFound)
	if err != nil && !created {
		return InvitationTemplate{}, false, err
	}
	now := s.now()
	tpl.TenantID, tpl.UpdatedAt, tpl.UpdatedBy, tpl.CreatedAt = tenant, now, c.Actor(), now
	if !created {
		tpl.Version, tpl.CreatedAt = prev.Version, prev.CreatedAt // replaces the template as read
	}
	msgs, err := encode(events.InvitationTemplateSaved{Meta: s.meta(actorOf(c), c.RequestID, "", tenant), Template: templateView(tpl), Created: created})
	if err != nil {
		return InvitationTemplate{}, false, err
	}
	stored, err := s.store.SaveTemplate(ctx, tpl, msgs)
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return InvitationTemplate{}, false, conflict("template %s was changed by another request", tpl.ID)
		}
		return InvitationTemplate{}, false, err
	}
	s.publish(ctx, msgs)
	return stored, created, nil
}

// ListTemplates lists tenant's templates, to its own people holding
// relationships.view.
func (s *Service) ListTemplates(ctx context.Context, c Caller, tenant string, page Page) (List[InvitationTemplate], error) {
	if !ValidTenantID(tenant) {
		return List[InvitationTemplate]{}, notFound("tenant", tenant)
	}
	if err := s.templateKeeper(ctx, c, tenant, "relationships.view"); err != nil {
		return List[InvitationTemplate]{}, err
	}
	return s.store.ListTemplates(ctx, tenant, page)
}

// templateKeeper: a tenant's templates are its own people's, with perm at
// home. Anyone else is told the tenant does not exist unless it has a
// relationship there, and then that templates are not its business: a
// partner never reads or uses another partner's templates.
func (s *Service) templateKeeper(ctx context.Context, c Caller, tenant, perm string) error {
	if c.Tenant != tenant {
		if err := s.authorize(ctx, c, tenant, "relationships.view"); err != nil {
			return err
		}
		return denied(access.ReasonNoGrant, "the invitation templates of %s are kept by its own people", tenant)
	}
	return s.authorizeHome(ctx, c, perm)
}

// checkTemplate validates a template's request as an invitation's terms
// are validated, and its mappings against it.
func (s *Service) checkTemplate(in NewTemplate) (InvitationTemplate, error) {
	if !idPattern.MatchString(in.ID) {
		return InvitationTemplate{}, invalid("id", "%q is not a template id: 1-63 lower-case letters, digits and dashes", in.ID)
	}
	if err := checkName("name", in.Name, maxNameLength); err != nil {
		return InvitationTemplate{}, err
	}
	roles, err := s.checkDelegableRoles("roles", in.Roles)
	if err != nil {
		return InvitationTemplate{}, err
	}
	scopePatterns := in.Scope
	if scopePatterns == nil {
		scopePatterns = []string{"*"}
	}
	scope, err := checkScope("scope", scopePatterns)
	if err != nil {
		return InvitationTemplate{}, err
	}
	duration, err := within("duration", in.Duration, DefaultDuration, MinDuration, MaxDuration)
	if err != nil {
		return InvitationTemplate{}, err
	}
	var autoExtend *period.Duration
	if in.AutoExtend != nil {
		d, err := within("autoExtend", in.AutoExtend, 0, MinDuration, MaxDuration)
		if err != nil {
			return InvitationTemplate{}, err
		}
		if err := autoExtendAllowed(roles); err != nil {
			return InvitationTemplate{}, err
		}
		v := period.Duration(d)
		autoExtend = &v
	}
	if len(in.GroupMappings) > MaxTemplateMappings {
		return InvitationTemplate{}, invalid("groupMappings", "%d mappings; a template holds at most %d (MaxTemplateMappings), so that accepting it fits one transaction",
			len(in.GroupMappings), MaxTemplateMappings)
	}
	mappings := make([]GroupMapping, 0, len(in.GroupMappings))
	for i, m := range in.GroupMappings {
		gm, err := s.checkMapping(fmt.Sprintf("groupMappings[%d]", i), m, roles, scope)
		if err != nil {
			return InvitationTemplate{}, err
		}
		mappings = append(mappings, gm)
	}
	return InvitationTemplate{ID: in.ID, Name: in.Name, Roles: roles, Scope: scope.Patterns(), Duration: period.Duration(duration),
		AutoExtend: autoExtend, RequireMFA: in.RequireMFA, GroupMappings: mappings}, nil
}

// checkDelegableRoles accepts built-in roles a partner can hold something
// of: a role all of whose permissions are non-delegable would grant a
// partner nothing, and is refused rather than carried along.
func (s *Service) checkDelegableRoles(field string, roles []string) ([]string, error) {
	if len(roles) == 0 {
		return nil, invalid(field, "name at least one role")
	}
	if len(roles) > maxRoles {
		return nil, invalid(field, "at most %d roles", maxRoles)
	}
	roles = dedupe(roles)
	var unknown, nothing []string
	delegable := s.cat.Delegable()
	for _, id := range roles {
		r, ok := s.cat.Role(id)
		switch {
		case !ok:
			unknown = append(unknown, id)
		case intersect(r.Perms, delegable).Len() == 0:
			nothing = append(nothing, id)
		}
	}
	if len(unknown) > 0 {
		return nil, &ValidationError{Field: field, Reason: "not built-in roles of the catalogue (a template cannot name a customer's custom roles)", Values: unknown}
	}
	if len(nothing) > 0 {
		return nil, &ValidationError{Field: field, Reason: "hold no delegable permission: a partner could hold nothing of them", Values: nothing}
	}
	return roles, nil
}

func (s *Service) checkMapping(field string, m GroupMapping, roles []string, scope access.Scope) (GroupMapping, error) {
	if err := checkPrincipal(field+".principal", m.Principal); err != nil {
		return GroupMapping{}, err
	}
	if len(m.Roles) == 0 {
		return GroupMapping{}, invalid(field+".roles", "name at least one of the template's roles")
	}
	if len(m.Roles) > maxRoles {
		return GroupMapping{}, invalid(field+".roles", "at most %d roles", maxRoles)
	}
	mr := dedupe(m.Roles)
	var outside []string
	for _, r := range mr {
		if !contains(roles, r) {
			outside = append(outside, r)
		}
	}
	if len(outside) > 0 {
		return GroupMapping{}, &ValidationError{Field: field + ".roles", Reason: "not among the template's roles (its ceiling)", Values: outside}
	}
	effective := scope
	var ms []string
	if m.Scope != nil {
		sc, err := checkScope(field+".scope", m.Scope)
		if err != nil {
			return GroupMapping{}, err
		}
		if out := sc.Outside(scope); len(out) > 0 {
			return GroupMapping{}, &ValidationError{Field: field + ".scope", Reason: "outside the template's scope", Values: out}
		}
		effective, ms = sc, sc.Patterns()
	}
	if err := s.checkWorkspaceScope(mr, nil, effective, nil); err != nil {
		var ve *ValidationError
		if errors.As(err, &ve) {
			ve.Field = field + ".scope"
		}
		return GroupMapping{}, err
	}
	return GroupMapping{Principal: m.Principal, Roles: mr, Scope: ms}, nil
}

// createFromTemplate is POST /invitations with {to, template}: the terms
// and mappings come from the template, so the request names nothing else
// but when the invitation expires.
func (s *Service) createFromTemplate(ctx context.Context, c Caller, in NewInvitation) (Invitation, error) {
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"from", in.FromTenant != ""}, {"kind", in.Kind != ""}, {"as", in.As != "" && in.As != SidePartner}, {"roles", in.Roles != nil},
		{"scope", in.Scope != nil}, {"duration", in.Duration != nil}, {"autoExtend", in.AutoExtend != nil}, {"requireMfa", in.RequireMFA},
	} {
		if f.set {
			return Invitation{}, invalid(f.name, "comes from the template: leave it out, or edit the template")
		}
	}
	if !idPattern.MatchString(in.Template) {
		return Invitation{}, invalid("template", "%q is not a template id", in.Template)
	}
	to, err := checkInvitee(in)
	if err != nil {
		return Invitation{}, err
	}
	expiresIn, err := within("expiresIn", in.ExpiresIn, DefaultInviteExpiry, MinInviteExpiry, MaxInviteExpiry)
	if err != nil {
		return Invitation{}, err
	}
	tpl, inviter, err := s.templateToSend(ctx, c, in.Template)
	if err != nil {
		return Invitation{}, err
	}
	customer, err := s.customerFor(ctx, inviter, to)
	if err != nil {
		return Invitation{}, err
	}
	inv, existing, err := s.inviteFromTemplate(ctx, c, inviter, tpl, customer, expiresIn)
	if err != nil {
		return Invitation{}, err
	}
	if existing {
		return Invitation{}, &ConflictError{Message: fmt.Sprintf("invitation %s from template %s to %s is still pending: cancel it to send another", inv.ID, tpl.ID, inv.ToTenant)}
	}
	return inv, nil
}

// templateToSend authorizes sending invitations from the caller's tenant and
// loads the template to send and the inviter.
func (s *Service) templateToSend(ctx context.Context, c Caller, id string) (InvitationTemplate, Tenant, error) {
	if err := s.authorizeHome(ctx, c, "relationships.manage"); err != nil {
		return InvitationTemplate{}, Tenant{}, err
	}
	tpl, err := s.store.GetTemplate(ctx, c.Tenant, id)
	if errors.Is(err, ErrNotFound) {
		return InvitationTemplate{}, Tenant{}, invalid("template", "your tenant %s has no template %q", c.Tenant, id)
	}
	if err != nil {
		return InvitationTemplate{}, Tenant{}, err
	}
	inviter, err := s.store.GetTenant(ctx, c.Tenant)
	if err != nil {
		return InvitationTemplate{}, Tenant{}, err
	}
	if !inviter.MSP {
		return InvitationTemplate{}, Tenant{}, invalid("template", "%s holds no MSP licence: only a partner invites from templates", c.Tenant)
	}
	return tpl, inviter, nil
}

// customerFor resolves the customer a template invitation goes to: a tenant
// other than the inviter and without the MSP licence, which reads exactly as
// one that does not exist.
func (s *Service) customerFor(ctx context.Context, inviter Tenant, to invitee) (Tenant, error) {
	customer, err := s.resolveInvitee(ctx, to)
	if err != nil {
		return Tenant{}, err
	}
	if customer.ID == inviter.ID {
		return Tenant{}, invalid(to.field, "a tenant cannot invite itself")
	}
	if customer.MSP {
		return Tenant{}, to.unknown()
	}
	return customer, nil
}

// maxClaimTries bounds the takeovers of stale claims one invitation tries.
const maxClaimTries = 3

// inviteFromTemplate sends one invitation made from tpl, or answers the
// invitation from tpl still pending to the same customer (existing true):
// one pending invitation per (partner, template, customer), so re-sending a
// batch never invites a customer twice. The claim of that triple is written
// with the invitation; a claim whose invitation was answered or has expired
// is taken over, conditioned on still naming that invitation.
func (s *Service) inviteFromTemplate(ctx context.Context, c Caller, inviter Tenant, tpl InvitationTemplate, invitee Tenant, expiresIn time.Duration) (Invitation, bool, error) {
	now := s.now()
	inv := Invitation{
		ID: s.newID(), Kind: KindDelegatedAdmin, Status: InvitationPending, FromTenant: inviter.ID, ToTenant: invitee.ID, As: SidePartner,
		PartnerTenant: inviter.ID, CustomerTenant: invitee.ID, Roles: tpl.Roles, Scope: tpl.Scope, Duration: tpl.Duration,
		AutoExtend: tpl.AutoExtend, RequireMFA: tpl.RequireMFA, ExpiresAt: now.Add(expiresIn), CreatedAt: now, CreatedBy: c.Actor(), UpdatedAt: now,
		TemplateID: tpl.ID, GroupMappings: tpl.GroupMappings,
	}
	replaces := ""
	for range maxClaimTries {
		// Fresh events each try: the transaction's idempotency token comes
		// from the first event's id.
		msgs, err := encode(s.invitationEvent(actorOf(c), c.RequestID, inv))
		if err != nil {
			return Invitation{}, false, err
		}
		err = s.store.CreateTemplateInvitation(ctx, inv, replaces, msgs)
		if err == nil {
			s.publish(ctx, msgs)
			return inv, false, nil
		}
		if !errors.Is(err, ErrConflict) {
			return Invitation{}, false, err
		}
		held, err := s.store.TemplateClaim(ctx, inviter.ID, tpl.ID, invitee.ID)
		if errors.Is(err, ErrNotFound) {
			replaces = ""
			continue
		}
		if err != nil {
			return Invitation{}, false, err
		}
		prev, err := s.store.GetInvitation(ctx, held)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Invitation{}, false, err
		}
		if err == nil && prev.Status == InvitationPending && s.now().Before(prev.ExpiresAt) {
			return prev, true, nil
		}
		replaces = held
	}
	return Invitation{}, false, conflict("invitations from template %s to %s raced with other requests; retry", tpl.ID, invitee.ID)
}

func templateView(t InvitationTemplate) events.Template {
	v := events.Template{ID: t.ID, Name: t.Name, TenantID: t.TenantID, Roles: t.Roles, Scope: t.Scope, Duration: period.Format(time.Duration(t.Duration)), RequireMFA: t.RequireMFA}
	if t.AutoExtend != nil {
		v.AutoExtend = period.Format(time.Duration(*t.AutoExtend))
	}
	for _, m := range t.GroupMappings {
		v.GroupMappings = append(v.GroupMappings, events.GroupMapping{Principal: m.Principal, Roles: m.Roles, Scope: m.Scope})
	}
	return v
}
