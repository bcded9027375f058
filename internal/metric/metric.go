// Package metric names Switchboard's own CloudWatch metrics, as data: the
// functions emit them as Embedded Metric Format lines (internal/telemetry)
// and the CDK stack alarms on and graphs the same names, without linking
// the code that emits them.
package metric

// Namespace holds every metric below.
const Namespace = "Switchboard"

// The metrics. Each is emitted under its dimensions and also without any
// (the total), so an alarm or a graph needs no dimension to find it.
const (
	// CheckAccessDecisions counts check-access decisions, by Reason
	// (allowed, out-of-scope, no-relationship, …); a batch counts each
	// check. Emitted by check-access.
	CheckAccessDecisions = "CheckAccessDecisions"
	// Switches counts token exchanges decided, by Reason (allowed or the
	// reason refused); Activations counts the eligible assignments they
	// activated. Emitted by switch.
	Switches    = "Switches"
	Activations = "Activations"
	// OutboxBacklog counts the outbox events older than the relay's grace
	// that are still unsent after its run (at most its limit), and
	// OutboxOldestAge is the age in seconds of the oldest of them (0 when
	// none is left). Emitted by cleanup, which relays the outbox.
	OutboxBacklog   = "OutboxBacklog"
	OutboxOldestAge = "OutboxOldestAgeSeconds"
	// WebhookDeliveries counts delivery attempts, by Outcome. Emitted by
	// sync.
	WebhookDeliveries = "WebhookDeliveries"
	// OutboxDeadLettered counts events EventBridge will never take, kept in
	// the outbox's dead letters (cmd/outbox lists them). Emitted by every
	// function that publishes.
	OutboxDeadLettered = "OutboxDeadLettered"
)

// Dimensions.
const (
	DimReason  = "Reason"
	DimOutcome = "Outcome"
)

// Outcomes of a webhook delivery attempt.
const (
	OutcomeDelivered = "delivered"
	OutcomeFailed    = "failed"
)

// Units, as CloudWatch names them.
const (
	UnitCount   = "Count"
	UnitSeconds = "Seconds"
)

// Message is the msg of every metrics line, so a Logs Insights query can
// leave them out (filter msg != "metrics").
const Message = "metrics"
