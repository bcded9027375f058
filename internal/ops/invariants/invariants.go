// Package invariants checks a whole table against what Switchboard keeps
// true of it, for soak runs, drills and after an upgrade
// (cmd/backfill-decisions): it reads everything.
package invariants

import (
	"context"
	"fmt"

	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Report is what the check read and found.
type Report struct {
	Items         int
	Relationships int
	Assignments   int
	Invitations   int
	Pending       int // outbox events not yet delivered
	Violations    []string
}

// Check scans the whole table and reports every broken invariant: a
// decision record missing, disagreeing with its item or left without one, a
// relationship without its id item (or the reverse), an accepted invitation
// without its relationship, an assignment under a relationship that is not
// active or does not exist, a pending invitation missing from the schedule
// index or a settled one still in it, a partner-defined role missing from
// the partner-roles index, a webhook count that is not the number of
// subscriptions. Undelivered outbox events are counted (a quiet system has
// none).
func Check(ctx context.Context, db store.Scanner, table string) (Report, error) {
	var c Report
	rels := map[string]tenancy.Relationship{}
	relIDs := map[string]bool{}
	decisions := store.NewReconciliation()
	var invs []store.Entry
	var asgs []tenancy.Assignment
	var unindexed []string         // partner roles missing from the partner-roles index
	hooks := map[string]int{}      // webhook subscriptions per tenant
	hookCounts := map[string]int{} // the stored count per tenant, where there is one
	err := store.Scan(ctx, db, table, func(e store.Entry) error {
		c.Items++
		if err := decisions.Add(e); err != nil {
			return err
		}
		switch e.Kind {
		case store.KindRelationship:
			rels[e.Relationship.ID] = e.Relationship
		case store.KindRelationshipID:
			relIDs[e.ID] = true
		case store.KindAssignment:
			asgs = append(asgs, e.Assignment)
		case store.KindInvitation:
			invs = append(invs, e)
		case store.KindOutbox:
			c.Pending++
		case store.KindWebhook:
			hooks[e.Tenant]++
		case store.KindWebhookCount:
			hookCounts[e.Tenant] = e.Count
		case store.KindRole:
			if e.PartnerRole() && !e.PartnerRoleIndexed {
				unindexed = append(unindexed, e.Role.TenantID+"/"+e.Role.DefinedBy+"/"+e.Role.ID)
			}
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	c.Relationships, c.Assignments, c.Invitations = len(rels), len(asgs), len(invs)
	bad := func(format string, args ...any) { c.Violations = append(c.Violations, fmt.Sprintf(format, args...)) }
	for id := range rels {
		if !relIDs[id] {
			bad("relationship %s has no id item", id)
		}
	}
	for _, m := range decisions.Stale() {
		bad("decision record %s %s is missing or disagrees with its item", m.Record.PK, m.Record.SK)
	}
	for _, o := range decisions.Orphans() {
		bad("decision record %s %s has no item", o.Record.PK, o.Record.SK)
	}
	for id := range relIDs {
		if _, ok := rels[id]; !ok {
			bad("id item %s has no relationship", id)
		}
	}
	for _, a := range asgs {
		if a.RelationshipID == "" {
			continue
		}
		rel, ok := rels[a.RelationshipID]
		switch {
		case !ok:
			bad("assignment %s hangs off missing relationship %s", a.ID, a.RelationshipID)
		case rel.Status != tenancy.RelationshipActive:
			bad("assignment %s survives %s relationship %s", a.ID, rel.Status, rel.ID)
		}
	}
	for tenant, n := range hookCounts {
		if n != hooks[tenant] {
			bad("tenant %s counts %d webhooks but has %d", tenant, n, hooks[tenant])
		}
	}
	for _, r := range unindexed {
		bad("partner role %s is not in the partner-roles index (run cmd/backfill-decisions)", r)
	}
	for _, e := range invs {
		inv := e.Invitation
		if pending := inv.Status == tenancy.InvitationPending; pending != e.Scheduled {
			bad("invitation %s is %s but %s the schedule index", inv.ID, inv.Status, map[bool]string{true: "in", false: "not in"}[e.Scheduled])
		}
		if inv.Status == tenancy.InvitationAccepted {
			if _, ok := rels[inv.RelationshipID]; !ok {
				bad("accepted invitation %s has no relationship %q", inv.ID, inv.RelationshipID)
			}
		}
	}
	return c, nil
}
