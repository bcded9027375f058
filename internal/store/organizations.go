package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// organizationItem is a multi-tenant organisation: ORG#id / ORG, its
// members beside it.
type organizationItem struct {
	keys
	ID        string           `dynamodbav:"ID"`
	Name      string           `dynamodbav:"Name"`
	Owners    []string         `dynamodbav:"Owners"`
	Template  orgTemplateAttrs `dynamodbav:"Template"`
	CreatedAt time.Time        `dynamodbav:"CreatedAt"`
	CreatedBy actor            `dynamodbav:"CreatedBy"`
	Version   int              `dynamodbav:"Version"`
}

type orgTemplateAttrs struct {
	AutoRedeem  bool `dynamodbav:"AutoRedeem"`
	AllowSyncIn bool `dynamodbav:"AllowSyncIn"`
}

// memberItem is a tenant's membership: ORG#id / MEMBER#tenant.
type memberItem struct {
	keys
	OrganizationID string     `dynamodbav:"OrganizationID"`
	TenantID       string     `dynamodbav:"TenantID"`
	State          string     `dynamodbav:"State"`
	Owner          bool       `dynamodbav:"Owner"`
	AddedAt        time.Time  `dynamodbav:"AddedAt"`
	AddedBy        actor      `dynamodbav:"AddedBy"`
	JoinedAt       *time.Time `dynamodbav:"JoinedAt"`
	Version        int        `dynamodbav:"Version"`
}

func newOrganizationItem(o tenancy.Organization, version int) organizationItem {
	return organizationItem{keys: keys{PK: orgPK(o.ID), SK: skOrganization, Entity: entityOrganization}, ID: o.ID, Name: o.Name, Owners: o.Owners,
		Template: orgTemplateAttrs{AutoRedeem: o.Template.AutoRedeem, AllowSyncIn: o.Template.AllowSyncIn}, CreatedAt: o.CreatedAt,
		CreatedBy: actorOf(o.CreatedBy), Version: version}
}

func (it organizationItem) domain() tenancy.Organization {
	return tenancy.Organization{ID: it.ID, Name: it.Name, Owners: it.Owners,
		Template: tenancy.OrganizationTemplate{AutoRedeem: it.Template.AutoRedeem, AllowSyncIn: it.Template.AllowSyncIn}, CreatedAt: it.CreatedAt,
		CreatedBy: it.CreatedBy.domain(), Version: it.Version}
}

func newMemberItem(org string, m tenancy.Member, version int) memberItem {
	return memberItem{keys: keys{PK: orgPK(org), SK: memberSK(m.TenantID), Entity: entityMember}, OrganizationID: org, TenantID: m.TenantID,
		State: m.State, Owner: m.Owner, AddedAt: m.AddedAt, AddedBy: actorOf(m.AddedBy), JoinedAt: m.JoinedAt, Version: version}
}

func (it memberItem) domain() tenancy.Member {
	return tenancy.Member{TenantID: it.TenantID, State: it.State, Owner: it.Owner, AddedAt: it.AddedAt, AddedBy: it.AddedBy.domain(),
		JoinedAt: it.JoinedAt, Version: it.Version}
}

// CreateOrganization implements tenancy.Store.
func (s *Store) CreateOrganization(ctx context.Context, org tenancy.Organization, owner tenancy.Member, msgs []events.Message) error {
	cond, version := versioned(0)
	o, err := s.putTx(newOrganizationItem(org, version), cond)
	if err != nil {
		return err
	}
	m, err := s.putTx(newMemberItem(org.ID, owner, version), cond)
	if err != nil {
		return err
	}
	return s.commit(ctx, []types.TransactWriteItem{o, m}, msgs)
}

// GetOrganization implements tenancy.Store: the organisation item and its
// members share a partition, so one consistent Query reads them all.
func (s *Store) GetOrganization(ctx context.Context, id string) (tenancy.Organization, error) {
	var org tenancy.Organization
	var members []tenancy.Member
	found := false
	err := s.each(ctx, query{pk: orgPK(id)}, func(raw map[string]types.AttributeValue) error {
		var err error
		switch parseKey(str(raw[AttrPK]), str(raw[AttrSK])).kind {
		case KindOrganization:
			org, err = unmarshal(raw, organizationItem.domain)
			found = true
		case KindMember:
			err = decodeInto(raw, &members, memberItem.domain)
		}
		return err
	})
	if err != nil {
		return tenancy.Organization{}, fmt.Errorf("organisation %s: %w", id, err)
	}
	if !found {
		return tenancy.Organization{}, fmt.Errorf("%w: organization %s", tenancy.ErrNotFound, id)
	}
	org.Members = orEmpty(members)
	return org, nil
}

