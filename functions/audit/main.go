// Command audit is the audit consumer Lambda: every event on the bus becomes
// audit records under the tenants it concerns and the actor's tenant.
package main

import (
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard/switchboard/internal/audit"
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
	lambda.Start(audit.New(parts.Store, audit.DefaultRetention).Handle)
}
