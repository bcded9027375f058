package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// NarrowRelationship implements tenancy.Store: the relationship read at
// rel.Version and its link record, the partition's epoch counted up (a
// switch that decided on the wider ceiling no longer commits) and the
// events, in one transaction.
func (s *Store) NarrowRelationship(ctx context.Context, rel tenancy.Relationship, msgs []events.Message) (tenancy.Relationship, error) {
	txs, version, err := s.relationshipPut(rel)
	if err != nil {
		return tenancy.Relationship{}, err
	}
	txs = append(txs, s.bumpEpoch(rel.CustomerTenant, rel.PartnerTenant))
	if err := s.commit(ctx, txs, msgs); err != nil {
		return tenancy.Relationship{}, err
	}
	rel.Version = version
	return rel, nil
}

// ReplaceAssignments implements tenancy.Store: each assignment rewritten on
// condition it is still at the version read, with its grant record, all in
// one transaction (at most 49 assignments).
func (s *Store) ReplaceAssignments(ctx context.Context, as []tenancy.Assignment) error {
	if len(as) == 0 {
		return nil
	}
	if 2*len(as) > maxTransactItems {
		return fmt.Errorf("replace %d assignments: at most %d in one transaction", len(as), maxTransactItems/2)
	}
	var txs []types.TransactWriteItem
	for _, a := range as {
		cond, version := versioned(a.Version)
		if a.Version == 0 {
			return fmt.Errorf("replace assignment %s: it carries no version read", a.ID)
		}
		a.Version = version
		pair, err := s.putWithDecision(newAssignmentItem(a, version), cond, grantOf(a))
		if err != nil {
			return err
		}
		txs = append(txs, pair...)
	}
	return s.commit(ctx, txs, nil)
}

// ListRelationshipsWhere implements tenancy.Store: ListRelationships with
// the domain's filter applied in code, the page read on until it is full.
func (s *Store) ListRelationshipsWhere(ctx context.Context, tenant, side string, keep func(tenancy.Relationship) bool, p tenancy.Page) (tenancy.List[tenancy.Relationship], error) {
	return pageWhere(ctx, s, relationshipsQuery(tenant, side), p, relationshipItem.domain, keep)
}