// SaveMembers implements tenancy.Store: the organisation's version guards the
// whole change, so membership edits are serialised per organisation.
func (s *Store) SaveMembers(ctx context.Context, org tenancy.Organization, members []tenancy.Member, removed []string, msgs []events.Message) error {
	cond, version := versioned(org.Version)
	o, err := s.putTx(newOrganizationItem(org, version), cond)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{o}
	for _, m := range members {
		cond, version := versioned(m.Version)
		tx, err := s.putTx(newMemberItem(org.ID, m, version), cond)
		if err != nil {
			return err
		}
		items = append(items, tx)
	}
	for _, t := range removed {
		items = append(items, s.deleteTx(orgPK(org.ID), memberSK(t), condition{}))
	}
	return s.commit(ctx, items, msgs)
}

// crossAccessItem is a tenant's settings toward one partner:
// XTA#tenant / PARTNER#partner.
type crossAccessItem struct {
	keys
	TenantID          string    `dynamodbav:"TenantID"`
	PartnerTenantID   string    `dynamodbav:"PartnerTenantID"`
	OrganizationID    string    `dynamodbav:"OrganizationID"`
	AutoRedeem        bool      `dynamodbav:"AutoRedeem"`
	AllowSyncIn       bool      `dynamodbav:"AllowSyncIn"`
	SyncConfiguration string    `dynamodbav:"SyncConfiguration"`
	SyncJob           bool      `dynamodbav:"SyncJob"`
	CreatedAt         time.Time `dynamodbav:"CreatedAt"`
}

func newCrossAccessItem(x tenancy.CrossTenantAccess) crossAccessItem {
	return crossAccessItem{keys: keys{PK: crossAccessPK(x.TenantID), SK: crossAccessSK(x.PartnerTenantID), Entity: entityCrossAccess},
		TenantID: x.TenantID, PartnerTenantID: x.PartnerTenantID, OrganizationID: x.OrganizationID, AutoRedeem: x.AutoRedeem,
		AllowSyncIn: x.AllowSyncIn, SyncConfiguration: x.SyncConfiguration, SyncJob: x.SyncJob, CreatedAt: x.CreatedAt}
}

func (it crossAccessItem) domain() tenancy.CrossTenantAccess {
	return tenancy.CrossTenantAccess{TenantID: it.TenantID, PartnerTenantID: it.PartnerTenantID, OrganizationID: it.OrganizationID,
		AutoRedeem: it.AutoRedeem, AllowSyncIn: it.AllowSyncIn, SyncConfiguration: it.SyncConfiguration, SyncJob: it.SyncJob, CreatedAt: it.CreatedAt}
}

// SaveCrossTenantAccess implements tenancy.Store.
func (s *Store) SaveCrossTenantAccess(ctx context.Context, settings []tenancy.CrossTenantAccess, msgs []events.Message) error {
	var items []types.TransactWriteItem
	for _, x := range settings {
		tx, err := s.putTx(newCrossAccessItem(x), isNew)
		if err != nil {
			return err
		}
		items = append(items, tx)
	}
	return s.commit(ctx, items, msgs)
}

// ListCrossTenantAccess implements tenancy.Store: every page.
func (s *Store) ListCrossTenantAccess(ctx context.Context, tenant string) ([]tenancy.CrossTenantAccess, error) {
	return all(ctx, s, query{pk: crossAccessPK(tenant), batch: maxLimit}, crossAccessItem.domain)
}

// DeleteCrossTenantAccess implements tenancy.Store; ErrNotFound when there
// are no such settings.
func (s *Store) DeleteCrossTenantAccess(ctx context.Context, tenant, partner string, msgs []events.Message) error {
	err := s.commit(ctx, []types.TransactWriteItem{s.deleteTx(crossAccessPK(tenant), crossAccessSK(partner), exists)}, msgs)
	if errors.Is(err, tenancy.ErrConflict) {
		return fmt.Errorf("%w: cross-tenant access of %s toward %s", tenancy.ErrNotFound, tenant, partner)
	}
	return err
}
