package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
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
