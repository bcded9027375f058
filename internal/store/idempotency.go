package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/internal/idempotency"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// idempotencyItem is the claim of an Idempotency-Key and, once the request
// is done, its answer: IDEMP#<scope> / IDEMP, removed by TTL.
type idempotencyItem struct {
	keys
	Hash        string    `dynamodbav:"Hash"`
	ClaimedAt   time.Time `dynamodbav:"ClaimedAt"`
	Done        bool      `dynamodbav:"Done"`
	Status      int       `dynamodbav:"Status"`
	Body        string    `dynamodbav:"Body"`
	ContentType string    `dynamodbav:"ContentType"`
	TTL         int64     `dynamodbav:"ttl"`
}

// attrClaimedAt is what a takeover of a stale claim is conditioned on.
const attrClaimedAt = "ClaimedAt"

func newIdempotencyItem(scope string, rec idempotency.Record, expires time.Time) idempotencyItem {
	pk, sk := idempotencyKey(scope)
	return idempotencyItem{keys: keys{PK: pk, SK: sk, Entity: entityIdempotency}, Hash: rec.Hash, ClaimedAt: rec.ClaimedAt, Done: rec.Done,
		Status: rec.Status, Body: rec.Body, ContentType: rec.ContentType, TTL: expires.Unix()}
}

func (it idempotencyItem) domain() idempotency.Record {
	return idempotency.Record{Hash: it.Hash, ClaimedAt: it.ClaimedAt, Done: it.Done, Status: it.Status, Body: it.Body, ContentType: it.ContentType}
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
	m, err := marshal(newIdempotencyItem(scope, idempotency.Record{Hash: hash, ClaimedAt: now}, expires))
	if err != nil {
		return idempotency.Record{}, false, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: m, ConditionExpression: isNew.expression()})
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
		return it.domain(), false, nil
	}
	old, err := attributevalue.Marshal(it.ClaimedAt)
	if err != nil {
		return idempotency.Record{}, false, err
	}
	taken := equals(attrClaimedAt, old)
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: m, ConditionExpression: taken.expression(),
		ExpressionAttributeNames: taken.names, ExpressionAttributeValues: taken.values})
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
	m, err := marshal(newIdempotencyItem(scope, rec, expires))
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: m})
	return err
}

// Release implements httpapi.IdempotencyStore: a request that failed for a
// reason a retry may cure gives its claim back.
func (s *Store) Release(ctx context.Context, scope string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key(idempotencyKey(scope))})
	return err
}
