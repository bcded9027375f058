package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// assignmentItem is an assignment: AUTHZ#T#H / ASG#id. A delegated one also
// sits in its principal's switch-targets partition (GSI4), by customer.
type assignmentItem struct {
	keys
	ID             string         `dynamodbav:"ID"`
	TenantID       string         `dynamodbav:"TenantID"`
	HomeTenant     string         `dynamodbav:"HomeTenant"`
	RelationshipID string         `dynamodbav:"RelationshipID"`
	Principal      string         `dynamodbav:"Principal"`
	Roles          []string       `dynamodbav:"Roles"`
	Permissions    []string       `dynamodbav:"Permissions"`
	Scope          []string       `dynamodbav:"Scope"`
	Eligible       bool           `dynamodbav:"Eligible"`
	MaxActivation  *time.Duration `dynamodbav:"MaxActivation"`
	CreatedAt      time.Time      `dynamodbav:"CreatedAt"`
	CreatedBy      actor          `dynamodbav:"CreatedBy"`
	Version        int            `dynamodbav:"Version"`
}

// Attributes of an assignment that filters and conditions read.
const (
	attrAssignmentRelationship = "RelationshipID"
	attrAssignmentEligible     = "Eligible"
)

func newAssignmentItem(a tenancy.Assignment, version int) assignmentItem {
	k := keys{PK: authzPK(a.TenantID, a.HomeTenant), SK: assignmentSK(a.ID), Entity: entityAssignment}
	if a.RelationshipID != "" {
		k.GSI4PK, k.GSI4SK = targetsPK(a.HomeTenant, a.Principal), targetSK(a.TenantID, a.ID)
	}
	return assignmentItem{keys: k, ID: a.ID, TenantID: a.TenantID, HomeTenant: a.HomeTenant, RelationshipID: a.RelationshipID, Principal: a.Principal,
		Roles: a.Roles, Permissions: a.Permissions, Scope: a.Scope, Eligible: a.Eligible, MaxActivation: optionalDuration(a.MaxActivation),
		CreatedAt: a.CreatedAt, CreatedBy: actorOf(a.CreatedBy), Version: version}
}

// Lists left out by marshal read back as empty, not null.
func (it assignmentItem) domain() tenancy.Assignment {
	return tenancy.Assignment{ID: it.ID, TenantID: it.TenantID, HomeTenant: it.HomeTenant, RelationshipID: it.RelationshipID, Principal: it.Principal,
		Roles: orEmpty(it.Roles), Permissions: orEmpty(it.Permissions), Scope: it.Scope, Eligible: it.Eligible, MaxActivation: periodOf(it.MaxActivation),
		CreatedAt: it.CreatedAt, CreatedBy: it.CreatedBy.domain(), Version: it.Version}
}

// assignmentPut is the creation of a with its decision record. Assignments
// are never rewritten: a change is a removal and a new one.
func (s *Store) assignmentPut(a tenancy.Assignment) ([]types.TransactWriteItem, error) {
	cond, version := versioned(0)
	a.Version = version
	return s.putWithDecision(newAssignmentItem(a, version), cond, grantOf(a))
}

// CreateAssignment implements tenancy.Store.
func (s *Store) CreateAssignment(ctx context.Context, a tenancy.Assignment, msgs []events.Message) error {
	txs, err := s.assignmentPut(a)
	if err != nil {
		return err
	}
	if a.RelationshipID == "" {
		return s.commit(ctx, txs, msgs)
	}
	return s.commit(ctx, append([]types.TransactWriteItem{s.activeCheck(a.TenantID, a.HomeTenant, a.RelationshipID)}, txs...), msgs)
}

// CreateDelegatedAssignment implements tenancy.Store: the assignment, its
// decision record and its events, in one transaction that holds only while
// the relationship is active and still at relVersion — the version whose
// ceiling and scope the assignment was checked against. A narrowing (or
// any other change) committed in between fails it with ErrConflict, so no
// assignment ever outlives the terms it was checked against.
func (s *Store) CreateDelegatedAssignment(ctx context.Context, a tenancy.Assignment, relVersion int, msgs []events.Message) error {
	txs, err := s.assignmentPut(a)
	if err != nil {
		return err
	}
	at := condition{expr: "#st = :st AND #ver = :ver", names: map[string]string{"#st": attrRelationshipStatus, "#ver": AttrVersion},
		values: map[string]types.AttributeValue{":st": text(tenancy.RelationshipActive), ":ver": number(relVersion)}}
	check := s.checkTx(authzPK(a.TenantID, a.HomeTenant), relationshipSK(a.RelationshipID), at)
	return s.commit(ctx, append([]types.TransactWriteItem{check}, txs...), msgs)
}

// RemoveAssignment implements tenancy.Store: the delete and its events in one
// transaction; ErrNotFound when it is already gone.
func (s *Store) RemoveAssignment(ctx context.Context, a tenancy.Assignment, msgs []events.Message) error {
	items := []types.TransactWriteItem{
		s.deleteTx(authzPK(a.TenantID, a.HomeTenant), assignmentSK(a.ID), exists),
		s.deleteTx(decisionPK(a.TenantID, a.HomeTenant), grantSK(a.ID), condition{}),
	}
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
func (s *Store) ListAssignments(ctx context.Context, tenant, home, relationshipID string, p tenancy.Page) (tenancy.List[tenancy.Assignment], error) {
	q := query{pk: authzPK(tenant, home), sk: beginsWith(prefixAssignment)}
	if relationshipID != "" {
		q.filter = filter{path: []string{attrAssignmentRelationship}, value: relationshipID}
	}
	return page(ctx, s, q, p, assignmentItem.domain)
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
			reqs = append(reqs, deleteRequest(authzPK(tenant, home), assignmentSK(id)), deleteRequest(decisionPK(tenant, home), grantSK(id)))
		}
		ids = ids[n:]
		g.Go(func() error { return s.batchWrite(gctx, reqs) })
	}
	return g.Wait()
}

// PrincipalGrants implements tenancy.Store: the principal's delegated
// assignments in tenant, from its partition of the targets index.
func (s *Store) PrincipalGrants(ctx context.Context, tenant, home, principal string) ([]tenancy.Assignment, error) {
	return all(ctx, s, query{index: IndexGSI4, pk: targetsPK(home, principal), sk: beginsWith(targetsIn(tenant))}, assignmentItem.domain)
}
