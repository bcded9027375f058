// Package tenancy holds Switchboard's rules: tenants and the MSP licence,
// invitations and their state machine, relationships with their ceiling and
// scope, native and delegated assignments, custom roles, and the access checks
// that guard every operation. It knows no AWS: it talks to its Store.
package tenancy

import (
	"encoding/json"
	"time"

	"github.com/switchboard/switchboard/internal/period"
)

// Relationship and invitation kinds.
const (
	KindDelegatedAdmin = "delegated-admin"
	KindParentChild    = "parent-child"
	KindOrganization   = "organization"
)

// Invitation states.
const (
	InvitationPending   = "pending"
	InvitationAccepted  = "accepted"
	InvitationDeclined  = "declined"
	InvitationCancelled = "cancelled"
	InvitationExpired   = "expired"
)

// Relationship states (the decision reads the same strings).
const (
	RelationshipActive     = "active"
	RelationshipTerminated = "terminated"
	RelationshipExpired    = "expired"
)

// Sides of a relationship.
const (
	SidePartner  = "partner"
	SideCustomer = "customer"
)

// Actor is who did something: a user and its home tenant.
type Actor struct {
	User   string `json:"user"`
	Tenant string `json:"tenant"`
}

// Tenant is an organisation.
type Tenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Domain    string    `json:"domain"`
	MSP       bool      `json:"msp"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"createdAt"`
	Version   int       `json:"-"`
}

// Invitation proposes a relationship from one tenant to another.
type Invitation struct {
	ID             string           `json:"id"`
	Kind           string           `json:"kind"`
	Status         string           `json:"status"`
	FromTenant     string           `json:"fromTenantId"`
	ToTenant       string           `json:"toTenantId"`
	As             string           `json:"as"`
	PartnerTenant  string           `json:"partnerTenantId"`
	CustomerTenant string           `json:"customerTenantId"`
	Roles          []string         `json:"roles"`
	Scope          []string         `json:"scope"`
	Duration       period.Duration  `json:"duration"`
	AutoExtend     *period.Duration `json:"autoExtend,omitempty"`
	RequireMFA     bool             `json:"requireMfa"`
	ExpiresAt      time.Time        `json:"expiresAt"`
	CreatedAt      time.Time        `json:"createdAt"`
	CreatedBy      Actor            `json:"createdBy"`
	UpdatedAt      time.Time        `json:"updatedAt"`
	RelationshipID string           `json:"relationshipId,omitempty"`
	Version        int              `json:"-"`
}

// CeilingRole is a role the customer allowed, frozen with the permissions it
// had when the relationship began: a later edit of a custom role can narrow
// what a partner's own roles hold, never widen what the customer agreed to.
type CeilingRole struct {
	ID          string   `json:"id"`
	Permissions []string `json:"permissions"`
}

// Relationship is the accepted link partner → customer.
type Relationship struct {
	ID             string           `json:"id"`
	Kind           string           `json:"kind"`
	Status         string           `json:"status"`
	PartnerTenant  string           `json:"partnerTenantId"`
	PartnerName    string           `json:"partnerName"`
	CustomerTenant string           `json:"customerTenantId"`
	CustomerName   string           `json:"customerName"`
	InvitationID   string           `json:"invitationId"`
	Ceiling        []CeilingRole    `json:"ceiling"`
	Scope          []string         `json:"scope"`
	StartsAt       time.Time        `json:"startsAt"`
	EndsAt         time.Time        `json:"endsAt"`
	AutoExtend     *period.Duration `json:"autoExtend,omitempty"`
	RequireMFA     bool             `json:"requireMfa"`
	PrimaryAdmins  []string         `json:"primaryAdmins"`
	CreatedAt      time.Time        `json:"createdAt"`
	UpdatedAt      time.Time        `json:"updatedAt"`
	EndedAt        *time.Time       `json:"endedAt,omitempty"`
	EndedBy        *Actor           `json:"endedBy,omitempty"`
	// NoticesSent lists the expiry notices already sent (days before endsAt).
	NoticesSent []int `json:"-"`
	// AssignmentsCleared says every assignment under an ended relationship
	// has been removed.
	AssignmentsCleared bool `json:"-"`
	Version            int  `json:"-"`
}

// NoticeDays are the expiry notices sent before a relationship ends without
// auto-extension, in days before endsAt.
var NoticeDays = []int{30, 7, 1}

