package tenancy

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/period"
)

// Bounds of the contract.
const (
	day                  = 24 * time.Hour
	DefaultInviteExpiry  = 14 * day
	MaxInviteExpiry      = 90 * day
	MinInviteExpiry      = time.Hour
	DefaultDuration      = 365 * day
	MinDuration          = day
	MaxDuration          = 730 * day
	DefaultMaxActivation = time.Hour
	MaxActivation        = 8 * time.Hour
	MinActivation        = 5 * time.Minute
)

// NewInvitation is the request to invite another tenant.
type NewInvitation struct {
	// FromTenant lets the operator invite on behalf of an MSP (parent-child
	// only); everyone else invites from their own tenant and leaves it empty.
	FromTenant string
	ToTenant   string
	ToDomain   string
	Kind       string
	As         string
	Roles      []string
	Scope      []string
	Duration   *time.Duration
	AutoExtend *time.Duration
	RequireMFA bool
	ExpiresIn  *time.Duration
	// Template names a template of the caller's tenant the terms come
	// from (templates.go); then nothing above but To and ExpiresIn is set.
	Template string
}

// CreateInvitation proposes a relationship; the other side accepts it.
//
// The whole request is validated before any other tenant is looked at, and
// every reason the invitee cannot receive it — no such tenant, or one on
// the wrong side of the MSP licence — answers the same error, so the answer
// never tells a caller whether a tenant exists or holds the licence.
func (s *Service) CreateInvitation(ctx context.Context, c Caller, in NewInvitation) (Invitation, error) {
	if in.Template != "" {
		return s.createFromTemplate(ctx, c, in)
	}
	from := c.Tenant
	if in.FromTenant != "" {
		if !s.IsOperator(c) {
			return Invitation{}, invalid("from", "only the platform operator names from (to invite on behalf of an MSP); leave it out: the inviter is your tenant")
		}
		if in.Kind != KindParentChild {
			return Invitation{}, invalid("from", "the operator invites on behalf of an MSP only for kind parent-child")
		}
		if !ValidTenantID(in.FromTenant) {
			return Invitation{}, invalid("from.tenantId", "%q is not a tenant id", in.FromTenant)
		}
		from = in.FromTenant
	}
	kind := in.Kind
	if kind == "" {
		kind = KindDelegatedAdmin
	}
	if kind != KindDelegatedAdmin && kind != KindParentChild {
		return Invitation{}, invalid("kind", "%q is not delegated-admin or parent-child", in.Kind)
	}
	as := in.As
	if as == "" {
		as = SidePartner
	}
	if as != SidePartner && as != SideCustomer {
		return Invitation{}, invalid("as", "%q is not partner or customer", in.As)
	}
	to, err := checkInvitee(in)
	if err != nil {
		return Invitation{}, err
	}
	// The customer's own custom roles count only when the customer invites:
	// then the customer is the inviter, and nobody else's roles are read.
	roles, err := s.checkCeilingRoles(ctx, from, as == SideCustomer, in.Roles)
	if err != nil {
		return Invitation{}, err
	}
	scope := in.Scope
	if scope == nil {
		scope = []string{"*"}
	}
	sc, err := checkScope("scope", scope)
	if err != nil {
		return Invitation{}, err
	}
	duration, err := within("duration", in.Duration, DefaultDuration, MinDuration, MaxDuration)
	if err != nil {
		return Invitation{}, err
	}
	expiresIn, err := within("expiresIn", in.ExpiresIn, DefaultInviteExpiry, MinInviteExpiry, MaxInviteExpiry)
	if err != nil {
		return Invitation{}, err
	}
	var autoExtend *period.Duration
	if in.AutoExtend != nil {
		d, err := within("autoExtend", in.AutoExtend, 0, MinDuration, MaxDuration)
		if err != nil {
			return Invitation{}, err
		}
		if err := autoExtendAllowed(in.Roles); err != nil {
			return Invitation{}, err
		}
		v := period.Duration(d)
		autoExtend = &v
	}
	if from == c.Tenant {
		if err := s.authorizeHome(ctx, c, "relationships.manage"); err != nil {
			return Invitation{}, err
		}
	}
	inviter, err := s.store.GetTenant(ctx, from)
	if errors.Is(err, ErrNotFound) {
		return Invitation{}, invalid("from.tenantId", "no tenant %q", from) // only the operator names another inviter
	}
	if err != nil {
		return Invitation{}, err
	}
	// What the inviter's own licence allows is the inviter's to know.
	if as == SidePartner && !inviter.MSP {
		return Invitation{}, invalid("as", "the partner side (%s) holds no MSP licence: invite as customer", inviter.ID)
	}
	if as == SideCustomer && inviter.MSP {
		return Invitation{}, invalid("as", "%s holds the MSP licence, so it is the partner side: invite as partner", inviter.ID)
	}
	invitee, err := s.resolveInvitee(ctx, to)
	if err != nil {
		return Invitation{}, err
	}
	if invitee.ID == inviter.ID {
		return Invitation{}, invalid("to", "a tenant cannot invite itself")
	}
	// The invitee must stand on the other side of the licence; a tenant that
	// cannot reads exactly as one that does not exist.
	if invitee.MSP == inviter.MSP {
		return Invitation{}, to.unknown()
	}
	partner, customer := inviter, invitee
	if as == SideCustomer {
		partner, customer = invitee, inviter
	}
	now := s.now()
	inv := Invitation{
		ID: s.newID(), Kind: kind, Status: InvitationPending, FromTenant: inviter.ID, ToTenant: invitee.ID, As: as,
		PartnerTenant: partner.ID, CustomerTenant: customer.ID, Roles: roles, Scope: sc.Patterns(),
		Duration: period.Duration(duration), AutoExtend: autoExtend, RequireMFA: in.RequireMFA,
		ExpiresAt: now.Add(expiresIn), CreatedAt: now, CreatedBy: c.Actor(), UpdatedAt: now,
	}
	msgs, err := encode(s.invitationEvent(actorOf(c), c.RequestID, inv))
	if err != nil {
		return Invitation{}, err
	}
	if err := s.store.CreateInvitation(ctx, inv, msgs); err != nil {
		return Invitation{}, err
	}
	s.publish(ctx, msgs)
	return inv, nil
}

