package tenancy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/events"

	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// TestTenantRecordNeedsAnActiveRelationshipAndRelationshipsView: a tenant's
// record is read by its members, the operator, and people of an actively
// related tenant who hold relationships.view natively at home; a partner user
// without it, or after offboarding or expiry, gets the answer of an unknown
// tenant.
func TestTenantRecordNeedsAnActiveRelationshipAndRelationshipsView(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}, Duration: ptr(10 * 24 * time.Hour)}, tenancy.Acceptance{})
	w.must(w.svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:tom", Roles: []string{"helpdesk-admin"}}))
	dora := tenancy.Caller{User: "dora", Tenant: "contoso"} // no grant in her own tenant

	type read struct {
		name   string
		caller tenancy.Caller
		tenant string
		ok     bool
	}
	check := func(t *testing.T, cases []read) {
		t.Helper()
		for _, tc := range cases {
			_, err := w.svc.GetTenant(ctx, tc.caller, tc.tenant)
			switch {
			case tc.ok && err != nil:
				t.Errorf("%s: GetTenant(%s) = %v, want the tenant", tc.name, tc.tenant, err)
			case !tc.ok && !errors.Is(err, tenancy.ErrNotFound):
				t.Errorf("%s: GetTenant(%s) = %v, want not found", tc.name, tc.tenant, err)
			}
		}
	}
	check(t, []read{
		{"a member without any grant", dora, "contoso", true},
		{"the operator", operator, "contoso", true},
		{"partner admin (relationships.view at home)", nina, "contoso", true},
		{"partner technician with a grant in the customer, nothing at home", tom, "contoso", false},
		{"customer admin reading its partner", carl, "northwind", true},
		{"customer user without relationships.view reading its partner", dora, "northwind", false},
		{"stranger admin", eve, "contoso", false},
		{"stranger admin, unknown tenant", eve, "nobody", false},
	})
	// The stranger's answer for an existing tenant reads as for a missing one.
	_, existing := w.svc.GetTenant(ctx, eve, "contoso")
	_, missing := w.svc.GetTenant(ctx, eve, "nobody1")
	if existing == nil || missing == nil || existing.Error() != "not found: tenant contoso" || missing.Error() != "not found: tenant nobody1" {
		t.Errorf("stranger: existing %v, missing %v; want the same not-found answer", existing, missing)
	}

	w.advance(11 * 24 * time.Hour) // past endsAt, before any sweep
	check(t, []read{{"partner admin after the relationship's end", nina, "contoso", false}})

	w2 := newWorld(t)
	rel2 := w2.relate(tenancy.NewInvitation{Roles: []string{"helpdesk-admin"}}, tenancy.Acceptance{})
	w2.must(w2.svc.TerminateRelationship(ctx, carl, rel2.ID))
	if _, err := w2.svc.GetTenant(ctx, nina, "contoso"); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("partner admin after offboarding: GetTenant(contoso) = %v, want not found", err)
	}
}

// relateFrom makes partner's tenant a partner of contoso with the ceiling
// roles and gives the partner's admin roles.modify there.
func (w *world) relateFrom(partner tenancy.Caller, roles ...string) tenancy.Relationship {
	w.t.Helper()
	ctx := context.Background()
	inv, err := w.svc.CreateInvitation(ctx, partner, tenancy.NewInvitation{ToTenant: "contoso", Roles: roles})
	if err != nil {
		w.t.Fatal(err)
	}
	rel, err := w.svc.AcceptInvitation(ctx, carl, inv.ID, tenancy.Acceptance{})
	if err != nil {
		w.t.Fatal(err)
	}
	w.must(w.svc.AssignDelegated(ctx, partner, rel.ID, tenancy.NewAssignment{Principal: "user:" + partner.User, Permissions: []string{"roles.modify", "roles.view"}}))
	return rel
}

