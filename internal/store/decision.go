package store

import (
	"context"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Decision records: what check-access reads, kept apart from the canonical
// items in a partition of their own, DEC#T#H, with short attribute names and
// nothing a decision does not use — no timestamps, names or index keys. A
// partner's relationship and 20 assignments then fit in one 4 KB strongly
// consistent read unit (the canonical items would take two). Every write of a
// relationship, assignment or custom role writes its decision record in the
// same transaction.

// activationRecord is one user's activation of an eligible assignment,
// A#<assignment>#<user>; DynamoDB's TTL removes it a day after it ends.
type activationRecord struct {
	PK    string `dynamodbav:"PK"`
	SK    string `dynamodbav:"SK"`
	Until int64  `dynamodbav:"u"`
	TTL   int64  `dynamodbav:"ttl"`
}

func activationOf(a tenancy.Activation) activationRecord {
	return activationRecord{PK: decisionPK(a.TenantID, a.HomeTenant), SK: activationSK(a.AssignmentID, a.User),
		Until: unixNano(a.Until), TTL: a.Until.Add(24 * time.Hour).Unix()}
}

// epochRecord counts removals of grants in a partition (E): a switch
// conditions its commit on the count it read.
type epochRecord struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
	N  int    `dynamodbav:"n"`
}

// attrEpoch is the epoch record's count.
const attrEpoch = "n"

type linkRecord struct {
	PK      string              `dynamodbav:"PK"`
	SK      string              `dynamodbav:"SK"`
	Kind    string              `dynamodbav:"k"`
	Status  string              `dynamodbav:"s"`
	EndsAt  int64               `dynamodbav:"e"`
	Ceiling map[string][]string `dynamodbav:"c"`
	Scope   []string            `dynamodbav:"sc"`
	MFA     bool                `dynamodbav:"m,omitempty"`
}

type grantRecord struct {
	PK            string   `dynamodbav:"PK"`
	SK            string   `dynamodbav:"SK"`
	Principal     string   `dynamodbav:"p"`
	Roles         []string `dynamodbav:"r,omitempty"`
	Permissions   []string `dynamodbav:"x,omitempty"`
	Scope         []string `dynamodbav:"sc"`
	Relationship  string   `dynamodbav:"l,omitempty"`
	Eligible      bool     `dynamodbav:"el,omitempty"`
	MaxActivation int64    `dynamodbav:"ma,omitempty"`
	Version       int      `dynamodbav:"v"`
}

type roleRecord struct {
	PK    string   `dynamodbav:"PK"`
	SK    string   `dynamodbav:"SK"`
	Perms []string `dynamodbav:"n"`
}

func linkOf(r tenancy.Relationship) linkRecord {
	c := make(map[string][]string, len(r.Ceiling))
	for _, role := range r.Ceiling {
		c[role.ID] = role.Permissions
	}
	return linkRecord{PK: decisionPK(r.CustomerTenant, r.PartnerTenant), SK: linkSK(r.ID), Kind: r.Kind, Status: r.Status,
		EndsAt: unixNano(r.EndsAt), Ceiling: c, Scope: r.Scope, MFA: r.RequireMFA}
}

func grantOf(a tenancy.Assignment) grantRecord {
	g := grantRecord{PK: decisionPK(a.TenantID, a.HomeTenant), SK: grantSK(a.ID), Principal: a.Principal, Roles: a.Roles,
		Permissions: a.Permissions, Scope: a.Scope, Relationship: a.RelationshipID, Eligible: a.Eligible, Version: a.Version}
	if a.MaxActivation != nil {
		g.MaxActivation = int64(*a.MaxActivation)
	}
	return g
}

// unixNano stores a time as nanoseconds, the zero time as 0 (UnixNano of
// the zero time is undefined).
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func roleRecordOf(r tenancy.CustomRole) roleRecord {
	return roleRecord{PK: decisionPK(r.TenantID, r.DefinedBy), SK: roleRecordSK(r.ID), Perms: r.Permissions}
}

