package store

import (
	"testing"
	"time"
)

// TestKeysParseBack: every key keys.go builds reads back, through parseKey,
// as the kind and identifiers it was built from.
func TestKeysParseBack(t *testing.T) {
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	two := func(pk, sk string) [2]string { return [2]string{pk, sk} }
	denialPK, denialSK := denialsKey("acme", "msp", "tom", "switch", "no-grant")
	for _, c := range []struct {
		key  [2]string
		want parsed
	}{
		{two(tenantKey("acme")), parsed{kind: KindTenant, id: "acme"}},
		{two(domainKey("acme.com")), parsed{kind: KindDomain, id: "acme.com"}},
		{two(invitationKey("inv1")), parsed{kind: KindInvitation, id: "inv1"}},
		{two(relationshipIDKey("rel1")), parsed{kind: KindRelationshipID, id: "rel1"}},
		{two(outboxKey("e1")), parsed{kind: KindOutbox, id: "e1"}},
		{two(idempotencyKey("c|r|k")), parsed{kind: KindIdempotency, id: "c|r|k"}},
		{two(authzPK("acme", "msp"), relationshipSK("rel1")), parsed{kind: KindRelationship, tenant: "acme", home: "msp", id: "rel1"}},
		{two(authzPK("acme", "msp"), assignmentSK("a1")), parsed{kind: KindAssignment, tenant: "acme", home: "msp", id: "a1"}},
		{two(authzPK("acme", "msp"), roleSK("desk")), parsed{kind: KindRole, tenant: "acme", home: "msp", id: "desk"}},
		{two(decisionPK("acme", "msp"), linkSK("rel1")), parsed{kind: KindLink, tenant: "acme", home: "msp", id: "rel1"}},
		{two(decisionPK("acme", "msp"), grantSK("a1")), parsed{kind: KindGrant, tenant: "acme", home: "msp", id: "a1"}},
		{two(decisionPK("acme", "msp"), roleRecordSK("desk")), parsed{kind: KindRoleRecord, tenant: "acme", home: "msp", id: "desk"}},
		{two(decisionPK("acme", "msp"), activationSK("a1", "tom")), parsed{kind: KindActivation, tenant: "acme", home: "msp", id: "a1", user: "tom"}},
		{two(decisionPK("acme", "msp"), decEpoch), parsed{kind: KindEpoch, tenant: "acme", home: "msp"}},
		{two(denialPK, denialSK), parsed{kind: KindDenials, tenant: "acme", home: "msp", user: "tom", operation: "switch", reason: "no-grant"}},
		{two(orgPK("org1"), skOrganization), parsed{kind: KindOrganization, id: "org1"}},
		{two(orgPK("org1"), memberSK("acme")), parsed{kind: KindMember, id: "org1", tenant: "acme"}},
		{two(webhookPK("acme"), webhookSK("wh1")), parsed{kind: KindWebhook, tenant: "acme", id: "wh1"}},
		{two(webhookPK("acme"), skWebhookCount), parsed{kind: KindWebhookCount, tenant: "acme"}},
		{two(deliveryPK("wh1"), attemptSK(at, "e1", 2)), parsed{kind: KindDelivery, id: "wh1"}},
		{two(deliveryPK("wh1"), deliveredSK("e1")), parsed{kind: KindDelivered, id: "wh1"}},
		{two(auditPK("acme"), timeSK(at, "e1")), parsed{kind: KindAudit, id: "acme"}},
		{two(sessionsPK("rel1"), timeSK(at, "s1")), parsed{kind: KindSession, id: "rel1"}},
		{two(crossAccessPK("acme"), crossAccessSK("msp")), parsed{kind: KindCrossAccess, id: "acme"}},
		{two(templatesPK("msp"), templateSK("std")), parsed{kind: KindTemplate, tenant: "msp", id: "std"}},
		{two(templateClaimKey("msp", "std", "acme")), parsed{kind: KindTemplateClaim, home: "msp", id: "std", tenant: "acme"}},
		{two(changesPK("rel1"), changeSK("cr1")), parsed{kind: KindChangeRequest, id: "cr1"}},
		{two(changesPK("rel1"), skPendingChange), parsed{kind: KindPendingChange, id: "rel1"}},
		{two("ELSEWHERE#x", "y"), parsed{kind: KindUnknown}},
	} {
		if got := parseKey(c.key[0], c.key[1]); got != c.want {
			t.Errorf("parseKey(%q, %q) = %+v, want %+v", c.key[0], c.key[1], got, c.want)
		}
	}
	for _, c := range []struct{ record, item [2]string }{
		{two(decisionPK("acme", "msp"), linkSK("rel1")), two(authzPK("acme", "msp"), relationshipSK("rel1"))},
		{two(decisionPK("acme", "msp"), grantSK("a1")), two(authzPK("acme", "msp"), assignmentSK("a1"))},
		{two(decisionPK("acme", "msp"), roleRecordSK("desk")), two(authzPK("acme", "msp"), roleSK("desk"))},
	} {
		pk, sk, ok := mirroredKey(parseKey(c.record[0], c.record[1]))
		if !ok || [2]string{pk, sk} != c.item {
			t.Errorf("mirroredKey(%v) = %s %s, %v; want %v", c.record, pk, sk, ok, c.item)
		}
	}
	if _, _, ok := mirroredKey(parseKey(decisionPK("acme", "msp"), decEpoch)); ok {
		t.Error("the epoch record mirrors an item, want none")
	}
	if got := targetCustomer(targetSK("acme", "a1")); got != "acme" {
		t.Errorf("targetCustomer(targetSK(acme, a1)) = %q", got)
	}
}
