package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// DB is the part of the DynamoDB client the store calls.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// Store is the single-table adapter.
type Store struct {
	db    DB
	table string
}

var _ tenancy.Store = (*Store)(nil)

// New returns a store over table.
func New(db DB, table string) *Store { return &Store{db: guarded{db}, table: table} }

// batchSize is DynamoDB's limit on one BatchWriteItem.
const batchSize = 25

// maxTransactItems is DynamoDB's limit on one TransactWriteItems.
const maxTransactItems = 100

// AttrVersion is the optimistic-locking version of mutable items. The store
// keeps it: a value read carries the version it was read at (a new value
// 0), a write passes it back, and the store writes only while the stored
// version is still that one (or, for 0, no item exists), storing the next.
const AttrVersion = "Version"

// condition is a write's condition expression with its names and values
// (the zero condition: none).
type condition struct {
	expr   string
	names  map[string]string
	values map[string]types.AttributeValue
}

func (c condition) expression() *string {
	if c.expr == "" {
		return nil
	}
	return aws.String(c.expr)
}

// and is both conditions (their placeholders must differ).
func (c condition) and(o condition) condition {
	out := condition{expr: c.expr + " AND " + o.expr, names: map[string]string{}, values: map[string]types.AttributeValue{}}
	for _, x := range []condition{c, o} {
		maps.Copy(out.names, x.names)
		maps.Copy(out.values, x.values)
	}
	return out
}

// isNew conditions a put on the item not existing yet; exists on its
// existing.
var (
	isNew  = condition{expr: "attribute_not_exists(" + AttrPK + ")"}
	exists = condition{expr: "attribute_exists(" + AttrPK + ")"}
)

// equals conditions a write on an attribute's value.
func equals(attr string, v types.AttributeValue) condition {
	return condition{expr: "#eq = :eq", names: map[string]string{"#eq": attr}, values: map[string]types.AttributeValue{":eq": v}}
}

// versioned is the condition of a write of an item read at version read
// (0: never stored) and the version the write stores.
func versioned(read int) (condition, int) {
	if read == 0 {
		return isNew, 1
	}
	return atVersion(read), read + 1
}

// atVersion conditions a write on the stored version being v.
func atVersion(v int) condition { return equals(AttrVersion, number(v)) }

func number(n int) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: fmt.Sprint(n)}
}

func text(s string) *types.AttributeValueMemberS { return &types.AttributeValueMemberS{Value: s} }

// marshal encodes an item, leaving out empty lists, empty maps and nulls:
// they carry no information, and every byte left out is capacity not paid
// for on each read.
func marshal(v any) (map[string]types.AttributeValue, error) {
	m, err := attributevalue.MarshalMap(v)
	if err != nil {
		return nil, fmt.Errorf("marshal item: %w", err)
	}
	for name, av := range m {
		switch a := av.(type) {
		case *types.AttributeValueMemberNULL:
			delete(m, name)
		case *types.AttributeValueMemberL:
			if len(a.Value) == 0 {
				delete(m, name)
			}
		case *types.AttributeValueMemberM:
			if len(a.Value) == 0 {
				delete(m, name)
			}
		}
	}
	return m, nil
}

// unmarshal decodes a raw item as I and converts it.
func unmarshal[I any, T any](raw map[string]types.AttributeValue, conv func(I) T) (T, error) {
	var it I
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		var zero T
		return zero, err
	}
	return conv(it), nil
}

// decodeInto appends a raw item, decoded as I and converted, to *list.
func decodeInto[I any, T any](raw map[string]types.AttributeValue, list *[]T, conv func(I) T) error {
	v, err := unmarshal(raw, conv)
	if err == nil {
		*list = append(*list, v)
	}
	return err
}

// orEmpty reads a list left out by marshal back as empty, not null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// translate turns DynamoDB's condition failures into the domain's ErrConflict.
func translate(err error) error {
	var ccf *types.ConditionalCheckFailedException
	var tce *types.TransactionCanceledException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ccf):
		return tenancy.ErrConflict
	case errors.As(err, &tce):
		for _, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" || aws.ToString(r.Code) == "TransactionConflict" {
				return tenancy.ErrConflict
			}
		}
	}
	return err
}

// get reads one item, strongly consistent; ErrNotFound names what and id.
func (s *Store) get(ctx context.Context, pk, sk string, out any, what, id string) error {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("get %s %s: %w", what, id, err)
	}
	if res.Item == nil {
		return fmt.Errorf("%w: %s %s", tenancy.ErrNotFound, what, id)
	}
	return attributevalue.UnmarshalMap(res.Item, out)
}

