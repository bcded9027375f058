package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// auditItem is an audit record under one tenant's log: AUDIT#tenant /
// occurredAt#event, removed by TTL when it expires.
type auditItem struct {
	keys
	ID             string    `dynamodbav:"ID"`
	TenantID       string    `dynamodbav:"TenantID"`
	Type           string    `dynamodbav:"Type"`
	OccurredAt     time.Time `dynamodbav:"OccurredAt"`
	Actor          actor     `dynamodbav:"Actor"`
	Tenants        []string  `dynamodbav:"Tenants"`
	RelationshipID string    `dynamodbav:"RelationshipID"`
	RequestID      string    `dynamodbav:"RequestID"`
	Outcome        string    `dynamodbav:"Outcome"`
	Detail         string    `dynamodbav:"Detail"`
	ExpiresAt      time.Time `dynamodbav:"ExpiresAt"`
	TTL            int64     `dynamodbav:"ttl,omitempty"`
}

// attrAuditActorTenant is the path of the actor's tenant, what the
// actorTenant filter reads.
var attrAuditActorTenant = []string{"Actor", "Tenant"}

func newAuditItem(r tenancy.AuditRecord) auditItem {
	it := auditItem{keys: keys{PK: auditPK(r.TenantID), SK: timeSK(r.OccurredAt, r.ID), Entity: entityAudit}, ID: r.ID, TenantID: r.TenantID,
		Type: r.Type, OccurredAt: r.OccurredAt, Actor: actorOf(r.Actor), Tenants: r.Tenants, RelationshipID: r.RelationshipID, RequestID: r.RequestID,
		Outcome: r.Outcome, Detail: string(r.Detail), ExpiresAt: r.ExpiresAt}
	if !r.ExpiresAt.IsZero() {
		it.TTL = r.ExpiresAt.Unix()
	}
	return it
}

func (it auditItem) domain() tenancy.AuditRecord {
	return tenancy.AuditRecord{ID: it.ID, TenantID: it.TenantID, Type: it.Type, OccurredAt: it.OccurredAt, Actor: it.Actor.domain(),
		Tenants: orEmpty(it.Tenants), RelationshipID: it.RelationshipID, RequestID: it.RequestID, Outcome: it.Outcome, Detail: []byte(it.Detail),
		ExpiresAt: it.ExpiresAt}
}

// PutAuditRecord writes a record unless the same event is already recorded
// for that tenant: a redelivered event writes nothing new. It reports whether
// it wrote.
func (s *Store) PutAuditRecord(ctx context.Context, r tenancy.AuditRecord) (bool, error) {
	m, err := marshal(newAuditItem(r))
	if err != nil {
		return false, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: m, ConditionExpression: isNew.expression()})
	if errors.Is(translate(err), tenancy.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}

// ListAudit implements tenancy.Store: a tenant's records, newest first.
func (s *Store) ListAudit(ctx context.Context, tenant string, f tenancy.AuditFilter, p tenancy.Page) (tenancy.List[tenancy.AuditRecord], error) {
	q := query{pk: auditPK(tenant), newestFirst: true}
	if !f.From.IsZero() || !f.To.IsZero() {
		to := f.To
		if to.IsZero() {
			to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		q.sk = between(timeRange(f.From, to))
	}
	if f.ActorTenant != "" {
		q.filter = filter{path: attrAuditActorTenant, value: f.ActorTenant}
	}
	return page(ctx, s, q, p, func(it auditItem) tenancy.AuditRecord {
		r := it.domain()
		r.TenantID = tenant
		return r
	})
}
