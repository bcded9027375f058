package httpapi

import (
	"encoding/json"
	"time"

	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Views: the JSON of each answer (openapi.yaml's schemas), built from the
// domain value. Domain types carry no JSON tags, so renaming a field of
// theirs changes no answer; what the console and clients read is here.

// list is every list in a view: it renders as a JSON array, [] when empty —
// the one place where "none" becomes [] rather than null.
type list[T any] []T

func (l list[T]) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]T(l))
}

// each views every element of a domain list.
func each[D, V any](ds []D, view func(D) V) list[V] {
	if ds == nil {
		return nil
	}
	out := make(list[V], len(ds))
	for i, d := range ds {
		out[i] = view(d)
	}
	return out
}

type pageView[V any] struct {
	Items      list[V] `json:"items"`
	NextCursor string  `json:"nextCursor,omitempty"`
}

func viewPage[D, V any](l tenancy.List[D], view func(D) V) pageView[V] {
	return pageView[V]{Items: each(l.Items, view), NextCursor: l.NextCursor}
}

// switchTargetsView is a page of switch targets; reason and detail say why
// a caller who may not use the switcher sees none.
type switchTargetsView struct {
	pageView[switchTargetView]
	Reason access.Reason `json:"reason,omitempty"`
	Detail string        `json:"detail,omitempty"`
}

func viewSwitchTargets(l tenancy.SwitchTargets) switchTargetsView {
	return switchTargetsView{pageView: viewPage(l.List, viewSwitchTarget), Reason: l.Reason, Detail: l.Detail}
}

// viewAll views a whole list as one page.
func viewAll[D, V any](ds []D, view func(D) V) pageView[V] {
	return pageView[V]{Items: each(ds, view)}
}

type actorView struct {
	User   string `json:"user"`
	Tenant string `json:"tenant"`
}

func viewActor(a tenancy.Actor) actorView { return actorView{User: a.User, Tenant: a.Tenant} }

type tenantView struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Domain     string       `json:"domain"`
	MSP        bool         `json:"msp"`
	Workspaces list[string] `json:"workspaces"`
	Status     string       `json:"status"`
	CreatedAt  time.Time    `json:"createdAt"`
}

func viewTenant(t tenancy.Tenant) tenantView {
	return tenantView{ID: t.ID, Name: t.Name, Domain: t.Domain, MSP: t.MSP, Workspaces: t.Workspaces, Status: t.Status, CreatedAt: t.CreatedAt}
}

type invitationView struct {
	ID             string           `json:"id"`
	Kind           string           `json:"kind"`
	Status         string           `json:"status"`
	FromTenant     string           `json:"fromTenantId"`
	ToTenant       string           `json:"toTenantId"`
	As             string           `json:"as"`
	PartnerTenant  string           `json:"partnerTenantId"`
	CustomerTenant string           `json:"customerTenantId"`
	Roles          list[string]     `json:"roles"`
	Scope          list[string]     `json:"scope"`
	Duration       period.Duration  `json:"duration"`
	AutoExtend     *period.Duration `json:"autoExtend,omitempty"`
	RequireMFA     bool             `json:"requireMfa"`
	ExpiresAt      time.Time        `json:"expiresAt"`
	CreatedAt      time.Time        `json:"createdAt"`
	CreatedBy      actorView        `json:"createdBy"`
	UpdatedAt      time.Time        `json:"updatedAt"`
	RelationshipID string           `json:"relationshipId,omitempty"`
	// From a template (templates.go): its id, and the mappings accepting
	// will turn into assignments.
	TemplateID    string                 `json:"templateId,omitempty"`
	GroupMappings list[groupMappingView] `json:"groupMappings,omitempty"`
}

func viewInvitation(i tenancy.Invitation) invitationView {
	return invitationView{ID: i.ID, Kind: i.Kind, Status: i.Status, FromTenant: i.FromTenant, ToTenant: i.ToTenant, As: i.As,
		PartnerTenant: i.PartnerTenant, CustomerTenant: i.CustomerTenant, Roles: i.Roles, Scope: i.Scope, Duration: i.Duration,
		AutoExtend: i.AutoExtend, RequireMFA: i.RequireMFA, ExpiresAt: i.ExpiresAt, CreatedAt: i.CreatedAt, CreatedBy: viewActor(i.CreatedBy),
		UpdatedAt: i.UpdatedAt, RelationshipID: i.RelationshipID, TemplateID: i.TemplateID, GroupMappings: each(i.GroupMappings, viewGroupMapping)}
}

type ceilingRoleView struct {
	ID          string       `json:"id"`
	Permissions list[string] `json:"permissions"`
}

