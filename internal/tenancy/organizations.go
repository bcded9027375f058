package tenancy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
)

// Membership states of a tenant in an organisation.
const (
	MemberPending = "pending" // added by an owner, not yet joined
	MemberJoining = "joining" // joined with an owner's id; completing
	MemberJoined  = "joined"
)

// MaxOrganizationMembers bounds an organisation (the seeds' limit is 100).
const MaxOrganizationMembers = 100

// OrganizationTemplate is what a join sets up between a member and the owner.
type OrganizationTemplate struct {
	// AutoRedeem: invitations between members are redeemed without a prompt.
	AutoRedeem bool
	// AllowSyncIn: users of the other tenant may be synchronised into this one.
	AllowSyncIn bool
}

// Organization is a multi-tenant organisation: a peer group of tenants, at
// least one of them an owner. Membership grants no administrative right.
type Organization struct {
	ID        string
	Name      string
	Owners    []string
	Template  OrganizationTemplate
	CreatedAt time.Time
	CreatedBy Actor
	Members   []Member
	Version   int
}

// Member is a tenant's membership.
type Member struct {
	TenantID string
	State    string
	Owner    bool
	AddedAt  time.Time
	AddedBy  Actor
	JoinedAt *time.Time
	Version  int
}

// CrossTenantAccess is a tenant's settings toward one partner tenant, set up
// by an organisation join from its template; downstream sync reads them.
type CrossTenantAccess struct {
	TenantID          string
	PartnerTenantID   string
	OrganizationID    string
	AutoRedeem        bool
	AllowSyncIn       bool
	SyncConfiguration string
	SyncJob           bool
	CreatedAt         time.Time
}

// organizationStore is what organisations need from persistence.
type organizationStore interface {
	// CreateOrganization writes the organisation and its first (owner) member.
	CreateOrganization(ctx context.Context, org Organization, owner Member, msgs []events.Message) error
	// GetOrganization reads the organisation with its members in one request.
	GetOrganization(ctx context.Context, id string) (Organization, error)
	// SaveMembers replaces the organisation read at org.Version and writes
	// the given members (new ones at Version 0, or replacing those read at
	// their Version), removing those in removed, in one transaction.
	SaveMembers(ctx context.Context, org Organization, members []Member, removed []string, msgs []events.Message) error
	SaveCrossTenantAccess(ctx context.Context, settings []CrossTenantAccess, msgs []events.Message) error
	ListCrossTenantAccess(ctx context.Context, tenant string) ([]CrossTenantAccess, error)
	DeleteCrossTenantAccess(ctx context.Context, tenant, partner string, msgs []events.Message) error
}

func orgView(o Organization) events.Organization {
	return events.Organization{ID: o.ID, Name: o.Name, Owners: o.Owners}
}

// NewOrganization is the request to create one.
type NewOrganization struct {
	Name     string
	Template *OrganizationTemplate
}

// CreateOrganization creates an organisation owned by the caller's tenant.
func (s *Service) CreateOrganization(ctx context.Context, c Caller, in NewOrganization) (Organization, error) {
	if err := s.authorizeHome(ctx, c, "organizations.manage"); err != nil {
		return Organization{}, err
	}
	if err := checkName("name", in.Name, maxNameLength); err != nil {
		return Organization{}, err
	}
	tmpl := OrganizationTemplate{AutoRedeem: true, AllowSyncIn: true}
	if in.Template != nil {
		tmpl = *in.Template
	}
	now := s.now()
	org := Organization{ID: s.newID(), Name: strings.TrimSpace(in.Name), Owners: []string{c.Tenant}, Template: tmpl, CreatedAt: now, CreatedBy: c.Actor()}
	owner := Member{TenantID: c.Tenant, State: MemberJoined, Owner: true, AddedAt: now, AddedBy: c.Actor(), JoinedAt: &now}
	msgs, err := encode(events.OrganizationCreated{Meta: s.meta(actorOf(c), c.RequestID, "", c.Tenant), Organization: orgView(org)})
	if err != nil {
		return Organization{}, err
	}
	if err := s.store.CreateOrganization(ctx, org, owner, msgs); err != nil {
		return Organization{}, err
	}
	s.publish(ctx, msgs)
	org.Members = []Member{owner}
	return org, nil
}

