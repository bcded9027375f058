package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/devstack"
	"github.com/switchboard/switchboard/internal/localbus"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/metric"
	"github.com/switchboard/switchboard/internal/ops/lambdart"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/routes"
	"github.com/switchboard/switchboard/internal/telemetry"
)

// The local stand-ins the bootstraps are pointed at: what the template's
// references resolve to here.
const (
	e2eBus      = "switchboard-e2e"
	e2eKeyARN   = "arn:aws:kms:local:000000000000:key/0f0e0d0c-e2e0-4000-8000-000000000001"
	e2eIssuer   = "https://switchboard.e2e"
	e2eAudience = "downstream.e2e"
	e2eOperator = devstack.OperatorTenant
)

// TestBootstraps builds every function's real bootstrap as `make build`
// does (for this machine's architecture), runs each under a local Lambda
// Runtime API (internal/ops/lambdart) with exactly the environment the
// prod template gives that function — its variables read from the
// synthesized template, their references resolved to DynamoDB Local, the
// local bus and a local KMS — and sends real API Gateway v2 events with JWT
// authorizer claims to the HTTP functions, the bus's EventBridge events to
// the consumers (the bus invokes their bootstraps) and the schedule's event
// to cleanup. A main that reads the wrong variable, builds the wrong client
// or another handler fails here, not in a deployment.
func TestBootstraps(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH: this test builds each function's bootstrap with the Go toolchain")
	}
	if testing.Short() {
		t.Skip("-short: building and running the 13 bootstraps takes a minute")
	}
	envs, types := functionEnvs(t, synth(t)[StageProd])
	bins := buildBootstraps(t)
	ctx := context.Background()

	// The table, with the demo seed written through the service.
	_, table := dbtest.Table(t)
	seed, err := devstack.Start(ctx, devstack.Config{BaseURL: "http://seed.e2e", Seed: true, Database: devstack.Database{Endpoint: dbtest.Endpoint(t), Table: table}})
	if err != nil {
		t.Fatal(err)
	}
	demo := *seed.Demo
	seed.Close()

	kms := startKMS(t)
	fns := map[string]*bootstrap{}
	consumer := func(name string) localbus.Consumer {
		return func(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
			raw, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			_, err = fns[name].invoke(ctx, raw)
			return err
		}
	}
	bus, err := localbus.Start(events.Rules, map[string]localbus.Consumer{
		events.ConsumerAudit: consumer(registry.FunctionAudit), events.ConsumerSync: consumer(registry.FunctionSync),
	}, localbus.Options{BusName: e2eBus, Attempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	local := map[string]string{"table": table, "bus": e2eBus, "key": e2eKeyARN,
		"OperatorTenant": e2eOperator, "SwitchTokenIssuer": e2eIssuer, "SwitchTokenAudience": e2eAudience}
	for _, fn := range registry.Functions {
		b := startBootstrap(t, fn, bins[fn.Name], envs[fn.Name], types, local, map[string]string{
			"AWS_ENDPOINT_URL_DYNAMODB":    dbtest.Endpoint(t),
			"AWS_ENDPOINT_URL_EVENTBRIDGE": bus.URL(),
			"AWS_ENDPOINT_URL_KMS":         kms.url,
		})
		fns[fn.Name] = b
	}

	// One request (at least) to every HTTP function, as API Gateway sends it.
	op := map[string]string{"sub": "op", "tid": e2eOperator}
	nina, tom, carl := map[string]string{"sub": "nina", "tid": demo.MSP}, map[string]string{"sub": "tom", "tid": demo.MSP},
		map[string]string{"sub": "carl", "tid": demo.Customer}
	api := &apiClient{t: t, fns: fns}
	api.call("POST", "/tenants", op, `{"id":"adatum","name":"Adatum","domain":"adatum.example","msp":false,"admins":["user:ada"]}`, 201, nil)
	var inv struct{ ID string }
	api.call("POST", "/invitations", nina, `{"to":{"tenantId":"adatum"},"roles":["helpdesk-admin"]}`, 201, &inv)
	api.call("POST", "/invitations/"+inv.ID+"/decline", map[string]string{"sub": "ada", "tid": "adatum"}, "", 200, nil)
	api.call("GET", "/tenants/"+demo.Customer, carl, "", 200, nil)
	api.call("POST", "/relationships/"+demo.RelationshipID+"/assignments", nina, `{"principal":"user:ann","roles":["site-lead"]}`, 201, nil)
	var decision struct {
		Allowed bool
		Reason  string
	}
	api.call("POST", "/check-access", tom, `{"tenantId":"contoso","permission":"tickets.update"}`, 200, &decision)
	if !decision.Allowed {
		t.Errorf("check-access: %+v, want allowed", decision)
	}
	// A subscription to an event nothing here raises: deployed functions
	// deliver only to public https endpoints, which this test never calls.
	api.call("POST", "/tenants/contoso/webhooks", carl, `{"url":"https://hooks.contoso.example/switchboard","eventTypes":["OrganizationJoined"]}`, 201, nil)
	api.call("POST", "/organizations", carl, `{"name":"Contoso group"}`, 201, nil)
	api.call("GET", "/switch/targets", tom, "", 200, nil)
	var sw struct{ Token string }
	api.call("POST", "/switch", tom, `{"tenantId":"contoso","duration":"PT15M"}`, 200, &sw)
	jwks := api.call("GET", "/.well-known/jwks.json", nil, "", 200, nil)
	set, err := jwk.Parse([]byte(jwks))
	if err != nil {
		t.Fatalf("JWKS: %v\n%s", err, jwks)
	}
	tok, err := jwt.Parse([]byte(sw.Token), jwt.WithKeySet(set), jwt.WithIssuer(e2eIssuer), jwt.WithAudience(e2eAudience))
	if err != nil {
		t.Errorf("the switch token does not verify with the JWKS, the issuer and the audience the stack gives the switch: %v", err)
	} else if sub, _ := tok.Subject(); sub != "tom" {
		t.Errorf("switch token sub %q", sub)
	}
	if err := bus.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	api.call("DELETE", "/relationships/"+demo.RelationshipID, carl, "", 204, nil)
	if err := bus.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if dead := bus.DeadLetters(); len(dead) > 0 {
		t.Errorf("the bus dead-lettered %d events, first: %+v", len(dead), dead[0])
	}
	// The audit consumer's bootstrap wrote what the partner did.
	var audit struct{ Items []struct{ Type string } }
	api.call("GET", "/tenants/contoso/audit?limit=100", carl, "", 200, &audit)
	seen := map[string]bool{}
	for _, it := range audit.Items {
		seen[it.Type] = true
	}
	for _, typ := range []string{"RoleAssigned", "TenantSwitched", "RelationshipTerminated"} {
		if !seen[typ] {
			t.Errorf("no %s in contoso's audit log (the audit bootstrap): %v", typ, seen)
		}
	}

	// The schedule's event to cleanup.
	sched, _ := json.Marshal(lambdaevents.EventBridgeEvent{Version: "0", ID: "sched-1", DetailType: "Scheduled Event", Source: "aws.events",
		AccountID: "000000000000", Time: time.Now().UTC(), Region: "local", Detail: json.RawMessage(`{}`)})
	report, err := fns[registry.FunctionCleanup].invoke(ctx, sched)
	if err != nil || !bytes.Contains(report, []byte(`"outboxLeft":0`)) {
		t.Errorf("cleanup answered %s, %v", report, err)
	}

	// Every function logged, as JSON, the lines an operator reads: read
	// once the processes are gone and all they wrote has been copied.
	for _, b := range fns {
		b.stop()
	}
	for _, fn := range registry.Functions {
		b := fns[fn.Name]
		lines := b.lines(t)
		mine := 0
		for _, l := range lines {
			if l["msg"] == metric.Message {
				continue
			}
			id, _ := l[telemetry.FieldLambdaRequest].(string)
			if b.ids[id] {
				mine++
			}
		}
		if mine == 0 {
			t.Errorf("%s: no line carries the Lambda request id of an invocation it served; it logged:\n%s", fn.Name, b.out.String())
		}
	}
	for _, c := range api.calls {
		var line map[string]any
		for _, l := range fns[c.function].lines(t) {
			if l["msg"] == "request" && l[telemetry.FieldLambdaRequest] == c.lambdaID {
				line = l
			}
		}
		if line == nil {
			t.Errorf("%s %s: no request line with its Lambda request id %s", c.function, c.route, c.lambdaID)
			continue
		}
		want := map[string]any{"function": c.function, "route": c.route, "api_request_id": c.apiID, "status": float64(c.status), "level": "INFO"}
		if c.claims != nil {
			want["user"], want["home_tenant"] = c.claims["sub"], c.claims["tid"]
		}
		for k, v := range want {
			if line[k] != v {
				t.Errorf("%s %s: %s = %v, want %v in %v", c.function, c.route, k, line[k], v, line)
			}
		}
		if _, ok := line["latency_ms"].(float64); !ok {
			t.Errorf("%s %s: no latency_ms in %v", c.function, c.route, line)
		}
	}
	for name, want := range map[string]string{registry.FunctionAudit: telemetry.LogEvent, registry.FunctionSync: telemetry.LogEvent, registry.FunctionCleanup: "cleanup"} {
		found := false
		for _, l := range fns[name].lines(t) {
			found = found || l["msg"] == want && l[telemetry.FieldLambdaRequest] != nil
		}
		if !found {
			t.Errorf("%s: no %q line", name, want)
		}
	}
	// The metrics lines parse as EMF, and the ones this run must raise are there.
	emitted := map[string]bool{}
	for _, fn := range registry.Functions {
		for _, raw := range fns[fn.Name].raw() {
			if !bytes.Contains(raw, []byte(`"_aws"`)) {
				continue
			}
			data, err := telemetry.ParseEMF(raw)
			if err != nil {
				t.Errorf("%s: %v in %s", fn.Name, err, raw)
			}
			for _, d := range data {
				emitted[fn.Name+"/"+d.Name] = true
			}
		}
	}
	for _, m := range []string{"check-access/" + metric.CheckAccessDecisions, "switch/" + metric.Switches, "cleanup/" + metric.OutboxOldestAge, "cleanup/" + metric.OutboxBacklog} {
		if !emitted[m] {
			t.Errorf("no %s metric line (emitted: %v)", m, emitted)
		}
	}
	for _, fn := range registry.Functions {
		if out := fns[fn.Name].out.String(); strings.Contains(out, sw.Token) || strings.Contains(out, strings.Split(sw.Token+"..", ".")[2]) {
			t.Errorf("%s logged the switch token", fn.Name)
		}
	}
}

// functionEnvs reads each function's environment variables from the
// template, by the function's Description ("Switchboard <name>"), and the
// type of each resource by logical id, for resolveLocal.
func functionEnvs(t *testing.T, res map[string]resource) (map[string]map[string]any, map[string]string) {
	t.Helper()
	out := map[string]map[string]any{}
	for _, fn := range ofType(res, "AWS::Lambda::Function") {
		name, ok := strings.CutPrefix(fmt.Sprint(fn.Properties["Description"]), "Switchboard ")
		if !ok {
			continue
		}
		env, _ := fn.Properties["Environment"].(map[string]any)
		vars, _ := env["Variables"].(map[string]any)
		out[name] = vars
	}
	for _, fn := range registry.Functions {
		if out[fn.Name] == nil {
			t.Fatalf("the template has no environment for %s", fn.Name)
		}
	}
	types := map[string]string{}
	for id, r := range res {
		types[id] = r.Type
	}
	return out, types
}

// resolveLocal turns a template value into the local one: a literal as it is, a
// reference to the table, the bus, the signing key or a parameter into the
// local stand-in named in local.
func resolveLocal(t *testing.T, fn, key string, v any, types, local map[string]string) string {
	t.Helper()
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		var id string
		if ref, ok := x["Ref"].(string); ok {
			id = ref
		} else if ga, ok := x["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == "Arn" {
			id = fmt.Sprint(ga[0])
		}
		if p, ok := local[id]; ok { // a parameter
			return p
		}
		switch types[id] {
		case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable":
			return local["table"]
		case "AWS::Events::EventBus":
			return local["bus"]
		case "AWS::KMS::Key":
			return local["key"]
		}
	}
	t.Fatalf("%s: %s = %v: a value this test cannot resolve to a local stand-in", fn, key, v)
	return ""
}

