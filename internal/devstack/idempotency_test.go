package devstack_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func (st *stack) doWithKey(method, path, tok, key, body string) response {
	st.t.Helper()
	req, _ := http.NewRequest(method, st.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Idempotency-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	defer res.Body.Close()
	b := new(strings.Builder)
	_, _ = io.Copy(b, res.Body)
	return response{status: res.StatusCode, body: []byte(b.String()), headers: res.Header}
}

func TestIdempotencyKey(t *testing.T) {
	st := startStack(t)
	nina := st.token("nina", "northwind")
	body := `{"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"]}`
	first := st.doWithKey("POST", "/invitations", nina, "retry-1", body)
	again := st.doWithKey("POST", "/invitations", nina, "retry-1", body)
	if first.status != 201 || again.status != 201 || string(first.body) != string(again.body) || again.headers.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("a repeated request = %d %s / %d %s, want the first answer replayed", first.status, first.body, again.status, again.body)
	}
	var out struct{ Items []struct{ ID string } }
	st.mustDo("GET", "/invitations?direction=outgoing&limit=100", nina, "", 200, &out)
	created := 0
	for range out.Items {
		created++
	}
	if other := st.doWithKey("POST", "/invitations", nina, "retry-1", `{"to":{"tenantId":"contoso"},"roles":["site-lead"]}`); other.status != 422 || !isProblem(other) {
		t.Errorf("the same key with another body = %d %s, want 422", other.status, other.body)
	}
	// Keys belong to their caller: another user's same key is a new request.
	if carl := st.doWithKey("POST", "/invitations", st.token("tom", "northwind"), "retry-1", body); carl.status != 403 {
		t.Errorf("another caller with the same key = %d %s, want its own answer (403: tom may not invite)", carl.status, carl.body)
	}
	// A refusal is an answer too, and replayed as such.
	bad := `{"to":{"tenantId":"contoso"},"roles":["nope"]}`
	if a, b := st.doWithKey("POST", "/invitations", nina, "k2", bad), st.doWithKey("POST", "/invitations", nina, "k2", bad); a.status != 422 || b.status != 422 || b.headers.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a refused request repeated = %d, %d (replayed %q)", a.status, b.status, b.headers.Get("Idempotent-Replayed"))
	}
	if bad := st.doWithKey("POST", "/invitations", nina, strings.Repeat("k", 300), body); bad.status != 400 {
		t.Errorf("an oversized key = %d, want 400", bad.status)
	}
	var after struct{ Items []struct{ ID string } }
	st.mustDo("GET", "/invitations?direction=outgoing&limit=100", nina, "", 200, &after)
	if len(after.Items) != created {
		t.Errorf("replays created invitations: %d, then %d", created, len(after.Items))
	}
}

// TestIdempotencyClaimsAreTakenOver: a claim left by a request that never
// finished (its function cut off) does not hold the key for a day.
func TestIdempotencyClaimsAreTakenOver(t *testing.T) {
	st := startStack(t)
	ctx := context.Background()
	scope, hash := "stale-scope", "h1"
	if _, claimed, err := st.s.Store.Reserve(ctx, scope, hash, time.Now().Add(time.Hour)); err != nil || !claimed {
		t.Fatalf("first Reserve() = %v, %v", claimed, err)
	}
	if rec, claimed, _ := st.s.Store.Reserve(ctx, scope, hash, time.Now().Add(time.Hour)); claimed || rec.Done {
		t.Fatalf("a fresh unfinished claim was taken over")
	}
	// A record already past its window counts as absent.
	if _, claimed, err := st.s.Store.Reserve(ctx, "expired-scope", hash, time.Now().Add(-time.Second)); err != nil || !claimed {
		t.Fatal(err)
	}
	if _, claimed, err := st.s.Store.Reserve(ctx, "expired-scope", "h2", time.Now().Add(time.Hour)); err != nil || !claimed {
		t.Errorf("Reserve() over an expired record = %v, %v; want it claimed anew", claimed, err)
	}
}
