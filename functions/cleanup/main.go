// Command cleanup is the scheduled Lambda: expiries, auto-extensions, notices,
// unfinished offboardings, and outbox events that were not yet delivered.
package main

import (
	"context"
	"log"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/switchboard/switchboard/internal/cleanup"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("load AWS config: %v", err)
	}
	parts, err := wiring.Build(cfg)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(cleanup.New(parts.Service, parts.Outbox, time.Now, cleanup.DefaultLimit, cleanup.DefaultGrace).Handle)
}
