// Command invite is the invite Lambda: it serves the routes the route table gives
// httpapi.FunctionInvite.
package main

import (
	"context"
	"log"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/lambdaenv"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

func main() {
	env, err := lambdaenv.Require("TABLE_NAME", "OPERATOR_TENANT")
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("load AWS config: %v", err)
	}
	db := store.New(dynamodb.NewFromConfig(cfg), env["TABLE_NAME"])
	svc := tenancy.New(tenancy.Config{Store: db, Now: time.Now, NewID: ids.New, OperatorTenant: env["OPERATOR_TENANT"]})
	lambda.Start(httpapi.New(svc, httpapi.FunctionInvite, lambdaenv.Logger()).Handle)
}
