package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// relationshipItem is a relationship: AUTHZ#C#P / REL#id, in the partner's
// (GSI1) and the customer's (GSI2) lists, and in the schedule (GSI3) while
// the sweep has something to do with it.
type relationshipItem struct {
	keys
	ID                 string         `dynamodbav:"ID"`
	Kind               string         `dynamodbav:"Kind"`
	Status             string         `dynamodbav:"Status"`
	PartnerTenant      string         `dynamodbav:"PartnerTenant"`
	PartnerName        string         `dynamodbav:"PartnerName"`
	CustomerTenant     string         `dynamodbav:"CustomerTenant"`
	CustomerName       string         `dynamodbav:"CustomerName"`
	InvitationID       string         `dynamodbav:"InvitationID"`
	Ceiling            []ceilingRole  `dynamodbav:"Ceiling"`
	Scope              []string       `dynamodbav:"Scope"`
	StartsAt           time.Time      `dynamodbav:"StartsAt"`
	EndsAt             time.Time      `dynamodbav:"EndsAt"`
	AutoExtend         *time.Duration `dynamodbav:"AutoExtend"`
	RequireMFA         bool           `dynamodbav:"RequireMFA"`
	PrimaryAdmins      []string       `dynamodbav:"PrimaryAdmins"`
	CreatedAt          time.Time      `dynamodbav:"CreatedAt"`
	UpdatedAt          time.Time      `dynamodbav:"UpdatedAt"`
	EndedAt            *time.Time     `dynamodbav:"EndedAt"`
	EndedBy            *actor         `dynamodbav:"EndedBy"`
	NoticesSent        []int          `dynamodbav:"NoticesSent"`
	AssignmentsCleared bool           `dynamodbav:"AssignmentsCleared"`
	PruneAssignments   bool           `dynamodbav:"PruneAssignments,omitempty"`
	Version            int            `dynamodbav:"Version"`
}

// attrRelationshipStatus is what a write conditioned on an active
// relationship reads.
const attrRelationshipStatus = "Status"

// ceilingRole is a tenancy.CeilingRole as the relationship stores it.
type ceilingRole struct {
	ID          string   `dynamodbav:"ID"`
	Permissions []string `dynamodbav:"Permissions"`
}

// relationshipIDItem maps a relationship id to its partition: REL#id / REL.
type relationshipIDItem struct {
	keys
	CustomerTenant string `dynamodbav:"CustomerTenant"`
	PartnerTenant  string `dynamodbav:"PartnerTenant"`
}

func newRelationshipItem(r tenancy.Relationship, version int) relationshipItem {
	at := timeSK(r.CreatedAt, r.ID)
	k := keys{PK: authzPK(r.CustomerTenant, r.PartnerTenant), SK: relationshipSK(r.ID),
		GSI1PK: partnerPK(r.PartnerTenant), GSI1SK: at, GSI2PK: customerPK(r.CustomerTenant), GSI2SK: at, Entity: entityRelationship}
	if due, ok := r.ReviewAt(); ok {
		k.GSI3PK, k.GSI3SK = schedulePK(scheduleRelation, r.ID), timeSK(due, r.ID)
	}
	var ceiling []ceilingRole
	for _, c := range r.Ceiling {
		ceiling = append(ceiling, ceilingRole{ID: c.ID, Permissions: c.Permissions})
	}
	return relationshipItem{keys: k, ID: r.ID, Kind: r.Kind, Status: r.Status, PartnerTenant: r.PartnerTenant, PartnerName: r.PartnerName,
		CustomerTenant: r.CustomerTenant, CustomerName: r.CustomerName, InvitationID: r.InvitationID, Ceiling: ceiling, Scope: r.Scope,
		StartsAt: r.StartsAt, EndsAt: r.EndsAt, AutoExtend: optionalDuration(r.AutoExtend), RequireMFA: r.RequireMFA, PrimaryAdmins: r.PrimaryAdmins,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, EndedAt: r.EndedAt, EndedBy: optionalActor(r.EndedBy), NoticesSent: r.NoticesSent,
		AssignmentsCleared: r.AssignmentsCleared, PruneAssignments: r.PruneAssignments, Version: version}
}

