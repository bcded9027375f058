package localbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/localbus"
)

const busName = "switchboard-test"

var clock = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// received records what each consumer was handed.
type received struct {
	mu  sync.Mutex
	got map[string][]lambdaevents.EventBridgeEvent
}

func (r *received) consumer(name string) localbus.Consumer {
	return func(_ context.Context, ev lambdaevents.EventBridgeEvent) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.got == nil {
			r.got = map[string][]lambdaevents.EventBridgeEvent{}
		}
		r.got[name] = append(r.got[name], ev)
		return nil
	}
}

func (r *received) of(consumer string) []lambdaevents.EventBridgeEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got[consumer])
}

// consumersOf names the consumers that received the event with this id.
func (r *received) consumersOf(id string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for name, evs := range r.got {
		for _, ev := range evs {
			if ev.ID == id {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// start serves a bus and returns an SDK client for it whose own retries are
// quick.
func start(t *testing.T, rules []events.Rule, consumers map[string]localbus.Consumer, opt localbus.Options) (*localbus.Bus, *eventbridge.Client) {
	t.Helper()
	if opt.BusName == "" {
		opt.BusName = busName
	}
	if opt.Now == nil {
		opt.Now = func() time.Time { return clock }
	}
	bus, err := localbus.Start(rules, consumers, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	client := bus.Client(func(o *eventbridge.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
		})
	})
	return bus, client
}

func catalogueBus(t *testing.T, opt localbus.Options) (*localbus.Bus, *eventbridge.Client, *received) {
	t.Helper()
	rec := &received{}
	bus, client := start(t, events.Rules, map[string]localbus.Consumer{
		events.ConsumerAudit: rec.consumer(events.ConsumerAudit),
		events.ConsumerSync:  rec.consumer(events.ConsumerSync),
	}, opt)
	return bus, client, rec
}

func entry(dt events.DetailType, detail string) types.PutEventsRequestEntry {
	return types.PutEventsRequestEntry{
		EventBusName: aws.String(busName),
		Source:       aws.String(events.Source),
		DetailType:   aws.String(string(dt)),
		Detail:       aws.String(detail),
	}
}

func wait(t *testing.T, bus *localbus.Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := bus.Wait(ctx); err != nil {
		t.Fatalf("Wait() = %v", err)
	}
}

func TestPutEventsDeliversTheEnvelope(t *testing.T) {
	ctx := context.Background()
	bus, client, rec := catalogueBus(t, localbus.Options{Account: "123456789012", Region: "eu-west-1", NewID: ids.Sequence("id")})
	stamped := time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, time.FixedZone("CET", 3600))
	withTime := entry(events.DetailTypeRoleAssigned, `{"assignment": {"id": "a1"}, "tenants": ["t1"]}`)
	withTime.Time = &stamped
	withTime.Resources = []string{"arn:aws:iam::123456789012:role/r"}
	withTime.EventBusName = aws.String("arn:aws:events:eu-west-1:123456789012:event-bus/" + busName)

	out, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		withTime,
		entry(events.DetailTypeTenantCreated, `{"tenant":{"id":"t1"}}`),
	}})
	if err != nil {
		t.Fatalf("PutEvents() = %v", err)
	}
	wait(t, bus)

	if out.FailedEntryCount != 0 || len(out.Entries) != 2 {
		t.Fatalf("PutEvents() = %d failed of %d entries, want 0 of 2", out.FailedEntryCount, len(out.Entries))
	}
	audit := rec.of(events.ConsumerAudit)
	if len(audit) != 2 {
		t.Fatalf("audit received %d events, want 2", len(audit))
	}
	byID := map[string]lambdaevents.EventBridgeEvent{}
	for _, ev := range audit {
		byID[ev.ID] = ev
	}
	tests := []struct {
		name       string
		result     types.PutEventsResultEntry
		detailType events.DetailType
		time       time.Time
		resources  []string
		detail     string
		sync       bool // the sync consumer gets it too
	}{
		{name: "with time and resources", result: out.Entries[0], detailType: events.DetailTypeRoleAssigned,
			time: time.Date(2025, 1, 2, 2, 4, 5, 0, time.UTC), resources: []string{"arn:aws:iam::123456789012:role/r"},
			detail: `{"assignment":{"id":"a1"},"tenants":["t1"]}`, sync: true},
		{name: "stamped by the clock", result: out.Entries[1], detailType: events.DetailTypeTenantCreated,
			time: clock, resources: []string{}, detail: `{"tenant":{"id":"t1"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := aws.ToString(tt.result.EventId)
			if id == "" || tt.result.ErrorCode != nil {
				t.Fatalf("result = id %q, error %q; want an id", id, aws.ToString(tt.result.ErrorCode))
			}
			got, ok := byID[id]
			if !ok {
				t.Fatalf("audit did not receive event %s", id)
			}
			if string(got.Detail) != tt.detail {
				t.Errorf("detail = %s, want %s", got.Detail, tt.detail)
			}
			got.Detail = nil
			want := lambdaevents.EventBridgeEvent{Version: "0", ID: id, DetailType: string(tt.detailType), Source: events.Source,
				AccountID: "123456789012", Time: tt.time, Region: "eu-west-1", Resources: tt.resources}
			if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
				t.Errorf("envelope = %s\nwant       %s", g, w)
			}
			if got := rec.consumersOf(id); slices.Contains(got, events.ConsumerSync) != tt.sync {
				t.Errorf("%s → %v, want sync too: %v", tt.detailType, got, tt.sync)
			}
		})
	}
}

func TestCatalogueRouting(t *testing.T) {
	ctx := context.Background()
	bus, client, rec := catalogueBus(t, localbus.Options{})
	for _, p := range events.Payloads() {
		dt := p.DetailType()
		t.Run(string(dt), func(t *testing.T) {
			detail, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			out, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry(dt, string(detail))}})
			if err != nil || out.FailedEntryCount != 0 {
				t.Fatalf("PutEvents(%s) = %v, %+v", dt, err, out)
			}
			wait(t, bus)

			want := []string{events.ConsumerAudit} // audit keeps every event
			if slices.Contains(events.SyncTypes, dt) {
				want = append(want, events.ConsumerSync)
			}
			slices.Sort(want)
			if got := rec.consumersOf(aws.ToString(out.Entries[0].EventId)); !slices.Equal(got, want) {
				t.Errorf("%s → %v, want %v", dt, got, want)
			}
		})
	}
}

func TestFailEntries(t *testing.T) {
	ctx := context.Background()
	bus, client, rec := catalogueBus(t, localbus.Options{})
	bus.FailEntries(func(detailType string, index int) bool {
		return index == 1 || detailType == string(events.DetailTypeWebhookDisabled)
	})
	out, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		entry(events.DetailTypeTenantCreated, `{}`),
		entry(events.DetailTypeTenantCreated, `{}`),
		entry(events.DetailTypeRoleAssigned, `{}`),
		entry(events.DetailTypeWebhookDisabled, `{}`),
	}})
	if err != nil {
		t.Fatalf("PutEvents() = %v", err)
	}
	wait(t, bus)

	if out.FailedEntryCount != 2 {
		t.Errorf("FailedEntryCount = %d, want 2", out.FailedEntryCount)
	}
	wantFailed := []bool{false, true, false, true}
	var delivered []string
	for i, res := range out.Entries {
		code, id := aws.ToString(res.ErrorCode), aws.ToString(res.EventId)
		switch {
		case wantFailed[i] && (code != "InternalFailure" || id != ""):
			t.Errorf("entry %d = id %q, code %q; want code InternalFailure, no id", i, id, code)
		case !wantFailed[i] && (code != "" || id == ""):
			t.Errorf("entry %d = id %q, code %q; want an id", i, id, code)
		}
		if id != "" {
			delivered = append(delivered, id)
		}
	}
	var got []string
	for _, ev := range rec.of(events.ConsumerAudit) {
		got = append(got, ev.ID)
	}
	slices.Sort(got)
	slices.Sort(delivered)
	if !slices.Equal(got, delivered) {
		t.Errorf("audit received %v, want the accepted %v", got, delivered)
	}

	bus.FailEntries(nil)
	out, err = client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry(events.DetailTypeWebhookDisabled, `{}`)}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Errorf("after FailEntries(nil): PutEvents() = %v, %d failed; want success", err, out.FailedEntryCount)
	}
}

func TestRefuseCalls(t *testing.T) {
	ctx := context.Background()
	bus, client, rec := catalogueBus(t, localbus.Options{})
	calls := []types.PutEventsRequestEntry{entry(events.DetailTypeTenantCreated, `{}`)}

	bus.RefuseCalls(5) // more than the SDK's 3 attempts
	_, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: calls})
	if _, ok := errors.AsType[*types.InternalException](err); !ok {
		t.Errorf("PutEvents() = %v, want an InternalException", err)
	}
	wait(t, bus)
	if got := rec.of(events.ConsumerAudit); len(got) != 0 {
		t.Errorf("audit received %d events from a refused call, want 0", len(got))
	}

	// The SDK retries a refused call and succeeds once the bus answers.
	bus.RefuseCalls(1)
	out, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: calls})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents() after one refusal = %v, want success", err)
	}
	wait(t, bus)
	if got := rec.of(events.ConsumerAudit); len(got) != 1 {
		t.Errorf("audit received %d events, want 1", len(got))
	}
}

func TestRetriesAndDeadLetters(t *testing.T) {
	ctx := context.Background()
	const backoff = 5 * time.Millisecond
	var mu sync.Mutex
	attempts := map[string]int{}
	flaky := func(_ context.Context, ev lambdaevents.EventBridgeEvent) error {
		mu.Lock()
		defer mu.Unlock()
		attempts[ev.ID]++
		if attempts[ev.ID] < 3 {
			return errors.New("not yet")
		}
		return nil
	}
	broken := func(context.Context, lambdaevents.EventBridgeEvent) error { return errors.New("boom") }
	pattern := `{"source": ["` + events.Source + `"]}`
	bus, client := start(t, []events.Rule{
		{Name: "to-flaky", Consumer: "flaky", Pattern: pattern},
		{Name: "to-broken", Consumer: "broken", Pattern: pattern},
	}, map[string]localbus.Consumer{"flaky": flaky, "broken": broken}, localbus.Options{Backoff: backoff})

	out, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry(events.DetailTypeTenantCreated, `{}`)}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents() = %v, %+v", err, out)
	}
	id := aws.ToString(out.Entries[0].EventId)
	wait(t, bus)

	deliveries := bus.Deliveries()
	if len(deliveries) != 1 {
		t.Fatalf("Deliveries() = %+v, want one, to flaky", deliveries)
	}
	d := deliveries[0]
	if d.EventID != id || d.Rule != "to-flaky" || d.Consumer != "flaky" || d.Attempts != 3 {
		t.Errorf("Deliveries() = %+v, want event %s to flaky on attempt 3", d, id)
	}
	if d.Latency < backoff+2*backoff {
		t.Errorf("Latency = %v, want at least %v (two retries, backoff doubling)", d.Latency, 3*backoff)
	}

	dead := bus.DeadLetters()
	if len(dead) != 1 {
		t.Fatalf("DeadLetters() = %+v, want one, from broken", dead)
	}
	dl := dead[0]
	if dl.Rule != "to-broken" || dl.Consumer != "broken" || dl.Attempts != 3 || dl.LastError != "boom" ||
		dl.Event.ID != id || dl.Event.DetailType != string(events.DetailTypeTenantCreated) || !dl.FailedAt.Equal(clock) {
		t.Errorf("DeadLetters() = %+v, want event %s from broken after 3 attempts, error boom, at %v", dl, id, clock)
	}
}

func TestCloseDeadLettersPendingRetries(t *testing.T) {
	broken := func(context.Context, lambdaevents.EventBridgeEvent) error { return errors.New("boom") }
	bus, client := start(t, []events.Rule{{Name: "to-broken", Consumer: "broken", Pattern: `{"source": ["` + events.Source + `"]}`}},
		map[string]localbus.Consumer{"broken": broken}, localbus.Options{Backoff: time.Hour})
	if _, err := client.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry(events.DetailTypeTenantCreated, `{}`)}}); err != nil {
		t.Fatal(err)
	}
	bus.Close()
	wait(t, bus)
	if dead := bus.DeadLetters(); len(dead) != 1 || dead[0].Attempts != 1 {
		t.Errorf("DeadLetters() after Close = %+v, want one after 1 attempt", dead)
	}
}

func TestRejectedEntries(t *testing.T) {
	ctx := context.Background()
	bus, client, rec := catalogueBus(t, localbus.Options{})
	withBus := func(name string) types.PutEventsRequestEntry {
		e := entry(events.DetailTypeTenantCreated, `{}`)
		e.EventBusName = aws.String(name)
		return e
	}
	tests := []struct {
		name  string
		entry types.PutEventsRequestEntry
		code  string // empty: accepted
	}{
		{"our bus by name", withBus(busName), ""},
		{"our bus by ARN", withBus("arn:aws:events:local:000000000000:event-bus/" + busName), ""},
		{"another bus", withBus("other"), "ResourceNotFoundException"},
		{"another bus by ARN", withBus("arn:aws:events:local:000000000000:event-bus/other"), "ResourceNotFoundException"},
		{"our bus in another account", withBus("arn:aws:events:local:111111111111:event-bus/" + busName), "ResourceNotFoundException"},
		{"no source", types.PutEventsRequestEntry{EventBusName: aws.String(busName), DetailType: aws.String("X"), Detail: aws.String(`{}`)}, "InvalidArgument"},
		{"no detail type", types.PutEventsRequestEntry{EventBusName: aws.String(busName), Source: aws.String(events.Source), Detail: aws.String(`{}`)}, "InvalidArgument"},
		{"no detail", types.PutEventsRequestEntry{EventBusName: aws.String(busName), Source: aws.String(events.Source), DetailType: aws.String("X")}, "InvalidArgument"},
		{"detail not JSON", entry(events.DetailTypeTenantCreated, `{"a":`), "MalformedDetail"},
		{"detail not an object", entry(events.DetailTypeTenantCreated, `["a"]`), "MalformedDetail"},
		{"detail null", entry(events.DetailTypeTenantCreated, `null`), "MalformedDetail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(rec.of(events.ConsumerAudit))
			out, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{tt.entry}})
			if err != nil {
				t.Fatalf("PutEvents() = %v", err)
			}
			wait(t, bus)
			if got := aws.ToString(out.Entries[0].ErrorCode); got != tt.code {
				t.Errorf("ErrorCode = %q (%s), want %q", got, aws.ToString(out.Entries[0].ErrorMessage), tt.code)
			}
			wantFailed, wantDelivered := int32(1), 0
			if tt.code == "" {
				wantFailed, wantDelivered = 0, 1
			}
			if out.FailedEntryCount != wantFailed {
				t.Errorf("FailedEntryCount = %d, want %d", out.FailedEntryCount, wantFailed)
			}
			if got := len(rec.of(events.ConsumerAudit)) - before; got != wantDelivered {
				t.Errorf("audit received %d, want %d", got, wantDelivered)
			}
		})
	}

	t.Run("default bus accepts but no rule here sees it", func(t *testing.T) {
		e := entry(events.DetailTypeTenantCreated, `{}`)
		e.EventBusName = nil
		before := len(rec.of(events.ConsumerAudit))
		out, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{e}})
		if err != nil || out.FailedEntryCount != 0 || out.Entries[0].EventId == nil {
			t.Fatalf("PutEvents() = %v, %+v; want an event id", err, out)
		}
		wait(t, bus)
		if got := len(rec.of(events.ConsumerAudit)) - before; got != 0 {
			t.Errorf("audit received %d events sent to the default bus, want 0", got)
		}
	})
}

func TestRejectedCalls(t *testing.T) {
	ctx := context.Background()
	bus, client, rec := catalogueBus(t, localbus.Options{})
	many := make([]types.PutEventsRequestEntry, 11)
	for i := range many {
		many[i] = entry(events.DetailTypeTenantCreated, `{}`)
	}
	huge := entry(events.DetailTypeTenantCreated, `{"pad":"`+strings.Repeat("x", 256*1024)+`"}`)
	tests := []struct {
		name    string
		entries []types.PutEventsRequestEntry
	}{
		{"11 entries", many},
		{"no entries", []types.PutEventsRequestEntry{}},
		{"over 256 KiB", []types.PutEventsRequestEntry{huge}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: tt.entries})
			apiErr, ok := errors.AsType[smithy.APIError](err)
			if !ok || apiErr.ErrorCode() != "ValidationException" {
				t.Errorf("PutEvents() = %v, want a ValidationException", err)
			}
		})
	}
	wait(t, bus)
	if got := rec.of(events.ConsumerAudit); len(got) != 0 {
		t.Errorf("audit received %d events from rejected calls, want 0", len(got))
	}

	t.Run("unknown operation", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, bus.URL(), strings.NewReader(`{}`))
		req.Header.Set("X-Amz-Target", "AWSEvents.PutRule")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Type string `json:"__type"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != http.StatusBadRequest || body.Type != "UnknownOperationException" {
			t.Errorf("PutRule = %d %q, want 400 UnknownOperationException", resp.StatusCode, body.Type)
		}
	})
}

