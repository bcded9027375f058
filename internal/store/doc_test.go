package store_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/idempotency"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/meter"
	"github.com/switchboard/switchboard/internal/ops/backfill"
	"github.com/switchboard/switchboard/internal/ops/invariants"
	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// accessPattern is one row of doc.go's access-pattern table.
type accessPattern struct {
	pattern, method, requests string
}

// accessPatterns reads the table at the top of doc.go.
func accessPatterns(t *testing.T) []accessPattern {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var rows []accessPattern
	inTable := false
	for _, line := range strings.Split(string(src), "\n") {
		cells, ok := strings.CutPrefix(line, "//\t|")
		if !ok {
			if inTable {
				break // the first table ends
			}
			continue
		}
		c := strings.Split(cells, "|")
		for i := range c {
			c[i] = strings.TrimSpace(c[i])
		}
		switch {
		case len(c) != 6 || c[5] != "":
			t.Fatalf("doc.go: a row of the access-pattern table has %d columns, want 5: %s", len(c)-1, line)
		case c[0] == "pattern":
			if c[1] != "method" || c[4] != "requests" {
				t.Fatalf("doc.go: the access-pattern table's columns are %v, want pattern, method, index, key condition, requests", c[:5])
			}
			inTable = true
		case strings.HasPrefix(c[0], "---"):
		default:
			rows = append(rows, accessPattern{pattern: c[0], method: c[1], requests: c[4]})
		}
	}
	if len(rows) == 0 {
		t.Fatal("doc.go has no access-pattern table")
	}
	return rows
}

// requestCounts reads a requests cell, "GetItem + Query ×4 + BatchWriteItem
// ×B", with the values of its capital-letter counts.
func requestCounts(cell string, vars map[string]int) (map[string]int, error) {
	want := map[string]int{}
	for _, term := range strings.Split(cell, " + ") {
		op, count, found := strings.Cut(strings.TrimSpace(term), " ×")
		n := 1
		if found {
			var err error
			if n, err = strconv.Atoi(count); err != nil {
				v, ok := vars[count]
				if !ok {
					return nil, fmt.Errorf("%q: the count %s has no value in the scenario", cell, count)
				}
				n = v
			}
		}
		if op == "" || strings.ContainsAny(op, " ()") {
			return nil, fmt.Errorf("%q: %q is not an operation", cell, op)
		}
		want[op] += n
	}
	return want, nil
}

// opsTools are the rows served by an operator tool rather than a store method.
var opsTools = []string{"backfill.Decisions", "backfill.PartnerRoleIndex", "invariants.Check"}

// TestAccessPatterns keeps doc.go's access-pattern table true: every row
// names a store method (or operator tool) and the requests it makes, every
// exported method of the store has a row, and each row's scenario below,
// run against DynamoDB Local with a request meter, makes exactly the
// requests its row says.
func TestAccessPatterns(t *testing.T) {
	rows := accessPatterns(t)
	methods := map[string]bool{}
	st := reflect.TypeOf(&store.Store{})
	for i := range st.NumMethod() {
		methods[st.Method(i).Name] = true
	}
	for _, tool := range opsTools {
		methods[tool] = true
	}
	documented := map[string]bool{}
	for _, r := range rows {
		name, _, _ := strings.Cut(r.method, " ")
		if !methods[name] {
			t.Errorf("doc.go row %q names %s, which is no method of store.Store nor an operator tool", r.pattern, name)
		}
		documented[name] = true
		if _, ok := scenarios[r.method]; !ok {
			t.Errorf("doc.go row %q (%s) has no scenario in doc_test.go to measure it", r.pattern, r.method)
		}
	}
	for name := range methods {
		if !documented[name] {
			t.Errorf("store method %s has no row in doc.go's access-pattern table", name)
		}
	}
	byMethod := map[string]accessPattern{}
	for _, r := range rows {
		byMethod[r.method] = r
	}
	for key := range scenarios {
		if _, ok := byMethod[key]; !ok {
			t.Errorf("scenario %q measures no row of doc.go", key)
		}
	}
	for _, r := range rows {
		sc, ok := scenarios[r.method]
		if !ok {
			continue
		}
		t.Run(r.method, func(t *testing.T) {
			t.Parallel()
			want, err := requestCounts(r.requests, sc.vars)
			if err != nil {
				t.Fatal(err)
			}
			m := meter.New()
			db, table := dbtest.Table(t, m.Option())
			f := &fixture{t: t, ctx: context.Background(), s: store.New(db, table), db: db, table: table, meter: m}
			sc.run(f)
			if f.got == nil {
				t.Fatal("the scenario measured nothing")
			}
			if !maps.Equal(f.got, want) {
				t.Errorf("%s made %v, doc.go says %s (%v)", r.method, f.got, r.requests, want)
			}
		})
	}
}

