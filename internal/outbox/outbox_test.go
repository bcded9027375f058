package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/localbus"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// fixture: a store whose outbox holds n events (written with real changes),
// a bus recording what the audit consumer receives, and a publisher.
func fixture(t *testing.T, n int) (*store.Store, *localbus.Bus, *outbox.Publisher, []events.Message, func() map[string]int) {
	t.Helper()
	ctx := context.Background()
	db, table := dbtest.Table(t)
	st := store.New(db, table)
	var mu sync.Mutex
	got := map[string]int{}
	consumer := func(_ context.Context, ev lambdaevents.EventBridgeEvent) error {
		var m events.Meta
		if err := json.Unmarshal(ev.Detail, &m); err != nil {
			return err
		}
		mu.Lock()
		got[m.EventID]++
		mu.Unlock()
		return nil
	}
	bus, err := localbus.Start(events.Rules, map[string]localbus.Consumer{events.ConsumerAudit: consumer, events.ConsumerSync: func(context.Context, lambdaevents.EventBridgeEvent) error { return nil }},
		localbus.Options{BusName: "b"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	var msgs []events.Message
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("ev-%02d", i)
		m, err := events.Encode(events.TenantCreated{Meta: events.Meta{SchemaVersion: 1, EventID: id, OccurredAt: t0, Tenants: []string{"t"}}, Tenant: events.Tenant{ID: id}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateInvitation(ctx, tenancy.Invitation{ID: id, CreatedAt: t0, Version: 1}, []events.Message{m}); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	// One SDK attempt per call, so a refused call costs no SDK backoff here.
	pub := outbox.New(bus.Client(func(o *eventbridge.Options) { o.RetryMaxAttempts = 1 }), "b", st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	received := func() map[string]int {
		if err := bus.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for k, v := range got {
			out[k] = v
		}
		return out
	}
	return st, bus, pub, msgs, received
}

func pending(t *testing.T, st *store.Store) int {
	t.Helper()
	left, err := st.PendingEvents(context.Background(), t0.Add(time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(left)
}

func TestSendInCallsOfTenRetryingRefusedEntries(t *testing.T) {
	st, bus, pub, msgs, received := fixture(t, 25)
	var mu sync.Mutex
	refusals := map[int]int{}
	bus.FailEntries(func(_ string, index int) bool {
		mu.Lock()
		defer mu.Unlock()
		if index == 3 && refusals[index] < 1 { // once: the retry succeeds
			refusals[index]++
			return true
		}
		return false
	})
	sent, err := pub.Send(context.Background(), msgs)
	if err != nil || sent != 25 {
		t.Fatalf("Send() = %d, %v; want 25 sent", sent, err)
	}
	if n := pending(t, st); n != 0 {
		t.Errorf("%d events left in the outbox, want 0", n)
	}
	if got := received(); len(got) != 25 {
		t.Errorf("consumer received %d distinct events, want 25", len(got))
	}
}

func TestWhatCannotBeSentStaysForRepublish(t *testing.T) {
	st, bus, pub, msgs, received := fixture(t, 12)
	bus.FailEntries(func(_ string, index int) bool { return index == 0 }) // the first of every call, always
	sent, err := pub.Send(context.Background(), msgs)
	if err == nil || sent >= 12 {
		t.Fatalf("Send() = %d, %v; want an error and some left", sent, err)
	}
	left := pending(t, st)
	if sent+left != 12 || left == 0 {
		t.Fatalf("sent %d, left %d; want all 12 accounted for", sent, left)
	}
	bus.FailEntries(nil)
	bus.RefuseCalls(5)
	if n, err := pub.Republish(context.Background(), t0.Add(time.Minute), 100); err == nil || n != 0 {
		t.Errorf("Republish() to a refusing bus = %d, %v; want 0 and an error", n, err)
	}
	if n := pending(t, st); n != left {
		t.Errorf("a refused call removed events from the outbox: %d left, want %d", n, left)
	}
	bus.RefuseCalls(0)
	if n, err := pub.Republish(context.Background(), t0.Add(time.Minute), 100); err != nil || n != left {
		t.Errorf("Republish() = %d, %v; want %d", n, err, left)
	}
	if n := pending(t, st); n != 0 {
		t.Errorf("%d events left after republishing", n)
	}
	for id, n := range received() {
		if n != 1 {
			t.Errorf("event %s received %d times", id, n)
		}
	}
}
