// Package events is the event catalogue: the source, the detail types of
// SPEC §4, and (as the event work lands) one payload struct per type and the
// rules that route them. Producers, consumers, the local bus and the CDK stack
// read it from here; no detail-type string appears anywhere else.
package events

// Source is the EventBridge source of every Switchboard event.
const Source = "switchboard"

// DetailType names an event.
type DetailType string

// Detail types, PascalCase and past tense.
const (
	InvitationCreated      DetailType = "InvitationCreated"
	InvitationAccepted     DetailType = "InvitationAccepted"
	InvitationDeclined     DetailType = "InvitationDeclined"
	InvitationCancelled    DetailType = "InvitationCancelled"
	InvitationExpired      DetailType = "InvitationExpired"
	RelationshipActivated  DetailType = "RelationshipActivated"
	RelationshipTerminated DetailType = "RelationshipTerminated"
	RelationshipExpired    DetailType = "RelationshipExpired"
	RelationshipExtended   DetailType = "RelationshipExtended"
	RoleAssigned           DetailType = "RoleAssigned"
	RoleAssignmentRemoved  DetailType = "RoleAssignmentRemoved"
	CustomRoleSaved        DetailType = "CustomRoleSaved"
	TenantSwitched         DetailType = "TenantSwitched"
	AccessDenied           DetailType = "AccessDenied"
	TenantCreated          DetailType = "TenantCreated"
)
