package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard/switchboard/internal/registry"
)

// FunctionsConfig wires the functions.
type FunctionsConfig struct {
	Prod     bool
	Env      map[string]*string
	AssetDir func(registry.Function) (string, error)
	Table    *Table
	Bus      *Bus
	Keys     *SigningKey
	// LogLevel is Lambda's application log level for every function, the
	// one Env's LOG_LEVEL names.
	LogLevel awslambda.ApplicationLogLevel
}

// Functions are the Lambdas of the registry, each with exactly its grants.
type Functions struct {
	constructs.Construct
	ByName map[string]awslambda.Function
	// Logs are the functions' log groups, by function name.
	Logs map[string]awslogs.LogGroup
}

// NewFunctions creates one Lambda per registry entry: provided.al2023 on
// arm64, tracing on, a log group with retention, the environment it needs, and
// least-privilege grants (exactly the DynamoDB actions the registry derives
// for it, PutEvents only for functions that publish, KMS signing only for
// the switch), JSON logs at the stack's level.
func NewFunctions(scope constructs.Construct, id string, cfg FunctionsConfig) (*Functions, error) {
	c := constructs.NewConstruct(scope, jsii.String(id))
	f := &Functions{Construct: c, ByName: map[string]awslambda.Function{}, Logs: map[string]awslogs.LogGroup{}}
	retention := awslogs.RetentionDays_TWO_WEEKS
	if cfg.Prod {
		retention = awslogs.RetentionDays_THREE_MONTHS
	}
	for _, rf := range registry.Functions {
		dir, err := cfg.AssetDir(rf)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", rf.Name, err)
		}
		logs := awslogs.NewLogGroup(c, jsii.String(rf.Name+"Logs"), &awslogs.LogGroupProps{
			Retention: retention, RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		})
		f.Logs[rf.Name] = logs
		env := map[string]*string{}
		for _, k := range rf.Env() {
			env[k] = cfg.Env[k]
		}
		fn := awslambda.NewFunction(c, jsii.String(rf.Name), &awslambda.FunctionProps{
			Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
			Architecture: awslambda.Architecture_ARM_64(),
			Handler:      jsii.String("bootstrap"),
			Code:         awslambda.Code_FromAsset(jsii.String(dir), nil),
			MemorySize:   jsii.Number(float64(rf.MemoryMB)),
			Timeout:      awscdk.Duration_Seconds(jsii.Number(rf.Timeout.Seconds())),
			Tracing:      awslambda.Tracing_ACTIVE,
			LogGroup:     logs,
			// JSON lines, which Lambda filters by their level and CloudWatch
			// Logs reads metrics from (EMF); Lambda's own lines as JSON too.
			LoggingFormat:         awslambda.LoggingFormat_JSON,
			ApplicationLogLevelV2: cfg.LogLevel,
			SystemLogLevelV2:      awslambda.SystemLogLevel_INFO,
			Environment:           &env,
			Description:           jsii.String("Switchboard " + rf.Name),
		})
		fn.AddToRolePolicy(cfg.Table.Statement(rf.TableActions()))
		suppress(fn,
			suppression{rule: "AwsSolutions-IAM4", appliesTo: []string{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
				reason: "AWSLambdaBasicExecutionRole allows only CloudWatch Logs writes (CreateLogGroup, CreateLogStream, PutLogEvents), which every Lambda needs"},
			suppression{rule: "AwsSolutions-IAM5", appliesTo: []string{"Resource::*"},
				reason: "X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions"})
		if rf.Publishes {
			cfg.Bus.Bus.GrantPutEventsTo(fn, nil)
		}
		if rf.Signs {
			cfg.Keys.Key.Grant(fn, jsii.String("kms:Sign"), jsii.String("kms:GetPublicKey"))
		}
		f.ByName[rf.Name] = fn
	}
	return f, nil
}
