package main

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/tools/benchmark/parse"

	"github.com/switchboard/switchboard/internal/benchfig"
	"github.com/switchboard/switchboard/internal/meter"
)

// Inputs are the figures the measuring steps hand back.
type Inputs struct {
	Benchmarks map[string]*parse.Benchmark // by name without the -GOMAXPROCS suffix
	Costs      []meter.Cost
	Starts     []benchfig.Start
	CheckLoad  benchfig.CheckLoad
}

// Row is one line of the summary: a figure, what was measured, the target
// and whether it was met ("yes", "no", or "" without a target).
type Row struct {
	Figure, Measured, Target, Met string
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

func parseBenchmarks(out []byte) (map[string]*parse.Benchmark, error) {
	set, err := parse.ParseSet(bytes.NewReader(out))
	if err != nil {
		return nil, err
	}
	byName := map[string]*parse.Benchmark{}
	for name, runs := range set {
		byName[procsSuffix.ReplaceAllString(name, "")] = runs[len(runs)-1]
	}
	return byName, nil
}

// The benchmarks and tests the summary reads; a missing one is reported as
// missing, never as met.
const (
	decide50    = "BenchmarkDecide/assignments=50/patterns=1"
	decide500   = "BenchmarkDecide/assignments=500/patterns=100"
	decideBatch = "BenchmarkDecideBatch"
	mint        = "BenchmarkMintLocal"
	switchHTTP  = "BenchmarkSwitchOverHTTP"
	checkCosts  = "check-access, partner with 20 assignments"
	acceptRoute = "POST /invitations/{id}/accept"
)

// Summarize turns the inputs into the summary rows, judging each target.
func Summarize(in Inputs) []Row {
	var rows []Row
	met := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "no"
	}
	missing := func(figure, target string) Row { return Row{figure, "not measured", target, "no"} }

	if b := in.Benchmarks[decide50]; b != nil {
		rows = append(rows, Row{"decision, 50 assignments", fmt.Sprintf("%s, %d allocs", ns(b.NsPerOp), b.AllocsPerOp),
			"< 2 µs, ≤ 2 allocs", met(b.NsPerOp < 2000 && b.AllocsPerOp <= 2)})
	} else {
		rows = append(rows, missing("decision, 50 assignments", "< 2 µs, ≤ 2 allocs"))
	}
	if b := in.Benchmarks[decide500]; b != nil {
		rows = append(rows, Row{"decision, 500 assignments × 100 patterns", fmt.Sprintf("%s, %d allocs", ns(b.NsPerOp), b.AllocsPerOp), "", ""})
	}
	if b := in.Benchmarks[decideBatch]; b != nil {
		rows = append(rows, Row{"batch of 100 decisions", ns(b.NsPerOp), "", ""})
	}

	costs := map[string]meter.Cost{}
	for _, c := range in.Costs {
		if _, seen := costs[c.Operation]; !seen {
			costs[c.Operation] = c
		}
	}
	if c, ok := costs[checkCosts]; ok {
		n := total(c.Requests)
		rows = append(rows, Row{checkCosts, fmt.Sprintf("%d request (%s), %d items, %.1f RCU", n, ops(c.Requests), c.Usage.ItemsRead, c.Usage.ReadUnits),
			"1 request, ≤ 1 RCU", met(n == 1 && c.Usage.ReadUnits <= 1)})
	} else {
		rows = append(rows, missing(checkCosts, "1 request, ≤ 1 RCU"))
	}
	if c, ok := costs[acceptRoute]; ok {
		tx := c.Requests["TransactWriteItems"]
		rows = append(rows, Row{"accept an invitation", fmt.Sprintf("%d transaction; %d requests (%s)", tx, total(c.Requests), ops(c.Requests)),
			"≤ 1 transaction", met(tx <= 1)})
	} else {
		rows = append(rows, missing("accept an invitation", "≤ 1 transaction"))
	}
	if b := in.Benchmarks[mint]; b != nil {
		rows = append(rows, Row{"mint a switch token (local key)", ns(b.NsPerOp), "", ""})
	}
	if b := in.Benchmarks[switchHTTP]; b != nil {
		rows = append(rows, Row{"POST /switch over HTTP, local stack", ns(b.NsPerOp), "", ""})
	}

	if len(in.Starts) > 0 {
		largest, slowest := in.Starts[0], in.Starts[0]
		for _, s := range in.Starts {
			if s.Bytes > largest.Bytes {
				largest = s
			}
			if s.InitMedian > slowest.InitMedian {
				slowest = s
			}
		}
		rows = append(rows,
			Row{"largest bootstrap (arm64, stripped)", fmt.Sprintf("%.1f MB (%s)", float64(largest.Bytes)/1e6, largest.Function), "< 10 MB", met(largest.Bytes > 0 && largest.Bytes < 10e6)},
			Row{"slowest init, median of starts", fmt.Sprintf("%v (%s)", slowest.InitMedian.Round(100*time.Microsecond), slowest.Function), "", ""})
	} else {
		rows = append(rows, missing("largest bootstrap (arm64, stripped)", "< 10 MB"))
	}

	cl := in.CheckLoad
	if cl.Records > 0 {
		target, ok := "", ""
		if cl.Records >= 14000 { // the dataset: 200 tenants, 2,000 relationships, 10,000 assignments
			target, ok = "≤ 40 s", met(cl.Load <= 40*time.Second)
		}
		rows = append(rows, Row{fmt.Sprintf("load %d records through the service", cl.Records),
			fmt.Sprintf("%.1f s (%.0f records/s)", cl.Load.Seconds(), float64(cl.Records)/cl.Load.Seconds()), target, ok})
	}
	for _, l := range cl.Loops {
		r := Row{"check-access on the local stack, " + l.Name,
			fmt.Sprintf("%.0f checks/s, p50 %v, p99 %v, %d errors; store %.0f%%", l.ChecksPerSec, l.P50, l.P99, l.Errors, 100*l.Store),
			"0 errors", met(l.Errors == 0 && l.Checks > 0)}
		if l.Name == "closed, 8 clients" && cl.Records >= 14000 {
			r.Target, r.Met = "≥ 1,500 checks/s, p99 ≤ 15 ms, 0 errors", met(l.Errors == 0 && l.Checks > 0 && l.ChecksPerSec >= 1500 && l.P99 <= 15*time.Millisecond)
		}
		rows = append(rows, r)
	}
	for i, sc := range cl.Scale {
		r := Row{fmt.Sprintf("check-access at %d assignments, 8 clients", sc.Assignments),
			fmt.Sprintf("p50 %v, p99 %v, %.0f checks/s, %d errors (%d records loaded in %.0f s)", sc.Loop.P50, sc.Loop.P99, sc.Loop.ChecksPerSec, sc.Loop.Errors, sc.Records, sc.Load.Seconds()),
			"0 errors", met(sc.Loop.Errors == 0 && sc.Loop.Checks > 0)}
		if first := cl.Scale[0]; i > 0 && i == len(cl.Scale)-1 && first.Loop.P99 > 0 {
			ratio := float64(sc.Loop.P99) / float64(first.Loop.P99)
			r.Measured += fmt.Sprintf("; p99 %.2f × at %d", ratio, first.Assignments)
			r.Target, r.Met = fmt.Sprintf("p99 ≤ 1.5 × p99 at %d", first.Assignments), met(sc.Loop.Errors == 0 && ratio <= 1.5)
		}
		rows = append(rows, r)
	}
	return rows
}

// Table renders the rows as Markdown.
func Table(rows []Row) string {
	var b strings.Builder
	b.WriteString("| figure | measured | target | met |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.Figure, r.Measured, r.Target, r.Met)
	}
	return b.String()
}

func ns(v float64) string {
	return time.Duration(v).Round(time.Duration(precision(v))).String()
}

// precision keeps three significant figures or so.
func precision(v float64) float64 {
	switch {
	case v < 1e3:
		return 1
	case v < 1e6:
		return 10
	default:
		return 1e4
	}
}

func total(c map[string]int) int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

func ops(c map[string]int) string {
	names := make([]string, 0, len(c))
	for op, n := range c {
		names = append(names, fmt.Sprintf("%s %d", op, n))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
