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
// a relationship or assignment whose decision record is missing or disagrees,
// a relationship without its id item (or the reverse), an accepted
// invitation without its relationship, an assignment under a relationship
// that is not active or does not exist, a pending invitation missing from the
// schedule index or a settled one still in it. Undelivered outbox events are
// counted (a quiet system has none). For soak runs and drills: it reads
// everything.
func CheckInvariants(ctx context.Context, db Scanner, table string) (Consistency, error) {
	var c Consistency
	rels := map[string]tenancy.Relationship{}
	relIDs := map[string]bool{}
	links := map[string]string{} // relationship id → status in its decision record
	grants := map[string]bool{}  // assignment ids with a decision record
	var invs []invitationItem
	var asgs []tenancy.Assignment
	in := &dynamodb.ScanInput{TableName: &table}
	for {
		out, err := db.Scan(ctx, in)
		if err != nil {
			return c, fmt.Errorf("scan: %w", err)
		}
		for _, raw := range out.Items {
			c.Items++
			pk, sk := str(raw[AttrPK]), str(raw[AttrSK])
			switch {
			case strings.HasPrefix(pk, "AUTHZ#") && strings.HasPrefix(sk, prefixRelationship):
				var it relationshipItem
				if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
					return c, err
				}
				rels[it.ID] = it.Relationship
			case strings.HasPrefix(pk, "REL#"):
				relIDs[strings.TrimPrefix(pk, "REL#")] = true
			case strings.HasPrefix(pk, "AUTHZ#") && strings.HasPrefix(sk, prefixAssignment):
				var it assignmentItem
				if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
					return c, err
				}
				asgs = append(asgs, it.Assignment)
			case strings.HasPrefix(pk, "INV#"):
				var it invitationItem
				if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
					return c, err
				}
				invs = append(invs, it)
			case strings.HasPrefix(pk, "OUTBOX#"):
				c.Pending++
			case strings.HasPrefix(pk, "DEC#") && strings.HasPrefix(sk, decLink):
				links[strings.TrimPrefix(sk, decLink)] = str(raw["s"])
			case strings.HasPrefix(pk, "DEC#") && strings.HasPrefix(sk, decGrant):
				grants[strings.TrimPrefix(sk, decGrant)] = true
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	c.Relationships, c.Assignments, c.Invitations = len(rels), len(asgs), len(invs)
	bad := func(format string, args ...any) { c.Violations = append(c.Violations, fmt.Sprintf(format, args...)) }
	for id, rel := range rels {
		if !relIDs[id] {
			bad("relationship %s has no id item", id)
		}
		if links[id] != rel.Status {
			bad("relationship %s is %s but its decision record says %q", id, rel.Status, links[id])
		}
	}
	if len(links) != len(rels) {
		bad("%d decision records of relationships for %d relationships", len(links), len(rels))
	}
	if len(grants) != len(asgs) {
		bad("%d decision records of assignments for %d assignments", len(grants), len(asgs))
	}
	for id := range relIDs {
		if _, ok := rels[id]; !ok {
			bad("id item %s has no relationship", id)
		}
	}
	for _, a := range asgs {
		if !grants[a.ID] {
			bad("assignment %s has no decision record", a.ID)
		}
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
