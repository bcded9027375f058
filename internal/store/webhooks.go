package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// webhookItem is a tenant's webhook subscription: WEBHOOK#tenant / SUB#id.
type webhookItem struct {
	keys
	ID                  string     `dynamodbav:"ID"`
	TenantID            string     `dynamodbav:"TenantID"`
	URL                 string     `dynamodbav:"URL"`
	EventTypes          []string   `dynamodbav:"EventTypes"`
	Status              string     `dynamodbav:"Status"`
	CreatedAt           time.Time  `dynamodbav:"CreatedAt"`
	CreatedBy           actor      `dynamodbav:"CreatedBy"`
	Secret              string     `dynamodbav:"Secret"`
	ConsecutiveFailures int        `dynamodbav:"ConsecutiveFailures"`
	LastError           string     `dynamodbav:"LastError"`
	LastDeliveryAt      *time.Time `dynamodbav:"LastDeliveryAt"`
	DisabledAt          *time.Time `dynamodbav:"DisabledAt"`
	Version             int        `dynamodbav:"Version"`
}

// webhookCountItem counts a tenant's subscriptions: WEBHOOK#tenant / COUNT.
// Creating and deleting a subscription change it in the same transaction,
// conditioned on the limit, so the limit holds however many requests race.
type webhookCountItem struct {
	keys
	Count int `dynamodbav:"Count"`
}

const attrWebhookCount = "Count"

func newWebhookItem(w tenancy.Webhook, version int) webhookItem {
	return webhookItem{keys: keys{PK: webhookPK(w.TenantID), SK: webhookSK(w.ID), Entity: entityWebhook}, ID: w.ID, TenantID: w.TenantID,
		URL: w.URL, EventTypes: w.EventTypes, Status: w.Status, CreatedAt: w.CreatedAt, CreatedBy: actorOf(w.CreatedBy), Secret: w.Secret,
		ConsecutiveFailures: w.ConsecutiveFailures, LastError: w.LastError, LastDeliveryAt: w.LastDeliveryAt, DisabledAt: w.DisabledAt,
		Version: version}
}

func (it webhookItem) domain() tenancy.Webhook {
	return tenancy.Webhook{ID: it.ID, TenantID: it.TenantID, URL: it.URL, EventTypes: it.EventTypes, Status: it.Status, CreatedAt: it.CreatedAt,
		CreatedBy: it.CreatedBy.domain(), Secret: it.Secret, ConsecutiveFailures: it.ConsecutiveFailures, LastError: it.LastError,
		LastDeliveryAt: it.LastDeliveryAt, DisabledAt: it.DisabledAt, Version: it.Version}
}

// webhookCount reads a tenant's subscription count. A tenant whose
// subscriptions predate the count has none yet: it is then counted from the
// subscriptions, and the change that writes it first (conditioned on its
// absence) fixes it — every change of a subscription writes the count, so
// none can commit between that reading and that write.
func (s *Store) webhookCount(ctx context.Context, tenant string) (n int, stored bool, err error) {
	var c webhookCountItem
	err = s.get(ctx, webhookPK(tenant), skWebhookCount, &c, "webhook count", tenant)
	if errors.Is(err, tenancy.ErrNotFound) {
		subs, err := s.ListWebhooks(ctx, tenant)
		return len(subs), false, err
	}
	return c.Count, err == nil, err
}

// countChange moves a tenant's count by delta with an ADD conditioned on
// expr over the count #n and the bound :bound (the limit), so racing
// changes serialise on the count instead of failing on each other's reads;
// where there is no count yet it is written as n+delta, conditioned on its
// absence.
func (s *Store) countChange(tenant string, n int, stored bool, delta int, expr string, bound int) (types.TransactWriteItem, error) {
	if !stored {
		return s.putTx(webhookCountItem{keys{PK: webhookPK(tenant), SK: skWebhookCount, Entity: entityWebhookCount}, max(n+delta, 0)}, isNew)
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(webhookPK(tenant), skWebhookCount),
		UpdateExpression:         aws.String("ADD #n :delta"),
		ConditionExpression:      aws.String(expr),
		ExpressionAttributeNames: map[string]string{"#n": attrWebhookCount}, // Count is a reserved word
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":delta": number(delta),
			":bound": number(bound),
		}}}, nil
}

// CreateWebhook implements tenancy.Store: the subscription, its events and
// the tenant's count in one transaction, which holds only while the count is
// below limit. tenancy.ErrWebhookLimit when the tenant has limit already;
// ErrConflict when a concurrent change won the count (try again).
func (s *Store) CreateWebhook(ctx context.Context, w tenancy.Webhook, limit int, msgs []events.Message) error {
	n, stored, err := s.webhookCount(ctx, w.TenantID)
	if err != nil {
		return err
	}
	if n >= limit {
		return tenancy.ErrWebhookLimit
	}
	count, err := s.countChange(w.TenantID, n, stored, 1, "#n < :bound", limit)
	if err != nil {
		return err
	}
	cond, version := versioned(0)
	put, err := s.putTx(newWebhookItem(w, version), cond)
	if err != nil {
		return err
	}
	err = s.commit(ctx, []types.TransactWriteItem{count, put}, msgs)
	if errors.Is(err, tenancy.ErrConflict) {
		// The limit, or a concurrent transaction on the count?
		if n, _, rerr := s.webhookCount(ctx, w.TenantID); rerr == nil && n >= limit {
			return tenancy.ErrWebhookLimit
		}
	}
	return err
}

// UpdateWebhook rewrites a subscription read at w.Version, with the events
// of the change, and answers it as stored.
func (s *Store) UpdateWebhook(ctx context.Context, w tenancy.Webhook, msgs []events.Message) (tenancy.Webhook, error) {
	cond, version := versioned(w.Version)
	if err := s.commitPut(ctx, newWebhookItem(w, version), cond, msgs); err != nil {
		return tenancy.Webhook{}, err
	}
	w.Version = version
	return w, nil
}

// ListWebhooks implements tenancy.Store: every page.
func (s *Store) ListWebhooks(ctx context.Context, tenant string) ([]tenancy.Webhook, error) {
	return all(ctx, s, query{pk: webhookPK(tenant), sk: beginsWith(prefixSubscription), batch: maxLimit}, webhookItem.domain)
}

// DeleteWebhook implements tenancy.Store: the subscription goes, the count
// goes down and the events are kept, in one transaction. ErrNotFound when it
// is gone already; ErrConflict when a concurrent change won the count.
func (s *Store) DeleteWebhook(ctx context.Context, tenant, id string, msgs []events.Message) error {
	n, stored, err := s.webhookCount(ctx, tenant)
	if err != nil {
		return err
	}
	count, err := s.countChange(tenant, n, stored, -1, "#n > :bound", 0)
	if err != nil {
		return err
	}
	err = s.commit(ctx, []types.TransactWriteItem{s.deleteTx(webhookPK(tenant), webhookSK(id), exists), count}, msgs)
	if errors.Is(err, tenancy.ErrConflict) {
		var it webhookItem
		if gerr := s.get(ctx, webhookPK(tenant), webhookSK(id), &it, "webhook", id); errors.Is(gerr, tenancy.ErrNotFound) {
			return gerr
		}
	}
	return err
}
