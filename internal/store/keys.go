package store

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/store/schema"
)

// Attribute and index names of the table (internal/store/schema, which infra
// creates the table from).
const (
	AttrPK     = schema.AttrPK
	AttrSK     = schema.AttrSK
	AttrGSI1PK = schema.AttrGSI1PK
	AttrGSI1SK = schema.AttrGSI1SK
	AttrGSI2PK = schema.AttrGSI2PK
	AttrGSI2SK = schema.AttrGSI2SK
	AttrGSI3PK = schema.AttrGSI3PK
	AttrGSI3SK = schema.AttrGSI3SK
	AttrGSI4PK = schema.AttrGSI4PK
	AttrGSI4SK = schema.AttrGSI4SK
	AttrTTL    = schema.AttrTTL

	IndexGSI1 = schema.IndexGSI1
	IndexGSI2 = schema.IndexGSI2
	IndexGSI3 = schema.IndexGSI3
	IndexGSI4 = schema.IndexGSI4
)

// keyAttrs names the partition and sort key attributes of the table ("")
// or of an index.
func keyAttrs(index string) (pk, sk string) {
	for _, ix := range Indexes {
		if ix.Name == index {
			return ix.PartitionKey, ix.SortKey
		}
	}
	return AttrPK, AttrSK
}

