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

// Denial windows: one item per kind of refusal (target tenant, home tenant,
// user, operation, reason), DENIALS#<tenant> / <home>#<user>#<operation>#<reason>,
// holding when the window started and how many refusals it counted; due in
// the schedule index (DUE#DENY) when it ends, and removed by TTL a day after.
type denialItem struct {
	PK     string
	SK     string
	GSI3PK string
	GSI3SK string
	Entity string
	Start  int64 `dynamodbav:"st"`
	Count  int   `dynamodbav:"n"`
	TTL    int64 `dynamodbav:"ttl"`
}

func denialKey(d tenancy.Denials) (string, string) {
	return "DENIALS#" + d.Tenant, strings.Join([]string{d.Home, d.User, d.Operation, d.Reason}, "#")
}

func (it denialItem) domain() tenancy.Denials {
	tenant := strings.TrimPrefix(it.PK, "DENIALS#")
	parts := strings.SplitN(it.SK, "#", 4)
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	return tenancy.Denials{Tenant: tenant, Home: parts[0], User: parts[1], Operation: parts[2], Reason: parts[3], Start: fromUnixNano(it.Start), Count: it.Count}
}

// CountDenial implements tenancy.Store.
func (s *Store) CountDenial(ctx context.Context, d tenancy.Denials, since time.Time) (bool, error) {
	pk, sk := denialKey(d)
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key(pk, sk),
		ConditionExpression: aws.String("st > :since"),
		UpdateExpression:    aws.String("ADD n :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":since": &types.AttributeValueMemberN{Value: fmt.Sprint(unixNano(since))},
			":one":   &types.AttributeValueMemberN{Value: "1"},
		}})
	switch err := translate(err); {
	case err == nil:
		return true, nil
	case err == tenancy.ErrConflict:
		return false, nil
	default:
		return false, fmt.Errorf("count denial: %w", err)
	}
}

// GetDenials implements tenancy.Store.
func (s *Store) GetDenials(ctx context.Context, d tenancy.Denials) (tenancy.Denials, bool, error) {
	pk, sk := denialKey(d)
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return tenancy.Denials{}, false, fmt.Errorf("get denials: %w", err)
	}
	if res.Item == nil {
		return tenancy.Denials{}, false, nil
	}
	var it denialItem
	if err := attributevalue.UnmarshalMap(res.Item, &it); err != nil {
		return tenancy.Denials{}, false, err
	}
	return it.domain(), true, nil
}

// OpenDenials implements tenancy.Store.
func (s *Store) OpenDenials(ctx context.Context, prev *tenancy.Denials, next tenancy.Denials, due time.Time, msgs []events.Message) error {
	pk, sk := denialKey(next)
	it := denialItem{PK: pk, SK: sk, GSI3PK: schedulePK(scheduleDenials, pk+sk), GSI3SK: listSK(stamp(due), sk), Entity: "denials",
		Start: unixNano(next.Start), Count: next.Count, TTL: due.Add(24 * time.Hour).Unix()}
	cond, values := condNew, map[string]types.AttributeValue(nil)
	if prev != nil {
		cond = "st = :st AND n = :n"
		values = map[string]types.AttributeValue{":st": &types.AttributeValueMemberN{Value: fmt.Sprint(unixNano(prev.Start))},
			":n": &types.AttributeValueMemberN{Value: fmt.Sprint(prev.Count)}}
	}
	return s.commitPut(ctx, it, cond, values, msgs)
}

// DueDenials implements tenancy.Store.
func (s *Store) DueDenials(ctx context.Context, now time.Time, limit int) ([]tenancy.Denials, error) {
	items, err := due[denialItem](ctx, s, scheduleDenials, stamp(now), limit)
	out := make([]tenancy.Denials, len(items))
	for i, it := range items {
		out[i] = it.domain()
	}
	return out, err
}

// CloseDenials implements tenancy.Store.
func (s *Store) CloseDenials(ctx context.Context, w tenancy.Denials, msgs []events.Message) error {
	pk, sk := denialKey(w)
	del := types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(pk, sk),
		ConditionExpression: aws.String("st = :st AND n = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":st": &types.AttributeValueMemberN{Value: fmt.Sprint(unixNano(w.Start))},
			":n": &types.AttributeValueMemberN{Value: fmt.Sprint(w.Count)}}}}
	return s.commit(ctx, []types.TransactWriteItem{del}, msgs)
}
