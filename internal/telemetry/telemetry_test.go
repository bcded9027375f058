package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/switchboard/switchboard/internal/metric"
	"github.com/switchboard/switchboard/internal/telemetry"
)

// TestEmitWritesEMF: what Emit writes parses as EMF, and defines each point
// under the dimensions given and under none.
func TestEmitWritesEMF(t *testing.T) {
	var buf bytes.Buffer
	log := telemetry.NewLogger(&buf, telemetry.FormatJSON, slog.LevelInfo)
	now := time.UnixMilli(1_790_000_000_123)
	telemetry.Emit(context.Background(), log, now, []telemetry.Dim{{Name: metric.DimReason, Value: "out-of-scope"}},
		telemetry.Point{Name: metric.Switches, Unit: metric.UnitCount, Value: 1}, telemetry.Point{Name: metric.Activations, Unit: metric.UnitCount, Value: 2})
	telemetry.Emit(context.Background(), log, now, nil, telemetry.Point{Name: metric.OutboxOldestAge, Unit: metric.UnitSeconds, Value: 42.5})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", buf.String())
	}
	got, err := telemetry.ParseEMF([]byte(lines[0]))
	if err != nil {
		t.Fatalf("%v\n%s", err, lines[0])
	}
	reason := map[string]string{metric.DimReason: "out-of-scope"}
	want := []telemetry.Datum{
		{metric.Namespace, metric.Switches, "Count", reason, 1}, {metric.Namespace, metric.Switches, "Count", map[string]string{}, 1},
		{metric.Namespace, metric.Activations, "Count", reason, 2}, {metric.Namespace, metric.Activations, "Count", map[string]string{}, 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	var doc map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &doc)
	if ts := doc["_aws"].(map[string]any)["Timestamp"]; ts != float64(now.UnixMilli()) {
		t.Errorf("Timestamp %v, want %d", ts, now.UnixMilli())
	}
	if doc["level"] != "INFO" || doc["msg"] != metric.Message || doc["timestamp"] == nil {
		t.Errorf("the line is not a log line Lambda reads (level, msg, timestamp): %s", lines[0])
	}
	got, err = telemetry.ParseEMF([]byte(lines[1]))
	if err != nil || len(got) != 1 || got[0].Value != 42.5 || got[0].Unit != "Seconds" || len(got[0].Dimensions) != 0 {
		t.Errorf("dimensionless line: %+v, %v\n%s", got, err, lines[1])
	}
}

// TestParseEMFRefuses: the checks ParseEMF makes are the specification's,
// so a test passing it means something.
func TestParseEMFRefuses(t *testing.T) {
	ok := `{"_aws":{"Timestamp":1790000000123,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["R"]],"Metrics":[{"Name":"M","Unit":"Count"}]}]},"R":"x","M":1}`
	if _, err := telemetry.ParseEMF([]byte(ok)); err != nil {
		t.Fatalf("a valid document refused: %v", err)
	}
	for name, doc := range map[string]string{
		"not JSON":                 `_aws`,
		"no envelope":              `{"M":1}`,
		"timestamp as a string":    strings.Replace(ok, `1790000000123`, `"2026-01-01T00:00:00Z"`, 1),
		"no directives":            `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]}}`,
		"empty namespace":          strings.Replace(ok, `"Namespace":"N"`, `"Namespace":""`, 1),
		"dimension not in root":    strings.Replace(ok, `"R":"x",`, ``, 1),
		"dimension not a string":   strings.Replace(ok, `"R":"x"`, `"R":3`, 1),
		"metric not in root":       strings.Replace(ok, `,"M":1`, ``, 1),
		"metric not a number":      strings.Replace(ok, `"M":1`, `"M":"1"`, 1),
		"unknown unit":             strings.Replace(ok, `"Unit":"Count"`, `"Unit":"Requests"`, 1),
		"no metrics":               strings.Replace(ok, `[{"Name":"M","Unit":"Count"}]`, `[]`, 1),
		"extra directive member":   strings.Replace(ok, `"Namespace":"N"`, `"Namespace":"N","Extra":1`, 1),
		"extra definition member":  strings.Replace(ok, `"Unit":"Count"`, `"Unit":"Count","Extra":1`, 1),
		"dimensions not an array":  strings.Replace(ok, `[["R"]]`, `"R"`, 1),
		"over 30 dimension keys":   strings.Replace(ok, `[["R"]]`, `[["R"`+strings.Repeat(`,"R"`, 30)+`]]`, 1),
		"extra envelope member":    strings.Replace(ok, `"Timestamp"`, `"Other":1,"Timestamp"`, 1),
		"fractional milliseconds":  strings.Replace(ok, `1790000000123`, `1790000000.5`, 1),
		"missing dimensions array": strings.Replace(ok, `"Dimensions":[["R"]],`, ``, 1),
	} {
		if _, err := telemetry.ParseEMF([]byte(doc)); err == nil {
			t.Errorf("%s: accepted %s", name, doc)
		}
	}
}

// TestTextFormat: on a terminal a metrics line shows its values, not its
// envelope; JSON keeps the time under "timestamp".
func TestTextFormat(t *testing.T) {
	var buf bytes.Buffer
	log := telemetry.NewLogger(&buf, telemetry.FormatText, slog.LevelInfo)
	telemetry.Emit(context.Background(), log, time.Now(), []telemetry.Dim{{Name: metric.DimOutcome, Value: "delivered"}},
		telemetry.Point{Name: metric.WebhookDeliveries, Unit: metric.UnitCount, Value: 3})
	line := buf.String()
	if strings.Contains(line, "_aws") || !strings.Contains(line, "Outcome=delivered") || !strings.Contains(line, "WebhookDeliveries=3") {
		t.Errorf("text line %q", line)
	}
}

// TestLevels: LOG_LEVEL's values, and what a level keeps out.
func TestLevels(t *testing.T) {
	for in, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "INFO": slog.LevelInfo, "Warn": slog.LevelWarn, "ERROR": slog.LevelError} {
		if got, err := telemetry.ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := telemetry.ParseLevel("verbose"); err == nil {
		t.Error(`ParseLevel("verbose") accepted`)
	}
	var buf bytes.Buffer
	log := telemetry.NewLogger(&buf, telemetry.FormatJSON, slog.LevelWarn)
	log.Info("quiet")
	telemetry.Emit(context.Background(), log, time.Now(), nil, telemetry.Point{Name: "M", Unit: "Count", Value: 1})
	if buf.Len() != 0 {
		t.Errorf("WARN wrote %q", buf.String())
	}
}

// TestRecord: fields and counts set through the context reach the line, in
// the order first given; without a record nothing happens.
func TestRecord(t *testing.T) {
	telemetry.Set(context.Background(), "ignored", 1) // no record: no panic
	ctx, rec := telemetry.Begin(context.Background())
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	telemetry.Set(ctx, "a", "x")
	telemetry.Add(ctx, "n", 2)
	telemetry.Set(ctx, "a", "y")
	telemetry.Add(ctx, "n", 3)
	got := rec.Attrs()
	if len(got) != 2 || got[0].String() != "a=y" || got[1].String() != "n=5" || rec.Count("n") != 5 {
		t.Errorf("attrs %v", got)
	}
	if id := telemetry.LambdaRequestID(ctx); id != "req-1" {
		t.Errorf("request id %q", id)
	}
}
