// Package devstack is the local stack behind `make run`: the same function
// handlers behind a local HTTP API that validates JWTs like API Gateway and
// builds the same payload-v2 events, DynamoDB served in process through the
// real SDK, a local identity provider and a test clock. None of it is deployed.
package devstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/cleanup"
	"github.com/switchboard/switchboard/internal/function"
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/localbus"
	"github.com/switchboard/switchboard/internal/localdb"
	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/routes"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
	"github.com/switchboard/switchboard/internal/token"
)

// Defaults of the local stack.
const (
	DefaultAddr    = "127.0.0.1:8080"
	OperatorTenant = "platform"
	Audience       = "switchboard"
	TableName      = "switchboard"
	BusName        = "switchboard-local"
	// SwitchAudience is the aud of the local stack's switch tokens.
	SwitchAudience  = "switchboard-downstream"
	maxRequestBytes = httpapi.MaxBody
)

// Config sets up a stack.
type Config struct {
	// BaseURL is where the stack is reached; the token issuer is BaseURL/dev.
	BaseURL string
	// Seed loads the demo tenants.
	Seed bool
	// Database says which DynamoDB the stack keeps its table in.
	Database Database
	// DynamoOptions are applied to the functions' DynamoDB client, e.g. a
	// request meter.
	DynamoOptions []func(*dynamodb.Options)
	// CleanupEvery runs the scheduled cleanup on a ticker; 0 leaves it to
	// POST /dev/cleanup.
	CleanupEvery time.Duration
	// BusAttempts and BusBackoff tune the local bus's delivery retries.
	BusAttempts int
	BusBackoff  time.Duration
	Log         *slog.Logger
	// ConsoleDir holds the built web console (web.DistDir), served at
	// /console/; empty serves a page that says how to build it.
	ConsoleDir string
}

// Stack is a running local Switchboard.
type Stack struct {
	Clock   *Clock
	Issuer  *Issuer
	Service *tenancy.Service
	Demo    *Demo
	// Large is what SeedLarge created, if it ran.
	Large *LargeSeed
	Store *store.Store
	// Table is the table's name; DynamoDB answers an unmetered client of
	// the database it is in.
	Table    string
	Endpoint string
	DynamoDB *dynamodb.Client
	// Local is the DynamoDB Local the stack started, nil when
	// Database.Endpoint named another DynamoDB.
	Local    *localdb.Server
	Signer   *token.LocalSigner
	Bus      *localbus.Bus
	Outbox   *outbox.Publisher
	Cleanup  *cleanup.Runner
	handlers map[string]*httpapi.Handler
	console  *console
	log      *slog.Logger
	requests atomic.Int64
	stop     context.CancelFunc
	// seeded says the demo seed is to be written (again after a reset).
	seeded    bool
	resetting sync.RWMutex
}

