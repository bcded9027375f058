package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// DB is the part of the DynamoDB client the store calls.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
}

// Store is the single-table adapter.
type Store struct {
	db    DB
	table string
}

var _ tenancy.Store = (*Store)(nil)

// New returns a store over table.
func New(db DB, table string) *Store { return &Store{db: guarded{db}, table: table} }

// Page sizes.
const (
	defaultLimit = 50
	maxLimit     = 100
	batchSize    = 25
)

// Items. They embed the domain types, so attribute names are the domain's
// field names; keys and the item type sit beside them.

type keys struct {
	PK     string
	SK     string
	GSI1PK string `dynamodbav:",omitempty"`
	GSI1SK string `dynamodbav:",omitempty"`
	GSI2PK string `dynamodbav:",omitempty"`
	GSI2SK string `dynamodbav:",omitempty"`
	GSI3PK string `dynamodbav:",omitempty"`
	GSI3SK string `dynamodbav:",omitempty"`
	GSI4PK string `dynamodbav:",omitempty"`
	GSI4SK string `dynamodbav:",omitempty"`
	// Entity names the item's kind (tenant, invitation, …) for people
	// reading the table; no code path depends on it.
	Entity string
}

type tenantItem struct {
	keys
	tenancy.Tenant
}

type domainItem struct {
	keys
	TenantID string
}

type invitationItem struct {
	keys
	tenancy.Invitation
}

type relationshipIDItem struct {
	keys
	CustomerTenant string
	PartnerTenant  string
}

type relationshipItem struct {
	keys
	tenancy.Relationship
}

type assignmentItem struct {
	keys
	tenancy.Assignment
}

type roleItem struct {
	keys
	tenancy.CustomRole
}

const (
	typeTenant         = "tenant"
	typeDomain         = "domain"
	typeInvitation     = "invitation"
	typeRelationshipID = "relationship-id"
	typeRelationship   = "relationship"
	typeAssignment     = "assignment"
	typeRole           = "role"
	typeOutbox         = "outbox"
	typeAudit          = "audit"
)

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func newTenantItem(t tenancy.Tenant) tenantItem {
	pk, sk := tenantKey(t.ID)
	return tenantItem{keys{PK: pk, SK: sk, Entity: typeTenant}, t}
}

// A pending invitation sits in the schedule index until it is answered or
// expires; the item is always rewritten whole, so leaving the index is just a
// put without the GSI3 keys.
func newInvitationItem(inv tenancy.Invitation) invitationItem {
	pk, sk := invitationKey(inv.ID)
	at := listSK(stamp(inv.CreatedAt), inv.ID)
	k := keys{PK: pk, SK: sk, GSI1PK: invitationsFromPK(inv.FromTenant), GSI1SK: at, GSI2PK: invitationsToPK(inv.ToTenant), GSI2SK: at, Entity: typeInvitation}
	if inv.Status == tenancy.InvitationPending {
		k.GSI3PK, k.GSI3SK = schedulePK(scheduleInvitation, inv.ID), listSK(stamp(inv.ExpiresAt), inv.ID)
	}
	return invitationItem{k, inv}
}

func newRelationshipItem(r tenancy.Relationship) relationshipItem {
	at := listSK(stamp(r.CreatedAt), r.ID)
	k := keys{PK: authzPK(r.CustomerTenant, r.PartnerTenant), SK: relationshipSK(r.ID),
		GSI1PK: partnerPK(r.PartnerTenant), GSI1SK: at, GSI2PK: customerPK(r.CustomerTenant), GSI2SK: at, Entity: typeRelationship}
	if due, ok := r.ReviewAt(); ok {
		k.GSI3PK, k.GSI3SK = schedulePK(scheduleRelation, r.ID), listSK(stamp(due), r.ID)
	}
	return relationshipItem{k, r}
}

type outboxItem struct {
	keys
	EventID    string
	DetailType string
	OccurredAt time.Time
	Detail     string
}

