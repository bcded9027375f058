// Package webhooks is the sync consumer: relationship and assignment events go
// to the subscriptions of every tenant they concern, signed per the Standard
// Webhooks convention, retried with backoff, every attempt recorded, and a
// subscription that keeps failing is disabled with an event saying so.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/metric"
	"github.com/switchboard/switchboard/internal/telemetry"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Store is what delivery needs from persistence.
type Store interface {
	ListWebhooks(ctx context.Context, tenant string) ([]tenancy.Webhook, error)
	Delivered(ctx context.Context, webhookID, eventID string) (bool, error)
	RecordDelivery(ctx context.Context, d tenancy.WebhookDelivery) error
	// UpdateWebhook replaces the subscription read at w.Version and answers
	// it as stored.
	UpdateWebhook(ctx context.Context, w tenancy.Webhook, msgs []events.Message) (tenancy.Webhook, error)
}

// Config wires a Deliverer.
type Config struct {
	Store     Store
	Client    *http.Client
	Publisher tenancy.Publisher
	// Now is Switchboard's clock: when attempts happen and subscriptions are
	// disabled (the local stack's test clock moves it).
	Now func() time.Time
	// SigningClock is the receivers' clock, for webhook-timestamp: real time
	// (time.Now when nil), never the test clock — a receiver refuses a
	// timestamp more than a few minutes from its own time, so a timestamp on
	// an advanced test clock would fail every delivery until the
	// subscription is disabled.
	SigningClock func() time.Time
	NewID        func() string
	// Operator is the operator tenant, the actor of WebhookDisabled.
	Operator string
	// Attempts per event and subscription in one invocation (default 3),
	// the first retry after Backoff (default 200 ms), doubling.
	Attempts int
	Backoff  time.Duration
	// AttemptTimeout bounds one attempt (default 10 s; the Client's own
	// timeout bounds it too). Within an invocation that has a deadline an
	// attempt also ends Reserve (default 2 s) before it, and none starts
	// with less than MinAttempt (default 1 s) left: what was tried is
	// recorded and the event handed back to the bus for a later run,
	// instead of the whole invocation timing out.
	AttemptTimeout time.Duration
	Reserve        time.Duration
	MinAttempt     time.Duration
	// PerTenant bounds the concurrent deliveries to one tenant's
	// subscriptions (default 4). Each tenant of an event has its own, so a
	// tenant's deliveries never wait on another tenant's endpoints.
	PerTenant int
	// DisableAfter consecutive failed attempts disables a subscription
	// (default 15: five invocations of three attempts).
	DisableAfter int
	// Log receives the WebhookDeliveries metrics and a line per
	// subscription disabled (nil: none).
	Log *slog.Logger
}

// Fields of the sync consumer's line: attempts delivered and failed, and
// subscriptions disabled, in this invocation.
const (
	FieldDelivered = "webhook_attempts_delivered"
	FieldFailed    = "webhook_attempts_failed"
	FieldDisabled  = "webhooks_disabled"
)

// tally counts one invocation's attempts.
type tally struct{ delivered, failed atomic.Int64 }

// Deliverer delivers events to webhook subscriptions.
type Deliverer struct{ cfg Config }

// New returns a Deliverer.
func New(cfg Config) *Deliverer {
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 200 * time.Millisecond
	}
	if cfg.DisableAfter <= 0 {
		cfg.DisableAfter = 15
	}
	if cfg.Client == nil {
		cfg.Client = Client(10*time.Second, false)
	}
	if cfg.SigningClock == nil {
		cfg.SigningClock = time.Now
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 10 * time.Second
	}
	if cfg.Reserve <= 0 {
		cfg.Reserve = 2 * time.Second
	}
	if cfg.MinAttempt <= 0 {
		cfg.MinAttempt = time.Second
	}
	if cfg.PerTenant <= 0 {
		cfg.PerTenant = 4
	}
	if cfg.Log == nil {
		cfg.Log = telemetry.Discard()
	}
	return &Deliverer{cfg: cfg}
}