// TestCustomerSeesEveryPartnersRolesInIt: the customer's role list holds the
// roles each partner defined in it, marked with who defined them, in a fixed
// number of requests however many partners there are; a partner still sees
// only its own beside the customer's.
func TestCustomerSeesEveryPartnersRolesInIt(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.relateFrom(nina, "global-admin")
	w.relateFrom(eve, "global-admin")
	for _, r := range []struct {
		by tenancy.Caller
		id string
	}{{nina, "nw-desk"}, {nina, "nw-night"}, {eve, "ev-desk"}, {carl, "auditor"}} {
		if _, _, err := w.svc.SaveRole(ctx, r.by, "contoso", tenancy.NewRole{ID: r.id, Name: r.id, Permissions: []string{"tickets.view"}}); err != nil {
			t.Fatal(err)
		}
	}
	custom := func(c tenancy.Caller) map[string]string {
		t.Helper()
		roles, err := w.svc.ListRoles(ctx, c, "contoso")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range roles {
			if !r.BuiltIn {
				got[r.ID] = r.DefinedBy
			}
		}
		return got
	}
	for _, tc := range []struct {
		name   string
		caller tenancy.Caller
		want   map[string]string
	}{
		{"the customer", carl, map[string]string{"auditor": "contoso", "nw-desk": "northwind", "nw-night": "northwind", "ev-desk": "evilcorp"}},
		{"northwind", nina, map[string]string{"auditor": "contoso", "nw-desk": "northwind", "nw-night": "northwind"}},
		{"evilcorp", eve, map[string]string{"auditor": "contoso", "ev-desk": "evilcorp"}},
	} {
		if got := custom(tc.caller); !maps.Equal(got, tc.want) {
			t.Errorf("%s: custom roles in contoso = %v, want %v", tc.name, got, tc.want)
		}
	}

	// The customer's listing costs the same with one more partner.
	w.meter.Reset()
	custom(carl)
	before := w.meter.Counts()["Query"]
	w.must(w.svc.CreateTenant(ctx, operator, tenancy.NewTenant{ID: "globex", Name: "Globex", Domain: "globex.example", MSP: true, Admins: []string{"user:gus"}}))
	gus := tenancy.Caller{User: "gus", Tenant: "globex"}
	w.relateFrom(gus, "global-admin")
	if _, _, err := w.svc.SaveRole(ctx, gus, "contoso", tenancy.NewRole{ID: "gx-desk", Name: "gx", Permissions: []string{"tickets.view"}}); err != nil {
		t.Fatal(err)
	}
	w.meter.Reset()
	if got := custom(carl); got["gx-desk"] != "globex" {
		t.Errorf("customer's roles after a third partner = %v, want gx-desk by globex", got)
	}
	if after := w.meter.Counts()["Query"]; after != before {
		t.Errorf("customer's role listing made %d queries with three partners, %d with two; want the same", after, before)
	}
}

// TestWebhookURLsAreValidatedFully: a subscription URL is refused unless it
// is absolute, with a host name or address of valid syntax and a port from 1
// to 65535, without credentials; deployed stacks take only https to public
// addresses, the local stack plain http to loopback too.
func TestWebhookURLsAreValidatedFully(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	local := tenancy.New(tenancy.Config{Store: w.store, Now: w.clock, NewID: ids.Sequence("local"), OperatorTenant: "platform", AllowHTTPWebhooks: true})
	for _, tc := range []struct {
		url             string
		deployed, local bool // accepted by each
	}{
		{"https://hooks.contoso.example/in", true, true},
		{"https://hooks.contoso.example:8443/in?x=1", true, true},
		{"https://HOOKS.Contoso.Example/in", true, true},
		{"https://xn--bcher-kva.example/in", true, true},
		{"https://93.184.216.34/in", true, true},
		{"https://[2606:2800:220:1:248:1893:25c8:1946]/in", true, true},
		{"http://127.0.0.1:9999/hooks", false, true},
		{"http://localhost:9999/hooks", false, true},
		{"https://x.example:99999/", false, false},
		{"https://x.example:0/", false, false},
		{"https://x.example:65536/", false, false},
		{"https://x.example:-1/", false, false},
		{"https://x.example:/", false, false},
		{"https://x.example:443x/", false, false},
		{"https://x..example/", false, false},
		{"https://-x.example/", false, false},
		{"https://x_y.example/", false, false},
		{"https://x.example./", false, false},
		{"https://bücher.example/", false, false},
		{"https://%41.example/", false, false},
		{"https://" + strings.Repeat("a", 64) + ".example/", false, false},
		{"https://[::1/", false, false},
		{"https://user:pw@x.example/", false, false},
		{"https:///path", false, false},
		{"ftp://x.example/", false, false},
		{"x.example/hooks", false, false},
		{"https://10.0.0.8/in", false, true},
		{"https://169.254.169.254/latest/meta-data", false, true},
		{"https://[::1]/in", false, true},
		{"https://[fd00::1]/in", false, true},
		{"https://100.64.0.1/in", false, true},
		{"https://localhost/in", false, true},
		{"https://metadata.localhost/in", false, true},
	} {
		for _, env := range []struct {
			name string
			svc  *tenancy.Service
			want bool
		}{{"deployed", w.svc, tc.deployed}, {"local", local, tc.local}} {
			hook, err := env.svc.CreateWebhook(ctx, carl, "contoso", tenancy.NewWebhook{URL: tc.url})
			switch {
			case env.want && err != nil:
				t.Errorf("%s: CreateWebhook(%q) = %v, want it accepted", env.name, tc.url, err)
			case !env.want:
				if ve := wantErr[*tenancy.ValidationError](t, err, env.name+": CreateWebhook("+tc.url+")"); ve.Field != "url" {
					t.Errorf("%s: CreateWebhook(%q) field %q, want url", env.name, tc.url, ve.Field)
				}
			}
			if err == nil {
				w.must(nil, env.svc.DeleteWebhook(ctx, carl, "contoso", hook.ID))
			}
		}
	}
}

