package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

func orgPK(id string) string             { return "ORG#" + id }
func memberSK(tenant string) string      { return "MEMBER#" + tenant }
func crossAccessPK(tenant string) string { return "XTA#" + tenant }
func crossAccessSK(partner string) string {
	return "PARTNER#" + partner
}

const orgSK = "ORG"

type organizationItem struct {
	keys
	tenancy.Organization
}

type memberItem struct {
	keys
	OrganizationID string
	tenancy.Member
}

type crossAccessItem struct {
	keys
	tenancy.CrossTenantAccess
}

func newOrganizationItem(o tenancy.Organization) organizationItem {
	o.Members = nil
	return organizationItem{keys{PK: orgPK(o.ID), SK: orgSK, Entity: "organization"}, o}
}

func newMemberItem(org string, m tenancy.Member) memberItem {
	return memberItem{keys{PK: orgPK(org), SK: memberSK(m.TenantID), Entity: "member"}, org, m}
}

// CreateOrganization implements tenancy.Store.
func (s *Store) CreateOrganization(ctx context.Context, org tenancy.Organization, owner tenancy.Member, msgs []events.Message) error {
	o, err := s.putTx(newOrganizationItem(org), condNew, nil)
	if err != nil {
		return err
	}
	m, err := s.putTx(newMemberItem(org.ID, owner), condNew, nil)
	if err != nil {
		return err
	}
	return s.commit(ctx, []types.TransactWriteItem{o, m}, msgs)
}

// GetOrganization implements tenancy.Store: the organisation item and its
// members share a partition, so one consistent Query reads them all.
func (s *Store) GetOrganization(ctx context.Context, id string) (tenancy.Organization, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": AttrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: orgPK(id)}},
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		return tenancy.Organization{}, fmt.Errorf("query organisation %s: %w", id, err)
	}
	var org tenancy.Organization
	found := false
	for _, raw := range out.Items {
		switch sk := str(raw[AttrSK]); {
		case sk == orgSK:
			var it organizationItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return org, err
			}
			members := org.Members
			org, found = it.Organization, true
			org.Members = members
		case strings.HasPrefix(sk, "MEMBER#"):
			var it memberItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return org, err
			}
			org.Members = append(org.Members, it.Member)
		}
	}
	if !found {
		return tenancy.Organization{}, fmt.Errorf("%w: organization %s", tenancy.ErrNotFound, id)
	}
	if org.Members == nil {
		org.Members = []tenancy.Member{}
	}
	return org, nil
}

// SaveMembers implements tenancy.Store: the organisation's version guards the
// whole change, so membership edits are serialised per organisation.
func (s *Store) SaveMembers(ctx context.Context, org tenancy.Organization, members []tenancy.Member, removed []string, msgs []events.Message) error {
	o, err := s.putTx(newOrganizationItem(org), condVersion, prevVersion(org.Version))
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{o}
	for _, m := range members {
		cond, values := condNew, map[string]types.AttributeValue(nil)
		if m.Version > 1 {
			cond, values = condVersion, prevVersion(m.Version)
		}
		tx, err := s.putTx(newMemberItem(org.ID, m), cond, values)
		if err != nil {
			return err
		}
		items = append(items, tx)
	}
	for _, t := range removed {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(orgPK(org.ID), memberSK(t))}})
	}
	return s.commit(ctx, items, msgs)
}

// SaveCrossTenantAccess implements tenancy.Store.
func (s *Store) SaveCrossTenantAccess(ctx context.Context, settings []tenancy.CrossTenantAccess, msgs []events.Message) error {
	var items []types.TransactWriteItem
	for _, x := range settings {
		tx, err := s.putTx(crossAccessItem{keys{PK: crossAccessPK(x.TenantID), SK: crossAccessSK(x.PartnerTenantID), Entity: "cross-tenant-access"}, x}, condNew, nil)
		if err != nil {
			return err
		}
		items = append(items, tx)
	}
	return s.commit(ctx, items, msgs)
}

// ListCrossTenantAccess implements tenancy.Store: every page.
func (s *Store) ListCrossTenantAccess(ctx context.Context, tenant string) ([]tenancy.CrossTenantAccess, error) {
	return listAll[crossAccessItem, tenancy.CrossTenantAccess](ctx, s, query{pkAttr: AttrPK, pk: crossAccessPK(tenant)},
		func(it crossAccessItem) tenancy.CrossTenantAccess { return it.CrossTenantAccess })
}

// DeleteCrossTenantAccess implements tenancy.Store; ErrNotFound when there
// are no such settings.
func (s *Store) DeleteCrossTenantAccess(ctx context.Context, tenant, partner string, msgs []events.Message) error {
	del := types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(crossAccessPK(tenant), crossAccessSK(partner)),
		ConditionExpression: aws.String("attribute_exists(" + AttrPK + ")")}}
	err := s.commit(ctx, []types.TransactWriteItem{del}, msgs)
	if errors.Is(err, tenancy.ErrConflict) {
		return fmt.Errorf("%w: cross-tenant access of %s toward %s", tenancy.ErrNotFound, tenant, partner)
	}
	return err
}
