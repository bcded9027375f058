package devstack_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard/switchboard/internal/devstack"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/metric"
	"github.com/switchboard/switchboard/internal/telemetry"
)

// lockedBuffer collects what every goroutine of the stack logs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogsHoldNoSecrets runs requests and events that carry every secret
// Switchboard handles — bearer tokens in the Authorization header, a switch
// token, a webhook secret, the signatures of its deliveries — with every
// line logged (DEBUG, JSON as in Lambda), and finds none of them in the
// logs; and it finds the lines an operator reads, with their fields.
func TestLogsHoldNoSecrets(t *testing.T) {
	var logs lockedBuffer
	s, err := devstack.Start(context.Background(), devstack.Config{BaseURL: "http://switchboard.test", Seed: true,
		Database: devstack.Database{Endpoint: dbtest.Endpoint(t), Table: dbtest.Name(t)},
		Log:      telemetry.NewLogger(&logs, telemetry.FormatJSON, slog.LevelDebug)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close(); s.Close() })
	st := &stack{t: t, url: srv.URL, s: s}

	var sigMu sync.Mutex
	var signatures []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		sigMu.Lock()
		signatures = append(signatures, r.Header.Get("webhook-signature"))
		sigMu.Unlock()
	}))
	defer receiver.Close()

	tom, carl, nina := st.token("tom", "northwind"), st.token("carl", "contoso"), st.token("nina", "northwind")
	var hook struct{ ID, Secret string }
	st.mustDo("POST", "/tenants/contoso/webhooks", carl, `{"url":"`+receiver.URL+`/hooks","eventTypes":["RoleAssigned"]}`, 201, &hook)
	st.mustDo("POST", "/check-access", tom, `{"tenantId":"contoso","permission":"tickets.update"}`, 200, nil)
	st.mustDo("POST", "/check-access", tom, `{"checks":[{"tenantId":"contoso","permission":"tickets.update"},{"tenantId":"contoso","permission":"rooms.create"}]}`, 200, nil)
	var sw struct{ Token, SessionID string }
	st.mustDo("POST", "/switch", tom, `{"tenantId":"contoso","duration":"PT15M"}`, 200, &sw)
	st.mustDo("POST", "/switch", tom, `{"tenantId":"fabrikam"}`, 403, nil)
	// A switch token sent where an identity-provider token belongs is
	// refused by the authorizer, and logged nowhere either.
	st.mustDo("GET", "/relationships", sw.Token, "", 401, nil)
	st.mustDo("POST", "/relationships/"+s.Demo.RelationshipID+"/assignments", nina, `{"principal":"user:ann","roles":["site-lead"]}`, 201, nil)
	if err := s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.mustDo("POST", "/dev/cleanup", "", "", 200, nil)
	sigMu.Lock()
	defer sigMu.Unlock()
	if len(signatures) == 0 {
		t.Fatal("no webhook delivery: the test did not run what it means to check")
	}

	out := logs.String()
	secrets := map[string]string{"the webhook secret": hook.Secret, "the webhook key": strings.TrimPrefix(hook.Secret, "whsec_")}
	for name, tok := range map[string]string{"tom's token": tom, "carl's token": carl, "nina's token": nina, "the switch token": sw.Token} {
		parts := strings.Split(tok, ".")
		if len(parts) != 3 {
			t.Fatalf("%s is not a JWT: %q", name, tok)
		}
		secrets[name] = tok
		secrets[name+"'s signature"] = parts[2]
		secrets[name+"'s payload"] = parts[1]
	}
	for i, sig := range signatures {
		secrets["webhook signature "+string(rune('0'+i))] = sig
		_, b64, _ := strings.Cut(sig, ",")
		secrets["webhook signature bytes "+string(rune('0'+i))] = b64
	}
	if key, err := base64.StdEncoding.DecodeString(secrets["the webhook key"]); err == nil {
		secrets["the webhook key, raw"] = string(key)
	}
	for name, v := range secrets {
		if len(v) < 8 {
			t.Fatalf("%s is %q: too short to look for", name, v)
		}
		if strings.Contains(out, v) {
			t.Errorf("the logs hold %s", name)
		}
	}
	for _, word := range []string{"bearer", "authorization", "whsec_", "webhook-signature"} {
		if strings.Contains(strings.ToLower(out), word) {
			t.Errorf("the logs mention %q", word)
		}
	}

	// The lines themselves: one per request with its fields, one per
	// consumer invocation, one per cleanup, and EMF lines that parse.
	var requests, events, cleanups []map[string]any
	reasons := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("a line that is not JSON: %s", sc.Text())
		}
		switch l["msg"] {
		case "request":
			requests = append(requests, l)
		case telemetry.LogEvent:
			events = append(events, l)
		case "cleanup":
			cleanups = append(cleanups, l)
		case metric.Message:
			data, err := telemetry.ParseEMF(sc.Bytes())
			if err != nil {
				t.Errorf("EMF: %v in %s", err, sc.Text())
			}
			for _, d := range data {
				if d.Name == metric.CheckAccessDecisions && d.Dimensions[metric.DimReason] != "" {
					reasons[d.Dimensions[metric.DimReason]] += d.Value
				}
			}
		}
	}
	if reasons["allowed"] != 2 || len(reasons) != 2 {
		t.Errorf("check-access decisions by reason %v, want 2 allowed and 1 refused", reasons)
	}
	find := func(route string, status float64) map[string]any {
		for _, l := range requests {
			if l["route"] == route && l["status"] == status {
				return l
			}
		}
		t.Fatalf("no request line for %s answered %v in %d lines", route, status, len(requests))
		return nil
	}
	check := find("POST /check-access", 200)
	for k, want := range map[string]any{"function": "check-access", "user": "tom", "home_tenant": "northwind", "target_tenant": "contoso",
		"allowed": true, "reason": "allowed", "level": "INFO"} {
		if check[k] != want {
			t.Errorf("check-access line: %s = %v, want %v (%v)", k, check[k], want, check)
		}
	}
	for _, k := range []string{"lambda_request_id", "api_request_id", "latency_ms", "timestamp"} {
		if check[k] == nil || check[k] == "" {
			t.Errorf("check-access line without %s: %v", k, check)
		}
	}
	if sw := find("POST /switch", 200); sw["allowed"] != true || sw["activations"] != 0.0 || sw["session_id"] == "" || sw["target_tenant"] != "contoso" {
		t.Errorf("switch line %v", sw)
	}
	if refused := find("POST /switch", 403); refused["allowed"] != false || refused["reason"] == "" || refused["target_tenant"] != "fabrikam" {
		t.Errorf("refused switch line %v", refused)
	}
	delivered := 0.0
	consumers := map[any]bool{}
	for _, e := range events {
		consumers[e["consumer"]] = true
		if n, ok := e["webhook_attempts_delivered"].(float64); ok {
			delivered += n
		}
		if e["lambda_request_id"] == nil || e["event_id"] == nil || e["event_type"] == nil {
			t.Errorf("event line %v", e)
		}
	}
	if !consumers["audit"] || !consumers["sync"] || delivered < 1 {
		t.Errorf("consumer lines: %v consumers, %v deliveries counted", consumers, delivered)
	}
	if len(cleanups) == 0 || cleanups[0]["outbox_left"] == nil {
		t.Errorf("cleanup lines %v", cleanups)
	}
}
