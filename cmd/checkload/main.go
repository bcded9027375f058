// Command checkload measures check-access end to end on the local stack over
// loopback HTTP, on a dataset it generates (or reads) as JSONL: it loads the
// dataset through the service with parallel workers, verifies every check
// against the decision the dataset expects before timing counts, then runs
// closed loops (1, 8, 32 clients) and open loops at fixed rates, and splits
// the time between HTTP, the store and the decision. About half the checks
// are drawn from a grant path (a permission the principal's role holds, on a
// resource inside its scope), so about half are allowed.
//
//	go run ./cmd/checkload                                  # 200 tenants, 2,000 relationships, 10,000 assignments
//	go run ./cmd/checkload -scale 1000,10000,100000         # p50/p99 at each size, 8 clients
//
// DynamoDB is a DynamoDB Local the command starts (cached as for `make run`),
// or -dynamodb URL.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/sync/errgroup"

	"github.com/switchboard/switchboard/internal/benchfig"
	"github.com/switchboard/switchboard/internal/devstack"
	"github.com/switchboard/switchboard/internal/localdb"
	"github.com/switchboard/switchboard/internal/meter"
	"github.com/switchboard/switchboard/internal/tenancy"
)

func main() {
	var sz Sizes
	flag.IntVar(&sz.Tenants, "tenants", 200, "tenants to generate (a tenth are MSPs)")
	flag.IntVar(&sz.Relationships, "relationships", 2000, "relationships to generate")
	flag.IntVar(&sz.Assignments, "assignments", 10000, "assignments to generate")
	flag.IntVar(&sz.Checks, "checks", 2000, "checks (with expected decisions) to generate")
	dataset := flag.String("dataset", "", "read this JSONL dataset instead of generating; with -write, write the generated one there")
	write := flag.Bool("write", false, "write the generated dataset to -dataset and exit")
	clients := flag.String("clients", "1,8,32", "closed-loop client counts")
	rates := flag.String("rates", "100,400", "open-loop rates (checks/s)")
	duration := flag.Duration("duration", 5*time.Second, "time per loop")
	warmup := flag.Duration("warmup", 15*time.Second, "8 clients for this long before the loops, not counted: DynamoDB Local runs on the JVM, whose JIT needs some ten thousand requests to reach its pace (DynamoDB itself needs none)")
	workers := flag.Int("workers", 16, "parallel requests while loading")
	scale := flag.String("scale", "", "instead of the loops: for each assignment count (e.g. 1000,10000,100000) load a dataset of that size and measure 8 clients")
	endpoint := flag.String("dynamodb", "", "DynamoDB endpoint (default: start DynamoDB Local)")
	out := flag.String("json", "", "also write the figures as JSON to this file")
	flag.Parse()
	cfg := runConfig{sizes: sz, dataset: *dataset, write: *write, clients: ints(*clients), rates: ints(*rates), duration: *duration,
		workers: *workers, scale: ints(*scale), endpoint: *endpoint, out: *out, warmup: *warmup}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "checkload:", err)
		os.Exit(1)
	}
}

