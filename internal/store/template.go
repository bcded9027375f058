package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// templateItem is an invitation template: TEMPLATES#tenant / TPL#id.
type templateItem struct {
	keys
	ID            string         `dynamodbav:"ID"`
	TenantID      string         `dynamodbav:"TenantID"`
	Name          string         `dynamodbav:"Name"`
	Roles         []string       `dynamodbav:"Roles"`
	Scope         []string       `dynamodbav:"Scope"`
	Duration      time.Duration  `dynamodbav:"Duration"`
	AutoExtend    *time.Duration `dynamodbav:"AutoExtend"`
	RequireMFA    bool           `dynamodbav:"RequireMFA"`
	GroupMappings []mappingItem  `dynamodbav:"GroupMappings"`
	CreatedAt     time.Time      `dynamodbav:"CreatedAt"`
	UpdatedAt     time.Time      `dynamodbav:"UpdatedAt"`
	UpdatedBy     actor          `dynamodbav:"UpdatedBy"`
	Version       int            `dynamodbav:"Version"`
}

// mappingItem is a tenancy.GroupMapping as templates and invitations store
// it; no Scope means the relationship's.
type mappingItem struct {
	Principal string   `dynamodbav:"Principal"`
	Roles     []string `dynamodbav:"Roles"`
	Scope     []string `dynamodbav:"Scope,omitempty"`
}

func mappingItems(ms []tenancy.GroupMapping) []mappingItem {
	out := make([]mappingItem, len(ms))
	for i, m := range ms {
		out[i] = mappingItem{Principal: m.Principal, Roles: m.Roles, Scope: m.Scope}
	}
	return out
}

// mappingsOf reads mappings back; none reads as nil (the invitation was not
// made from a template, or the template has no mappings).
func mappingsOf(ms []mappingItem) []tenancy.GroupMapping {
	if len(ms) == 0 {
		return nil
	}
	out := make([]tenancy.GroupMapping, len(ms))
	for i, m := range ms {
		out[i] = tenancy.GroupMapping{Principal: m.Principal, Roles: orEmpty(m.Roles), Scope: m.Scope}
	}
	return out
}

func newTemplateItem(t tenancy.InvitationTemplate, version int) templateItem {
	return templateItem{keys: keys{PK: templatesPK(t.TenantID), SK: templateSK(t.ID), Entity: entityTemplate}, ID: t.ID, TenantID: t.TenantID,
		Name: t.Name, Roles: t.Roles, Scope: t.Scope, Duration: time.Duration(t.Duration), AutoExtend: optionalDuration(t.AutoExtend),
		RequireMFA: t.RequireMFA, GroupMappings: mappingItems(t.GroupMappings), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		UpdatedBy: actorOf(t.UpdatedBy), Version: version}
}

func (it templateItem) domain() tenancy.InvitationTemplate {
	ms := mappingsOf(it.GroupMappings)
	if ms == nil {
		ms = []tenancy.GroupMapping{}
	}
	return tenancy.InvitationTemplate{ID: it.ID, TenantID: it.TenantID, Name: it.Name, Roles: orEmpty(it.Roles), Scope: orEmpty(it.Scope),
		Duration: period.Duration(it.Duration), AutoExtend: periodOf(it.AutoExtend), RequireMFA: it.RequireMFA, GroupMappings: ms,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, UpdatedBy: it.UpdatedBy.domain(), Version: it.Version}
}

// SaveTemplate implements tenancy.Store.
func (s *Store) SaveTemplate(ctx context.Context, t tenancy.InvitationTemplate, msgs []events.Message) (tenancy.InvitationTemplate, error) {
	cond, version := versioned(t.Version)
	if err := s.commitPut(ctx, newTemplateItem(t, version), cond, msgs); err != nil {
		return tenancy.InvitationTemplate{}, err
	}
	t.Version = version
	return t, nil
}

// GetTemplate implements tenancy.Store.
func (s *Store) GetTemplate(ctx context.Context, tenant, id string) (tenancy.InvitationTemplate, error) {
	var it templateItem
	err := s.get(ctx, templatesPK(tenant), templateSK(id), &it, "template", id)
	return it.domain(), err
}

// ListTemplates implements tenancy.Store: a tenant's templates by id.
func (s *Store) ListTemplates(ctx context.Context, tenant string, p tenancy.Page) (tenancy.List[tenancy.InvitationTemplate], error) {
	return page(ctx, s, query{pk: templatesPK(tenant), sk: beginsWith(prefixTemplate)}, p, templateItem.domain)
}

// claimItem holds (partner, template, customer) for the invitation from
// the template pending to the customer: TPLCLAIM#P#T#C / CLAIM. It is never
// deleted when the invitation is answered: a later invitation takes it over
// once the one it names is no longer pending, and TTL removes it a day after
// that invitation's expiry.
type claimItem struct {
	keys
	InvitationID string    `dynamodbav:"InvitationID"`
	ExpiresAt    time.Time `dynamodbav:"ExpiresAt"`
	TTL          int64     `dynamodbav:"ttl"`
}

// attrClaimInvitation is what a takeover of a claim is conditioned on.
const attrClaimInvitation = "InvitationID"

// CreateTemplateInvitation implements tenancy.Store: the invitation, its
// claim and its events in one transaction.
func (s *Store) CreateTemplateInvitation(ctx context.Context, inv tenancy.Invitation, replaces string, msgs []events.Message) error {
	inv.Version = 0
	invTx, _, err := s.invitationPut(inv)
	if err != nil {
		return err
	}
	pk, sk := templateClaimKey(inv.PartnerTenant, inv.TemplateID, inv.CustomerTenant)
	cond := isNew
	if replaces != "" {
		cond = equals(attrClaimInvitation, text(replaces))
	}
	claimTx, err := s.putTx(claimItem{keys: keys{PK: pk, SK: sk, Entity: entityTemplateClaim}, InvitationID: inv.ID, ExpiresAt: inv.ExpiresAt,
		TTL: inv.ExpiresAt.Add(24 * time.Hour).Unix()}, cond)
	if err != nil {
		return err
	}
	return s.commit(ctx, []types.TransactWriteItem{invTx, claimTx}, msgs)
}

// TemplateClaim implements tenancy.Store.
func (s *Store) TemplateClaim(ctx context.Context, partner, template, customer string) (string, error) {
	var it claimItem
	pk, sk := templateClaimKey(partner, template, customer)
	err := s.get(ctx, pk, sk, &it, "template claim", template+"/"+customer)
	return it.InvitationID, err
}