// TestWebhookLimitHoldsUnderConcurrentCreates: 60 creates at once make exactly
// MaxWebhooks subscriptions, the rest answer conflict naming the limit;
// deleting one frees one place, and the count survives a tenant whose
// subscriptions predate it.
func TestWebhookLimitHoldsUnderConcurrentCreates(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	var wg sync.WaitGroup
	errs := make([]error, 60)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.svc.CreateWebhook(ctx, carl, "contoso", tenancy.NewWebhook{URL: fmt.Sprintf("https://h%d.contoso.example/", i)})
		}()
	}
	wg.Wait()
	created, limited := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			created++
		case errors.Is(err, tenancy.ErrConflict) && strings.Contains(err.Error(), "the most it may have"):
			limited++
		default:
			t.Errorf("CreateWebhook() = %v, want success or the limit", err)
		}
	}
	subs, err := w.svc.ListWebhooks(ctx, carl, "contoso")
	if err != nil {
		t.Fatal(err)
	}
	if created != tenancy.MaxWebhooks || len(subs) != tenancy.MaxWebhooks || limited != 60-tenancy.MaxWebhooks {
		t.Fatalf("60 concurrent creates: %d created, %d refused by the limit, %d stored; want %d, %d, %d",
			created, limited, len(subs), tenancy.MaxWebhooks, 60-tenancy.MaxWebhooks, tenancy.MaxWebhooks)
	}
	if _, err := w.svc.CreateWebhook(ctx, carl, "contoso", tenancy.NewWebhook{URL: "https://late.contoso.example/"}); !errors.Is(err, tenancy.ErrConflict) {
		t.Errorf("the 26th CreateWebhook() = %v, want the limit", err)
	}
	w.must(nil, w.svc.DeleteWebhook(ctx, carl, "contoso", subs[0].ID))
	if err := w.svc.DeleteWebhook(ctx, carl, "contoso", subs[0].ID); !errors.Is(err, tenancy.ErrNotFound) {
		t.Errorf("deleting it again = %v, want not found", err)
	}
	// 10 concurrent creates for the one free place.
	errs = errs[:10]
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.svc.CreateWebhook(ctx, carl, "contoso", tenancy.NewWebhook{URL: fmt.Sprintf("https://again%d.contoso.example/", i)})
		}()
	}
	wg.Wait()
	created = 0
	for _, err := range errs {
		if err == nil {
			created++
		}
	}
	if subs, _ := w.svc.ListWebhooks(ctx, carl, "contoso"); created != 1 || len(subs) != tenancy.MaxWebhooks {
		t.Errorf("after one delete, 10 concurrent creates made %d (%d stored), want 1 (%d)", created, len(subs), tenancy.MaxWebhooks)
	}
}

// TestWebhookChangesAreAudited: creating and deleting a subscription commit
// WebhookCreated and WebhookDeleted with the change, for the tenant's log,
// and neither carries the signing secret.
func TestWebhookChangesAreAudited(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	hook, err := w.svc.CreateWebhook(ctx, carl, "contoso", tenancy.NewWebhook{URL: "https://hooks.contoso.example/in", EventTypes: []string{"RoleAssigned"}})
	if err != nil {
		t.Fatal(err)
	}
	w.must(nil, w.svc.DeleteWebhook(ctx, carl, "contoso", hook.ID))
	for _, typ := range []events.DetailType{events.DetailTypeWebhookCreated, events.DetailTypeWebhookDeleted} {
		got := w.outboxPayloads(typ)
		if len(got) != 1 {
			t.Errorf("%d %s events in the outbox, want 1", len(got), typ)
			continue
		}
		var p events.WebhookCreated
		if err := json.Unmarshal(got[0], &p); err != nil {
			t.Fatal(err)
		}
		if p.Webhook.ID != hook.ID || p.Webhook.URL != hook.URL || p.Actor.User != "carl" || !slices.Equal(p.Tenants, []string{"contoso"}) {
			t.Errorf("%s = %s, want webhook %s by carl for contoso", typ, got[0], hook.ID)
		}
		if strings.Contains(string(got[0]), hook.Secret) || strings.Contains(string(got[0]), "whsec_") {
			t.Errorf("%s carries the signing secret: %s", typ, got[0])
		}
	}
	// A refused change writes no event.
	if err := w.svc.DeleteWebhook(ctx, carl, "contoso", hook.ID); !errors.Is(err, tenancy.ErrNotFound) {
		t.Fatalf("second delete = %v", err)
	}
	if _, err := w.svc.CreateWebhook(ctx, carl, "contoso", tenancy.NewWebhook{URL: "https://x.example:99999/"}); err == nil {
		t.Fatal("a bad URL was accepted")
	}
	if n := len(w.outboxPayloads(events.DetailTypeWebhookDeleted)) + len(w.outboxPayloads(events.DetailTypeWebhookCreated)); n != 2 {
		t.Errorf("%d webhook events after two refusals, want still 2", n)
	}
}
