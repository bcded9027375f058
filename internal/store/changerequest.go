package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// changeRequestItem is a change request: CHANGES#rel / CR#id, in the
// schedule (GSI3) while pending.
type changeRequestItem struct {
	keys
	ID             string         `dynamodbav:"ID"`
	RelationshipID string         `dynamodbav:"RelationshipID"`
	PartnerTenant  string         `dynamodbav:"PartnerTenant"`
	CustomerTenant string         `dynamodbav:"CustomerTenant"`
	Status         string         `dynamodbav:"Status"`
	Roles          []string       `dynamodbav:"Roles"`
	Scope          []string       `dynamodbav:"Scope"`
	Duration       *time.Duration `dynamodbav:"Duration"`
	AutoExtend     *time.Duration `dynamodbav:"AutoExtend"`
	ApprovedRoles  []string       `dynamodbav:"ApprovedRoles"`
	ApprovedScope  []string       `dynamodbav:"ApprovedScope"`
	ExpiresAt      time.Time      `dynamodbav:"ExpiresAt"`
	CreatedAt      time.Time      `dynamodbav:"CreatedAt"`
	CreatedBy      actor          `dynamodbav:"CreatedBy"`
	UpdatedAt      time.Time      `dynamodbav:"UpdatedAt"`
	AnsweredBy     *actor         `dynamodbav:"AnsweredBy"`
	Version        int            `dynamodbav:"Version"`
}

// pendingChangeItem marks a relationship's pending change request:
// CHANGES#rel / PENDING. Created with the request (not-exists) and deleted
// when it is answered or expires, it makes "one pending at a time" a
// condition of the write rather than a read before it.
type pendingChangeItem struct {
	keys
	ChangeRequestID string `dynamodbav:"ChangeRequestID"`
}

func newChangeRequestItem(cr tenancy.ChangeRequest, version int) changeRequestItem {
	k := keys{PK: changesPK(cr.RelationshipID), SK: changeSK(cr.ID), Entity: entityChangeRequest}
	if cr.Status == tenancy.ChangeRequestPending {
		k.GSI3PK, k.GSI3SK = schedulePK(scheduleChange, cr.ID), timeSK(cr.ExpiresAt, cr.ID)
	}
	return changeRequestItem{keys: k, ID: cr.ID, RelationshipID: cr.RelationshipID, PartnerTenant: cr.PartnerTenant, CustomerTenant: cr.CustomerTenant,
		Status: cr.Status, Roles: cr.Roles, Scope: cr.Scope, Duration: optionalDuration(cr.Duration), AutoExtend: optionalDuration(cr.AutoExtend),
		ApprovedRoles: cr.ApprovedRoles, ApprovedScope: cr.ApprovedScope, ExpiresAt: cr.ExpiresAt, CreatedAt: cr.CreatedAt,
		CreatedBy: actorOf(cr.CreatedBy), UpdatedAt: cr.UpdatedAt, AnsweredBy: optionalActor(cr.AnsweredBy), Version: version}
}

// Lists left out by marshal read back as empty, not null.
func (it changeRequestItem) domain() tenancy.ChangeRequest {
	return tenancy.ChangeRequest{ID: it.ID, RelationshipID: it.RelationshipID, PartnerTenant: it.PartnerTenant, CustomerTenant: it.CustomerTenant,
		Status: it.Status, Roles: orEmpty(it.Roles), Scope: orEmpty(it.Scope), Duration: periodOf(it.Duration), AutoExtend: periodOf(it.AutoExtend),
		ApprovedRoles: orEmpty(it.ApprovedRoles), ApprovedScope: orEmpty(it.ApprovedScope), ExpiresAt: it.ExpiresAt, CreatedAt: it.CreatedAt,
		CreatedBy: it.CreatedBy.domain(), UpdatedAt: it.UpdatedAt, AnsweredBy: it.AnsweredBy.optional(), Version: it.Version}
}

