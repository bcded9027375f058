// Command offboard is the offboard Lambda: it serves the routes the route table
// gives routes.FunctionOffboard, built by internal/function as the local stack
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
	env, cfg, err := wiring.Load(routes.FunctionOffboard)
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(function.HTTP(routes.FunctionOffboard, wiring.Deps(env, cfg)).Handle)
}
