package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// sessionItem is a switch session under one relationship it uses:
// SESSIONS#rel / expiresAt#id, removed by TTL when it expires.
type sessionItem struct {
	keys
	ID              string    `dynamodbav:"ID"`
	TenantID        string    `dynamodbav:"TenantID"`
	HomeTenant      string    `dynamodbav:"HomeTenant"`
	Actor           actor     `dynamodbav:"Actor"`
	RelationshipIDs []string  `dynamodbav:"RelationshipIDs"`
	AssignmentIDs   []string  `dynamodbav:"AssignmentIDs"`
	IssuedAt        time.Time `dynamodbav:"IssuedAt"`
	ExpiresAt       time.Time `dynamodbav:"ExpiresAt"`
	TTL             int64     `dynamodbav:"ttl"`
}

func newSessionItem(sess tenancy.Session, relationshipID string) sessionItem {
	return sessionItem{keys: keys{PK: sessionsPK(relationshipID), SK: timeSK(sess.ExpiresAt, sess.ID), Entity: entitySession},
		ID: sess.ID, TenantID: sess.TenantID, HomeTenant: sess.HomeTenant, Actor: actorOf(sess.Actor), RelationshipIDs: sess.RelationshipIDs,
		AssignmentIDs: sess.AssignmentIDs, IssuedAt: sess.IssuedAt, ExpiresAt: sess.ExpiresAt, TTL: sess.ExpiresAt.Unix()}
}

func (it sessionItem) domain() tenancy.Session {
	return tenancy.Session{ID: it.ID, TenantID: it.TenantID, HomeTenant: it.HomeTenant, Actor: it.Actor.domain(), RelationshipIDs: it.RelationshipIDs,
		AssignmentIDs: it.AssignmentIDs, IssuedAt: it.IssuedAt, ExpiresAt: it.ExpiresAt}
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
		items = append(items, s.activeCheck(sess.TenantID, sess.HomeTenant, relID))
		tx, err := s.putTx(newSessionItem(sess, relID), isNew)
		if err != nil {
			return err
		}
		items = append(items, tx)
	}
	items = append(items, s.epochCheck(sess.TenantID, sess.HomeTenant, epoch))
	for _, a := range activations {
		items = append(items, s.checkTx(authzPK(a.TenantID, a.HomeTenant), assignmentSK(a.AssignmentID),
			exists.and(equals(attrAssignmentEligible, &types.AttributeValueMemberBOOL{Value: true}))))
		rec, err := s.putTx(activationOf(a), condition{})
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
	return all(ctx, s, query{pk: sessionsPK(relationshipID), sk: after(stamp(now))}, sessionItem.domain)
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
// the customer after from on, until it has seen want customers or the end; it
// reports whether the partition goes on past what it answers.
func (s *Store) principalCustomers(ctx context.Context, home, principal, from string, want int) ([]string, bool, error) {
	q := query{index: IndexGSI4, pk: targetsPK(home, principal), sk: after(targetsAfter(from)), projection: []string{AttrGSI4SK}}
	var out []string
	more := false
	_, err := s.run(ctx, q, nil, nil, 0, func(raw map[string]types.AttributeValue) (bool, error) {
		customer := targetCustomer(str(raw[AttrGSI4SK]))
		if len(out) == 0 || out[len(out)-1] != customer {
			if len(out) == want {
				more = true
				return false, nil
			}
			out = append(out, customer)
		}
		return true, nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("targets of %s: %w", principal, err)
	}
	return out, more, nil
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