// fixture is one scenario's table and store, behind a meter.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	s     *store.Store
	db    *dynamodb.Client
	table string
	meter *meter.Meter
	got   map[string]int
}

// must fails the scenario on a setup error.
func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// measure counts the requests of call, the one the row is about.
func (f *fixture) measure(call func() error) {
	f.t.Helper()
	f.meter.Reset()
	if err := call(); err != nil {
		f.t.Fatal(err)
	}
	f.got = f.meter.Counts()
}

type scenario struct {
	vars map[string]int // the values of the row's capital-letter counts
	run  func(f *fixture)
}

func event(id string) []events.Message {
	return []events.Message{{ID: id, Type: "Measured", Time: t0, Detail: []byte(`{}`)}}
}

var (
	customer = tenancy.Tenant{ID: "acme", Name: "Acme", Domain: "acme.com", Status: "active", CreatedAt: t0}
	pending  = tenancy.Invitation{ID: "inv1", Kind: tenancy.KindDelegatedAdmin, Status: tenancy.InvitationPending, FromTenant: "msp", ToTenant: "acme",
		PartnerTenant: "msp", CustomerTenant: "acme", ExpiresAt: t0, CreatedAt: t0}
	active = tenancy.Relationship{ID: "rel1", Kind: tenancy.KindDelegatedAdmin, Status: tenancy.RelationshipActive, PartnerTenant: "msp",
		CustomerTenant: "acme", EndsAt: t0.Add(24 * time.Hour), CreatedAt: t0}
	native    = tenancy.Assignment{ID: "a1", TenantID: "acme", HomeTenant: "acme", Principal: "user:ann", Roles: []string{"global-admin"}, Scope: []string{"*"}}
	delegated = tenancy.Assignment{ID: "a2", TenantID: "acme", HomeTenant: "msp", RelationshipID: "rel1", Principal: "user:tom",
		Roles: []string{"helpdesk-admin"}, Scope: []string{"*"}}
	partnerRole = tenancy.CustomRole{ID: "desk", Name: "Desk", TenantID: "acme", DefinedBy: "msp", Permissions: []string{"tickets.view"}}
	window      = tenancy.Denials{Tenant: "acme", Home: "msp", User: "tom", Operation: "switch", Reason: "no-grant", Start: t0, Count: 1}
	hook        = tenancy.Webhook{ID: "wh1", TenantID: "acme", URL: "https://hooks.example/", Status: tenancy.WebhookActive, CreatedAt: t0}
	attempt     = tenancy.WebhookDelivery{WebhookID: "wh1", EventID: "e1", EventType: "RoleAssigned", Attempt: 1, At: t0}
	org         = tenancy.Organization{ID: "org1", Name: "Group", Owners: []string{"acme"}, CreatedAt: t0}
	owner       = tenancy.Member{TenantID: "acme", State: tenancy.MemberJoined, Owner: true, AddedAt: t0}
	access      = tenancy.CrossTenantAccess{TenantID: "acme", PartnerTenantID: "msp", OrganizationID: "org1", CreatedAt: t0}
	later       = t0.Add(365 * 24 * time.Hour)
	template    = tenancy.InvitationTemplate{ID: "std", TenantID: "msp", Name: "Standard", Roles: []string{"helpdesk-admin"}, Scope: []string{"*"},
		GroupMappings: []tenancy.GroupMapping{{Principal: "group:desk", Roles: []string{"helpdesk-admin"}}}}
	fromTemplate = func() tenancy.Invitation {
		inv := pending
		inv.ID, inv.TemplateID, inv.GroupMappings = "inv-tpl", template.ID, template.GroupMappings
		return inv
	}()
	change = tenancy.ChangeRequest{ID: "cr1", RelationshipID: "rel1", PartnerTenant: "msp", CustomerTenant: "acme", Status: tenancy.ChangeRequestPending,
		Roles: []string{"site-lead"}, ExpiresAt: t0, CreatedAt: t0}
)

// related stores the active relationship msp → acme, accepted from pending.
func (f *fixture) related() {
	f.t.Helper()
	f.must(f.s.CreateInvitation(f.ctx, pending, nil))
	accepted := pending
	accepted.Status, accepted.RelationshipID, accepted.Version = tenancy.InvitationAccepted, active.ID, 1
	f.must(f.s.AcceptInvitation(f.ctx, accepted, active, nil))
}

