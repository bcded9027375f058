package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// deliveryRetention is how long delivery attempts are kept.
const deliveryRetention = 30 * 24 * time.Hour

// deliveryItem is one delivery attempt, DELIVERY#webhook / TRY#at#event#n,
// or the marker that an event reached the subscription, DONE#event; both
// are removed by TTL after deliveryRetention.
type deliveryItem struct {
	keys
	WebhookID  string        `dynamodbav:"WebhookID"`
	EventID    string        `dynamodbav:"EventID"`
	EventType  string        `dynamodbav:"EventType"`
	Attempt    int           `dynamodbav:"Attempt"`
	At         time.Time     `dynamodbav:"At"`
	StatusCode int           `dynamodbav:"StatusCode"`
	Error      string        `dynamodbav:"Error"`
	Duration   time.Duration `dynamodbav:"Duration"`
	Delivered  bool          `dynamodbav:"Delivered"`
	TTL        int64         `dynamodbav:"ttl,omitempty"`
}

func newDeliveryItem(d tenancy.WebhookDelivery, sk, entity string) deliveryItem {
	return deliveryItem{keys: keys{PK: deliveryPK(d.WebhookID), SK: sk, Entity: entity}, WebhookID: d.WebhookID, EventID: d.EventID,
		EventType: d.EventType, Attempt: d.Attempt, At: d.At, StatusCode: d.StatusCode, Error: d.Error, Duration: d.Duration,
		Delivered: d.Delivered, TTL: d.At.Add(deliveryRetention).Unix()}
}

func (it deliveryItem) domain() tenancy.WebhookDelivery {
	return tenancy.WebhookDelivery{WebhookID: it.WebhookID, EventID: it.EventID, EventType: it.EventType, Attempt: it.Attempt, At: it.At,
		StatusCode: it.StatusCode, Error: it.Error, Duration: it.Duration, Delivered: it.Delivered}
}

// RecordDelivery keeps one delivery attempt, and a marker once an event is
// delivered so a redelivered event is not sent twice.
func (s *Store) RecordDelivery(ctx context.Context, d tenancy.WebhookDelivery) error {
	tx, err := s.putTx(newDeliveryItem(d, attemptSK(d.At, d.EventID, d.Attempt), entityDelivery), isNew)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{tx}
	if d.Delivered {
		done, err := s.putTx(newDeliveryItem(d, deliveredSK(d.EventID), entityDelivered), condition{})
		if err != nil {
			return err
		}
		items = append(items, done)
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
func (s *Store) ListDeliveries(ctx context.Context, webhookID string, p tenancy.Page) (tenancy.List[tenancy.WebhookDelivery], error) {
	return page(ctx, s, query{pk: deliveryPK(webhookID), sk: beginsWith(prefixAttempt), newestFirst: true}, p, deliveryItem.domain)
}