// Body is what a subscriber receives: the Standard Webhooks payload shape.
type Body struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// Handle delivers one event. Each tenant it concerns is served
// concurrently, and each tenant's subscriptions concurrently up to
// PerTenant, so an endpoint that hangs delays only its own tenant's other
// deliveries, never another tenant's. Subscriptions that already received
// the event are skipped, so the bus may redeliver; an error (some
// subscription still failing, or no time left to try it) makes the bus
// retry later with its own backoff.
func (d *Deliverer) Handle(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
	var meta events.Meta
	if err := json.Unmarshal(ev.Detail, &meta); err != nil || meta.EventID == "" {
		return fmt.Errorf("sync %s %s: detail is not an event payload", ev.DetailType, ev.ID)
	}
	body, err := json.Marshal(Body{Type: ev.DetailType, Timestamp: meta.OccurredAt, Data: ev.Detail})
	if err != nil {
		return err
	}
	var (
		mu     sync.Mutex
		failed []string
		errs   []error
		wg     sync.WaitGroup
	)
	report := func(sub string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if sub != "" {
			failed = append(failed, sub)
		} else {
			errs = append(errs, err)
		}
	}
	seen := map[string]bool{}
	var n tally
	for _, tenant := range meta.Tenants {
		if seen[tenant] {
			continue
		}
		seen[tenant] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.deliverTenant(ctx, tenant, meta.EventID, ev.DetailType, body, report, &n)
		}()
	}
	wg.Wait()
	now := time.Now()
	for outcome, c := range map[string]int64{metric.OutcomeDelivered: n.delivered.Load(), metric.OutcomeFailed: n.failed.Load()} {
		if c > 0 {
			telemetry.Emit(ctx, d.cfg.Log, now, []telemetry.Dim{{Name: metric.DimOutcome, Value: outcome}},
				telemetry.Point{Name: metric.WebhookDeliveries, Unit: metric.UnitCount, Value: float64(c)})
		}
	}
	if len(failed) > 0 {
		slices.Sort(failed)
		errs = append(errs, fmt.Errorf("%d subscriptions still failing: %s", len(failed), strings.Join(failed, ", ")))
	}
	if len(errs) > 0 {
		return fmt.Errorf("sync %s: %w", meta.EventID, errors.Join(errs...))
	}
	return nil
}

// deliverTenant delivers the event to one tenant's subscriptions, at most
// PerTenant at a time, and reports each failing subscription (or store
// error).
func (d *Deliverer) deliverTenant(ctx context.Context, tenant, eventID, eventType string, body []byte, report func(sub string, err error), n *tally) {
	subs, err := d.cfg.Store.ListWebhooks(ctx, tenant)
	if err != nil {
		report("", err)
		return
	}
	slots := make(chan struct{}, d.cfg.PerTenant)
	var wg sync.WaitGroup
	for _, sub := range subs {
		if !sub.Wants(eventType) {
			continue
		}
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			done, err := d.cfg.Store.Delivered(ctx, sub.ID, eventID)
			switch {
			case err != nil:
				report("", err)
			case done:
			default:
				if err := d.deliver(ctx, sub, eventID, eventType, body, n); err != nil {
					report(sub.ID, err)
				}
			}
		}()
	}
	wg.Wait()
}

// errNoTime: the invocation's deadline leaves no room for another attempt.
var errNoTime = errors.New("no time left in this invocation for another attempt; the bus retries the event")

// attemptBudget answers how long the next attempt may take, after waiting
// wait first: AttemptTimeout, shortened to end Reserve before the
// invocation's deadline; false when less than MinAttempt would be left.
func (d *Deliverer) attemptBudget(ctx context.Context, wait time.Duration) (time.Duration, bool) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return d.cfg.AttemptTimeout, true
	}
	left := time.Until(deadline) - d.cfg.Reserve - wait
	if left < d.cfg.MinAttempt {
		return 0, false
	}
	return min(d.cfg.AttemptTimeout, left), true
}

func (d *Deliverer) deliver(ctx context.Context, sub tenancy.Webhook, eventID, eventType string, body []byte, n *tally) error {
	wait := d.cfg.Backoff
	var lastErr error
	for attempt := 1; attempt <= d.cfg.Attempts; attempt++ {
		pause := time.Duration(0)
		if attempt > 1 {
			pause = wait
			wait *= 2
		}
		budget, ok := d.attemptBudget(ctx, pause)
		if !ok {
			if lastErr == nil {
				return errNoTime
			}
			return fmt.Errorf("%w (last attempt: %w)", errNoTime, lastErr)
		}
		if pause > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pause):
			}
		}
		rec := tenancy.WebhookDelivery{WebhookID: sub.ID, EventID: eventID, EventType: eventType, Attempt: attempt, At: d.cfg.Now()}
		start := time.Now()
		actx, cancel := context.WithTimeout(ctx, budget)
		code, err := d.post(actx, sub, eventID, body)
		cancel()
		rec.Duration, rec.StatusCode = time.Since(start), code
		if err == nil {
			rec.Delivered = true
			n.delivered.Add(1)
			telemetry.Add(ctx, FieldDelivered, 1)
		} else {
			rec.Error, lastErr = err.Error(), err
			n.failed.Add(1)
			telemetry.Add(ctx, FieldFailed, 1)
		}
		if rerr := d.cfg.Store.RecordDelivery(ctx, rec); rerr != nil {
			return rerr
		}
		sub = d.note(ctx, sub, rec)
		if err == nil {
			return nil
		}
		if sub.Status != tenancy.WebhookActive {
			break // disabled by this very failure: no more attempts
		}
	}
	return lastErr
}

