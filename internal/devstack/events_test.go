package devstack_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// auditIDs pages through a tenant's audit log as its admin and counts each
// event id.
func auditIDs(t *testing.T, st *stack, tok, tenant string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	cursor := ""
	for {
		var page struct {
			Items      []struct{ ID, Type string }
			NextCursor string
		}
		st.mustDo("GET", "/tenants/"+tenant+"/audit?limit=100"+cursor, tok, "", 200, &page)
		for _, it := range page.Items {
			seen[it.ID]++
		}
		if page.NextCursor == "" {
			return seen
		}
		cursor = "&cursor=" + page.NextCursor
	}
}

func TestAuditSeesPartnerActionsWithinTheRequest(t *testing.T) {
	st := startStack(t)
	d := st.s.Demo
	nina, carl := st.token("nina", "northwind"), st.token("carl", "contoso")
	var a struct{ ID string }
	st.mustDo("POST", "/relationships/"+d.RelationshipID+"/assignments", nina, `{"principal":"user:ann","roles":["site-lead"]}`, 201, &a)
	if err := st.s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Items []struct {
			Type, RelationshipID, RequestID string
			Actor                           struct{ User, Tenant string }
		}
	}
	st.mustDo("GET", "/tenants/contoso/audit?actorTenant=northwind", carl, "", 200, &log)
	if len(log.Items) == 0 || log.Items[0].Type != "RoleAssigned" || log.Items[0].Actor.User != "nina" || log.Items[0].RelationshipID != d.RelationshipID || log.Items[0].RequestID == "" {
		t.Errorf("customer's newest partner record = %+v, want nina's RoleAssigned with relationship and request id", log.Items)
	}

	// The partner reads the customer's log only through a delegated audit.view.
	st.mustDo("GET", "/tenants/contoso/audit", nina, "", 403, nil)
	st.mustDo("GET", "/tenants/contoso/audit", st.token("eve", "evilcorp"), "", 404, nil)
	var inv struct{ ID string }
	st.mustDo("POST", "/invitations", nina, `{"to":{"tenantId":"contoso"},"roles":["global-admin"]}`, 201, &inv)
	var rel struct{ ID string }
	st.mustDo("POST", "/invitations/"+inv.ID+"/accept", carl, `{}`, 201, &rel)
	st.mustDo("POST", "/relationships/"+rel.ID+"/assignments", nina, `{"principal":"user:nina","permissions":["audit.view"]}`, 201, nil)
	st.mustDo("GET", "/tenants/contoso/audit", nina, "", 200, nil)
	st.mustDo("GET", "/tenants/contoso/audit?from=2020-01-01T00:00:00Z&to=2019-01-01T00:00:00Z", nina, "", 422, nil)
	st.mustDo("GET", "/tenants/contoso/audit?from=yesterday", nina, "", 400, nil)
}

