package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

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
// relationship it uses, so revocation finds it by relationship), the caller's
// activations and the events, on condition that every relationship is still
// active, no grant of the partition was removed since the switch read it
// (its epoch), and every activated assignment still exists and is eligible.
// A switch racing an offboarding or a removal therefore either commits
// before it — and is revoked by it — or fails. The transaction's size does
// not grow with the assignments the session uses.
func (s *Store) CommitSwitch(ctx context.Context, sess tenancy.Session, epoch int, activations []tenancy.Activation, msgs []events.Message) error {
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
	items = append(items, s.epochCheck(sess.TenantID, sess.HomeTenant, epoch))
	for _, a := range activations {
		items = append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: &s.table, Key: key(authzPK(a.TenantID, a.HomeTenant), assignmentSK(a.AssignmentID)),
			ConditionExpression:       aws.String("attribute_exists(" + AttrPK + ") AND Eligible = :true"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":true": &types.AttributeValueMemberBOOL{Value: true}},
		}})
		rec, err := s.decisionPut(activationOf(a))
		if err != nil {
			return err
		}
		items = append(items, rec)
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
	// Each event stands alone (its id makes it idempotent), so many go in
	// several transactions.
	for len(msgs) > 0 {
		n := min(len(msgs), maxTransactItems)
		if err := s.commit(ctx, nil, msgs[:n]); err != nil {
			return err
		}
		msgs = msgs[n:]
	}
	return nil
}

// SwitchTargets implements tenancy.Store: a page of the customers in which
// the principals hold delegated assignments, by customer id. It reads each
// principal's partition of the targets index from the cursor on (in
// parallel, as far as it takes to see one customer more than the page),
// then the decision partition of each customer on the page and the
// customers' names (one BatchGetItem). However many assignments a partner or
// a customer holds, a page reads only the principals' own index items and
// the page's partitions.
func (s *Store) SwitchTargets(ctx context.Context, home string, principals []string, page tenancy.Page) (tenancy.List[tenancy.Target], error) {
	limit := page.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	after := ""
	if page.Cursor != "" {
		var err error
		if after, err = decodeTargetsCursor(page.Cursor, home); err != nil {
			return tenancy.List[tenancy.Target]{}, err
		}
	}
	found := make([][]string, len(principals)) // customers of each principal, in order
	more := make([]bool, len(principals))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, p := range principals {
		g.Go(func() error {
			var err error
			found[i], more[i], err = s.principalCustomers(gctx, home, p, after, limit+1)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return tenancy.List[tenancy.Target]{}, err
	}
	var customers []string
	for i := range found {
		for _, c := range found[i] {
			if !slices.Contains(customers, c) {
				customers = append(customers, c)
			}
		}
	}
	slices.Sort(customers)
	res := tenancy.List[tenancy.Target]{Items: []tenancy.Target{}}
	hasMore := len(customers) > limit
	for _, m := range more {
		hasMore = hasMore || m
	}
	if len(customers) > limit {
		customers = customers[:limit]
	}
	if len(customers) == 0 {
		return res, nil
	}
	res.Items = make([]tenancy.Target, len(customers))
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, c := range customers {
		g.Go(func() error {
			p, err := s.LoadPartition(gctx, c, home)
			res.Items[i] = tenancy.Target{TenantID: c, Partition: p}
			return err
		})
	}
	var names map[string]string
	g.Go(func() error {
		var err error
		names, err = s.tenantNames(gctx, customers)
		return err
	})
	if err := g.Wait(); err != nil {
		return tenancy.List[tenancy.Target]{}, err
	}
	for i := range res.Items {
		res.Items[i].TenantName = names[res.Items[i].TenantID]
	}
	if hasMore {
		res.NextCursor = encodeTargetsCursor(home, customers[len(customers)-1])
	}
	return res, nil
}

// principalCustomers reads a principal's partition of the targets index from
// the customer after on, until it has seen want customers or the end; it
// reports whether the partition goes on past what it answers.
func (s *Store) principalCustomers(ctx context.Context, home, principal, after string, want int) ([]string, bool, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexGSI4),
		KeyConditionExpression:    aws.String("#pk = :pk AND #sk > :after"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI4PK, "#sk": AttrGSI4SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: targetsPK(home, principal)}, ":after": &types.AttributeValueMemberS{Value: after + "#\uffff"}},
		ProjectionExpression:      aws.String("#sk"),
	}
	var out []string
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, false, fmt.Errorf("query targets of %s: %w", principal, err)
		}
		for _, raw := range res.Items {
			customer, _, _ := strings.Cut(str(raw[AttrGSI4SK]), "#")
			if len(out) == 0 || out[len(out)-1] != customer {
				if len(out) == want {
					return out, true, nil
				}
				out = append(out, customer)
			}
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, false, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// tenantNames answers the names of tenants by id, one BatchGetItem per 100.
func (s *Store) tenantNames(ctx context.Context, ids []string) (map[string]string, error) {
	names := map[string]string{}
	for start := 0; start < len(ids); start += 100 {
		keysIn := []map[string]types.AttributeValue{}
		for _, id := range ids[start:min(len(ids), start+100)] {
			pk, sk := tenantKey(id)
			keysIn = append(keysIn, key(pk, sk))
		}
		req := map[string]types.KeysAndAttributes{s.table: {Keys: keysIn, ProjectionExpression: aws.String("ID, #n"), ExpressionAttributeNames: map[string]string{"#n": "Name"}}}
		for attempt := 0; len(req) > 0; attempt++ {
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, fmt.Errorf("tenant names: %w", err)
			}
			for _, raw := range out.Responses[s.table] {
				names[str(raw["ID"])] = str(raw["Name"])
			}
			req = out.UnprocessedKeys
			if attempt == 8 && len(req) > 0 {
				return nil, fmt.Errorf("tenant names: keys still unprocessed after %d attempts", attempt+1)
			}
		}
	}
	return names, nil
}

// Targets cursors name the last customer of the page, for one home tenant.
func encodeTargetsCursor(home, customer string) string {
	b, _ := json.Marshal(map[string]string{"h": home, "c": customer})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeTargetsCursor(c, home string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) > 512 {
		return "", tenancy.ErrBadCursor
	}
	var v map[string]string
	if json.Unmarshal(b, &v) != nil || v["h"] != home || len(v) != 2 || !tenancy.ValidTenantID(v["c"]) {
		return "", tenancy.ErrBadCursor
	}
	return v["c"], nil
}

// PrincipalGrants implements tenancy.Store: the principal's delegated
// assignments in tenant, from its partition of the targets index.
func (s *Store) PrincipalGrants(ctx context.Context, tenant, home, principal string) ([]tenancy.Assignment, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexGSI4),
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :c)"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrGSI4PK, "#sk": AttrGSI4SK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: targetsPK(home, principal)}, ":c": &types.AttributeValueMemberS{Value: tenant + "#"}},
	}
	var out []tenancy.Assignment
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query grants of %s: %w", principal, err)
		}
		for _, raw := range res.Items {
			var it assignmentItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return nil, err
			}
			out = append(out, it.domain())
		}
		if len(res.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}
