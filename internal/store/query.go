package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// query is one partition of the table (index "") or of an index, optionally
// narrowed to a range of sort keys. Every read of more than one item is a
// query run by run, page, all or one of their callers: the loop over
// DynamoDB's pages, the cursors and the filters are written once, here.
type query struct {
	index       string
	pk          string
	sk          skCond
	newestFirst bool
	// projection names the only attributes to read ("": all).
	projection []string
	// filter keeps only the items whose string attribute at filter.path is
	// filter.value (see page).
	filter filter
	// batch is how many items each request of all asks for (0: as many
	// as fit DynamoDB's 1 MB page).
	batch int
}

type filter struct {
	path  []string
	value string
}

// skCond is the condition on the sort key, at most one.
type skCond struct {
	op   string // "" (the whole partition), "begins_with", "BETWEEN", ">", "<="
	a, b string
}

func beginsWith(prefix string) skCond { return skCond{op: "begins_with", a: prefix} }
func between(from, to string) skCond  { return skCond{op: "BETWEEN", a: from, b: to} }
func after(sk string) skCond          { return skCond{op: ">", a: sk} }
func atMost(sk string) skCond         { return skCond{op: "<=", a: sk} }

// holds reports whether a sort key satisfies the condition.
func (c skCond) holds(sk string) bool {
	switch c.op {
	case "begins_with":
		return strings.HasPrefix(sk, c.a)
	case "BETWEEN":
		return sk >= c.a && sk <= c.b
	case ">":
		return sk > c.a
	case "<=":
		return sk <= c.a
	}
	return true
}

// input is the first request of the query.
func (q query) input(table string) *dynamodb.QueryInput {
	pkAttr, skAttr := keyAttrs(q.index)
	in := &dynamodb.QueryInput{
		TableName:                 &table,
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": pkAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: q.pk}},
		ScanIndexForward:          aws.Bool(!q.newestFirst),
	}
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	} else {
		in.ConsistentRead = aws.Bool(true)
	}
	if q.sk.op != "" {
		in.ExpressionAttributeNames["#sk"] = skAttr
		in.ExpressionAttributeValues[":a"] = &types.AttributeValueMemberS{Value: q.sk.a}
		switch q.sk.op {
		case "begins_with":
			in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :a)")
		case "BETWEEN":
			in.KeyConditionExpression = aws.String("#pk = :pk AND #sk BETWEEN :a AND :b")
			in.ExpressionAttributeValues[":b"] = &types.AttributeValueMemberS{Value: q.sk.b}
		default:
			in.KeyConditionExpression = aws.String("#pk = :pk AND #sk " + q.sk.op + " :a")
		}
	}
	if len(q.projection) > 0 {
		names := make([]string, len(q.projection))
		for i, attr := range q.projection {
			names[i] = fmt.Sprintf("#p%d", i)
			in.ExpressionAttributeNames[names[i]] = attr
		}
		in.ProjectionExpression = aws.String(strings.Join(names, ", "))
	}
	return in
}

