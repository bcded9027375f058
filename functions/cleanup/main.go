// Command cleanup is the scheduled Lambda: expiries, auto-extensions, notices,
// unfinished offboardings, and outbox events that were not yet delivered.
package main

import (
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard/switchboard/internal/function"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() {
	env, cfg, err := wiring.Load(registry.FunctionCleanup)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(function.Cleanup(wiring.Deps(env, cfg)).Handle)
}