// buildBootstraps builds each function's bootstrap, two at a time.
func buildBootstraps(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	out := map[string]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, 2)
	for _, fn := range registry.Functions {
		bin := filepath.Join(dir, fn.Name, "bootstrap")
		out[fn.Name] = bin
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin, fn.Package)
			cmd.Dir = ".."
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
			if b, err := cmd.CombinedOutput(); err != nil {
				mu.Lock()
				defer mu.Unlock()
				t.Errorf("build %s: %v\n%s", fn.Name, err, b)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return out
}

// bootstrap is one function's process under its Runtime API.
type bootstrap struct {
	fn  registry.Function
	rt  *lambdart.Server
	out *syncBuffer
	n   atomic.Int64
	mu  sync.Mutex
	ids map[string]bool
	// stop ends the process and waits until its output is all copied.
	stop func()
}

func startBootstrap(t *testing.T, fn registry.Function, bin string, vars map[string]any, types, local, endpoints map[string]string) *bootstrap {
	t.Helper()
	rt, err := lambdart.Start(fn.Name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	// What Lambda gives every provided.al2023 function with this logging
	// configuration, then the template's variables, then the endpoints.
	env := []string{"AWS_LAMBDA_RUNTIME_API=" + rt.Addr(), "AWS_REGION=local", "AWS_DEFAULT_REGION=local",
		"AWS_ACCESS_KEY_ID=AKIDE2E", "AWS_SECRET_ACCESS_KEY=e2e", "AWS_SESSION_TOKEN=e2e",
		"AWS_LAMBDA_FUNCTION_NAME=" + fn.Name, "AWS_LAMBDA_FUNCTION_VERSION=$LATEST", fmt.Sprintf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%d", fn.MemoryMB),
		"AWS_LAMBDA_LOG_FORMAT=JSON", "AWS_LAMBDA_LOG_LEVEL=INFO", "_HANDLER=bootstrap", "TZ=:UTC", "LANG=en_US.UTF-8"}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+resolveLocal(t, fn.Name, k, vars[k], types, local))
	}
	for k, v := range endpoints {
		env = append(env, k+"="+v)
	}
	b := &bootstrap{fn: fn, rt: rt, out: &syncBuffer{}, ids: map[string]bool{}}
	cmd := exec.Command(bin)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, b.out, b.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		rt.Fail(fmt.Errorf("%s exited (%v):\n%s", fn.Name, err, b.out.String()))
		close(exited)
	}()
	b.stop = func() { cmd.Process.Kill(); <-exited }
	t.Cleanup(b.stop)
	return b
}

