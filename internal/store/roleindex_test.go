package store_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// TestBackfillPartnerRoleIndex: a partner role written before the
// partner-roles index existed is missing from the customer's listing and
// flagged by the invariant check until the backfill gives it its key; the
// customer's own roles never enter the index.
func TestBackfillPartnerRoleIndex(t *testing.T) {
	ctx := context.Background()
	s, db, table := newTable(t)
	for _, r := range []tenancy.CustomRole{
		{ID: "desk", TenantID: "acme", DefinedBy: "msp", Permissions: []string{"tickets.view"}, Version: 1},
		{ID: "night", TenantID: "acme", DefinedBy: "msp2", Permissions: []string{"rooms.view"}, Version: 1},
		{ID: "own", TenantID: "acme", DefinedBy: "acme", Permissions: []string{"audit.view"}, Version: 1},
	} {
		if err := s.SaveRole(ctx, r, nil); err != nil {
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
	if c, _ := store.CheckInvariants(ctx, db, table); len(c.Violations) != 1 {
		t.Errorf("invariant check of a table with an unindexed partner role = %v, want one violation", c.Violations)
	}
	b, err := store.BackfillPartnerRoleIndex(ctx, db, table)
	if want := (store.RoleIndexBackfill{Written: 1, Present: 1}); err != nil || b != want {
		t.Fatalf("BackfillPartnerRoleIndex() = %+v, %v; want %+v", b, err, want)
	}
	if got := ids(); len(got) != 2 {
		t.Errorf("ListPartnerRoles(acme) after the backfill = %v, want both partner roles", got)
	}
	if c, err := store.CheckInvariants(ctx, db, table); err != nil || len(c.Violations) != 0 {
		t.Errorf("after the backfill: %v, %v", c.Violations, err)
	}
	if b, err := store.BackfillPartnerRoleIndex(ctx, db, table); err != nil || b != (store.RoleIndexBackfill{Present: 2}) {
		t.Errorf("second BackfillPartnerRoleIndex() = %+v, %v; want both present", b, err)
	}
}
