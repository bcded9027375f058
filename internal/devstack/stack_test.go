package devstack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/internal/devstack"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/meter"
	"github.com/switchboard/switchboard/internal/ops/invariants"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// stack runs the local stack behind a real HTTP server on a free loopback port.
type stack struct {
	t     testing.TB
	url   string
	s     *devstack.Stack
	meter *meter.Meter
}

func startStack(t testing.TB) *stack {
	t.Helper()
	return startStackAt(t, "")
}

// startStackAt runs the stack on a table of its own in the tests' DynamoDB,
// reached at endpoint when it is not "" (a fault proxy in front of it).
func startStackAt(t testing.TB, endpoint string) *stack {
	t.Helper()
	if endpoint == "" {
		endpoint = dbtest.Endpoint(t)
	}
	meter := meter.New()
	// The SDK's standard retryer, with short backoffs so fault drills are quick.
	fastRetries := func(o *dynamodb.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) { so.MaxBackoff = 50 * time.Millisecond })
	}
	s, err := devstack.Start(context.Background(), devstack.Config{BaseURL: "http://switchboard.test", Seed: true,
		Database: devstack.Database{Endpoint: endpoint, Table: dbtest.Name(t)}, DynamoOptions: []func(*dynamodb.Options){meter.Option(), fastRetries}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(func() { srv.Close(); s.Close() })
	return &stack{t: t, url: srv.URL, s: s, meter: meter}
}

func (st *stack) token(sub, tid string, groups ...string) string {
	st.t.Helper()
	var out struct{ Token string }
	body, _ := json.Marshal(map[string]any{"sub": sub, "tid": tid, "groups": groups})
	st.mustDo("POST", "/dev/token", "", string(body), 200, &out)
	return out.Token
}

type response struct {
	status  int
	body    []byte
	headers http.Header
}

func (st *stack) do(method, path, tok, body string) response {
	st.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, st.url+path, rd)
	if err != nil {
		st.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: b, headers: res.Header}
}

func (st *stack) mustDo(method, path, tok, body string, status int, out any) response {
	st.t.Helper()
	r := st.do(method, path, tok, body)
	if r.status != status {
		st.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.body, status)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			st.t.Fatalf("%s %s: %v in %s", method, path, err, r.body)
		}
	}
	return r
}

func isProblem(r response) bool {
	return r.headers.Get("Content-Type") == "application/problem+json" && bytes.Contains(r.body, []byte(`"status"`))
}

// consistent waits for the bus and checks the table's invariants.
func (st *stack) consistent(t *testing.T) invariants.Report {
	t.Helper()
	if err := st.s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	c, err := invariants.Check(context.Background(), st.s.DynamoDB, st.s.Table)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range c.Violations {
		t.Errorf("invariant: %s", v)
	}
	return c
}

// A stack started again on a table that holds the demo keeps it, and the
// technicians may still use the switcher: the seed finds the first-line
// support role and does not give it again.
func TestDemoIsKeptAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	db := devstack.Database{Endpoint: dbtest.Endpoint(t), Table: dbtest.Name(t)}
	first, err := devstack.Start(ctx, devstack.Config{BaseURL: "http://switchboard.test", Seed: true, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	again, err := devstack.Start(ctx, devstack.Config{BaseURL: "http://switchboard.test", Seed: true, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	d := again.Demo
	if !d.Kept || d.RelationshipID != first.Demo.RelationshipID || d.TechnicianAssignmentID != first.Demo.TechnicianAssignmentID {
		t.Errorf("demo on restart = %+v, want the first run's, kept", d)
	}
	tom := tenancy.Caller{User: d.Technician, Tenant: d.MSP}
	if l, err := again.Service.SwitchTargets(ctx, tom, tenancy.Page{}); err != nil || len(l.Items) != 1 || l.Reason != "" {
		t.Errorf("tom's switch targets after a restart = %+v, %v", l, err)
	}
}