func (f *fixture) deleteItem(pk, sk string) {
	f.t.Helper()
	_, err := f.db.DeleteItem(f.ctx, &dynamodb.DeleteItemInput{TableName: aws.String(f.table), Key: map[string]types.AttributeValue{
		store.AttrPK: &types.AttributeValueMemberS{Value: pk}, store.AttrSK: &types.AttributeValueMemberS{Value: sk}}})
	f.must(err)
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

// scenarios measure the rows of doc.go, by method cell: each sets up what
// its call needs, then measures the one call.
var scenarios = map[string]scenario{
	"LoadPartition": {run: func(f *fixture) {
		f.related()
		f.must(f.s.CreateAssignment(f.ctx, delegated, nil))
		f.measure(func() error { _, err := f.s.LoadPartition(f.ctx, "acme", "msp"); return err })
	}},
	"GetTenant": {run: func(f *fixture) {
		f.must(f.s.CreateTenant(f.ctx, customer, nil, nil))
		f.measure(func() error { _, err := f.s.GetTenant(f.ctx, "acme"); return err })
	}},
	"TenantByDomain": {run: func(f *fixture) {
		f.must(f.s.CreateTenant(f.ctx, customer, nil, nil))
		f.measure(func() error { _, err := f.s.TenantByDomain(f.ctx, "acme.com"); return err })
	}},
	"CreateTenant": {run: func(f *fixture) {
		f.measure(func() error { return f.s.CreateTenant(f.ctx, customer, []tenancy.Assignment{native}, event("e1")) })
	}},
	"GetInvitation": {run: func(f *fixture) {
		f.must(f.s.CreateInvitation(f.ctx, pending, nil))
		f.measure(func() error { _, err := f.s.GetInvitation(f.ctx, pending.ID); return err })
	}},
	"ListInvitations (outgoing)": {run: func(f *fixture) {
		f.must(f.s.CreateInvitation(f.ctx, pending, nil))
		f.measure(func() error {
			_, err := f.s.ListInvitations(f.ctx, "msp", tenancy.Outgoing, tenancy.InvitationPending, tenancy.Page{})
			return err
		})
	}},
	"ListInvitations (incoming)": {run: func(f *fixture) {
		f.must(f.s.CreateInvitation(f.ctx, pending, nil))
		f.measure(func() error {
			_, err := f.s.ListInvitations(f.ctx, "acme", tenancy.Incoming, "", tenancy.Page{})
			return err
		})
	}},
	"CreateInvitation": {run: func(f *fixture) {
		f.measure(func() error { return f.s.CreateInvitation(f.ctx, pending, event("e1")) })
	}},
	"UpdateInvitation": {run: func(f *fixture) {
		f.must(f.s.CreateInvitation(f.ctx, pending, nil))
		declined := pending
		declined.Status, declined.Version = tenancy.InvitationDeclined, 1
		f.measure(func() error { _, err := f.s.UpdateInvitation(f.ctx, declined, event("e1")); return err })
	}},
	"AcceptInvitation": {run: func(f *fixture) {
		f.must(f.s.CreateInvitation(f.ctx, pending, nil))
		accepted := pending
		accepted.Status, accepted.RelationshipID, accepted.Version = tenancy.InvitationAccepted, active.ID, 1
		f.measure(func() error { return f.s.AcceptInvitation(f.ctx, accepted, active, event("e1")) })
	}},
	"AcceptWithAssignments": {run: func(f *fixture) {
		f.must(f.s.CreateInvitation(f.ctx, pending, nil))
		accepted := pending
		accepted.Status, accepted.RelationshipID, accepted.Version = tenancy.InvitationAccepted, active.ID, 1
		mapped := delegated
		mapped.ID, mapped.Principal = "a3", "group:desk"
		f.measure(func() error {
			return f.s.AcceptWithAssignments(f.ctx, accepted, active, []tenancy.Assignment{delegated, mapped}, event("e1"))
		})
	}},
	"SaveTemplate": {run: func(f *fixture) {
		f.measure(func() error { _, err := f.s.SaveTemplate(f.ctx, template, event("e1")); return err })
	}},
	"GetTemplate": {run: func(f *fixture) {
		_, err := f.s.SaveTemplate(f.ctx, template, nil)
		f.must(err)
		f.measure(func() error { _, err := f.s.GetTemplate(f.ctx, "msp", template.ID); return err })
	}},
	"ListTemplates": {run: func(f *fixture) {
		_, err := f.s.SaveTemplate(f.ctx, template, nil)
		f.must(err)
		f.measure(func() error { _, err := f.s.ListTemplates(f.ctx, "msp", tenancy.Page{}); return err })
	}},
	"CreateTemplateInvitation": {run: func(f *fixture) {
		f.measure(func() error { return f.s.CreateTemplateInvitation(f.ctx, fromTemplate, "", event("e1")) })
	}},
	"TemplateClaim": {run: func(f *fixture) {
		f.must(f.s.CreateTemplateInvitation(f.ctx, fromTemplate, "", nil))
		f.measure(func() error { _, err := f.s.TemplateClaim(f.ctx, "msp", template.ID, "acme"); return err })
	}},
	"DueInvitations": {run: func(f *fixture) {
		f.must(f.s.CreateInvitation(f.ctx, pending, nil))
		f.measure(func() error { _, err := f.s.DueInvitations(f.ctx, later, 10); return err })
	}},
	"GetRelationship": {run: func(f *fixture) {
		f.related()
		f.measure(func() error { _, err := f.s.GetRelationship(f.ctx, active.ID); return err })
	}},
	"ListRelationships (partner)": {run: func(f *fixture) {
		f.related()
		f.measure(func() error {
			_, err := f.s.ListRelationships(f.ctx, "msp", tenancy.SidePartner, tenancy.Page{})
			return err
		})
	}},
	"ListRelationships (customer)": {run: func(f *fixture) {
		f.related()
		f.measure(func() error {
			_, err := f.s.ListRelationships(f.ctx, "acme", tenancy.SideCustomer, tenancy.Page{})
			return err
		})
	}},
	"UpdateRelationship": {run: func(f *fixture) {
		f.related()
		ended := active
		ended.Status, ended.Version = tenancy.RelationshipTerminated, 1
		f.measure(func() error { _, err := f.s.UpdateRelationship(f.ctx, ended, event("e1")); return err })
	}},
	"DueRelationships": {run: func(f *fixture) {
		f.related()
		f.measure(func() error { _, err := f.s.DueRelationships(f.ctx, later, 10); return err })
	}},
	"ListRelationshipsWhere (partner)": {vars: map[string]int{"R": 1}, run: func(f *fixture) {
		f.related()
		f.measure(func() error {
			l, err := f.s.ListRelationshipsWhere(f.ctx, "msp", tenancy.SidePartner, func(r tenancy.Relationship) bool { return r.Status == tenancy.RelationshipActive }, tenancy.Page{})
			if err == nil && len(l.Items) != 1 {
				err = fmt.Errorf("ListRelationshipsWhere() = %d relationships, want 1", len(l.Items))
			}
			return err
		})
	}},
	"ListRelationshipsWhere (customer)": {vars: map[string]int{"R": 3}, run: func(f *fixture) {
		// 250 relationships, only the oldest kept: a page reads on (100 a
		// request) until it holds it, instead of answering an empty page.
		for i := range 250 {
			inv := pending
			inv.ID, inv.FromTenant, inv.PartnerTenant = fmt.Sprintf("inv%03d", i), fmt.Sprintf("msp%03d", i), fmt.Sprintf("msp%03d", i)
			f.must(f.s.CreateInvitation(f.ctx, inv, nil))
			rel := active
			rel.ID, rel.PartnerTenant, rel.CreatedAt = fmt.Sprintf("rel%03d", i), inv.PartnerTenant, t0.Add(time.Duration(i)*time.Second)
			inv.Status, inv.RelationshipID, inv.Version = tenancy.InvitationAccepted, rel.ID, 1
			f.must(f.s.AcceptInvitation(f.ctx, inv, rel, nil))
		}
		f.measure(func() error {
			l, err := f.s.ListRelationshipsWhere(f.ctx, "acme", tenancy.SideCustomer, func(r tenancy.Relationship) bool { return r.ID == "rel000" }, tenancy.Page{Limit: 1})
			if err == nil && (len(l.Items) != 1 || l.NextCursor != "") {
				err = fmt.Errorf("ListRelationshipsWhere() = %d relationships, cursor %q; want rel000 and the end", len(l.Items), l.NextCursor)
			}
			return err
		})
	}},
	"NarrowRelationship": {run: func(f *fixture) {
		f.related()
		narrowed := active
		narrowed.Scope, narrowed.PruneAssignments, narrowed.Version = []string{"/sites/eu"}, true, 1
		f.measure(func() error { _, err := f.s.NarrowRelationship(f.ctx, narrowed, event("e1")); return err })
	}},
	"ReplaceAssignments": {run: func(f *fixture) {
		f.related()
		f.must(f.s.CreateAssignment(f.ctx, delegated, nil))
		second := delegated
		second.ID = "a3"
		f.must(f.s.CreateAssignment(f.ctx, second, nil))
		one, two := delegated, second
		one.Version, two.Version, one.Scope, two.Scope = 1, 1, []string{"/sites/eu"}, []string{"/sites/eu"}
		f.measure(func() error { return f.s.ReplaceAssignments(f.ctx, []tenancy.Assignment{one, two}) })
	}},
	"CreateChangeRequest": {run: func(f *fixture) {
		f.measure(func() error { return f.s.CreateChangeRequest(f.ctx, change, event("e1")) })
	}},
	"GetChangeRequest": {run: func(f *fixture) {
		f.must(f.s.CreateChangeRequest(f.ctx, change, nil))
		f.measure(func() error { _, err := f.s.GetChangeRequest(f.ctx, change.RelationshipID, change.ID); return err })
	}},
	"ListChangeRequests": {run: func(f *fixture) {
		f.must(f.s.CreateChangeRequest(f.ctx, change, nil))
		f.measure(func() error {
			_, err := f.s.ListChangeRequests(f.ctx, change.RelationshipID, tenancy.Page{})
			return err
		})
	}},
	"UpdateChangeRequest": {run: func(f *fixture) {
		f.must(f.s.CreateChangeRequest(f.ctx, change, nil))
		declined := change
		declined.Status, declined.Version = tenancy.ChangeRequestDeclined, 1
		f.measure(func() error { _, err := f.s.UpdateChangeRequest(f.ctx, declined, event("e1")); return err })
	}},
	"ApproveChangeRequest": {run: func(f *fixture) {
		f.related()
		f.must(f.s.CreateChangeRequest(f.ctx, change, nil))
		approved := change
		approved.Status, approved.Version = tenancy.ChangeRequestApproved, 1
		widened := active
		widened.Ceiling, widened.Version = []tenancy.CeilingRole{{ID: "site-lead", Permissions: []string{"rooms.view"}}}, 1
		f.measure(func() error { _, err := f.s.ApproveChangeRequest(f.ctx, approved, widened, event("e1")); return err })
	}},
	"DueChangeRequests": {run: func(f *fixture) {
		f.must(f.s.CreateChangeRequest(f.ctx, change, nil))
		f.measure(func() error {
			due, err := f.s.DueChangeRequests(f.ctx, later, 10)
			if err == nil && len(due) != 1 {
				err = fmt.Errorf("DueChangeRequests() = %d, want 1", len(due))
			}
			return err
		})
	}},
	"ListAssignments": {run: func(f *fixture) {
		f.related()
		f.must(f.s.CreateAssignment(f.ctx, delegated, nil))
		f.measure(func() error {
			_, err := f.s.ListAssignments(f.ctx, "acme", "msp", active.ID, tenancy.Page{})
			return err
		})
	}},
	"GetAssignment": {run: func(f *fixture) {
		f.must(f.s.CreateAssignment(f.ctx, native, nil))
		f.measure(func() error { _, err := f.s.GetAssignment(f.ctx, "acme", "acme", native.ID); return err })
	}},
	"CreateAssignment (delegated)": {run: func(f *fixture) {
		f.related()
		f.measure(func() error { return f.s.CreateAssignment(f.ctx, delegated, event("e1")) })
	}},
	"CreateDelegatedAssignment": {run: func(f *fixture) {
		f.related()
		rel, err := f.s.GetRelationship(f.ctx, delegated.RelationshipID)
		f.must(err)
		f.measure(func() error { return f.s.CreateDelegatedAssignment(f.ctx, delegated, rel.Version, event("e1")) })
	}},
	"CreateAssignment (native)": {run: func(f *fixture) {
		f.measure(func() error { return f.s.CreateAssignment(f.ctx, native, event("e1")) })
	}},
	"RemoveAssignment": {run: func(f *fixture) {
		f.related()
		f.must(f.s.CreateAssignment(f.ctx, delegated, nil))
		f.measure(func() error { return f.s.RemoveAssignment(f.ctx, delegated, event("e1")) })
	}},
	"DeleteAssignments": {vars: map[string]int{"B": 3}, run: func(f *fixture) {
		f.measure(func() error { return f.s.DeleteAssignments(f.ctx, "acme", "msp", ids("a", 25)) })
	}},
	"PrincipalGrants": {run: func(f *fixture) {
		f.related()
		f.must(f.s.CreateAssignment(f.ctx, delegated, nil))
		f.measure(func() error { _, err := f.s.PrincipalGrants(f.ctx, "acme", "msp", delegated.Principal); return err })
	}},
	"ListRoles": {run: func(f *fixture) {
		_, err := f.s.SaveRole(f.ctx, partnerRole, nil)
		f.must(err)
		f.measure(func() error { _, err := f.s.ListRoles(f.ctx, "acme", "msp"); return err })
	}},
	"ListPartnerRoles": {run: func(f *fixture) {
		_, err := f.s.SaveRole(f.ctx, partnerRole, nil)
		f.must(err)
		f.measure(func() error { _, err := f.s.ListPartnerRoles(f.ctx, "acme"); return err })
	}},
	"SaveRole": {run: func(f *fixture) {
		f.measure(func() error { _, err := f.s.SaveRole(f.ctx, partnerRole, event("e1")); return err })
	}},
	"PendingEvents": {run: func(f *fixture) {
		f.must(f.s.RecordEvents(f.ctx, event("e1")))
		f.measure(func() error { _, err := f.s.PendingEvents(f.ctx, later, 10); return err })
	}},
	"DeleteEvents": {vars: map[string]int{"B": 2}, run: func(f *fixture) {
		f.measure(func() error { return f.s.DeleteEvents(f.ctx, ids("e", 26)) })
	}},
	"DeadLetterEvents": {vars: map[string]int{"N": 2}, run: func(f *fixture) {
		f.must(f.s.RecordEvents(f.ctx, append(event("e1"), event("e2")...)))
		f.measure(func() error {
			return f.s.DeadLetterEvents(f.ctx, []outbox.Dead{{ID: "e1", Code: "TooLarge"}, {ID: "e2", Code: "TooLarge"}})
		})
	}},
	"DeadEvents": {run: func(f *fixture) {
		f.must(f.s.RecordEvents(f.ctx, event("e1")))
		f.must(f.s.DeadLetterEvents(f.ctx, []outbox.Dead{{ID: "e1", Code: "TooLarge"}}))
		f.measure(func() error { _, err := f.s.DeadEvents(f.ctx, 10); return err })
	}},
	"RequeueEvent": {run: func(f *fixture) {
		f.must(f.s.RecordEvents(f.ctx, event("e1")))
		f.must(f.s.DeadLetterEvents(f.ctx, []outbox.Dead{{ID: "e1", Code: "TooLarge"}}))
		f.measure(func() error { return f.s.RequeueEvent(f.ctx, "e1") })
	}},
	"RecordEvents (one)": {run: func(f *fixture) {
		f.measure(func() error { return f.s.RecordEvents(f.ctx, event("e1")) })
	}},
	"RecordEvents (many)": {vars: map[string]int{"T": 2}, run: func(f *fixture) {
		var msgs []events.Message
		for _, id := range ids("e", 150) {
			msgs = append(msgs, event(id)...)
		}
		f.measure(func() error { return f.s.RecordEvents(f.ctx, msgs) })
	}},
	"CountDenial": {run: func(f *fixture) {
		f.must(f.s.OpenDenials(f.ctx, nil, window, t0.Add(time.Hour), nil))
		f.measure(func() error { _, err := f.s.CountDenial(f.ctx, window, t0.Add(-time.Hour)); return err })
	}},
	"GetDenials": {run: func(f *fixture) {
		f.must(f.s.OpenDenials(f.ctx, nil, window, t0.Add(time.Hour), nil))
		f.measure(func() error { _, _, err := f.s.GetDenials(f.ctx, window); return err })
	}},
	"OpenDenials": {run: func(f *fixture) {
		f.measure(func() error { return f.s.OpenDenials(f.ctx, nil, window, t0.Add(time.Hour), event("e1")) })
	}},
	"DueDenials": {run: func(f *fixture) {
		f.must(f.s.OpenDenials(f.ctx, nil, window, t0.Add(time.Hour), nil))
		f.measure(func() error { _, err := f.s.DueDenials(f.ctx, later, 10); return err })
	}},
	"CloseDenials": {run: func(f *fixture) {
		f.must(f.s.OpenDenials(f.ctx, nil, window, t0.Add(time.Hour), nil))
		f.measure(func() error { return f.s.CloseDenials(f.ctx, window, event("e1")) })
	}},
	"PutAuditRecord": {run: func(f *fixture) {
		f.measure(func() error {
			_, err := f.s.PutAuditRecord(f.ctx, tenancy.AuditRecord{ID: "e1", TenantID: "acme", Type: "RoleAssigned", OccurredAt: t0})
			return err
		})
	}},
	"ListAudit": {run: func(f *fixture) {
		_, err := f.s.PutAuditRecord(f.ctx, tenancy.AuditRecord{ID: "e1", TenantID: "acme", Type: "RoleAssigned", OccurredAt: t0})
		f.must(err)
		f.measure(func() error {
			_, err := f.s.ListAudit(f.ctx, "acme", tenancy.AuditFilter{ActorTenant: "msp"}, tenancy.Page{})
			return err
		})
	}},
	"ListWebhooks": {run: func(f *fixture) {
		f.must(f.s.CreateWebhook(f.ctx, hook, tenancy.MaxWebhooks, nil))
		f.measure(func() error { _, err := f.s.ListWebhooks(f.ctx, "acme"); return err })
	}},
	"CreateWebhook": {run: func(f *fixture) {
		f.must(f.s.CreateWebhook(f.ctx, hook, tenancy.MaxWebhooks, nil))
		second := hook
		second.ID = "wh2"
		f.measure(func() error { return f.s.CreateWebhook(f.ctx, second, tenancy.MaxWebhooks, event("e1")) })
	}},
	"CreateWebhook (first)": {run: func(f *fixture) {
		f.measure(func() error { return f.s.CreateWebhook(f.ctx, hook, tenancy.MaxWebhooks, event("e1")) })
	}},
	"DeleteWebhook": {run: func(f *fixture) {
		f.must(f.s.CreateWebhook(f.ctx, hook, tenancy.MaxWebhooks, nil))
		f.measure(func() error { return f.s.DeleteWebhook(f.ctx, "acme", hook.ID, event("e1")) })
	}},
	"UpdateWebhook": {run: func(f *fixture) {
		f.must(f.s.CreateWebhook(f.ctx, hook, tenancy.MaxWebhooks, nil))
		failed := hook
		failed.ConsecutiveFailures, failed.Version = 1, 1
		f.measure(func() error { _, err := f.s.UpdateWebhook(f.ctx, failed, nil); return err })
	}},
	"UpdateWebhook (disabling)": {run: func(f *fixture) {
		f.must(f.s.CreateWebhook(f.ctx, hook, tenancy.MaxWebhooks, nil))
		disabled := hook
		disabled.Status, disabled.Version = tenancy.WebhookDisabled, 1
		f.measure(func() error { _, err := f.s.UpdateWebhook(f.ctx, disabled, event("e1")); return err })
	}},
	"ListDeliveries": {run: func(f *fixture) {
		f.must(f.s.RecordDelivery(f.ctx, attempt))
		f.measure(func() error { _, err := f.s.ListDeliveries(f.ctx, hook.ID, tenancy.Page{}); return err })
	}},
	"Delivered": {run: func(f *fixture) {
		f.measure(func() error { _, err := f.s.Delivered(f.ctx, hook.ID, "e1"); return err })
	}},
	"RecordDelivery (failed)": {run: func(f *fixture) {
		f.measure(func() error { return f.s.RecordDelivery(f.ctx, attempt) })
	}},
	"RecordDelivery (delivered)": {run: func(f *fixture) {
		done := attempt
		done.Delivered, done.StatusCode = true, 200
		f.measure(func() error { return f.s.RecordDelivery(f.ctx, done) })
	}},
	"CommitSwitch": {run: func(f *fixture) {
		f.related()
		sess := tenancy.Session{ID: "s1", TenantID: "acme", HomeTenant: "msp", RelationshipIDs: []string{active.ID}, IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		f.measure(func() error { return f.s.CommitSwitch(f.ctx, sess, 0, nil, event("e1")) })
	}},
	"LiveSessions": {run: func(f *fixture) {
		f.related()
		sess := tenancy.Session{ID: "s1", TenantID: "acme", HomeTenant: "msp", RelationshipIDs: []string{active.ID}, IssuedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		f.must(f.s.CommitSwitch(f.ctx, sess, 0, nil, nil))
		f.measure(func() error { _, err := f.s.LiveSessions(f.ctx, active.ID, t0); return err })
	}},
	"SwitchTargets": {vars: map[string]int{"P": 2, "C": 2}, run: func(f *fixture) {
		f.related()
		f.must(f.s.CreateAssignment(f.ctx, delegated, nil))
		other := active
		other.ID, other.CustomerTenant = "rel2", "globex"
		inv := pending
		inv.ID, inv.ToTenant, inv.CustomerTenant = "inv2", "globex", "globex"
		f.must(f.s.CreateInvitation(f.ctx, inv, nil))
		inv.Status, inv.RelationshipID, inv.Version = tenancy.InvitationAccepted, other.ID, 1
		f.must(f.s.AcceptInvitation(f.ctx, inv, other, nil))
		group := delegated
		group.ID, group.TenantID, group.RelationshipID, group.Principal = "a3", "globex", other.ID, "group:desk"
		f.must(f.s.CreateAssignment(f.ctx, group, nil))
		f.measure(func() error {
			l, err := f.s.SwitchTargets(f.ctx, "msp", []string{"user:tom", "group:desk"}, tenancy.Page{})
			if err == nil && len(l.Items) != 2 {
				err = fmt.Errorf("SwitchTargets() = %d targets, want 2", len(l.Items))
			}
			return err
		})
	}},
	"Reserve (new)": {run: func(f *fixture) {
		f.measure(func() error { _, _, err := f.s.Reserve(f.ctx, "caller|route|key", "h", later); return err })
	}},
	"Reserve (taken)": {run: func(f *fixture) {
		_, _, err := f.s.Reserve(f.ctx, "caller|route|key", "h", later)
		f.must(err)
		f.measure(func() error { _, _, err := f.s.Reserve(f.ctx, "caller|route|key", "h", later); return err })
	}},
	"Complete": {run: func(f *fixture) {
		f.measure(func() error {
			return f.s.Complete(f.ctx, "caller|route|key", idempotency.Record{Hash: "h", ClaimedAt: t0, Done: true, Status: 201}, later)
		})
	}},
	"Release": {run: func(f *fixture) {
		f.measure(func() error { return f.s.Release(f.ctx, "caller|route|key") })
	}},
	"GetOrganization": {run: func(f *fixture) {
		f.must(f.s.CreateOrganization(f.ctx, org, owner, nil))
		f.measure(func() error { _, err := f.s.GetOrganization(f.ctx, org.ID); return err })
	}},
	"CreateOrganization": {run: func(f *fixture) {
		f.measure(func() error { return f.s.CreateOrganization(f.ctx, org, owner, event("e1")) })
	}},
	"SaveMembers": {run: func(f *fixture) {
		f.must(f.s.CreateOrganization(f.ctx, org, owner, nil))
		read := org
		read.Version = 1
		added := tenancy.Member{TenantID: "globex", State: tenancy.MemberPending, AddedAt: t0}
		f.measure(func() error { return f.s.SaveMembers(f.ctx, read, []tenancy.Member{added}, nil, event("e1")) })
	}},
	"ListCrossTenantAccess": {run: func(f *fixture) {
		f.must(f.s.SaveCrossTenantAccess(f.ctx, []tenancy.CrossTenantAccess{access}, nil))
		f.measure(func() error { _, err := f.s.ListCrossTenantAccess(f.ctx, "acme"); return err })
	}},
	"SaveCrossTenantAccess": {run: func(f *fixture) {
		f.measure(func() error {
			return f.s.SaveCrossTenantAccess(f.ctx, []tenancy.CrossTenantAccess{access}, event("e1"))
		})
	}},
	"DeleteCrossTenantAccess": {run: func(f *fixture) {
		f.must(f.s.SaveCrossTenantAccess(f.ctx, []tenancy.CrossTenantAccess{access}, nil))
		f.measure(func() error { return f.s.DeleteCrossTenantAccess(f.ctx, "acme", "msp", event("e1")) })
	}},
	"backfill.Decisions": {vars: map[string]int{"W": 1}, run: func(f *fixture) {
		f.related()
		f.must(f.s.CreateAssignment(f.ctx, delegated, nil))
		f.deleteItem("DEC#acme#msp", "G#"+delegated.ID)
		f.measure(func() error {
			b, err := backfill.Decisions(f.ctx, f.db, f.table)
			if err == nil && b.Written != 1 {
				err = fmt.Errorf("backfill.Decisions() = %+v, want one written", b)
			}
			return err
		})
	}},
	"backfill.PartnerRoleIndex": {vars: map[string]int{"W": 1}, run: func(f *fixture) {
		_, err := f.s.SaveRole(f.ctx, partnerRole, nil)
		f.must(err)
		_, err = f.db.UpdateItem(f.ctx, &dynamodb.UpdateItemInput{TableName: aws.String(f.table), UpdateExpression: aws.String("REMOVE GSI2PK, GSI2SK"),
			Key: map[string]types.AttributeValue{store.AttrPK: &types.AttributeValueMemberS{Value: "AUTHZ#acme#msp"}, store.AttrSK: &types.AttributeValueMemberS{Value: "ROLE#desk"}}})
		f.must(err)
		f.measure(func() error {
			b, err := backfill.PartnerRoleIndex(f.ctx, f.db, f.table)
			if err == nil && b.Written != 1 {
				err = fmt.Errorf("backfill.PartnerRoleIndex() = %+v, want one written", b)
			}
			return err
		})
	}},
	"invariants.Check": {run: func(f *fixture) {
		f.related()
		f.measure(func() error { _, err := invariants.Check(f.ctx, f.db, f.table); return err })
	}},
}
