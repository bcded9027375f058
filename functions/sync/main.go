// Command sync is the sync consumer Lambda: relationship, assignment and
// organisation events go to the tenants' webhook subscriptions, signed, and
// organisation joins are completed and projected into cross-tenant access.
package main

import (
	"log"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/projection"
	"github.com/switchboard/switchboard/internal/webhooks"
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
	d := webhooks.New(webhooks.Config{Store: parts.Store, Publisher: parts.Outbox, Now: time.Now, NewID: ids.New,
		Operator: parts.Env[wiring.EnvOperator], Client: webhooks.Client(10*time.Second, false)})
	lambda.Start(projection.New(parts.Service, d).Handle)
}