func newOutboxItem(m events.Message) outboxItem {
	pk, sk := outboxKey(m.ID)
	return outboxItem{keys{PK: pk, SK: sk, GSI3PK: schedulePK(scheduleOutbox, m.ID), GSI3SK: listSK(stamp(m.Time), m.ID), Entity: typeOutbox},
		m.ID, string(m.Type), m.Time, string(m.Detail)}
}

// Delegated assignments also sit in their principal's switch-targets
// partition (GSI4), by customer; partner-defined roles in the customer's
// partner-roles index (GSI2).
func newAssignmentItem(a tenancy.Assignment) assignmentItem {
	k := keys{PK: authzPK(a.TenantID, a.HomeTenant), SK: assignmentSK(a.ID), Entity: typeAssignment}
	if a.RelationshipID != "" {
		k.GSI4PK, k.GSI4SK = targetsPK(a.HomeTenant, a.Principal), targetSK(a.TenantID, a.ID)
	}
	return assignmentItem{k, a}
}

func newRoleItem(r tenancy.CustomRole) roleItem {
	k := keys{PK: authzPK(r.TenantID, r.DefinedBy), SK: roleSK(r.ID), Entity: typeRole}
	if r.DefinedBy != r.TenantID {
		k.GSI2PK, k.GSI2SK = partnerRolesPK(r.TenantID), partnerRoleSK(r.DefinedBy, r.ID)
	}
	return roleItem{k, r}
}

// marshal encodes an item, leaving out empty lists, empty maps and nulls: they carry no
// information, and every byte left out is capacity not paid for on each read.
func marshal(v any) (map[string]types.AttributeValue, error) {
	m, err := attributevalue.MarshalMap(v)
	if err != nil {
		return nil, fmt.Errorf("marshal item: %w", err)
	}
	for name, av := range m {
		switch a := av.(type) {
		case *types.AttributeValueMemberNULL:
			delete(m, name)
		case *types.AttributeValueMemberL:
			if len(a.Value) == 0 {
				delete(m, name)
			}
		case *types.AttributeValueMemberM:
			if len(a.Value) == 0 {
				delete(m, name)
			}
		}
	}
	return m, nil
}

// Lists left out by marshal read back as empty, not null.
func (it assignmentItem) domain() tenancy.Assignment {
	a := it.Assignment
	a.Roles, a.Permissions = orEmpty(a.Roles), orEmpty(a.Permissions)
	return a
}

func (it relationshipItem) domain() tenancy.Relationship {
	r := it.Relationship
	r.PrimaryAdmins = orEmpty(r.PrimaryAdmins)
	return r
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: pk}, AttrSK: &types.AttributeValueMemberS{Value: sk}}
}

const (
	condNew     = "attribute_not_exists(" + AttrPK + ")"
	condVersion = AttrVersion + " = :prev"
)

func prevVersion(v int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{":prev": &types.AttributeValueMemberN{Value: fmt.Sprint(v - 1)}}
}

// translate turns DynamoDB's condition failures into the domain's ErrConflict.
func translate(err error) error {
	var ccf *types.ConditionalCheckFailedException
	var tce *types.TransactionCanceledException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ccf):
		return tenancy.ErrConflict
	case errors.As(err, &tce):
		for _, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" || aws.ToString(r.Code) == "TransactionConflict" {
				return tenancy.ErrConflict
			}
		}
	}
	return err
}

func (s *Store) get(ctx context.Context, pk, sk string, out any, what, id string) error {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return fmt.Errorf("get %s %s: %w", what, id, err)
	}
	if res.Item == nil {
		return fmt.Errorf("%w: %s %s", tenancy.ErrNotFound, what, id)
	}
	return attributevalue.UnmarshalMap(res.Item, out)
}

