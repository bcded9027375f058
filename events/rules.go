package events

import "encoding/json"

// Consumers of the bus.
const (
	ConsumerAudit = "audit"
	ConsumerSync  = "sync"
)

// Rule routes events matching Pattern (an EventBridge event pattern) to a
// consumer. The CDK stack makes one EventBridge rule of each; the local bus
// matches the same patterns with quamina.
type Rule struct {
	Name     string
	Consumer string
	Pattern  string
}

// SyncTypes are the events downstream systems are told about.
var SyncTypes = []DetailType{
	DetailTypeInvitationAccepted, DetailTypeRelationshipActivated, DetailTypeRelationshipTerminated,
	DetailTypeRelationshipExpired, DetailTypeRelationshipExtended, DetailTypeRelationshipExpiring,
	DetailTypeRoleAssigned, DetailTypeRoleAssignmentRemoved, DetailTypeAssignmentActivated, DetailTypeSwitchSessionsRevoked,
	DetailTypeOrganizationJoinRequested, DetailTypeOrganizationJoined, DetailTypeOrganizationLeft,
	DetailTypeCrossTenantAccessConfigured, DetailTypeCrossTenantAccessRemoved,
	DetailTypeRelationshipNarrowed, DetailTypeChangeRequestApproved,
}

// Rules is the routing table.
var Rules = []Rule{
	{Name: "audit-every-event", Consumer: ConsumerAudit, Pattern: pattern(nil)},
	{Name: "sync-relationships-and-assignments", Consumer: ConsumerSync, Pattern: pattern(SyncTypes)},
}

func pattern(types []DetailType) string {
	p := map[string]any{"source": []string{Source}}
	if types != nil {
		p["detail-type"] = types
	}
	b, _ := json.Marshal(p)
	return string(b)
}
