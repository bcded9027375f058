package devstack_test

import (
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/localdb"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
)

// TestFaults: with DynamoDB failing, every operation either applies fully or
// not at all and answers 503 problem+json with a retry hint; throttling is
// retried by the SDK; unprocessed batch items are re-sent; a transaction
// whose answer is lost is retried without a false conflict. The faults come
// from the project's proxy in front of DynamoDB Local.
func TestFaults(t *testing.T) {
	proxy, err := localdb.NewProxy(dbtest.Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	st := startStackAt(t, proxy.URL)
	d := st.s.Demo
	nina, fay := st.token("nina", "northwind"), st.token("fay", "fabrikam")

	// Throttled twice: the SDK's retryer absorbs it and the caller sees 201.
	proxy.Fail(2, "ThrottlingException")
	st.mustDo("POST", "/invitations", nina, `{"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"]}`, 201, nil)

	// DynamoDB down: 503 with Retry-After, and nothing applied.
	var before struct{ Items []any }
	st.mustDo("GET", "/invitations?direction=outgoing&limit=100", nina, "", 200, &before)
	proxy.Outage(true)
	for _, c := range []struct{ method, path, tok, body string }{
		{"POST", "/invitations", nina, `{"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"]}`},
		{"POST", "/invitations/" + d.PendingInvitationID + "/accept", fay, ""},
		{"POST", "/check-access", nina, `{"tenantId":"contoso","permission":"rooms.view"}`},
		{"DELETE", "/relationships/" + d.RelationshipID, nina, ""},
	} {
		res := st.do(c.method, c.path, c.tok, c.body)
		if res.status != 503 || res.headers.Get("Retry-After") == "" || !isProblem(res) || strings.Contains(string(res.body), "InternalServerError") {
			t.Errorf("%s %s with DynamoDB down = %d %v %s, want 503 problem+json with Retry-After", c.method, c.path, res.status, res.headers, res.body)
		}
	}
	proxy.Outage(false)
	var after struct{ Items []any }
	st.mustDo("GET", "/invitations?direction=outgoing&limit=100", nina, "", 200, &after)
	if len(after.Items) != len(before.Items) {
		t.Errorf("outgoing invitations went from %d to %d during the outage", len(before.Items), len(after.Items))
	}
	var rel struct{ Status string }
	st.mustDo("GET", "/relationships/"+d.RelationshipID, nina, "", 200, &rel)
	if rel.Status != "active" {
		t.Errorf("the relationship is %s after a failed offboarding, want untouched", rel.Status)
	}
	var inv struct{ Items []struct{ ID, Status string } }
	st.mustDo("GET", "/invitations?direction=incoming", fay, "", 200, &inv)
	for _, i := range inv.Items {
		if i.ID == d.PendingInvitationID && i.Status != "pending" {
			t.Errorf("the invitation is %s after a failed accept, want pending", i.Status)
		}
	}
	// After the outage the same accept works, once.
	st.mustDo("POST", "/invitations/"+d.PendingInvitationID+"/accept", fay, "", 201, nil)

	// Offboarding while DynamoDB leaves batch deletes unprocessed for a while:
	// the store re-sends them and no assignment survives.
	for i := 0; i < 30; i++ {
		st.mustDo("POST", "/relationships/"+d.RelationshipID+"/assignments", nina, `{"principal":"user:u`+string(rune('a'+i%26))+`","roles":["site-lead"]}`, 201, nil)
	}
	proxy.LeaveUnprocessed(20) // the next twenty delete requests come back unprocessed
	st.mustDo("DELETE", "/relationships/"+d.RelationshipID, st.token("carl", "contoso"), "", 204, nil)
	var left struct{ Items []any }
	st.mustDo("GET", "/relationships/"+d.RelationshipID+"/assignments", nina, "", 200, &left)
	if len(left.Items) != 0 || proxy.Unprocessed() != 0 {
		t.Errorf("%d assignments survive the offboarding (%d unprocessed answers still to give)", len(left.Items), proxy.Unprocessed())
	}

	// A transaction that took effect but whose answer was lost: the SDK
	// retries it with the same ClientRequestToken, DynamoDB does not apply
	// it twice, and the caller gets its 201 instead of a false conflict.
	var out struct{ Items []any }
	st.mustDo("GET", "/invitations?direction=outgoing&limit=100", nina, "", 200, &out)
	proxy.LoseAnswers(1, "TransactWriteItems")
	st.mustDo("POST", "/invitations", nina, `{"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"]}`, 201, nil)
	var again struct{ Items []any }
	st.mustDo("GET", "/invitations?direction=outgoing&limit=100", nina, "", 200, &again)
	if len(again.Items) != len(out.Items)+1 {
		t.Errorf("a lost answer left %d invitations, want %d", len(again.Items), len(out.Items)+1)
	}
	st.consistent(t)
}
