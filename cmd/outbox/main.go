// Command outbox lists and requeues the events the outbox dead-lettered:
// events EventBridge refused for what they are (too large, malformed), kept
// in the table so that nothing is lost and nothing blocks the others. The
// OutboxDeadLettered alarm points here.
//
//	go run ./cmd/outbox -table switchboard-prod list
//	go run ./cmd/outbox -table switchboard-prod requeue <eventId>   # sent again by the next cleanup
//
// AWS credentials and region come from the usual environment;
// DYNAMODB_ENDPOINT points it at another DynamoDB (the local stack's).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/internal/store"
)

func main() {
	table := flag.String("table", os.Getenv("TABLE_NAME"), "the Switchboard table (TABLE_NAME)")
	limit := flag.Int("limit", 100, "at most this many events to list")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: outbox -table T list | requeue <eventId>")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*table, *limit, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "outbox:", err)
		os.Exit(1)
	}
}

func run(table string, limit int, args []string) error {
	if table == "" || len(args) == 0 {
		flag.Usage()
		return fmt.Errorf("name the table and a command")
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	var opts []func(*dynamodb.Options)
	if ep := os.Getenv("DYNAMODB_ENDPOINT"); ep != "" {
		opts = append(opts, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(ep) })
	}
	st := store.New(dynamodb.NewFromConfig(cfg, opts...), table)
	switch {
	case args[0] == "list" && len(args) == 1:
		dead, err := st.DeadEvents(ctx, limit)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(os.Stdout)
		for _, d := range dead {
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
		fmt.Fprintf(os.Stderr, "%d dead-lettered events\n", len(dead))
		return nil
	case args[0] == "requeue" && len(args) == 2:
		if err := st.RequeueEvent(ctx, args[1]); err != nil {
			return err
		}
		fmt.Printf("requeued %s: the next cleanup sends it again\n", args[1])
		return nil
	}
	flag.Usage()
	return fmt.Errorf("unknown command %q", args)
}
