// Command cleanup is the scheduled Lambda: expiries, auto-extensions, notices,
// unfinished offboardings, and outbox events that were not yet delivered.
package main

import (
	"log"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard/switchboard/internal/cleanup"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() {
	cfg, err := wiring.LambdaConfig()
	if err != nil {
		log.Fatal(err)
	}
	parts, err := wiring.Build(cfg)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(cleanup.New(parts.Service, parts.Outbox, time.Now, cleanup.DefaultLimit, cleanup.DefaultGrace).Handle)
}
