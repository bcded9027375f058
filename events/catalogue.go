// Package events is the event catalogue: the source, every detail type, one
// versioned payload struct per type, and the rules that route them to the
// consumers. Producers, consumers, the local bus and the CDK stack read it from
// here; no detail-type string appears anywhere else.
package events

import "time"

// Source is the EventBridge source of every Switchboard event.
const Source = "switchboard"

// SchemaVersion is the version of every payload below; a breaking change to a
// payload makes a new version and a new schema file.
const SchemaVersion = 1

// DetailType names an event.
type DetailType string

// Detail types, PascalCase and past tense.
const (
	DetailTypeTenantCreated          DetailType = "TenantCreated"
	DetailTypeInvitationCreated      DetailType = "InvitationCreated"
	DetailTypeInvitationAccepted     DetailType = "InvitationAccepted"
	DetailTypeInvitationDeclined     DetailType = "InvitationDeclined"
	DetailTypeInvitationCancelled    DetailType = "InvitationCancelled"
	DetailTypeInvitationExpired      DetailType = "InvitationExpired"
	DetailTypeRelationshipActivated  DetailType = "RelationshipActivated"
	DetailTypeRelationshipTerminated DetailType = "RelationshipTerminated"
	DetailTypeRelationshipExpired    DetailType = "RelationshipExpired"
	DetailTypeRelationshipExtended   DetailType = "RelationshipExtended"
	DetailTypeRelationshipExpiring   DetailType = "RelationshipExpiring"
	DetailTypeRoleAssigned           DetailType = "RoleAssigned"
	DetailTypeRoleAssignmentRemoved  DetailType = "RoleAssignmentRemoved"
	DetailTypeCustomRoleSaved        DetailType = "CustomRoleSaved"
	DetailTypeWebhookDisabled        DetailType = "WebhookDisabled"
	DetailTypeWebhookCreated         DetailType = "WebhookCreated"
	DetailTypeWebhookDeleted         DetailType = "WebhookDeleted"
	DetailTypeAssignmentActivated    DetailType = "AssignmentActivated"
	DetailTypeTenantSwitched         DetailType = "TenantSwitched"
	DetailTypeSwitchSessionsRevoked  DetailType = "SwitchSessionsRevoked"
	DetailTypeAccessDenied           DetailType = "AccessDenied"

	DetailTypeInvitationTemplateSaved DetailType = "InvitationTemplateSaved"

	DetailTypeOrganizationCreated         DetailType = "OrganizationCreated"
	DetailTypeOrganizationTenantAdded     DetailType = "OrganizationTenantAdded"
	DetailTypeOrganizationJoinRequested   DetailType = "OrganizationJoinRequested"
	DetailTypeOrganizationJoined          DetailType = "OrganizationJoined"
	DetailTypeOrganizationLeft            DetailType = "OrganizationLeft"
	DetailTypeOrganizationOwnerAdded      DetailType = "OrganizationOwnerAdded"
	DetailTypeCrossTenantAccessConfigured DetailType = "CrossTenantAccessConfigured"
	DetailTypeCrossTenantAccessRemoved    DetailType = "CrossTenantAccessRemoved"
)

// Actor is who caused an event: a user and its home tenant. Scheduled work
// acts as the user "switchboard" of the operator tenant.
type Actor struct {
	User   string `json:"user"`
	Tenant string `json:"tenant"`
}

// Meta is carried by every payload.
type Meta struct {
	SchemaVersion int       `json:"schemaVersion"`
	EventID       string    `json:"eventId"`
	OccurredAt    time.Time `json:"occurredAt"`
	Actor         Actor     `json:"actor"`
	// Tenants are the tenants concerned; each gets the event in its audit.
	Tenants        []string `json:"tenants"`
	RelationshipID string   `json:"relationshipId,omitempty"`
	RequestID      string   `json:"requestId,omitempty"`
}

// Base answers the common part of a payload.
func (m Meta) Base() Meta { return m }

