// Package backfill brings a table written by an earlier release up to what
// this one reads: the decision records beside the canonical items, and the
// partner-roles index key of partners' roles. Each write is conditioned on
// the item being as scanned, so a backfill is safe beside live traffic and
// can be repeated; cmd/backfill-decisions runs it (docs/deploy.md,
// "Upgrading").
package backfill

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/store"
)

// DB is the client calls a backfill makes.
type DB interface {
	store.Scanner
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
}

// Result counts what a backfill did.
type Result struct {
	Written int // items written: missing, or disagreeing with what they mirror
	Removed int // items removed: what they mirror is gone
	Present int // items already right
	Changed int // items changed or removed while the backfill ran: run it again
}

// Decisions makes the decision records agree with the canonical items: it
// writes the record of every relationship, assignment and custom role whose
// record is missing or says otherwise, and removes every record whose item
// is gone. It is the upgrade step for a table written before decision
// records existed (or by a release rolled back to one), run once the
// functions that keep them are deployed. Each write goes in a transaction
// that checks the item is still at the version scanned (or, for a removal,
// still absent): what changed under it is counted in Changed for a second
// run. It holds the relationships, assignments, roles and records in memory.
func Decisions(ctx context.Context, db DB, table string) (Result, error) {
	var b Result
	r := store.NewReconciliation()
	if err := store.Scan(ctx, db, table, r.Add); err != nil {
		return b, err
	}
	b.Present = r.Present()
	for _, m := range r.Stale() {
		if err := count(&b, &b.Written, transact(ctx, db, m.WriteTx(table))); err != nil {
			return b, fmt.Errorf("%s %s: %w", m.Record.PK, m.Record.SK, err)
		}
	}
	for _, o := range r.Orphans() {
		if err := count(&b, &b.Removed, transact(ctx, db, o.RemoveTx(table))); err != nil {
			return b, fmt.Errorf("%s %s: %w", o.Record.PK, o.Record.SK, err)
		}
	}
	return b, nil
}

// PartnerRoleIndex gives every partner-defined role written before the
// partner-roles index existed its GSI2 key, so the customer's role list
// (ListPartnerRoles) finds it. It is the upgrade step for such a table, run
// once the functions that write the key are deployed (a role saved since
// has it). Each write is conditioned on the role's version as scanned.
func PartnerRoleIndex(ctx context.Context, db DB, table string) (Result, error) {
	var b Result
	var todo []store.Entry
	err := store.Scan(ctx, db, table, func(e store.Entry) error {
		switch {
		case !e.PartnerRole():
		case e.PartnerRoleIndexed:
			b.Present++
		default:
			todo = append(todo, e)
		}
		return nil
	})
	if err != nil {
		return b, err
	}
	for _, e := range todo {
		if err := count(&b, &b.Written, transact(ctx, db, []types.TransactWriteItem{e.IndexPartnerRoleTx(table)})); err != nil {
			return b, fmt.Errorf("%s %s: %w", e.Key.PK, e.Key.SK, err)
		}
	}
	return b, nil
}

// errChanged: a condition cancelled the transaction — the item changed
// since the scan.
var errChanged = errors.New("changed since the scan")

// transact sends one transaction; errChanged when a condition cancelled it.
func transact(ctx context.Context, db DB, items []types.TransactWriteItem) error {
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	var cancelled *types.TransactionCanceledException
	if errors.As(err, &cancelled) {
		return errChanged
	}
	return err
}

// count counts a write's outcome in done, or in Changed.
func count(b *Result, done *int, err error) error {
	switch {
	case err == nil:
		*done++
	case errors.Is(err, errChanged):
		b.Changed++
	default:
		return err
	}
	return nil
}