func TestNewRejectsBadRules(t *testing.T) {
	consumers := map[string]localbus.Consumer{"audit": func(context.Context, lambdaevents.EventBridgeEvent) error { return nil }}
	tests := []struct {
		name  string
		rules []events.Rule
		opt   localbus.Options
	}{
		{"no bus name", nil, localbus.Options{}},
		{"unknown consumer", []events.Rule{{Name: "r", Consumer: "nobody", Pattern: `{"source":["x"]}`}}, localbus.Options{BusName: "b"}},
		{"bad pattern", []events.Rule{{Name: "r", Consumer: "audit", Pattern: `{"source":"x"}`}}, localbus.Options{BusName: "b"}},
		{"rule twice", []events.Rule{{Name: "r", Consumer: "audit", Pattern: `{"source":["x"]}`}, {Name: "r", Consumer: "audit", Pattern: `{"source":["y"]}`}}, localbus.Options{BusName: "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := localbus.New(tt.rules, consumers, tt.opt); err == nil {
				t.Errorf("New() = nil error, want one")
			}
		})
	}
	if _, err := localbus.New(events.Rules, map[string]localbus.Consumer{events.ConsumerAudit: consumers["audit"], events.ConsumerSync: consumers["audit"]}, localbus.Options{BusName: "b"}); err != nil {
		t.Errorf("New(events.Rules) = %v, want the catalogue to compile", err)
	}
}