// Lists left out by marshal read back as empty, not null.
func (it relationshipItem) domain() tenancy.Relationship {
	var ceiling []tenancy.CeilingRole
	for _, c := range it.Ceiling {
		ceiling = append(ceiling, tenancy.CeilingRole{ID: c.ID, Permissions: c.Permissions})
	}
	return tenancy.Relationship{ID: it.ID, Kind: it.Kind, Status: it.Status, PartnerTenant: it.PartnerTenant, PartnerName: it.PartnerName,
		CustomerTenant: it.CustomerTenant, CustomerName: it.CustomerName, InvitationID: it.InvitationID, Ceiling: ceiling, Scope: it.Scope,
		StartsAt: it.StartsAt, EndsAt: it.EndsAt, AutoExtend: periodOf(it.AutoExtend), RequireMFA: it.RequireMFA, PrimaryAdmins: orEmpty(it.PrimaryAdmins),
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, EndedAt: it.EndedAt, EndedBy: it.EndedBy.optional(), NoticesSent: it.NoticesSent,
		AssignmentsCleared: it.AssignmentsCleared, PruneAssignments: it.PruneAssignments, Version: it.Version}
}

// relationshipPut is the versioned write of rel with its decision record.
func (s *Store) relationshipPut(rel tenancy.Relationship) ([]types.TransactWriteItem, int, error) {
	cond, version := versioned(rel.Version)
	txs, err := s.putWithDecision(newRelationshipItem(rel, version), cond, linkOf(rel))
	return txs, version, err
}

// activeCheck conditions a transaction on a relationship being active.
func (s *Store) activeCheck(customer, partner, id string) types.TransactWriteItem {
	return s.checkTx(authzPK(customer, partner), relationshipSK(id), equals(attrRelationshipStatus, text(tenancy.RelationshipActive)))
}

// GetRelationship implements tenancy.Store.
func (s *Store) GetRelationship(ctx context.Context, id string) (tenancy.Relationship, error) {
	var ref relationshipIDItem
	pk, sk := relationshipIDKey(id)
	if err := s.get(ctx, pk, sk, &ref, "relationship", id); err != nil {
		return tenancy.Relationship{}, err
	}
	var it relationshipItem
	err := s.get(ctx, authzPK(ref.CustomerTenant, ref.PartnerTenant), relationshipSK(id), &it, "relationship", id)
	return it.domain(), err
}

// ListRelationships implements tenancy.Store.
func (s *Store) ListRelationships(ctx context.Context, tenant, side string, p tenancy.Page) (tenancy.List[tenancy.Relationship], error) {
	return page(ctx, s, relationshipsQuery(tenant, side), p, relationshipItem.domain)
}

// relationshipsQuery is a tenant's relationships on one side, newest first.
func relationshipsQuery(tenant, side string) query {
	if side == tenancy.SideCustomer {
		return query{index: IndexGSI2, pk: customerPK(tenant), newestFirst: true}
	}
	return query{index: IndexGSI1, pk: partnerPK(tenant), newestFirst: true}
}

// UpdateRelationship implements tenancy.Store.
func (s *Store) UpdateRelationship(ctx context.Context, rel tenancy.Relationship, msgs []events.Message) (tenancy.Relationship, error) {
	txs, version, err := s.relationshipPut(rel)
	if err != nil {
		return tenancy.Relationship{}, err
	}
	if err := s.commit(ctx, txs, msgs); err != nil {
		return tenancy.Relationship{}, err
	}
	rel.Version = version
	return rel, nil
}

// DueRelationships implements tenancy.Store: relationships whose next review
// (a notice, the end, a cleanup of assignments) is at or before now.
func (s *Store) DueRelationships(ctx context.Context, now time.Time, limit int) ([]tenancy.Relationship, error) {
	return due(ctx, s, scheduleRelation, untilSK(now), limit, relationshipItem.domain)
}