type relationshipView struct {
	ID             string                `json:"id"`
	Kind           string                `json:"kind"`
	Status         string                `json:"status"`
	PartnerTenant  string                `json:"partnerTenantId"`
	PartnerName    string                `json:"partnerName"`
	CustomerTenant string                `json:"customerTenantId"`
	CustomerName   string                `json:"customerName"`
	InvitationID   string                `json:"invitationId"`
	Ceiling        list[ceilingRoleView] `json:"ceiling"`
	Scope          list[string]          `json:"scope"`
	StartsAt       time.Time             `json:"startsAt"`
	EndsAt         time.Time             `json:"endsAt"`
	AutoExtend     *period.Duration      `json:"autoExtend,omitempty"`
	RequireMFA     bool                  `json:"requireMfa"`
	PrimaryAdmins  list[string]          `json:"primaryAdmins"`
	CreatedAt      time.Time             `json:"createdAt"`
	UpdatedAt      time.Time             `json:"updatedAt"`
	EndedAt        *time.Time            `json:"endedAt,omitempty"`
	EndedBy        *actorView            `json:"endedBy,omitempty"`
	// Privileges is "none" once the customer narrowed the ceiling to
	// nothing (the relationship kept, no delegated privileges), else
	// "delegated".
	Privileges string `json:"privileges"`
	// PruningAssignments: a narrowing is still bringing the assignments
	// under it inside (decisions already deny what fell outside).
	PruningAssignments bool `json:"pruningAssignments,omitempty"`
}

func viewRelationship(r tenancy.Relationship) relationshipView {
	v := relationshipView{ID: r.ID, Kind: r.Kind, Status: r.Status, PartnerTenant: r.PartnerTenant, PartnerName: r.PartnerName,
		CustomerTenant: r.CustomerTenant, CustomerName: r.CustomerName, InvitationID: r.InvitationID,
		Ceiling: each(r.Ceiling, func(c tenancy.CeilingRole) ceilingRoleView {
			return ceilingRoleView{ID: c.ID, Permissions: c.Permissions}
		}),
		Scope: r.Scope, StartsAt: r.StartsAt, EndsAt: r.EndsAt, AutoExtend: r.AutoExtend, RequireMFA: r.RequireMFA, PrimaryAdmins: r.PrimaryAdmins,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, EndedAt: r.EndedAt, Privileges: r.Privileges(),
		PruningAssignments: r.PruneAssignments && r.Status == tenancy.RelationshipActive}
	if r.EndedBy != nil {
		by := viewActor(*r.EndedBy)
		v.EndedBy = &by
	}
	return v
}

type assignmentView struct {
	ID             string           `json:"id"`
	TenantID       string           `json:"tenantId"`
	HomeTenant     string           `json:"principalTenantId"`
	RelationshipID string           `json:"relationshipId,omitempty"`
	Principal      string           `json:"principal"`
	Roles          list[string]     `json:"roles"`
	Permissions    list[string]     `json:"permissions"`
	Scope          list[string]     `json:"scope"`
	Eligible       bool             `json:"eligible"`
	MaxActivation  *period.Duration `json:"maxActivation,omitempty"`
	CreatedAt      time.Time        `json:"createdAt"`
	CreatedBy      actorView        `json:"createdBy"`
}

func viewAssignment(a tenancy.Assignment) assignmentView {
	return assignmentView{ID: a.ID, TenantID: a.TenantID, HomeTenant: a.HomeTenant, RelationshipID: a.RelationshipID, Principal: a.Principal,
		Roles: a.Roles, Permissions: a.Permissions, Scope: a.Scope, Eligible: a.Eligible, MaxActivation: a.MaxActivation,
		CreatedAt: a.CreatedAt, CreatedBy: viewActor(a.CreatedBy)}
}

type roleView struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	TenantID    string       `json:"tenantId,omitempty"`
	DefinedBy   string       `json:"definedBy,omitempty"`
	Permissions list[string] `json:"permissions"`
	BuiltIn     bool         `json:"builtIn"`
	UpdatedAt   time.Time    `json:"updatedAt,omitzero"`
}

func viewRole(r tenancy.CustomRole) roleView {
	return roleView{ID: r.ID, Name: r.Name, Description: r.Description, TenantID: r.TenantID, DefinedBy: r.DefinedBy,
		Permissions: r.Permissions, BuiltIn: r.BuiltIn, UpdatedAt: r.UpdatedAt}
}

