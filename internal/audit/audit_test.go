package audit_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/audit"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

func TestTheSameEventConcurrentlyIsRecordedOncePerTenant(t *testing.T) {
	ctx := context.Background()
	db, table := dbtest.Table(t)
	st := store.New(db, table)
	c := audit.New(st, audit.DefaultRetention)
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	detail, _ := json.Marshal(events.RoleAssigned{Meta: events.Meta{SchemaVersion: 1, EventID: "ev-1", OccurredAt: at,
		Actor: events.Actor{User: "nina", Tenant: "northwind"}, Tenants: []string{"contoso", "northwind"}, RelationshipID: "rel-1", RequestID: "req-1"}})
	ev := lambdaevents.EventBridgeEvent{ID: "bus-1", DetailType: string(events.DetailTypeRoleAssigned), Source: events.Source, Detail: detail}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Handle(ctx, ev); err != nil {
				t.Errorf("Handle() = %v", err)
			}
		}()
	}
	wg.Wait()
	for _, tenant := range []string{"contoso", "northwind"} {
		l, err := st.ListAudit(ctx, tenant, tenancy.AuditFilter{}, tenancy.Page{Limit: 100})
		if err != nil || len(l.Items) != 1 {
			t.Fatalf("%s: %d records (%v), want exactly one", tenant, len(l.Items), err)
		}
		r := l.Items[0]
		if r.Actor.User != "nina" || r.RelationshipID != "rel-1" || r.RequestID != "req-1" || r.Type != "RoleAssigned" {
			t.Errorf("%s: record %+v", tenant, r)
		}
	}
	if err := c.Handle(ctx, lambdaevents.EventBridgeEvent{DetailType: "RoleAssigned", Detail: json.RawMessage(`{"nope":1}`)}); err == nil {
		t.Error("an event without eventId was accepted; it must go to the dead-letter queue instead")
	}
}
