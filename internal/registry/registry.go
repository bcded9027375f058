// Package registry lists every Lambda of Switchboard and what it needs, as
// data: its name and package, its access to the table (and so the DynamoDB
// actions it is granted), whether it publishes events, signs tokens, consumes
// a bus rule or runs on the schedule, the environment it reads, the routes
// it serves (from the route table, internal/routes). The CDK stack is
// built from it, internal/function builds each function as it describes, and
// the local stack runs the same; it imports nothing of the runtime, so infra
// links none.
package registry

import (
	"slices"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/routes"
)

// The functions that serve no route: the bus's consumers and the schedule's.
// Those that serve routes are named where the route table is
// (routes.Function…).
const (
	FunctionAudit   = "audit"
	FunctionSync    = "sync"
	FunctionCleanup = "cleanup"
)

// Environment variables: infra sets them from its constructs, each main reads
// them (internal/wiring) and fails at init when one is missing.
const (
	EnvTable    = "TABLE_NAME"
	EnvBus      = "EVENT_BUS_NAME"
	EnvOperator = "OPERATOR_TENANT"
	// EnvLogLevel is the functions' log level: DEBUG, INFO, WARN or ERROR.
	// The stack sets it and Lambda's application log level from one value.
	EnvLogLevel = "LOG_LEVEL"
	// The switch function's: KMS key ids or ARNs, the signing key first and
	// during a rollover the previous one after it; the tokens' iss and aud.
	EnvSigningKeys   = "SIGNING_KEY_IDS"
	EnvTokenIssuer   = "TOKEN_ISSUER"
	EnvTokenAudience = "TOKEN_AUDIENCE"
)

// TableAccess is what a function does to the table.
type TableAccess int

// Table access levels.
const (
	// TableRead: GetItem and Query (on the table and its indexes).
	TableRead TableAccess = iota + 1
	// TableAppend: conditional PutItem only — records that are written once
	// and never read, changed or removed by their writer (the audit log).
	TableAppend
	// TableReadWrite: reads, conditional PutItem and DeleteItem, and
	// TransactWriteItems, whose Put, Delete and ConditionCheck each need
	// their own action (a transaction has none of its own).
	TableReadWrite
)

// DynamoDB actions, as IAM names them.
const (
	ActionGetItem            = "dynamodb:GetItem"
	ActionQuery              = "dynamodb:Query"
	ActionPutItem            = "dynamodb:PutItem"
	ActionDeleteItem         = "dynamodb:DeleteItem"
	ActionUpdateItem         = "dynamodb:UpdateItem"
	ActionConditionCheckItem = "dynamodb:ConditionCheckItem"
	ActionBatchWriteItem     = "dynamodb:BatchWriteItem"
	ActionBatchGetItem       = "dynamodb:BatchGetItem"
)

// Function is one Lambda.
type Function struct {
	Name    string
	Package string // the main package, relative to the module root
	// Table access: readers get read grants only.
	Table TableAccess
	// Publishes: events:PutEvents on the bus (only functions that change state).
	Publishes bool
	// Signs: kms:Sign and kms:GetPublicKey on the switch key.
	Signs bool
	// ReadsTenantNames: switch targets read the names of a page's
	// customers in one BatchGetItem.
	ReadsTenantNames bool
	// Consumer names the events consumer it is (audit, sync), "" for none.
	Consumer string
	// Scheduled: the cleanup schedule invokes it.
	Scheduled bool
	// Idempotent: its POSTs honour Idempotency-Key (it changes state and may
	// keep answers). Not the switch: a replayed token would outlive a
	// revocation, and tokens are not to be stored.
	Idempotent bool
	MemoryMB   int
	Timeout    time.Duration
}

// Routes answers the HTTP routes the function serves.
func (f Function) Routes() []routes.Route {
	var out []routes.Route
	for _, r := range routes.All {
		if r.Function == f.Name {
			out = append(out, r)
		}
	}
	return out
}

// Env answers the environment variables f reads: the table, the bus, the
// operator tenant and the log level, and for the function that signs, its
// keys and the tokens' iss and aud.
func (f Function) Env() []string {
	env := []string{EnvTable, EnvBus, EnvOperator, EnvLogLevel}
	if f.Signs {
		env = append(env, EnvSigningKeys, EnvTokenIssuer, EnvTokenAudience)
	}
	return env
}

