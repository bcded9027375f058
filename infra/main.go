// Command infra is the CDK app: it builds the Switchboard-staging and
// Switchboard-prod stacks (or the one `-c stage=` names), environment-agnostic,
// so `make synth` needs no AWS credentials.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil) // the CLI or CDK_OUTDIR says where the templates go
	stages := []string{StageStaging, StageProd}
	if v, ok := app.Node().TryGetContext(jsii.String("stage")).(string); ok && v != "" {
		stages = []string{v}
	}
	level, _ := app.Node().TryGetContext(jsii.String("logLevel")).(string) // -c logLevel=DEBUG; INFO by default
	for _, stage := range stages {
		if _, err := NewSwitchboardStack(app, stage, StackConfig{Stage: stage, AssetDir: BuiltAsset, ConsoleDir: BuiltConsole, LogLevel: level}); err != nil {
			fmt.Fprintln(os.Stderr, "infra:", err)
			os.Exit(1)
		}
	}
	CheckAWSSolutions(app)
	app.Synth(nil)
}
