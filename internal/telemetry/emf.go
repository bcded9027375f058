package telemetry

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/switchboard/switchboard/internal/metric"
)

// envelope is the EMF metadata member of a metrics line.
const envelope = "_aws"

// Dim is one dimension's value.
type Dim struct{ Name, Value string }

// Point is one metric's value.
type Point struct {
	Name  string
	Unit  string
	Value float64
}

// meta is EMF's metadata object, the _aws member. It is one value, not a
// slog group, so the text format can leave it out whole.
type meta struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

// directive is EMF's MetricDirective.
type directive struct {
	Namespace  string       `json:"Namespace"`
	Dimensions [][]string   `json:"Dimensions"`
	Metrics    []definition `json:"Metrics"`
}

// definition is EMF's MetricDefinition.
type definition struct {
	Name string `json:"Name"`
	Unit string `json:"Unit,omitempty"`
}

// Emit writes one Embedded Metric Format line through log, at INFO: the
// points as top-level numbers, the dimension values as top-level strings,
// and the _aws envelope that tells CloudWatch Logs to extract each point in
// metric.Namespace under the dimensions given (when there are any) and
// under none (the total). now stamps it; the line's own time is the log's.
func Emit(ctx context.Context, log *slog.Logger, now time.Time, dims []Dim, points ...Point) {
	if log == nil || len(points) == 0 || !log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	sets := [][]string{{}}
	if len(dims) > 0 {
		names := make([]string, len(dims))
		for i, d := range dims {
			names[i] = d.Name
		}
		sets = [][]string{names, {}}
	}
	defs := make([]definition, len(points))
	for i, p := range points {
		defs[i] = definition{Name: p.Name, Unit: p.Unit}
	}
	attrs := []any{slog.Any(envelope, meta{Timestamp: now.UnixMilli(),
		CloudWatchMetrics: []directive{{Namespace: metric.Namespace, Dimensions: sets, Metrics: defs}}})}
	for _, d := range dims {
		attrs = append(attrs, slog.String(d.Name, d.Value))
	}
	for _, p := range points {
		attrs = append(attrs, slog.Float64(p.Name, p.Value))
	}
	log.InfoContext(ctx, metric.Message, attrs...)
}

// Counts emits one line per distinct value of the dimension named dim, each
// counting how often that value occurs in values, in sorted order.
func Counts(ctx context.Context, log *slog.Logger, now time.Time, name, dim string, values []string) {
	n := map[string]int{}
	for _, v := range values {
		n[v]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		Emit(ctx, log, now, []Dim{{dim, k}}, Point{Name: name, Unit: metric.UnitCount, Value: float64(n[k])})
	}
}
