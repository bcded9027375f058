package devstack_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// hangingEndpoint accepts connections and never answers.
func hangingEndpoint(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String() + "/hooks"
}

// TestWebhookFanOut, over HTTP: northwind subscribes six endpoints that
// accept and never answer, contoso one that answers; a relationship between
// them activates (an event naming the partner first). The customer's
// delivery arrives at once — it used to wait for the partner's 6 × 3
// attempts of 5 s (94 s) — and every subscription change is in the audit
// log of its tenant, without the secret.
func TestWebhookFanOut(t *testing.T) {
	st := startStack(t)
	api := loadContract(t)
	nina, carl := st.token("nina", "northwind"), st.token("carl", "contoso")
	received := make(chan time.Time, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received <- time.Now()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	dead := hangingEndpoint(t)
	call := func(tok, method, path, body string, status int, out any) response {
		t.Helper()
		res := st.mustDo(method, path, tok, body, status, out)
		api.check(method, path, body, res)
		return res
	}
	var secrets []string
	var partnerHooks []string
	for range 6 {
		var h struct{ ID, Secret string }
		call(nina, "POST", "/tenants/northwind/webhooks", `{"url":"`+dead+`","eventTypes":["RelationshipActivated"]}`, 201, &h)
		secrets, partnerHooks = append(secrets, h.Secret), append(partnerHooks, h.ID)
	}
	var own struct{ ID, Secret string }
	call(carl, "POST", "/tenants/contoso/webhooks", `{"url":"`+receiver.URL+`/hooks","eventTypes":["RelationshipActivated"]}`, 201, &own)
	secrets = append(secrets, own.Secret)

	var inv struct{ ID string }
	call(nina, "POST", "/invitations", `{"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"]}`, 201, &inv)
	start := time.Now()
	call(carl, "POST", "/invitations/"+inv.ID+"/accept", "", 201, nil)
	select {
	case at := <-received:
		took := at.Sub(start)
		t.Logf("customer's delivery beside six hanging partner webhooks: %v", took.Round(time.Millisecond))
		if took > 3*time.Second {
			t.Errorf("the customer's delivery took %v, want at once (one hanging attempt is 10 s)", took)
		}
	case <-time.After(120 * time.Second):
		t.Fatal("no delivery to the customer within 120 s")
	}

	// Every subscription change is in its tenant's log, never with a secret.
	call(carl, "DELETE", "/tenants/contoso/webhooks/"+own.ID, "", 204, nil)
	call(nina, "DELETE", "/tenants/northwind/webhooks/"+partnerHooks[0], "", 204, nil)
	st.waitForAudit(t, carl, "contoso", "WebhookDeleted", 1)
	for _, tc := range []struct {
		tok, tenant      string
		created, deleted int
	}{{carl, "contoso", 1, 1}, {nina, "northwind", 6, 1}} {
		var log auditPage
		res := call(tc.tok, "GET", "/tenants/"+tc.tenant+"/audit?limit=100", "", 200, &log)
		n := map[string]int{}
		for _, it := range log.Items {
			n[it.Type]++
		}
		if n["WebhookCreated"] != tc.created || n["WebhookDeleted"] != tc.deleted {
			t.Errorf("%s's log: %d WebhookCreated, %d WebhookDeleted; want %d, %d", tc.tenant, n["WebhookCreated"], n["WebhookDeleted"], tc.created, tc.deleted)
		}
		for _, s := range secrets {
			if strings.Contains(string(res.body), s) || strings.Contains(string(res.body), "whsec_") {
				t.Fatalf("%s's audit log carries a webhook secret", tc.tenant)
			}
		}
	}
}

// waitForAudit waits until tenant's log holds n records of typ.
func (st *stack) waitForAudit(t *testing.T, tok, tenant, typ string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var log auditPage
		st.mustDo("GET", "/tenants/"+tenant+"/audit?limit=100", tok, "", 200, &log)
		got := 0
		for _, it := range log.Items {
			if it.Type == typ {
				got++
			}
		}
		if got >= n {
			return
		}
	}
	t.Fatalf("%s's log did not reach %d %s records in 10 s", tenant, n, typ)
}
