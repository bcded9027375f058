// Package localbus is the local stack's EventBridge custom bus. It serves
// PutEvents over the AWS JSON 1.1 protocol, so producers publish through the
// real SDK client; it builds the envelope EventBridge builds, matches it
// against the catalogue's event patterns with quamina, and delivers each match
// to its consumer asynchronously, retrying with exponential backoff and
// dead-lettering after the last attempt, as an EventBridge rule with a Lambda
// target does.
package localbus

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"quamina.net/go/quamina"

	"github.com/switchboard/switchboard/events"
)

// Consumer receives the events a rule routes to it, as a Lambda target does.
// An error or a panic fails the attempt; the bus tries again.
type Consumer func(ctx context.Context, ev lambdaevents.EventBridgeEvent) error

// Options configure a Bus. Only BusName is required.
type Options struct {
	// BusName is the custom bus's name. Entries naming another bus fail with
	// ResourceNotFoundException; entries naming none go to the default bus,
	// which no rule here watches.
	BusName string
	// Attempts is how often a matched event is offered to a consumer before
	// it is dead-lettered. Default 3, as Lambda's asynchronous invocation.
	Attempts int
	// Backoff is the delay before the first retry; it doubles each retry.
	// Default 20ms.
	Backoff time.Duration
	// Account and Region fill the envelope. Defaults "000000000000", "local".
	Account, Region string
	// Now stamps events whose entry has no Time, and dead letters. Default
	// time.Now.
	Now func() time.Time
	// NewID makes event and request ids. Default random UUIDs.
	NewID func() string
	// Log receives failed attempts (Debug) and dead letters (Warn). Nil
	// discards.
	Log *slog.Logger
}

// DeadLetter is a delivery that failed every attempt.
type DeadLetter struct {
	Rule      string                        `json:"rule"`
	Consumer  string                        `json:"consumer"`
	Event     lambdaevents.EventBridgeEvent `json:"event"`
	Attempts  int                           `json:"attempts"`
	LastError string                        `json:"lastError"`
	FailedAt  time.Time                     `json:"failedAt"`
}

// Delivery is an event a consumer accepted.
type Delivery struct {
	EventID, Rule, Consumer string
	// Latency runs from PutEvents accepting the entry to the consumer
	// returning nil, retries included.
	Latency  time.Duration
	Attempts int
}

// Bus is an in-process EventBridge custom bus. It is an http.Handler; Start
// also serves it on a loopback port.
type Bus struct {
	opt    Options
	log    *slog.Logger
	routes []route

	matchMu sync.Mutex // quamina instances are not safe for concurrent use
	matcher *quamina.Quamina

	ctx    context.Context // cancelled by Close: consumers are told, retries give up
	cancel context.CancelFunc

	mu         sync.Mutex
	refuse     int
	failEntry  func(detailType string, index int) bool
	dead       []DeadLetter
	deliveries []Delivery
	pending    int
	idle       chan struct{} // closed while nothing is pending

	url string
	srv *http.Server
}

type route struct {
	rule    events.Rule
	consume Consumer
}

// New makes a bus routing by rules to consumers, keyed by Rule.Consumer. It
// fails if a rule names a missing consumer or its pattern does not compile.
func New(rules []events.Rule, consumers map[string]Consumer, opt Options) (*Bus, error) {
	if opt.BusName == "" {
		return nil, errors.New("local bus: BusName is required")
	}
	if opt.Attempts <= 0 {
		opt.Attempts = 3
	}
	if opt.Backoff <= 0 {
		opt.Backoff = 20 * time.Millisecond
	}
	if opt.Account == "" {
		opt.Account = "000000000000"
	}
	if opt.Region == "" {
		opt.Region = "local"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.NewID == nil {
		opt.NewID = newUUID
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	matcher, err := quamina.New()
	if err != nil {
		return nil, fmt.Errorf("local bus: %w", err)
	}
	b := &Bus{opt: opt, log: log, matcher: matcher, idle: make(chan struct{})}
	close(b.idle)
	names := map[string]bool{}
	for i, r := range rules {
		if names[r.Name] {
			return nil, fmt.Errorf("local bus: rule %q defined twice", r.Name)
		}
		names[r.Name] = true
		consume := consumers[r.Consumer]
		if consume == nil {
			return nil, fmt.Errorf("local bus: rule %q: no consumer %q", r.Name, r.Consumer)
		}
		if err := matcher.AddPattern(i, r.Pattern); err != nil {
			return nil, fmt.Errorf("local bus: rule %q: pattern: %w", r.Name, err)
		}
		b.routes = append(b.routes, route{rule: r, consume: consume})
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b, nil
}

// Start makes a bus as New does and serves it on a free loopback port.
func Start(rules []events.Rule, consumers map[string]Consumer, opt Options) (*Bus, error) {
	b, err := New(rules, consumers, opt)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for local bus: %w", err)
	}
	b.url = "http://" + ln.Addr().String()
	b.srv = &http.Server{Handler: b, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

// URL is where a bus made by Start listens; empty for one made by New.
func (b *Bus) URL() string { return b.url }

// Client builds an SDK client for a bus made by Start, with static local
// credentials; opts are applied after, e.g. a faster retryer.
func (b *Bus) Client(opts ...func(*eventbridge.Options)) *eventbridge.Client {
	if b.url == "" {
		panic("local bus: Client needs a bus made by Start")
	}
	cfg := aws.Config{
		Region:      b.opt.Region,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	}
	all := append([]func(*eventbridge.Options){func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(b.url) }}, opts...)
	return eventbridge.NewFromConfig(cfg, all...)
}

// Close stops serving and cancels the consumers' context. Retries not yet
// made are dead-lettered; Wait returns once running deliveries end.
func (b *Bus) Close() error {
	b.cancel()
	if b.srv == nil {
		return nil
	}
	return b.srv.Close()
}

// Wait returns when no delivery is in flight, retries included, or when ctx
// ends.
func (b *Bus) Wait(ctx context.Context) error {
	b.mu.Lock()
	idle := b.idle
	b.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// DeadLetters are the deliveries that failed every attempt, oldest first.
func (b *Bus) DeadLetters() []DeadLetter {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.dead)
}

// ClearDeadLetters forgets the dead letters (a reset of the local stack).
func (b *Bus) ClearDeadLetters() {
	b.mu.Lock()
	b.dead = nil
	b.mu.Unlock()
}

// Deliveries are the events consumers accepted, in the order they did.
func (b *Bus) Deliveries() []Delivery {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.deliveries)
}

// RefuseCalls makes the next n PutEvents calls fail whole with a 500
// InternalException, which the SDK retries itself.
func (b *Bus) RefuseCalls(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refuse = n
}

// FailEntries makes the entries for which fail answers true come back with
// ErrorCode InternalFailure, undelivered; index is the entry's position in its
// call. Nil stops.
func (b *Bus) FailEntries(fail func(detailType string, index int) bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failEntry = fail
}

// newUUID returns a random version 4 UUID, the form of EventBridge's ids.
func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}
