package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// invitationItem is an invitation: INV#id / INV, in the inviter's (GSI1)
// and the invitee's (GSI2) lists, and in the schedule (GSI3) while pending.
type invitationItem struct {
	keys
	ID             string         `dynamodbav:"ID"`
	Kind           string         `dynamodbav:"Kind"`
	Status         string         `dynamodbav:"Status"`
	FromTenant     string         `dynamodbav:"FromTenant"`
	ToTenant       string         `dynamodbav:"ToTenant"`
	As             string         `dynamodbav:"As"`
	PartnerTenant  string         `dynamodbav:"PartnerTenant"`
	CustomerTenant string         `dynamodbav:"CustomerTenant"`
	Roles          []string       `dynamodbav:"Roles"`
	Scope          []string       `dynamodbav:"Scope"`
	Duration       time.Duration  `dynamodbav:"Duration"`
	AutoExtend     *time.Duration `dynamodbav:"AutoExtend"`
	RequireMFA     bool           `dynamodbav:"RequireMFA"`
	ExpiresAt      time.Time      `dynamodbav:"ExpiresAt"`
	CreatedAt      time.Time      `dynamodbav:"CreatedAt"`
	CreatedBy      actor          `dynamodbav:"CreatedBy"`
	UpdatedAt      time.Time      `dynamodbav:"UpdatedAt"`
	RelationshipID string         `dynamodbav:"RelationshipID"`
	// An invitation made from a template: its id and mappings (template.go).
	TemplateID    string        `dynamodbav:"TemplateID,omitempty"`
	GroupMappings []mappingItem `dynamodbav:"GroupMappings"`
	Version       int           `dynamodbav:"Version"`
}

// attrInvitationStatus is what the status filter of a listing reads.
const attrInvitationStatus = "Status"

// A pending invitation sits in the schedule index until it is answered or
// expires; the item is always rewritten whole, so leaving the index is just a
// put without the GSI3 keys.
func newInvitationItem(inv tenancy.Invitation, version int) invitationItem {
	pk, sk := invitationKey(inv.ID)
	at := timeSK(inv.CreatedAt, inv.ID)
	k := keys{PK: pk, SK: sk, GSI1PK: invitationsFromPK(inv.FromTenant), GSI1SK: at, GSI2PK: invitationsToPK(inv.ToTenant), GSI2SK: at, Entity: entityInvitation}
	if inv.Status == tenancy.InvitationPending {
		k.GSI3PK, k.GSI3SK = schedulePK(scheduleInvitation, inv.ID), timeSK(inv.ExpiresAt, inv.ID)
	}
	return invitationItem{keys: k, ID: inv.ID, Kind: inv.Kind, Status: inv.Status, FromTenant: inv.FromTenant, ToTenant: inv.ToTenant, As: inv.As,
		PartnerTenant: inv.PartnerTenant, CustomerTenant: inv.CustomerTenant, Roles: inv.Roles, Scope: inv.Scope, Duration: time.Duration(inv.Duration),
		AutoExtend: optionalDuration(inv.AutoExtend), RequireMFA: inv.RequireMFA, ExpiresAt: inv.ExpiresAt, CreatedAt: inv.CreatedAt,
		CreatedBy: actorOf(inv.CreatedBy), UpdatedAt: inv.UpdatedAt, RelationshipID: inv.RelationshipID,
		TemplateID: inv.TemplateID, GroupMappings: mappingItems(inv.GroupMappings), Version: version}
}

func (it invitationItem) domain() tenancy.Invitation {
	return tenancy.Invitation{ID: it.ID, Kind: it.Kind, Status: it.Status, FromTenant: it.FromTenant, ToTenant: it.ToTenant, As: it.As,
		PartnerTenant: it.PartnerTenant, CustomerTenant: it.CustomerTenant, Roles: it.Roles, Scope: it.Scope, Duration: period.Duration(it.Duration),
		AutoExtend: periodOf(it.AutoExtend), RequireMFA: it.RequireMFA, ExpiresAt: it.ExpiresAt, CreatedAt: it.CreatedAt,
		CreatedBy: it.CreatedBy.domain(), UpdatedAt: it.UpdatedAt, RelationshipID: it.RelationshipID,
		TemplateID: it.TemplateID, GroupMappings: mappingsOf(it.GroupMappings), Version: it.Version}
}

