package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// The whole table, read item by item: what the operator's tools
// (internal/ops/backfill, internal/ops/invariants) read and write through,
// so the stored schema stays this package's alone.

// Scanner is the client call a scan of the table makes.
type Scanner interface {
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Key is an item's primary key.
type Key struct{ PK, SK string }

// Entry is one item of the table, decoded as far as the tools read it.
type Entry struct {
	Key  Key
	Kind Kind
	// ID is the id the key names: a relationship id item's relationship.
	ID string
	// Tenant is the tenant the key names: a webhook's, a webhook count's.
	Tenant string
	// Version is a versioned item's version.
	Version int
	// The entity, for the kinds that have one.
	Relationship tenancy.Relationship // KindRelationship
	Assignment   tenancy.Assignment   // KindAssignment
	Role         tenancy.CustomRole   // KindRole
	Invitation   tenancy.Invitation   // KindInvitation
	Count        int                  // KindWebhookCount
	// Scheduled says the item is in the schedule index (GSI3).
	Scheduled bool
	// PartnerRoleIndexed says a role carries its key of the partner-roles
	// index (GSI2): a role a partner saved before the index existed does not.
	PartnerRoleIndexed bool

	raw map[string]types.AttributeValue
}

// PartnerRole reports whether the entry is a role a partner defined: one
// that belongs in the customer's partner-roles index.
func (e Entry) PartnerRole() bool { return e.Kind == KindRole && e.Role.DefinedBy != e.Role.TenantID }

// Scan hands every item of the table to each, decoded, page by page.
func Scan(ctx context.Context, db Scanner, table string, each func(Entry) error) error {
	in := &dynamodb.ScanInput{TableName: &table}
	for {
		out, err := db.Scan(ctx, in)
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		for _, raw := range out.Items {
			e, err := decode(raw)
			if err != nil {
				return fmt.Errorf("%s %s: %w", e.Key.PK, e.Key.SK, err)
			}
			if err := each(e); err != nil {
				return err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func decode(raw map[string]types.AttributeValue) (Entry, error) {
	k := Key{str(raw[AttrPK]), str(raw[AttrSK])}
	p := parseKey(k.PK, k.SK)
	e := Entry{Key: k, Kind: p.kind, ID: p.id, Tenant: p.tenant, raw: raw, Scheduled: str(raw[AttrGSI3PK]) != ""}
	var err error
	switch p.kind {
	case KindRelationship:
		e.Relationship, err = unmarshal(raw, relationshipItem.domain)
		e.Version = e.Relationship.Version
	case KindAssignment:
		e.Assignment, err = unmarshal(raw, assignmentItem.domain)
		e.Version = e.Assignment.Version
	case KindRole:
		e.Role, err = unmarshal(raw, roleItem.domain)
		e.Version = e.Role.Version
		e.PartnerRoleIndexed = str(raw[AttrGSI2PK]) == partnerRolesPK(e.Role.TenantID)
	case KindInvitation:
		e.Invitation, err = unmarshal(raw, invitationItem.domain)
		e.Version = e.Invitation.Version
	case KindWebhookCount:
		e.Count, err = unmarshal(raw, func(it webhookCountItem) int { return it.Count })
	}
	return e, err
}

// IndexPartnerRoleTx gives a partner's role its key of the partner-roles
// index, on condition the role is still at the version scanned.
func (e Entry) IndexPartnerRoleTx(table string) types.TransactWriteItem {
	c := atVersion(e.Version)
	c.names["#pk"], c.names["#sk"] = AttrGSI2PK, AttrGSI2SK
	c.values[":pk"], c.values[":sk"] = text(partnerRolesPK(e.Role.TenantID)), text(partnerRoleSK(e.Role.DefinedBy, e.Role.ID))
	return types.TransactWriteItem{Update: &types.Update{TableName: &table, Key: key(e.Key.PK, e.Key.SK),
		UpdateExpression: aws.String("SET #pk = :pk, #sk = :sk"), ConditionExpression: c.expression(),
		ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values}}
}

// Mirror is the decision record a canonical item implies.
type Mirror struct {
	Record Key // the record's key
	Item   Key // the canonical item's
	// Version is the item's, as scanned.
	Version int
	attrs   map[string]types.AttributeValue
}

// mirror answers the decision record of a relationship, assignment or
// custom role.
func (e Entry) mirror() (Mirror, bool, error) {
	var record any
	switch e.Kind {
	case KindRelationship:
		record = linkOf(e.Relationship)
	case KindAssignment:
		record = grantOf(e.Assignment)
	case KindRole:
		record = roleRecordOf(e.Role)
	default:
		return Mirror{}, false, nil
	}
	attrs, err := marshal(record)
	if err != nil {
		return Mirror{}, false, err
	}
	return Mirror{Record: Key{str(attrs[AttrPK]), str(attrs[AttrSK])}, Item: e.Key, Version: e.Version, attrs: attrs}, true, nil
}

// WriteTx writes the record, on condition its item is still at the version
// scanned.
func (m Mirror) WriteTx(table string) []types.TransactWriteItem {
	c := atVersion(m.Version)
	return []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: key(m.Item.PK, m.Item.SK), ConditionExpression: c.expression(),
			ExpressionAttributeNames: c.names, ExpressionAttributeValues: c.values}},
		{Put: &types.Put{TableName: &table, Item: m.attrs}},
	}
}

// Reconciliation gathers, entry by entry of a scan, the decision records
// the canonical items imply and those the table holds: what it takes to make
// the records agree with their items.
type Reconciliation struct {
	want map[Key]Mirror // record key → what its item implies
	have map[Key]Entry  // record key → the record
}

// NewReconciliation starts an empty one.
func NewReconciliation() *Reconciliation {
	return &Reconciliation{want: map[Key]Mirror{}, have: map[Key]Entry{}}
}

// Add takes one entry of the scan into account.
func (r *Reconciliation) Add(e Entry) error {
	if _, _, ok := mirroredKey(parseKey(e.Key.PK, e.Key.SK)); ok {
		r.have[e.Key] = e
		return nil
	}
	m, ok, err := e.mirror()
	if err != nil {
		return fmt.Errorf("%s %s: %w", e.Key.PK, e.Key.SK, err)
	}
	if ok {
		r.want[m.Record] = m
	}
	return nil
}

// Stale answers the records that are missing or disagree with their items,
// in key order.
func (r *Reconciliation) Stale() []Mirror {
	var out []Mirror
	for k, m := range r.want {
		if !reflect.DeepEqual(r.have[k].raw, m.attrs) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b Mirror) int { return compareKeys(a.Record, b.Record) })
	return out
}

// Present counts the records that agree with their items.
func (r *Reconciliation) Present() int { return len(r.want) - len(r.Stale()) }

// Orphan is a decision record whose canonical item is gone.
type Orphan struct {
	Record Key
	Item   Key
}

// Orphans answers the records whose item is gone, in key order.
func (r *Reconciliation) Orphans() []Orphan {
	var out []Orphan
	for k := range r.have {
		if _, ok := r.want[k]; !ok {
			pk, sk, _ := mirroredKey(parseKey(k.PK, k.SK))
			out = append(out, Orphan{Record: k, Item: Key{pk, sk}})
		}
	}
	slices.SortFunc(out, func(a, b Orphan) int { return compareKeys(a.Record, b.Record) })
	return out
}

// RemoveTx removes the record, on condition its item is still absent.
func (o Orphan) RemoveTx(table string) []types.TransactWriteItem {
	return []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: key(o.Item.PK, o.Item.SK), ConditionExpression: isNew.expression()}},
		{Delete: &types.Delete{TableName: &table, Key: key(o.Record.PK, o.Record.SK)}},
	}
}

func compareKeys(a, b Key) int { return strings.Compare(a.PK+"\x00"+a.SK, b.PK+"\x00"+b.SK) }
