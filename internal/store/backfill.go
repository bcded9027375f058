package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Backfiller is the client calls BackfillDecisions makes.
type Backfiller interface {
	Scanner
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Backfill counts what BackfillDecisions did.
type Backfill struct {
	Written int // decision records written: missing, or disagreeing with their item
	Removed int // decision records removed: their canonical item is gone
	Present int // decision records already as their item says
	Changed int // items changed or removed while the backfill ran: run it again
}

// BackfillDecisions makes the decision records agree with the canonical
// items: it writes the record of every relationship, assignment and custom
// role whose record is missing or says otherwise, and removes every record
// whose item is gone. It is the upgrade step for a table written before
// decision records existed (or by a release rolled back to one), run once
// the functions that keep them are deployed. Each write goes in a
// transaction that checks the item is still at the version scanned (or, for
// a removal, still absent), so it is safe beside live traffic and can be
// repeated: what changed under it is counted in Changed for a second run.
// It holds the relationships, assignments, roles and records in memory.
func BackfillDecisions(ctx context.Context, db Backfiller, table string) (Backfill, error) {
	var b Backfill
	d := newDecisionState()
	if err := scanTable(ctx, db, table, d.add); err != nil {
		return b, err
	}
	b.Present = len(d.want) - len(d.stale())
	for _, k := range d.stale() {
		c := d.want[k]
		ok, err := transact(ctx, db,
			types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: key(c.pk, c.sk),
				ConditionExpression: aws.String(condVersion), ExpressionAttributeValues: prevVersion(c.version + 1)}},
			types.TransactWriteItem{Put: &types.Put{TableName: &table, Item: c.record}})
		if err != nil {
			return b, fmt.Errorf("%s %s: %w", k[0], k[1], err)
		}
		if ok {
			b.Written++
		} else {
			b.Changed++
		}
	}
	for _, k := range d.orphans() {
		pk, sk, _ := canonicalKey(k[0], k[1])
		ok, err := transact(ctx, db,
			types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: key(pk, sk), ConditionExpression: aws.String(condNew)}},
			types.TransactWriteItem{Delete: &types.Delete{TableName: &table, Key: key(k[0], k[1])}})
		if err != nil {
			return b, fmt.Errorf("%s %s: %w", k[0], k[1], err)
		}
		if ok {
			b.Removed++
		} else {
			b.Changed++
		}
	}
	return b, nil
}

// decisionState gathers, item by item from a scan, the decision records the
// canonical items imply and the records the table holds.
type decisionState struct {
	want map[[2]string]implied                         // record key → what its item implies
	have map[[2]string]map[string]types.AttributeValue // record key → the record
}

// implied is the decision record a canonical item implies.
type implied struct {
	pk, sk  string // the item's key
	version int    // the item's version
	record  map[string]types.AttributeValue
}

func newDecisionState() *decisionState {
	return &decisionState{want: map[[2]string]implied{}, have: map[[2]string]map[string]types.AttributeValue{}}
}

func (d *decisionState) add(raw map[string]types.AttributeValue) error {
	pk, sk := str(raw[AttrPK]), str(raw[AttrSK])
	switch {
	case strings.HasPrefix(pk, "DEC#"):
		d.have[[2]string{pk, sk}] = raw
	case strings.HasPrefix(pk, "AUTHZ#"):
		record, version, err := decisionRecordOf(raw, sk)
		if err != nil {
			return fmt.Errorf("%s %s: %w", pk, sk, err)
		}
		if record == nil {
			return nil
		}
		item, err := marshal(record)
		if err != nil {
			return err
		}
		d.want[[2]string{str(item[AttrPK]), str(item[AttrSK])}] = implied{pk, sk, version, item}
	}
	return nil
}

// stale answers the keys of the records that are missing or disagree with
// their items, in key order.
func (d *decisionState) stale() [][2]string {
	var keys [][2]string
	for k, w := range d.want {
		if !reflect.DeepEqual(d.have[k], w.record) {
			keys = append(keys, k)
		}
	}
	return sortedKeys(keys)
}

// orphans answers the keys of the records whose item is gone, in key order.
func (d *decisionState) orphans() [][2]string {
	var keys [][2]string
	for k := range d.have {
		if _, ok := d.want[k]; !ok {
			if _, _, known := canonicalKey(k[0], k[1]); known {
				keys = append(keys, k)
			}
		}
	}
	return sortedKeys(keys)
}

func sortedKeys(keys [][2]string) [][2]string {
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	return keys
}

// scanTable hands every item of the table to each, page by page.
func scanTable(ctx context.Context, db Scanner, table string, each func(map[string]types.AttributeValue) error) error {
	in := &dynamodb.ScanInput{TableName: &table}
	for {
		out, err := db.Scan(ctx, in)
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		for _, raw := range out.Items {
			if err := each(raw); err != nil {
				return err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// canonicalKey answers the key of the item a decision record stands for.
func canonicalKey(pk, sk string) (string, string, bool) {
	authz := "AUTHZ#" + strings.TrimPrefix(pk, "DEC#")
	for _, m := range [][2]string{{decLink, prefixRelationship}, {decGrant, prefixAssignment}, {decRole, prefixRole}} {
		if id, ok := strings.CutPrefix(sk, m[0]); ok {
			return authz, m[1] + id, true
		}
	}
	return "", "", false
}

// transact answers false when a condition cancelled the transaction.
func transact(ctx context.Context, db Backfiller, items ...types.TransactWriteItem) (bool, error) {
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var cancelled *types.TransactionCanceledException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &cancelled):
		return false, nil
	}
	return false, err
}

// decisionRecordOf answers the decision record of a canonical item and the
// item's version, or nil for an item that has none.
func decisionRecordOf(raw map[string]types.AttributeValue, sk string) (any, int, error) {
	switch {
	case strings.HasPrefix(sk, prefixRelationship):
		var it relationshipItem
		err := attributevalue.UnmarshalMap(raw, &it)
		return linkOf(it.domain()), it.Version, err
	case strings.HasPrefix(sk, prefixAssignment):
		var it assignmentItem
		err := attributevalue.UnmarshalMap(raw, &it)
		return grantOf(it.domain()), it.Version, err
	case strings.HasPrefix(sk, prefixRole):
		var it roleItem
		err := attributevalue.UnmarshalMap(raw, &it)
		return roleRecordOf(it.CustomRole), it.Version, err
	}
	return nil, 0, nil
}