type runConfig struct {
	sizes          Sizes
	dataset        string
	write          bool
	clients, rates []int
	duration       time.Duration
	warmup         time.Duration
	workers        int
	scale          []int
	endpoint, out  string
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

type check struct {
	token, body string
	allowed     bool
}

func run(cfg runConfig) error {
	if cfg.write {
		recs, err := Generate(cfg.sizes, 1)
		if err != nil {
			return err
		}
		return WriteJSONL(cfg.dataset, recs)
	}
	ctx := context.Background()
	if cfg.endpoint == "" {
		db, err := localdb.Start(ctx, localdb.Options{Progress: func(l string) { fmt.Fprintln(os.Stderr, l) }})
		if err != nil {
			return err
		}
		defer db.Close()
		cfg.endpoint = db.URL
	}
	var result benchfig.CheckLoad
	if len(cfg.scale) > 0 {
		for _, n := range cfg.scale {
			sz := Sizes{Tenants: max(20, n/50), Relationships: max(10, n/5), Assignments: n, Checks: cfg.sizes.Checks}
			recs, err := Generate(sz, 1)
			if err != nil {
				return err
			}
			fmt.Printf("\n== %d assignments ==\n", n)
			lp, err := measure(ctx, cfg, fmt.Sprintf("scale-%d", n), recs, []int{8}, nil, &result)
			if err != nil {
				return err
			}
			result.Scale = append(result.Scale, benchfig.Scale{Assignments: n, Records: len(recs), Load: result.Load, Loop: lp[0]})
		}
		fmt.Println()
		for _, sc := range result.Scale {
			fmt.Printf("%7d assignments (%6d records, loaded in %5.1f s): %5.0f checks/s, p50 %v, p99 %v\n",
				sc.Assignments, sc.Records, sc.Load.Seconds(), sc.Loop.ChecksPerSec, sc.Loop.P50, sc.Loop.P99)
		}
		if len(result.Scale) > 1 {
			first, last := result.Scale[0], result.Scale[len(result.Scale)-1]
			fmt.Printf("p99 at %d is %.2f × p99 at %d\n", last.Assignments, float64(last.Loop.P99)/float64(first.Loop.P99), first.Assignments)
		}
		result.Load, result.Records = 0, 0
		return benchfig.Write(cfg.out, result)
	}
	var recs []Record
	var err error
	if cfg.dataset != "" {
		recs, err = ReadJSONL(cfg.dataset)
	} else {
		recs, err = Generate(cfg.sizes, 1)
	}
	if err != nil {
		return err
	}
	if result.Loops, err = measure(ctx, cfg, "checkload", recs, cfg.clients, cfg.rates, &result); err != nil {
		return err
	}
	return benchfig.Write(cfg.out, result)
}

// measure loads recs into a fresh table, verifies every check, and runs the
// loops; it records the load in result.
func measure(ctx context.Context, cfg runConfig, table string, recs []Record, clients, rates []int, result *benchfig.CheckLoad) ([]benchfig.Loop, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	meter := meter.New()
	stack, err := devstack.Start(ctx, devstack.Config{BaseURL: base, Database: devstack.Database{Endpoint: cfg.endpoint, Table: fmt.Sprintf("%s-%d", table, time.Now().UnixNano())},
		DynamoOptions: []func(*dynamodb.Options){meter.Option()}})
	if err != nil {
		return nil, err
	}
	defer stack.Close()
	defer stack.DynamoDB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &stack.Table})
	var serverTime atomic.Int64
	timed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		stack.ServeHTTP(w, r)
		serverTime.Add(int64(time.Since(start)))
	})
	srv := &http.Server{Handler: timed, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	start := time.Now()
	checks, err := load(ctx, stack, recs, cfg.workers)
	if err != nil {
		return nil, err
	}
	result.Records, result.Load = len(recs)-len(checks), time.Since(start)
	if err := stack.Bus.Wait(ctx); err != nil {
		return nil, err
	}
	allowed := 0
	for _, c := range checks {
		if c.allowed {
			allowed++
		}
	}
	fmt.Printf("dataset: %d records and %d checks (%d expected allowed); loaded through the service in %v with %d workers (%.0f records/s)\n",
		result.Records, len(checks), allowed, result.Load.Round(time.Millisecond), cfg.workers, float64(result.Records)/result.Load.Seconds())

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	do := func(c check) (time.Duration, error) {
		req, _ := http.NewRequest("POST", base+"/check-access", strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+c.token)
		t0 := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		took := time.Since(t0)
		if res.StatusCode != 200 {
			return took, fmt.Errorf("%d %s", res.StatusCode, b)
		}
		if got := strings.Contains(string(b), `"allowed":true`); got != c.allowed {
			return took, fmt.Errorf("decision %s for %s, dataset expects allowed=%v", b, c.body, c.allowed)
		}
		return took, nil
	}
	// Every check must get the expected decision before any timing counts.
	for _, c := range checks {
		if _, err := do(c); err != nil {
			return nil, fmt.Errorf("verification: %w", err)
		}
	}
	fmt.Printf("verified: all %d decisions as the dataset expects\n", len(checks))
	if cfg.warmup > 0 {
		lat, errs := closedLoop(do, checks, 8, cfg.warmup)
		fmt.Printf("warmed up: %d checks in %v (%.0f/s), %d errors, not counted\n", len(lat), cfg.warmup, float64(len(lat))/cfg.warmup.Seconds(), errs)
	}
	fmt.Println()

	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "loop\tchecks/s\tp50\tp99\tp99.9\terrors\tHTTP\tstore\tdecision+handler\t\n")
	var loops []benchfig.Loop
	row := func(name string, lat []time.Duration, errs int, took time.Duration, server, store time.Duration) {
		slices.Sort(lat)
		p := func(q float64) time.Duration {
			if len(lat) == 0 {
				return 0
			}
			return lat[min(len(lat)-1, int(float64(len(lat))*q))].Round(10 * time.Microsecond)
		}
		var client time.Duration
		for _, l := range lat {
			client += l
		}
		share := func(d time.Duration) string {
			if client == 0 {
				return "-"
			}
			return fmt.Sprintf("%.0f%%", 100*float64(d)/float64(client))
		}
		fraction := func(d time.Duration) float64 {
			if client == 0 {
				return 0
			}
			return float64(d) / float64(client)
		}
		loops = append(loops, benchfig.Loop{Name: name, Checks: len(lat), Errors: errs, ChecksPerSec: float64(len(lat)) / took.Seconds(),
			P50: p(.5), P99: p(.99), P999: p(.999), HTTP: fraction(client - server), Store: fraction(store), Decision: fraction(server - store)})
		fmt.Fprintf(w, "%s\t%.0f\t%v\t%v\t%v\t%d\t%s\t%s\t%s\t\n", name, float64(len(lat))/took.Seconds(), p(.5), p(.99), p(.999), errs,
			share(client-server), share(store), share(server-store))
	}
	timeLoop := func(name string, body func() ([]time.Duration, int)) {
		meter.Reset()
		serverTime.Store(0)
		t0 := time.Now()
		lat, errs := body()
		row(name, lat, errs, time.Since(t0), time.Duration(serverTime.Load()), meter.Elapsed())
	}
	for _, n := range clients {
		timeLoop(fmt.Sprintf("closed, %d clients", n), func() ([]time.Duration, int) { return closedLoop(do, checks, n, cfg.duration) })
	}
	for _, rate := range rates {
		timeLoop(fmt.Sprintf("open, %d/s", rate), func() ([]time.Duration, int) { return openLoop(do, checks, rate, cfg.duration) })
	}
	return loops, w.Flush()
}

