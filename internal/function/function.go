// Package function builds each Lambda of the registry from its
// dependencies, and is the only place that does: the Lambda mains
// (functions/*) call it with the SDK clients they make from their
// environment (internal/wiring), the local stack (internal/devstack) with
// its own clients, test clock and local signer. What runs locally is what
// runs in AWS.
package function

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard/switchboard/internal/audit"
	"github.com/switchboard/switchboard/internal/cleanup"
	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/projection"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/routes"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
	"github.com/switchboard/switchboard/internal/webhooks"
)

// Deps are what every function is built from; a main makes them once, at
// init.
type Deps struct {
	// DynamoDB is the client of the table named Table.
	DynamoDB store.DB
	Table    string
	// EventBridge is the client of the bus named Bus.
	EventBridge outbox.API
	Bus         string
	// Operator is the platform operator's tenant id.
	Operator string
	// Now is Switchboard's clock (the local stack's test clock moves it);
	// NewID makes ids.
	Now   func() time.Time
	NewID func() string
	Log   *slog.Logger
	// LocalWebhooks lets webhook subscriptions use plain http and be
	// delivered to private addresses: the local stack's receivers are on
	// loopback. Deployed functions never set it.
	LocalWebhooks bool
}

// Minter signs switch tokens and answers the keys that verify them: a
// token.Issuer over the KMS key when deployed, over a local key in the local
// stack. The main makes it, as it makes the SDK clients, so that no other
// function links the token code.
type Minter interface {
	tenancy.Minter
	httpapi.KeySet
}

// Tokens are what the switch function signs tokens with.
type Tokens struct {
	// Minter signs them and publishes the keys (the JWKS route).
	Minter Minter
	// Issuer and Audience are the tokens' iss and aud.
	Issuer, Audience string
	// Now is the verifiers' clock, for iat and exp: Deps.Now when nil. The
	// local stack's is real time, its test clock being Switchboard's alone.
	Now func() time.Time
}

// webhookTimeout bounds one webhook delivery, connection included.
const webhookTimeout = 10 * time.Second

// Parts are the pieces every function is made of: the store over the
// table, the outbox publisher to the bus, the tenancy service over both.
type Parts struct {
	Store   *store.Store
	Outbox  *outbox.Publisher
	Service *tenancy.Service
}

// NewParts makes the parts from d.
func NewParts(d Deps) Parts { return newParts(d, nil) }

// newParts makes the parts; with tokens, the service mints switch tokens.
func newParts(d Deps, tokens *Tokens) Parts {
	st := store.New(d.DynamoDB, d.Table)
	pub := outbox.New(d.EventBridge, d.Bus, st, d.Log)
	cfg := tenancy.Config{Store: st, Now: d.Now, NewID: d.NewID, OperatorTenant: d.Operator, Publisher: pub, AllowHTTPWebhooks: d.LocalWebhooks}
	if t := tokens; t != nil {
		cfg.Minter, cfg.TokenIssuer, cfg.TokenAudience, cfg.TokenNow = t.Minter, t.Issuer, t.Audience, t.Now
	}
	return Parts{Store: st, Outbox: pub, Service: tenancy.New(cfg)}
}

// The store keeps the Idempotency-Key answers of the HTTP functions.
var _ httpapi.IdempotencyStore = (*store.Store)(nil)

// HTTP builds an HTTP function of the registry other than the switch: the
// routes the route table gives it, honouring Idempotency-Key where the
// registry says so. A name that is not such a function is a programming
// error, found at init: HTTP panics.
func HTTP(name string, d Deps) *httpapi.Handler {
	fn, ok := registry.ByName(name)
	if !ok || fn.Signs || len(fn.Routes()) == 0 {
		panic(fmt.Sprintf("function %q is not an HTTP function of the registry that function.HTTP builds", name))
	}
	return serve(fn, newParts(d, nil), d.Log)
}

// Switch builds the switch function: the tenant switcher's targets, the
// RFC 8693 token exchange signed by t.Minter, and the JWKS that verifies it.
func Switch(d Deps, t Tokens) *httpapi.Handler {
	fn, _ := registry.ByName(routes.FunctionSwitch)
	return serve(fn, newParts(d, &t), d.Log).WithKeys(t.Minter)
}

func serve(fn registry.Function, p Parts, log *slog.Logger) *httpapi.Handler {
	h := httpapi.New(p.Service, fn.Name, log)
	if fn.Idempotent {
		h.WithIdempotency(p.Store)
	}
	return h
}

// Audit builds the audit consumer: every event becomes audit records under
// the tenants it concerns and the actor's tenant. It only appends to the
// table.
func Audit(d Deps) *audit.Consumer {
	return audit.New(store.New(d.DynamoDB, d.Table), audit.DefaultRetention, d.Log)
}

// Sync builds the sync consumer: relationship, assignment and organisation
// events go to the tenants' webhook subscriptions, signed, and organisation
// joins are completed and projected into cross-tenant access.
func Sync(d Deps) *projection.Consumer {
	p := newParts(d, nil)
	hooks := webhooks.New(webhooks.Config{Store: p.Store, Publisher: p.Outbox, Now: d.Now, NewID: d.NewID, Operator: d.Operator,
		Client: webhooks.Client(webhookTimeout, d.LocalWebhooks), Log: d.Log})
	return projection.New(p.Service, hooks, d.Log)
}

// Cleanup builds the scheduled cleanup: expiries, auto-extensions, notices,
// unfinished offboardings, and outbox events not yet delivered.
func Cleanup(d Deps) *cleanup.Runner {
	p := newParts(d, nil)
	return cleanup.New(p.Service, p.Outbox, d.Now, cleanup.DefaultLimit, cleanup.DefaultGrace, d.Log)
}
