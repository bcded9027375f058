package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

type sessionItem struct {
	keys
	tenancy.Session
	TTL int64 `dynamodbav:"ttl"`
}

// CommitSwitch implements tenancy.Store: the session (one item under each
// relationship it uses, so revocation finds it by relationship), the
// activated assignments (version-checked) and the events, on condition that
// every relationship is still active and every used assignment still exists.
// A switch racing an offboarding therefore either commits before it — and the
// offboarding revokes it — or fails.
func (s *Store) CommitSwitch(ctx context.Context, sess tenancy.Session, used, activated []tenancy.Assignment, msgs []events.Message) error {
	var items []types.TransactWriteItem
	for _, relID := range sess.RelationshipIDs {
		items = append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: &s.table, Key: key(authzPK(sess.TenantID, sess.HomeTenant), relationshipSK(relID)),
			ConditionExpression:       aws.String("#status = :active"),
			ExpressionAttributeNames:  map[string]string{"#status": "Status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":active": &types.AttributeValueMemberS{Value: tenancy.RelationshipActive}},
		}})
		tx, err := s.putTx(sessionItem{keys{PK: sessionsPK(relID), SK: listSK(stamp(sess.ExpiresAt), sess.ID), Entity: "session"}, sess, sess.ExpiresAt.Unix()}, condNew, nil)
		if err != nil {
			return err
		}
		items = append(items, tx)
	}
	for _, a := range used {
		items = append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: &s.table, Key: key(authzPK(a.TenantID, a.HomeTenant), assignmentSK(a.ID)),
			ConditionExpression: aws.String("attribute_exists(" + AttrPK + ")"),
		}})
	}
	for _, a := range activated {
		// The activation updates the canonical assignment in place (the
		// caller holds only its decision record) and rewrites the record.
		until, err := attributevalue.Marshal(a.ActiveUntil)
		if err != nil {
			return err
		}
		values := prevVersion(a.Version)
		values[":until"], values[":by"] = until, &types.AttributeValueMemberS{Value: a.ActivatedBy}
		values[":v"] = &types.AttributeValueMemberN{Value: fmt.Sprint(a.Version)}
		items = append(items, types.TransactWriteItem{Update: &types.Update{TableName: &s.table,
			Key:                       key(authzPK(a.TenantID, a.HomeTenant), assignmentSK(a.ID)),
			UpdateExpression:          aws.String("SET ActiveUntil = :until, ActivatedBy = :by, " + AttrVersion + " = :v"),
			ConditionExpression:       aws.String(condVersion),
			ExpressionAttributeValues: values,
		}})
		dec, err := s.decisionPut(grantOf(a))
		if err != nil {
			return err
		}
		items = append(items, dec)
	}
	return s.commit(ctx, items, msgs)
}

// LiveSessions implements tenancy.Store: sessions under a relationship that
// have not expired at now.
func (s *Store) LiveSessions(ctx context.Context, relationshipID string, now time.Time) ([]tenancy.Session, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk > :now"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK, "#sk": AttrSK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: sessionsPK(relationshipID)}, ":now": &types.AttributeValueMemberS{Value: stamp(now)}},
		ConsistentRead:            aws.Bool(true),
	}
	var out []tenancy.Session
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query sessions: %w", err)
		}
		for _, raw := range res.Items {
			var it sessionItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return nil, err
			}
			out = append(out, it.Session)
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// RecordEvents implements tenancy.Store: events that follow no stored change
// of their own (a refused switch, a revocation) go to the outbox alone.
func (s *Store) RecordEvents(ctx context.Context, msgs []events.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	return s.commit(ctx, nil, msgs)
}

// maxTargetReads bounds the Queries one page of targets may make when a
// single customer's items do not fit one read.
const maxTargetReads = 10

// SwitchTargets implements tenancy.Store: one page of the customers a home
// tenant's principals hold grants in, each with its relationships, the
// home tenant's assignments there and the roles it defined there — one
// Query per page. Pages end on a customer boundary.
func (s *Store) SwitchTargets(ctx context.Context, home string, page tenancy.Page) (tenancy.List[tenancy.Target], error) {
	limit := page.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	q := query{index: IndexGSI4, pkAttr: AttrGSI4PK, pk: targetsPK(home)}
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexGSI4),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI4PK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: q.pk}},
		Limit:                     aws.Int32(int32(maxLimit)),
	}
	if page.Cursor != "" {
		start, err := decodeCursor(page.Cursor, q)
		if err != nil {
			return tenancy.List[tenancy.Target]{}, err
		}
		in.ExclusiveStartKey = start
	}
	var res tenancy.List[tenancy.Target]
	var cur *tenancy.Target
	var lastKey map[string]types.AttributeValue // of the last item of the last complete target
	for reads := 0; ; reads++ {
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return res, fmt.Errorf("query targets: %w", err)
		}
		for _, raw := range out.Items {
			sk, _ := raw[AttrGSI4SK].(*types.AttributeValueMemberS)
			if sk == nil {
				continue
			}
			customer, kind, _ := strings.Cut(sk.Value, "#")
			kind, _, _ = strings.Cut(kind, "#")
			if cur == nil || cur.TenantID != customer {
				if cur != nil {
					res.Items = append(res.Items, *cur)
					if len(res.Items) == limit {
						res.NextCursor = encodeCursor(lastKey)
						return res, nil
					}
				}
				cur = &tenancy.Target{TenantID: customer}
			}
			if err := addTarget(cur, kind, raw); err != nil {
				return res, err
			}
			lastKey = keyOf(raw, q)
		}
		if len(out.LastEvaluatedKey) == 0 {
			if cur != nil {
				res.Items = append(res.Items, *cur)
			}
			return res, nil
		}
		if reads == maxTargetReads {
			// One customer spans more than this page may read: answer what
			// is complete and continue from the start of the open customer.
			if len(res.Items) == 0 {
				return res, fmt.Errorf("targets of %s: one customer holds more items than a page can read", home)
			}
			res.NextCursor = encodeCursor(lastCompleteKey(res, q, home))
			return res, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// lastCompleteKey is a key just before the open customer's first item.
func lastCompleteKey(res tenancy.List[tenancy.Target], q query, home string) map[string]types.AttributeValue {
	last := res.Items[len(res.Items)-1].TenantID
	sk := targetSK(last, "~", "")
	return map[string]types.AttributeValue{
		AttrGSI4PK: &types.AttributeValueMemberS{Value: targetsPK(home)}, AttrGSI4SK: &types.AttributeValueMemberS{Value: sk},
		AttrPK: &types.AttributeValueMemberS{Value: "~"}, AttrSK: &types.AttributeValueMemberS{Value: "~"},
	}
}

func addTarget(t *tenancy.Target, kind string, raw map[string]types.AttributeValue) error {
	switch kind {
	case targetAssignment:
		var it assignmentItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return err
		}
		t.Partition.Assignments = append(t.Partition.Assignments, it.domain())
	case targetRelationship:
		var it relationshipItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return err
		}
		t.Partition.Relationships = append(t.Partition.Relationships, it.domain())
	case targetRole:
		var it roleItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return err
		}
		t.Partition.Roles = append(t.Partition.Roles, it.CustomRole)
	}
	return nil
}
