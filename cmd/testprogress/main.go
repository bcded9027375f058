// Command testprogress reads `go test -json` and prints what `go test`
// prints — a line per package, the output of what failed — and, every
// -every while packages run, which are still running, how far they are and
// what they run now, so a long package never leaves the terminal silent.
// It exits 1 when a test, a package or a build failed.
//
//	go test -json ./... | go run ./cmd/testprogress
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

type event struct {
	Time        time.Time
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	ImportPath  string
	FailedBuild string
}

type pkgState struct {
	started time.Time
	passed  int
	running map[string]bool
	output  map[string][]string // per test ("" for the package)
}

func main() {
	every := flag.Duration("every", 30*time.Second, "how often to say what still runs")
	flag.Parse()
	os.Exit(run(os.Stdin, os.Stdout, *every))
}

func run(in io.Reader, out io.Writer, every time.Duration) int {
	var mu sync.Mutex
	pkgs := map[string]*pkgState{}
	failed := false
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				mu.Lock()
				var names []string
				for name := range pkgs {
					names = append(names, name)
				}
				sort.Strings(names)
				for _, name := range names {
					p := pkgs[name]
					var now []string
					for test := range p.running {
						now = append(now, test)
					}
					sort.Strings(now)
					fmt.Fprintf(out, "… %s: %ds, %d tests passed, running %s\n", name, int(time.Since(p.started).Seconds()), p.passed, strings.Join(now, ", "))
				}
				mu.Unlock()
			}
		}
	}()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(out, sc.Text()) // not an event: pass it on
			continue
		}
		mu.Lock()
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "build-fail":
			failed = true
		case "start":
			pkgs[e.Package] = &pkgState{started: time.Now(), running: map[string]bool{}, output: map[string][]string{}}
		case "run":
			if p := pkgs[e.Package]; p != nil && !strings.Contains(e.Test, "/") {
				p.running[e.Test] = true
			}
		case "output":
			if p := pkgs[e.Package]; p != nil {
				p.output[e.Test] = append(p.output[e.Test], e.Output)
			}
		case "pass", "fail", "skip":
			p := pkgs[e.Package]
			if p == nil {
				break
			}
			if e.Test != "" {
				delete(p.running, e.Test)
				if e.Action == "pass" && !strings.Contains(e.Test, "/") {
					p.passed++
				}
				if e.Action == "fail" {
					failed = true
					fmt.Fprint(out, strings.Join(p.output[e.Test], ""))
				}
				if e.Action != "fail" {
					delete(p.output, e.Test)
				}
				break
			}
			// The package ended: go test's own summary line is its last output.
			if e.Action == "fail" {
				failed = true
				fmt.Fprint(out, strings.Join(p.output[""], ""))
			} else if lines := p.output[""]; len(lines) > 0 {
				fmt.Fprint(out, lines[len(lines)-1])
			}
			delete(pkgs, e.Package)
		}
		mu.Unlock()
	}
	close(done)
	if failed {
		return 1
	}
	return 0
}