// changeRequestPut is the versioned write of cr, and the pending marker's
// removal when cr leaves pending.
func (s *Store) changeRequestPut(cr tenancy.ChangeRequest) ([]types.TransactWriteItem, int, error) {
	cond, version := versioned(cr.Version)
	tx, err := s.putTx(newChangeRequestItem(cr, version), cond)
	if err != nil {
		return nil, 0, err
	}
	txs := []types.TransactWriteItem{tx}
	if cr.Status != tenancy.ChangeRequestPending {
		txs = append(txs, s.deleteTx(changesPK(cr.RelationshipID), skPendingChange,
			equals(attrPendingChange, text(cr.ID))))
	}
	return txs, version, nil
}

// attrPendingChange is the pending marker's change request id, which its
// removal is conditioned on.
const attrPendingChange = "ChangeRequestID"

// CreateChangeRequest implements tenancy.Store: the request and the
// relationship's pending marker (both must not exist) with its events.
func (s *Store) CreateChangeRequest(ctx context.Context, cr tenancy.ChangeRequest, msgs []events.Message) error {
	cr.Version = 0
	txs, _, err := s.changeRequestPut(cr)
	if err != nil {
		return err
	}
	marker, err := s.putTx(pendingChangeItem{keys: keys{PK: changesPK(cr.RelationshipID), SK: skPendingChange, Entity: entityPendingChange},
		ChangeRequestID: cr.ID}, isNew)
	if err != nil {
		return err
	}
	return s.commit(ctx, append(txs, marker), msgs)
}

// GetChangeRequest implements tenancy.Store.
func (s *Store) GetChangeRequest(ctx context.Context, relationshipID, id string) (tenancy.ChangeRequest, error) {
	var it changeRequestItem
	err := s.get(ctx, changesPK(relationshipID), changeSK(id), &it, "change request", id)
	return it.domain(), err
}

// ListChangeRequests implements tenancy.Store.
func (s *Store) ListChangeRequests(ctx context.Context, relationshipID string, p tenancy.Page) (tenancy.List[tenancy.ChangeRequest], error) {
	return page(ctx, s, query{pk: changesPK(relationshipID), sk: beginsWith(prefixChange), newestFirst: true}, p, changeRequestItem.domain)
}

// UpdateChangeRequest implements tenancy.Store.
func (s *Store) UpdateChangeRequest(ctx context.Context, cr tenancy.ChangeRequest, msgs []events.Message) (tenancy.ChangeRequest, error) {
	txs, version, err := s.changeRequestPut(cr)
	if err != nil {
		return tenancy.ChangeRequest{}, err
	}
	if err := s.commit(ctx, txs, msgs); err != nil {
		return tenancy.ChangeRequest{}, err
	}
	cr.Version = version
	return cr, nil
}

// ApproveChangeRequest implements tenancy.Store: the request (Version =
// read) and its pending marker's removal, the relationship (Version = read)
// with its link record, and the events, in one transaction.
func (s *Store) ApproveChangeRequest(ctx context.Context, cr tenancy.ChangeRequest, rel tenancy.Relationship, msgs []events.Message) (tenancy.Relationship, error) {
	crTxs, _, err := s.changeRequestPut(cr)
	if err != nil {
		return tenancy.Relationship{}, err
	}
	relTxs, version, err := s.relationshipPut(rel)
	if err != nil {
		return tenancy.Relationship{}, err
	}
	if err := s.commit(ctx, append(crTxs, relTxs...), msgs); err != nil {
		return tenancy.Relationship{}, err
	}
	rel.Version = version
	return rel, nil
}

// DueChangeRequests implements tenancy.Store: pending change requests whose
// expiry is at or before now.
func (s *Store) DueChangeRequests(ctx context.Context, now time.Time, limit int) ([]tenancy.ChangeRequest, error) {
	return due(ctx, s, scheduleChange, untilSK(now), limit, changeRequestItem.domain)
}
