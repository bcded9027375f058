package main

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/benchfig"
	"github.com/switchboard/switchboard/internal/meter"
)

const benchOutput = `goos: linux
goarch: amd64
pkg: github.com/switchboard/switchboard/internal/access
BenchmarkDecide/assignments=50/patterns=1-2         	16000000	        74.40 ns/op	       0 B/op	       0 allocs/op
BenchmarkDecide/assignments=500/patterns=100-2      	  1000000	      1210 ns/op	       0 B/op	       0 allocs/op
BenchmarkDecideBatch-2                              	   140000	      8600 ns/op	       0 B/op	       0 allocs/op
PASS
`

func inputs(t *testing.T) Inputs {
	t.Helper()
	b, err := parseBenchmarks([]byte(benchOutput))
	if err != nil {
		t.Fatal(err)
	}
	return Inputs{
		Benchmarks: b,
		Costs: []meter.Cost{
			{Operation: checkCosts, Requests: map[string]int{"Query": 1}, Usage: meter.Usage{ItemsRead: 21, ReadUnits: 1}},
			{Operation: acceptRoute, Requests: map[string]int{"GetItem": 3, "TransactWriteItems": 1}},
		},
		Starts: []benchfig.Start{{Function: "tenants", Bytes: 9_000_000, InitMedian: 2 * time.Millisecond}, {Function: "switch", Bytes: 9_500_000, InitMedian: 3 * time.Millisecond}},
		CheckLoad: benchfig.CheckLoad{Records: 14200, Load: 30 * time.Second,
			Loops: []benchfig.Loop{{Name: "closed, 8 clients", Checks: 100, ChecksPerSec: 1600, P50: time.Millisecond, P99: 5 * time.Millisecond}},
			Scale: []benchfig.Scale{{Assignments: 1000, Loop: benchfig.Loop{Checks: 10, P99: 4 * time.Millisecond}}, {Assignments: 100000, Loop: benchfig.Loop{Checks: 10, P99: 5 * time.Millisecond}}}},
	}
}

func row(t *testing.T, rows []Row, figure string) Row {
	t.Helper()
	for _, r := range rows {
		if strings.HasPrefix(r.Figure, figure) {
			return r
		}
	}
	t.Fatalf("no row %q in %+v", figure, rows)
	return Row{}
}

func TestSummaryJudgesTheTargets(t *testing.T) {
	rows := Summarize(inputs(t))
	for _, want := range []struct{ figure, measured, met string }{
		{"decision, 50 assignments", "74ns, 0 allocs", "yes"},
		{"batch of 100 decisions", "8.6µs", ""},
		{checkCosts, "1 request (Query 1), 21 items, 1.0 RCU", "yes"},
		{"accept an invitation", "1 transaction; 4 requests (GetItem 3, TransactWriteItems 1)", "yes"},
		{"largest bootstrap", "9.5 MB (switch)", "yes"},
		{"check-access on the local stack, closed, 8 clients", "1600 checks/s, p50 1ms, p99 5ms, 0 errors; store 0%", "yes"},
		{"load 14200 records through the service", "30.0 s (473 records/s)", "yes"},
		{"check-access at 100000 assignments", "p50 0s, p99 5ms, 0 checks/s, 0 errors (0 records loaded in 0 s); p99 1.25 × at 1000", "yes"},
	} {
		if r := row(t, rows, want.figure); r.Measured != want.measured || r.Met != want.met {
			t.Errorf("%s = %q met %q, want %q met %q", want.figure, r.Measured, r.Met, want.measured, want.met)
		}
	}

	in := inputs(t)
	in.Costs[0].Usage.ReadUnits = 2
	in.Starts[1].Bytes = 11_000_000
	in.CheckLoad.Loops[0].Errors = 1
	in.CheckLoad.Load = 41 * time.Second
	in.CheckLoad.Scale[1].Loop.P99 = 7 * time.Millisecond
	delete(in.Benchmarks, decide50)
	rows = Summarize(in)
	for _, figure := range []string{checkCosts, "largest bootstrap", "check-access on the local stack", "decision, 50 assignments", "load 14200 records", "check-access at 100000"} {
		if r := row(t, rows, figure); r.Met != "no" {
			t.Errorf("%s met = %q with a missed or missing figure (%q), want no", figure, r.Met, r.Measured)
		}
	}
}

func TestReplaceSection(t *testing.T) {
	doc := "# Performance\n\nintro\n" + beginMarker + "\nold table\n" + endMarker + "\n\n## Rest\n"
	got, err := ReplaceSection(doc, "new table\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# Performance\n\nintro\n" + beginMarker + "\nnew table\n" + endMarker + "\n\n## Rest\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := ReplaceSection("# no markers\n", "x"); err == nil {
		t.Error("a document without markers was accepted")
	}
	if _, err := ReplaceSection(endMarker+beginMarker, "x"); err == nil {
		t.Error("markers out of order were accepted")
	}
}