type auditRecordView struct {
	ID             string          `json:"id"`
	TenantID       string          `json:"tenantId"`
	Type           string          `json:"type"`
	OccurredAt     time.Time       `json:"occurredAt"`
	Actor          actorView       `json:"actor"`
	Tenants        list[string]    `json:"tenants"`
	RelationshipID string          `json:"relationshipId,omitempty"`
	RequestID      string          `json:"requestId,omitempty"`
	Outcome        string          `json:"outcome"`
	Detail         json.RawMessage `json:"detail"`
}

func viewAuditRecord(a tenancy.AuditRecord) auditRecordView {
	return auditRecordView{ID: a.ID, TenantID: a.TenantID, Type: a.Type, OccurredAt: a.OccurredAt, Actor: viewActor(a.Actor), Tenants: a.Tenants,
		RelationshipID: a.RelationshipID, RequestID: a.RequestID, Outcome: a.Outcome, Detail: a.Detail}
}

type webhookView struct {
	ID         string       `json:"id"`
	TenantID   string       `json:"tenantId"`
	URL        string       `json:"url"`
	EventTypes list[string] `json:"eventTypes"`
	Status     string       `json:"status"`
	CreatedAt  time.Time    `json:"createdAt"`
	CreatedBy  actorView    `json:"createdBy"`
	// Secret is set only in the answer to the subscription's creation.
	Secret              string     `json:"secret,omitempty"`
	ConsecutiveFailures int        `json:"consecutiveFailures"`
	LastError           string     `json:"lastError,omitempty"`
	LastDeliveryAt      *time.Time `json:"lastDeliveryAt,omitempty"`
	DisabledAt          *time.Time `json:"disabledAt,omitempty"`
}

func viewWebhook(w tenancy.Webhook) webhookView {
	return webhookView{ID: w.ID, TenantID: w.TenantID, URL: w.URL, EventTypes: w.EventTypes, Status: w.Status, CreatedAt: w.CreatedAt,
		CreatedBy: viewActor(w.CreatedBy), Secret: w.Secret, ConsecutiveFailures: w.ConsecutiveFailures, LastError: w.LastError,
		LastDeliveryAt: w.LastDeliveryAt, DisabledAt: w.DisabledAt}
}

type webhookDeliveryView struct {
	WebhookID  string        `json:"webhookId"`
	EventID    string        `json:"eventId"`
	EventType  string        `json:"eventType"`
	Attempt    int           `json:"attempt"`
	At         time.Time     `json:"at"`
	StatusCode int           `json:"statusCode,omitempty"`
	Error      string        `json:"error,omitempty"`
	Duration   time.Duration `json:"durationNs"`
	Delivered  bool          `json:"delivered"`
}

func viewWebhookDelivery(d tenancy.WebhookDelivery) webhookDeliveryView {
	return webhookDeliveryView{WebhookID: d.WebhookID, EventID: d.EventID, EventType: d.EventType, Attempt: d.Attempt, At: d.At,
		StatusCode: d.StatusCode, Error: d.Error, Duration: d.Duration, Delivered: d.Delivered}
}

type eligibleGrantView struct {
	AssignmentID  string           `json:"assignmentId"`
	Roles         list[string]     `json:"roles"`
	MaxActivation *period.Duration `json:"maxActivation,omitempty"`
}

type switchTargetView struct {
	TenantID       string                  `json:"tenantId"`
	TenantName     string                  `json:"tenantName"`
	RelationshipID string                  `json:"relationshipId"`
	Status         string                  `json:"status"`
	Roles          list[string]            `json:"roles"`
	Scope          list[string]            `json:"scope"`
	EndsAt         time.Time               `json:"endsAt"`
	RequireMFA     bool                    `json:"requireMfa"`
	Eligible       list[eligibleGrantView] `json:"eligible"`
}

func viewSwitchTarget(t tenancy.SwitchTarget) switchTargetView {
	return switchTargetView{TenantID: t.TenantID, TenantName: t.TenantName, RelationshipID: t.RelationshipID, Status: t.Status,
		Roles: t.Roles, Scope: t.Scope, EndsAt: t.EndsAt, RequireMFA: t.RequireMFA,
		Eligible: each(t.Eligible, func(g tenancy.EligibleGrant) eligibleGrantView {
			return eligibleGrantView{AssignmentID: g.AssignmentID, Roles: g.Roles, MaxActivation: g.MaxActivation}
		})}
}

// tokenGrantView is a grant as the switch token carries it (internal/token
// writes the same names as claims).
type tokenGrantView struct {
	Assignment string       `json:"asg"`
	Roles      list[string] `json:"roles"`
	Perms      list[string] `json:"perms"`
	Scope      list[string] `json:"scope"`
}

