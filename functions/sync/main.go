// Command sync is the sync consumer Lambda: relationship, assignment and
// organisation events go to the tenants' webhook subscriptions, signed, and
// organisation joins are completed and projected into cross-tenant access.
package main

import (
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard/switchboard/internal/function"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() {
	env, cfg, err := wiring.Load(registry.FunctionSync)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(function.Sync(wiring.Deps(env, cfg)).Handle)
}
