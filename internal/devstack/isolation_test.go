package devstack_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/switchboard/switchboard/internal/devstack"

	"github.com/switchboard/switchboard/internal/httpapi"
)

// bodies are valid requests for each route, so a refusal is about who asks,
// not about what was sent.
var bodies = map[string]string{
	"POST /tenants":                        `{"name":"Mallory Inc","domain":"mallory.example","msp":true,"admins":["user:mallory"]}`,
	"POST /invitations":                    `{"to":{"tenantId":"contoso"},"roles":["global-admin"]}`,
	"POST /invitations/{id}/accept":        `{"primaryAdmins":["user:mallory"]}`,
	"POST /invitations/{id}/decline":       `{}`,
	"POST /relationships/{id}/assignments": `{"principal":"user:mallory","roles":["helpdesk-admin"]}`,
	"POST /tenants/{tenantId}/roles":       `{"id":"backdoor","name":"Backdoor","permissions":["rooms.view"]}`,
	"POST /tenants/{tenantId}/assignments": `{"principal":"user:mallory","roles":["global-admin"]}`,
	"POST /check-access":                   `{"tenantId":"contoso","permission":"rooms.view","principal":{"id":"user:tom","tenantId":"northwind"}}`,
	"POST /tenants/{tenantId}/webhooks":    `{"url":"https://mallory.example/steal"}`,
	"POST /switch":                         `{"tenantId":"contoso"}`,
	"POST /organizations":                  `{"name":"Mallory Group"}`,
	"POST /organizations/{id}/tenants":     `{"tenantId":"evilcorp"}`,
	"POST /organizations/{id}/join":        `{"ownerTenantId":"contoso"}`,
	"POST /organizations/{id}/owners":      `{"tenantId":"evilcorp"}`,
	"POST /tenants/{tenantId}/invitation-templates": `{"id":"backdoor","name":"Backdoor","roles":["global-admin"],` +
		`"groupMappings":[{"principal":"group:mallory","roles":["global-admin"]}]}`,
	"POST /invitations/batch":                                 `{"template":"gdap-default","to":[{"tenantId":"contoso"}]}`,
	"PATCH /relationships/{id}":                               `{"roles":[]}`,
	"POST /relationships/{id}/change-requests":                `{"roles":["global-admin"]}`,
	"POST /relationships/{id}/change-requests/{crId}/approve": `{}`,
	"POST /relationships/{id}/change-requests/{crId}/decline": `{}`,
}

// ownTenant routes act on the caller's own tenant: an admin of an unrelated
// tenant legitimately gets an answer, which must name nothing of anyone else.
var ownTenant = map[string]bool{"POST /invitations": true, "GET /invitations": true, "GET /relationships": true, "POST /organizations": true,
	"POST /invitations/batch": true}

// answersEveryone are routes that answer any caller with only the caller's
// own data (an empty list for a stranger) or public data.
var answersEveryone = map[string]bool{"GET /switch/targets": true, "GET /.well-known/jwks.json": true}

// recordsRefusals are routes whose refusal is itself recorded (AccessDenied,
// in the caller's own audit log): a write that changes nothing of anyone else.
var recordsRefusals = map[string]bool{"POST /switch": true}

// peerPartner is the actor of the two-partners-in-one-customer case.
const peerPartner = "another partner of the same customer, with delegated read permissions"