// Payload is implemented by every payload struct.
type Payload interface {
	Base() Meta
	DetailType() DetailType
}

// Tenant as events describe it.
type Tenant struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Domain     string   `json:"domain"`
	MSP        bool     `json:"msp"`
	Workspaces []string `json:"workspaces,omitempty"`
}

// Invitation as events describe it.
type Invitation struct {
	ID             string    `json:"id"`
	Kind           string    `json:"kind"`
	Status         string    `json:"status"`
	FromTenant     string    `json:"fromTenantId"`
	ToTenant       string    `json:"toTenantId"`
	PartnerTenant  string    `json:"partnerTenantId"`
	CustomerTenant string    `json:"customerTenantId"`
	Roles          []string  `json:"roles"`
	Scope          []string  `json:"scope"`
	ExpiresAt      time.Time `json:"expiresAt"`
	// TemplateID names the template the invitation was made from.
	TemplateID string `json:"templateId,omitempty"`
}

// Relationship as events describe it.
type Relationship struct {
	ID             string    `json:"id"`
	Kind           string    `json:"kind"`
	Status         string    `json:"status"`
	PartnerTenant  string    `json:"partnerTenantId"`
	CustomerTenant string    `json:"customerTenantId"`
	Roles          []string  `json:"roles"`
	Scope          []string  `json:"scope"`
	StartsAt       time.Time `json:"startsAt"`
	EndsAt         time.Time `json:"endsAt"`
	RequireMFA     bool      `json:"requireMfa"`
}

// Assignment as events describe it.
type Assignment struct {
	ID              string   `json:"id"`
	TenantID        string   `json:"tenantId"`
	PrincipalTenant string   `json:"principalTenantId"`
	RelationshipID  string   `json:"relationshipId,omitempty"`
	Principal       string   `json:"principal"`
	Roles           []string `json:"roles"`
	Permissions     []string `json:"permissions"`
	Scope           []string `json:"scope"`
	Eligible        bool     `json:"eligible"`
}

// Role as events describe a custom role.
type Role struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	TenantID    string   `json:"tenantId"`
	DefinedBy   string   `json:"definedBy"`
	Permissions []string `json:"permissions"`
}

// Payloads, one per detail type.

type TenantCreated struct {
	Meta
	Tenant Tenant `json:"tenant"`
}

type InvitationCreated struct {
	Meta
	Invitation Invitation `json:"invitation"`
}

type InvitationAccepted struct {
	Meta
	Invitation Invitation `json:"invitation"`
	// AssignmentIDs are the assignments the invitation's group mappings
	// created in the acceptance's transaction (each has its RoleAssigned);
	// SkippedMappings the mappings that created none, and why.
	AssignmentIDs   []string         `json:"assignmentIds,omitempty"`
	SkippedMappings []SkippedMapping `json:"skippedMappings,omitempty"`
}

// SkippedMapping is a template's group mapping that made no assignment at
// acceptance: Reason is roles-not-accepted, scope-not-accepted,
// workspace-scope or principal-limit.
type SkippedMapping struct {
	Principal string   `json:"principal"`
	Roles     []string `json:"roles"`
	Reason    string   `json:"reason"`
}

// GroupMapping as events describe a template's mapping: a principal of the
// partner, the roles it gets and its scope (none: the relationship's).
type GroupMapping struct {
	Principal string   `json:"principal"`
	Roles     []string `json:"roles"`
	Scope     []string `json:"scope,omitempty"`
}

// Template as events describe an invitation template; durations are ISO 8601.
type Template struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	TenantID      string         `json:"tenantId"`
	Roles         []string       `json:"roles"`
	Scope         []string       `json:"scope"`
	Duration      string         `json:"duration"`
	AutoExtend    string         `json:"autoExtend,omitempty"`
	RequireMFA    bool           `json:"requireMfa"`
	GroupMappings []GroupMapping `json:"groupMappings"`
}