// keys are the key attributes every item carries, and its entity name.
type keys struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK string `dynamodbav:"GSI1SK,omitempty"`
	GSI2PK string `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK string `dynamodbav:"GSI2SK,omitempty"`
	GSI3PK string `dynamodbav:"GSI3PK,omitempty"`
	GSI3SK string `dynamodbav:"GSI3SK,omitempty"`
	GSI4PK string `dynamodbav:"GSI4PK,omitempty"`
	GSI4SK string `dynamodbav:"GSI4SK,omitempty"`
	// Entity names the item's kind (tenant, invitation, …) for people
	// reading the table; no code path depends on it.
	Entity string `dynamodbav:"Entity"`
}

// Entity names.
const (
	entityTenant         = "tenant"
	entityDomain         = "domain"
	entityInvitation     = "invitation"
	entityRelationshipID = "relationship-id"
	entityRelationship   = "relationship"
	entityAssignment     = "assignment"
	entityRole           = "role"
	entityOutbox         = "outbox"
	entityAudit          = "audit"
	entitySession        = "session"
	entityDenials        = "denials"
	entityIdempotency    = "idempotency"
	entityOrganization   = "organization"
	entityMember         = "member"
	entityCrossAccess    = "cross-tenant-access"
	entityWebhook        = "webhook"
	entityWebhookCount   = "webhook-count"
	entityDelivery       = "delivery"
	entityDelivered      = "delivered"
	entityTemplate       = "invitation-template"
	entityTemplateClaim  = "template-claim"
	entityChangeRequest  = "change-request"
	entityPendingChange  = "pending-change"
)

// This file is the only place keys are formatted and parsed: every other
// file builds a key with one of these functions and reads one back with
// parseKey.

// Partition key prefixes and the fixed sort keys.
const (
	prefixTenant       = "TENANT#"
	prefixDomain       = "DOMAIN#"
	prefixInvitation   = "INV#"
	prefixRelID        = "REL#"
	prefixAuthz        = "AUTHZ#"
	prefixDecision     = "DEC#"
	prefixOutbox       = "OUTBOX#"
	prefixAudit        = "AUDIT#"
	prefixSessions     = "SESSIONS#"
	prefixDenials      = "DENIALS#"
	prefixIdempotency  = "IDEMP#"
	prefixOrganization = "ORG#"
	prefixCrossAccess  = "XTA#"
	prefixWebhook      = "WEBHOOK#"
	prefixDelivery     = "DELIVERY#"
	prefixTemplates    = "TEMPLATES#"
	prefixClaim        = "TPLCLAIM#"

	skTenant       = "TENANT"
	skDomain       = "DOMAIN"
	skInvitation   = "INV"
	skRelID        = "REL"
	skOutbox       = "OUTBOX"
	skIdempotency  = "IDEMP"
	skOrganization = "ORG"
	skWebhookCount = "COUNT"
	skClaim        = "CLAIM"
	prefixChanges  = "CHANGES#"

	skPendingChange = "PENDING"
)

// Sort key prefixes inside a partition.
const (
	prefixRelationship = "REL#"     // AUTHZ#T#H
	prefixAssignment   = "ASG#"     // AUTHZ#T#H
	prefixRole         = "ROLE#"    // AUTHZ#T#H
	prefixMember       = "MEMBER#"  // ORG#id
	prefixPartner      = "PARTNER#" // XTA#tenant
	prefixSubscription = "SUB#"     // WEBHOOK#tenant
	prefixAttempt      = "TRY#"     // DELIVERY#webhook
	prefixDone         = "DONE#"    // DELIVERY#webhook
	prefixTemplate     = "TPL#"     // TEMPLATES#tenant
	prefixChange       = "CR#"      // CHANGES#relationship

	// Decision records in DEC#T#H.
	decLink       = "L#"
	decGrant      = "G#"
	decRole       = "R#"
	decActivation = "A#"
	decEpoch      = "E"
)

// stamp formats a time for a sort key: fixed width, so keys sort by time.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// key is a primary key as the API takes it.
func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: pk}, AttrSK: &types.AttributeValueMemberS{Value: sk}}
}

func tenantKey(id string) (string, string)         { return prefixTenant + id, skTenant }
func domainKey(domain string) (string, string)     { return prefixDomain + domain, skDomain }
func invitationKey(id string) (string, string)     { return prefixInvitation + id, skInvitation }
func relationshipIDKey(id string) (string, string) { return prefixRelID + id, skRelID }
func outboxKey(id string) (string, string)         { return prefixOutbox + id, skOutbox }
func idempotencyKey(scope string) (string, string) { return prefixIdempotency + scope, skIdempotency }

// The AUTHZ#T#H partition: relationships, assignments and custom roles
// between customer (or tenant) T and home tenant H.
func authzPK(tenant, home string) string { return prefixAuthz + tenant + "#" + home }
func relationshipSK(id string) string    { return prefixRelationship + id }
func assignmentSK(id string) string      { return prefixAssignment + id }
func roleSK(id string) string            { return prefixRole + id }

// The aggregated views: a tenant's invitations (GSI1 sent, GSI2 received)
// and relationships (GSI1 as partner, GSI2 as customer), newest first.
func invitationsFromPK(tenant string) string { return "INVFROM#" + tenant }
func invitationsToPK(tenant string) string   { return "INVTO#" + tenant }
func partnerPK(tenant string) string         { return "PARTNER#" + tenant }
func customerPK(tenant string) string        { return "CUSTOMER#" + tenant }

// timeSK orders items by a time, the id breaking ties: list views, audit
// records, sessions and the schedule.
func timeSK(t time.Time, id string) string { return stamp(t) + "#" + id }

// timeRange is the sort keys of timeSK from one time to another, both
// included.
func timeRange(from, to time.Time) (string, string) { return stamp(from), stamp(to) + "#~" }

// untilSK bounds the timeSK keys at or before t; untilEnd bounds them all.
func untilSK(t time.Time) string { return stamp(t) + "#~" }

const untilEnd = "~#~"

// Partner-defined roles sit in GSI2 under the customer they are defined in
// (a sparse key: a tenant's own roles carry none), so the customer lists
// every partner's roles in one query, however many partners it has.
func partnerRolesPK(tenant string) string       { return "PARTNERROLES#" + tenant }
func partnerRoleSK(definedBy, id string) string { return definedBy + "#" + id }

// The switch-targets index (GSI4) holds each delegated assignment under its
// principal: TARGETS#<home>#<principal> / <customer>#<assignment>, so a
// user's targets are read from its own partition and its groups', however
// many assignments the partner has.
func targetsPK(home, principal string) string { return "TARGETS#" + home + "#" + principal }
func targetSK(customer, id string) string     { return customer + "#" + id }

// targetsIn is the sort key prefix of a principal's targets in customer.
func targetsIn(customer string) string { return customer + "#" }

// targetsAfter bounds the sort keys of the customers after customer.
func targetsAfter(customer string) string { return customer + "#\uffff" }

// targetCustomer reads the customer of a targets sort key.
func targetCustomer(sk string) string {
	customer, _, _ := strings.Cut(sk, "#")
	return customer
}

func sessionsPK(relationshipID string) string { return prefixSessions + relationshipID }

// The schedule index (GSI3) is write-sharded: its partitions are
// <kind>#<shard>, and a sweep queries every shard.
const (
	scheduleShards     = 4
	scheduleOutbox     = "OUTBOX"
	scheduleDeadOutbox = "OUTBOX-DEAD"
	scheduleDenials    = "DUE#DENY"
	scheduleInvitation = "DUE#INV"
	scheduleRelation   = "DUE#REL"
	scheduleChange     = "DUE#CR"
)

// schedulePK is the shard of kind that holds id.
func schedulePK(kind, id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return shardPK(kind, int(h.Sum32()%scheduleShards))
}

func shardPK(kind string, shard int) string { return fmt.Sprintf("%s#%d", kind, shard) }

// A partner's invitation templates: TEMPLATES#<tenant> / TPL#<id>. The
// claim of (partner, template, customer) by its pending invitation:
// TPLCLAIM#<partner>#<template>#<customer> / CLAIM (ids hold no #).
func templatesPK(tenant string) string { return prefixTemplates + tenant }
func templateSK(id string) string      { return prefixTemplate + id }
func templateClaimKey(partner, template, customer string) (string, string) {
	return prefixClaim + partner + "#" + template + "#" + customer, skClaim
}

// Decision records: DEC#T#H beside AUTHZ#T#H.
func decisionPK(tenant, home string) string { return prefixDecision + tenant + "#" + home }
func linkSK(relationshipID string) string   { return decLink + relationshipID }
func grantSK(assignmentID string) string    { return decGrant + assignmentID }
func roleRecordSK(roleID string) string     { return decRole + roleID }
func activationSK(assignmentID, user string) string {
	return decActivation + assignmentID + "#" + user
}

// Refusal windows: DENIALS#<tenant> / <home>#<user>#<operation>#<reason>.
func denialsKey(tenant, home, user, operation, reason string) (string, string) {
	return prefixDenials + tenant, strings.Join([]string{home, user, operation, reason}, "#")
}

// Organisations and their members share ORG#id; cross-tenant access
// settings are XTA#tenant / PARTNER#partner.
func orgPK(id string) string              { return prefixOrganization + id }
func memberSK(tenant string) string       { return prefixMember + tenant }
func crossAccessPK(tenant string) string  { return prefixCrossAccess + tenant }
func crossAccessSK(partner string) string { return prefixPartner + partner }
func webhookPK(tenant string) string      { return prefixWebhook + tenant }
func webhookSK(id string) string          { return prefixSubscription + id }
func deliveryPK(webhookID string) string  { return prefixDelivery + webhookID }
func deliveredSK(eventID string) string   { return prefixDone + eventID }
func auditPK(tenant string) string        { return prefixAudit + tenant }
func attemptSK(at time.Time, eventID string, attempt int) string {
	return fmt.Sprintf("%s%s#%s#%03d", prefixAttempt, stamp(at), eventID, attempt)
}

// A relationship's change requests share CHANGES#<relationship>: each is
// CR#<id> (ids sort by creation), and PENDING marks the one pending, so a
// second cannot be created beside it.
func changesPK(relationshipID string) string { return prefixChanges + relationshipID }
func changeSK(id string) string              { return prefixChange + id }

// parsed is what a key says of its item.
type parsed struct {
	kind Kind
	// Identifiers the key holds, by kind: the partition's tenant and home
	// tenant (AUTHZ, DEC, DENIALS), the item's own id, and for an
	// activation the user.
	tenant, home, id, user string
	// denial: the rest of a refusal window's key.
	operation, reason string
}

// Kind is what an item of the table is, as its key says.
type Kind string

// The kinds of item.
const (
	KindTenant         Kind = entityTenant
	KindDomain         Kind = entityDomain
	KindInvitation     Kind = entityInvitation
	KindRelationshipID Kind = entityRelationshipID
	KindRelationship   Kind = entityRelationship
	KindAssignment     Kind = entityAssignment
	KindRole           Kind = entityRole
	KindLink           Kind = "link"        // decision record of a relationship
	KindGrant          Kind = "grant"       // decision record of an assignment
	KindRoleRecord     Kind = "role-record" // decision record of a custom role
	KindActivation     Kind = "activation"
	KindEpoch          Kind = "epoch"
	KindOutbox         Kind = entityOutbox
	KindAudit          Kind = entityAudit
	KindSession        Kind = entitySession
	KindDenials        Kind = entityDenials
	KindIdempotency    Kind = entityIdempotency
	KindOrganization   Kind = entityOrganization
	KindMember         Kind = entityMember
	KindCrossAccess    Kind = entityCrossAccess
	KindWebhook        Kind = entityWebhook
	KindWebhookCount   Kind = entityWebhookCount
	KindDelivery       Kind = entityDelivery
	KindDelivered      Kind = entityDelivered
	KindTemplate       Kind = entityTemplate
	KindTemplateClaim  Kind = entityTemplateClaim
	KindChangeRequest  Kind = entityChangeRequest
	KindPendingChange  Kind = entityPendingChange
	KindUnknown        Kind = ""
)

// parseKey reads what an item is from its key.
func parseKey(pk, sk string) parsed {
	pair := func(s string) (string, string) { a, b, _ := strings.Cut(s, "#"); return a, b }
	in := func(prefix string) (string, bool) { return strings.CutPrefix(pk, prefix) }
	if rest, ok := in(prefixAuthz); ok {
		t, h := pair(rest)
		return parseIn(sk, parsed{tenant: t, home: h},
			sortKind{prefixRelationship, KindRelationship}, sortKind{prefixAssignment, KindAssignment}, sortKind{prefixRole, KindRole})
	}
	if rest, ok := in(prefixDecision); ok {
		t, h := pair(rest)
		switch {
		case sk == decEpoch:
			return parsed{kind: KindEpoch, tenant: t, home: h}
		case strings.HasPrefix(sk, decActivation):
			asg, user := pair(strings.TrimPrefix(sk, decActivation))
			return parsed{kind: KindActivation, tenant: t, home: h, id: asg, user: user}
		}
		return parseIn(sk, parsed{tenant: t, home: h}, sortKind{decLink, KindLink}, sortKind{decGrant, KindGrant}, sortKind{decRole, KindRoleRecord})
	}
	if t, ok := in(prefixDenials); ok {
		parts := append(strings.SplitN(sk, "#", 4), "", "", "")
		return parsed{kind: KindDenials, tenant: t, home: parts[0], user: parts[1], operation: parts[2], reason: parts[3]}
	}
	if id, ok := in(prefixOrganization); ok {
		if sk == skOrganization {
			return parsed{kind: KindOrganization, id: id}
		}
		p := parseIn(sk, parsed{}, sortKind{prefixMember, KindMember})
		p.tenant, p.id = p.id, id
		return p
	}
	if t, ok := in(prefixWebhook); ok {
		if sk == skWebhookCount {
			return parsed{kind: KindWebhookCount, tenant: t}
		}
		return parseIn(sk, parsed{tenant: t}, sortKind{prefixSubscription, KindWebhook})
	}
	if t, ok := in(prefixTemplates); ok {
		return parseIn(sk, parsed{tenant: t}, sortKind{prefixTemplate, KindTemplate})
	}
	if rest, ok := in(prefixClaim); ok && sk == skClaim {
		parts := strings.SplitN(rest, "#", 3)
		if len(parts) == 3 {
			return parsed{kind: KindTemplateClaim, home: parts[0], id: parts[1], tenant: parts[2]}
		}
		return parsed{}
	}
	if id, ok := in(prefixDelivery); ok {
		p := parseIn(sk, parsed{}, sortKind{prefixAttempt, KindDelivery}, sortKind{prefixDone, KindDelivered})
		p.id = id
		return p
	}
	if rel, ok := in(prefixChanges); ok {
		if sk == skPendingChange {
			return parsed{kind: KindPendingChange, id: rel}
		}
		return parseIn(sk, parsed{}, sortKind{prefixChange, KindChangeRequest})
	}
	for _, one := range []struct {
		prefix, sk string
		kind       Kind
	}{
		{prefixTenant, skTenant, KindTenant}, {prefixDomain, skDomain, KindDomain}, {prefixInvitation, skInvitation, KindInvitation},
		{prefixRelID, skRelID, KindRelationshipID}, {prefixOutbox, skOutbox, KindOutbox}, {prefixIdempotency, skIdempotency, KindIdempotency},
	} {
		if id, ok := in(one.prefix); ok && sk == one.sk {
			return parsed{kind: one.kind, id: id}
		}
	}
	for _, one := range []struct {
		prefix string
		kind   Kind
	}{{prefixAudit, KindAudit}, {prefixSessions, KindSession}, {prefixCrossAccess, KindCrossAccess}} {
		if id, ok := in(one.prefix); ok {
			return parsed{kind: one.kind, id: id}
		}
	}
	return parsed{}
}

// parseIn reads the kind and id of an item of a partition from its sort
// key; p holds what the partition key
// said. An unknown sort key is KindUnknown.
func parseIn(sk string, p parsed, kinds ...sortKind) parsed {
	for _, k := range kinds {
		if id, ok := strings.CutPrefix(sk, k.prefix); ok {
			p.kind, p.id = k.kind, id
			return p
		}
	}
	return parsed{}
}

// sortKind is the kind of the items whose sort key starts with prefix.
type sortKind struct {
	prefix string
	kind   Kind
}

// mirroredKey answers the key of the canonical item a decision record
// stands for (a link, grant or role record).
func mirroredKey(p parsed) (string, string, bool) {
	switch p.kind {
	case KindLink:
		return authzPK(p.tenant, p.home), relationshipSK(p.id), true
	case KindGrant:
		return authzPK(p.tenant, p.home), assignmentSK(p.id), true
	case KindRoleRecord:
		return authzPK(p.tenant, p.home), roleSK(p.id), true
	}
	return "", "", false
}
