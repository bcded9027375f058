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
	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// outboxItem is an event waiting to be sent: OUTBOX#id / OUTBOX, in the
// pending schedule (GSI3 OUTBOX#<shard>) until it is sent and removed, or in
// the dead-letter one (OUTBOX-DEAD#<shard>) when EventBridge refused it.
type outboxItem struct {
	keys
	EventID    string    `dynamodbav:"EventID"`
	DetailType string    `dynamodbav:"DetailType"`
	OccurredAt time.Time `dynamodbav:"OccurredAt"`
	Detail     string    `dynamodbav:"Detail"`
}

// deadOutboxItem is an outbox item once dead-lettered.
type deadOutboxItem struct {
	outboxItem
	DeadCode   string `dynamodbav:"DeadCode"`
	DeadReason string `dynamodbav:"DeadReason"`
}

// Attributes a dead-lettering sets and a requeue removes.
const (
	attrDeadCode   = "DeadCode"
	attrDeadReason = "DeadReason"
)

func newOutboxItem(m events.Message) outboxItem {
	pk, sk := outboxKey(m.ID)
	return outboxItem{keys{PK: pk, SK: sk, GSI3PK: schedulePK(scheduleOutbox, m.ID), GSI3SK: timeSK(m.Time, m.ID), Entity: entityOutbox},
		m.ID, string(m.Type), m.Time, string(m.Detail)}
}

func (it outboxItem) message() events.Message {
	return events.Message{ID: it.EventID, Type: events.DetailType(it.DetailType), Time: it.OccurredAt, Detail: []byte(it.Detail)}
}

// RecordEvents implements tenancy.Store: events that follow no stored change
// of their own (a refused switch, a revocation) go to the outbox alone.
func (s *Store) RecordEvents(ctx context.Context, msgs []events.Message) error {
	// Each event stands alone (its id makes it idempotent), so many go in
	// several transactions.
	for len(msgs) > 0 {
		n := min(len(msgs), maxTransactItems)
		if err := s.commit(ctx, nil, msgs[:n]); err != nil {
			return err
		}
		msgs = msgs[n:]
	}
	return nil
}

// PendingEvents answers outbox events recorded at or before `before`, which a
// publisher has not (yet) removed.
func (s *Store) PendingEvents(ctx context.Context, before time.Time, limit int) ([]events.Message, error) {
	return due(ctx, s, scheduleOutbox, untilSK(before), limit, outboxItem.message)
}

// DeleteEvents removes published events from the outbox.
func (s *Store) DeleteEvents(ctx context.Context, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), batchSize)
		reqs := make([]types.WriteRequest, n)
		for i, id := range ids[:n] {
			reqs[i] = deleteRequest(outboxKey(id))
		}
		ids = ids[n:]
		if err := s.batchWrite(ctx, reqs); err != nil {
			return err
		}
	}
	return nil
}

// DeadLetterEvents implements outbox.Store: each event leaves the pending
// schedule for the dead-letter one (GSI3 OUTBOX-DEAD#<shard>), kept with
// the code and reason EventBridge gave, until an operator requeues it.
func (s *Store) DeadLetterEvents(ctx context.Context, dead []outbox.Dead) error {
	for _, d := range dead {
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key(outboxKey(d.ID)),
			ConditionExpression:      exists.expression(),
			UpdateExpression:         aws.String("SET #gpk = :dead, #code = :code, #reason = :reason"),
			ExpressionAttributeNames: map[string]string{"#gpk": AttrGSI3PK, "#code": attrDeadCode, "#reason": attrDeadReason},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":dead":   text(schedulePK(scheduleDeadOutbox, d.ID)),
				":code":   text(d.Code),
				":reason": text(truncate(d.Reason, 1000)),
			}})
		if err := translate(err); err != nil && !errors.Is(err, tenancy.ErrConflict) { // gone already: sent or removed
			return fmt.Errorf("dead-letter event %s: %w", d.ID, err)
		}
	}
	return nil
}

// DeadEvent is a dead-lettered outbox event as an operator lists it.
type DeadEvent struct {
	ID         string    `json:"id"`
	DetailType string    `json:"detailType"`
	OccurredAt time.Time `json:"occurredAt"`
	Bytes      int       `json:"bytes"`
	Code       string    `json:"code"`
	Reason     string    `json:"reason"`
}

// DeadEvents answers up to limit dead-lettered outbox events, oldest first
// within each shard.
func (s *Store) DeadEvents(ctx context.Context, limit int) ([]DeadEvent, error) {
	return due(ctx, s, scheduleDeadOutbox, untilEnd, limit, func(it deadOutboxItem) DeadEvent {
		return DeadEvent{ID: it.EventID, DetailType: it.DetailType, OccurredAt: it.OccurredAt, Bytes: len(it.Detail), Code: it.DeadCode, Reason: it.DeadReason}
	})
}

// RequeueEvent puts a dead-lettered event back among the pending ones, for
// the next cleanup to send again (once its cause is fixed).
func (s *Store) RequeueEvent(ctx context.Context, id string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key(outboxKey(id)),
		ConditionExpression:      aws.String("#gpk = :dead"),
		UpdateExpression:         aws.String("SET #gpk = :pending REMOVE #code, #reason"),
		ExpressionAttributeNames: map[string]string{"#gpk": AttrGSI3PK, "#code": attrDeadCode, "#reason": attrDeadReason},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":dead":    text(schedulePK(scheduleDeadOutbox, id)),
			":pending": text(schedulePK(scheduleOutbox, id)),
		}})
	if errors.Is(translate(err), tenancy.ErrConflict) {
		return fmt.Errorf("%w: no dead-lettered event %s", tenancy.ErrNotFound, id)
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
