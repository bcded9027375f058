// Package projection is the sync consumer: it carries relationship and
// assignment events to downstream systems (webhooks) and keeps the
// projections events imply — completing organisation joins and setting up
// the cross-tenant access a join creates.
package projection

import (
	"context"
	"encoding/json"
	"fmt"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/events"
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
}

// New returns a consumer.
func New(orgs Organizations, out Downstream) *Consumer { return &Consumer{orgs: orgs, out: out} }

// Handle projects, then delivers. Both steps are idempotent, so an error
// (which makes the bus retry) repeats nothing that already happened.
func (c *Consumer) Handle(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
	var err error
	switch events.DetailType(ev.DetailType) {
	case events.DetailTypeOrganizationJoinRequested:
		var p events.OrganizationJoinRequested
		if err = json.Unmarshal(ev.Detail, &p); err == nil {
			err = c.orgs.CompleteJoin(ctx, p)
		}
	case events.DetailTypeOrganizationJoined:
		var p events.OrganizationJoined
		if err = json.Unmarshal(ev.Detail, &p); err == nil {
			err = c.orgs.ConfigureCrossTenantAccess(ctx, p)
		}
	case events.DetailTypeRelationshipTerminated, events.DetailTypeRelationshipExpired:
		// The request that ended it removed what its budget allowed; the
		// rest goes here, at once, rather than at the next sweep.
		var m events.Meta
		if err = json.Unmarshal(ev.Detail, &m); err == nil && m.RelationshipID != "" {
			err = c.orgs.FinishOffboarding(ctx, m.RelationshipID)
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