func closedLoop(do func(check) (time.Duration, error), checks []check, clients int, d time.Duration) ([]time.Duration, int) {
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 3))
			var lat []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				l, err := do(checks[r.IntN(len(checks))])
				if err != nil {
					bad++
				}
				lat = append(lat, l)
			}
			mu.Lock()
			all, errs = append(all, lat...), errs+bad
			mu.Unlock()
		}(uint64(c + 1))
	}
	wg.Wait()
	return all, errs
}

// openLoop sends at a fixed rate whatever the answers do, and counts latency
// from when each request was due, so a slow system cannot hide its queue.
func openLoop(do func(check) (time.Duration, error), checks []check, rate int, d time.Duration) ([]time.Duration, int) {
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	interval := time.Second / time.Duration(rate)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= d {
			break
		}
		time.Sleep(time.Until(due))
		wg.Add(1)
		go func(c check, due time.Time) {
			defer wg.Done()
			_, err := do(c)
			l := time.Since(due)
			mu.Lock()
			all = append(all, l)
			if err != nil {
				errs++
			}
			mu.Unlock()
		}(checks[i%len(checks)], due)
	}
	wg.Wait()
	return all, errs
}

// load creates the dataset through the service, as the API would, workers
// changes at a time (tenants, then relationships, then assignments, each
// step needing the one before), and turns its checks into requests.
func load(ctx context.Context, stack *devstack.Stack, recs []Record, workers int) ([]check, error) {
	svc := stack.Service
	op := tenancy.Caller{User: "op", Tenant: devstack.OperatorTenant}
	admin := func(t string) tenancy.Caller { return tenancy.Caller{User: "admin", Tenant: t} }
	var mu sync.Mutex
	rels := map[string]string{}
	total := len(recs)
	var done atomic.Int64
	start := time.Now()
	tick := func() {
		if n := done.Add(1); n%500 == 0 {
			fmt.Fprintf(os.Stderr, "\rloading: %d/%d records, %.0f s", n, total, time.Since(start).Seconds())
		}
	}
	defer fmt.Fprint(os.Stderr, "\r\033[K")
	for _, kind := range []string{"tenant", "relationship", "assignment"} {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(workers)
		for _, rec := range recs {
			if rec.Type != kind {
				continue
			}
			g.Go(func() error {
				defer tick()
				switch rec.Type {
				case "tenant":
					if _, err := svc.CreateTenant(gctx, op, tenancy.NewTenant{ID: rec.ID, Name: rec.ID, Domain: rec.ID + ".example", MSP: rec.MSP, Admins: []string{"user:admin"}}); err != nil {
						return fmt.Errorf("tenant %s: %w", rec.ID, err)
					}
				case "relationship":
					inv, err := svc.CreateInvitation(gctx, admin(rec.Partner), tenancy.NewInvitation{ToTenant: rec.Customer, Roles: rec.Roles})
					if err != nil {
						return fmt.Errorf("invite %s→%s: %w", rec.Partner, rec.Customer, err)
					}
					rel, err := svc.AcceptInvitation(gctx, admin(rec.Customer), inv.ID, tenancy.Acceptance{})
					if err != nil {
						return err
					}
					mu.Lock()
					rels[rec.Partner+">"+rec.Customer] = rel.ID
					mu.Unlock()
				case "assignment":
					mu.Lock()
					rel := rels[rec.Partner+">"+rec.Customer]
					mu.Unlock()
					if _, err := svc.AssignDelegated(gctx, admin(rec.Partner), rel, tenancy.NewAssignment{Principal: "user:" + rec.User, Roles: rec.Roles, Scope: rec.Scope}); err != nil {
						return fmt.Errorf("assign %s in %s: %w", rec.User, rec.Customer, err)
					}
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
	}
	tokens := map[string]string{}
	var checks []check
	for _, rec := range recs {
		if rec.Type != "check" {
			continue
		}
		key := rec.User + "@" + rec.Home
		if tokens[key] == "" {
			tok, err := stack.Issuer.Issue(devstack.TokenRequest{Sub: rec.User, Tid: rec.Home})
			if err != nil {
				return nil, err
			}
			tokens[key] = tok
		}
		checks = append(checks, check{token: tokens[key], allowed: rec.Allowed != nil && *rec.Allowed,
			body: fmt.Sprintf(`{"tenantId":%q,"permission":%q,"resource":%q}`, rec.Tenant, rec.Permission, rec.Resource)})
	}
	if len(checks) == 0 {
		return nil, fmt.Errorf("the dataset has no checks")
	}
	return checks, nil
}
