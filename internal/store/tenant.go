package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// tenantItem is a tenant: TENANT#id / TENANT.
type tenantItem struct {
	keys
	ID     string `dynamodbav:"ID"`
	Name   string `dynamodbav:"Name"`
	Domain string `dynamodbav:"Domain"`
	MSP    bool   `dynamodbav:"MSP"`
	// Workspaces is absent on tenants set up without them (and on every
	// tenant stored before workspaces existed).
	Workspaces []string  `dynamodbav:"Workspaces,omitempty"`
	Status     string    `dynamodbav:"Status"`
	CreatedAt  time.Time `dynamodbav:"CreatedAt"`
	Version    int       `dynamodbav:"Version"`
}

// Attributes of a tenant that requests name.
const (
	attrTenantID   = "ID"
	attrTenantName = "Name"
)

// domainItem claims a domain for one tenant: DOMAIN#domain / DOMAIN.
type domainItem struct {
	keys
	TenantID string `dynamodbav:"TenantID"`
}

func newTenantItem(t tenancy.Tenant, version int) tenantItem {
	pk, sk := tenantKey(t.ID)
	return tenantItem{keys: keys{PK: pk, SK: sk, Entity: entityTenant}, ID: t.ID, Name: t.Name, Domain: t.Domain, MSP: t.MSP, Workspaces: t.Workspaces,
		Status: t.Status, CreatedAt: t.CreatedAt, Version: version}
}

func (it tenantItem) domain() tenancy.Tenant {
	return tenancy.Tenant{ID: it.ID, Name: it.Name, Domain: it.Domain, MSP: it.MSP, Workspaces: it.Workspaces, Status: it.Status, CreatedAt: it.CreatedAt, Version: it.Version}
}

// CreateTenant implements tenancy.Store.
func (s *Store) CreateTenant(ctx context.Context, t tenancy.Tenant, admins []tenancy.Assignment, msgs []events.Message) error {
	dpk, dsk := domainKey(t.Domain)
	cond, version := versioned(0)
	var items []types.TransactWriteItem
	for _, v := range []any{newTenantItem(t, version), domainItem{keys{PK: dpk, SK: dsk, Entity: entityDomain}, t.ID}} {
		tx, err := s.putTx(v, cond)
		if err != nil {
			return err
		}
		items = append(items, tx)
	}
	for _, a := range admins {
		txs, err := s.assignmentPut(a)
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
	return it.domain(), err
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

// tenantNames answers the names of tenants by id, one BatchGetItem per 100.
func (s *Store) tenantNames(ctx context.Context, ids []string) (map[string]string, error) {
	names := map[string]string{}
	for start := 0; start < len(ids); start += 100 {
		keysIn := []map[string]types.AttributeValue{}
		for _, id := range ids[start:min(len(ids), start+100)] {
			keysIn = append(keysIn, key(tenantKey(id)))
		}
		req := map[string]types.KeysAndAttributes{s.table: {Keys: keysIn, ProjectionExpression: aws.String("#id, #n"),
			ExpressionAttributeNames: map[string]string{"#id": attrTenantID, "#n": attrTenantName}}}
		for attempt := 0; len(req) > 0; attempt++ {
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
			if err != nil {
				return nil, fmt.Errorf("tenant names: %w", err)
			}
			for _, raw := range out.Responses[s.table] {
				names[str(raw[attrTenantID])] = str(raw[attrTenantName])
			}
			req = out.UnprocessedKeys
			if attempt == 8 && len(req) > 0 {
				return nil, fmt.Errorf("tenant names: keys still unprocessed after %d attempts", attempt+1)
			}
		}
	}
	return names, nil
}
