// Package cleanup is the scheduled consumer: it runs the tenancy sweep
// (expiries, auto-extensions, notices, unfinished offboardings) and re-sends
// outbox events whose first publication did not go through.
package cleanup

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Sweeper does the due tenancy work.
type Sweeper interface {
	Sweep(ctx context.Context, limit int) (tenancy.SweepReport, error)
}

// Republisher re-sends outbox events.
type Republisher interface {
	Republish(ctx context.Context, before time.Time, limit int) (outbox.Result, error)
}

// Defaults: work per run and how old an outbox event must be before the
// sweep takes it over from the request that wrote it.
const (
	DefaultLimit = 500
	DefaultGrace = 30 * time.Second
)

// Runner runs cleanups.
type Runner struct {
	sweeper Sweeper
	outbox  Republisher
	now     func() time.Time
	limit   int
	grace   time.Duration
}

// New returns a runner doing at most limit items of each kind per run.
func New(sweeper Sweeper, outbox Republisher, now func() time.Time, limit int, grace time.Duration) *Runner {
	return &Runner{sweeper: sweeper, outbox: outbox, now: now, limit: limit, grace: grace}
}

// Report says what a run changed.
type Report struct {
	tenancy.SweepReport
	EventsRepublished int
	// EventsDeadLettered could never be sent (EventBridge refuses them for
	// what they are): kept and listed apart, they hold back nothing.
	EventsDeadLettered int
}

// MarshalJSON writes the report as the Lambda answers it and POST
// /dev/cleanup shows it: every count by its camelCase name, in one object.
func (r Report) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		InvitationsExpired    int  `json:"invitationsExpired"`
		RelationshipsExpired  int  `json:"relationshipsExpired"`
		RelationshipsExtended int  `json:"relationshipsExtended"`
		NoticesSent           int  `json:"noticesSent"`
		RelationshipsCleared  int  `json:"relationshipsCleared"`
		DenialWindowsClosed   int  `json:"denialWindowsClosed"`
		RelationshipsPruned   int  `json:"relationshipsPruned"`
		ChangeRequestsExpired int  `json:"changeRequestsExpired"`
		More                  bool `json:"more"`
		EventsRepublished     int  `json:"eventsRepublished"`
		EventsDeadLettered    int  `json:"eventsDeadLettered"`
	}{r.InvitationsExpired, r.RelationshipsExpired, r.RelationshipsExtended, r.NoticesSent, r.RelationshipsCleared,
		r.DenialWindowsClosed, r.RelationshipsPruned, r.ChangeRequestsExpired, r.More, r.EventsRepublished, r.EventsDeadLettered})
}

// Run does one cleanup.
func (r *Runner) Run(ctx context.Context) (Report, error) {
	sweep, err := r.sweeper.Sweep(ctx, r.limit)
	rep := Report{SweepReport: sweep}
	if err != nil {
		return rep, fmt.Errorf("sweep: %w", err)
	}
	res, err := r.outbox.Republish(ctx, r.now().Add(-r.grace), r.limit)
	rep.EventsRepublished, rep.EventsDeadLettered = res.Sent, res.Dead
	if err != nil {
		return rep, fmt.Errorf("republish outbox: %w", err)
	}
	rep.More = rep.More || res.Sent+res.Dead == r.limit
	return rep, nil
}

// Handle is the Lambda handler for the scheduled rule's event.
func (r *Runner) Handle(ctx context.Context, _ lambdaevents.EventBridgeEvent) (Report, error) {
	return r.Run(ctx)
}