// Start brings up the database, the service and the handlers.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Stack{Clock: NewClock(), handlers: map[string]*httpapi.Handler{}, log: cfg.Log}
	clientFor, err := s.openDatabase(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	clock := s.Clock
	// Tokens live on real time, as the identity provider and API Gateway know
	// nothing of the test clock; only Switchboard's own decisions use it.
	if s.Issuer, err = NewIssuer(strings.TrimSuffix(cfg.BaseURL, "/")+"/dev", Audience, time.Now); err != nil {
		s.Close()
		return nil, err
	}
	// The bus calls the consumers; the consumers publish through the bus:
	// the consumer map is filled in below.
	consumers := map[string]localbus.Consumer{}
	s.Bus, err = localbus.Start(events.Rules, map[string]localbus.Consumer{
		events.ConsumerAudit: func(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
			ctx, cancel := invocation(ctx, events.ConsumerAudit)
			defer cancel()
			return consumers[events.ConsumerAudit](ctx, ev)
		},
		events.ConsumerSync: func(ctx context.Context, ev lambdaevents.EventBridgeEvent) error {
			ctx, cancel := invocation(ctx, events.ConsumerSync)
			defer cancel()
			return consumers[events.ConsumerSync](ctx, ev)
		},
	}, localbus.Options{BusName: BusName, Attempts: cfg.BusAttempts, Backoff: cfg.BusBackoff, Now: clock.Now, Log: cfg.Log})
	if err != nil {
		s.Close()
		return nil, err
	}
	if s.Signer, err = token.NewLocalSigner(); err != nil {
		s.Close()
		return nil, err
	}
	// Every function is built as its Lambda main builds it (internal/function),
	// from the local clients, the test clock and webhook receivers on loopback.
	deps := function.Deps{DynamoDB: clientFor(cfg.DynamoOptions...), Table: s.Table, EventBridge: s.Bus.Client(), Bus: BusName,
		Operator: OperatorTenant, Now: clock.Now, NewID: ids.New, Log: cfg.Log, LocalWebhooks: true}
	parts := function.NewParts(deps)
	s.Store, s.Outbox, s.Service = parts.Store, parts.Outbox, parts.Service
	// Tokens live on real time, as their verifiers do.
	tokens := function.Tokens{Minter: token.NewIssuer(s.Signer), Issuer: strings.TrimSuffix(cfg.BaseURL, "/"), Audience: SwitchAudience, Now: time.Now}
	// The consumers are Lambdas of their own in AWS: here they get their own
	// DynamoDB client, so what a request costs is metered apart from them.
	consumerDeps := deps
	consumerDeps.DynamoDB = clientFor()
	consumers[events.ConsumerAudit] = function.Audit(consumerDeps).Handle
	consumers[events.ConsumerSync] = function.Sync(consumerDeps).Handle
	s.Cleanup = function.Cleanup(deps)
	// One handler per function of the registry that serves routes, as the
	// deployed stack has one Lambda each.
	for _, fn := range registry.Functions {
		switch {
		case fn.Name == routes.FunctionSwitch:
			s.handlers[fn.Name] = function.Switch(deps, tokens)
		case len(fn.Routes()) > 0:
			s.handlers[fn.Name] = function.HTTP(fn.Name, deps)
		}
	}
	s.seeded = cfg.Seed
	if cfg.Seed {
		if s.Demo, err = seed(ctx, s.Service); err != nil {
			s.Close()
			return nil, fmt.Errorf("seed demo: %w", err)
		}
	}
	s.console = newConsole(cfg.ConsoleDir, s.Demo)
	runCtx, stop := context.WithCancel(context.Background())
	s.stop = stop
	if cfg.CleanupEvery > 0 {
		go s.schedule(runCtx, cfg.CleanupEvery)
	}
	return s, nil
}

// invocation gives a consumer's call the deadline its Lambda has in AWS
// (the registry's timeout), so what it does near the end of its time is
// what it would do there.
func invocation(ctx context.Context, consumer string) (context.Context, context.CancelFunc) {
	ctx = lambdaInvocation(ctx)
	for _, fn := range registry.Functions {
		if fn.Consumer == consumer && fn.Timeout > 0 {
			return context.WithTimeout(ctx, fn.Timeout)
		}
	}
	return context.WithCancel(ctx)
}

// lambdaInvocation gives ctx a request id of its own, as Lambda gives each
// invocation, so the local stack's lines carry one too.
func lambdaInvocation(ctx context.Context) context.Context {
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "local-" + ids.New()})
}

// schedule runs the cleanup on a ticker, as the deployed stack's scheduled
// rule does.
func (s *Stack) schedule(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, _ = s.Cleanup.Run(lambdaInvocation(ctx)) // the run logs its line, error or report
		}
	}
}

// Close stops the schedule, the bus and the database.
func (s *Stack) Close() error {
	if s.stop != nil {
		s.stop()
	}
	if s.Bus != nil {
		s.Bus.Close()
	}
	if s.Local != nil {
		return s.Local.Close()
	}
	return nil
}

