// Command loadgen drives mixed traffic at a local stack over loopback HTTP —
// check-access mostly, and invitations, assignments, switches, reads — for a
// fixed time from a fixed number of clients, then reports throughput, latency
// percentiles and errors, and checks the table's invariants.
//
//	go run ./cmd/loadgen -duration 60s -clients 8
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/switchboard/switchboard/internal/devstack"
	"github.com/switchboard/switchboard/internal/ops/invariants"
)

func main() {
	duration := flag.Duration("duration", 60*time.Second, "how long to send traffic")
	clients := flag.Int("clients", 8, "concurrent clients (closed loop)")
	flag.Parse()
	if err := run(*duration, *clients); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type sample struct {
	op      string
	latency time.Duration
	err     string
}

func run(duration time.Duration, clients int) error {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	stack, err := devstack.Start(ctx, devstack.Config{BaseURL: base, Seed: true})
	if err != nil {
		return err
	}
	defer stack.Close()
	srv := &http.Server{Handler: stack, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	d := stack.Demo
	tok := func(sub, tid string) string {
		t, err := stack.Issuer.Issue(devstack.TokenRequest{Sub: sub, Tid: tid})
		if err != nil {
			panic(err)
		}
		return t
	}
	tom, nina, carl := tok(d.Technician, d.MSP), tok(d.MSPAdmin, d.MSP), tok(d.CustomerAdmin, d.Customer)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}, Timeout: 10 * time.Second}
	call := func(method, path, token, body string, want int) (string, error) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			return "", fmt.Errorf("%s %s = %d %s", method, path, res.StatusCode, b)
		}
		return string(b), nil
	}
	id := func(body string) string {
		var v struct{ ID string }
		_ = json.Unmarshal([]byte(body), &v)
		return v.ID
	}
	type op struct {
		name   string
		weight int
		do     func(r *rand.Rand) error
	}
	ops := []op{
		{"check-access", 70, func(r *rand.Rand) error {
			perm := []string{"tickets.update", "rooms.view", "rooms.create", "data.export"}[r.IntN(4)]
			_, err := call("POST", "/check-access", tom, `{"tenantId":"contoso","permission":"`+perm+`","resource":"/sites/eu/r1"}`, 200)
			return err
		}},
		{"list-relationships", 8, func(*rand.Rand) error {
			_, err := call("GET", "/relationships?side=partner", nina, "", 200)
			return err
		}},
		{"invite+cancel", 5, func(*rand.Rand) error {
			b, err := call("POST", "/invitations", nina, `{"to":{"tenantId":"contoso"},"roles":["helpdesk-admin"]}`, 201)
			if err != nil {
				return err
			}
			_, err = call("DELETE", "/invitations/"+id(b), nina, "", 204)
			return err
		}},
		{"assign+remove", 7, func(r *rand.Rand) error {
			b, err := call("POST", "/relationships/"+d.RelationshipID+"/assignments", nina, fmt.Sprintf(`{"principal":"user:load-%d","roles":["site-lead"]}`, r.IntN(1000)), 201)
			if err != nil {
				return err
			}
			_, err = call("DELETE", "/relationships/"+d.RelationshipID+"/assignments/"+id(b), carl, "", 204)
			return err
		}},
		{"switch", 5, func(*rand.Rand) error {
			_, err := call("POST", "/switch", tom, `{"tenantId":"contoso"}`, 200)
			return err
		}},
		{"audit", 5, func(*rand.Rand) error {
			_, err := call("GET", "/tenants/contoso/audit?limit=20", carl, "", 200)
			return err
		}},
	}
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	var mu sync.Mutex
	var samples []sample
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 7))
			var local []sample
			for time.Now().Before(deadline) {
				n := r.IntN(total)
				o := ops[0]
				for _, cand := range ops {
					if n < cand.weight {
						o = cand
						break
					}
					n -= cand.weight
				}
				start := time.Now()
				err := o.do(r)
				s := sample{op: o.name, latency: time.Since(start)}
				if err != nil {
					s.err = err.Error()
				}
				local = append(local, s)
			}
			mu.Lock()
			samples = append(samples, local...)
			mu.Unlock()
		}(uint64(c + 1))
	}
	wg.Wait()
	if err := stack.Bus.Wait(ctx); err != nil {
		return err
	}
	report(samples, duration, clients)
	cons, err := invariants.Check(ctx, stack.DynamoDB, stack.Table)
	if err != nil {
		return err
	}
	fmt.Printf("\ntable after the run: %d items, %d relationships, %d assignments, %d invitations, %d events undelivered, %d violations\n",
		cons.Items, cons.Relationships, cons.Assignments, cons.Invitations, cons.Pending, len(cons.Violations))
	for _, v := range cons.Violations {
		fmt.Println("  violation:", v)
	}
	if len(cons.Violations) > 0 || cons.Pending > 0 {
		return fmt.Errorf("the table is inconsistent after the run")
	}
	return nil
}

func report(samples []sample, duration time.Duration, clients int) {
	byOp := map[string][]time.Duration{}
	errs := map[string]int{}
	var all []time.Duration
	var firstErr string
	for _, s := range samples {
		byOp[s.op] = append(byOp[s.op], s.latency)
		all = append(all, s.latency)
		if s.err != "" {
			errs[s.op]++
			if firstErr == "" {
				firstErr = s.err
			}
		}
	}
	pct := func(l []time.Duration, p float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		slices.Sort(l)
		return l[min(len(l)-1, int(float64(len(l))*p))]
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "operation\trequests\terrors\tp50\tp99\tp99.9\t\n")
	names := make([]string, 0, len(byOp))
	for n := range byOp {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		l := byOp[n]
		fmt.Fprintf(w, "%s\t%d\t%d\t%v\t%v\t%v\t\n", n, len(l), errs[n], pct(l, .5).Round(10*time.Microsecond), pct(l, .99).Round(10*time.Microsecond), pct(l, .999).Round(10*time.Microsecond))
	}
	total := 0
	for _, n := range errs {
		total += n
	}
	fmt.Fprintf(w, "all\t%d\t%d\t%v\t%v\t%v\t\n", len(all), total, pct(all, .5).Round(10*time.Microsecond), pct(all, .99).Round(10*time.Microsecond), pct(all, .999).Round(10*time.Microsecond))
	w.Flush()
	fmt.Printf("%d clients for %v: %.0f operations/s\n", clients, duration, float64(len(all))/duration.Seconds())
	if firstErr != "" {
		fmt.Println("first error:", firstErr)
	}
}