func (s *Store) putTx(item any, cond string, values map[string]types.AttributeValue) (types.TransactWriteItem, error) {
	m, err := marshal(item)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &s.table, Item: m, ConditionExpression: aws.String(cond), ExpressionAttributeValues: values}}, nil
}

// maxTransactItems is DynamoDB's limit on one TransactWriteItems.
const maxTransactItems = 100

// commit writes the change and its events atomically: the events go to the
// outbox in the same transaction, so a change never exists without its events
// and no event exists for a change that failed. A lone put stays a PutItem.
func (s *Store) commit(ctx context.Context, items []types.TransactWriteItem, msgs []events.Message) error {
	for _, m := range msgs {
		tx, err := s.putTx(newOutboxItem(m), condNew, nil)
		if err != nil {
			return err
		}
		items = append(items, tx)
	}
	if len(items) > maxTransactItems {
		return fmt.Errorf("a change of %d items exceeds one transaction", len(items))
	}
	if len(items) == 1 && items[0].Put != nil {
		p := items[0].Put
		_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression,
			ExpressionAttributeNames: p.ExpressionAttributeNames, ExpressionAttributeValues: p.ExpressionAttributeValues})
		return translate(err)
	}
	in := &dynamodb.TransactWriteItemsInput{TransactItems: items}
	if len(msgs) > 0 {
		// The SDK retries a transaction whose answer was lost; the token makes
		// DynamoDB treat the retry as the same request instead of failing its
		// conditions against its own first write. The first event's id is
		// unique to this change; tokens are shared by every table of the
		// account and region, so the table's name goes into it too.
		in.ClientRequestToken = aws.String(requestToken(s.table, msgs[0].ID))
	}
	_, err := s.db.TransactWriteItems(ctx, in)
	return translate(err)
}

// requestToken derives a transaction's idempotency token (at most 36
// characters) from the table and the change's first event id.
func requestToken(table, eventID string) string {
	sum := sha256.Sum256([]byte(table + "\x00" + eventID))
	return hex.EncodeToString(sum[:18])
}

// commitPut is commit for a change of one item.
func (s *Store) commitPut(ctx context.Context, item any, cond string, values map[string]types.AttributeValue, msgs []events.Message) error {
	tx, err := s.putTx(item, cond, values)
	if err != nil {
		return err
	}
	return s.commit(ctx, []types.TransactWriteItem{tx}, msgs)
}

// CreateTenant implements tenancy.Store.
func (s *Store) CreateTenant(ctx context.Context, t tenancy.Tenant, admins []tenancy.Assignment, msgs []events.Message) error {
	dpk, dsk := domainKey(t.Domain)
	var items []types.TransactWriteItem
	for _, v := range []any{newTenantItem(t), domainItem{keys{PK: dpk, SK: dsk, Entity: typeDomain}, t.ID}} {
		tx, err := s.putTx(v, condNew, nil)
		if err != nil {
			return err
		}
		items = append(items, tx)
	}
	for _, a := range admins {
		txs, err := s.putWithDecision(newAssignmentItem(a), condNew, nil, grantOf(a))
		if err != nil {
			return err
		}
		items = append(items, txs...)
	}
	return s.commit(ctx, items, msgs)
}

// GetTenant implements tenancy.Store.
func (s *Store) GetTenant(ctx context.Context, id string) (tenancy.Tenant, error) {
	var it tenantItem
	pk, sk := tenantKey(id)
	err := s.get(ctx, pk, sk, &it, "tenant", id)
	return it.Tenant, err
}

// TenantByDomain implements tenancy.Store.
func (s *Store) TenantByDomain(ctx context.Context, domain string) (tenancy.Tenant, error) {
	var d domainItem
	pk, sk := domainKey(strings.ToLower(domain))
	if err := s.get(ctx, pk, sk, &d, "domain", domain); err != nil {
		return tenancy.Tenant{}, err
	}
	return s.GetTenant(ctx, d.TenantID)
}

