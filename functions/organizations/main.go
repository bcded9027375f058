// Command organizations is the organizations Lambda: it serves the routes the route table gives
// httpapi.FunctionOrganizations.
package main

import (
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard/switchboard/internal/httpapi"
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
	lambda.Start(httpapi.New(parts.Service, httpapi.FunctionOrganizations, parts.Log).WithIdempotency(parts.Store).Handle)
}
