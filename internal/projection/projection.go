// Package projection is the sync consumer: it carries relationship and
// assignment events to downstream systems (webhooks) and keeps the
// projections events imply — completing organisation joins and setting up
// the cross-tenant access a join creates.
package projection

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/telemetry"
)

// Organizations is what the projections need of the tenancy rules.
type Organizations interface {
	CompleteJoin(ctx context.Context, ev events.OrganizationJoinRequested) error
	ConfigureCrossTenantAccess(ctx context.Context, ev events.OrganizationJoined) error
	// FinishOffboarding removes what an ended relationship's offboarding
	// left of its assignments.
	FinishOffboarding(ctx context.Context, relationshipID string) error
	// FinishNarrowing brings a narrowed relationship's assignments inside
	// its ceiling and scope, as far as its request left them.
	FinishNarrowing(ctx context.Context, relationshipID string) error
}

// Downstream delivers an event to subscribers.
type Downstream interface {
	Handle(ctx context.Context, ev lambdaevents.EventBridgeEvent) error
}

// Consumer is the sync consumer.
type Consumer struct {
	orgs Organizations
	out  Downstream
	log  *slog.Logger
}

// New returns a consumer writing a line per event to log.
func New(orgs Organizations, out Downstream, log *slog.Logger) *Consumer {
	return &Consumer{orgs: orgs, out: out, log: log}
}

// FieldProjected names the projection an event made, if any.
const FieldProjected = "projected"

// Handle projects, then delivers, and writes the event's one line (with
// the audit consumer's fields, and what the deliveries counted). Both steps
// are idempotent, so an error (which makes the bus retry) repeats nothing
// that already happened.
func (c *Consumer) Handle(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
	start := time.Now()
	ctx, rec := telemetry.Begin(ctx)
	var meta events.Meta
	if json.Unmarshal(ev.Detail, &meta) == nil {
		telemetry.Set(ctx, telemetry.FieldEventID, meta.EventID)
		telemetry.Set(ctx, telemetry.FieldAPIRequest, meta.RequestID)
	}
	err := c.handle(ctx, ev)
	telemetry.Finish(ctx, c.log, telemetry.LogEvent, start, err, rec, slog.String(telemetry.FieldConsumer, events.ConsumerSync),
		slog.String(telemetry.FieldEventType, ev.DetailType), slog.String(telemetry.FieldBusEventID, ev.ID))
	return err
}

func (c *Consumer) handle(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
	var err error
	switch events.DetailType(ev.DetailType) {
	case events.DetailTypeOrganizationJoinRequested:
		var p events.OrganizationJoinRequested
		if err = json.Unmarshal(ev.Detail, &p); err == nil {
			err = c.orgs.CompleteJoin(ctx, p)
		}
		telemetry.Set(ctx, FieldProjected, "join-completed")
	case events.DetailTypeOrganizationJoined:
		var p events.OrganizationJoined
		if err = json.Unmarshal(ev.Detail, &p); err == nil {
			err = c.orgs.ConfigureCrossTenantAccess(ctx, p)
		}
		telemetry.Set(ctx, FieldProjected, "cross-tenant-access")
	case events.DetailTypeRelationshipTerminated, events.DetailTypeRelationshipExpired:
		// The request that ended it removed what its budget allowed; the
		// rest goes here, at once, rather than at the next sweep.
		var m events.Meta
		if err = json.Unmarshal(ev.Detail, &m); err == nil && m.RelationshipID != "" {
			err = c.orgs.FinishOffboarding(ctx, m.RelationshipID)
			telemetry.Set(ctx, FieldProjected, "offboarding-finished")
		}
	case events.DetailTypeRelationshipNarrowed:
		var m events.Meta
		if err = json.Unmarshal(ev.Detail, &m); err == nil && m.RelationshipID != "" {
			err = c.orgs.FinishNarrowing(ctx, m.RelationshipID)
		}
	}
	if err != nil {
		return fmt.Errorf("project %s %s: %w", ev.DetailType, ev.ID, err)
	}
	return c.out.Handle(ctx, ev)
}
