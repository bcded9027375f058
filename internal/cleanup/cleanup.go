// Package cleanup is the scheduled consumer: it runs the tenancy sweep
// (expiries, auto-extensions, notices, unfinished offboardings) and re-sends
// outbox events whose first publication did not go through.
package cleanup

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/internal/metric"
	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/telemetry"
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
	log     *slog.Logger
}

// New returns a runner doing at most limit items of each kind per run,
// writing a line per run (its report) and the outbox's metrics to log.
func New(sweeper Sweeper, outbox Republisher, now func() time.Time, limit int, grace time.Duration, log *slog.Logger) *Runner {
	return &Runner{sweeper: sweeper, outbox: outbox, now: now, limit: limit, grace: grace, log: log}
}

// LogRun is the msg of a run's line.
const LogRun = "cleanup"

// Report says what a run changed.
type Report struct {
	tenancy.SweepReport
	EventsRepublished int
	// EventsDeadLettered could never be sent (EventBridge refuses them for
	// what they are): kept and listed apart, they hold back nothing.
	EventsDeadLettered int
	// OutboxLeft events older than the grace are still unsent after the
	// run (of those it loaded), the oldest of them OutboxOldestAge old.
	OutboxLeft      int
	OutboxOldestAge time.Duration
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
		OutboxLeft            int  `json:"outboxLeft"`
		OutboxOldestAge       int  `json:"outboxOldestAgeSeconds"`
	}{r.InvitationsExpired, r.RelationshipsExpired, r.RelationshipsExtended, r.NoticesSent, r.RelationshipsCleared,
		r.DenialWindowsClosed, r.RelationshipsPruned, r.ChangeRequestsExpired, r.More, r.EventsRepublished, r.EventsDeadLettered,
		r.OutboxLeft, int(r.OutboxOldestAge.Seconds())})
}

// Run does one cleanup and writes its one line: what it changed (the run
// is invoked asynchronously: its answer is never seen), and the outbox's
// backlog and oldest age as metrics.
func (r *Runner) Run(ctx context.Context) (Report, error) {
	start := time.Now()
	rep, err := r.run(ctx)
	telemetry.Finish(ctx, r.log, LogRun, start, err, nil,
		slog.Int("invitations_expired", rep.InvitationsExpired), slog.Int("relationships_expired", rep.RelationshipsExpired),
		slog.Int("relationships_extended", rep.RelationshipsExtended), slog.Int("notices_sent", rep.NoticesSent),
		slog.Int("relationships_cleared", rep.RelationshipsCleared), slog.Int("denial_windows_closed", rep.DenialWindowsClosed),
		slog.Int("relationships_pruned", rep.RelationshipsPruned), slog.Int("change_requests_expired", rep.ChangeRequestsExpired),
		slog.Bool("more", rep.More), slog.Int("events_republished", rep.EventsRepublished),
		slog.Int("events_dead_lettered", rep.EventsDeadLettered), slog.Int("outbox_left", rep.OutboxLeft),
		slog.Float64("outbox_oldest_age_s", rep.OutboxOldestAge.Seconds()))
	if err == nil {
		telemetry.Emit(ctx, r.log, time.Now(), nil,
			telemetry.Point{Name: metric.OutboxBacklog, Unit: metric.UnitCount, Value: float64(rep.OutboxLeft)},
			telemetry.Point{Name: metric.OutboxOldestAge, Unit: metric.UnitSeconds, Value: rep.OutboxOldestAge.Seconds()})
	}
	return rep, err
}

func (r *Runner) run(ctx context.Context) (Report, error) {
	sweep, err := r.sweeper.Sweep(ctx, r.limit)
	rep := Report{SweepReport: sweep}
	if err != nil {
		return rep, fmt.Errorf("sweep: %w", err)
	}
	res, err := r.outbox.Republish(ctx, r.now().Add(-r.grace), r.limit)
	rep.EventsRepublished, rep.EventsDeadLettered, rep.OutboxLeft = res.Sent, res.Dead, res.Left
	if res.Left > 0 {
		rep.OutboxOldestAge = max(r.now().Sub(res.Oldest), 0)
	}
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
