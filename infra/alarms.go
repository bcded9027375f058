package main

import (
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard/switchboard/internal/metric"
	"github.com/switchboard/switchboard/internal/registry"
)

// OutboxAgeAlarmSeconds: an outbox event still unsent this long after it
// occurred pages (the cleanup that relays the outbox retries it each run).
const OutboxAgeAlarmSeconds = 15 * 60

// Alarms are what an operator is paged for — anything in a dead-letter queue,
// an event dead-lettered in the outbox, an outbox event left unsent too
// long, function errors and throttles, API 5xx — sent to one topic, and a
// dashboard of the same and of the functions' own metrics (EMF lines,
// internal/metric).
type Alarms struct {
	constructs.Construct
	Topic     awssns.Topic
	Alarms    []awscloudwatch.Alarm
	Dashboard awscloudwatch.Dashboard
}

// NewAlarms creates them for a stack.
func NewAlarms(scope constructs.Construct, id string, s *SwitchboardStack) *Alarms {
	c := constructs.NewConstruct(scope, jsii.String(id))
	a := &Alarms{Construct: c}
	a.Topic = awssns.NewTopic(c, jsii.String("Topic"), &awssns.TopicProps{DisplayName: jsii.String("Switchboard alarms"), EnforceSSL: jsii.Bool(true)})
	action := awscloudwatchactions.NewSnsAction(a.Topic)
	five := awscdk.Duration_Minutes(jsii.Number(5))
	alarm := func(name, desc string, metric awscloudwatch.IMetric, threshold float64) {
		al := awscloudwatch.NewAlarm(c, jsii.String(name), &awscloudwatch.AlarmProps{
			AlarmDescription:   jsii.String(desc),
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		al.AddAlarmAction(action)
		a.Alarms = append(a.Alarms, al)
	}
	var dlqNames []string
	for name := range s.Bus.DLQs {
		dlqNames = append(dlqNames, name)
	}
	sort.Strings(dlqNames)
	var dlqMetrics []awscloudwatch.IMetric
	for _, name := range dlqNames {
		m := s.Bus.DLQs[name].MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: five, Statistic: jsii.String("Maximum")})
		alarm(name+"DLQ", "Events that "+name+" could not deliver wait in its dead-letter queue", m, 1)
		dlqMetrics = append(dlqMetrics, m)
	}
	var errs, throttles []awscloudwatch.IMetric
	for _, rf := range registry.Functions {
		fn := s.Functions.ByName[rf.Name]
		e := fn.MetricErrors(&awscloudwatch.MetricOptions{Period: five, Statistic: jsii.String("Sum")})
		t := fn.MetricThrottles(&awscloudwatch.MetricOptions{Period: five, Statistic: jsii.String("Sum")})
		alarm(rf.Name+"Errors", "The "+rf.Name+" function is failing", e, 1)
		alarm(rf.Name+"Throttles", "The "+rf.Name+" function is throttled", t, 1)
		errs, throttles = append(errs, e), append(throttles, t)
	}
	// The functions' own metrics, each in total (no dimension), as their
	// EMF lines define them.
	own := func(name, statistic string, dims map[string]*string) awscloudwatch.Metric {
		p := &awscloudwatch.MetricProps{Namespace: jsii.String(metric.Namespace), MetricName: jsii.String(name), Period: five, Statistic: jsii.String(statistic)}
		if dims != nil {
			p.DimensionsMap = &dims
		}
		return awscloudwatch.NewMetric(p)
	}
	// An event EventBridge will never take is dead-lettered in the outbox
	// (kept and listed, cmd/outbox); the publisher that did it emits one
	// metric line for it.
	deadLettered := own(metric.OutboxDeadLettered, "Sum", nil)
	alarm("OutboxDeadLettered", "An event EventBridge will never take was dead-lettered in the outbox: list it with cmd/outbox", deadLettered, 1)
	// Events the requests could not publish wait in the outbox for the
	// cleanup; one still there a quarter of an hour on means EventBridge is
	// refusing them or the cleanup is not running.
	oldest := own(metric.OutboxOldestAge, "Maximum", nil)
	alarm("OutboxOldestAge", "An outbox event has waited 15 minutes or more to reach EventBridge: see docs/deploy.md, On an incident", oldest, OutboxAgeAlarmSeconds)
	backlog := own(metric.OutboxBacklog, "Maximum", nil)
	decisions := own(metric.CheckAccessDecisions, "Sum", nil)
	allowed := own(metric.CheckAccessDecisions, "Sum", map[string]*string{metric.DimReason: jsii.String("allowed")})
	switches := own(metric.Switches, "Sum", nil)
	activations := own(metric.Activations, "Sum", nil)
	delivered := own(metric.WebhookDeliveries, "Sum", map[string]*string{metric.DimOutcome: jsii.String(metric.OutcomeDelivered)})
	failed := own(metric.WebhookDeliveries, "Sum", map[string]*string{metric.DimOutcome: jsii.String(metric.OutcomeFailed)})
	server := s.API.API.MetricServerError(&awscloudwatch.MetricOptions{Period: five, Statistic: jsii.String("Sum")})
	alarm("Api5xx", "The API answers 5xx", server, 5)

	a.Dashboard = awscloudwatch.NewDashboard(c, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{})
	a.Dashboard.AddWidgets(
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("API latency and 5xx"),
			Left:  &[]awscloudwatch.IMetric{s.API.API.MetricLatency(&awscloudwatch.MetricOptions{Period: five, Statistic: jsii.String("p99")})},
			Right: &[]awscloudwatch.IMetric{server}}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Function errors"), Left: &errs}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Function throttles"), Left: &throttles}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Dead-letter queues"), Left: &dlqMetrics,
			Right: &[]awscloudwatch.IMetric{deadLettered}}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Outbox: events left unsent, oldest age (s)"),
			Left: &[]awscloudwatch.IMetric{backlog}, Right: &[]awscloudwatch.IMetric{oldest}}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("check-access decisions (all, allowed)"),
			Left: &[]awscloudwatch.IMetric{decisions, allowed}}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Switches and activations"),
			Left: &[]awscloudwatch.IMetric{switches, activations}}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Webhook attempts delivered, failed"),
			Left: &[]awscloudwatch.IMetric{delivered, failed}}),
	)
	return a
}
