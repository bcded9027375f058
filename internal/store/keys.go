package store

import (
	"fmt"
	"hash/fnv"

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
	// AttrVersion is the optimistic-locking version of mutable items.
	AttrVersion = "Version"

	IndexGSI1 = schema.IndexGSI1
	IndexGSI2 = schema.IndexGSI2
	IndexGSI3 = schema.IndexGSI3
	IndexGSI4 = schema.IndexGSI4
)

// The only place keys are formatted.

func tenantKey(id string) (string, string)         { return "TENANT#" + id, "TENANT" }
func domainKey(domain string) (string, string)     { return "DOMAIN#" + domain, "DOMAIN" }
func invitationKey(id string) (string, string)     { return "INV#" + id, "INV" }
func relationshipIDKey(id string) (string, string) { return "REL#" + id, "REL" }
func authzPK(tenant, home string) string           { return "AUTHZ#" + tenant + "#" + home }
func relationshipSK(id string) string              { return prefixRelationship + id }
func assignmentSK(id string) string                { return prefixAssignment + id }
func roleSK(id string) string                      { return prefixRole + id }
func invitationsFromPK(tenant string) string       { return "INVFROM#" + tenant }
func invitationsToPK(tenant string) string         { return "INVTO#" + tenant }
func partnerPK(tenant string) string               { return "PARTNER#" + tenant }
func customerPK(tenant string) string              { return "CUSTOMER#" + tenant }
func listSK(createdAt, id string) string           { return createdAt + "#" + id }
func outboxKey(id string) (string, string)         { return "OUTBOX#" + id, "OUTBOX" }
func auditPK(tenant string) string                 { return "AUDIT#" + tenant }

// The switch-targets index (GSI4) holds each delegated assignment under its
// principal: TARGETS#<home>#<principal> / <customer>#<assignment>, so a
// user's targets are read from its own partition and its groups', however
// many assignments the partner has.
func targetsPK(home, principal string) string { return "TARGETS#" + home + "#" + principal }
func targetSK(customer, id string) string     { return customer + "#" + id }

func sessionsPK(relationshipID string) string { return "SESSIONS#" + relationshipID }

// The schedule index (GSI3) is write-sharded: its partitions are
// <kind>#<shard>, and a sweep queries every shard.
const (
	scheduleShards     = 4
	scheduleOutbox     = "OUTBOX"
	scheduleDeadOutbox = "OUTBOX-DEAD"
	scheduleDenials    = "DUE#DENY"
	scheduleInvitation = "DUE#INV"
	scheduleRelation   = "DUE#REL"
)

func schedulePK(kind, id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("%s#%d", kind, h.Sum32()%scheduleShards)
}

const (
	prefixRelationship = "REL#"
	prefixAssignment   = "ASG#"
	prefixRole         = "ROLE#"
)

// Partner-defined roles sit in GSI2 under the customer they are defined in
// (a sparse key: a tenant's own roles carry none), so the customer lists
// every partner's roles in one query, however many partners it has.
func partnerRolesPK(tenant string) string       { return "PARTNERROLES#" + tenant }
func partnerRoleSK(definedBy, id string) string { return definedBy + "#" + id }