// TestOutboxSurvivesAFailingBus makes 1 000 state changes while a fifth of the
// bus's entries fail, then runs cleanup: every change must end with exactly
// one audit record on each side, and nothing extra.
func TestOutboxSurvivesAFailingBus(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	st := startStack(t)
	ctx := context.Background()
	svc := st.s.Service
	nina := tenancy.Caller{User: "nina", Tenant: "northwind", RequestID: "load"}
	carl := tenancy.Caller{User: "carl", Tenant: "contoso", RequestID: "load"}

	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	failed := 0
	st.s.Bus.FailEntries(func(string, int) bool {
		mu.Lock()
		defer mu.Unlock()
		if rng.Float64() < 0.2 {
			failed++
			return true
		}
		return false
	})
	changes := 0
	for i := 0; changes < 1000; i++ {
		inv, err := svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"helpdesk-admin"}})
		if err != nil {
			t.Fatal(err)
		}
		changes++
		if i%2 == 0 {
			if _, err := svc.DeclineInvitation(ctx, carl, inv.ID); err != nil {
				t.Fatal(err)
			}
			changes++
		}
	}
	if err := st.s.Bus.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	pending, err := st.s.Store.PendingEvents(ctx, st.s.Clock.Now().Add(time.Hour), 10000)
	if err != nil {
		t.Fatal(err)
	}
	if failed == 0 || len(pending) == 0 {
		t.Fatalf("%d entries failed and %d events wait in the outbox: the test did not exercise the outbox", failed, len(pending))
	}
	t.Logf("%d changes, %d failed entries, %d events left in the outbox for cleanup", changes, failed, len(pending))

	st.s.Bus.FailEntries(nil)
	st.s.Clock.Advance(time.Minute) // past the cleanup's grace period
	var rep struct{ EventsRepublished int }
	st.mustDo("POST", "/dev/cleanup", "", "", 200, &rep)
	if rep.EventsRepublished != len(pending) {
		t.Errorf("cleanup republished %d, want the %d left over", rep.EventsRepublished, len(pending))
	}
	if left, _ := st.s.Store.PendingEvents(ctx, st.s.Clock.Now().Add(time.Hour), 10000); len(left) != 0 {
		t.Errorf("%d events still in the outbox after cleanup", len(left))
	}
	for _, side := range []struct{ user, tenant string }{{"nina", "northwind"}, {"carl", "contoso"}} {
		ids := auditIDs(t, st, st.token(side.user, side.tenant), side.tenant)
		for id, count := range ids {
			if count != 1 {
				t.Errorf("%s: event %s recorded %d times", side.tenant, id, count)
			}
		}
		// The log also holds the demo seed's events: at least one per change.
		if len(ids) < changes {
			t.Errorf("%s: %d audit records, want at least the %d changes", side.tenant, len(ids), changes)
		}
	}
	if dl := st.s.Bus.DeadLetters(); len(dl) != 0 {
		t.Errorf("dead letters: %d", len(dl))
	}
	if c := st.consistent(t); c.Pending != 0 {
		t.Errorf("%d events still undelivered", c.Pending)
	}
}

func TestRedeliveryWritesNoDuplicate(t *testing.T) {
	st := startStack(t)
	ctx := context.Background()
	carl := st.token("carl", "contoso")
	if err := st.s.Bus.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	before := auditIDs(t, st, carl, "contoso")
	// Publish every event of contoso's log again, as an at-least-once bus
	// may: the consumers must recognise them and write nothing.
	var log struct {
		Items []struct {
			ID, Type   string
			OccurredAt time.Time
			Detail     json.RawMessage
		}
	}
	st.mustDo("GET", "/tenants/contoso/audit?limit=100", carl, "", 200, &log)
	var msgs []events.Message
	for _, it := range log.Items {
		msgs = append(msgs, events.Message{ID: it.ID, Type: events.DetailType(it.Type), Time: it.OccurredAt, Detail: it.Detail})
	}
	if res, err := st.s.Outbox.Send(ctx, msgs); err != nil || res.Sent != len(msgs) || res.Sent == 0 {
		t.Fatalf("redelivered %d of %d events: %v", res.Sent, len(msgs), err)
	}
	if err := st.s.Bus.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	after := auditIDs(t, st, carl, "contoso")
	if len(after) != len(before) {
		t.Errorf("audit grew from %d to %d records on redelivery", len(before), len(after))
	}
	for id, n := range after {
		if n != 1 {
			t.Errorf("event %s recorded %d times", id, n)
		}
	}
}

// webhookTolerance is how far a Standard Webhooks receiver lets
// webhook-timestamp stray from its own clock (the reference libraries' 5 min).
const webhookTolerance = 5 * time.Minute

