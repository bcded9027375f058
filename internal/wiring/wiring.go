// Package wiring is a deployed function's environment: the variables the
// registry says it reads, the AWS configuration the Lambda runtime gives it,
// and the function.Deps made from them — the SDK clients built once, real
// time, ULIDs, JSON logs. Only the mains (functions/*) import it; each
// reads its environment once at init and fails there, not on the first
// request, when a variable is missing.
package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/switchboard/switchboard/internal/function"
	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/telemetry"
)

// Env is a function's environment.
type Env map[string]string

// Require answers the named variables, or an error naming every missing one.
func Require(names ...string) (Env, error) {
	env := make(Env, len(names))
	var missing []string
	for _, n := range names {
		v := os.Getenv(n)
		if v == "" {
			missing = append(missing, n)
		}
		env[n] = v
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing environment variables %v", missing)
	}
	return env, nil
}

// Load answers the environment the registry lists for the named function
// and the Lambda's AWS configuration, or an error naming what is missing.
func Load(name string) (Env, aws.Config, error) {
	fn, ok := registry.ByName(name)
	if !ok {
		return nil, aws.Config{}, fmt.Errorf("function %q is not in the registry", name)
	}
	env, err := Require(fn.Env()...)
	if err != nil {
		return nil, aws.Config{}, err
	}
	if _, err := telemetry.ParseLevel(env[registry.EnvLogLevel]); err != nil {
		return nil, aws.Config{}, fmt.Errorf("%s: %w", registry.EnvLogLevel, err)
	}
	cfg, err := LambdaConfig()
	return env, cfg, err
}

// Deps are a deployed function's dependencies: clients of the table and
// the bus the environment names, the operator tenant, real time, ULIDs and
// JSON logs at the level LOG_LEVEL names (Load has checked it).
func Deps(env Env, cfg aws.Config) function.Deps {
	level, _ := telemetry.ParseLevel(env[registry.EnvLogLevel])
	return function.Deps{
		DynamoDB: dynamodb.NewFromConfig(cfg), Table: env[registry.EnvTable],
		EventBridge: eventbridge.NewFromConfig(cfg), Bus: env[registry.EnvBus],
		Operator: env[registry.EnvOperator],
		Now:      time.Now, NewID: ids.New, Log: Logger(level),
	}
}

// LambdaConfig is the AWS configuration inside Lambda: the region and the
// execution role's credentials the runtime puts in the environment. It is
// what config.LoadDefaultConfig would find first in Lambda, without linking
// the SSO, STS and IMDS clients that chain also carries — about a third of
// each function's size and part of its cold start. Like the default chain's
// environment provider, it reads the credentials once: Lambda replaces the
// environment before they expire. Like the default chain, it honours the
// endpoint variables AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>
// (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true): Lambda sets none, and
// the bootstrap test points each function at DynamoDB Local, the local bus
// and a local KMS with them.
func LambdaConfig() (aws.Config, error) {
	env, err := Require("AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
	if err != nil {
		return aws.Config{}, err
	}
	cfg := aws.Config{
		Region: env["AWS_REGION"],
		Credentials: credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"],
			os.Getenv("AWS_SESSION_TOKEN")),
	}
	if strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return cfg, nil
	}
	if v := os.Getenv("AWS_ENDPOINT_URL"); v != "" {
		cfg.BaseEndpoint = aws.String(v)
	}
	cfg.ConfigSources = []any{endpointsFromEnv{}}
	return cfg, nil
}

// endpointsFromEnv answers a service's AWS_ENDPOINT_URL_<SERVICE> (its SDK
// id in capitals, spaces as underscores), which each service client asks
// its configuration sources for.
type endpointsFromEnv struct{}

func (endpointsFromEnv) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	v := os.Getenv("AWS_ENDPOINT_URL_" + strings.ReplaceAll(strings.ToUpper(sdkID), " ", "_"))
	return v, v != "", nil
}

// Logger is the functions' logger: JSON lines on stderr at level, shipped by
// Lambda to CloudWatch Logs, which filters them again by the stack's
// application log level.
func Logger(level slog.Level) *slog.Logger {
	return telemetry.NewLogger(os.Stderr, telemetry.FormatJSON, level)
}