// invoke sends one event, with the function's timeout, and answers its
// response.
func (b *bootstrap) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	_, res, err := b.invokeID(ctx, payload)
	return res, err
}

// invokeID is invoke, answering also the Lambda request id it gave.
func (b *bootstrap) invokeID(ctx context.Context, payload []byte) (string, []byte, error) {
	id := fmt.Sprintf("%08d-e2e0-4000-8000-%x", b.n.Add(1), sha256.Sum256([]byte(b.fn.Name)))[:36]
	b.mu.Lock()
	b.ids[id] = true
	b.mu.Unlock()
	res, err := b.rt.Invoke(ctx, id, payload, b.fn.Timeout)
	return id, res, err
}

func (b *bootstrap) raw() [][]byte {
	var out [][]byte
	sc := bufio.NewScanner(strings.NewReader(b.out.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	return out
}

// lines answers the process's output as JSON objects; any other line fails.
func (b *bootstrap) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, raw := range b.raw() {
		var l map[string]any
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Errorf("%s wrote a line that is not JSON (Lambda's JSON format wants one object a line): %s", b.fn.Name, raw)
			continue
		}
		out = append(out, l)
	}
	return out
}

// apiClient is API Gateway in front of the HTTP functions' bootstraps.
type apiClient struct {
	t     *testing.T
	fns   map[string]*bootstrap
	n     int
	calls []apiCall
}