// invitationPut is the versioned write of inv.
func (s *Store) invitationPut(inv tenancy.Invitation) (types.TransactWriteItem, int, error) {
	cond, version := versioned(inv.Version)
	tx, err := s.putTx(newInvitationItem(inv, version), cond)
	return tx, version, err
}

// CreateInvitation implements tenancy.Store.
func (s *Store) CreateInvitation(ctx context.Context, inv tenancy.Invitation, msgs []events.Message) error {
	inv.Version = 0
	tx, _, err := s.invitationPut(inv)
	if err != nil {
		return err
	}
	return s.commit(ctx, []types.TransactWriteItem{tx}, msgs)
}

// GetInvitation implements tenancy.Store.
func (s *Store) GetInvitation(ctx context.Context, id string) (tenancy.Invitation, error) {
	var it invitationItem
	pk, sk := invitationKey(id)
	err := s.get(ctx, pk, sk, &it, "invitation", id)
	return it.domain(), err
}

// UpdateInvitation implements tenancy.Store.
func (s *Store) UpdateInvitation(ctx context.Context, inv tenancy.Invitation, msgs []events.Message) (tenancy.Invitation, error) {
	tx, version, err := s.invitationPut(inv)
	if err != nil {
		return tenancy.Invitation{}, err
	}
	if err := s.commit(ctx, []types.TransactWriteItem{tx}, msgs); err != nil {
		return tenancy.Invitation{}, err
	}
	inv.Version = version
	return inv, nil
}

// ListInvitations implements tenancy.Store.
func (s *Store) ListInvitations(ctx context.Context, tenant, direction, status string, p tenancy.Page) (tenancy.List[tenancy.Invitation], error) {
	q := query{index: IndexGSI1, pk: invitationsFromPK(tenant), newestFirst: true}
	if direction == tenancy.Incoming {
		q = query{index: IndexGSI2, pk: invitationsToPK(tenant), newestFirst: true}
	}
	if status != "" {
		q.filter = filter{path: []string{attrInvitationStatus}, value: status}
	}
	return page(ctx, s, q, p, invitationItem.domain)
}

// AcceptInvitation implements tenancy.Store.
func (s *Store) AcceptInvitation(ctx context.Context, inv tenancy.Invitation, rel tenancy.Relationship, msgs []events.Message) error {
	return s.AcceptWithAssignments(ctx, inv, rel, nil, msgs)
}

// AcceptWithAssignments implements tenancy.Store: AcceptInvitation with
// the assignments an invitation's group mappings make, each with its
// decision record, in the same transaction. The relationship is created
// there too, so no check of it being active is needed.
func (s *Store) AcceptWithAssignments(ctx context.Context, inv tenancy.Invitation, rel tenancy.Relationship, assignments []tenancy.Assignment, msgs []events.Message) error {
	invTx, _, err := s.invitationPut(inv)
	if err != nil {
		return err
	}
	pk, sk := relationshipIDKey(rel.ID)
	idTx, err := s.putTx(relationshipIDItem{keys{PK: pk, SK: sk, Entity: entityRelationshipID}, rel.CustomerTenant, rel.PartnerTenant}, isNew)
	if err != nil {
		return err
	}
	rel.Version = 0
	relTxs, _, err := s.relationshipPut(rel)
	if err != nil {
		return err
	}
	items := append([]types.TransactWriteItem{invTx, idTx}, relTxs...)
	for _, a := range assignments {
		txs, err := s.assignmentPut(a)
		if err != nil {
			return err
		}
		items = append(items, txs...)
	}
	return s.commit(ctx, items, msgs)
}

// DueInvitations implements tenancy.Store: pending invitations whose expiry
// is at or before now.
func (s *Store) DueInvitations(ctx context.Context, now time.Time, limit int) ([]tenancy.Invitation, error) {
	return due(ctx, s, scheduleInvitation, untilSK(now), limit, invitationItem.domain)
}
