package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// Scanner is the client call the invariant check needs.
type Scanner interface {
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Consistency is what the invariant check read and found.
type Consistency struct {
	Items         int
	Relationships int
	Assignments   int
	Invitations   int
	Pending       int // outbox events not yet delivered
	Violations    []string
}

// CheckInvariants scans the whole table and reports every broken invariant:
// a decision record missing, disagreeing with its item or left without one,
// a relationship without its id item (or the reverse), an accepted
// invitation without its relationship, an assignment under a relationship
// that is not active or does not exist, a pending invitation missing from the
// schedule index or a settled one still in it, a partner-defined role
// missing from the partner-roles index. Undelivered outbox events are
// counted (a quiet system has none). For soak runs and drills: it reads
// everything.
func CheckInvariants(ctx context.Context, db Scanner, table string) (Consistency, error) {
	var c Consistency
	rels := map[string]tenancy.Relationship{}
	relIDs := map[string]bool{}
	decisions := newDecisionState()
	var invs []invitationItem
	var asgs []tenancy.Assignment
	var unindexed []string         // partner roles missing from the partner-roles index
	hooks := map[string]int{}      // webhook subscriptions per tenant
	hookCounts := map[string]int{} // the stored count per tenant, where there is one
	err := scanTable(ctx, db, table, func(raw map[string]types.AttributeValue) error {
		c.Items++
		if err := decisions.add(raw); err != nil {
			return err
		}
		pk, sk := str(raw[AttrPK]), str(raw[AttrSK])
		switch {
		case strings.HasPrefix(pk, "AUTHZ#") && strings.HasPrefix(sk, prefixRelationship):
			var it relationshipItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return err
			}
			rels[it.ID] = it.Relationship
		case strings.HasPrefix(pk, "REL#"):
			relIDs[strings.TrimPrefix(pk, "REL#")] = true
		case strings.HasPrefix(pk, "AUTHZ#") && strings.HasPrefix(sk, prefixAssignment):
			var it assignmentItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return err
			}
			asgs = append(asgs, it.Assignment)
		case strings.HasPrefix(pk, "INV#"):
			var it invitationItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return err
			}
			invs = append(invs, it)
		case strings.HasPrefix(pk, "OUTBOX#"):
			c.Pending++
		case strings.HasPrefix(pk, "WEBHOOK#") && strings.HasPrefix(sk, "SUB#"):
			hooks[strings.TrimPrefix(pk, "WEBHOOK#")]++
		case strings.HasPrefix(pk, "WEBHOOK#") && sk == webhookCountSK():
			var it webhookCountItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return err
			}
			hookCounts[strings.TrimPrefix(pk, "WEBHOOK#")] = it.Count
		}
		if role, partner, err := partnerRoleOf(raw); err != nil {
			return err
		} else if partner && role.GSI2PK != partnerRolesPK(role.TenantID) {
			unindexed = append(unindexed, role.TenantID+"/"+role.DefinedBy+"/"+role.ID)
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
	for _, k := range decisions.stale() {
		bad("decision record %s %s is missing or disagrees with its item", k[0], k[1])
	}
	for _, k := range decisions.orphans() {
		bad("decision record %s %s has no item", k[0], k[1])
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
	for _, it := range invs {
		pending := it.Status == tenancy.InvitationPending
		if pending != (it.GSI3PK != "") {
			bad("invitation %s is %s but %s the schedule index", it.ID, it.Status, map[bool]string{true: "in", false: "not in"}[it.GSI3PK != ""])
		}
		if it.Status == tenancy.InvitationAccepted {
			if _, ok := rels[it.RelationshipID]; !ok {
				bad("accepted invitation %s has no relationship %q", it.ID, it.RelationshipID)
			}
		}
	}
	return c, nil
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
