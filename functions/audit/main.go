// Command audit is the audit consumer Lambda: every event on the bus becomes
// audit records under the tenants it concerns and the actor's tenant.
package main

import (
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard/switchboard/internal/function"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() {
	env, cfg, err := wiring.Load(registry.FunctionAudit)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(function.Audit(wiring.Deps(env, cfg)).Handle)
}