// CreateInvitation implements tenancy.Store.
func (s *Store) CreateInvitation(ctx context.Context, inv tenancy.Invitation, msgs []events.Message) error {
	return s.commitPut(ctx, newInvitationItem(inv), condNew, nil, msgs)
}

// GetInvitation implements tenancy.Store.
func (s *Store) GetInvitation(ctx context.Context, id string) (tenancy.Invitation, error) {
	var it invitationItem
	pk, sk := invitationKey(id)
	err := s.get(ctx, pk, sk, &it, "invitation", id)
	return it.Invitation, err
}

// UpdateInvitation implements tenancy.Store.
func (s *Store) UpdateInvitation(ctx context.Context, inv tenancy.Invitation, msgs []events.Message) error {
	return s.commitPut(ctx, newInvitationItem(inv), condVersion, prevVersion(inv.Version), msgs)
}

// ListInvitations implements tenancy.Store.
func (s *Store) ListInvitations(ctx context.Context, tenant, direction, status string, page tenancy.Page) (tenancy.List[tenancy.Invitation], error) {
	q := query{index: IndexGSI1, pkAttr: AttrGSI1PK, pk: invitationsFromPK(tenant), newestFirst: true}
	if direction == tenancy.Incoming {
		q = query{index: IndexGSI2, pkAttr: AttrGSI2PK, pk: invitationsToPK(tenant), newestFirst: true}
	}
	if status != "" {
		q.filterPath, q.filterValue = []string{"Status"}, status
	}
	return list[invitationItem, tenancy.Invitation](ctx, s, q, page, func(it invitationItem) tenancy.Invitation { return it.Invitation })
}

// AcceptInvitation implements tenancy.Store.
func (s *Store) AcceptInvitation(ctx context.Context, inv tenancy.Invitation, rel tenancy.Relationship, msgs []events.Message) error {
	pk, sk := relationshipIDKey(rel.ID)
	invTx, err := s.putTx(newInvitationItem(inv), condVersion, prevVersion(inv.Version))
	if err != nil {
		return err
	}
	idTx, err := s.putTx(relationshipIDItem{keys{PK: pk, SK: sk, Entity: typeRelationshipID}, rel.CustomerTenant, rel.PartnerTenant}, condNew, nil)
	if err != nil {
		return err
	}
	relTxs, err := s.putWithDecision(newRelationshipItem(rel), condNew, nil, linkOf(rel))
	if err != nil {
		return err
	}
	return s.commit(ctx, append([]types.TransactWriteItem{invTx, idTx}, relTxs...), msgs)
}

// GetRelationship implements tenancy.Store.
func (s *Store) GetRelationship(ctx context.Context, id string) (tenancy.Relationship, error) {
	var ref relationshipIDItem
	pk, sk := relationshipIDKey(id)
	if err := s.get(ctx, pk, sk, &ref, "relationship", id); err != nil {
		return tenancy.Relationship{}, err
	}
	var it relationshipItem
	err := s.get(ctx, authzPK(ref.CustomerTenant, ref.PartnerTenant), relationshipSK(id), &it, "relationship", id)
	return it.domain(), err
}

// ListRelationships implements tenancy.Store.
func (s *Store) ListRelationships(ctx context.Context, tenant, side string, page tenancy.Page) (tenancy.List[tenancy.Relationship], error) {
	q := query{index: IndexGSI1, pkAttr: AttrGSI1PK, pk: partnerPK(tenant), newestFirst: true}
	if side == tenancy.SideCustomer {
		q = query{index: IndexGSI2, pkAttr: AttrGSI2PK, pk: customerPK(tenant), newestFirst: true}
	}
	return list[relationshipItem, tenancy.Relationship](ctx, s, q, page, relationshipItem.domain)
}

