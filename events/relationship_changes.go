package events

import "time"

// Events of a relationship changing after acceptance: the customer narrows
// it at once; the partner asks for more with a change request, which the
// customer approves (possibly narrowed), declines, or lets expire.
const (
	DetailTypeRelationshipNarrowed  DetailType = "RelationshipNarrowed"
	DetailTypeChangeRequestCreated  DetailType = "ChangeRequestCreated"
	DetailTypeChangeRequestApproved DetailType = "ChangeRequestApproved"
	DetailTypeChangeRequestDeclined DetailType = "ChangeRequestDeclined"
	DetailTypeChangeRequestExpired  DetailType = "ChangeRequestExpired"
)

// RelationshipNarrowed says the customer narrowed an active relationship's
// ceiling or scope: decisions deny what falls outside from this event's
// commit on, and the assignments under it lose it (those left with nothing
// are removed; no event per assignment). Privileges "none" is a ceiling
// narrowed to nothing: the relationship is kept without privileges. Its
// lists are bounded by a ceiling's roles and a scope's 20 patterns.
type RelationshipNarrowed struct {
	Meta
	Relationship Relationship `json:"relationship"`
	RemovedRoles []string     `json:"removedRoles"`
	// RemovedScope lists the patterns of the former scope the new one does
	// not cover.
	RemovedScope []string `json:"removedScope"`
	Privileges   string   `json:"privileges"`
	// AssignmentsAffected counts the assignments that lose something.
	AssignmentsAffected int `json:"assignmentsAffected"`
}

// ChangeRequest as events describe it. Roles and Scope are what was asked
// in addition to what the relationship held; Duration its asked length
// from its start and AutoExtend its asked auto-extension, ISO 8601.
type ChangeRequest struct {
	ID             string    `json:"id"`
	RelationshipID string    `json:"relationshipId"`
	Status         string    `json:"status"`
	PartnerTenant  string    `json:"partnerTenantId"`
	CustomerTenant string    `json:"customerTenantId"`
	Roles          []string  `json:"roles"`
	Scope          []string  `json:"scope"`
	Duration       string    `json:"duration,omitempty"`
	AutoExtend     string    `json:"autoExtend,omitempty"`
	ApprovedRoles  []string  `json:"approvedRoles,omitempty"`
	ApprovedScope  []string  `json:"approvedScope,omitempty"`
	ExpiresAt      time.Time `json:"expiresAt"`
}

type ChangeRequestCreated struct {
	Meta
	ChangeRequest ChangeRequest `json:"changeRequest"`
}

// ChangeRequestApproved carries the relationship as the approval widened it;
// AutoExtendTurnedOff says adding global-admin ended its auto-extension.
type ChangeRequestApproved struct {
	Meta
	ChangeRequest       ChangeRequest `json:"changeRequest"`
	Relationship        Relationship  `json:"relationship"`
	AutoExtendTurnedOff bool          `json:"autoExtendTurnedOff,omitempty"`
}

type ChangeRequestDeclined struct {
	Meta
	ChangeRequest ChangeRequest `json:"changeRequest"`
}

type ChangeRequestExpired struct {
	Meta
	ChangeRequest ChangeRequest `json:"changeRequest"`
}

func (RelationshipNarrowed) DetailType() DetailType  { return DetailTypeRelationshipNarrowed }
func (ChangeRequestCreated) DetailType() DetailType  { return DetailTypeChangeRequestCreated }
func (ChangeRequestApproved) DetailType() DetailType { return DetailTypeChangeRequestApproved }
func (ChangeRequestDeclined) DetailType() DetailType { return DetailTypeChangeRequestDeclined }
func (ChangeRequestExpired) DetailType() DetailType  { return DetailTypeChangeRequestExpired }
