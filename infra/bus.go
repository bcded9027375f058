package main

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/registry"
)

// Bus is the custom event bus with its archive, one rule per consumer from
// the catalogue and the cleanup schedule; every target has a retry policy and
// a dead-letter queue.
type Bus struct {
	constructs.Construct
	Bus      awsevents.EventBus
	Archive  awsevents.Archive
	Rules    map[string]awsevents.Rule
	DLQs     map[string]awssqs.Queue
	Schedule awsevents.Rule
}

// Retry policy of every target: EventBridge retries delivery for up to a day;
// the consumer Lambda retries a failing invocation twice more; what still
// fails lands in the consumer's dead-letter queue.
const (
	targetRetries = 185
	lambdaRetries = 2
)

// NewBus creates the bus and its archive (90 days, for replay).
func NewBus(scope constructs.Construct, id, stage string) *Bus {
	c := constructs.NewConstruct(scope, jsii.String(id))
	b := &Bus{Construct: c, Rules: map[string]awsevents.Rule{}, DLQs: map[string]awssqs.Queue{}}
	b.Bus = awsevents.NewEventBus(c, jsii.String("Bus"), &awsevents.EventBusProps{EventBusName: jsii.String("switchboard-" + stage)})
	b.Archive = b.Bus.Archive(jsii.String("Archive"), &awsevents.BaseArchiveProps{
		Description:  jsii.String("Every Switchboard event, for replay"),
		EventPattern: &awsevents.EventPattern{Source: jsii.Strings(events.Source)},
		Retention:    awscdk.Duration_Days(jsii.Number(90)),
	})
	// Without a key the CDK still writes KmsKeyIdentifier: "" (a known
	// defect), which some regions refuse: the archive is encrypted with an
	// AWS owned key when the property is absent, so remove it.
	b.Archive.Node().DefaultChild().(awsevents.CfnArchive).AddPropertyDeletionOverride(jsii.String("KmsKeyIdentifier"))
	return b
}

func (b *Bus) dlq(name string) awssqs.Queue {
	q := awssqs.NewQueue(b.Construct, jsii.String(name+"DLQ"), &awssqs.QueueProps{
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
	suppress(q, suppression{rule: "AwsSolutions-SQS3",
		reason: "This queue is itself a dead-letter queue: of an EventBridge target and of the consumer's asynchronous invocations (cdk-nag recognises only SQS redrive)"})
	b.DLQs[name] = q
	return q
}

// Route makes one rule per catalogue rule, with the catalogue's pattern as it
// is written, targeting the consumer function, and the cleanup schedule.
func (b *Bus) Route(fns *Functions, rateMinutes awscdk.CfnParameter) {
	for _, r := range events.Rules {
		fn := fns.consumer(r.Consumer)
		dlq := b.dlq(r.Name)
		var pattern map[string]any
		if err := json.Unmarshal([]byte(r.Pattern), &pattern); err != nil {
			panic(fmt.Sprintf("rule %s: pattern is not JSON: %v", r.Name, err))
		}
		rule := awsevents.NewRule(b.Construct, jsii.String(r.Name), &awsevents.RuleProps{
			EventBus:     b.Bus,
			Description:  jsii.String("Switchboard events to the " + r.Consumer + " consumer"),
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings(events.Source)},
		})
		// The catalogue's pattern, verbatim: the local bus matches the same.
		rule.Node().DefaultChild().(awsevents.CfnRule).AddPropertyOverride(jsii.String("EventPattern"), pattern)
		b.target(rule, fn, dlq)
		b.Rules[r.Name] = rule
	}
	for _, rf := range registry.Functions {
		if !rf.Scheduled {
			continue
		}
		dlq := b.dlq("schedule-" + rf.Name)
		b.Schedule = awsevents.NewRule(b.Construct, jsii.String("Schedule"), &awsevents.RuleProps{
			Description: jsii.String("Runs the Switchboard cleanup"),
			Schedule:    awsevents.Schedule_Expression(b.rate(rateMinutes)),
		})
		b.target(b.Schedule, fns.ByName[rf.Name], dlq)
	}
}

// rate is the schedule expression for a number of minutes given at deploy
// time: EventBridge wants the singular unit for one, rate(1 minute), and
// refuses rate(1 minutes).
func (b *Bus) rate(minutes awscdk.CfnParameter) *string {
	one := awscdk.NewCfnCondition(b.Construct, jsii.String("CleanupEveryMinute"), &awscdk.CfnConditionProps{
		Expression: awscdk.Fn_ConditionEquals(minutes.ValueAsString(), jsii.String("1")),
	})
	return awscdk.Token_AsString(awscdk.Fn_ConditionIf(one.LogicalId(), jsii.String("rate(1 minute)"),
		awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("rate("), minutes.ValueAsString(), jsii.String(" minutes)")})), nil)
}

func (b *Bus) target(rule awsevents.Rule, fn awslambda.Function, dlq awssqs.Queue) {
	rule.AddTarget(awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
		DeadLetterQueue: dlq,
		RetryAttempts:   jsii.Number(targetRetries),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(24)),
	}))
	fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		RetryAttempts: jsii.Number(lambdaRetries),
		MaxEventAge:   awscdk.Duration_Hours(jsii.Number(6)),
		OnFailure:     awslambdadestinations.NewSqsDestination(dlq),
	})
}

func (f *Functions) consumer(name string) awslambda.Function {
	for _, rf := range registry.Functions {
		if rf.Consumer == name {
			return f.ByName[rf.Name]
		}
	}
	panic("no function consumes " + name)
}
