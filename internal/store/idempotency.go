package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/idempotency"
	"github.com/switchboard/switchboard/internal/tenancy"
)

func idempotencyKey(scope string) (string, string) { return "IDEMP#" + scope, "IDEMP" }

type idempotencyItem struct {
	keys
	idempotency.Record
	TTL int64 `dynamodbav:"ttl"`
}

// staleClaim is how long an unfinished claim holds its key: longer than any
// HTTP function may run (API Gateway stops waiting at 30 s).
const staleClaim = 2 * time.Minute

// Reserve implements httpapi.IdempotencyStore: it claims scope for a request
// with the given hash, or answers what the first request with that scope
// left (a claim in progress, or its response). A record past its window
// (DynamoDB's TTL deletes lazily) or a claim never finished (its function was
// cut off) is taken over, conditioned on being the one read, so two takers
// cannot both win.
func (s *Store) Reserve(ctx context.Context, scope, hash string, expires time.Time) (idempotency.Record, bool, error) {
	pk, sk := idempotencyKey(scope)
	now := time.Now()
	m, err := marshal(idempotencyItem{keys{PK: pk, SK: sk, Entity: "idempotency"}, idempotency.Record{Hash: hash, ClaimedAt: now}, expires.Unix()})
	if err != nil {
		return idempotency.Record{}, false, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: m, ConditionExpression: aws.String(condNew)})
	if err == nil {
		return idempotency.Record{}, true, nil
	}
	if !errors.Is(translate(err), tenancy.ErrConflict) {
		return idempotency.Record{}, false, err
	}
	var it idempotencyItem
	if err := s.get(ctx, pk, sk, &it, "idempotency record", scope); err != nil {
		return idempotency.Record{}, false, err
	}
	expired := it.TTL < now.Unix()
	stale := !it.Done && now.Sub(it.ClaimedAt) > staleClaim
	if !expired && !stale {
		return it.Record, false, nil
	}
	old, err := attributevalue.Marshal(it.ClaimedAt)
	if err != nil {
		return idempotency.Record{}, false, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: m, ConditionExpression: aws.String("ClaimedAt = :old"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":old": old}})
	switch {
	case err == nil:
		return idempotency.Record{}, true, nil
	case errors.Is(translate(err), tenancy.ErrConflict):
		return idempotency.Record{Hash: hash}, false, nil // another request took it over just now: in progress
	}
	return idempotency.Record{}, false, err
}

// Complete implements httpapi.IdempotencyStore: the first response is kept
// for replay until expires.
func (s *Store) Complete(ctx context.Context, scope string, rec idempotency.Record, expires time.Time) error {
	pk, sk := idempotencyKey(scope)
	m, err := marshal(idempotencyItem{keys{PK: pk, SK: sk, Entity: "idempotency"}, rec, expires.Unix()})
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: m})
	return err
}

// Release implements httpapi.IdempotencyStore: a request that failed for a
// reason a retry may cure gives its claim back.
func (s *Store) Release(ctx context.Context, scope string) error {
	pk, sk := idempotencyKey(scope)
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(pk, sk)})
	return err
}
