// Command coldstart measures each function's init time: it builds every
// function's real bootstrap for this machine, starts it against a local
// implementation of the Lambda Runtime API, and times process start to the
// bootstrap's first GET /runtime/invocation/next — the moment it is ready
// for an event. It reports the median of -runs starts and the arm64 size.
//
//	go run ./cmd/coldstart -runs 20 [-json figures.json]
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/switchboard/switchboard/internal/benchfig"
	"github.com/switchboard/switchboard/internal/registry"
)

func main() {
	runs := flag.Int("runs", 20, "starts per function")
	out := flag.String("json", "", "also write the figures as JSON to this file")
	flag.Parse()
	if err := run(*runs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

// runtimeAPI answers the calls a bootstrap makes at start: it notes when
// /next is first asked for and holds the request (no event comes).
type runtimeAPI struct {
	ready chan time.Time
}

func (a *runtimeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/2018-06-01/runtime/invocation/next":
		select {
		case a.ready <- time.Now():
		default:
		}
		<-r.Context().Done()
	default: // /response, /error, /init/error: acknowledged
		w.WriteHeader(http.StatusAccepted)
	}
}

func run(runs int, out string) error {
	dir, err := os.MkdirTemp("", "coldstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	api := &runtimeAPI{ready: make(chan time.Time, 1)}
	go http.Serve(ln, api)
	env := append(os.Environ(),
		"AWS_LAMBDA_RUNTIME_API="+ln.Addr().String(), "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local", "AWS_SESSION_TOKEN=local",
		"TABLE_NAME=switchboard", "EVENT_BUS_NAME=switchboard", "OPERATOR_TENANT=platform", "LOG_LEVEL=INFO",
		"SIGNING_KEY_IDS=arn:aws:kms:us-east-1:111122223333:key/local", "TOKEN_ISSUER=https://switchboard", "TOKEN_AUDIENCE=downstream",
		"AWS_LAMBDA_FUNCTION_NAME=coldstart", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "function\tsize arm64\tinit median\tinit min\tinit max\t\n")
	var starts []benchfig.Start
	for _, fn := range registry.Functions {
		bin := filepath.Join(dir, fn.Name)
		build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin, fn.Package)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", fn.Name, err, out)
		}
		var inits []time.Duration
		for i := 0; i < runs; i++ {
			cmd := exec.Command(bin)
			cmd.Env = env
			start := time.Now()
			if err := cmd.Start(); err != nil {
				return err
			}
			select {
			case ready := <-api.ready:
				inits = append(inits, ready.Sub(start))
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				return fmt.Errorf("%s never asked for an event", fn.Name)
			}
			cmd.Process.Kill()
			cmd.Wait()
		}
		slices.Sort(inits)
		size := "-"
		start := benchfig.Start{Function: fn.Name, InitMedian: inits[len(inits)/2], InitMin: inits[0], InitMax: inits[len(inits)-1]}
		if st, err := os.Stat(filepath.Join("bin", fn.Name, "bootstrap")); err == nil {
			size = fmt.Sprintf("%.1f MB", float64(st.Size())/1e6)
			start.Bytes = st.Size()
		}
		starts = append(starts, start)
		fmt.Fprintf(w, "%s\t%s\t%v\t%v\t%v\t\n", fn.Name, size, inits[len(inits)/2].Round(100*time.Microsecond),
			inits[0].Round(100*time.Microsecond), inits[len(inits)-1].Round(100*time.Microsecond))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return benchfig.Write(out, starts)
}