func TestIsolation(t *testing.T) {
	st := startStack(t)
	d := st.s.Demo
	op := st.token("op", "platform")
	st.mustDo("POST", "/tenants", op, `{"id":"evilcorp","name":"Evil Corp","domain":"evil.example","msp":true,"admins":["user:eve"]}`, 201, nil)
	carl0 := st.token(d.CustomerAdmin, d.Customer)
	// Contoso runs an organisation with fabrikam in it, and cross-tenant
	// access toward fabrikam.
	var org struct{ ID string }
	st.mustDo("POST", "/organizations", carl0, `{"name":"Contoso Group"}`, 201, &org)
	st.mustDo("POST", "/organizations/"+org.ID+"/tenants", carl0, `{"tenantId":"fabrikam"}`, 201, nil)
	st.mustDo("POST", "/organizations/"+org.ID+"/join", st.token(d.ProspectAdmin, d.Prospect), `{"ownerTenantId":"contoso"}`, 202, nil)
	var hook struct{ ID, Secret string }
	st.mustDo("POST", "/tenants/contoso/webhooks", carl0, `{"url":"https://psa.contoso.example/hooks"}`, 201, &hook)

	carl := st.token(d.CustomerAdmin, d.Customer)
	nina := st.token(d.MSPAdmin, d.MSP)
	// Partners of contoso in every state: acme's relationship expires, globex's
	// is terminated; each had granted its technician a role.
	endedPartner := func(id, admin, tech, duration string) {
		st.mustDo("POST", "/tenants", op, `{"id":"`+id+`","name":"`+id+`","domain":"`+id+`.example","msp":true,"admins":["user:`+admin+`"]}`, 201, nil)
		var inv, rel struct{ ID string }
		st.mustDo("POST", "/invitations", st.token(admin, id), `{"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"],"duration":"`+duration+`"}`, 201, &inv)
		st.mustDo("POST", "/invitations/"+inv.ID+"/accept", carl, "", 201, &rel)
		st.mustDo("POST", "/relationships/"+rel.ID+"/assignments", st.token(admin, id), `{"principal":"user:`+tech+`","roles":["helpdesk-admin"]}`, 201, nil)
		if id == "globex" {
			st.mustDo("DELETE", "/relationships/"+rel.ID, carl, "", 204, nil)
		}
	}
	endedPartner("acme", "al", "art", "P1D")
	endedPartner("globex", "gus", "gil", "P365D")
	st.mustDo("POST", "/dev/clock", "", `{"advance":"P2D"}`, 200, nil) // acme's day is over
	// Northwind asks contoso for more: a pending change request that nobody
	// in the matrix may answer, read or add to.
	var change struct{ ID string }
	st.mustDo("POST", "/relationships/"+d.RelationshipID+"/change-requests", nina, `{"roles":["mmr-admin"]}`, 201, &change)
	// Ann holds site-lead in contoso, but only for /sites/eu.
	st.mustDo("POST", "/relationships/"+d.RelationshipID+"/assignments", nina, `{"principal":"user:ann","roles":["helpdesk-admin"],"scope":["/sites/eu"]}`, 201, nil)
	// and, like Tom, Northwind's first-line support role: she may use the switcher.
	st.mustDo("POST", "/tenants/northwind/assignments", nina, `{"principal":"user:ann","roles":["`+devstack.FirstLineSupport+`"]}`, 201, nil)
	// Two partners in one customer: initech is a second active partner of
	// contoso, and pia, who only reads (tenant-manager at home, and the
	// tenant switcher), holds
	// audit.view, roles.view and access.check there. Northwind, the other
	// partner, has a role of its own in contoso and records in its log: pia
	// must see none of it.
	st.mustDo("POST", "/tenants", op, `{"id":"initech","name":"Initech","domain":"initech.example","msp":true,"admins":["user:ian"]}`, 201, nil)
	ian := st.token("ian", "initech")
	st.mustDo("POST", "/tenants/initech/assignments", ian, `{"principal":"user:pia","roles":["tenant-manager"]}`, 201, nil)
	st.mustDo("POST", "/tenants/initech/roles", ian, `{"id":"switcher","name":"Switcher","permissions":["tenants.switch"]}`, 201, nil)
	st.mustDo("POST", "/tenants/initech/assignments", ian, `{"principal":"user:pia","roles":["switcher"]}`, 201, nil)
	var peerInv, peerRel struct{ ID string }
	st.mustDo("POST", "/invitations", ian, `{"to":{"tenantId":"contoso"},"roles":["global-admin"]}`, 201, &peerInv)
	st.mustDo("POST", "/invitations/"+peerInv.ID+"/accept", carl, "", 201, &peerRel)
	st.mustDo("POST", "/relationships/"+peerRel.ID+"/assignments", ian, `{"principal":"user:pia","permissions":["audit.view","roles.view","access.check"]}`, 201, nil)
	var nwInv, nwRel struct{ ID string }
	st.mustDo("POST", "/invitations", nina, `{"to":{"tenantId":"contoso"},"roles":["global-admin"]}`, 201, &nwInv)
	st.mustDo("POST", "/invitations/"+nwInv.ID+"/accept", carl, "", 201, &nwRel)
	st.mustDo("POST", "/relationships/"+nwRel.ID+"/assignments", nina, `{"principal":"user:nina","permissions":["roles.modify"]}`, 201, nil)
	st.mustDo("POST", "/tenants/contoso/roles", nina, `{"id":"northwind-night-shift","name":"Night shift","permissions":["rooms.view"]}`, 201, nil)
	// What belongs to northwind: the peer partner reads none of it.
	northwindOnly := []string{d.RelationshipID, d.TechnicianAssignmentID, nwRel.ID, "northwind-night-shift", "Northwind IT Services", change.ID,
		"user:" + d.MSPAdmin, "user:" + d.Technician, `"tenant":"northwind"`}
	// Routes on which the peer partner legitimately reads something of contoso.
	peerReads := map[string]bool{"GET /tenants/{tenantId}": true, "GET /tenants/{tenantId}/roles": true, "GET /tenants/{tenantId}/audit": true,
		"GET /relationships": true, "GET /invitations": true, "GET /switch/targets": true, "GET /.well-known/jwks.json": true,
		// it holds a grant in contoso, so it may switch in (a session of its own)
		"POST /switch": true}

	// Tokens API Gateway's authorizer refuses: 401 on every route that has one.
	sign := func(mut func(map[string]any)) string {
		c := map[string]any{"iss": st.s.Issuer.URL, "aud": st.s.Issuer.Audience, "sub": "nina", "tid": d.MSP,
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
		mut(c)
		tok, err := st.s.Issuer.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	forged := func() string {
		parts := strings.Split(nina, ".")
		other, _ := devstack.NewIssuer(st.s.Issuer.URL, st.s.Issuer.Audience, time.Now)
		tok, _ := other.Issue(devstack.TokenRequest{Sub: "nina", Tid: d.MSP})
		return parts[0] + "." + parts[1] + "." + strings.Split(tok, ".")[2]
	}()
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + strings.Split(nina, ".")[1] + "."
	badTokens := []struct{ name, token string }{
		{"forged signature", forged},
		{"expired token", sign(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })},
		{"wrong issuer", sign(func(c map[string]any) { c["iss"] = "https://evil.example" })},
		{"alg none", none},
		{"token for another audience", sign(func(c map[string]any) { c["aud"] = "someone-else" })},
		{"no token", ""},
	}

	actors := []struct {
		name, token string
		admin       bool
		// member: a user of contoso, or of a tenant with a relationship to it,
		// may read the tenant itself (SPEC §3).
		member bool
	}{
		{"stranger tenant user without grants", st.token("mallory", "evilcorp"), false, false},
		{"stranger tenant admin", st.token("eve", "evilcorp"), true, false},
		// A partner's people read the customer's record only with an active
		// relationship and relationships.view at home.
		{"partner user without a grant", st.token("sam", d.MSP), false, false},
		{"partner user with a grant out of scope", st.token("ann", d.MSP), false, false},
		{"partner user of an expired relationship", st.token("art", "acme"), false, false},
		{"partner user of a terminated relationship", st.token("gil", "globex"), false, false},
		{"customer user without the permission", st.token("dora", d.Customer), false, true},
		{"prospect customer admin", st.token(d.ProspectAdmin, d.Prospect), true, false},
		{peerPartner, st.token("pia", "initech"), false, true},
	}
	if err := st.s.Bus.Wait(context.Background()); err != nil { // the setup's events, delivered
		t.Fatal(err)
	}
	before := snapshot(t, st)
	params := func(r httpapi.Route) string {
		p := strings.NewReplacer("{tenantId}", d.Customer, "{assignmentId}", d.TechnicianAssignmentID, "{webhookId}", hook.ID, "{partnerTenantId}", "fabrikam",
			"{crId}", change.ID).Replace(r.Path)
		if strings.HasPrefix(r.Path, "/organizations/") {
			return strings.Replace(p, "{id}", org.ID, 1)
		}
		if strings.HasPrefix(r.Path, "/invitations/") {
			return strings.Replace(p, "{id}", d.PendingInvitationID, 1)
		}
		return strings.Replace(p, "{id}", d.RelationshipID, 1)
	}
	secrets := []string{d.RelationshipID, d.TechnicianAssignmentID, d.PendingInvitationID, "Contoso Ltd", "Northwind IT Services", "user:" + d.MSPAdmin, "user:" + d.Technician,
		hook.Secret, "psa.contoso.example", change.ID}

	cells, failures := 0, 0
	for _, a := range actors {
		for _, r := range httpapi.Routes {
			if a.admin && ownTenant[r.Key()] || (a.name == "prospect customer admin" && (strings.HasPrefix(r.Path, "/invitations") || strings.HasPrefix(r.Path, "/organizations/"))) {
				continue // the prospect may answer its own invitation; covered by the walk-through
			}
			cells++
			path := params(r)
			body := bodies[r.Key()]
			st.meter.Reset()
			res := st.do(r.Method, path, a.token, body)
			var wrote []string
			for op, n := range st.meter.Counts() {
				if op != "GetItem" && op != "Query" && op != "BatchGetItem" && !recordsRefusals[r.Key()] {
					wrote = append(wrote, fmt.Sprintf("%s×%d", op, n))
				}
			}
			var leaked []string
			for _, s := range secrets {
				if strings.Contains(string(res.body), s) && !strings.Contains(path+body, s) {
					leaked = append(leaked, s)
				}
			}
			if a.name == peerPartner {
				// Another partner of the same customer: it reads what its own
				// grants show, and nothing of northwind's.
				var named []string
				for _, s := range northwindOnly {
					if strings.Contains(string(res.body), s) && !strings.Contains(path+body, s) {
						named = append(named, s)
					}
				}
				okStatus := res.status == 403 || res.status == 404
				if peerReads[r.Key()] {
					okStatus = res.status == 200
				}
				if !okStatus || (res.status >= 400 && !isProblem(res)) || len(wrote) > 0 || len(named) > 0 {
					failures++
					t.Errorf("%s: %s %s = %d %s; writes %v, named %v of the other partner; want %s, no writes, nothing of northwind's",
						a.name, r.Method, path, res.status, res.body, wrote, named, map[bool]string{true: "200", false: "403/404"}[peerReads[r.Key()]])
				}
				continue
			}
			if a.name == "partner user with a grant out of scope" && (r.Key() == "POST /switch" || r.Key() == "GET /switch/targets") {
				// A grant limited to /sites/eu is still a grant: Ann may switch
				// in, and her token carries that scope.
				if res.status != 200 {
					failures++
					t.Errorf("%s: %s = %d %s, want 200", a.name, r.Key(), res.status, res.body)
				}
				continue
			}
			if a.name == "customer user without the permission" && r.Key() == "POST /switch" {
				if res.status != 422 || !isProblem(res) {
					failures++
					t.Errorf("%s: switching into her own tenant = %d %s, want 422", a.name, res.status, res.body)
				}
				continue
			}
			if answersEveryone[r.Key()] {
				if res.status != 200 || len(wrote) > 0 || len(leaked) > 0 || strings.Contains(string(res.body), d.Customer) {
					failures++
					t.Errorf("%s: %s %s = %d %s; want 200 naming nothing of another tenant", a.name, r.Method, path, res.status, res.body)
				}
				continue
			}
			if a.member && r.Key() == "GET /tenants/{tenantId}" {
				// SPEC §3: a partner's people may read a tenant they have a relationship with.
				if res.status != 200 || len(wrote) > 0 {
					failures++
					t.Errorf("partner reading its customer: %d %s", res.status, res.body)
				}
				continue
			}
			if (res.status != 403 && res.status != 404) || !isProblem(res) || len(wrote) > 0 || len(leaked) > 0 {
				failures++
				t.Errorf("%s: %s %s = %d %s; writes %v, leaked %v; want 403/404 problem, no writes, nothing named", a.name, r.Method, path, res.status, res.body, wrote, leaked)
			}
		}
	}
	for _, bt := range badTokens {
		for _, r := range httpapi.Routes {
			cells++
			path := params(r)
			res := st.do(r.Method, path, bt.token, bodies[r.Key()])
			want := 401
			if r.Public {
				want = 200
			}
			if res.status != want || (want == 401 && !isProblem(res)) {
				failures++
				t.Errorf("%s: %s %s = %d %s, want %d", bt.name, r.Method, path, res.status, res.body, want)
			}
		}
	}
	if err := st.s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := snapshot(t, st).changedSince(before); len(diff) > 0 {
		failures++
		t.Errorf("the matrix changed the table: %v", diff)
	}
	// The admin of an unrelated tenant sees only its own (empty) lists.
	for _, path := range []string{"/invitations?direction=incoming", "/invitations?direction=outgoing", "/relationships?side=partner", "/relationships?side=customer"} {
		cells++
		res := st.mustDo("GET", path, actors[1].token, "", 200, nil)
		if got := strings.TrimSpace(string(res.body)); got != `{"items":[]}` {
			failures++
			t.Errorf("GET %s as a stranger admin = %s, want an empty list", path, got)
		}
	}
	t.Logf("isolation matrix: (%d actors + %d bad tokens) × %d routes → %d cells, %d failures", len(actors), len(badTokens), len(httpapi.Routes), cells, failures)
}

// tableSnapshot is every item of the table, as JSON, keyed by PK/SK.
type tableSnapshot map[string]string

// snapshot scans the whole table through the SDK.
func snapshot(t *testing.T, st *stack) tableSnapshot {
	t.Helper()
	db := st.s.DynamoDB
	snap := tableSnapshot{}
	in := &dynamodb.ScanInput{TableName: stringPtr(st.s.Table), ConsistentRead: aws.Bool(true)}
	for {
		out, err := db.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			b, _ := json.Marshal(plain(it))
			pk, sk := it["PK"].(*types.AttributeValueMemberS).Value, it["SK"].(*types.AttributeValueMemberS).Value
			snap[pk+" "+sk] = string(b)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return snap
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// changedSince lists items added, removed or changed — other than the
// records a refused switch leaves (its AccessDenied event and audit records,
// in the caller's own tenant, and the window that counts repeats of it).
func (after tableSnapshot) changedSince(before tableSnapshot) []string {
	var diff []string
	for k, v := range after {
		if before[k] == v {
			continue
		}
		if _, existed := before[k]; !existed && (strings.Contains(v, "AccessDenied") || strings.HasPrefix(k, "DENIALS#") || annSwitched(k, v)) {
			continue
		}
		diff = append(diff, k)
	}
	for k := range before {
		if _, ok := after[k]; !ok && !strings.HasPrefix(k, "OUTBOX#") {
			diff = append(diff, k+" (removed)")
		}
	}
	sort.Strings(diff)
	return diff
}

// annSwitched: Ann's switch (allowed: she holds a scoped grant), and the
// peer partner's pia's, leave a session and its TenantSwitched records.
func annSwitched(key, value string) bool {
	return (strings.Contains(value, `"User":"ann"`) || strings.Contains(value, `"User":"pia"`)) &&
		(strings.HasPrefix(key, "SESSIONS#") || strings.Contains(value, "TenantSwitched"))
}

func plain(it map[string]types.AttributeValue) map[string]any {
	var out map[string]any
	if err := attributevalue.UnmarshalMap(it, &out); err != nil {
		panic(err)
	}
	return out
}

func stringPtr(s string) *string { return &s }

// TestIsolationSelfElevation: the matrix's self-elevation cells — people who
// hold the permission to change grants try to grant themselves more than
// they hold, over HTTP. Each is 403 not-held (naming what is not held) or
// 403 no-grant, and writes nothing; within what they hold, they may.
func TestIsolationSelfElevation(t *testing.T) {
	st := startStack(t)
	d := st.s.Demo
	carl, nina := st.token(d.CustomerAdmin, d.Customer), st.token(d.MSPAdmin, d.MSP)
	st.mustDo("POST", "/tenants/contoso/assignments", carl, `{"principal":"user:pam","roles":["primary-admin"]}`, 201, nil)
	st.mustDo("POST", "/tenants/contoso/assignments", carl, `{"principal":"user:mo","roles":["mmr-admin"]}`, 201, nil)
	st.mustDo("POST", "/tenants/contoso/roles", carl, `{"id":"exporter","name":"Exporter","permissions":["data.export"]}`, 201, nil)
	// Tom holds a partner-defined role in contoso and a delegated
	// roles.modify, but no authority to assign at home.
	var nwInv, nwRel struct{ ID string }
	st.mustDo("POST", "/invitations", nina, `{"to":{"tenantId":"contoso"},"roles":["mmr-admin","helpdesk-admin"]}`, 201, &nwInv)
	st.mustDo("POST", "/invitations/"+nwInv.ID+"/accept", carl, "", 201, &nwRel)
	st.mustDo("POST", "/relationships/"+nwRel.ID+"/assignments", nina, `{"principal":"user:nina","roles":["mmr-admin"]}`, 201, nil)
	st.mustDo("POST", "/tenants/contoso/roles", nina, `{"id":"printer-tech","name":"Printer technician","permissions":["tickets.view"]}`, 201, nil)
	st.mustDo("POST", "/relationships/"+nwRel.ID+"/assignments", nina, `{"principal":"user:tom","roles":["printer-tech","mmr-admin"]}`, 201, nil)
	pam, mo, tom := st.token("pam", d.Customer), st.token("mo", d.Customer), st.token(d.Technician, d.MSP)
	if err := st.s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, st)
	for _, c := range []struct {
		who, token, method, path, body, reason, names string
	}{
		{"primary admin", pam, "POST", "/tenants/contoso/assignments", `{"principal":"user:pam","roles":["global-admin"]}`, "not-held", "global-admin"},
		{"primary admin", pam, "POST", "/tenants/contoso/assignments", `{"principal":"user:pam","roles":["exporter"]}`, "not-held", "data.export"},
		{"primary admin", pam, "POST", "/tenants/contoso/assignments", `{"principal":"user:pam","permissions":["data.export"]}`, "not-held", "data.export"},
		{"primary admin", pam, "POST", "/tenants/contoso/roles", `{"id":"mine","name":"Mine","permissions":["data.export","rooms.view"]}`, "not-held", "data.export"},
		{"primary admin", pam, "POST", "/tenants/contoso/roles", `{"id":"exporter","name":"Exporter","permissions":["rooms.view"]}`, "not-held", "data.export"},
		{"MMR admin", mo, "POST", "/tenants/contoso/assignments", `{"principal":"user:mo","roles":["global-admin"]}`, "not-held", "global-admin"},
		{"MMR admin", mo, "POST", "/tenants/contoso/assignments", `{"principal":"user:mo","roles":["exporter"]}`, "not-held", "data.export"},
		{"partner technician", tom, "POST", "/tenants/contoso/roles", `{"id":"printer-tech","name":"Printer technician","permissions":["tickets.view","rooms.create"]}`, "no-grant", ""},
	} {
		res := st.do(c.method, c.path, c.token, c.body)
		var p struct {
			Reason string
			Values []string
		}
		_ = json.Unmarshal(res.body, &p)
		if res.status != 403 || !isProblem(res) || p.Reason != c.reason || (c.names != "" && !slices.Contains(p.Values, c.names)) {
			t.Errorf("%s: %s %s %s = %d %s, want 403 %s naming %q", c.who, c.method, c.path, c.body, res.status, res.body, c.reason, c.names)
		}
	}
	if err := st.s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := snapshot(t, st).changedSince(before); len(diff) > 0 {
		t.Errorf("refused elevations changed the table: %v", diff)
	}
	// Within what she holds, the primary admin grants.
	st.mustDo("POST", "/tenants/contoso/assignments", pam, `{"principal":"user:dora","roles":["primary-admin"]}`, 201, nil)
}
