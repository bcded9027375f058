package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/switchboard/switchboard/internal/registry"
)

// Stages.
const (
	StageStaging = "staging"
	StageProd    = "prod"
)

// StackConfig configures one stage's stack.
type StackConfig struct {
	Stage string
	// AssetDir answers the directory holding a function's built bootstrap.
	AssetDir func(fn registry.Function) (string, error)
	// ConsoleDir answers the directory holding the built console.
	ConsoleDir func() (string, error)
	// LogLevel is the functions' log level (LOG_LEVEL and Lambda's
	// application log level): INFO (the default) or DEBUG. Not higher: the
	// metrics are INFO lines, which Lambda would drop at WARN.
	LogLevel string
}

// logLevels are the levels a stack may set, Lambda's names for them.
var logLevels = map[string]awslambda.ApplicationLogLevel{
	"INFO":  awslambda.ApplicationLogLevel_INFO,
	"DEBUG": awslambda.ApplicationLogLevel_DEBUG,
}

// BuiltAsset is where `make build` leaves a function's bootstrap.
func BuiltAsset(fn registry.Function) (string, error) {
	dir := filepath.Join("bin", fn.Name)
	if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err != nil {
		return "", fmt.Errorf("%s/bootstrap is missing: run `make build` first", dir)
	}
	return dir, nil
}

// SwitchboardStack is one stage of Switchboard.
type SwitchboardStack struct {
	awscdk.Stack
	Params    *Params
	Table     *Table
	Keys      *SigningKey
	Bus       *Bus
	Functions *Functions
	API       *API
	Console   *Console
	Alarms    *Alarms
}

// NewSwitchboardStack composes the constructs of one stage.
func NewSwitchboardStack(scope constructs.Construct, stage string, cfg StackConfig) (*SwitchboardStack, error) {
	if stage != StageStaging && stage != StageProd {
		return nil, fmt.Errorf("stage %q is not %s or %s", stage, StageStaging, StageProd)
	}
	if cfg.LogLevel == "" {
		cfg.LogLevel = "INFO"
	}
	level, ok := logLevels[cfg.LogLevel]
	if !ok {
		return nil, fmt.Errorf("log level %q: use INFO or DEBUG (the metrics are INFO lines: Lambda would drop them at WARN or ERROR)", cfg.LogLevel)
	}
	stack := awscdk.NewStack(scope, jsii.String("Switchboard-"+stage), &awscdk.StackProps{
		Description: jsii.String("Switchboard delegated multi-tenant administration (" + stage + ")"),
	})
	awscdk.Tags_Of(stack).Add(jsii.String("app"), jsii.String("switchboard"), nil)
	awscdk.Tags_Of(stack).Add(jsii.String("stage"), jsii.String(stage), nil)
	s := &SwitchboardStack{Stack: stack}
	prod := stage == StageProd
	s.Params = NewParams(stack)
	s.Table = NewTable(stack, "Table", prod)
	s.Keys = NewSigningKey(stack, "SwitchKey", stage, prod)
	s.Bus = NewBus(stack, "Bus", stage)
	env := map[string]*string{
		registry.EnvTable:         s.Table.Table.TableName(),
		registry.EnvBus:           s.Bus.Bus.EventBusName(),
		registry.EnvOperator:      s.Params.OperatorTenant.ValueAsString(),
		registry.EnvSigningKeys:   s.Keys.Key.KeyArn(),
		registry.EnvTokenIssuer:   s.Params.TokenIssuer.ValueAsString(),
		registry.EnvTokenAudience: s.Params.TokenAudience.ValueAsString(),
		registry.EnvLogLevel:      jsii.String(cfg.LogLevel),
	}
	fns, err := NewFunctions(stack, "Fn", FunctionsConfig{Prod: prod, Env: env, AssetDir: cfg.AssetDir, Table: s.Table, Bus: s.Bus, Keys: s.Keys,
		LogLevel: level})
	if err != nil {
		return nil, err
	}
	s.Functions = fns
	s.Bus.Route(fns, s.Params.CleanupRateMinutes)
	consoleDir, err := cfg.ConsoleDir()
	if err != nil {
		return nil, err
	}
	s.Console = NewConsole(stack, "Console", ConsoleConfig{Params: s.Params, Dir: consoleDir, Prod: prod})
	s.API = NewAPI(stack, "Api", APIConfig{Params: s.Params, PortalOrigin: s.Console.Origin, Functions: fns, Prod: prod})
	s.Console.Deploy(s.API.API.ApiEndpoint())
	s.Alarms = NewAlarms(stack, "Alarms", s)

	awscdk.NewCfnOutput(stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{Value: s.API.API.ApiEndpoint(), Description: jsii.String("The HTTP API")})
	awscdk.NewCfnOutput(stack, jsii.String("JwksUrl"), &awscdk.CfnOutputProps{Value: awscdk.Fn_Join(jsii.String(""), &[]*string{s.API.API.ApiEndpoint(), jsii.String("/.well-known/jwks.json")}),
		Description: jsii.String("Keys that verify switch tokens")})
	awscdk.NewCfnOutput(stack, jsii.String("ConsoleUrl"), &awscdk.CfnOutputProps{Value: jsii.String(*s.Console.Origin + "/console/"),
		Description: jsii.String("The web console (register <ConsoleUrl>callback as the OIDC client's redirect URI)")})
	awscdk.NewCfnOutput(stack, jsii.String("EventBusArn"), &awscdk.CfnOutputProps{Value: s.Bus.Bus.EventBusArn(),
		Description: jsii.String("Subscribe downstream systems with a rule on this bus (see docs/deploy.md)")})
	return s, nil
}
