// Package audit is the audit consumer: every event on the bus becomes an
// immutable record in the audit log of each tenant it concerns and of the
// actor's tenant, so a customer always reads what a partner did in it.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/telemetry"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Store keeps audit records; a record already kept for (tenant, event) is
// not written again.
type Store interface {
	PutAuditRecord(ctx context.Context, r tenancy.AuditRecord) (bool, error)
}

// DefaultRetention is how long records live before DynamoDB's TTL removes them.
const DefaultRetention = 400 * 24 * time.Hour

// Consumer writes audit records.
type Consumer struct {
	store     Store
	retention time.Duration
	log       *slog.Logger
}

// New returns a consumer keeping records for retention, writing a line per
// event to log.
func New(store Store, retention time.Duration, log *slog.Logger) *Consumer {
	return &Consumer{store: store, retention: retention, log: log}
}

// FieldRecords counts the audit records an event added.
const FieldRecords = "records_written"

// Handle records one event and writes its one line: the event, the API
// request that caused it, how many records were new. Delivery is at least
// once: a redelivered event finds its records and writes nothing new. An
// error makes the bus retry.
func (c *Consumer) Handle(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
	start := time.Now()
	ctx, rec := telemetry.Begin(ctx)
	err := c.handle(ctx, ev)
	telemetry.Finish(ctx, c.log, telemetry.LogEvent, start, err, rec, slog.String(telemetry.FieldConsumer, events.ConsumerAudit),
		slog.String(telemetry.FieldEventType, ev.DetailType), slog.String(telemetry.FieldBusEventID, ev.ID))
	return err
}

func (c *Consumer) handle(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
	var meta events.Meta
	if err := json.Unmarshal(ev.Detail, &meta); err != nil {
		return fmt.Errorf("audit %s %s: detail is not an event payload: %w", ev.DetailType, ev.ID, err)
	}
	if meta.EventID == "" || meta.OccurredAt.IsZero() {
		return fmt.Errorf("audit %s %s: detail carries no eventId or occurredAt", ev.DetailType, ev.ID)
	}
	telemetry.Set(ctx, telemetry.FieldEventID, meta.EventID)
	telemetry.Set(ctx, telemetry.FieldAPIRequest, meta.RequestID)
	outcome := "succeeded"
	if ev.DetailType == string(events.DetailTypeAccessDenied) {
		outcome = "denied"
	}
	seen := map[string]bool{}
	for _, t := range append(append([]string{}, meta.Tenants...), meta.Actor.Tenant) {
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		rec := tenancy.AuditRecord{ID: meta.EventID, TenantID: t, Type: ev.DetailType, OccurredAt: meta.OccurredAt,
			Actor: tenancy.Actor{User: meta.Actor.User, Tenant: meta.Actor.Tenant}, Tenants: meta.Tenants,
			RelationshipID: meta.RelationshipID, RequestID: meta.RequestID, Outcome: outcome, Detail: ev.Detail,
			ExpiresAt: meta.OccurredAt.Add(c.retention)}
		written, err := c.store.PutAuditRecord(ctx, rec)
		if err != nil {
			return fmt.Errorf("audit %s for %s: %w", meta.EventID, t, err)
		}
		if written {
			telemetry.Add(ctx, FieldRecords, 1)
		}
	}
	return nil
}
