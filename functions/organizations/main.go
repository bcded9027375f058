// Command organizations is the organizations Lambda: it serves the routes the route table
// gives routes.FunctionOrganizations, built by internal/function as the local stack
// builds it.
package main

import (
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard/switchboard/internal/function"
	"github.com/switchboard/switchboard/internal/routes"
	"github.com/switchboard/switchboard/internal/wiring"
)

func main() {
	env, cfg, err := wiring.Load(routes.FunctionOrganizations)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(function.HTTP(routes.FunctionOrganizations, wiring.Deps(env, cfg)).Handle)
}