// verify checks a Standard Webhooks delivery the way a subscriber would,
// written from the convention, not from the signer's code: the timestamp
// within webhookTolerance of the receiver's (real) clock, and a v1
// signature over id.timestamp.body.
func verify(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	ts, err := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil {
		return err
	}
	if skew := time.Since(time.Unix(ts, 0)); skew > webhookTolerance || skew < -webhookTolerance {
		return fmt.Errorf("webhook-timestamp %d is %v away from now, beyond the %v tolerance", ts, skew.Round(time.Second), webhookTolerance)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + strconv.FormatInt(ts, 10) + "." + string(body)))
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		v, b64, ok := strings.Cut(sig, ",")
		got, _ := base64.StdEncoding.DecodeString(b64)
		if ok && v == "v1" && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("no valid v1 signature in %q", h.Get("webhook-signature"))
}

func TestWebhooksReceiveSignedEvents(t *testing.T) {
	st := startStack(t)
	d := st.s.Demo
	carl, nina := st.token("carl", "contoso"), st.token("nina", "northwind")

	type received struct {
		header http.Header
		body   []byte
	}
	got := make(chan received, 10)
	var failing sync.Mutex
	fail := false
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		failing.Lock()
		f := fail
		failing.Unlock()
		if f {
			w.WriteHeader(503)
			return
		}
		got <- received{r.Header.Clone(), b}
	}))
	defer receiver.Close()

	var hook struct{ ID, Secret string }
	st.mustDo("POST", "/tenants/contoso/webhooks", carl, `{"url":"`+receiver.URL+`/hooks","eventTypes":["RoleAssigned","RelationshipTerminated"]}`, 201, &hook)
	if !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("secret = %q", hook.Secret)
	}
	var listed struct{ Items []map[string]any }
	st.mustDo("GET", "/tenants/contoso/webhooks", carl, "", 200, &listed)
	if len(listed.Items) != 1 || listed.Items[0]["secret"] != nil {
		t.Errorf("listing = %v, want the one webhook without its secret", listed.Items)
	}
	st.mustDo("POST", "/tenants/contoso/webhooks", carl, `{"url":"ftp://x.example/"}`, 422, nil)
	st.mustDo("POST", "/tenants/contoso/webhooks", carl, `{"url":"https://x.example/","eventTypes":["TenantCreated"]}`, 422, nil)
	st.mustDo("POST", "/tenants/contoso/webhooks", nina, `{"url":"https://x.example/"}`, 403, nil)

	st.mustDo("POST", "/relationships/"+d.RelationshipID+"/assignments", nina, `{"principal":"user:ann","roles":["site-lead"]}`, 201, nil)
	select {
	case r := <-got:
		if err := verify(hook.Secret, r.header, r.body); err != nil {
			t.Errorf("signature: %v", err)
		}
		var body struct {
			Type string
			Data struct {
				EventID    string
				Assignment struct{ Principal string }
			}
		}
		if err := json.Unmarshal(r.body, &body); err != nil || body.Type != "RoleAssigned" || body.Data.Assignment.Principal != "user:ann" || body.Data.EventID != r.header.Get("webhook-id") {
			t.Errorf("delivery = %s (%v)", r.body, err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery within 5 s")
	}
	// Tampering is detected by the subscriber's check.
	if err := verify(hook.Secret, http.Header{"Webhook-Id": {"x"}, "Webhook-Timestamp": {"1"}, "Webhook-Signature": {"v1,AAAA"}}, []byte("{}")); err == nil {
		t.Error("verify accepted a forged signature")
	}

	// A failing endpoint: attempts are recorded; enough of them disable it.
	failing.Lock()
	fail = true
	failing.Unlock()
	for i := 0; i < 6; i++ {
		st.mustDo("POST", "/relationships/"+d.RelationshipID+"/assignments", nina, fmt.Sprintf(`{"principal":"user:u%d","roles":["site-lead"]}`, i), 201, nil)
	}
	if err := st.s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	var deliveries struct {
		Items []struct {
			Delivered  bool
			StatusCode int
		}
	}
	st.mustDo("GET", "/tenants/contoso/webhooks/"+hook.ID+"/deliveries?limit=100", carl, "", 200, &deliveries)
	failures := 0
	for _, d := range deliveries.Items {
		if !d.Delivered && d.StatusCode == 503 {
			failures++
		}
	}
	if failures < 15 {
		t.Errorf("%d failed attempts recorded, want at least 15", failures)
	}
	var after struct{ Items []struct{ Status string } }
	st.mustDo("GET", "/tenants/contoso/webhooks", carl, "", 200, &after)
	if len(after.Items) != 1 || after.Items[0].Status != "disabled" {
		t.Errorf("webhook after sustained failure = %+v, want disabled", after.Items)
	}
	var audit struct{ Items []struct{ Type string } }
	st.mustDo("GET", "/tenants/contoso/audit?limit=100", carl, "", 200, &audit)
	disabled := false
	for _, it := range audit.Items {
		disabled = disabled || it.Type == "WebhookDisabled"
	}
	if !disabled {
		t.Error("no WebhookDisabled event in the customer's audit")
	}
	st.mustDo("DELETE", "/tenants/contoso/webhooks/"+hook.ID, carl, "", 204, nil)
	st.mustDo("DELETE", "/tenants/contoso/webhooks/"+hook.ID, carl, "", 404, nil)
}

// TestWebhookTimestampsStayOnRealTimeUnderTheTestClock: after the test clock
// moves days ahead, deliveries still carry a webhook-timestamp on the
// receiver's clock, so a receiver that checks it (as the Standard Webhooks
// libraries do) accepts them: no failed attempt, no disabled subscription, no
// dead letter.
func TestWebhookTimestampsStayOnRealTimeUnderTheTestClock(t *testing.T) {
	st := startStack(t)
	d := st.s.Demo
	carl, nina := st.token("carl", "contoso"), st.token("nina", "northwind")
	var hook struct{ ID, Secret string }
	refused := make(chan error, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := verify(hook.Secret, r.Header, b); err != nil {
			refused <- err
			http.Error(w, err.Error(), http.StatusBadRequest) // as a receiver using the reference library answers
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	st.mustDo("POST", "/dev/clock", "", `{"advance":"P3D"}`, 200, nil)
	st.mustDo("POST", "/tenants/contoso/webhooks", carl, `{"url":"`+receiver.URL+`/hooks","eventTypes":["RoleAssigned"]}`, 201, &hook)
	st.mustDo("POST", "/relationships/"+d.RelationshipID+"/assignments", nina, `{"principal":"user:ann","roles":["site-lead"]}`, 201, nil)
	if err := st.s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-refused:
		t.Errorf("the receiver refused a delivery three days into the test clock: %v", err)
	default:
	}
	var deliveries struct {
		Items []struct {
			Delivered bool
			Attempt   int
			At        time.Time
		}
	}
	st.mustDo("GET", "/tenants/contoso/webhooks/"+hook.ID+"/deliveries", carl, "", 200, &deliveries)
	if len(deliveries.Items) != 1 || !deliveries.Items[0].Delivered {
		t.Fatalf("deliveries = %+v, want one delivered attempt", deliveries.Items)
	}
	// The attempt itself is recorded on Switchboard's clock, like everything else.
	if at := deliveries.Items[0].At; at.Before(time.Now().Add(71 * time.Hour)) {
		t.Errorf("attempt recorded at %v, want on the test clock (three days ahead)", at)
	}
	var listed struct{ Items []struct{ Status string } }
	st.mustDo("GET", "/tenants/contoso/webhooks", carl, "", 200, &listed)
	if len(listed.Items) != 1 || listed.Items[0].Status != "active" {
		t.Errorf("webhook = %+v, want still active", listed.Items)
	}
	if dl := st.s.Bus.DeadLetters(); len(dl) != 0 {
		t.Errorf("%d dead letters, want none", len(dl))
	}
}

func TestCleanupByTheTestClock(t *testing.T) {
	st := startStack(t)
	d := st.s.Demo
	nina, carl, fay := st.token("nina", "northwind"), st.token("carl", "contoso"), st.token("fay", "fabrikam")
	// A relationship of 10 days that auto-extends by 30, one of 40 days that does not.
	var inv1, inv2 struct{ ID string }
	st.mustDo("POST", "/invitations", nina, `{"to":{"tenantId":"fabrikam"},"roles":["helpdesk-admin"],"duration":"P10D","autoExtend":"P30D"}`, 201, &inv1)
	var ext struct{ ID string }
	st.mustDo("POST", "/invitations/"+inv1.ID+"/accept", fay, "", 201, &ext)
	st.mustDo("POST", "/invitations", nina, `{"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"],"duration":"P40D"}`, 201, &inv2)
	var ending struct{ ID string }
	st.mustDo("POST", "/invitations/"+inv2.ID+"/accept", carl, "", 201, &ending)
	st.mustDo("POST", "/relationships/"+ending.ID+"/assignments", nina, `{"principal":"user:tom","roles":["helpdesk-admin"]}`, 201, nil)

	type report struct {
		InvitationsExpired, RelationshipsExpired, RelationshipsExtended, NoticesSent, EventsRepublished int
		More                                                                                            bool
	}
	run := func(advance string) report {
		t.Helper()
		if advance != "" {
			st.mustDo("POST", "/dev/clock", "", `{"advance":"`+advance+`"}`, 200, nil)
		}
		var r report
		st.mustDo("POST", "/dev/cleanup", "", "", 200, &r)
		return r
	}
	if r := run(""); r != (report{}) {
		t.Errorf("a cleanup with nothing due = %+v, want no change", r)
	}
	// Day 11: the pending fabrikam invitation of the seed is still within its 14 days;
	// the 10-day relationship auto-extends; the 40-day one gets its 30-day notice.
	if r := run("P11D"); r.RelationshipsExtended != 1 || r.NoticesSent != 1 || r.InvitationsExpired != 0 {
		t.Errorf("day 11: %+v, want one extension and one notice", r)
	}
	if r := run(""); r.NoticesSent != 0 || r.RelationshipsExtended != 0 {
		t.Errorf("again on day 11: %+v, want nothing: notices go out once", r)
	}
	// Day 15: the seed's pending invitation expires.
	if r := run("P4D"); r.InvitationsExpired != 1 {
		t.Errorf("day 15: %+v, want the pending invitation expired", r)
	}
	st.mustDo("POST", "/invitations/"+d.PendingInvitationID+"/accept", fay, "", 409, nil)
	// Day 41: the 40-day relationship expires (notices at 7 and 1 days were due on the way).
	r := run("P26D")
	if r.RelationshipsExpired < 1 {
		t.Errorf("day 41: %+v, want the 40-day relationship expired", r)
	}
	var asgs struct{ Items []any }
	st.mustDo("GET", "/relationships/"+ending.ID+"/assignments", carl, "", 200, &asgs)
	if len(asgs.Items) != 0 {
		t.Errorf("%d assignments survive an expired relationship", len(asgs.Items))
	}
	var rel struct{ Status, EndsAt string }
	st.mustDo("GET", "/relationships/"+ext.ID, fay, "", 200, &rel)
	if rel.Status != "active" {
		t.Errorf("auto-extending relationship = %s, want active", rel.Status)
	}
	var log struct{ Items []struct{ Type string } }
	st.mustDo("GET", "/tenants/contoso/audit?actorTenant=platform", carl, "", 200, &log)
	types := map[string]int{}
	for _, it := range log.Items {
		types[it.Type]++
	}
	if types["RelationshipExpiring"] < 1 || types["RelationshipExpired"] != 1 {
		t.Errorf("contoso's audit of scheduled work = %v, want notices and the expiry", types)
	}
}