// InvitationTemplateSaved: a partner created (Created) or replaced one of
// its invitation templates. Invitations already sent keep the terms they
// were sent with.
type InvitationTemplateSaved struct {
	Meta
	Template Template `json:"template"`
	Created  bool     `json:"created"`
}

type InvitationDeclined struct {
	Meta
	Invitation Invitation `json:"invitation"`
}

type InvitationCancelled struct {
	Meta
	Invitation Invitation `json:"invitation"`
}

type InvitationExpired struct {
	Meta
	Invitation Invitation `json:"invitation"`
}

type RelationshipActivated struct {
	Meta
	Relationship Relationship `json:"relationship"`
}

type RelationshipTerminated struct {
	Meta
	Relationship Relationship `json:"relationship"`
}

type RelationshipExpired struct {
	Meta
	Relationship Relationship `json:"relationship"`
}

type RelationshipExtended struct {
	Meta
	Relationship Relationship `json:"relationship"`
	PreviousEnd  time.Time    `json:"previousEndsAt"`
}

// RelationshipExpiring is the notice sent 30, 7 and 1 days before a
// relationship ends without auto-extension.
type RelationshipExpiring struct {
	Meta
	Relationship Relationship `json:"relationship"`
	DaysLeft     int          `json:"daysLeft"`
}

type RoleAssigned struct {
	Meta
	Assignment Assignment `json:"assignment"`
}

type RoleAssignmentRemoved struct {
	Meta
	Assignment Assignment `json:"assignment"`
}

type CustomRoleSaved struct {
	Meta
	Role Role `json:"role"`
}

// WebhookDisabled says a webhook subscription stopped after sustained failure.
type WebhookDisabled struct {
	Meta
	SubscriptionID string `json:"subscriptionId"`
	URL            string `json:"url"`
	Failures       int    `json:"failures"`
	LastError      string `json:"lastError"`
}

// Webhook as events describe a webhook subscription: never its signing
// secret.
type Webhook struct {
	ID         string   `json:"id"`
	TenantID   string   `json:"tenantId"`
	URL        string   `json:"url"`
	EventTypes []string `json:"eventTypes"`
}

// WebhookCreated says a tenant subscribed an endpoint to its events.
type WebhookCreated struct {
	Meta
	Webhook Webhook `json:"webhook"`
}

// WebhookDeleted says a tenant ended a subscription.
type WebhookDeleted struct {
	Meta
	Webhook Webhook `json:"webhook"`
}

// AssignmentActivated says a just-in-time (eligible) assignment was
// activated by a switch, until ActiveUntil, for the stated justification.
type AssignmentActivated struct {
	Meta
	Assignment Assignment `json:"assignment"`
	// User activated it, for itself alone (other members of a group that
	// holds the assignment keep their own activations).
	User          string    `json:"user"`
	ActiveUntil   time.Time `json:"activeUntil"`
	Justification string    `json:"justification"`
}

// MaxScopeInEvent bounds the scope patterns a TenantSwitched carries; the
// session keeps the rest.
const MaxScopeInEvent = 20

// TenantSwitched says a partner user received a switch token for a customer.
type TenantSwitched struct {
	Meta
	SessionID    string   `json:"sessionId"`
	TargetTenant string   `json:"targetTenantId"`
	Roles        []string `json:"roles"`
	Permissions  []string `json:"permissions"`
	// Scope is the session's scope, at most MaxScopeInEvent patterns of it
	// (ScopeTruncated says there were more; ScopePatterns how many).
	Scope          []string  `json:"scope"`
	ScopePatterns  int       `json:"scopePatterns"`
	ScopeTruncated bool      `json:"scopeTruncated,omitempty"`
	Grants         int       `json:"grants"`
	ExpiresAt      time.Time `json:"expiresAt"`
	Justification  string    `json:"justification,omitempty"`
	Activated      []string  `json:"activatedAssignments,omitempty"`
}