// ServeHTTP routes dev routes, the console (/console/) and the API.
func (s *Stack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/dev/reset" {
		s.devReset(w, r)
		return
	}
	// A reset replaces the table under the API: requests wait for it.
	s.resetting.RLock()
	defer s.resetting.RUnlock()
	switch {
	case r.URL.Path == "/" || r.URL.Path == "/openapi.yaml" || r.URL.Path == "/health":
		s.serveInfo(w, r)
	case r.URL.Path == "/dev/token":
		s.devToken(w, r)
	case r.URL.Path == "/dev/clock":
		s.devClock(w, r)
	case r.URL.Path == "/dev/keys/rotate":
		s.devRotate(w, r)
	case r.URL.Path == "/dev/cleanup":
		s.devCleanup(w, r)
	case isConsolePath(r.URL.Path):
		s.console.ServeHTTP(w, r)
	case r.URL.Path == "/dev/dead-letters":
		// What the bus could not deliver to a consumer, and what the outbox
		// dead-lettered because EventBridge would never take it.
		dead := s.Bus.DeadLetters()
		if dead == nil {
			dead = []localbus.DeadLetter{}
		}
		outbox, err := s.Store.DeadEvents(r.Context(), 100)
		if err != nil {
			problem(w, http.StatusInternalServerError, err.Error())
			return
		}
		if outbox == nil {
			outbox = []store.DeadEvent{}
		}
		writeJSON(w, http.StatusOK, "application/json", map[string]any{"items": dead, "outbox": outbox})
	default:
		s.api(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, "application/problem+json", httpapi.Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
}

// readJSON decodes a dev route's POST body strictly; example is what a
// valid body looks like, for the answer to an empty or wrong one.
func readJSON(w http.ResponseWriter, r *http.Request, v any, example string) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		problem(w, http.StatusMethodNotAllowed, "use POST with a body such as "+example)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			problem(w, http.StatusBadRequest, "the body is empty: send "+example)
			return false
		}
		problem(w, http.StatusBadRequest, "body: "+err.Error()+"; send "+example)
		return false
	}
	return true
}

func (s *Stack) devToken(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	if !readJSON(w, r, &req, `{"sub":"nina","tid":"northwind"} (groups and amr are optional arrays)`) {
		return
	}
	if err := req.check(); err != nil {
		problem(w, http.StatusBadRequest, err.Error())
		return
	}
	tok, err := s.Issuer.Issue(req)
	if err != nil {
		problem(w, http.StatusBadRequest, err.Error())
		return
	}
	out := map[string]string{"token": tok}
	// The identity provider knows nothing of Switchboard's tenants; say so
	// when this one is not among them, as its calls will be a stranger's.
	if _, err := s.Store.GetTenant(r.Context(), req.Tid); errors.Is(err, tenancy.ErrNotFound) {
		out["warning"] = fmt.Sprintf("this stack has no tenant %q: the API treats this caller as a stranger (the demo's tenants: %s)", req.Tid, s.tenantHint())
	}
	writeJSON(w, http.StatusOK, "application/json", out)
}

func (s *Stack) devClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, "application/json", map[string]time.Time{"now": s.Clock.Now()})
		return
	}
	var req struct {
		Advance period.Duration `json:"advance"`
		Reset   bool            `json:"reset"`
	}
	if !readJSON(w, r, &req, `{"advance":"P15D"} or {"reset":true}`) {
		return
	}
	if req.Reset {
		writeJSON(w, http.StatusOK, "application/json", map[string]time.Time{"now": s.Clock.Reset()})
		return
	}
	if req.Advance <= 0 {
		problem(w, http.StatusBadRequest, "advance must be a positive ISO 8601 duration such as \"P15D\" (or send {\"reset\":true} to go back to real time)")
		return
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]time.Time{"now": s.Clock.Advance(time.Duration(req.Advance))})
}