// invitee is the "to" of an invitation, checked for shape.
type invitee struct {
	field, tenantID, domain string
}

// unknown is the one answer for an invitee that cannot be invited, whatever
// the reason: it names the field and nothing of the tenant.
func (t invitee) unknown() error {
	return invalid(t.field, "names no tenant this invitation can go to")
}

func checkInvitee(in NewInvitation) (invitee, error) {
	switch {
	case (in.ToTenant == "") == (in.ToDomain == ""):
		return invitee{}, invalid("to", "give exactly one of tenantId or domain")
	case in.ToTenant != "":
		if !ValidTenantID(in.ToTenant) {
			return invitee{}, invalid("to.tenantId", "%q is not a tenant id: 1-63 lower-case letters, digits and dashes", in.ToTenant)
		}
		return invitee{field: "to.tenantId", tenantID: in.ToTenant}, nil
	default:
		domain := strings.ToLower(strings.TrimSpace(in.ToDomain))
		if !domainPattern.MatchString(domain) || len(domain) > 253 {
			return invitee{}, invalid("to.domain", "%q is not a domain name such as contoso.com", in.ToDomain)
		}
		return invitee{field: "to.domain", domain: domain}, nil
	}
}

func (s *Service) resolveInvitee(ctx context.Context, to invitee) (Tenant, error) {
	var t Tenant
	var err error
	if to.tenantID != "" {
		t, err = s.store.GetTenant(ctx, to.tenantID)
	} else {
		t, err = s.store.TenantByDomain(ctx, to.domain)
	}
	if errors.Is(err, ErrNotFound) {
		return Tenant{}, to.unknown()
	}
	return t, err
}

