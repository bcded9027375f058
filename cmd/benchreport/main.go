// Command benchreport is `make bench`: it runs every measurement — the
// decision and token benchmarks, the requests and capacity each route costs,
// event delivery through the local bus, each function's cold start and size,
// check-access under load on the local stack — streams their output, then prints one summary table against the
// targets and writes it, with the machine it ran on, into
// docs/performance.md between the markers
//
//	<!-- make bench: summary -->
//	<!-- /make bench -->
//
// It exits 1 when a target is missed (the table is written all the same).
//
//	go run ./cmd/benchreport -doc docs/performance.md
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/switchboard/switchboard/internal/benchfig"
	"github.com/switchboard/switchboard/internal/localdb"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/meter"
)

func main() {
	doc := flag.String("doc", "", "write the summary into this Markdown file between its markers")
	runs := flag.Int("runs", 20, "cold starts per function")
	duration := flag.Duration("duration", 3*time.Second, "time per load loop")
	scale := flag.String("scale", "1000,10000", "assignment counts of the scaling row (check-access p50/p99 at each size); \"\" leaves it out")
	flag.Parse()
	missed, err := run(*doc, *runs, *duration, *scale)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(2)
	}
	if missed > 0 {
		fmt.Fprintf(os.Stderr, "benchreport: %d target(s) missed\n", missed)
		os.Exit(1)
	}
}

func run(doc string, runs int, duration time.Duration, scale string) (int, error) {
	dir, err := os.MkdirTemp("", "benchreport")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	costsFile, startsFile, loopsFile, scaleFile := filepath.Join(dir, "costs.jsonl"), filepath.Join(dir, "starts.json"), filepath.Join(dir, "loops.json"), filepath.Join(dir, "scale.json")
	// One DynamoDB Local for every step: the tests and the load each use
	// tables of their own in it.
	db, err := localdb.Start(context.Background(), localdb.Options{Progress: func(l string) { fmt.Println(l) }})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	os.Setenv(dbtest.EnvEndpoint, db.URL)

	var in Inputs
	out, err := step(nil, "go", "test", "-run", "^$", "-bench", ".", "-benchmem", "./internal/access/", "./internal/token/")
	if err != nil {
		return 0, err
	}
	bench := out
	if out, err = step(nil, "go", "test", "-run", "^$", "-bench", "SwitchOverHTTP", "-benchtime", "300x", "./internal/devstack/"); err != nil {
		return 0, err
	}
	if in.Benchmarks, err = parseBenchmarks(append(bench, out...)); err != nil {
		return 0, err
	}
	if _, err = step([]string{meter.CostsFileEnv + "=" + costsFile}, "go", "test", "-count=1",
		"-run", "^(TestWalkthrough|TestCheckAccessCosts)$", "./internal/devstack/", "./internal/tenancy/"); err != nil {
		return 0, err
	}
	if in.Costs, err = readCosts(costsFile); err != nil {
		return 0, err
	}
	if err = busLatency(); err != nil {
		return 0, err
	}
	if _, err = step(nil, "go", "run", "./cmd/coldstart", "-runs", fmt.Sprint(runs), "-json", startsFile); err != nil {
		return 0, err
	}
	if err = benchfig.Read(startsFile, &in.Starts); err != nil {
		return 0, err
	}
	if _, err = step(nil, "go", "run", "./cmd/checkload", "-dynamodb", db.URL, "-duration", duration.String(), "-json", loopsFile); err != nil {
		return 0, err
	}
	if err = benchfig.Read(loopsFile, &in.CheckLoad); err != nil {
		return 0, err
	}
	if scale != "" {
		var sc benchfig.CheckLoad
		if _, err = step(nil, "go", "run", "./cmd/checkload", "-dynamodb", db.URL, "-scale", scale, "-duration", duration.String(), "-json", scaleFile); err != nil {
			return 0, err
		}
		if err = benchfig.Read(scaleFile, &sc); err != nil {
			return 0, err
		}
		in.CheckLoad.Scale = sc.Scale
	}

	rows := Summarize(in)
	table := Table(rows)
	fmt.Printf("\n%s\n%s", machine(), table)
	if doc != "" {
		if err := writeSection(doc, fmt.Sprintf("Last `make bench`: %s, %s.\n\n%s", time.Now().UTC().Format("2006-01-02"), machine(), table)); err != nil {
			return 0, err
		}
		fmt.Printf("\nwritten to %s\n", doc)
	}
	missed := 0
	for _, r := range rows {
		if r.Met == "no" {
			missed++
		}
	}
	return missed, nil
}

// step runs one measuring command, streaming its output, and answers it.
func step(env []string, name string, args ...string) ([]byte, error) {
	fmt.Printf("\n$ %s %s\n", name, strings.Join(args, " "))
	var buf bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = io.MultiWriter(os.Stdout, &buf), os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return buf.Bytes(), nil
}

// busLatency prints how long events take from the outbox through the local
// bus to each consumer (the test's verbose log, its figures only).
func busLatency() error {
	args := []string{"test", "-count=1", "-run", "^TestBusDeliveryLatency$", "-v", "./internal/devstack/"}
	fmt.Printf("\n$ go %s\n", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		os.Stdout.Write(out)
		return fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "local bus →") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	return nil
}

func readCosts(path string) ([]meter.Cost, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("no request figures came back from the tests: %w", err)
	}
	var costs []meter.Cost
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var c meter.Cost
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, err
		}
		costs = append(costs, c)
	}
	return costs, nil
}

// machine describes where the figures were measured.
func machine() string {
	cpu := runtime.GOARCH
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%d × %s%s, %s %s/%s", runtime.NumCPU(), cpu, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

const (
	beginMarker = "<!-- make bench: summary -->"
	endMarker   = "<!-- /make bench -->"
)

func writeSection(path, section string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	doc, err := ReplaceSection(string(b), section)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}

// ReplaceSection puts section between the markers of doc.
func ReplaceSection(doc, section string) (string, error) {
	begin, end := strings.Index(doc, beginMarker), strings.Index(doc, endMarker)
	if begin < 0 || end < begin {
		return "", errors.New("the summary markers " + beginMarker + " … " + endMarker + " are missing or out of order")
	}
	return doc[:begin+len(beginMarker)] + "\n" + strings.TrimRight(section, "\n") + "\n" + doc[end:], nil
}