// ReviewAt answers when the cleanup sweep must next look at the relationship:
// its next expiry notice or its end while active, at once while an ended
// relationship still has assignments to remove, never after that.
func (r Relationship) ReviewAt() (time.Time, bool) {
	switch {
	case r.Status == RelationshipActive:
		if r.AutoExtend == nil {
			for _, d := range NoticeDays {
				if !containsInt(r.NoticesSent, d) {
					return r.EndsAt.Add(-time.Duration(d) * day), true
				}
			}
		}
		return r.EndsAt, true
	case !r.AssignmentsCleared:
		return r.UpdatedAt, true
	}
	return time.Time{}, false
}

func containsInt(values []int, v int) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

// CeilingRoleIDs lists the ceiling's role ids.
func (r Relationship) CeilingRoleIDs() []string {
	ids := make([]string, len(r.Ceiling))
	for i, c := range r.Ceiling {
		ids[i] = c.ID
	}
	return ids
}

// Assignment grants roles and single permissions to a principal in a tenant.
// It is delegated when RelationshipID is set: the principal then belongs to the
// relationship's partner tenant (HomeTenant).
type Assignment struct {
	ID             string           `json:"id"`
	TenantID       string           `json:"tenantId"`
	HomeTenant     string           `json:"principalTenantId"`
	RelationshipID string           `json:"relationshipId,omitempty"`
	Principal      string           `json:"principal"`
	Roles          []string         `json:"roles"`
	Permissions    []string         `json:"permissions"`
	Scope          []string         `json:"scope"`
	Eligible       bool             `json:"eligible"`
	MaxActivation  *period.Duration `json:"maxActivation,omitempty"`
	CreatedAt      time.Time        `json:"createdAt"`
	CreatedBy      Actor            `json:"createdBy"`
	Version        int              `json:"-"`
}

// Activation is one user's just-in-time activation of an eligible
// assignment: each member of a group that holds the assignment activates it
// for itself alone.
type Activation struct {
	AssignmentID string
	TenantID     string
	HomeTenant   string
	User         string
	Until        time.Time
}

// Session is one switch: a token minted for a partner user in a customer.
type Session struct {
	ID              string    `json:"id"`
	TenantID        string    `json:"tenantId"`
	HomeTenant      string    `json:"homeTenantId"`
	Actor           Actor     `json:"actor"`
	RelationshipIDs []string  `json:"relationshipIds"`
	AssignmentIDs   []string  `json:"assignmentIds"`
	IssuedAt        time.Time `json:"issuedAt"`
	ExpiresAt       time.Time `json:"expiresAt"`
}

// CustomRole is a role a tenant defines from catalogue permissions. A role
// defined by a partner for one customer (DefinedBy is the partner) is used by
// that partner's assignments there, always inside the relationship's ceiling.
type CustomRole struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	TenantID    string    `json:"tenantId,omitempty"`
	DefinedBy   string    `json:"definedBy,omitempty"`
	Permissions []string  `json:"permissions"`
	BuiltIn     bool      `json:"builtIn"`
	UpdatedAt   time.Time `json:"updatedAt,omitzero"`
	Version     int       `json:"-"`
}

// AuditRecord is one action as a tenant's audit log shows it. The audit
// consumer writes one under every tenant concerned and under the actor's.
type AuditRecord struct {
	ID             string          `json:"id"`
	TenantID       string          `json:"tenantId"`
	Type           string          `json:"type"`
	OccurredAt     time.Time       `json:"occurredAt"`
	Actor          Actor           `json:"actor"`
	Tenants        []string        `json:"tenants"`
	RelationshipID string          `json:"relationshipId,omitempty"`
	RequestID      string          `json:"requestId,omitempty"`
	Outcome        string          `json:"outcome"`
	Detail         json.RawMessage `json:"detail"`
	// ExpiresAt is when DynamoDB's TTL may delete the record.
	ExpiresAt time.Time `json:"-"`
}

// AuditFilter narrows an audit listing.
type AuditFilter struct {
	From, To    time.Time
	ActorTenant string
}

// Partition is what one query loads for a (tenant, home tenant) pair: the
// relationships between them, the home tenant's assignments in the tenant and
// the custom roles the home tenant defined there.
type Partition struct {
	Relationships []Relationship
	Assignments   []Assignment
	Roles         []CustomRole
	Activations   []Activation
	// Epoch counts the removals of grants in the partition; a switch commits
	// only while it is the one the switch decided on, so a grant removed
	// meanwhile is never carried by a new session.
	Epoch int
}

// Target is one customer in a partner's switch-targets index, with what
// decides a switch there.
type Target struct {
	TenantID   string
	TenantName string
	Partition  Partition
}

// Page asks for one page of a list.
type Page struct {
	Limit  int
	Cursor string
}

// List is one page of results.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}
