// Command check-access is the check-access Lambda: it serves the routes the route table
// gives routes.FunctionCheckAccess, built by internal/function as the local stack
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
	env, cfg, err := wiring.Load(routes.FunctionCheckAccess)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(function.HTTP(routes.FunctionCheckAccess, wiring.Deps(env, cfg)).Handle)
}
