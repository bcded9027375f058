package tenancy_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// TestRaceAnswersOfOneInvitation: 100 concurrent accepts, declines and
// cancels of one invitation; exactly one wins and the state matches it.
func TestRaceAnswersOfOneInvitation(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	inv, err := w.svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}})
	if err != nil {
		t.Fatal(err)
	}
	var wins [3]atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var err error
			switch i % 3 {
			case 0:
				_, err = w.svc.AcceptInvitation(ctx, carl, inv.ID, tenancy.Acceptance{})
			case 1:
				_, err = w.svc.DeclineInvitation(ctx, carl, inv.ID)
			case 2:
				_, err = w.svc.CancelInvitation(ctx, nina, inv.ID)
			}
			switch {
			case err == nil:
				wins[i%3].Add(1)
			case !errors.Is(err, tenancy.ErrConflict):
				t.Errorf("answer %d = %v, want success or a conflict", i, err)
			}
		}(i)
	}
	wg.Wait()
	total := wins[0].Load() + wins[1].Load() + wins[2].Load()
	if total != 1 {
		t.Fatalf("%d answers won (accept %d, decline %d, cancel %d), want exactly one", total, wins[0].Load(), wins[1].Load(), wins[2].Load())
	}
	l, _ := w.svc.ListInvitations(ctx, nina, tenancy.Outgoing, "", tenancy.Page{})
	rels, _ := w.svc.ListRelationships(ctx, carl, tenancy.SideCustomer, tenancy.Page{})
	want := map[int]string{0: tenancy.InvitationAccepted, 1: tenancy.InvitationDeclined, 2: tenancy.InvitationCancelled}
	for i := range wins {
		if wins[i].Load() == 1 && (l.Items[0].Status != want[i] || (len(rels.Items) == 1) != (i == 0)) {
			t.Errorf("winner %s but the invitation is %s with %d relationships", want[i], l.Items[0].Status, len(rels.Items))
		}
	}
}

// TestRaceAssignAgainstOffboard: no assignment survives a terminated
// relationship, however the writes interleave.
func TestRaceAssignAgainstOffboard(t *testing.T) {
	for round := 0; round < 5; round++ {
		w := newWorld(t)
		ctx := context.Background()
		rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: fmt.Sprintf("user:u%d", i), Roles: []string{"helpdesk-admin"}})
				if err != nil && !errors.Is(err, tenancy.ErrConflict) {
					t.Errorf("assign = %v", err)
				}
			}(i)
			if i == 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := w.svc.TerminateRelationship(ctx, carl, rel.ID); err != nil {
						t.Errorf("terminate = %v", err)
					}
				}()
			}
		}
		wg.Wait()
		l, err := w.svc.ListRelationshipAssignments(ctx, carl, rel.ID, tenancy.Page{Limit: 100})
		if err != nil || len(l.Items) != 0 {
			t.Fatalf("round %d: %d assignments survive the terminated relationship (%v)", round, len(l.Items), err)
		}
	}
}

// TestRaceRoleEditAgainstChecks: while a custom role is edited back and
// forth, every check sees one definition or the other, never an error or a
// grant neither holds.
func TestRaceRoleEditAgainstChecks(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	dora := tenancy.Caller{User: "dora", Tenant: "contoso"}
	if _, _, err := w.svc.SaveRole(ctx, carl, "contoso", tenancy.NewRole{ID: "desk", Name: "Desk", Permissions: []string{"tickets.view"}}); err != nil {
		t.Fatal(err)
	}
	w.must(w.svc.AssignNative(ctx, carl, "contoso", tenancy.NewAssignment{Principal: "user:dora", Roles: []string{"desk"}}))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		perms := [][]string{{"tickets.view"}, {"tickets.view", "tickets.update"}}
		for i := 0; i < 30; i++ {
			if _, _, err := w.svc.SaveRole(ctx, carl, "contoso", tenancy.NewRole{ID: "desk", Name: "Desk", Permissions: perms[i%2]}); err != nil && !errors.Is(err, tenancy.ErrConflict) {
				t.Errorf("save role = %v", err)
			}
		}
		close(stop)
	}()
	for done := false; !done; {
		select {
		case <-stop:
			done = true
		default:
		}
		res, err := w.svc.CheckAccess(ctx, dora, []tenancy.Check{{Tenant: "contoso", Permission: "tickets.view"}, {Tenant: "contoso", Permission: "rooms.view"}})
		if err != nil {
			t.Fatal(err)
		}
		if !res[0].Allowed || res[1].Allowed || res[1].Reason != access.ReasonNoGrant {
			t.Fatalf("during role edits: %+v, want tickets.view allowed and rooms.view denied", res)
		}
	}
	wg.Wait()
}