// UpdateRelationship implements tenancy.Store.
func (s *Store) UpdateRelationship(ctx context.Context, rel tenancy.Relationship, msgs []events.Message) error {
	txs, err := s.putWithDecision(newRelationshipItem(rel), condVersion, prevVersion(rel.Version), linkOf(rel))
	if err != nil {
		return err
	}
	return s.commit(ctx, txs, msgs)
}

// CreateAssignment implements tenancy.Store.
func (s *Store) CreateAssignment(ctx context.Context, a tenancy.Assignment, msgs []events.Message) error {
	txs, err := s.putWithDecision(newAssignmentItem(a), condNew, nil, grantOf(a))
	if err != nil {
		return err
	}
	if a.RelationshipID == "" {
		return s.commit(ctx, txs, msgs)
	}
	check := types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                &s.table,
		Key:                      key(authzPK(a.TenantID, a.HomeTenant), relationshipSK(a.RelationshipID)),
		ConditionExpression:      aws.String("#status = :active"),
		ExpressionAttributeNames: map[string]string{"#status": "Status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":active": &types.AttributeValueMemberS{Value: tenancy.RelationshipActive},
		},
	}}
	return s.commit(ctx, append([]types.TransactWriteItem{check}, txs...), msgs)
}

// RemoveAssignment implements tenancy.Store: the delete and its events in one
// transaction; ErrNotFound when it is already gone.
func (s *Store) RemoveAssignment(ctx context.Context, a tenancy.Assignment, msgs []events.Message) error {
	del := types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(authzPK(a.TenantID, a.HomeTenant), assignmentSK(a.ID)),
		ConditionExpression: aws.String("attribute_exists(" + AttrPK + ")")}}
	items := []types.TransactWriteItem{del, s.decisionDelete(decisionPK(a.TenantID, a.HomeTenant), decGrant+a.ID)}
	if a.RelationshipID != "" {
		items = append(items, s.bumpEpoch(a.TenantID, a.HomeTenant))
	}
	err := s.commit(ctx, items, msgs)
	if errors.Is(err, tenancy.ErrConflict) {
		return fmt.Errorf("%w: assignment %s", tenancy.ErrNotFound, a.ID)
	}
	return err
}

// GetAssignment implements tenancy.Store.
func (s *Store) GetAssignment(ctx context.Context, tenant, home, id string) (tenancy.Assignment, error) {
	var it assignmentItem
	err := s.get(ctx, authzPK(tenant, home), assignmentSK(id), &it, "assignment", id)
	return it.domain(), err
}

// ListAssignments implements tenancy.Store.
func (s *Store) ListAssignments(ctx context.Context, tenant, home, relationshipID string, page tenancy.Page) (tenancy.List[tenancy.Assignment], error) {
	q := query{pkAttr: AttrPK, pk: authzPK(tenant, home), skPrefix: prefixAssignment}
	if relationshipID != "" {
		q.filterPath, q.filterValue = []string{"RelationshipID"}, relationshipID
	}
	return list[assignmentItem, tenancy.Assignment](ctx, s, q, page, assignmentItem.domain)
}

// DeleteAssignments implements tenancy.Store. Deleting an assignment that is
// already gone is not an error, so a removal can be repeated.
// The batches go four at a time.
func (s *Store) DeleteAssignments(ctx context.Context, tenant, home string, ids []string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for len(ids) > 0 {
		n := min(len(ids), batchSize/2) // each assignment is two deletes: it and its decision record
		reqs := make([]types.WriteRequest, 0, 2*n)
		for _, id := range ids[:n] {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(authzPK(tenant, home), assignmentSK(id))}},
				types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(decisionPK(tenant, home), decGrant+id)}})
		}
		ids = ids[n:]
		g.Go(func() error { return s.batchWrite(gctx, reqs) })
	}
	return g.Wait()
}

