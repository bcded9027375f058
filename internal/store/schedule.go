package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// due reads, from every shard of one schedule, up to limit items whose time
// is at or before `before`, earliest first within a shard.
func due[I any](ctx context.Context, s *Store, kind, before string, limit int) ([]I, error) {
	var out []I
	for shard := 0; shard < scheduleShards && len(out) < limit; shard++ {
		in := &dynamodb.QueryInput{
			TableName:                 &s.table,
			IndexName:                 aws.String(IndexGSI3),
			KeyConditionExpression:    aws.String("#pk = :pk AND #sk <= :before"),
			ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI3PK, "#sk": AttrGSI3SK},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: fmt.Sprintf("%s#%d", kind, shard)}, ":before": &types.AttributeValueMemberS{Value: before + "#~"}},
			Limit:                     aws.Int32(int32(limit - len(out))),
		}
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query schedule %s: %w", kind, err)
		}
		for _, raw := range res.Items {
			var it I
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return nil, err
			}
			out = append(out, it)
		}
	}
	return out, nil
}

// DueInvitations implements tenancy.Store: pending invitations whose expiry
// is at or before now.
func (s *Store) DueInvitations(ctx context.Context, now time.Time, limit int) ([]tenancy.Invitation, error) {
	items, err := due[invitationItem](ctx, s, scheduleInvitation, stamp(now), limit)
	out := make([]tenancy.Invitation, len(items))
	for i, it := range items {
		out[i] = it.Invitation
	}
	return out, err
}

// DueRelationships implements tenancy.Store: relationships whose next review
// (a notice, the end, a cleanup of assignments) is at or before now.
func (s *Store) DueRelationships(ctx context.Context, now time.Time, limit int) ([]tenancy.Relationship, error) {
	items, err := due[relationshipItem](ctx, s, scheduleRelation, stamp(now), limit)
	out := make([]tenancy.Relationship, len(items))
	for i, it := range items {
		out[i] = it.domain()
	}
	return out, err
}

// PendingEvents answers outbox events recorded at or before `before`, which a
// publisher has not (yet) removed.
func (s *Store) PendingEvents(ctx context.Context, before time.Time, limit int) ([]events.Message, error) {
	items, err := due[outboxItem](ctx, s, scheduleOutbox, stamp(before), limit)
	out := make([]events.Message, len(items))
	for i, it := range items {
		out[i] = events.Message{ID: it.EventID, Type: events.DetailType(it.DetailType), Time: it.OccurredAt, Detail: []byte(it.Detail)}
	}
	return out, err
}

// DeleteEvents removes published events from the outbox.
func (s *Store) DeleteEvents(ctx context.Context, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), batchSize)
		reqs := make([]types.WriteRequest, n)
		for i, id := range ids[:n] {
			pk, sk := outboxKey(id)
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(pk, sk)}}
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
		pk, sk := outboxKey(d.ID)
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key(pk, sk),
			ConditionExpression:      aws.String("attribute_exists(" + AttrPK + ")"),
			UpdateExpression:         aws.String("SET #gpk = :dead, DeadCode = :code, DeadReason = :reason"),
			ExpressionAttributeNames: map[string]string{"#gpk": AttrGSI3PK},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":dead":   &types.AttributeValueMemberS{Value: schedulePK(scheduleDeadOutbox, d.ID)},
				":code":   &types.AttributeValueMemberS{Value: d.Code},
				":reason": &types.AttributeValueMemberS{Value: truncate(d.Reason, 1000)},
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
	items, err := due[deadOutboxItem](ctx, s, scheduleDeadOutbox, "~", limit)
	out := make([]DeadEvent, len(items))
	for i, it := range items {
		out[i] = DeadEvent{ID: it.EventID, DetailType: it.DetailType, OccurredAt: it.OccurredAt, Bytes: len(it.Detail), Code: it.DeadCode, Reason: it.DeadReason}
	}
	return out, err
}

// RequeueEvent puts a dead-lettered event back among the pending ones, for
// the next cleanup to send again (once its cause is fixed).
func (s *Store) RequeueEvent(ctx context.Context, id string) error {
	pk, sk := outboxKey(id)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key(pk, sk),
		ConditionExpression:      aws.String("#gpk = :dead"),
		UpdateExpression:         aws.String("SET #gpk = :pending REMOVE DeadCode, DeadReason"),
		ExpressionAttributeNames: map[string]string{"#gpk": AttrGSI3PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":dead":    &types.AttributeValueMemberS{Value: schedulePK(scheduleDeadOutbox, id)},
			":pending": &types.AttributeValueMemberS{Value: schedulePK(scheduleOutbox, id)},
		}})
	if errors.Is(translate(err), tenancy.ErrConflict) {
		return fmt.Errorf("%w: no dead-lettered event %s", tenancy.ErrNotFound, id)
	}
	return err
}

type deadOutboxItem struct {
	outboxItem
	DeadCode   string
	DeadReason string
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