// organizationFor loads an organisation the caller's tenant is a member of
// (in any state); to anyone else it does not exist.
func (s *Service) organizationFor(ctx context.Context, c Caller, id string) (Organization, *Member, error) {
	org, err := s.store.GetOrganization(ctx, id)
	if err != nil {
		return Organization{}, nil, err
	}
	for i := range org.Members {
		if org.Members[i].TenantID == c.Tenant {
			return org, &org.Members[i], nil
		}
	}
	return Organization{}, nil, notFound("organization", id)
}

// GetOrganization answers the organisation, its owners and each member's
// state to its members with organizations.view.
func (s *Service) GetOrganization(ctx context.Context, c Caller, id string) (Organization, error) {
	org, _, err := s.organizationFor(ctx, c, id)
	if err != nil {
		return Organization{}, err
	}
	if err := s.authorizeHome(ctx, c, "organizations.view"); err != nil {
		return Organization{}, err
	}
	return org, nil
}

// owner requires the caller's tenant to own the organisation and the caller
// to hold organizations.manage there.
func (s *Service) owner(ctx context.Context, c Caller, id string) (Organization, error) {
	org, _, err := s.organizationFor(ctx, c, id)
	if err != nil {
		return Organization{}, err
	}
	if !slices.Contains(org.Owners, c.Tenant) {
		return Organization{}, denied(access.ReasonNoGrant, "only an owner of organisation %s may do this", id)
	}
	return org, s.authorizeHome(ctx, c, "organizations.manage")
}

// AddTenant lets an owner add a tenant: a pending membership until the tenant
// joins with an owner's tenant id.
// Everything but the tenant's existence is checked first, so a missing
// tenant and an existing one get the same answer to the same request.
func (s *Service) AddTenant(ctx context.Context, c Caller, id, tenant string) (Member, error) {
	if !ValidTenantID(tenant) {
		return Member{}, invalid("tenantId", "%q is not a tenant id: 1-63 lower-case letters, digits and dashes", tenant)
	}
	org, err := s.owner(ctx, c, id)
	if err != nil {
		return Member{}, err
	}
	for _, m := range org.Members {
		if m.TenantID == tenant {
			return Member{}, conflict("tenant %s is already %s in organisation %s", tenant, m.State, id)
		}
	}
	if len(org.Members) >= MaxOrganizationMembers {
		return Member{}, conflict("organisation %s has %d tenants, the most it may have", id, MaxOrganizationMembers)
	}
	if _, err := s.store.GetTenant(ctx, tenant); errors.Is(err, ErrNotFound) {
		return Member{}, invalid("tenantId", "names no tenant that can be added")
	} else if err != nil {
		return Member{}, err
	}
	m := Member{TenantID: tenant, State: MemberPending, AddedAt: s.now(), AddedBy: c.Actor()}
	return m, s.saveMembers(ctx, org, []Member{m}, nil, events.OrganizationTenantAdded{
		Meta: s.meta(actorOf(c), c.RequestID, "", append(slices.Clone(org.Owners), tenant)...), Organization: orgView(org), TenantID: tenant})
}

func (s *Service) saveMembers(ctx context.Context, org Organization, members []Member, removed []string, payloads ...events.Payload) error {
	msgs, err := encode(payloads...)
	if err != nil {
		return err
	}
	if err := s.store.SaveMembers(ctx, org, members, removed, msgs); err != nil {
		if errors.Is(err, ErrConflict) {
			return conflict("organisation %s was changed by another request; try again", org.ID)
		}
		return err
	}
	s.publish(ctx, msgs)
	return nil
}