// batchWrite sends a batch and re-sends what DynamoDB left unprocessed, with
// backoff, until all is written or the context ends.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	wait := 20 * time.Millisecond
	for attempt := 0; len(reqs) > 0; attempt++ {
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.table: reqs}})
		if err != nil {
			return fmt.Errorf("batch write: %w", err)
		}
		reqs = out.UnprocessedItems[s.table]
		if len(reqs) == 0 {
			return nil
		}
		if attempt == 8 {
			return fmt.Errorf("batch write: %d items still unprocessed after %d attempts", len(reqs), attempt+1)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
	return nil
}

// SaveRole implements tenancy.Store.
func (s *Store) SaveRole(ctx context.Context, r tenancy.CustomRole, msgs []events.Message) error {
	cond, values := condNew, map[string]types.AttributeValue(nil)
	if r.Version > 1 {
		cond, values = condVersion, prevVersion(r.Version)
	}
	txs, err := s.putWithDecision(newRoleItem(r), cond, values, roleRecordOf(r))
	if err != nil {
		return err
	}
	return s.commit(ctx, txs, msgs)
}

// ListRoles implements tenancy.Store.
func (s *Store) ListRoles(ctx context.Context, tenant, definedBy string) ([]tenancy.CustomRole, error) {
	return listAll[roleItem, tenancy.CustomRole](ctx, s, query{pkAttr: AttrPK, pk: authzPK(tenant, definedBy), skPrefix: prefixRole},
		func(it roleItem) tenancy.CustomRole { return it.CustomRole })
}

// ListPartnerRoles implements tenancy.Store: every role any partner defined
// in tenant, one query of GSI2 per 100 roles (eventually consistent, as
// every index read).
func (s *Store) ListPartnerRoles(ctx context.Context, tenant string) ([]tenancy.CustomRole, error) {
	return listAll[roleItem, tenancy.CustomRole](ctx, s, query{index: IndexGSI2, pkAttr: AttrGSI2PK, pk: partnerRolesPK(tenant)},
		func(it roleItem) tenancy.CustomRole { return it.CustomRole })
}

// query describes one paginated Query.
type query struct {
	index        string
	pkAttr       string
	pk           string
	skPrefix     string
	skFrom, skTo string
	newestFirst  bool
	filterPath   []string // attribute path compared with filterValue
	filterValue  string
}

func list[I any, T any](ctx context.Context, s *Store, q query, page tenancy.Page, conv func(I) T) (tenancy.List[T], error) {
	limit := page.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": q.pkAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: q.pk}},
		ScanIndexForward:          aws.Bool(!q.newestFirst),
		Limit:                     aws.Int32(int32(limit)),
	}
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	} else {
		in.ConsistentRead = aws.Bool(true)
	}
	if q.skPrefix != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND begins_with(#sk, :sk)")
		in.ExpressionAttributeNames["#sk"] = AttrSK
		in.ExpressionAttributeValues[":sk"] = &types.AttributeValueMemberS{Value: q.skPrefix}
	}
	if q.skFrom != "" {
		in.KeyConditionExpression = aws.String("#pk = :pk AND #sk BETWEEN :from AND :to")
		in.ExpressionAttributeNames["#sk"] = AttrSK
		in.ExpressionAttributeValues[":from"] = &types.AttributeValueMemberS{Value: q.skFrom}
		in.ExpressionAttributeValues[":to"] = &types.AttributeValueMemberS{Value: q.skTo}
	}
	if page.Cursor != "" {
		start, err := decodeCursor(page.Cursor, q)
		if err != nil {
			return tenancy.List[T]{}, err
		}
		in.ExclusiveStartKey = start
	}
	res := tenancy.List[T]{Items: make([]T, 0, limit)}
	// A filter is applied here rather than as a FilterExpression: DynamoDB
	// charges for every item a Query reads either way, and filtering in code
	// lets a page hold up to limit matching items instead of limit read ones.
	// A sparse filter stops after maxFilteredReads and answers a cursor.
	for reads := 0; ; reads++ {
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return tenancy.List[T]{}, fmt.Errorf("query %s: %w", q.pk, err)
		}
		for i, raw := range out.Items {
			if len(q.filterPath) > 0 && stringAt(raw, q.filterPath) != q.filterValue {
				continue
			}
			var it I
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return tenancy.List[T]{}, err
			}
			res.Items = append(res.Items, conv(it))
			if len(res.Items) == limit {
				if i < len(out.Items)-1 || len(out.LastEvaluatedKey) > 0 {
					res.NextCursor = encodeCursor(keyOf(raw, q))
				}
				return res, nil
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return res, nil
		}
		if reads == maxFilteredReads {
			res.NextCursor = encodeCursor(out.LastEvaluatedKey)
			return res, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
		in.Limit = aws.Int32(int32(limit - len(res.Items)))
	}
}