// SwitchSessionsRevoked lists switch sessions that must stop at once: their
// relationship ended or an assignment they used was removed. Downstream
// services drop tokens whose jti is listed.
type SwitchSessionsRevoked struct {
	Meta
	// SessionIDs lists at most MaxSessionsInEvent sessions; a revocation of
	// more is several events, Part 1 to Parts of one revocation.
	SessionIDs   []string `json:"sessionIds"`
	Reason       string   `json:"reason"`
	AssignmentID string   `json:"assignmentId,omitempty"`
	Part         int      `json:"part"`
	Parts        int      `json:"parts"`
}

// MaxSessionsInEvent bounds the session ids one SwitchSessionsRevoked
// carries (about 14 KB).
const MaxSessionsInEvent = 500

// AccessDenied records a refused attempt, e.g. a switch without a grant.
type AccessDenied struct {
	Meta
	Operation    string `json:"operation"`
	TargetTenant string `json:"targetTenantId"`
	Reason       string `json:"reason"`
	// Repeats counts the same principal's denials of the same kind (the
	// operation, target and reason) in the window before this record, which
	// were counted but not recorded one by one; Summary says this record
	// only closes such a window (no new attempt).
	Repeats     int       `json:"repeats,omitempty"`
	WindowStart time.Time `json:"windowStart,omitzero"`
	Summary     bool      `json:"summary,omitempty"`
}

// Organization as events describe a multi-tenant organisation.
type Organization struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Owners []string `json:"owners"`
}

// OrganizationCreated: a tenant created an organisation and owns it.
type OrganizationCreated struct {
	Meta
	Organization Organization `json:"organization"`
}

// OrganizationTenantAdded: an owner added a tenant; it joins by itself.
type OrganizationTenantAdded struct {
	Meta
	Organization Organization `json:"organization"`
	TenantID     string       `json:"tenantId"`
}

// OrganizationJoinRequested: the added tenant asked to join with an owner's
// tenant id; the join completes asynchronously.
type OrganizationJoinRequested struct {
	Meta
	Organization Organization `json:"organization"`
	TenantID     string       `json:"tenantId"`
	OwnerTenant  string       `json:"ownerTenantId"`
}

// OrganizationJoined: the tenant is a member.
type OrganizationJoined struct {
	Meta
	Organization Organization `json:"organization"`
	TenantID     string       `json:"tenantId"`
	OwnerTenant  string       `json:"ownerTenantId"`
}

// OrganizationLeft: the tenant left or was removed. Its cross-tenant access
// settings stay until removed explicitly.
type OrganizationLeft struct {
	Meta
	Organization Organization `json:"organization"`
	TenantID     string       `json:"tenantId"`
	Removed      bool         `json:"removedByOwner"`
}

// OrganizationOwnerAdded: a member became an owner.
type OrganizationOwnerAdded struct {
	Meta
	Organization Organization `json:"organization"`
	TenantID     string       `json:"tenantId"`
}

// CrossTenantAccessConfigured: a tenant's settings toward a partner tenant
// were created (by a join) — what downstream directory sync reads.
type CrossTenantAccessConfigured struct {
	Meta
	TenantID          string `json:"tenantId"`
	PartnerTenant     string `json:"partnerTenantId"`
	SyncConfiguration string `json:"syncConfiguration"`
}

// CrossTenantAccessRemoved: a tenant removed its settings toward a partner.
type CrossTenantAccessRemoved struct {
	Meta
	TenantID      string `json:"tenantId"`
	PartnerTenant string `json:"partnerTenantId"`
}

