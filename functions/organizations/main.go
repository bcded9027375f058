// Command organizations is the organizations Lambda: it serves the routes the route table
// gives registry.Organizations, built by internal/function as the local stack
// builds it.
package main

import (
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard/switchboard/internal/function"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() {
	env, cfg, err := wiring.Load(registry.Organizations)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(function.HTTP(registry.Organizations, wiring.Deps(env, cfg)).Handle)
}
