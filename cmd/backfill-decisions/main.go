// Command backfill-decisions makes the decision records (DEC#T#H, what
// check-access reads) agree with the relationships, assignments and custom
// roles of a table written before they existed, or by a release rolled back
// to one, and gives partner-defined roles written before the partner-roles
// index its key (GSI2, what the customer's role list reads). Run it after deploying the functions that keep them, with the
// operator's AWS credentials; it is safe beside live traffic and can be run
// again (docs/deploy.md, "Upgrading").
//
//	go run ./cmd/backfill-decisions -table Switchboard-staging-Table…
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/internal/ops/backfill"
	"github.com/switchboard/switchboard/internal/ops/invariants"
)

func main() {
	table := flag.String("table", os.Getenv("TABLE_NAME"), "the Switchboard table (default $TABLE_NAME)")
	flag.Parse()
	if *table == "" {
		fmt.Fprintln(os.Stderr, "backfill-decisions: name the table with -table or TABLE_NAME")
		os.Exit(2)
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfill-decisions:", err)
		os.Exit(1)
	}
	db := dynamodb.NewFromConfig(cfg)
	b, err := backfill.Decisions(ctx, db, *table)
	fmt.Printf("decision records written: %d, removed: %d, already right: %d; items changed during the run: %d\n", b.Written, b.Removed, b.Present, b.Changed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfill-decisions:", err)
		os.Exit(1)
	}
	r, err := backfill.PartnerRoleIndex(ctx, db, *table)
	fmt.Printf("partner roles indexed: %d, already indexed: %d; changed during the run: %d\n", r.Written, r.Present, r.Changed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfill-decisions:", err)
		os.Exit(1)
	}
	if b.Changed > 0 || r.Changed > 0 {
		fmt.Println("some items changed while the backfill ran: run it again")
		os.Exit(1)
	}
	c, err := invariants.Check(ctx, db, *table)
	if err != nil {
		fmt.Fprintln(os.Stderr, "backfill-decisions: invariant check:", err)
		os.Exit(1)
	}
	for _, v := range c.Violations {
		fmt.Println("invariant:", v)
	}
	if len(c.Violations) > 0 {
		os.Exit(1)
	}
	fmt.Printf("invariant check: %d items, %d relationships, %d assignments, no violations\n", c.Items, c.Relationships, c.Assignments)
}
