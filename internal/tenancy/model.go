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
	User   string
	Tenant string
}

// Tenant is an organisation.
type Tenant struct {
	ID         string
	Name       string
	Domain     string
	MSP        bool
	Workspaces []string
	Status     string
	CreatedAt  time.Time
	Version    int
}

// Invitation proposes a relationship from one tenant to another.
type Invitation struct {
	ID             string
	Kind           string
	Status         string
	FromTenant     string
	ToTenant       string
	As             string
	PartnerTenant  string
	CustomerTenant string
	Roles          []string
	Scope          []string
	Duration       period.Duration
	AutoExtend     *period.Duration
	RequireMFA     bool
	ExpiresAt      time.Time
	CreatedAt      time.Time
	CreatedBy      Actor
	UpdatedAt      time.Time
	RelationshipID string
	// TemplateID names the template the invitation was made from, and
	// GroupMappings are that template's mappings as they were when it was
	// sent: a later edit of the template changes no invitation sent.
	TemplateID    string
	GroupMappings []GroupMapping
	Version       int
}

// CeilingRole is a role the customer allowed, frozen with the permissions it
// had when the relationship began: a later edit of a custom role can narrow
// what a partner's own roles hold, never widen what the customer agreed to.
type CeilingRole struct {
	ID          string
	Permissions []string
}

// Relationship is the accepted link partner → customer.
type Relationship struct {
	ID             string
	Kind           string
	Status         string
	PartnerTenant  string
	PartnerName    string
	CustomerTenant string
	CustomerName   string
	InvitationID   string
	Ceiling        []CeilingRole
	Scope          []string
	StartsAt       time.Time
	EndsAt         time.Time
	AutoExtend     *period.Duration
	RequireMFA     bool
	PrimaryAdmins  []string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	EndedAt        *time.Time
	EndedBy        *Actor
	// NoticesSent lists the expiry notices already sent (days before endsAt).
	NoticesSent []int
	// AssignmentsCleared says every assignment under an ended relationship
	// has been removed.
	AssignmentsCleared bool
	// PruneAssignments says the ceiling or scope was narrowed and some
	// assignments under it may still name what now falls outside (the
	// decision already ignores it); the request that narrowed, the sync
	// consumer and the sweep bring them inside and clear it.
	PruneAssignments bool
	Version          int
}

// NoticeDays are the expiry notices sent before a relationship ends without
// auto-extension, in days before endsAt.
var NoticeDays = []int{30, 7, 1}

// ReviewAt answers when the cleanup sweep must next look at the relationship:
// its next expiry notice or its end while active, at once while a narrowing
// or an ended relationship still has assignments to prune or remove, never
// after that.
func (r Relationship) ReviewAt() (time.Time, bool) {
	switch {
	case r.Status == RelationshipActive && r.PruneAssignments:
		return r.UpdatedAt, true
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
	ID             string
	TenantID       string
	HomeTenant     string
	RelationshipID string
	Principal      string
	Roles          []string
	Permissions    []string
	Scope          []string
	Eligible       bool
	MaxActivation  *period.Duration
	CreatedAt      time.Time
	CreatedBy      Actor
	Version        int
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
	ID              string
	TenantID        string
	HomeTenant      string
	Actor           Actor
	RelationshipIDs []string
	AssignmentIDs   []string
	IssuedAt        time.Time
	ExpiresAt       time.Time
}

// CustomRole is a role a tenant defines from catalogue permissions. A role
// defined by a partner for one customer (DefinedBy is the partner) is used by
// that partner's assignments there, always inside the relationship's ceiling.
type CustomRole struct {
	ID          string
	Name        string
	Description string
	TenantID    string
	DefinedBy   string
	Permissions []string
	BuiltIn     bool
	UpdatedAt   time.Time
	Version     int
}

// AuditRecord is one action as a tenant's audit log shows it. The audit
// consumer writes one under every tenant concerned and under the actor's.
type AuditRecord struct {
	ID             string
	TenantID       string
	Type           string
	OccurredAt     time.Time
	Actor          Actor
	Tenants        []string
	RelationshipID string
	RequestID      string
	Outcome        string
	Detail         json.RawMessage
	// ExpiresAt is when DynamoDB's TTL may delete the record.
	ExpiresAt time.Time
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
	Items      []T
	NextCursor string
}