type switchResultView struct {
	Token          string               `json:"token"`
	ExpiresAt      time.Time            `json:"expiresAt"`
	TenantID       string               `json:"tenantId"`
	RelationshipID string               `json:"relationshipId"`
	SessionID      string               `json:"sessionId"`
	Roles          list[string]         `json:"roles"`
	Scope          list[string]         `json:"scope"`
	Permissions    list[string]         `json:"permissions"`
	Grants         list[tokenGrantView] `json:"grants"`
	Activated      list[string]         `json:"activated,omitempty"`
}

func viewSwitchResult(r tenancy.SwitchResult) switchResultView {
	return switchResultView{Token: r.Token, ExpiresAt: r.ExpiresAt, TenantID: r.TenantID, RelationshipID: r.RelationshipID, SessionID: r.SessionID,
		Roles: r.Roles, Scope: r.Scope, Permissions: r.Permissions,
		Grants: each(r.Grants, func(g tenancy.TokenGrant) tokenGrantView {
			return tokenGrantView{Assignment: g.Assignment, Roles: g.Roles, Perms: g.Perms, Scope: g.Scope}
		}),
		Activated: r.Activated}
}

// organizationTemplate is read (in a creation's body) and answered alike.
type organizationTemplate struct {
	AutoRedeem  bool `json:"autoRedeem"`
	AllowSyncIn bool `json:"allowSyncIn"`
}

type memberView struct {
	TenantID string     `json:"tenantId"`
	State    string     `json:"state"`
	Owner    bool       `json:"owner"`
	AddedAt  time.Time  `json:"addedAt"`
	AddedBy  actorView  `json:"addedBy"`
	JoinedAt *time.Time `json:"joinedAt,omitempty"`
}

func viewMember(m tenancy.Member) memberView {
	return memberView{TenantID: m.TenantID, State: m.State, Owner: m.Owner, AddedAt: m.AddedAt, AddedBy: viewActor(m.AddedBy), JoinedAt: m.JoinedAt}
}

type organizationView struct {
	ID        string               `json:"id"`
	Name      string               `json:"name"`
	Owners    list[string]         `json:"owners"`
	Template  organizationTemplate `json:"template"`
	CreatedAt time.Time            `json:"createdAt"`
	CreatedBy actorView            `json:"createdBy"`
	Members   list[memberView]     `json:"members"`
}

func viewOrganization(o tenancy.Organization) organizationView {
	return organizationView{ID: o.ID, Name: o.Name, Owners: o.Owners,
		Template:  organizationTemplate{AutoRedeem: o.Template.AutoRedeem, AllowSyncIn: o.Template.AllowSyncIn},
		CreatedAt: o.CreatedAt, CreatedBy: viewActor(o.CreatedBy), Members: each(o.Members, viewMember)}
}

type crossTenantAccessView struct {
	TenantID          string    `json:"tenantId"`
	PartnerTenantID   string    `json:"partnerTenantId"`
	OrganizationID    string    `json:"organizationId"`
	AutoRedeem        bool      `json:"autoRedeem"`
	AllowSyncIn       bool      `json:"allowSyncIn"`
	SyncConfiguration string    `json:"syncConfiguration"`
	SyncJob           bool      `json:"syncJob"`
	CreatedAt         time.Time `json:"createdAt"`
}

func viewCrossTenantAccess(x tenancy.CrossTenantAccess) crossTenantAccessView {
	return crossTenantAccessView{TenantID: x.TenantID, PartnerTenantID: x.PartnerTenantID, OrganizationID: x.OrganizationID, AutoRedeem: x.AutoRedeem,
		AllowSyncIn: x.AllowSyncIn, SyncConfiguration: x.SyncConfiguration, SyncJob: x.SyncJob, CreatedAt: x.CreatedAt}
}

type viaView struct {
	RelationshipID string `json:"relationshipId,omitempty"`
	AssignmentID   string `json:"assignmentId,omitempty"`
	RoleID         string `json:"roleId,omitempty"`
}

type checkResultView struct {
	Allowed bool          `json:"allowed"`
	Reason  access.Reason `json:"reason"`
	Via     *viaView      `json:"via,omitempty"`
}

func viewCheckResult(r tenancy.CheckResult) checkResultView {
	v := checkResultView{Allowed: r.Allowed, Reason: r.Reason}
	if r.Via != nil {
		v.Via = &viaView{RelationshipID: r.Via.RelationshipID, AssignmentID: r.Via.AssignmentID, RoleID: r.Via.RoleID}
	}
	return v
}

// checkResultsView answers a batch of checks, in the order asked.
type checkResultsView struct {
	Results list[checkResultView] `json:"results"`
}
