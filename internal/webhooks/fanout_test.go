package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// hanging is an endpoint that accepts connections and never answers.
func hanging(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String() + "/hooks"
}

// fanOut is a partner with six subscriptions to a hanging endpoint and its
// customer with one to a receiver that notes when the event arrived.
type fanOut struct {
	store    *store.Store
	received chan time.Time
	event    lambdaevents.EventBridgeEvent
	partner  []string // the partner's subscription ids
	customer string
}

func newFanOut(t *testing.T) *fanOut {
	t.Helper()
	ctx := context.Background()
	db, table := dbtest.Table(t)
	f := &fanOut{store: store.New(db, table), received: make(chan time.Time, 1)}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case f.received <- time.Now():
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	dead := hanging(t)
	create := func(tenant, id, url string) {
		t.Helper()
		w := tenancy.Webhook{ID: id, TenantID: tenant, URL: url, EventTypes: []string{string(events.DetailTypeRelationshipActivated)},
			Status: tenancy.WebhookActive, Secret: "whsec_c2VjcmV0"}
		if err := f.store.CreateWebhook(ctx, w, tenancy.MaxWebhooks, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		id := fmt.Sprintf("partner-hook-%d", i)
		create("northwind", id, dead)
		f.partner = append(f.partner, id)
	}
	f.customer = "customer-hook"
	create("contoso", f.customer, receiver.URL+"/hooks")
	// The partner comes first among the tenants, as in RelationshipActivated.
	detail, err := json.Marshal(events.RelationshipActivated{Meta: events.Meta{SchemaVersion: 1, EventID: "ev-1", OccurredAt: time.Now().UTC(),
		Actor: events.Actor{User: "carl", Tenant: "contoso"}, Tenants: []string{"northwind", "contoso"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.event = lambdaevents.EventBridgeEvent{ID: "ev-1", DetailType: string(events.DetailTypeRelationshipActivated), Source: events.Source, Detail: detail}
	return f
}

func (f *fanOut) deliverer(cfg webhooks.Config) *webhooks.Deliverer {
	cfg.Store, cfg.Now, cfg.NewID, cfg.Operator = f.store, time.Now, ids.Sequence("w"), "platform"
	return webhooks.New(cfg)
}

// TestCustomerDeliveryDoesNotWaitOnAnotherTenantsHangingEndpoints: six of a
// partner's subscriptions hang (1 s per attempt here, three attempts each);
// the customer's own subscription to the same event is delivered at once,
// not after the partner's 6 × 3 attempts.
func TestCustomerDeliveryDoesNotWaitOnAnotherTenantsHangingEndpoints(t *testing.T) {
	f := newFanOut(t)
	d := f.deliverer(webhooks.Config{Client: webhooks.Client(time.Second, true), Backoff: 50 * time.Millisecond})
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- d.Handle(context.Background(), f.event) }()
	select {
	case at := <-f.received:
		took := at.Sub(start)
		t.Logf("the customer's delivery arrived after %v beside six hanging partner endpoints", took.Round(time.Millisecond))
		if took > 2*time.Second {
			t.Errorf("the customer's delivery took %v, want well under one hanging attempt (1 s)", took)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no customer delivery within 30 s")
	}
	err := <-done
	total := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "6 subscriptions still failing") {
		t.Errorf("Handle() = %v, want the six partner subscriptions failing (the bus retries them)", err)
	}
	// Concurrently: the partner's six take three attempts' time, not eighteen.
	if total > 8*time.Second {
		t.Errorf("Handle() took %v, want about three attempts (3 × 1 s + backoff)", total)
	}
	for _, id := range f.partner {
		l, err := f.store.ListDeliveries(context.Background(), id, tenancy.Page{Limit: 10})
		if err != nil || len(l.Items) != 3 {
			t.Errorf("%s: %d attempts recorded (%v), want 3", id, len(l.Items), err)
		}
	}
	if ok, err := f.store.Delivered(context.Background(), f.customer, "ev-1"); !ok || err != nil {
		t.Errorf("customer delivery recorded = %v, %v; want delivered", ok, err)
	}
}

// TestDeliveriesEndBeforeTheInvocationsDeadline: with an invocation deadline
// shorter than an attempt's timeout, the hanging attempts end before the
// deadline (leaving Reserve), are recorded, no attempt starts without time
// to run, and Handle returns in time with an error for the bus to retry; the
// customer's delivery is made and kept.
func TestDeliveriesEndBeforeTheInvocationsDeadline(t *testing.T) {
	f := newFanOut(t)
	d := f.deliverer(webhooks.Config{Client: webhooks.Client(time.Minute, true), AttemptTimeout: time.Minute,
		Reserve: 500 * time.Millisecond, MinAttempt: 300 * time.Millisecond, Backoff: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	deadline, _ := ctx.Deadline()
	err := d.Handle(ctx, f.event)
	if left := time.Until(deadline); left < 0 {
		t.Errorf("Handle() returned %v after the invocation's deadline", -left)
	}
	if err == nil || !strings.Contains(err.Error(), "still failing") {
		t.Errorf("Handle() = %v, want the partner's subscriptions failing", err)
	}
	// Four at a time (PerTenant): the first four hang until the deadline
	// less Reserve; the last two find too little time left to start.
	bg := context.Background()
	attempted := 0
	for _, id := range f.partner {
		l, err := f.store.ListDeliveries(bg, id, tenancy.Page{Limit: 10})
		switch {
		case err != nil || len(l.Items) > 1:
			t.Errorf("%s: attempts %+v (%v), want at most one", id, l.Items, err)
		case len(l.Items) == 1:
			attempted++
			if l.Items[0].Delivered || !strings.Contains(l.Items[0].Error, "deadline") {
				t.Errorf("%s: attempt %+v, want one cut at the deadline", id, l.Items[0])
			}
		}
	}
	if attempted != 4 {
		t.Errorf("%d partner subscriptions attempted, want 4 (PerTenant), the others left for the bus's retry", attempted)
	}
	if ok, err := f.store.Delivered(bg, f.customer, "ev-1"); !ok || err != nil {
		t.Errorf("customer delivery recorded = %v, %v; want delivered within the invocation", ok, err)
	}
	// The bus's redelivery sends only what is still missing.
	select {
	case <-f.received:
	default:
		t.Fatal("the customer's receiver got nothing")
	}
	ctx2, cancel2 := context.WithTimeout(bg, 2*time.Second)
	defer cancel2()
	_ = d.Handle(ctx2, f.event)
	select {
	case <-f.received:
		t.Error("the redelivery sent the customer's event again")
	default:
	}
}
