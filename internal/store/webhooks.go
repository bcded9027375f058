package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// deliveryRetention is how long delivery attempts are kept.
const deliveryRetention = 30 * 24 * time.Hour

func webhookPK(tenant string) string     { return "WEBHOOK#" + tenant }
func webhookSK(id string) string         { return "SUB#" + id }
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

func newWebhookItem(w tenancy.Webhook) webhookItem {
	return webhookItem{keys{PK: webhookPK(w.TenantID), SK: webhookSK(w.ID), Entity: "webhook"}, w}
}

// CreateWebhook implements tenancy.Store.
func (s *Store) CreateWebhook(ctx context.Context, w tenancy.Webhook) error {
	return s.commitPut(ctx, newWebhookItem(w), condNew, nil, nil)
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

// DeleteWebhook implements tenancy.Store.
func (s *Store) DeleteWebhook(ctx context.Context, tenant, id string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(webhookPK(tenant), webhookSK(id)),
		ConditionExpression: aws.String("attribute_exists(" + AttrPK + ")")})
	if errors.Is(translate(err), tenancy.ErrConflict) {
		return fmt.Errorf("%w: webhook %s", tenancy.ErrNotFound, id)
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
