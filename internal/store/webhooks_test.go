package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/ops/invariants"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// TestWebhookCountOfSubscriptionsThatPredateIt: a tenant whose subscriptions
// were written before the count existed gets it from its first change, and
// racing creates still stop at the limit; the invariant check agrees.
func TestWebhookCountOfSubscriptionsThatPredateIt(t *testing.T) {
	ctx := context.Background()
	s, db, table := newTable(t)
	const limit = 5
	hook := func(id string) tenancy.Webhook {
		return tenancy.Webhook{ID: id, TenantID: "acme", URL: "https://" + id + ".example/", Status: tenancy.WebhookActive}
	}
	for i := range 3 {
		if err := s.CreateWebhook(ctx, hook(fmt.Sprintf("old%d", i)), limit, nil); err != nil {
			t.Fatal(err)
		}
	}
	// As a release from before the count wrote them.
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
		store.AttrPK: &types.AttributeValueMemberS{Value: "WEBHOOK#acme"}, store.AttrSK: &types.AttributeValueMemberS{Value: "COUNT"}}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				err := s.CreateWebhook(ctx, hook(fmt.Sprintf("new%d", i)), limit, nil)
				if errors.Is(err, tenancy.ErrConflict) {
					continue // lost the count to another create: read it again
				}
				if err == nil {
					mu.Lock()
					created++
					mu.Unlock()
				} else if !errors.Is(err, tenancy.ErrWebhookLimit) {
					t.Errorf("CreateWebhook() = %v", err)
				}
				return
			}
		}()
	}
	wg.Wait()
	subs, err := s.ListWebhooks(ctx, "acme")
	if err != nil || created != limit-3 || len(subs) != limit {
		t.Errorf("10 racing creates beside 3 uncounted subscriptions: %d created, %d stored (%v); want %d and %d", created, len(subs), err, limit-3, limit)
	}
	if c, err := invariants.Check(ctx, db, table); err != nil || len(c.Violations) != 0 {
		t.Errorf("invariants: %v, %v", c.Violations, err)
	}
	if err := s.DeleteWebhook(ctx, "acme", "old0", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWebhook(ctx, "acme", "old0", nil); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("second DeleteWebhook() = %v, want not found", err)
	}
	if err := s.CreateWebhook(ctx, hook("last"), limit, nil); err != nil {
		t.Errorf("CreateWebhook() after a delete = %v, want a free place", err)
	}
	if c, err := invariants.Check(ctx, db, table); err != nil || len(c.Violations) != 0 {
		t.Errorf("invariants: %v, %v", c.Violations, err)
	}
}
