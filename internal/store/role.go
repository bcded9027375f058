package store

import (
	"context"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// roleItem is a custom role: AUTHZ#T#H / ROLE#id, where H defined it for T.
// A partner's role (H ≠ T) also sits in T's partner-roles index (GSI2).
type roleItem struct {
	keys
	ID          string    `dynamodbav:"ID"`
	Name        string    `dynamodbav:"Name"`
	Description string    `dynamodbav:"Description"`
	TenantID    string    `dynamodbav:"TenantID"`
	DefinedBy   string    `dynamodbav:"DefinedBy"`
	Permissions []string  `dynamodbav:"Permissions"`
	BuiltIn     bool      `dynamodbav:"BuiltIn"`
	UpdatedAt   time.Time `dynamodbav:"UpdatedAt"`
	Version     int       `dynamodbav:"Version"`
}

func newRoleItem(r tenancy.CustomRole, version int) roleItem {
	k := keys{PK: authzPK(r.TenantID, r.DefinedBy), SK: roleSK(r.ID), Entity: entityRole}
	if r.DefinedBy != r.TenantID {
		k.GSI2PK, k.GSI2SK = partnerRolesPK(r.TenantID), partnerRoleSK(r.DefinedBy, r.ID)
	}
	return roleItem{keys: k, ID: r.ID, Name: r.Name, Description: r.Description, TenantID: r.TenantID, DefinedBy: r.DefinedBy,
		Permissions: r.Permissions, BuiltIn: r.BuiltIn, UpdatedAt: r.UpdatedAt, Version: version}
}

func (it roleItem) domain() tenancy.CustomRole {
	return tenancy.CustomRole{ID: it.ID, Name: it.Name, Description: it.Description, TenantID: it.TenantID, DefinedBy: it.DefinedBy,
		Permissions: it.Permissions, BuiltIn: it.BuiltIn, UpdatedAt: it.UpdatedAt, Version: it.Version}
}

// SaveRole implements tenancy.Store.
func (s *Store) SaveRole(ctx context.Context, r tenancy.CustomRole, msgs []events.Message) (tenancy.CustomRole, error) {
	cond, version := versioned(r.Version)
	txs, err := s.putWithDecision(newRoleItem(r, version), cond, roleRecordOf(r))
	if err != nil {
		return tenancy.CustomRole{}, err
	}
	if err := s.commit(ctx, txs, msgs); err != nil {
		return tenancy.CustomRole{}, err
	}
	r.Version = version
	return r, nil
}

// ListRoles implements tenancy.Store.
func (s *Store) ListRoles(ctx context.Context, tenant, definedBy string) ([]tenancy.CustomRole, error) {
	return all(ctx, s, query{pk: authzPK(tenant, definedBy), sk: beginsWith(prefixRole), batch: maxLimit}, roleItem.domain)
}

// ListPartnerRoles implements tenancy.Store: every role any partner defined
// in tenant, one query of GSI2 per 100 roles (eventually consistent, as
// every index read).
func (s *Store) ListPartnerRoles(ctx context.Context, tenant string) ([]tenancy.CustomRole, error) {
	return all(ctx, s, query{index: IndexGSI2, pk: partnerRolesPK(tenant), batch: maxLimit}, roleItem.domain)
}