// TableActions answers the DynamoDB actions f calls, derived from what it
// does (internal/store/doc.go lists each request): its table access; a
// publisher's outbox removes sent events with BatchWriteItem (as removing a
// relationship's assignments does, which only publishers do); an
// Idempotency-Key is claimed with PutItem, replayed with GetItem and
// released with DeleteItem; a publisher dead-letters an event that can never
// be sent, and a grant's removal bumps its partition's epoch, with
// UpdateItem; switch targets read tenant names with BatchGetItem. The stack grants
// exactly these, sorted; nothing calls Scan (only the backfill command,
// with the operator's credentials) or reads a stream (the table has none).
func (f Function) TableActions() []string {
	var out []string
	add := func(actions ...string) {
		for _, a := range actions {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	switch f.Table {
	case TableRead:
		add(ActionGetItem, ActionQuery)
	case TableAppend:
		add(ActionPutItem)
	case TableReadWrite:
		add(ActionGetItem, ActionQuery, ActionPutItem, ActionDeleteItem, ActionConditionCheckItem)
	}
	if f.Publishes {
		// The outbox removes sent events in batches and dead-letters one
		// that can never be sent in place; the writers that publish also
		// count a grant's removal in its partition's epoch and keep the
		// counts that bound what a tenant creates (webhooks), with UpdateItem.
		add(ActionBatchWriteItem, ActionUpdateItem)
	}
	if f.Idempotent {
		add(ActionGetItem, ActionPutItem, ActionDeleteItem)
	}
	if f.ReadsTenantNames {
		add(ActionBatchGetItem)
	}
	slices.Sort(out)
	return out
}

// Memory and timeouts: HTTP functions answer within API Gateway's 30 s and
// mostly wait on DynamoDB, so 256 MB (about a sixth of a vCPU) is enough;
// check-access sits on every administrative request of every partner and gets
// 512 MB for the CPU, to keep its p99 down; switch signs through KMS;
// consumers make a few writes per event; cleanup sweeps up to 500 items of
// each kind and re-sends the outbox, so it gets time.
const (
	httpTimeout = 10 * time.Second
)

// Functions is the registry.
var Functions = []Function{
	{Name: routes.FunctionTenants, Package: "./functions/tenants", Table: TableReadWrite, Publishes: true, Idempotent: true, MemoryMB: 256, Timeout: httpTimeout},
	{Name: routes.FunctionInvite, Package: "./functions/invite", Table: TableReadWrite, Publishes: true, Idempotent: true, MemoryMB: 256, Timeout: httpTimeout},
	{Name: routes.FunctionAccept, Package: "./functions/accept", Table: TableReadWrite, Publishes: true, Idempotent: true, MemoryMB: 256, Timeout: httpTimeout},
	{Name: routes.FunctionAssignRole, Package: "./functions/assign-role", Table: TableReadWrite, Publishes: true, Idempotent: true, MemoryMB: 256, Timeout: httpTimeout},
	{Name: routes.FunctionOffboard, Package: "./functions/offboard", Table: TableReadWrite, Publishes: true, Idempotent: true, MemoryMB: 256, Timeout: 30 * time.Second},
	{Name: routes.FunctionCheckAccess, Package: "./functions/check-access", Table: TableRead, MemoryMB: 512, Timeout: httpTimeout},
	{Name: routes.FunctionQuery, Package: "./functions/query", Table: TableRead, MemoryMB: 256, Timeout: httpTimeout},
	{Name: routes.FunctionWebhooks, Package: "./functions/webhooks", Table: TableReadWrite, Publishes: true, Idempotent: true, MemoryMB: 256, Timeout: httpTimeout},
	{Name: routes.FunctionSwitch, Package: "./functions/switch", Table: TableReadWrite, Publishes: true, Signs: true, ReadsTenantNames: true, MemoryMB: 256, Timeout: httpTimeout},
	{Name: routes.FunctionOrganizations, Package: "./functions/organizations", Table: TableReadWrite, Publishes: true, Idempotent: true, MemoryMB: 256, Timeout: httpTimeout},
	{Name: FunctionAudit, Package: "./functions/audit", Table: TableAppend, Consumer: events.ConsumerAudit, MemoryMB: 256, Timeout: 30 * time.Second},
	{Name: FunctionSync, Package: "./functions/sync", Table: TableReadWrite, Publishes: true, Consumer: events.ConsumerSync, MemoryMB: 256, Timeout: 60 * time.Second},
	{Name: FunctionCleanup, Package: "./functions/cleanup", Table: TableReadWrite, Publishes: true, Scheduled: true, MemoryMB: 512, Timeout: 5 * time.Minute},
}

// ByName finds a function.
func ByName(name string) (Function, bool) {
	for _, f := range Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}