func (d *Deliverer) post(ctx context.Context, sub tenancy.Webhook, eventID string, body []byte) (int, error) {
	ts := d.cfg.SigningClock().Unix()
	sig, err := Sign(sub.Secret, eventID, ts, body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Switchboard-Webhooks/1")
	req.Header.Set("webhook-id", eventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", sig)
	res, err := d.cfg.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("the endpoint answered %d", res.StatusCode)
	}
	return res.StatusCode, nil
}

// note keeps the subscription's failure count and disables it after
// DisableAfter consecutive failures, answering the subscription as stored. A
// concurrent delivery's update (a version conflict) is read back and the
// count applied on top of it; a store error skips the update, the attempt
// itself being recorded either way.
func (d *Deliverer) note(ctx context.Context, sub tenancy.Webhook, rec tenancy.WebhookDelivery) tenancy.Webhook {
	for try := 0; try < 3; try++ {
		next, msgs := d.apply(sub, rec)
		stored, err := d.cfg.Store.UpdateWebhook(ctx, next, msgs)
		if err == nil {
			if d.cfg.Publisher != nil && len(msgs) > 0 {
				d.cfg.Publisher.Publish(ctx, msgs)
			}
			if len(msgs) > 0 { // this attempt disabled the subscription
				telemetry.Add(ctx, FieldDisabled, 1)
				d.cfg.Log.WarnContext(ctx, "webhook subscription disabled", "tenant", stored.TenantID, "webhook_id", stored.ID,
					"failures", stored.ConsecutiveFailures)
			}
			return stored
		}
		if !errors.Is(err, tenancy.ErrConflict) {
			return sub
		}
		fresh, ok := d.reload(ctx, sub)
		if !ok {
			return sub
		}
		sub = fresh
	}
	return sub
}

func (d *Deliverer) reload(ctx context.Context, sub tenancy.Webhook) (tenancy.Webhook, bool) {
	subs, err := d.cfg.Store.ListWebhooks(ctx, sub.TenantID)
	if err != nil {
		return sub, false
	}
	for _, w := range subs {
		if w.ID == sub.ID {
			return w, true
		}
	}
	return sub, false
}

// apply answers the subscription after one attempt, with a WebhookDisabled
// event when this failure is the one that disables it.
func (d *Deliverer) apply(sub tenancy.Webhook, rec tenancy.WebhookDelivery) (tenancy.Webhook, []events.Message) {
	next := sub
	next.LastDeliveryAt = &rec.At
	var msgs []events.Message
	if rec.Delivered {
		next.ConsecutiveFailures, next.LastError = 0, ""
	} else {
		next.ConsecutiveFailures, next.LastError = sub.ConsecutiveFailures+1, rec.Error
		if next.ConsecutiveFailures >= d.cfg.DisableAfter && sub.Status == tenancy.WebhookActive {
			next.Status, next.DisabledAt = tenancy.WebhookDisabled, &rec.At
			m, err := events.Encode(events.WebhookDisabled{
				Meta: events.Meta{SchemaVersion: events.SchemaVersion, EventID: d.cfg.NewID(), OccurredAt: rec.At,
					Actor: events.Actor{User: "switchboard", Tenant: d.cfg.Operator}, Tenants: []string{sub.TenantID}},
				SubscriptionID: sub.ID, URL: sub.URL, Failures: next.ConsecutiveFailures, LastError: rec.Error})
			if err == nil {
				msgs = []events.Message{m}
			}
		}
	}
	return next, msgs
}

// Sign computes the Standard Webhooks signature header value,
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>", keyed with the secret's
// bytes (the base64 after "whsec_").
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return "", fmt.Errorf("webhook secret is not base64: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.", id, timestamp)
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}