// run sends q from start (nil: the beginning) page after page, each page
// asking for at most limit() items (nil or 0: q.batch), handing
// every item to take until take answers false, the partition ends or
// maxReads requests were made (0: no bound). It answers where to go on
// from: the key of the item take stopped at when anything follows it, the
// last evaluated key when the requests ran out, nil at the end.
func (s *Store) run(ctx context.Context, q query, start map[string]types.AttributeValue, limit func() int, maxReads int,
	take func(raw map[string]types.AttributeValue) (bool, error)) (map[string]types.AttributeValue, error) {
	in := q.input(s.table)
	in.ExclusiveStartKey = start
	for reads := 1; ; reads++ {
		n := q.batch
		if limit != nil && limit() > 0 {
			n = limit()
		}
		if n > 0 {
			in.Limit = aws.Int32(int32(n))
		}
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", q.pk, err)
		}
		for i, raw := range out.Items {
			more, err := take(raw)
			if err != nil {
				return nil, err
			}
			if !more {
				if i < len(out.Items)-1 || len(out.LastEvaluatedKey) > 0 {
					return q.keyOf(raw), nil
				}
				return nil, nil
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil, nil
		}
		if reads == maxReads {
			return out.LastEvaluatedKey, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// each runs q to its end, handing every item to take.
func (s *Store) each(ctx context.Context, q query, take func(raw map[string]types.AttributeValue) error) error {
	_, err := s.run(ctx, q, nil, nil, 0, func(raw map[string]types.AttributeValue) (bool, error) { return true, take(raw) })
	return err
}

// all answers every item of q, decoded as I and converted.
func all[I any, T any](ctx context.Context, s *Store, q query, conv func(I) T) ([]T, error) {
	var out []T
	err := s.each(ctx, q, func(raw map[string]types.AttributeValue) error {
		v, err := unmarshal(raw, conv)
		out = append(out, v)
		return err
	})
	return out, err
}

// Page sizes.
const (
	defaultLimit = 50
	maxLimit     = 100
	// maxFilteredReads bounds the requests after the first that one
	// filtered page may make.
	maxFilteredReads = 10
)

// page answers one page of q from the page's cursor on. A filter is applied
// here rather than as a FilterExpression: DynamoDB charges for every item a
// Query reads either way, and filtering in code lets a page hold up to limit
// matching items instead of limit read ones. A sparse filter stops after
// maxFilteredReads more requests and answers a cursor.
func page[I any, T any](ctx context.Context, s *Store, q query, p tenancy.Page, conv func(I) T) (tenancy.List[T], error) {
	return pageWith(ctx, s, q, p, conv, nil, func(left int) int { return left }, 1+maxFilteredReads)
}

// Filtered pages in code (pageWhere): each request reads filteredBatch
// items whatever is left of the page, and a page stops after
// maxKeptReads requests — 10,000 items read — with a cursor to go on from.
const (
	filteredBatch = 100
	maxKeptReads  = 100
)

// pageWhere is page keeping only the items keep accepts, a predicate on the
// decoded value (a filter the domain states: a status, a role in a list, a
// time window). DynamoDB's Limit counts items read before any filter, so
// the page reads on until it holds limit kept items or the list ends (or
// maxKeptReads requests were made): a page is never cut short while
// matching items follow it.
func pageWhere[I any, T any](ctx context.Context, s *Store, q query, p tenancy.Page, conv func(I) T, keep func(T) bool) (tenancy.List[T], error) {
	return pageWith(ctx, s, q, p, conv, keep, func(int) int { return filteredBatch }, maxKeptReads)
}

// pageWith is one page of q: items that pass q's filter and keep (nil keeps
// all), each request asking batch(what is left of the page) items, at most
// reads requests.
func pageWith[I any, T any](ctx context.Context, s *Store, q query, p tenancy.Page, conv func(I) T, keep func(T) bool, batch func(left int) int, reads int) (tenancy.List[T], error) {
	limit := p.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	var start map[string]types.AttributeValue
	if p.Cursor != "" {
		var err error
		if start, err = q.decodeCursor(p.Cursor); err != nil {
			return tenancy.List[T]{}, err
		}
	}
	res := tenancy.List[T]{Items: make([]T, 0, limit)}
	next, err := s.run(ctx, q, start, func() int { return batch(limit - len(res.Items)) }, reads,
		func(raw map[string]types.AttributeValue) (bool, error) {
			if len(q.filter.path) > 0 && stringAt(raw, q.filter.path) != q.filter.value {
				return true, nil
			}
			v, err := unmarshal(raw, conv)
			if err != nil {
				return false, err
			}
			if keep == nil || keep(v) {
				res.Items = append(res.Items, v)
			}
			return len(res.Items) < limit, nil
		})
	if err != nil {
		return tenancy.List[T]{}, err
	}
	if next != nil {
		res.NextCursor = encodeCursor(next)
	}
	return res, nil
}

// due reads, from every shard of one schedule, up to limit items whose
// time is at or before until (an untilSK bound), one request a shard,
// earliest first within a shard.
func due[I any, T any](ctx context.Context, s *Store, kind, until string, limit int, conv func(I) T) ([]T, error) {
	var out []T
	for shard := 0; shard < scheduleShards && len(out) < limit; shard++ {
		q := query{index: IndexGSI3, pk: shardPK(kind, shard), sk: atMost(until)}
		_, err := s.run(ctx, q, nil, func() int { return limit - len(out) }, 1, func(raw map[string]types.AttributeValue) (bool, error) {
			v, err := unmarshal(raw, conv)
			out = append(out, v)
			return true, err
		})
		if err != nil {
			return nil, fmt.Errorf("schedule %s: %w", kind, err)
		}
	}
	return out, nil
}

// stringAt reads a string attribute at a path of map keys.
func stringAt(item map[string]types.AttributeValue, path []string) string {
	var v types.AttributeValue = &types.AttributeValueMemberM{Value: item}
	for _, name := range path {
		m, ok := v.(*types.AttributeValueMemberM)
		if !ok {
			return ""
		}
		v = m.Value[name]
	}
	return str(v)
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// keyAttrNames are the attributes of a key of q's partition as DynamoDB
// reports it last evaluated: the table's, and the index's on an index.
func (q query) keyAttrNames() []string {
	names := []string{AttrPK, AttrSK}
	if q.index != "" {
		pk, sk := keyAttrs(q.index)
		names = append(names, pk, sk)
	}
	return names
}

// keyOf is the key of an item as a Query on q would report it last evaluated.
func (q query) keyOf(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	k := map[string]types.AttributeValue{}
	for _, name := range q.keyAttrNames() {
		if v, ok := item[name]; ok {
			k[name] = v
		}
	}
	return k
}

// Cursors are the last evaluated key, base64url JSON. Every key of this table
// is a string, and a cursor is accepted only for the list that gave it out:
// its partition must be the one queried, its sort key inside the range.
func encodeCursor(k map[string]types.AttributeValue) string {
	plain := make(map[string]string, len(k))
	for name, v := range k {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			plain[name] = sv.Value
		}
	}
	b, _ := json.Marshal(plain)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (q query) decodeCursor(c string) (map[string]types.AttributeValue, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) > 2048 {
		return nil, tenancy.ErrBadCursor
	}
	var plain map[string]string
	if err := json.Unmarshal(b, &plain); err != nil {
		return nil, tenancy.ErrBadCursor
	}
	names := q.keyAttrNames()
	pkAttr, skAttr := keyAttrs(q.index)
	if plain[pkAttr] != q.pk || len(plain) != len(names) || !q.sk.holds(plain[skAttr]) {
		return nil, tenancy.ErrBadCursor
	}
	out := make(map[string]types.AttributeValue, len(plain))
	for _, name := range names {
		v, ok := plain[name]
		if !ok {
			return nil, tenancy.ErrBadCursor
		}
		out[name] = &types.AttributeValueMemberS{Value: v}
	}
	return out, nil
}
