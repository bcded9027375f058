// Package outbox sends the events that state changes committed to the outbox
// on to EventBridge, and removes them from the outbox once EventBridge has
// them. Whatever it cannot send stays there for the next attempt.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/switchboard/switchboard/events"
)

// API is the part of the EventBridge client the publisher calls.
type API interface {
	PutEvents(context.Context, *eventbridge.PutEventsInput, ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Store is the outbox's storage.
type Store interface {
	PendingEvents(ctx context.Context, before time.Time, limit int) ([]events.Message, error)
	DeleteEvents(ctx context.Context, ids []string) error
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

// Publish sends msgs and removes the sent ones from the outbox. It reports
// how many were sent; errors are logged and the rest stay in the outbox.
func (p *Publisher) Publish(ctx context.Context, msgs []events.Message) {
	if _, err := p.Send(ctx, msgs); err != nil {
		p.log.Warn("events left in the outbox for the cleanup sweep", "error", err.Error(), "events", len(msgs))
	}
}

// Send publishes msgs in calls of at most ten entries. An entry EventBridge
// refuses (FailedEntryCount > 0) is a partial failure: it alone is sent again,
// with backoff. Sent events are deleted from the outbox.
func (p *Publisher) Send(ctx context.Context, msgs []events.Message) (int, error) {
	sent := 0
	var firstErr error
	for start := 0; start < len(msgs); start += maxEntries {
		batch := msgs[start:min(start+maxEntries, len(msgs))]
		ok, err := p.sendBatch(ctx, batch)
		if len(ok) > 0 {
			if derr := p.store.DeleteEvents(ctx, ok); derr != nil && firstErr == nil {
				firstErr = fmt.Errorf("remove sent events from the outbox: %w", derr)
			}
			sent += len(ok)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return sent, firstErr
}

func (p *Publisher) sendBatch(ctx context.Context, batch []events.Message) ([]string, error) {
	var sent []string
	pending := batch
	wait := p.backoff
	var lastErr error
	for attempt := 1; attempt <= p.attempts && len(pending) > 0; attempt++ {
		if attempt > 1 {
			select {
			case <-ctx.Done():
				return sent, ctx.Err()
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
			lastErr = fmt.Errorf("put events: %w", err)
			continue
		}
		var retry []events.Message
		for i, e := range out.Entries {
			if i >= len(pending) {
				break
			}
			if e.ErrorCode != nil {
				retry = append(retry, pending[i])
				lastErr = fmt.Errorf("put events: entry %s refused: %s %s", pending[i].ID, aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage))
				continue
			}
			sent = append(sent, pending[i].ID)
		}
		if len(out.Entries) < len(pending) {
			retry = append(retry, pending[len(out.Entries):]...)
		}
		pending = retry
	}
	if len(pending) > 0 {
		return sent, lastErr
	}
	return sent, nil
}

// Republish sends what is still in the outbox from before `before` (events
// whose first publication failed or was cut short), at most limit of them.
func (p *Publisher) Republish(ctx context.Context, before time.Time, limit int) (int, error) {
	msgs, err := p.store.PendingEvents(ctx, before, limit)
	if err != nil {
		return 0, err
	}
	return p.Send(ctx, msgs)
}
