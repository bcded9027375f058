package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// deliveryRetention is how long delivery attempts are kept.
const deliveryRetention = 30 * 24 * time.Hour

func webhookPK(tenant string) string     { return "WEBHOOK#" + tenant }
func webhookSK(id string) string         { return "SUB#" + id }
func webhookCountSK() string             { return "COUNT" }
func deliveryPK(webhookID string) string { return "DELIVERY#" + webhookID }
func deliveredSK(eventID string) string  { return "DONE#" + eventID }
func attemptSK(d tenancy.WebhookDelivery) string {
	return fmt.Sprintf("TRY#%s#%s#%03d", stamp(d.At), d.EventID, d.Attempt)
}

type webhookItem struct {
	keys
	tenancy.Webhook
}

type deliveryItem struct {
	keys
	tenancy.WebhookDelivery
	TTL int64 `dynamodbav:"ttl,omitempty"`
}

// webhookCountItem counts a tenant's subscriptions. Creating and deleting a
// subscription change it in the same transaction, conditioned on the limit,
// so the limit holds however many requests race.
type webhookCountItem struct {
	keys
	Count int
}

const attrCount = "Count"

func newWebhookItem(w tenancy.Webhook) webhookItem {
	return webhookItem{keys{PK: webhookPK(w.TenantID), SK: webhookSK(w.ID), Entity: "webhook"}, w}
}

// webhookCount reads a tenant's subscription count. A tenant whose
// subscriptions predate the count has none yet: it is then counted from the
// subscriptions, and the change that writes it first (conditioned on its
// absence) fixes it — every change of a subscription writes the count, so
// none can commit between that reading and that write.
func (s *Store) webhookCount(ctx context.Context, tenant string) (n int, stored bool, err error) {
	var c webhookCountItem
	err = s.get(ctx, webhookPK(tenant), webhookCountSK(), &c, "webhook count", tenant)
	if errors.Is(err, tenancy.ErrNotFound) {
		subs, err := s.ListWebhooks(ctx, tenant)
		return len(subs), false, err
	}
	return c.Count, err == nil, err
}

// countChange moves a tenant's count by delta with an ADD conditioned on
// cond (the limit), so racing changes serialise on the count instead of
// failing on each other's reads; where there is no count yet it is written
// as n+delta, conditioned on its absence.
func (s *Store) countChange(tenant string, n int, stored bool, delta int, cond string, bound int) (types.TransactWriteItem, error) {
	if !stored {
		return s.putTx(webhookCountItem{keys{PK: webhookPK(tenant), SK: webhookCountSK(), Entity: "webhook-count"}, max(n+delta, 0)}, condNew, nil)
	}
	return types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(webhookPK(tenant), webhookCountSK()),
		UpdateExpression:         aws.String("ADD #n :delta"),
		ConditionExpression:      aws.String(cond),
		ExpressionAttributeNames: map[string]string{"#n": attrCount}, // Count is a reserved word
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":delta": &types.AttributeValueMemberN{Value: fmt.Sprint(delta)},
			":bound": &types.AttributeValueMemberN{Value: fmt.Sprint(bound)},
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
	put, err := s.putTx(newWebhookItem(w), condNew, nil)
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

// UpdateWebhook rewrites a subscription if the stored version is w.Version-1,
// with the events of the change.
func (s *Store) UpdateWebhook(ctx context.Context, w tenancy.Webhook, msgs []events.Message) error {
	return s.commitPut(ctx, newWebhookItem(w), condVersion, prevVersion(w.Version), msgs)
}

// ListWebhooks implements tenancy.Store: every page.
func (s *Store) ListWebhooks(ctx context.Context, tenant string) ([]tenancy.Webhook, error) {
	return listAll[webhookItem, tenancy.Webhook](ctx, s, query{pkAttr: AttrPK, pk: webhookPK(tenant), skPrefix: "SUB#"},
		func(it webhookItem) tenancy.Webhook { return it.Webhook })
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
	del := types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(webhookPK(tenant), webhookSK(id)),
		ConditionExpression: aws.String("attribute_exists(" + AttrPK + ")")}}
	err = s.commit(ctx, []types.TransactWriteItem{del, count}, msgs)
	if errors.Is(err, tenancy.ErrConflict) {
		var it webhookItem
		if gerr := s.get(ctx, webhookPK(tenant), webhookSK(id), &it, "webhook", id); errors.Is(gerr, tenancy.ErrNotFound) {
			return gerr
		}
	}
	return err
}

// RecordDelivery keeps one delivery attempt, and a marker once an event is
// delivered so a redelivered event is not sent twice.
func (s *Store) RecordDelivery(ctx context.Context, d tenancy.WebhookDelivery) error {
	ttl := d.At.Add(deliveryRetention).Unix()
	items := []types.TransactWriteItem{}
	tx, err := s.putTx(deliveryItem{keys{PK: deliveryPK(d.WebhookID), SK: attemptSK(d), Entity: "delivery"}, d, ttl}, condNew, nil)
	if err != nil {
		return err
	}
	items = append(items, tx)
	if d.Delivered {
		done, err := marshal(deliveryItem{keys{PK: deliveryPK(d.WebhookID), SK: deliveredSK(d.EventID), Entity: "delivered"}, d, ttl})
		if err != nil {
			return err
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: done}})
	}
	return s.commit(ctx, items, nil)
}

// Delivered reports whether an event reached a subscription already.
func (s *Store) Delivered(ctx context.Context, webhookID, eventID string) (bool, error) {
	var it deliveryItem
	err := s.get(ctx, deliveryPK(webhookID), deliveredSK(eventID), &it, "delivery", eventID)
	if errors.Is(err, tenancy.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ListDeliveries implements tenancy.Store: attempts, newest first.
func (s *Store) ListDeliveries(ctx context.Context, webhookID string, page tenancy.Page) (tenancy.List[tenancy.WebhookDelivery], error) {
	return list[deliveryItem, tenancy.WebhookDelivery](ctx, s, query{pkAttr: AttrPK, pk: deliveryPK(webhookID), skPrefix: "TRY#", newestFirst: true}, page,
		func(it deliveryItem) tenancy.WebhookDelivery { return it.WebhookDelivery })
}