// devRotate starts a key rollover: a new signing key, the previous one still
// published so the tokens it signed verify until they expire.
func (s *Stack) devRotate(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		problem(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	kid, err := s.Signer.Rotate()
	if err != nil {
		problem(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, "application/json", map[string]string{"kid": kid})
}

// devCleanup runs the scheduled cleanup at once, waits until the bus has
// delivered what it published, and answers what it changed.
func (s *Stack) devCleanup(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		problem(w, http.StatusMethodNotAllowed, "use POST")
		return
	}
	rep, err := s.Cleanup.Run(lambdaInvocation(r.Context()))
	if err != nil { // the run has logged it
		problem(w, http.StatusInternalServerError, "cleanup failed: "+err.Error())
		return
	}
	if err := s.Bus.Wait(r.Context()); err != nil {
		problem(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, "application/json", rep)
}

// api does what API Gateway does for an HTTP API: match the route, run the
// JWT authorizer, build the payload-v2 event and invoke the route's function.
func (s *Stack) api(w http.ResponseWriter, r *http.Request) {
	route, params, allowed, ok := routes.Match(r.Method, r.URL.Path)
	if !ok {
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			problem(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path))
			return
		}
		problem(w, http.StatusNotFound, "no route "+r.Method+" "+r.URL.Path)
		return
	}
	var claims map[string]string
	if !route.Public {
		var ok bool
		if claims, ok = s.authorize(w, r); !ok {
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))

	if err != nil {
		problem(w, http.StatusBadRequest, "the body cannot be read")
		return
	}
	ev := s.event(r, route, params, claims, body)
	res, err := s.handlers[route.Function].Handle(lambdaInvocation(r.Context()), ev)
	if err != nil {
		s.log.Error("function failed", "function", route.Function, "error", err)
		problem(w, http.StatusInternalServerError, "the function failed")
		return
	}
	for k, v := range res.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Apigw-Requestid", ev.RequestContext.RequestID)
	w.WriteHeader(res.StatusCode)
	_, _ = io.WriteString(w, res.Body)
}

// authorize is the JWT authorizer: a bearer token from the local identity
// provider, valid now, for this audience.
func (s *Stack) authorize(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	raw, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found {
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
		problem(w, http.StatusUnauthorized, "send Authorization: Bearer <token>; POST /dev/token makes one")
		return nil, false
	}
	claims, err := s.Issuer.Validate(strings.TrimSpace(raw))
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard", error="invalid_token"`)
		problem(w, http.StatusUnauthorized, "the token is not valid: "+err.Error())
		return nil, false
	}
	return claims, true
}

func (s *Stack) event(r *http.Request, route routes.Route, params, claims map[string]string, body []byte) lambdaevents.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	var query map[string]string
	if len(r.URL.Query()) > 0 {
		query = map[string]string{}
		for k, v := range r.URL.Query() {
			query[k] = strings.Join(v, ",")
		}
	}
	now := s.Clock.Now()
	ev := lambdaevents.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: route.Key(), RawPath: r.URL.Path, RawQueryString: r.URL.RawQuery,
		Headers: headers, QueryStringParameters: query, PathParameters: params, Body: string(body),
		RequestContext: lambdaevents.APIGatewayV2HTTPRequestContext{
			RouteKey: route.Key(), Stage: "$default", RequestID: "local-" + strconv.FormatInt(s.requests.Add(1), 10) + "-" + ids.New()[20:],
			Time: now.Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: now.UnixMilli(),
			HTTP: lambdaevents.APIGatewayV2HTTPRequestContextHTTPDescription{Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: r.RemoteAddr, UserAgent: r.UserAgent()},
		},
	}
	if claims != nil { // routes without an authorizer carry no authorizer context
		ev.RequestContext.Authorizer = &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &lambdaevents.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	return ev
}