// Join is the added tenant's answer: it names an owner's tenant id, as the
// seeds' join procedure asks. The join completes asynchronously (202): the
// OrganizationJoinRequested event is taken up by CompleteJoin.
func (s *Service) Join(ctx context.Context, c Caller, id, ownerTenant string) (Member, error) {
	org, me, err := s.organizationFor(ctx, c, id)
	if err != nil {
		return Member{}, err
	}
	if err := s.authorizeHome(ctx, c, "organizations.manage"); err != nil {
		return Member{}, err
	}
	if !slices.Contains(org.Owners, ownerTenant) {
		return Member{}, invalid("ownerTenantId", "%q is not an owner of this organisation", ownerTenant)
	}
	if me.State != MemberPending {
		return Member{}, conflict("tenant %s is already %s", c.Tenant, me.State)
	}
	next := *me
	next.State = MemberJoining
	return next, s.saveMembers(ctx, org, []Member{next}, nil, events.OrganizationJoinRequested{
		Meta: s.meta(actorOf(c), c.RequestID, "", c.Tenant, ownerTenant), Organization: orgView(org), TenantID: c.Tenant, OwnerTenant: ownerTenant})
}

// CompleteJoin finishes a join the bus delivered: the member is joined, and
// OrganizationJoined follows. Redelivery finds it joined and does nothing.
func (s *Service) CompleteJoin(ctx context.Context, ev events.OrganizationJoinRequested) error {
	org, err := s.store.GetOrganization(ctx, ev.Organization.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(org.Members, func(m Member) bool { return m.TenantID == ev.TenantID })
	if i < 0 || org.Members[i].State != MemberJoining {
		return nil // left, removed or already joined since
	}
	now := s.now()
	next := org.Members[i]
	next.State, next.JoinedAt = MemberJoined, &now
	actor := events.Actor{User: ev.Actor.User, Tenant: ev.Actor.Tenant}
	// A conflict (the organisation changed meanwhile) returns an error: the
	// bus delivers the request again and it is re-read.
	return s.saveMembers(ctx, org, []Member{next}, nil, events.OrganizationJoined{
		Meta: s.meta(actor, ev.RequestID, "", ev.TenantID, ev.OwnerTenant), Organization: orgView(org), TenantID: ev.TenantID, OwnerTenant: ev.OwnerTenant})
}

// SyncConfigurationName is what a join names the member's cross-tenant sync
// configuration, as the seeds do.
func SyncConfigurationName(owner string) string { return "MTO_Sync_" + owner }

// ConfigureCrossTenantAccess sets up, for a joined member, the sync
// configuration (no sync job yet) and the access settings between it and the
// owner from the organisation's template, both ways. A side that already has
// settings toward the other (a redelivery, another organisation, a rejoin
// after one side removed its own) is left as it is; only missing sides are
// written, so the join always completes.
func (s *Service) ConfigureCrossTenantAccess(ctx context.Context, ev events.OrganizationJoined) error {
	org, err := s.store.GetOrganization(ctx, ev.Organization.ID)
	if err != nil {
		return err
	}
	now := s.now()
	settings := []CrossTenantAccess{
		{TenantID: ev.TenantID, PartnerTenantID: ev.OwnerTenant, OrganizationID: org.ID, AutoRedeem: org.Template.AutoRedeem,
			AllowSyncIn: org.Template.AllowSyncIn, SyncConfiguration: SyncConfigurationName(ev.OwnerTenant), CreatedAt: now},
		{TenantID: ev.OwnerTenant, PartnerTenantID: ev.TenantID, OrganizationID: org.ID, AutoRedeem: org.Template.AutoRedeem,
			AllowSyncIn: org.Template.AllowSyncIn, SyncConfiguration: SyncConfigurationName(ev.OwnerTenant), CreatedAt: now},
	}
	var missing []CrossTenantAccess
	for _, x := range settings {
		existing, err := s.store.ListCrossTenantAccess(ctx, x.TenantID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(existing, func(e CrossTenantAccess) bool { return e.PartnerTenantID == x.PartnerTenantID }) {
			missing = append(missing, x)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	actor := events.Actor{User: "switchboard", Tenant: s.operator}
	var payloads []events.Payload
	for _, x := range missing {
		payloads = append(payloads, events.CrossTenantAccessConfigured{Meta: s.meta(actor, ev.RequestID, "", x.TenantID, x.PartnerTenantID),
			TenantID: x.TenantID, PartnerTenant: x.PartnerTenantID, SyncConfiguration: x.SyncConfiguration})
	}
	msgs, err := encode(payloads...)
	if err != nil {
		return err
	}
	if err := s.store.SaveCrossTenantAccess(ctx, missing, msgs); err != nil {
		return err // a conflict means a concurrent delivery wrote a side: the retry finds it
	}
	s.publish(ctx, msgs)
	return nil
}

// RemoveTenant is a member leaving (its own tenant) or an owner removing a
// member. The last owner can do neither to itself. Cross-tenant access
// settings stay: they are removed or stopped explicitly.
func (s *Service) RemoveTenant(ctx context.Context, c Caller, id, tenant string) error {
	org, _, err := s.organizationFor(ctx, c, id)
	if err != nil {
		return err
	}
	leaving := c.Tenant == tenant
	if !leaving && !slices.Contains(org.Owners, c.Tenant) {
		return denied(access.ReasonNoGrant, "only an owner removes another tenant; a tenant may leave by itself")
	}
	if err := s.authorizeHome(ctx, c, "organizations.manage"); err != nil {
		return err
	}
	if !slices.ContainsFunc(org.Members, func(m Member) bool { return m.TenantID == tenant }) {
		return notFound("member", tenant)
	}
	if slices.Contains(org.Owners, tenant) && len(org.Owners) == 1 {
		return conflict("%s is the last owner of organisation %s: name another owner first", tenant, id)
	}
	org.Owners = slices.DeleteFunc(slices.Clone(org.Owners), func(t string) bool { return t == tenant })
	return s.saveMembers(ctx, org, nil, []string{tenant}, events.OrganizationLeft{
		Meta: s.meta(actorOf(c), c.RequestID, "", append(slices.Clone(org.Owners), tenant)...), Organization: orgView(org), TenantID: tenant, Removed: !leaving})
}

// AddOwner makes a joined member an owner too.
func (s *Service) AddOwner(ctx context.Context, c Caller, id, tenant string) (Organization, error) {
	org, err := s.owner(ctx, c, id)
	if err != nil {
		return Organization{}, err
	}
	i := slices.IndexFunc(org.Members, func(m Member) bool { return m.TenantID == tenant })
	switch {
	case i < 0:
		return Organization{}, invalid("tenantId", "%s is not a member of organisation %s", tenant, id)
	case org.Members[i].State != MemberJoined:
		return Organization{}, conflict("%s has not joined yet", tenant)
	case slices.Contains(org.Owners, tenant):
		return org, nil
	}
	org.Owners = append(slices.Clone(org.Owners), tenant)
	m := org.Members[i]
	m.Owner = true
	if err := s.saveMembers(ctx, org, []Member{m}, nil, events.OrganizationOwnerAdded{
		Meta: s.meta(actorOf(c), c.RequestID, "", org.Owners...), Organization: orgView(org), TenantID: tenant}); err != nil {
		return Organization{}, err
	}
	org.Members[i] = m
	return org, nil
}

// ListCrossTenantAccess answers a tenant's settings to its own people with
// organizations.view.
func (s *Service) ListCrossTenantAccess(ctx context.Context, c Caller, tenant string) ([]CrossTenantAccess, error) {
	if err := s.authorize(ctx, c, tenant, "organizations.view"); err != nil {
		return nil, err
	}
	return s.store.ListCrossTenantAccess(ctx, tenant)
}

// RemoveCrossTenantAccess removes a tenant's settings toward a partner.
func (s *Service) RemoveCrossTenantAccess(ctx context.Context, c Caller, tenant, partner string) error {
	if err := s.authorize(ctx, c, tenant, "organizations.manage"); err != nil {
		return err
	}
	msgs, err := encode(events.CrossTenantAccessRemoved{Meta: s.meta(actorOf(c), c.RequestID, "", tenant, partner), TenantID: tenant, PartnerTenant: partner})
	if err != nil {
		return err
	}
	if err := s.store.DeleteCrossTenantAccess(ctx, tenant, partner, msgs); err != nil {
		return err
	}
	s.publish(ctx, msgs)
	return nil
}