func (l linkRecord) domain(k parsed) tenancy.Relationship {
	r := tenancy.Relationship{ID: k.id, Kind: l.Kind, Status: l.Status, CustomerTenant: k.tenant, PartnerTenant: k.home,
		EndsAt: fromUnixNano(l.EndsAt), Scope: orEmpty(l.Scope), RequireMFA: l.MFA}
	ids := make([]string, 0, len(l.Ceiling))
	for id := range l.Ceiling {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r.Ceiling = append(r.Ceiling, tenancy.CeilingRole{ID: id, Permissions: l.Ceiling[id]})
	}
	return r
}

func (g grantRecord) domain(k parsed) tenancy.Assignment {
	a := tenancy.Assignment{ID: k.id, TenantID: k.tenant, HomeTenant: k.home, RelationshipID: g.Relationship,
		Principal: g.Principal, Roles: orEmpty(g.Roles), Permissions: orEmpty(g.Permissions), Scope: orEmpty(g.Scope), Eligible: g.Eligible,
		Version: g.Version}
	if g.MaxActivation > 0 {
		d := period.Duration(g.MaxActivation)
		a.MaxActivation = &d
	}
	return a
}

// putWithDecision is the conditional put of a canonical item followed by the
// put of its decision record, for one transaction.
func (s *Store) putWithDecision(item any, c condition, record any) ([]types.TransactWriteItem, error) {
	put, err := s.putTx(item, c)
	if err != nil {
		return nil, err
	}
	// The record's put is unconditional: its canonical item carries the
	// conditions.
	dec, err := s.putTx(record, condition{})
	if err != nil {
		return nil, err
	}
	return []types.TransactWriteItem{put, dec}, nil
}

// LoadPartition implements tenancy.Store: one consistent Query of the
// decision records (more only past DynamoDB's 1 MB page). What it answers
// carries what a decision needs; read canonical items for the rest.
func (s *Store) LoadPartition(ctx context.Context, tenant, home string) (tenancy.Partition, error) {
	var p tenancy.Partition
	err := s.each(ctx, query{pk: decisionPK(tenant, home)}, func(raw map[string]types.AttributeValue) error {
		k := parseKey(str(raw[AttrPK]), str(raw[AttrSK]))
		var err error
		switch k.kind {
		case KindLink:
			err = decodeInto(raw, &p.Relationships, func(l linkRecord) tenancy.Relationship { return l.domain(k) })
		case KindGrant:
			err = decodeInto(raw, &p.Assignments, func(g grantRecord) tenancy.Assignment { return g.domain(k) })
		case KindRoleRecord:
			err = decodeInto(raw, &p.Roles, func(r roleRecord) tenancy.CustomRole {
				return tenancy.CustomRole{ID: k.id, TenantID: tenant, DefinedBy: home, Permissions: r.Perms}
			})
		case KindActivation:
			err = decodeInto(raw, &p.Activations, func(a activationRecord) tenancy.Activation {
				return tenancy.Activation{AssignmentID: k.id, TenantID: tenant, HomeTenant: home, User: k.user, Until: fromUnixNano(a.Until)}
			})
		case KindEpoch:
			p.Epoch, err = unmarshal(raw, func(e epochRecord) int { return e.N })
		}
		return err
	})
	return p, err
}

// bumpEpoch counts one more removal of a grant in the (tenant, home)
// partition: a switch that read the partition before it no longer commits.
func (s *Store) bumpEpoch(tenant, home string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(decisionPK(tenant, home), decEpoch),
		UpdateExpression:          aws.String("ADD #n :one"),
		ExpressionAttributeNames:  map[string]string{"#n": attrEpoch},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": number(1)}}}
}

// epochCheck conditions a transaction on the partition's epoch being the
// one read (0: never bumped).
func (s *Store) epochCheck(tenant, home string, epoch int) types.TransactWriteItem {
	if epoch == 0 {
		return s.checkTx(decisionPK(tenant, home), decEpoch, isNew)
	}
	return s.checkTx(decisionPK(tenant, home), decEpoch, equals(attrEpoch, number(epoch)))
}
