// Command audit is the audit consumer Lambda: every event on the bus becomes
// audit records under the tenants it concerns and the actor's tenant.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/switchboard/switchboard/internal/audit"
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
	lambda.Start(audit.New(parts.Store, audit.DefaultRetention).Handle)
}
