package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/internal/tenancy"
)

type auditItem struct {
	keys
	tenancy.AuditRecord
	Detail string
	TTL    int64 `dynamodbav:"ttl,omitempty"`
}

// PutAuditRecord writes a record unless the same event is already recorded
// for that tenant: a redelivered event writes nothing new. It reports whether
// it wrote.
func (s *Store) PutAuditRecord(ctx context.Context, r tenancy.AuditRecord) (bool, error) {
	it := auditItem{keys: keys{PK: auditPK(r.TenantID), SK: listSK(stamp(r.OccurredAt), r.ID), Entity: typeAudit}, AuditRecord: r, Detail: string(r.Detail)}
	it.AuditRecord.Detail = nil
	if !r.ExpiresAt.IsZero() {
		it.TTL = r.ExpiresAt.Unix()
	}
	m, err := marshal(it)
	if err != nil {
		return false, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: m, ConditionExpression: aws.String(condNew)})
	if errors.Is(translate(err), tenancy.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}

// ListAudit implements tenancy.Store: a tenant's records, newest first.
func (s *Store) ListAudit(ctx context.Context, tenant string, f tenancy.AuditFilter, page tenancy.Page) (tenancy.List[tenancy.AuditRecord], error) {
	q := query{pkAttr: AttrPK, pk: auditPK(tenant), newestFirst: true}
	if !f.From.IsZero() || !f.To.IsZero() {
		from, to := f.From, f.To
		if to.IsZero() {
			to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		q.skFrom, q.skTo = stamp(from), stamp(to)+"#~"
	}
	if f.ActorTenant != "" {
		q.filterPath, q.filterValue = []string{"Actor", "Tenant"}, f.ActorTenant
	}
	return list[auditItem, tenancy.AuditRecord](ctx, s, q, page, func(it auditItem) tenancy.AuditRecord {
		r := it.AuditRecord
		r.Detail = []byte(it.Detail)
		r.TenantID = tenant
		if r.Tenants == nil {
			r.Tenants = []string{}
		}
		return r
	})
}
