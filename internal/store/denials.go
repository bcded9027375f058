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

// Denial windows: one item per kind of refusal (target tenant, home tenant,
// user, operation, reason), DENIALS#<tenant> / <home>#<user>#<operation>#<reason>,
// holding when the window started and how many refusals it counted; due in
// the schedule index (DUE#DENY) when it ends, and removed by TTL a day after.
type denialItem struct {
	keys
	Start int64 `dynamodbav:"st"`
	Count int   `dynamodbav:"n"`
	TTL   int64 `dynamodbav:"ttl"`
}

// Attributes a refusal window's writes are conditioned on.
const (
	attrDenialsStart = "st"
	attrDenialsCount = "n"
)

func denialKey(d tenancy.Denials) (string, string) {
	return denialsKey(d.Tenant, d.Home, d.User, d.Operation, d.Reason)
}

func (it denialItem) domain() tenancy.Denials {
	k := parseKey(it.PK, it.SK)
	return tenancy.Denials{Tenant: k.tenant, Home: k.home, User: k.user, Operation: k.operation, Reason: k.reason, Start: fromUnixNano(it.Start), Count: it.Count}
}

// windowIs conditions a write on the window being the one read.
func windowIs(d tenancy.Denials) condition {
	return condition{expr: "#st = :st AND #n = :n", names: map[string]string{"#st": attrDenialsStart, "#n": attrDenialsCount},
		values: map[string]types.AttributeValue{":st": &types.AttributeValueMemberN{Value: fmt.Sprint(unixNano(d.Start))}, ":n": number(d.Count)}}
}

// CountDenial implements tenancy.Store.
func (s *Store) CountDenial(ctx context.Context, d tenancy.Denials, since time.Time) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: key(denialKey(d)),
		ConditionExpression:      aws.String("#st > :since"),
		UpdateExpression:         aws.String("ADD #n :one"),
		ExpressionAttributeNames: map[string]string{"#st": attrDenialsStart, "#n": attrDenialsCount},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":since": &types.AttributeValueMemberN{Value: fmt.Sprint(unixNano(since))},
			":one":   number(1),
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
	var it denialItem
	switch err := s.get(ctx, pk, sk, &it, "denials", sk); {
	case errors.Is(err, tenancy.ErrNotFound):
		return tenancy.Denials{}, false, nil
	case err != nil:
		return tenancy.Denials{}, false, err
	}
	return it.domain(), true, nil
}

// OpenDenials implements tenancy.Store.
func (s *Store) OpenDenials(ctx context.Context, prev *tenancy.Denials, next tenancy.Denials, due time.Time, msgs []events.Message) error {
	pk, sk := denialKey(next)
	it := denialItem{keys: keys{PK: pk, SK: sk, GSI3PK: schedulePK(scheduleDenials, pk+sk), GSI3SK: timeSK(due, sk), Entity: entityDenials},
		Start: unixNano(next.Start), Count: next.Count, TTL: due.Add(24 * time.Hour).Unix()}
	cond := isNew
	if prev != nil {
		cond = windowIs(*prev)
	}
	return s.commitPut(ctx, it, cond, msgs)
}

// DueDenials implements tenancy.Store.
func (s *Store) DueDenials(ctx context.Context, now time.Time, limit int) ([]tenancy.Denials, error) {
	return due(ctx, s, scheduleDenials, untilSK(now), limit, denialItem.domain)
}

// CloseDenials implements tenancy.Store.
func (s *Store) CloseDenials(ctx context.Context, w tenancy.Denials, msgs []events.Message) error {
	pk, sk := denialKey(w)
	return s.commit(ctx, []types.TransactWriteItem{s.deleteTx(pk, sk, windowIs(w))}, msgs)
}
