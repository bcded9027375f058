// Package wiring builds what every Lambda shares from its environment and an
// AWS config: the store over TABLE_NAME, the outbox publisher to
// EVENT_BUS_NAME, the tenancy service. Each main reads its environment once at
// init and fails there, not on the first request, when a variable is missing.
package wiring

import (
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Environment variable names, shared with infra.
const (
	EnvTable    = "TABLE_NAME"
	EnvBus      = "EVENT_BUS_NAME"
	EnvOperator = "OPERATOR_TENANT"
	// The switch function's: KMS key ids or ARNs, the signing key first and
	// during a rollover the previous one after it; the tokens' iss and aud.
	EnvSigningKeys   = "SIGNING_KEY_IDS"
	EnvTokenIssuer   = "TOKEN_ISSUER"
	EnvTokenAudience = "TOKEN_AUDIENCE"
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

// LambdaConfig is the AWS configuration inside Lambda: the region and the
// execution role's credentials the runtime puts in the environment. It is
// what config.LoadDefaultConfig would find first in Lambda, without linking
// the SSO, STS and IMDS clients that chain also carries — about a third of
// each function's size and part of its cold start. Like the default chain's
// environment provider, it reads the credentials once: Lambda replaces the
// environment before they expire.
func LambdaConfig() (aws.Config, error) {
	env, err := Require("AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
	if err != nil {
		return aws.Config{}, err
	}
	return aws.Config{
		Region: env["AWS_REGION"],
		Credentials: credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"],
			os.Getenv("AWS_SESSION_TOKEN")),
	}, nil
}

// Logger is the functions' logger: JSON lines on stderr, shipped by Lambda to
// CloudWatch Logs.
func Logger() *slog.Logger { return slog.New(slog.NewJSONHandler(os.Stderr, nil)) }

// Parts are the shared pieces of a function.
type Parts struct {
	Env     Env
	Store   *store.Store
	Outbox  *outbox.Publisher
	Service *tenancy.Service
	Log     *slog.Logger
}

// Build makes the shared pieces from the environment (TABLE_NAME,
// EVENT_BUS_NAME, OPERATOR_TENANT) and an AWS config; opts adjust the
// service's configuration (the switch function adds its token minter).
func Build(cfg aws.Config, opts ...func(*tenancy.Config)) (Parts, error) {
	env, err := Require(EnvTable, EnvBus, EnvOperator)
	if err != nil {
		return Parts{}, err
	}
	log := Logger()
	st := store.New(dynamodb.NewFromConfig(cfg), env[EnvTable])
	pub := outbox.New(eventbridge.NewFromConfig(cfg), env[EnvBus], st, log)
	sc := tenancy.Config{Store: st, Now: time.Now, NewID: ids.New, OperatorTenant: env[EnvOperator], Publisher: pub}
	for _, o := range opts {
		o(&sc)
	}
	svc := tenancy.New(sc)
	return Parts{Env: env, Store: st, Outbox: pub, Service: svc, Log: log}, nil
}

// ServeHTTP is the whole main of an HTTP function: it builds the parts from
// the Lambda environment and serves the function's routes as the registry
// describes them. It fails at init when the environment is incomplete or the
// registry lacks the function.
func ServeHTTP(function string) {
	fn, ok := registry.ByName(function)
	if !ok {
		log.Fatalf("function %q is not in the registry", function)
	}
	cfg, err := LambdaConfig()
	if err != nil {
		log.Fatal(err)
	}
	parts, err := Build(cfg)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(fn.Handler(parts.Service, parts.Store, parts.Log).Handle)
}
