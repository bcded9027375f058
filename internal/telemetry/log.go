// Package telemetry is how Switchboard's functions say what they did: one
// structured log line per request or consumer invocation (log/slog), with
// the Lambda request id and the fields an operator filters on, and metrics
// as CloudWatch Embedded Metric Format lines written through the same
// logger — no SDK call, nothing to flush. Metric names are data in
// internal/metric, for the stack's alarms.
package telemetry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Formats of the log lines.
const (
	FormatJSON = "json"
	FormatText = "text"
)

// ParseLevel reads a log level as LOG_LEVEL gives it: DEBUG, INFO, WARN or
// ERROR, in any case; empty is INFO.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "INFO":
		return slog.LevelInfo, nil
	case "DEBUG":
		return slog.LevelDebug, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	}
	return slog.LevelInfo, fmt.Errorf("log level %q is not DEBUG, INFO, WARN or ERROR", s)
}

// NewLogger writes lines at level and above to w: JSON objects (what Lambda
// ships to CloudWatch Logs and filters by their "level"; the time is under
// "timestamp", the key Lambda reads), or readable text for a terminal, where
// a metrics line shows its values without its EMF envelope.
func NewLogger(w io.Writer, format string, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == FormatText {
		opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == envelope {
				return slog.Attr{}
			}
			return a
		}
		return slog.New(slog.NewTextHandler(w, opts))
	}
	opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			a.Key = "timestamp"
		}
		return a
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// Discard is a logger that writes nothing.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// LambdaRequestID answers the Lambda request id of the invocation ctx
// belongs to, "" outside one.
func LambdaRequestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}

// Record gathers the fields of one invocation's log line from the parts
// that learn them (a consumer's deliveries, a request's decision), safe for
// concurrent use.
type Record struct {
	mu     sync.Mutex
	attrs  []slog.Attr
	counts map[string]int
	order  []string
}

type recordKey struct{}

// Begin starts the record of an invocation; Set and Add on the returned
// context (and those derived from it) fill it.
func Begin(ctx context.Context) (context.Context, *Record) {
	r := &Record{counts: map[string]int{}}
	return context.WithValue(ctx, recordKey{}, r), r
}

func recordOf(ctx context.Context) *Record {
	r, _ := ctx.Value(recordKey{}).(*Record)
	return r
}

// Set gives the invocation's line a field (again: the last value wins).
// Without a record it does nothing.
func Set(ctx context.Context, key string, value any) {
	r := recordOf(ctx)
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, a := range r.attrs {
		if a.Key == key {
			r.attrs[i].Value = slog.AnyValue(value)
			return
		}
	}
	r.attrs = append(r.attrs, slog.Any(key, value))
}

// Add counts n more under key in the invocation's line.
func Add(ctx context.Context, key string, n int) {
	r := recordOf(ctx)
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.counts[key]; !ok {
		r.order = append(r.order, key)
	}
	r.counts[key] += n
}

// Attrs answers the fields set and counted, in the order first given.
func (r *Record) Attrs() []slog.Attr {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]slog.Attr(nil), r.attrs...)
	for _, k := range r.order {
		out = append(out, slog.Int(k, r.counts[k]))
	}
	return out
}

// Count answers what was counted under key.
func (r *Record) Count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[key]
}

// Fields every invocation line has, by these names.
const (
	// LogEvent is the msg of a consumer's line for one event; its fields
	// name the consumer, the event (Switchboard's id, the bus's id, its
	// type) and the API request that caused it.
	LogEvent        = "event"
	FieldConsumer   = "consumer"
	FieldEventType  = "event_type"
	FieldEventID    = "event_id"
	FieldBusEventID = "bus_event_id"
	FieldAPIRequest = "api_request_id"

	FieldLambdaRequest = "lambda_request_id"
	FieldLatency       = "latency_ms"
	FieldError         = "error"
)

// Since is the latency field of an invocation that began at start, in
// milliseconds with microseconds' precision.
func Since(start time.Time) slog.Attr {
	return slog.Float64(FieldLatency, float64(time.Since(start).Microseconds())/1000)
}

// Finish writes an invocation's one line, msg: the Lambda request id, attrs,
// what rec gathered, the latency since start, and err — at ERROR when there
// is one (the invocation failed and will be retried), INFO otherwise.
func Finish(ctx context.Context, log *slog.Logger, msg string, start time.Time, err error, rec *Record, attrs ...slog.Attr) {
	all := make([]slog.Attr, 0, len(attrs)+6)
	if id := LambdaRequestID(ctx); id != "" {
		all = append(all, slog.String(FieldLambdaRequest, id))
	}
	all = append(all, attrs...)
	if rec != nil {
		all = append(all, rec.Attrs()...)
	}
	all = append(all, Since(start))
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelError
		all = append(all, slog.String(FieldError, err.Error()))
	}
	log.LogAttrs(ctx, level, msg, all...)
}
