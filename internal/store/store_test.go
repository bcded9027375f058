package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/meter"
	"github.com/switchboard/switchboard/internal/ops/invariants"
	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (*store.Store, *meter.Meter) {
	t.Helper()
	meter := meter.New()
	s, _, _ := newTable(t, meter.Option())
	meter.Reset()
	return s, meter
}

// newTable answers a store on a fresh table and the client beneath it.
func newTable(t *testing.T, opts ...func(*dynamodb.Options)) (*store.Store, *dynamodb.Client, string) {
	t.Helper()
	db, table := dbtest.Table(t, opts...)
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

func TestTenantIDAndDomainAreUnique(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	admin := tenancy.Assignment{ID: "a1", TenantID: "acme", HomeTenant: "acme", Principal: "user:ann", Roles: []string{"global-admin"}, Permissions: []string{}, Scope: []string{"*"}}
	if err := s.CreateTenant(ctx, tenancy.Tenant{ID: "acme", Domain: "acme.com"}, []tenancy.Assignment{admin}, nil); err != nil {
		t.Fatal(err)
	}
	admin.ID = "a2"
	for name, tn := range map[string]tenancy.Tenant{"same id": {ID: "acme", Domain: "other.com"}, "same domain": {ID: "acme2", Domain: "acme.com"}} {
		if err := s.CreateTenant(ctx, tn, []tenancy.Assignment{admin}, nil); !errors.Is(err, tenancy.ErrConflict) {
			t.Errorf("%s: CreateTenant() = %v, want ErrConflict", name, err)
		}
	}
	if _, err := s.GetTenant(ctx, "acme2"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("GetTenant(acme2) = %v, want ErrNotFound: a failed create must write nothing", err)
	}
	got, err := s.TenantByDomain(ctx, "ACME.com")
	if err != nil || got.ID != "acme" {
		t.Errorf("TenantByDomain() = %+v, %v", got, err)
	}
	p, err := s.LoadPartition(ctx, "acme", "acme")
	if err != nil || len(p.Assignments) != 1 || p.Assignments[0].Principal != "user:ann" {
		t.Errorf("LoadPartition() = %+v, %v; want the one admin assignment", p, err)
	}
}

func TestVersionedWritesHaveOneWinner(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	inv := tenancy.Invitation{ID: "inv1", FromTenant: "msp", ToTenant: "acme", Status: tenancy.InvitationPending, CreatedAt: t0}
	if err := s.CreateInvitation(ctx, inv, nil); err != nil {
		t.Fatal(err)
	}
	var wins, conflicts int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			acc := inv
			acc.Status, acc.Version = tenancy.InvitationAccepted, 1 // every racer read version 1
			rel := tenancy.Relationship{ID: fmt.Sprintf("rel%d", i), CustomerTenant: "acme", PartnerTenant: "msp", Status: tenancy.RelationshipActive, CreatedAt: t0}
			acc.RelationshipID = rel.ID
			err := s.AcceptInvitation(ctx, acc, rel, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, tenancy.ErrConflict):
				conflicts++
			default:
				t.Errorf("AcceptInvitation() = %v", err)
			}
		}(i)
	}
	wg.Wait()
	if wins != 1 || conflicts != 19 {
		t.Fatalf("wins = %d, conflicts = %d; want 1 and 19", wins, conflicts)
	}
	p, err := s.LoadPartition(ctx, "acme", "msp")
	if err != nil || len(p.Relationships) != 1 {
		t.Fatalf("LoadPartition() = %d relationships, %v; want exactly the winner's", len(p.Relationships), err)
	}
}

func TestDelegatedAssignmentNeedsAnActiveRelationship(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	rel := tenancy.Relationship{ID: "rel1", CustomerTenant: "acme", PartnerTenant: "msp", Status: tenancy.RelationshipActive, CreatedAt: t0}
	relate(t, s, rel)
	a := tenancy.Assignment{ID: "a1", TenantID: "acme", HomeTenant: "msp", RelationshipID: "rel1", Principal: "user:bob", Roles: []string{"helpdesk-admin"}, Scope: []string{"*"}}
	if err := s.CreateAssignment(ctx, a, nil); err != nil {
		t.Fatalf("CreateAssignment() on an active relationship = %v", err)
	}
	rel.Status, rel.Version = tenancy.RelationshipTerminated, 1 // as read back
	if _, err := s.UpdateRelationship(ctx, rel, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateRelationship(ctx, rel, nil); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("second UpdateRelationship() at the same version = %v, want ErrConflict", err)
	}
	a.ID = "a2"
	if err := s.CreateAssignment(ctx, a, nil); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("CreateAssignment() on a terminated relationship = %v, want ErrConflict", err)
	}
	got, err := s.GetRelationship(ctx, "rel1")
	if err != nil || got.Status != tenancy.RelationshipTerminated {
		t.Errorf("GetRelationship() = %s, %v", got.Status, err)
	}
}

