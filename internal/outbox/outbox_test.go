package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
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
		if err := st.CreateInvitation(ctx, tenancy.Invitation{ID: id, CreatedAt: t0}, []events.Message{m}); err != nil {
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
	res, err := pub.Send(context.Background(), msgs)
	if err != nil || res.Sent != 25 {
		t.Fatalf("Send() = %+v, %v; want 25 sent", res, err)
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
	res, err := pub.Send(context.Background(), msgs)
	sent := res.Sent
	if err == nil || sent >= 12 || res.Dead != 0 {
		t.Fatalf("Send() = %+v, %v; want an error, some left and none dead (the refusals pass)", res, err)
	}
	left := pending(t, st)
	if sent+left != 12 || left == 0 {
		t.Fatalf("sent %d, left %d; want all 12 accounted for", sent, left)
	}
	bus.FailEntries(nil)
	bus.RefuseCalls(5)
	if res, err := pub.Republish(context.Background(), t0.Add(time.Minute), 100); err == nil || res.Sent != 0 || res.Dead != 0 {
		t.Errorf("Republish() to a refusing bus = %+v, %v; want nothing sent, nothing dead and an error", res, err)
	}
	if n := pending(t, st); n != left {
		t.Errorf("a refused call removed events from the outbox: %d left, want %d", n, left)
	}
	bus.RefuseCalls(0)
	if res, err := pub.Republish(context.Background(), t0.Add(time.Minute), 100); err != nil || res.Sent != left {
		t.Errorf("Republish() = %+v, %v; want %d", res, err, left)
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

// bulky answers an event of about size bytes, encoded (and so within
// EventBridge's limit) or raw past it, written to the outbox.
func bulky(t *testing.T, st *store.Store, id string, size int) events.Message {
	t.Helper()
	m := events.Message{ID: id, Type: events.DetailTypeTenantCreated, Time: t0,
		Detail: json.RawMessage(fmt.Sprintf(`{"schemaVersion":1,"eventId":%q,"occurredAt":"2026-11-21T12:00:00Z","tenants":["t"],"tenant":{"id":%q,"name":%q}}`, id, id, strings.Repeat("x", size)))}
	// Written as a change of its own would, past the checks of Encode.
	if err := st.RecordEvents(context.Background(), []events.Message{m}); err != nil {
		t.Fatal(err)
	}
	return m
}

// Calls are sized by bytes as well as by count: ten events of 60 KB go in
// calls under EventBridge's 256 KB, where one call of ten would be refused
// whole.
func TestSendSizesCallsByBytes(t *testing.T) {
	st, _, pub, _, received := fixture(t, 0)
	var msgs []events.Message
	for i := 0; i < 10; i++ {
		msgs = append(msgs, bulky(t, st, fmt.Sprintf("big-%d", i), 60<<10))
	}
	res, err := pub.Send(context.Background(), msgs)
	if err != nil || res.Sent != 10 || res.Dead != 0 {
		t.Fatalf("Send() = %+v, %v; want all 10 sent", res, err)
	}
	if got := received(); len(got) != 10 {
		t.Errorf("the consumer received %d events, want 10", len(got))
	}
	if n := pending(t, st); n != 0 {
		t.Errorf("%d events left in the outbox", n)
	}
}

// An event EventBridge can never take (past its size limit, or malformed)
// is dead-lettered: kept and listed, and it never holds back the others —
// neither in the call it is in nor in the next sweeps.
func TestAnEventThatCanNeverBeSentIsDeadLettered(t *testing.T) {
	st, _, pub, msgs, received := fixture(t, 5)
	bulky(t, st, "huge", 300<<10)
	malformed := events.Message{ID: "malformed", Type: events.DetailTypeTenantCreated, Time: t0, Detail: json.RawMessage(`"not an object"`)}
	if err := st.RecordEvents(context.Background(), []events.Message{malformed}); err != nil {
		t.Fatal(err)
	}
	res, err := pub.Republish(context.Background(), t0.Add(time.Minute), 100)
	if err != nil || res.Sent != len(msgs) || res.Dead != 2 {
		t.Fatalf("Republish() = %+v, %v; want %d sent and 2 dead-lettered, no error", res, err, len(msgs))
	}
	if got := received(); len(got) != len(msgs) {
		t.Errorf("the consumer received %d events, want the %d good ones", len(got), len(msgs))
	}
	if n := pending(t, st); n != 0 {
		t.Errorf("%d events still pending: a dead one blocks the sweep", n)
	}
	dead, err := st.DeadEvents(context.Background(), 10)
	if err != nil || len(dead) != 2 {
		t.Fatalf("DeadEvents() = %+v, %v; want the two", dead, err)
	}
	for _, d := range dead {
		if d.Code == "" || d.Reason == "" {
			t.Errorf("dead event %+v says no code or reason", d)
		}
	}
	// The next sweeps have nothing to do and do not fail.
	for i := 0; i < 2; i++ {
		if res, err := pub.Republish(context.Background(), t0.Add(time.Minute), 100); err != nil || res != (outbox.Result{}) {
			t.Errorf("sweep %d after dead-lettering = %+v, %v; want nothing and no error", i+2, res, err)
		}
	}
	// An operator requeues one once its cause is dealt with.
	if err := st.RequeueEvent(context.Background(), "malformed"); err != nil {
		t.Fatal(err)
	}
	if n := pending(t, st); n != 1 {
		t.Errorf("%d pending after requeueing, want 1", n)
	}
}