// listAll reads every page of a list.
func listAll[I any, T any](ctx context.Context, s *Store, q query, conv func(I) T) ([]T, error) {
	var out []T
	page := tenancy.Page{Limit: maxLimit}
	for {
		l, err := list[I, T](ctx, s, q, page, conv)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Items...)
		if l.NextCursor == "" {
			return out, nil
		}
		page.Cursor = l.NextCursor
	}
}

// maxFilteredReads bounds the Queries one filtered page may make.
const maxFilteredReads = 10

// stringAt reads a string attribute at a path of map keys.
func stringAt(item map[string]types.AttributeValue, path []string) string {
	var v types.AttributeValue = &types.AttributeValueMemberM{Value: item}
	for _, name := range path {
		m, ok := v.(*types.AttributeValueMemberM)
		if !ok {
			return ""
		}
		v = m.Value[name]
	}
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// keyOf is the key of an item as a Query on q would report it last evaluated.
func keyOf(item map[string]types.AttributeValue, q query) map[string]types.AttributeValue {
	k := map[string]types.AttributeValue{AttrPK: item[AttrPK], AttrSK: item[AttrSK]}
	if q.index != "" {
		sk := strings.Replace(q.pkAttr, "PK", "SK", 1)
		k[q.pkAttr], k[sk] = item[q.pkAttr], item[sk]
	}
	return k
}

// Cursors are the last evaluated key, base64url JSON. Every key of this table
// is a string, and a cursor is accepted only for the list that gave it out:
// its partition must be the one queried.
func encodeCursor(k map[string]types.AttributeValue) string {
	plain := make(map[string]string, len(k))
	for name, v := range k {
		if sv, ok := v.(*types.AttributeValueMemberS); ok {
			plain[name] = sv.Value
		}
	}
	b, _ := json.Marshal(plain)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(c string, q query) (map[string]types.AttributeValue, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) > 2048 {
		return nil, tenancy.ErrBadCursor
	}
	var plain map[string]string
	if err := json.Unmarshal(b, &plain); err != nil {
		return nil, tenancy.ErrBadCursor
	}
	allowed := map[string]bool{AttrPK: true, AttrSK: true}
	if q.index != "" {
		allowed[q.pkAttr] = true
		allowed[strings.Replace(q.pkAttr, "PK", "SK", 1)] = true
	}
	if plain[q.pkAttr] != q.pk || len(plain) != len(allowed) {
		return nil, tenancy.ErrBadCursor
	}
	out := make(map[string]types.AttributeValue, len(plain))
	for name, v := range plain {
		if !allowed[name] {
			return nil, tenancy.ErrBadCursor
		}
		out[name] = &types.AttributeValueMemberS{Value: v}
	}
	if q.skPrefix != "" && !strings.HasPrefix(plain[AttrSK], q.skPrefix) {
		return nil, tenancy.ErrBadCursor
	}
	if q.skFrom != "" && (plain[AttrSK] < q.skFrom || plain[AttrSK] > q.skTo) {
		return nil, tenancy.ErrBadCursor // a cursor of another time window
	}
	return out, nil
}