func (OrganizationCreated) DetailType() DetailType       { return DetailTypeOrganizationCreated }
func (OrganizationTenantAdded) DetailType() DetailType   { return DetailTypeOrganizationTenantAdded }
func (OrganizationJoinRequested) DetailType() DetailType { return DetailTypeOrganizationJoinRequested }
func (OrganizationJoined) DetailType() DetailType        { return DetailTypeOrganizationJoined }
func (OrganizationLeft) DetailType() DetailType          { return DetailTypeOrganizationLeft }
func (OrganizationOwnerAdded) DetailType() DetailType    { return DetailTypeOrganizationOwnerAdded }
func (CrossTenantAccessConfigured) DetailType() DetailType {
	return DetailTypeCrossTenantAccessConfigured
}
func (CrossTenantAccessRemoved) DetailType() DetailType { return DetailTypeCrossTenantAccessRemoved }

func (TenantCreated) DetailType() DetailType          { return DetailTypeTenantCreated }
func (InvitationCreated) DetailType() DetailType      { return DetailTypeInvitationCreated }
func (InvitationAccepted) DetailType() DetailType     { return DetailTypeInvitationAccepted }
func (InvitationDeclined) DetailType() DetailType     { return DetailTypeInvitationDeclined }
func (InvitationCancelled) DetailType() DetailType    { return DetailTypeInvitationCancelled }
func (InvitationExpired) DetailType() DetailType      { return DetailTypeInvitationExpired }
func (RelationshipActivated) DetailType() DetailType  { return DetailTypeRelationshipActivated }
func (RelationshipTerminated) DetailType() DetailType { return DetailTypeRelationshipTerminated }
func (RelationshipExpired) DetailType() DetailType    { return DetailTypeRelationshipExpired }
func (RelationshipExtended) DetailType() DetailType   { return DetailTypeRelationshipExtended }
func (RelationshipExpiring) DetailType() DetailType   { return DetailTypeRelationshipExpiring }
func (RoleAssigned) DetailType() DetailType           { return DetailTypeRoleAssigned }
func (RoleAssignmentRemoved) DetailType() DetailType  { return DetailTypeRoleAssignmentRemoved }
func (CustomRoleSaved) DetailType() DetailType        { return DetailTypeCustomRoleSaved }
func (WebhookDisabled) DetailType() DetailType        { return DetailTypeWebhookDisabled }
func (WebhookCreated) DetailType() DetailType         { return DetailTypeWebhookCreated }
func (WebhookDeleted) DetailType() DetailType         { return DetailTypeWebhookDeleted }
func (AssignmentActivated) DetailType() DetailType    { return DetailTypeAssignmentActivated }
func (TenantSwitched) DetailType() DetailType         { return DetailTypeTenantSwitched }
func (SwitchSessionsRevoked) DetailType() DetailType  { return DetailTypeSwitchSessionsRevoked }
func (AccessDenied) DetailType() DetailType           { return DetailTypeAccessDenied }
func (InvitationTemplateSaved) DetailType() DetailType {
	return DetailTypeInvitationTemplateSaved
}

// Payloads lists a zero value of every payload, in catalogue order: schemas
// and tests are generated from it.
func Payloads() []Payload {
	return []Payload{
		TenantCreated{}, InvitationCreated{}, InvitationAccepted{}, InvitationDeclined{}, InvitationCancelled{}, InvitationExpired{},
		RelationshipActivated{}, RelationshipTerminated{}, RelationshipExpired{}, RelationshipExtended{}, RelationshipExpiring{},
		RoleAssigned{}, RoleAssignmentRemoved{}, CustomRoleSaved{}, WebhookDisabled{},
		AssignmentActivated{}, TenantSwitched{}, SwitchSessionsRevoked{}, AccessDenied{},
		OrganizationCreated{}, OrganizationTenantAdded{}, OrganizationJoinRequested{}, OrganizationJoined{},
		OrganizationLeft{}, OrganizationOwnerAdded{}, CrossTenantAccessConfigured{}, CrossTenantAccessRemoved{},
		WebhookCreated{}, WebhookDeleted{},
		InvitationTemplateSaved{},
		RelationshipNarrowed{}, ChangeRequestCreated{}, ChangeRequestApproved{}, ChangeRequestDeclined{}, ChangeRequestExpired{},
	}
}
