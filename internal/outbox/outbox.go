// Package outbox sends the events that state changes committed to the outbox
// on to EventBridge, and removes them from the outbox once EventBridge has
// them. Whatever it cannot send stays there for the next attempt.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/metric"
	"github.com/switchboard/switchboard/internal/telemetry"
)

// API is the part of the EventBridge client the publisher calls.
type API interface {
	PutEvents(context.Context, *eventbridge.PutEventsInput, ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Store is the outbox's storage.
type Store interface {
	PendingEvents(ctx context.Context, before time.Time, limit int) ([]events.Message, error)
	DeleteEvents(ctx context.Context, ids []string) error
	// DeadLetterEvents takes events that can never be sent out of the
	// pending ones, keeping them (and why) where an operator lists them.
	DeadLetterEvents(ctx context.Context, dead []Dead) error
}

// Dead is an event EventBridge will never take, and why.
type Dead struct {
	ID     string
	Code   string
	Reason string
}

// Result says what a Send did: events sent (and removed from the outbox),
// and events dead-lettered because no retry could ever send them.
type Result struct {
	Sent int `json:"sent"`
	Dead int `json:"deadLettered"`
	// Left and Oldest (Republish only): the events it loaded and could not
	// send, kept for the next run, and when the oldest of them occurred.
	Left   int       `json:"left,omitempty"`
	Oldest time.Time `json:"-"`
}

// maxEntries is PutEvents' limit per call.
const maxEntries = 10

// Publisher publishes outbox events.
type Publisher struct {
	api      API
	bus      string
	store    Store
	log      *slog.Logger
	attempts int
	backoff  time.Duration
}

// New returns a publisher to bus; it retries failed entries attempts times
// with a doubling backoff from 50 ms.
func New(api API, bus string, store Store, log *slog.Logger) *Publisher {
	return &Publisher{api: api, bus: bus, store: store, log: log, attempts: 3, backoff: 50 * time.Millisecond}
}

// Publish sends msgs and removes the sent ones from the outbox. Errors are
// logged and the rest stay in the outbox for the cleanup sweep.
func (p *Publisher) Publish(ctx context.Context, msgs []events.Message) {
	if _, err := p.Send(ctx, msgs); err != nil {
		p.log.Warn("events left in the outbox for the cleanup sweep", "error", err.Error(), "events", len(msgs))
	}
}

// Send publishes msgs in calls of at most ten entries and 256 KB. An entry
// EventBridge refuses for a passing cause (throttling, an internal failure)
// is sent again with backoff and, failing that, stays in the outbox (the
// error says so). An entry it refuses for what it is (too large, malformed,
// invalid) can never be sent: it is dead-lettered at once — kept, logged at
// error level, listed with cmd/outbox — and never holds back the others.
// Sent events are deleted from the outbox.
func (p *Publisher) Send(ctx context.Context, msgs []events.Message) (Result, error) {
	res, _, err := p.send(ctx, msgs)
	return res, err
}

// send is Send, answering also the ids of the events sent or dead-lettered.
func (p *Publisher) send(ctx context.Context, msgs []events.Message) (Result, map[string]bool, error) {
	var res Result
	done := map[string]bool{}
	var firstErr error
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	batches, oversize := batches(msgs)
	var dead []Dead
	for _, m := range oversize {
		dead = append(dead, Dead{ID: m.ID, Code: "EntryTooLarge", Reason: fmt.Sprintf("%d bytes, past EventBridge's %d", events.EntrySize(m), events.MaxEntryBytes)})
	}
	for _, batch := range batches {
		ok, poison, err := p.sendBatch(ctx, batch)
		if len(ok) > 0 {
			if derr := p.store.DeleteEvents(ctx, ok); derr != nil {
				keep(fmt.Errorf("remove sent events from the outbox: %w", derr))
			}
			res.Sent += len(ok)
			for _, id := range ok {
				done[id] = true
			}
		}
		dead = append(dead, poison...)
		keep(err)
	}
	if len(dead) > 0 {
		if err := p.store.DeadLetterEvents(ctx, dead); err != nil {
			keep(fmt.Errorf("dead-letter events: %w", err))
		} else {
			res.Dead += len(dead)
			for _, d := range dead {
				done[d.ID] = true
				p.log.ErrorContext(ctx, DeadLetteredMessage, "eventId", d.ID, "code", d.Code, "reason", d.Reason)
			}
			telemetry.Emit(ctx, p.log, time.Now(), nil, telemetry.Point{Name: metric.OutboxDeadLettered, Unit: metric.UnitCount, Value: float64(len(dead))})
		}
	}
	return res, done, firstErr
}

// DeadLetteredMessage is the log message of a dead-lettered event; the
// metric.OutboxDeadLettered line beside it is what the stack alarms on.
const DeadLetteredMessage = events.DeadLetteredLog

// batches groups msgs into PutEvents calls of at most maxEntries entries and
// events.MaxEntryBytes in all, in order; an entry over the limit alone is
// answered apart.
func batches(msgs []events.Message) (out [][]events.Message, oversize []events.Message) {
	var cur []events.Message
	size := 0
	for _, m := range msgs {
		n := events.EntrySize(m)
		if n > events.MaxEntryBytes {
			oversize = append(oversize, m)
			continue
		}
		if len(cur) == maxEntries || size+n > events.MaxEntryBytes {
			out, cur, size = append(out, cur), nil, 0
		}
		cur, size = append(cur, m), size+n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out, oversize
}

// permanent says whether EventBridge refused an entry (or a call of one
// entry) for what it is: no retry would ever send it.
func permanent(code string) bool {
	switch code {
	case "MalformedDetail", "InvalidArgument", "ValidationException", "InvalidEventPatternException":
		return true
	}
	return false
}

func (p *Publisher) sendBatch(ctx context.Context, batch []events.Message) (sent []string, dead []Dead, _ error) {
	pending := batch
	wait := p.backoff
	var lastErr error
	for attempt := 1; attempt <= p.attempts && len(pending) > 0; attempt++ {
		if attempt > 1 {
			select {
			case <-ctx.Done():
				return sent, dead, ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		}
		entries := make([]ebtypes.PutEventsRequestEntry, len(pending))
		for i, m := range pending {
			entries[i] = ebtypes.PutEventsRequestEntry{Source: aws.String(events.Source), DetailType: aws.String(string(m.Type)),
				Detail: aws.String(string(m.Detail)), EventBusName: aws.String(p.bus), Time: aws.Time(m.Time)}
		}
		out, err := p.api.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err != nil {
			var api smithy.APIError
			if errors.As(err, &api) && permanent(api.ErrorCode()) {
				// The call as a whole was refused for what it holds: one
				// entry at a time tells the poisoned one from the rest.
				if len(pending) == 1 {
					return sent, append(dead, Dead{ID: pending[0].ID, Code: api.ErrorCode(), Reason: api.ErrorMessage()}), nil
				}
				var firstErr error
				for _, m := range pending {
					ok, bad, err := p.sendBatch(ctx, []events.Message{m})
					sent, dead = append(sent, ok...), append(dead, bad...)
					if err != nil && firstErr == nil {
						firstErr = err
					}
				}
				return sent, dead, firstErr
			}
			lastErr = fmt.Errorf("put events: %w", err)
			continue
		}
		var retry []events.Message
		for i, e := range out.Entries {
			if i >= len(pending) {
				break
			}
			switch {
			case e.ErrorCode == nil:
				sent = append(sent, pending[i].ID)
			case permanent(aws.ToString(e.ErrorCode)):
				dead = append(dead, Dead{ID: pending[i].ID, Code: aws.ToString(e.ErrorCode), Reason: aws.ToString(e.ErrorMessage)})
			default:
				retry = append(retry, pending[i])
				lastErr = fmt.Errorf("put events: entry %s refused: %s %s", pending[i].ID, aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage))
			}
		}
		if len(out.Entries) < len(pending) {
			retry = append(retry, pending[len(out.Entries):]...)
		}
		pending = retry
	}
	if len(pending) > 0 {
		return sent, dead, lastErr
	}
	return sent, dead, nil
}

// Republish sends what is still in the outbox from before `before` (events
// whose first publication failed or was cut short), at most limit of them,
// and answers how many of those it loaded are left, and the oldest's time.
func (p *Publisher) Republish(ctx context.Context, before time.Time, limit int) (Result, error) {
	msgs, err := p.store.PendingEvents(ctx, before, limit)
	if err != nil {
		return Result{}, err
	}
	res, done, err := p.send(ctx, msgs)
	for _, m := range msgs {
		if done[m.ID] {
			continue
		}
		res.Left++
		if res.Oldest.IsZero() || m.Time.Before(res.Oldest) {
			res.Oldest = m.Time
		}
	}
	return res, err
}