func TestPaginationAndCursors(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for i := 0; i < 7; i++ {
		a := tenancy.Assignment{ID: fmt.Sprintf("a%d", i), TenantID: "acme", HomeTenant: "acme", Principal: "user:u", Roles: []string{"global-admin"}, Scope: []string{"*"}}
		if err := s.CreateAssignment(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	page := tenancy.Page{Limit: 3}
	for pages := 0; ; pages++ {
		l, err := s.ListAssignments(ctx, "acme", "acme", "", page)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range l.Items {
			seen[a.ID] = true
		}
		if l.NextCursor == "" {
			break
		}
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		if _, err := s.ListAssignments(ctx, "other", "other", "", tenancy.Page{Cursor: l.NextCursor}); !errors.Is(err, tenancy.ErrBadCursor) {
			t.Errorf("a cursor used on another tenant's list = %v, want ErrBadCursor", err)
		}
		page.Cursor = l.NextCursor
	}
	if len(seen) != 7 {
		t.Errorf("paged through %d assignments, want 7", len(seen))
	}
	for _, c := range []string{"!!", "e30", "eyJQSyI6IkFVVEhaI2FjbWUjYWNtZSJ9"} {
		if _, err := s.ListAssignments(ctx, "acme", "acme", "", tenancy.Page{Cursor: c}); !errors.Is(err, tenancy.ErrBadCursor) {
			t.Errorf("cursor %q = %v, want ErrBadCursor", c, err)
		}
	}
}

func TestLoadPartitionIsOneRequest(t *testing.T) {
	ctx := context.Background()
	s, meter := newStore(t)
	for i := 0; i < 20; i++ {
		a := tenancy.Assignment{ID: fmt.Sprintf("a%d", i), TenantID: "acme", HomeTenant: "msp", RelationshipID: "", Principal: "user:u", Roles: []string{"global-admin"}, Scope: []string{"*"}}
		if err := s.CreateAssignment(ctx, a, nil); err != nil {
			t.Fatal(err)
		}
	}
	meter.Reset()
	p, err := s.LoadPartition(ctx, "acme", "msp")
	if err != nil || len(p.Assignments) != 20 {
		t.Fatalf("LoadPartition() = %d assignments, %v", len(p.Assignments), err)
	}
	if got := meter.Counts(); got["Query"] != 1 || meter.Total() != 1 {
		t.Errorf("LoadPartition() made %v, want exactly one Query", got)
	}
}

func TestAuditCursorBelongsToItsWindow(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	for i := 0; i < 5; i++ {
		r := tenancy.AuditRecord{ID: fmt.Sprintf("e%d", i), TenantID: "acme", Type: "RoleAssigned", OccurredAt: t0.Add(time.Duration(i) * time.Hour)}
		if _, err := s.PutAuditRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	window := tenancy.AuditFilter{From: t0.Add(2 * time.Hour), To: t0.Add(5 * time.Hour)}
	l, err := s.ListAudit(ctx, "acme", window, tenancy.Page{Limit: 1})
	if err != nil || l.NextCursor == "" || len(l.Items) != 1 {
		t.Fatalf("first page = %d items, cursor %q, %v", len(l.Items), l.NextCursor, err)
	}
	other := tenancy.AuditFilter{From: t0, To: t0.Add(time.Hour)}
	if _, err := s.ListAudit(ctx, "acme", other, tenancy.Page{Cursor: l.NextCursor}); !errors.Is(err, tenancy.ErrBadCursor) {
		t.Errorf("a cursor used with another window = %v, want ErrBadCursor", err)
	}
	if next, err := s.ListAudit(ctx, "acme", window, tenancy.Page{Limit: 10, Cursor: l.NextCursor}); err != nil || len(next.Items) != 2 {
		t.Errorf("the rest of the window = %d items, %v; want 2", len(next.Items), err)
	}
}

// What LoadPartition answers from the decision records is what the canonical
// items say, for every field a decision reads, through every kind of write.
func TestDecisionRecordsMirrorTheItems(t *testing.T) {
	ctx := context.Background()
	s, db, table := newTable(t)
	rel := tenancy.Relationship{ID: "rel1", Kind: tenancy.KindDelegatedAdmin, CustomerTenant: "acme", PartnerTenant: "msp", Status: tenancy.RelationshipActive,
		Ceiling: []tenancy.CeilingRole{{ID: "site-lead", Permissions: []string{"sites.manage"}}, {ID: "helpdesk-admin", Permissions: []string{"tickets.view", "tickets.update"}}},
		Scope:   []string{"/sites/eu/*"}, RequireMFA: true, StartsAt: t0, EndsAt: t0.Add(90 * 24 * time.Hour), CreatedAt: t0}
	relate(t, s, rel)
	window := period.Duration(30 * time.Minute)
	a := tenancy.Assignment{ID: "a1", TenantID: "acme", HomeTenant: "msp", RelationshipID: "rel1", Principal: "group:oncall",
		Roles: []string{"helpdesk-admin"}, Permissions: []string{}, Scope: []string{"/sites/eu/paris"}, Eligible: true, MaxActivation: &window, CreatedAt: t0}
	if err := s.CreateAssignment(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	role := tenancy.CustomRole{ID: "printer-tech", Name: "Printer technician", TenantID: "acme", DefinedBy: "msp", Permissions: []string{"tickets.view"}}
	if _, err := s.SaveRole(ctx, role, nil); err != nil {
		t.Fatal(err)
	}
	until := t0.Add(20 * time.Minute)
	act := tenancy.Activation{AssignmentID: "a1", TenantID: "acme", HomeTenant: "msp", User: "tom", Until: until}
	sess := tenancy.Session{ID: "s1", TenantID: "acme", HomeTenant: "msp", RelationshipIDs: []string{"rel1"}, AssignmentIDs: []string{"a1"}, ExpiresAt: until}
	if err := s.CommitSwitch(ctx, sess, 0, []tenancy.Activation{act}, nil); err != nil {
		t.Fatal(err)
	}
	rel.EndsAt, rel.Version = t0.Add(180*24*time.Hour), 1 // extended, as read back
	if _, err := s.UpdateRelationship(ctx, rel, nil); err != nil {
		t.Fatal(err)
	}

	p, err := s.LoadPartition(ctx, "acme", "msp")
	if err != nil || len(p.Relationships) != 1 || len(p.Assignments) != 1 || len(p.Roles) != 1 {
		t.Fatalf("LoadPartition() = %+v, %v", p, err)
	}
	got := p.Relationships[0]
	if got.ID != rel.ID || got.Kind != rel.Kind || got.Status != rel.Status || !got.EndsAt.Equal(rel.EndsAt) || !got.RequireMFA ||
		fmt.Sprint(got.Scope) != fmt.Sprint(rel.Scope) || fmt.Sprint(got.Ceiling) != "[{helpdesk-admin [tickets.view tickets.update]} {site-lead [sites.manage]}]" {
		t.Errorf("relationship from its decision record = %+v, want %+v", got, rel)
	}
	ga := p.Assignments[0]
	if ga.ID != "a1" || ga.Principal != a.Principal || ga.RelationshipID != "rel1" || fmt.Sprint(ga.Roles, ga.Permissions, ga.Scope) != fmt.Sprint(a.Roles, a.Permissions, a.Scope) ||
		!ga.Eligible || ga.MaxActivation == nil || *ga.MaxActivation != window || ga.Version != 1 {
		t.Errorf("assignment from its decision record = %+v, want %+v", ga, a)
	}
	if len(p.Activations) != 1 || p.Activations[0] != act {
		t.Errorf("activations from their records = %+v, want %+v", p.Activations, act)
	}
	if r := p.Roles[0]; r.ID != role.ID || fmt.Sprint(r.Permissions) != fmt.Sprint(role.Permissions) {
		t.Errorf("role from its decision record = %+v, want %+v", r, role)
	}
	// What the items imply is exactly what the records say.
	if c, err := invariants.Check(ctx, db, table); err != nil || len(c.Violations) != 0 {
		t.Errorf("invariants after every kind of write: %v, %v", c.Violations, err)
	}
	// A switch that read the partition before a removal does not commit.
	if err := s.RemoveAssignment(ctx, a, nil); err != nil {
		t.Fatal(err)
	}
	late := sess
	late.ID = "s2"
	if err := s.CommitSwitch(ctx, late, 0, nil, nil); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("CommitSwitch() on the epoch before a removal = %v, want ErrConflict", err)
	}
	if err := s.RemoveAssignment(ctx, a, nil); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("RemoveAssignment() again = %v, want ErrNotFound", err)
	}
	if p, err := s.LoadPartition(ctx, "acme", "msp"); err != nil || len(p.Assignments) != 0 || p.Epoch != 1 {
		t.Errorf("after removal the partition holds %d assignments, epoch %d, %v; want none and epoch 1", len(p.Assignments), p.Epoch, err)
	}
}