type apiCall struct {
	function, route, apiID, lambdaID string
	status                           int
	claims                           map[string]string
}

// call sends method path as an HTTP API payload v2 event to the function
// the route table names, with the JWT authorizer's claims (none for a
// public route), and checks the status.
func (a *apiClient) call(method, target string, claims map[string]string, body string, status int, out any) string {
	a.t.Helper()
	path, query, _ := strings.Cut(target, "?")
	route, params, _, ok := routes.Match(method, path)
	if !ok {
		a.t.Fatalf("no route %s %s", method, path)
	}
	a.n++
	now := time.Now()
	ev := lambdaevents.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: route.Key(), RawPath: path, RawQueryString: query,
		Headers: map[string]string{"content-type": "application/json", "user-agent": "bootstrap-test", "host": "api.e2e"}, PathParameters: params, Body: body,
		RequestContext: lambdaevents.APIGatewayV2HTTPRequestContext{RouteKey: route.Key(), AccountID: "000000000000", Stage: "$default",
			RequestID: fmt.Sprintf("api-e2e-%d", a.n), DomainName: "api.e2e", Time: now.Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: lambdaevents.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "192.0.2.1", UserAgent: "bootstrap-test"}}}
	if query != "" {
		ev.QueryStringParameters = map[string]string{}
		for _, kv := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			ev.QueryStringParameters[k] = v
		}
	}
	if !route.Public {
		ev.RequestContext.Authorizer = &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims, Scopes: nil}}
	}
	raw, _ := json.Marshal(ev)
	b := a.fns[route.Function]
	lambdaID, resp, err := b.invokeID(context.Background(), raw)
	if err != nil {
		a.t.Fatalf("%s %s (%s): %v", method, target, route.Function, err)
	}
	var res lambdaevents.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(resp, &res); err != nil {
		a.t.Fatalf("%s %s: the answer is not an API Gateway v2 response: %v\n%s", method, target, err, resp)
	}
	if res.StatusCode != status {
		a.t.Fatalf("%s %s = %d %s, want %d", method, target, res.StatusCode, res.Body, status)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(res.Body), out); err != nil {
			a.t.Fatalf("%s %s: %v in %s", method, target, err, res.Body)
		}
	}
	c := apiCall{function: route.Function, route: route.Key(), apiID: ev.RequestContext.RequestID, lambdaID: lambdaID, status: status}
	if !route.Public {
		c.claims = claims
	}
	a.calls = append(a.calls, c)
	return res.Body
}

