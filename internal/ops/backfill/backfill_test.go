package backfill_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/ops/backfill"
	"github.com/switchboard/switchboard/internal/ops/invariants"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

// newTable answers a store on a fresh table and the client beneath it.
func newTable(t *testing.T) (*store.Store, *dynamodb.Client, string) {
	t.Helper()
	db, table := dbtest.Table(t)
	return store.New(db, table), db, table
}

// relate stores rel as accepted from an invitation msp → acme.
func relate(t *testing.T, s *store.Store, rel tenancy.Relationship) {
	t.Helper()
	ctx := context.Background()
	inv := tenancy.Invitation{ID: "inv-" + rel.ID, FromTenant: rel.PartnerTenant, ToTenant: rel.CustomerTenant, CreatedAt: t0}
	if err := s.CreateInvitation(ctx, inv, nil); err != nil {
		t.Fatal(err)
	}
	inv.Version = 1 // as read back
	if err := s.AcceptInvitation(ctx, inv, rel, nil); err != nil {
		t.Fatal(err)
	}
}

// A table written before decision records existed, or by a release rolled
// back to one, gets its records made to agree with its items; a second run
// finds nothing to do.
func TestBackfillDecisions(t *testing.T) {
	ctx := context.Background()
	s, db, table := newTable(t)
	rel := tenancy.Relationship{ID: "rel1", Kind: tenancy.KindDelegatedAdmin, CustomerTenant: "acme", PartnerTenant: "msp", Status: tenancy.RelationshipActive,
		Ceiling: []tenancy.CeilingRole{{ID: "helpdesk-admin", Permissions: []string{"tickets.view"}}}, EndsAt: t0.Add(time.Hour), CreatedAt: t0}
	relate(t, s, rel)
	for i := 0; i < 4; i++ {
		a := tenancy.Assignment{ID: fmt.Sprintf("a%d", i), TenantID: "acme", HomeTenant: "msp", RelationshipID: "rel1", Principal: "user:u", Roles: []string{"helpdesk-admin"}, Scope: []string{"*"}}
		if err := s.CreateAssignment(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SaveRole(ctx, tenancy.CustomRole{ID: "r1", TenantID: "acme", DefinedBy: "msp", Permissions: []string{"tickets.view"}}, nil); err != nil {
		t.Fatal(err)
	}
	tableName := aws.String(table)
	del := func(pk, sk string) {
		t.Helper()
		k := map[string]types.AttributeValue{store.AttrPK: &types.AttributeValueMemberS{Value: pk}, store.AttrSK: &types.AttributeValueMemberS{Value: sk}}
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tableName, Key: k}); err != nil {
			t.Fatal(err)
		}
	}
	// Missing records (a0, a1, r1), an item removed without its record (a3),
	// and a record that says otherwise than its item (the relationship).
	del("DEC#acme#msp", "G#a0")
	del("DEC#acme#msp", "G#a1")
	del("DEC#acme#msp", "R#r1")
	del("AUTHZ#acme#msp", "ASG#a3")
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tableName, Key: map[string]types.AttributeValue{
		store.AttrPK: &types.AttributeValueMemberS{Value: "DEC#acme#msp"}, store.AttrSK: &types.AttributeValueMemberS{Value: "L#rel1"}}})
	if err != nil || len(got.Item) == 0 {
		t.Fatalf("link record = %v, %v", got, err)
	}
	got.Item["s"] = &types.AttributeValueMemberS{Value: tenancy.RelationshipTerminated}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tableName, Item: got.Item}); err != nil {
		t.Fatal(err)
	}
	if c, _ := invariants.Check(ctx, db, table); len(c.Violations) == 0 {
		t.Fatal("a table with missing, orphaned and stale decision records passed the invariant check")
	}

	b, err := backfill.Decisions(ctx, db, table)
	if want := (backfill.Result{Written: 4, Removed: 1, Present: 1}); err != nil || b != want {
		t.Fatalf("BackfillDecisions() = %+v, %v; want %+v", b, err, want)
	}
	if c, err := invariants.Check(ctx, db, table); err != nil || len(c.Violations) != 0 {
		t.Errorf("after the backfill: %v, %v", c.Violations, err)
	}
	p, err := s.LoadPartition(ctx, "acme", "msp")
	if err != nil || len(p.Relationships) != 1 || p.Relationships[0].Status != tenancy.RelationshipActive || len(p.Assignments) != 3 || len(p.Roles) != 1 {
		t.Errorf("LoadPartition() after the backfill = %+v, %v", p, err)
	}
	if b, err := backfill.Decisions(ctx, db, table); err != nil || b != (backfill.Result{Present: 5}) {
		t.Errorf("second BackfillDecisions() = %+v, %v; want all 5 present", b, err)
	}
}