// putTx is the put of item on c.
func (s *Store) putTx(item any, c condition) (types.TransactWriteItem, error) {
	m, err := marshal(item)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: m,
		ConditionExpression: c.expression(), ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values}}, nil
}

// deleteTx is the delete of an item on c.
func (s *Store) deleteTx(pk, sk string, c condition) types.TransactWriteItem {
	return types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(pk, sk),
		ConditionExpression: c.expression(), ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values}}
}

// checkTx conditions a transaction on an item it does not write.
func (s *Store) checkTx(pk, sk string, c condition) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: &s.table, Key: key(pk, sk),
		ConditionExpression: c.expression(), ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values}}
}

// commit writes the change and its events atomically: the events go to the
// outbox in the same transaction, so a change never exists without its events
// and no event exists for a change that failed. A lone put stays a PutItem.
func (s *Store) commit(ctx context.Context, items []types.TransactWriteItem, msgs []events.Message) error {
	for _, m := range msgs {
		tx, err := s.putTx(newOutboxItem(m), isNew)
		if err != nil {
			return err
		}
		items = append(items, tx)
	}
	if len(items) > maxTransactItems {
		return fmt.Errorf("a change of %d items exceeds one transaction", len(items))
	}
	if len(items) == 1 && items[0].Put != nil {
		p := items[0].Put
		_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression,
			ExpressionAttributeNames: p.ExpressionAttributeNames, ExpressionAttributeValues: p.ExpressionAttributeValues})
		return translate(err)
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: items}
	if len(msgs) > 0 {
		// The SDK retries a transaction whose answer was lost; the token makes
		// DynamoDB treat the retry as the same request instead of failing its
		// conditions against its own first write. The first event's id is
		// unique to this change; tokens are shared by every table of the
		// account and region, so the table's name goes into it too.
		in.ClientRequestToken = aws.String(requestToken(s.table, msgs[0].ID))
	}
	_, err := s.db.TransactWriteItems(ctx, in)
	return translate(err)
}

// requestToken derives a transaction's idempotency token (at most 36
// characters) from the table and the change's first event id.
func requestToken(table, eventID string) string {
	sum := sha256.Sum256([]byte(table + "\x00" + eventID))
	return hex.EncodeToString(sum[:18])
}

// commitPut is commit for a change of one item.
func (s *Store) commitPut(ctx context.Context, item any, c condition, msgs []events.Message) error {
	tx, err := s.putTx(item, c)
	if err != nil {
		return err
	}
	return s.commit(ctx, []types.TransactWriteItem{tx}, msgs)
}

// batchWrite sends a batch and re-sends what DynamoDB left unprocessed, with
// backoff, until all is written or the context ends.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	wait := 20 * time.Millisecond
	for attempt := 0; len(reqs) > 0; attempt++ {
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.table: reqs}})
		if err != nil {
			return fmt.Errorf("batch write: %w", err)
		}
		reqs = out.UnprocessedItems[s.table]
		if len(reqs) == 0 {
			return nil
		}
		if attempt == 8 {
			return fmt.Errorf("batch write: %d items still unprocessed after %d attempts", len(reqs), attempt+1)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
	return nil
}

// deleteRequest is one delete of a batch.
func deleteRequest(pk, sk string) types.WriteRequest {
	return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(pk, sk)}}
}

// actor is a tenancy.Actor as items store it.
type actor struct {
	User   string `dynamodbav:"User"`
	Tenant string `dynamodbav:"Tenant"`
}

func actorOf(a tenancy.Actor) actor   { return actor{User: a.User, Tenant: a.Tenant} }
func (a actor) domain() tenancy.Actor { return tenancy.Actor{User: a.User, Tenant: a.Tenant} }

// Optional values: a nil pointer is left out of the item.

func optionalActor(a *tenancy.Actor) *actor {
	if a == nil {
		return nil
	}
	v := actorOf(*a)
	return &v
}

func (a *actor) optional() *tenancy.Actor {
	if a == nil {
		return nil
	}
	v := a.domain()
	return &v
}

// durations are stored as nanoseconds.
func optionalDuration(d *period.Duration) *time.Duration {
	if d == nil {
		return nil
	}
	v := time.Duration(*d)
	return &v
}

func periodOf(d *time.Duration) *period.Duration {
	if d == nil {
		return nil
	}
	v := period.Duration(*d)
	return &v
}