// syncBuffer is what a process writes, read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// localKMS is a test double of KMS's Sign and GetPublicKey (AWS JSON 1.1)
// over one ECC_NIST_P256 key, answering only for the key ARN the template
// gives the switch: a main that signed with another key id fails.
type localKMS struct {
	url string
	key *ecdsa.PrivateKey
}

func startKMS(t *testing.T) *localKMS {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k := &localKMS{key: key}
	srv := &http.Server{Handler: k, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	k.url = "http://" + ln.Addr().String()
	return k
}

func (k *localKMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in struct {
		KeyID            string `json:"KeyId"`
		Message          []byte
		MessageType      string
		SigningAlgorithm string
	}
	fail := func(kind, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": msg})
	}
	if err := json.Unmarshal(body, &in); err != nil {
		fail("ValidationException", err.Error())
		return
	}
	if in.KeyID != e2eKeyARN {
		fail("NotFoundException", "no key "+in.KeyID)
		return
	}
	var out any
	switch r.Header.Get("X-Amz-Target") {
	case "TrentService.Sign":
		if in.MessageType != "DIGEST" || in.SigningAlgorithm != "ECDSA_SHA_256" || len(in.Message) != sha256.Size {
			fail("ValidationException", "this key signs SHA-256 digests with ECDSA_SHA_256")
			return
		}
		sig, err := ecdsa.SignASN1(rand.Reader, k.key, in.Message)
		if err != nil {
			fail("KMSInternalException", err.Error())
			return
		}
		out = map[string]any{"KeyId": e2eKeyARN, "Signature": sig, "SigningAlgorithm": "ECDSA_SHA_256"}
	case "TrentService.GetPublicKey":
		der, _ := x509.MarshalPKIXPublicKey(&k.key.PublicKey)
		out = map[string]any{"KeyId": e2eKeyARN, "PublicKey": der, "KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY",
			"SigningAlgorithms": []string{"ECDSA_SHA_256"}}
	default:
		fail("UnknownOperationException", r.Header.Get("X-Amz-Target"))
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}