// racingDB removes an assignment just before the backfill's first write, as
// a live removal would.
type racingDB struct {
	backfill.DB
	before func()
}

func (r *racingDB) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if r.before != nil {
		r.before()
		r.before = nil
	}
	return r.DB.TransactWriteItems(ctx, in, opts...)
}

// An item that changes under the backfill is left for a second run, never
// written from what was scanned.
func TestBackfillLeavesWhatChangedUnderIt(t *testing.T) {
	ctx := context.Background()
	s, db, table := newTable(t)
	a := tenancy.Assignment{ID: "a1", TenantID: "acme", HomeTenant: "acme", Principal: "user:u", Roles: []string{"global-admin"}, Scope: []string{"*"}}
	if err := s.CreateAssignment(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	recordKey := map[string]types.AttributeValue{store.AttrPK: &types.AttributeValueMemberS{Value: "DEC#acme#acme"}, store.AttrSK: &types.AttributeValueMemberS{Value: "G#a1"}}
	if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: recordKey}); err != nil {
		t.Fatal(err)
	}
	racing := &racingDB{DB: db, before: func() {
		k := map[string]types.AttributeValue{store.AttrPK: &types.AttributeValueMemberS{Value: "AUTHZ#acme#acme"}, store.AttrSK: &types.AttributeValueMemberS{Value: "ASG#a1"}}
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: k}); err != nil {
			t.Error(err)
		}
	}}
	b, err := backfill.Decisions(ctx, racing, table)
	if err != nil || b != (backfill.Result{Changed: 1}) {
		t.Fatalf("BackfillDecisions() = %+v, %v; want 1 changed", b, err)
	}
	if got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: recordKey}); err != nil || len(got.Item) != 0 {
		t.Errorf("the backfill wrote the record of a removed assignment: %v, %v", got.Item, err)
	}
}

// TestBackfillPartnerRoleIndex: a partner role written before the
// partner-roles index existed is missing from the customer's listing and
// flagged by the invariant check until the backfill gives it its key; the
// customer's own roles never enter the index.
func TestBackfillPartnerRoleIndex(t *testing.T) {
	ctx := context.Background()
	s, db, table := newTable(t)
	for _, r := range []tenancy.CustomRole{
		{ID: "desk", TenantID: "acme", DefinedBy: "msp", Permissions: []string{"tickets.view"}},
		{ID: "night", TenantID: "acme", DefinedBy: "msp2", Permissions: []string{"rooms.view"}},
		{ID: "own", TenantID: "acme", DefinedBy: "acme", Permissions: []string{"audit.view"}},
	} {
		if _, err := s.SaveRole(ctx, r, nil); err != nil {
			t.Fatal(err)
		}
	}
	ids := func() []string {
		t.Helper()
		roles, err := s.ListPartnerRoles(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range roles {
			out = append(out, r.DefinedBy+"/"+r.ID)
		}
		return out
	}
	if got := ids(); len(got) != 2 || got[0] != "msp/desk" || got[1] != "msp2/night" {
		t.Fatalf("ListPartnerRoles(acme) = %v, want msp/desk and msp2/night", got)
	}
	// As a release from before the index wrote it.
	if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table),
		Key:              map[string]types.AttributeValue{store.AttrPK: &types.AttributeValueMemberS{Value: "AUTHZ#acme#msp2"}, store.AttrSK: &types.AttributeValueMemberS{Value: "ROLE#night"}},
		UpdateExpression: aws.String("REMOVE GSI2PK, GSI2SK")}); err != nil {
		t.Fatal(err)
	}
	if got := ids(); len(got) != 1 {
		t.Fatalf("ListPartnerRoles(acme) with an unindexed role = %v, want only msp/desk", got)
	}
	if c, _ := invariants.Check(ctx, db, table); len(c.Violations) != 1 {
		t.Errorf("invariant check of a table with an unindexed partner role = %v, want one violation", c.Violations)
	}
	b, err := backfill.PartnerRoleIndex(ctx, db, table)
	if want := (backfill.Result{Written: 1, Present: 1}); err != nil || b != want {
		t.Fatalf("BackfillPartnerRoleIndex() = %+v, %v; want %+v", b, err, want)
	}
	if got := ids(); len(got) != 2 {
		t.Errorf("ListPartnerRoles(acme) after the backfill = %v, want both partner roles", got)
	}
	if c, err := invariants.Check(ctx, db, table); err != nil || len(c.Violations) != 0 {
		t.Errorf("after the backfill: %v, %v", c.Violations, err)
	}
	if b, err := backfill.PartnerRoleIndex(ctx, db, table); err != nil || b != (backfill.Result{Present: 2}) {
		t.Errorf("second BackfillPartnerRoleIndex() = %+v, %v; want both present", b, err)
	}
}