// checkCeilingRoles accepts built-in roles, and the customer's own custom roles
// when the customer itself is inviting (a partner cannot see them).
func (s *Service) checkCeilingRoles(ctx context.Context, customer string, customerInvites bool, roles []string) ([]string, error) {
	if len(roles) == 0 {
		return nil, invalid("roles", "name at least one role for the ceiling")
	}
	if len(roles) > maxRoles {
		return nil, invalid("roles", "at most %d roles", maxRoles)
	}
	roles = dedupe(roles)
	var custom []CustomRole
	if customerInvites {
		var err error
		if custom, err = s.store.ListRoles(ctx, customer, customer); err != nil {
			return nil, err
		}
	}
	var unknown []string
	for _, id := range roles {
		if _, ok := s.cat.Role(id); ok {
			continue
		}
		if findRole(custom, id) == nil {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return nil, &ValidationError{Field: "roles", Reason: "unknown roles", Values: unknown}
	}
	return roles, nil
}

func within(field string, v *time.Duration, def, min, max time.Duration) (time.Duration, error) {
	if v == nil {
		return def, nil
	}
	if *v < min || *v > max {
		return 0, invalid(field, "must lie between %s and %s", period.Format(min), period.Format(max))
	}
	return *v, nil
}

// Invitation directions.
const (
	Incoming = "incoming"
	Outgoing = "outgoing"
)

// ListInvitations lists the caller's tenant's invitations.
func (s *Service) ListInvitations(ctx context.Context, c Caller, direction, status string, page Page) (List[Invitation], error) {
	if direction == "" {
		direction = Incoming
	}
	if direction != Incoming && direction != Outgoing {
		return List[Invitation]{}, invalid("direction", "%q is not incoming or outgoing", direction)
	}
	switch status {
	case "", InvitationPending, InvitationAccepted, InvitationDeclined, InvitationCancelled, InvitationExpired:
	default:
		return List[Invitation]{}, invalid("status", "%q is not an invitation state", status)
	}
	if err := s.authorizeHome(ctx, c, "relationships.view"); err != nil {
		return List[Invitation]{}, err
	}
	return s.store.ListInvitations(ctx, c.Tenant, direction, status, page)
}

// Acceptance is the invitee's answer: optionally who administers on the
// partner side, and a narrower ceiling or scope than proposed.
type Acceptance struct {
	PrimaryAdmins []string
	Roles         []string
	Scope         []string
}

// invitationFor loads an invitation the caller's tenant is a party to.
func (s *Service) invitationFor(ctx context.Context, c Caller, id string) (Invitation, error) {
	inv, err := s.store.GetInvitation(ctx, id)
	if err != nil {
		return Invitation{}, err
	}
	if c.Tenant != inv.FromTenant && c.Tenant != inv.ToTenant {
		return Invitation{}, notFound("invitation", id)
	}
	return inv, nil
}

// answerable checks that the caller may answer inv: a person of the invited
// tenant holding invitations.accept there, while it is pending and unexpired.
func (s *Service) answerable(ctx context.Context, c Caller, inv Invitation) error {
	if c.Tenant != inv.ToTenant {
		return denied(access.ReasonNoGrant, "only the invited tenant %s can answer this invitation", inv.ToTenant)
	}
	if err := s.authorizeHome(ctx, c, "invitations.accept"); err != nil {
		return err
	}
	if inv.Status != InvitationPending {
		return conflict("the invitation is %s", inv.Status)
	}
	if !s.now().Before(inv.ExpiresAt) {
		if _, err := s.moveInvitation(ctx, s.sweeper(), c.RequestID, inv, InvitationExpired); err != nil && !errors.Is(err, ErrConflict) {
			return err
		}
		return conflict("the invitation expired at %s", inv.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}

// AcceptInvitation turns a pending invitation into an active relationship.
func (s *Service) AcceptInvitation(ctx context.Context, c Caller, id string, in Acceptance) (Relationship, error) {
	return s.accept(ctx, c, id, in, nil)
}

// Accept is AcceptInvitation answering what the acceptance made: for an
// invitation from a template, the mapped assignments created in the same
// transaction and the mappings skipped (templates.go).
func (s *Service) Accept(ctx context.Context, c Caller, id string, in Acceptance) (Accepted, error) {
	var a Accepted
	rel, err := s.accept(ctx, c, id, in, &a)
	a.Relationship = rel
	return a, err
}

// accept is AcceptInvitation, reporting into out (when not nil) what the
// invitation's group mappings made.
func (s *Service) accept(ctx context.Context, c Caller, id string, in Acceptance, out *Accepted) (Relationship, error) {
	inv, err := s.invitationFor(ctx, c, id)
	if err != nil {
		return Relationship{}, err
	}
	if err := s.answerable(ctx, c, inv); err != nil {
		return Relationship{}, err
	}
	admins := dedupe(in.PrimaryAdmins)
	if err := checkPrincipals("primaryAdmins", admins); err != nil {
		return Relationship{}, err
	}
	// Primary admins hand out the partner's access under the relationship. The
	// customer may name them when it accepts; on the partner side only people
	// who manage its relationships may — accepting alone (tenant-manager)
	// must not be a way to promote oneself.
	if len(admins) > 0 && c.Tenant == inv.PartnerTenant {
		if err := s.authorizeHome(ctx, c, "relationships.manage"); err != nil {
			return Relationship{}, err
		}
	}
	roles := inv.Roles
	if in.Roles != nil {
		roles = dedupe(in.Roles)
		var wider []string
		for _, r := range roles {
			if !contains(inv.Roles, r) {
				wider = append(wider, r)
			}
		}
		if len(wider) > 0 {
			return Relationship{}, &ValidationError{Field: "roles", Reason: "an acceptance may narrow the proposed roles, never add to them", Values: wider}
		}
		if len(roles) == 0 {
			return Relationship{}, invalid("roles", "keep at least one role")
		}
	}
	scope := inv.Scope
	if in.Scope != nil {
		sc, err := checkScope("scope", in.Scope)
		if err != nil {
			return Relationship{}, err
		}
		proposed, _ := access.ParseScope(inv.Scope)
		if out := sc.Outside(proposed); len(out) > 0 {
			return Relationship{}, &ValidationError{Field: "scope", Reason: "an acceptance may narrow the proposed scope, never widen it", Values: out}
		}
		scope = sc.Patterns()
	}
	ceiling, err := s.freezeCeiling(ctx, inv.CustomerTenant, roles)
	if err != nil {
		return Relationship{}, err
	}
	partner, err := s.store.GetTenant(ctx, inv.PartnerTenant)
	if err != nil {
		return Relationship{}, err
	}
	customer, err := s.store.GetTenant(ctx, inv.CustomerTenant)
	if err != nil {
		return Relationship{}, err
	}
	now := s.now()
	rel := Relationship{
		ID: s.newID(), Kind: inv.Kind, Status: RelationshipActive,
		PartnerTenant: partner.ID, PartnerName: partner.Name, CustomerTenant: customer.ID, CustomerName: customer.Name,
		InvitationID: inv.ID, Ceiling: ceiling, Scope: scope, StartsAt: now, EndsAt: now.Add(time.Duration(inv.Duration)),
		AutoExtend: inv.AutoExtend, RequireMFA: inv.RequireMFA, PrimaryAdmins: admins, CreatedAt: now, UpdatedAt: now,
	}
	accepted := inv
	accepted.Status, accepted.RelationshipID, accepted.UpdatedAt = InvitationAccepted, rel.ID, now
	made, skipped, err := s.mapGroups(ctx, c, inv, rel)
	if err != nil {
		return Relationship{}, err
	}
	msgs, err := encode(s.acceptedPayloads(c, accepted, rel, made, skipped)...)
	if err != nil {
		return Relationship{}, err
	}
	if err := s.store.AcceptWithAssignments(ctx, accepted, rel, made, msgs); err != nil {
		if errors.Is(err, ErrConflict) {
			return Relationship{}, conflict("the invitation was answered by another request")
		}
		return Relationship{}, err
	}
	s.publish(ctx, msgs)
	if out != nil {
		out.Assignments, out.Skipped = made, skipped
	}
	return rel, nil
}

// freezeCeiling resolves the ceiling roles to the permissions they hold now.
func (s *Service) freezeCeiling(ctx context.Context, customer string, roles []string) ([]CeilingRole, error) {
	custom, err := s.store.ListRoles(ctx, customer, customer)
	if err != nil {
		return nil, err
	}
	ceiling := make([]CeilingRole, 0, len(roles))
	for _, id := range roles {
		if r, ok := s.cat.Role(id); ok {
			ceiling = append(ceiling, CeilingRole{ID: id, Permissions: s.cat.IDs(r.Perms)})
			continue
		}
		if r := findRole(custom, id); r != nil {
			ceiling = append(ceiling, CeilingRole{ID: id, Permissions: r.Permissions})
			continue
		}
		return nil, conflict("role %s of the invitation no longer exists", id)
	}
	return ceiling, nil
}

// DeclineInvitation refuses a pending invitation; it cannot be reopened.
func (s *Service) DeclineInvitation(ctx context.Context, c Caller, id string) (Invitation, error) {
	inv, err := s.invitationFor(ctx, c, id)
	if err != nil {
		return Invitation{}, err
	}
	if err := s.answerable(ctx, c, inv); err != nil {
		return Invitation{}, err
	}
	return s.moveInvitation(ctx, actorOf(c), c.RequestID, inv, InvitationDeclined)
}

// CancelInvitation withdraws a pending invitation the caller's tenant sent.
func (s *Service) CancelInvitation(ctx context.Context, c Caller, id string) (Invitation, error) {
	inv, err := s.invitationFor(ctx, c, id)
	if err != nil {
		return Invitation{}, err
	}
	if c.Tenant != inv.FromTenant {
		return Invitation{}, denied(access.ReasonNoGrant, "only the inviting tenant %s can cancel this invitation", inv.FromTenant)
	}
	if err := s.authorizeHome(ctx, c, "relationships.manage"); err != nil {
		return Invitation{}, err
	}
	if inv.Status != InvitationPending {
		return Invitation{}, conflict("the invitation is %s", inv.Status)
	}
	return s.moveInvitation(ctx, actorOf(c), c.RequestID, inv, InvitationCancelled)
}

// moveInvitation ends a pending invitation in status, with its event.
func (s *Service) moveInvitation(ctx context.Context, actor events.Actor, requestID string, inv Invitation, status string) (Invitation, error) {
	next := inv
	next.Status, next.UpdatedAt = status, s.now()
	msgs, err := encode(s.invitationEvent(actor, requestID, next))
	if err != nil {
		return Invitation{}, err
	}
	stored, err := s.store.UpdateInvitation(ctx, next, msgs)
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return Invitation{}, conflict("the invitation was answered by another request")
		}
		return Invitation{}, err
	}
	s.publish(ctx, msgs)
	return stored, nil
}

// autoExtendAllowed is GDAP's rule where it protects customers: a ceiling
// that holds global-admin never renews itself; the customer decides again
// at its end (or narrows global-admin out, and it may auto-extend).
func autoExtendAllowed(roles []string) error {
	if contains(roles, "global-admin") {
		return &ValidationError{Field: "autoExtend", Reason: "a ceiling holding global-admin does not auto-extend: leave autoExtend out, or global-admin", Values: []string{"global-admin"}}
	}
	return nil
}
