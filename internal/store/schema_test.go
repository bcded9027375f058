package store_test

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/idempotency"
	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/items.golden from what the store writes now")

// TestStoredItemsAreGolden writes one item of every kind the store keeps,
// every field set, and compares the table — every attribute's name, type and
// value — with testdata/items.golden. It fails on any change of the on-disk
// format: a renamed attribute, a changed type, a key built otherwise. A
// deliberate change of the format regenerates the file (go test -run
// TestStoredItemsAreGolden ./internal/store/ -update) and says in
// docs/deploy.md ("Upgrading") what a deployed table needs.
func TestStoredItemsAreGolden(t *testing.T) {
	ctx := context.Background()
	s, db, table := newTable(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	msg := func(id string) []events.Message {
		return []events.Message{{ID: id, Type: "Golden", Time: t0, Detail: []byte(`{"eventId":"` + id + `"}`)}}
	}
	ann := tenancy.Actor{User: "ann", Tenant: "acme"}
	ext := period.Duration(180 * 24 * time.Hour)
	window := period.Duration(time.Hour)
	ended, later := t0.Add(time.Hour), t0.Add(2*time.Hour)

	admin := tenancy.Assignment{ID: "a-admin", TenantID: "acme", HomeTenant: "acme", Principal: "user:ann", Roles: []string{"global-admin"},
		Permissions: []string{"audit.view"}, Scope: []string{"*"}, CreatedAt: t0, CreatedBy: ann}
	must(s.CreateTenant(ctx, tenancy.Tenant{ID: "acme", Name: "Acme", Domain: "acme.com", MSP: true, Status: "active", CreatedAt: t0}, []tenancy.Assignment{admin}, msg("e-tenant")))

	pending := tenancy.Invitation{ID: "inv-pending", Kind: tenancy.KindDelegatedAdmin, Status: tenancy.InvitationPending, FromTenant: "msp", ToTenant: "acme",
		As: "partner", PartnerTenant: "msp", CustomerTenant: "acme", Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/*"}, Duration: period.Duration(24 * time.Hour),
		AutoExtend: &ext, RequireMFA: true, ExpiresAt: later, CreatedAt: t0, CreatedBy: ann, UpdatedAt: t0}
	must(s.CreateInvitation(ctx, pending, nil))
	inv := pending
	inv.ID = "inv-accepted"
	must(s.CreateInvitation(ctx, inv, nil))
	rel := tenancy.Relationship{ID: "rel1", Kind: tenancy.KindDelegatedAdmin, Status: tenancy.RelationshipActive, PartnerTenant: "msp", PartnerName: "MSP",
		CustomerTenant: "acme", CustomerName: "Acme", InvitationID: inv.ID, Ceiling: []tenancy.CeilingRole{{ID: "helpdesk-admin", Permissions: []string{"tickets.view"}}},
		Scope: []string{"/sites/*"}, StartsAt: t0, EndsAt: t0.Add(30 * 24 * time.Hour), AutoExtend: &ext, RequireMFA: true, PrimaryAdmins: []string{"user:pam"},
		CreatedAt: t0, UpdatedAt: t0, EndedAt: &ended, EndedBy: &ann, NoticesSent: []int{30}, AssignmentsCleared: true}
	inv.Status, inv.RelationshipID, inv.UpdatedAt = tenancy.InvitationAccepted, rel.ID, ended
	must(acceptInvitation(ctx, s, inv, rel, msg("e-accept")))

	delegated := tenancy.Assignment{ID: "a-delegated", TenantID: "acme", HomeTenant: "msp", RelationshipID: rel.ID, Principal: "group:desk",
		Roles: []string{"helpdesk-admin"}, Permissions: []string{"tickets.view"}, Scope: []string{"/sites/eu"}, Eligible: true, MaxActivation: &window,
		CreatedAt: t0, CreatedBy: ann}
	must(s.CreateAssignment(ctx, delegated, nil))
	must(saveRole(ctx, s, tenancy.CustomRole{ID: "desk", Name: "Desk", Description: "The desk", TenantID: "acme", DefinedBy: "msp",
		Permissions: []string{"tickets.view"}, BuiltIn: true, UpdatedAt: t0}, nil))
	sess := tenancy.Session{ID: "sess1", TenantID: "acme", HomeTenant: "msp", Actor: tenancy.Actor{User: "tom", Tenant: "msp"}, RelationshipIDs: []string{rel.ID},
		AssignmentIDs: []string{delegated.ID}, IssuedAt: t0, ExpiresAt: ended}
	must(s.CommitSwitch(ctx, sess, 0, []tenancy.Activation{{AssignmentID: delegated.ID, TenantID: "acme", HomeTenant: "msp", User: "tom", Until: ended}}, msg("e-switch")))
	native := admin
	native.ID = "a-removed"
	delegated.ID = "a-removed-delegated"
	must(s.CreateAssignment(ctx, native, nil))
	must(s.CreateAssignment(ctx, delegated, nil))
	must(s.RemoveAssignment(ctx, native, nil))
	must(s.RemoveAssignment(ctx, delegated, nil)) // the epoch record

	must(s.RecordEvents(ctx, msg("e-dead")))
	must(s.DeadLetterEvents(ctx, []outbox.Dead{{ID: "e-dead", Code: "TooLarge", Reason: "the detail is too large"}}))
	if _, err := s.PutAuditRecord(ctx, tenancy.AuditRecord{ID: "e-audit", TenantID: "acme", Type: "RoleAssigned", OccurredAt: t0, Actor: ann,
		Tenants: []string{"acme", "msp"}, RelationshipID: rel.ID, RequestID: "req1", Outcome: "success", Detail: []byte(`{"k":"v"}`), ExpiresAt: later}); err != nil {
		t.Fatal(err)
	}
	must(s.OpenDenials(ctx, nil, tenancy.Denials{Tenant: "acme", Home: "msp", User: "tom", Operation: "switch", Reason: "no-grant", Start: t0, Count: 1}, later, msg("e-denied")))
	must(s.CreateWebhook(ctx, tenancy.Webhook{ID: "wh1", TenantID: "acme", URL: "https://hooks.example/", EventTypes: []string{"RoleAssigned"},
		Status: tenancy.WebhookDisabled, CreatedAt: t0, CreatedBy: ann, Secret: "whsec_x", ConsecutiveFailures: 3, LastError: "boom",
		LastDeliveryAt: &ended, DisabledAt: &ended}, tenancy.MaxWebhooks, nil))
	must(s.RecordDelivery(ctx, tenancy.WebhookDelivery{WebhookID: "wh1", EventID: "e-audit", EventType: "RoleAssigned", Attempt: 2, At: t0,
		StatusCode: 200, Error: "none", Duration: time.Second, Delivered: true}))
	must(s.Complete(ctx, "caller|route|key", idempotency.Record{Hash: "h", ClaimedAt: t0, Done: true, Status: 201, Body: `{"id":"x"}`, ContentType: "application/json"}, later))
	joined := t0.Add(time.Minute)
	must(s.CreateOrganization(ctx, tenancy.Organization{ID: "org1", Name: "Group", Owners: []string{"acme"}, Template: tenancy.OrganizationTemplate{AutoRedeem: true, AllowSyncIn: true},
		CreatedAt: t0, CreatedBy: ann, Members: []tenancy.Member{{TenantID: "ignored"}}},
		tenancy.Member{TenantID: "acme", State: tenancy.MemberJoined, Owner: true, AddedAt: t0, AddedBy: ann, JoinedAt: &joined}, nil))
	must(s.SaveCrossTenantAccess(ctx, []tenancy.CrossTenantAccess{{TenantID: "acme", PartnerTenantID: "msp", OrganizationID: "org1", AutoRedeem: true,
		AllowSyncIn: true, SyncConfiguration: "MTO_Sync_acme", SyncJob: true, CreatedAt: t0}}, nil))

	tpl := tenancy.InvitationTemplate{ID: "std", TenantID: "msp", Name: "Standard", Roles: []string{"helpdesk-admin", "site-lead"}, Scope: []string{"/sites/*"},
		Duration: period.Duration(24 * time.Hour), AutoExtend: &ext, RequireMFA: true, CreatedAt: t0, UpdatedAt: ended, UpdatedBy: ann,
		GroupMappings: []tenancy.GroupMapping{{Principal: "group:desk", Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/eu"}},
			{Principal: "user:pam", Roles: []string{"site-lead"}}}}
	_, err := s.SaveTemplate(ctx, tpl, msg("e-template"))
	must(err)
	fromTpl := pending
	fromTpl.ID, fromTpl.TemplateID, fromTpl.GroupMappings = "inv-template", tpl.ID, tpl.GroupMappings
	must(s.CreateTemplateInvitation(ctx, fromTpl, "", msg("e-from-template")))
	// A change request answered, one pending (with its marker), a
	// relationship narrowed with its assignments still to prune.
	cr := tenancy.ChangeRequest{ID: "cr-approved", RelationshipID: rel.ID, PartnerTenant: "msp", CustomerTenant: "acme", Status: tenancy.ChangeRequestPending,
		Roles: []string{"site-lead", "mmr-admin"}, Scope: []string{"/sites/us"}, Duration: &ext, AutoExtend: &ext, ExpiresAt: later, CreatedAt: t0, CreatedBy: ann, UpdatedAt: t0}
	must(s.CreateChangeRequest(ctx, cr, nil))
	cr.Status, cr.ApprovedRoles, cr.ApprovedScope, cr.AnsweredBy, cr.Version = tenancy.ChangeRequestDeclined, []string{"site-lead"}, []string{"/sites/us/nyc"}, &ann, 1
	if _, err := s.UpdateChangeRequest(ctx, cr, nil); err != nil {
		t.Fatal(err)
	}
	must(s.CreateChangeRequest(ctx, tenancy.ChangeRequest{ID: "cr-pending", RelationshipID: rel.ID, Status: tenancy.ChangeRequestPending, ExpiresAt: later}, nil))
	pruning := rel
	pruning.ID, pruning.CustomerTenant, pruning.Status, pruning.PruneAssignments, pruning.AssignmentsCleared = "rel-narrowed", "narrowed", tenancy.RelationshipActive, true, false
	pruning.EndedAt, pruning.EndedBy = nil, nil
	bareNarrowed := tenancy.Invitation{ID: "inv-narrowed", FromTenant: "msp", ToTenant: "narrowed"}
	must(s.CreateInvitation(ctx, bareNarrowed, nil))
	must(acceptInvitation(ctx, s, bareNarrowed, pruning, nil))

	// The same kinds with only what identifies them: what zero values store.
	must(s.CreateTenant(ctx, tenancy.Tenant{ID: "bare", Domain: "bare.example"}, nil, nil))
	bareInv := tenancy.Invitation{ID: "inv-bare", FromTenant: "msp", ToTenant: "bare"}
	must(s.CreateInvitation(ctx, bareInv, nil))
	must(acceptInvitation(ctx, s, bareInv, tenancy.Relationship{ID: "rel-bare", CustomerTenant: "bare", PartnerTenant: "msp"}, nil))
	must(s.CreateAssignment(ctx, tenancy.Assignment{ID: "a-bare", TenantID: "bare", HomeTenant: "bare"}, nil))
	must(saveRole(ctx, s, tenancy.CustomRole{ID: "own", TenantID: "bare", DefinedBy: "bare"}, nil))
	if _, err := s.PutAuditRecord(ctx, tenancy.AuditRecord{ID: "e-bare", TenantID: "bare"}); err != nil {
		t.Fatal(err)
	}
	must(s.CreateWebhook(ctx, tenancy.Webhook{ID: "wh-bare", TenantID: "bare"}, tenancy.MaxWebhooks, nil))
	must(s.RecordDelivery(ctx, tenancy.WebhookDelivery{WebhookID: "wh-bare", EventID: "e-bare"}))
	must(s.CreateOrganization(ctx, tenancy.Organization{ID: "org-bare"}, tenancy.Member{TenantID: "bare"}, nil))
	_, err = s.SaveTemplate(ctx, tenancy.InvitationTemplate{ID: "bare", TenantID: "bare"}, nil)
	must(err)

	got := dumpTable(t, db, table)
	path := filepath.Join("testdata", "items.golden")
	if *updateGolden {
		must(os.MkdirAll("testdata", 0o755))
		must(os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	must(err)
	if got != string(want) {
		t.Errorf("the stored items differ from %s (a change of the on-disk format):\n%s", path, lineDiff(string(want), got))
	}
}

// dumpTable renders every item of the table, one attribute a line, in key
// order.
func dumpTable(t *testing.T, db *dynamodb.Client, table string) string {
	t.Helper()
	var items []map[string]types.AttributeValue
	in := &dynamodb.ScanInput{TableName: aws.String(table)}
	for {
		out, err := db.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	keyOf := func(m map[string]types.AttributeValue) string { return render(m["PK"]) + " " + render(m["SK"]) }
	slices.SortFunc(items, func(a, b map[string]types.AttributeValue) int { return strings.Compare(keyOf(a), keyOf(b)) })
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "%s\n", keyOf(it))
		for _, name := range sortedNames(it) {
			fmt.Fprintf(&b, "\t%s %s\n", name, render(it[name]))
		}
	}
	return b.String()
}

func sortedNames(m map[string]types.AttributeValue) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// render writes an attribute value with its type: S"…", N…, BOOL…, B…,
// L[…], M{name: …}, SS[…], NS[…].
func render(v types.AttributeValue) string {
	switch a := v.(type) {
	case *types.AttributeValueMemberS:
		return fmt.Sprintf("S%q", a.Value)
	case *types.AttributeValueMemberN:
		return "N" + a.Value
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprint("BOOL", a.Value)
	case *types.AttributeValueMemberB:
		return "B" + base64.StdEncoding.EncodeToString(a.Value)
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberSS:
		return fmt.Sprintf("SS%q", a.Value)
	case *types.AttributeValueMemberNS:
		return fmt.Sprint("NS", a.Value)
	case *types.AttributeValueMemberL:
		parts := make([]string, len(a.Value))
		for i, e := range a.Value {
			parts[i] = render(e)
		}
		return "L[" + strings.Join(parts, ", ") + "]"
	case *types.AttributeValueMemberM:
		var parts []string
		for _, n := range sortedNames(a.Value) {
			parts = append(parts, n+": "+render(a.Value[n]))
		}
		return "M{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("?%T", v)
}

// lineDiff lists the lines only one side has.
func lineDiff(want, got string) string {
	var b strings.Builder
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for _, l := range w {
		if !slices.Contains(g, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}

// The version protocol of the writes the golden fixture makes: the
// invitation was read at version 1, the relationship and the role are new.
func acceptInvitation(ctx context.Context, s *store.Store, inv tenancy.Invitation, rel tenancy.Relationship, msgs []events.Message) error {
	inv.Version = 1
	return s.AcceptInvitation(ctx, inv, rel, msgs)
}

func saveRole(ctx context.Context, s *store.Store, r tenancy.CustomRole, msgs []events.Message) error {
	_, err := s.SaveRole(ctx, r, msgs)
	return err
}
