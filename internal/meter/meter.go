// Package meter counts the DynamoDB requests a client makes and the
// capacity they consume, for the tests that keep request counts true and
// for the benchmarks (cmd/benchreport, cmd/checkload).
package meter

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	smithymiddleware "github.com/aws/smithy-go/middleware"
)

// Meter counts DynamoDB requests by operation name. It hooks the SDK's
// middleware stack, so it counts every API call the code makes (a call the
// SDK retries counts once).
type Meter struct {
	mu      sync.Mutex
	counts  map[string]int
	usage   Usage
	elapsed time.Duration
}

// Elapsed answers the time spent in DynamoDB calls (wall clock, summed over
// concurrent calls).
func (m *Meter) Elapsed() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.elapsed
}

// New returns an empty meter.
func New() *Meter { return &Meter{counts: map[string]int{}} }

// Usage answers the estimated items and capacity units of the calls so far.
func (m *Meter) Usage() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.usage
}

// Option installs the meter on a DynamoDB client.
func (m *Meter) Option() func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *smithymiddleware.Stack) error {
			return stack.Initialize.Add(smithymiddleware.InitializeMiddlewareFunc("switchboard-meter",
				func(ctx context.Context, in smithymiddleware.InitializeInput, next smithymiddleware.InitializeHandler) (smithymiddleware.InitializeOutput, smithymiddleware.Metadata, error) {
					askCapacity(in.Parameters)
					start := time.Now()
					out, md, err := next.HandleInitialize(ctx, in)
					took := time.Since(start)
					u := Usage{}
					if err == nil {
						u = usageOf(in.Parameters, out.Result)
					}
					m.mu.Lock()
					m.counts[middleware.GetOperationName(ctx)]++
					m.usage.add(u)
					m.elapsed += took
					m.mu.Unlock()
					return out, md, err
				}), smithymiddleware.After)
		})
	}
}

// Reset forgets every count.
func (m *Meter) Reset() {
	m.mu.Lock()
	m.counts, m.usage, m.elapsed = map[string]int{}, Usage{}, 0
	m.mu.Unlock()
}

// Counts answers a copy of the counts by operation.
func (m *Meter) Counts() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.counts))
	for k, v := range m.counts {
		out[k] = v
	}
	return out
}

// Total answers the number of requests.
func (m *Meter) Total() int {
	n := 0
	for _, v := range m.Counts() {
		n += v
	}
	return n
}

// CostsFileEnv names a file to which Report appends what a meter measured,
// one JSON line per operation; `make bench` sets it to collect the figures
// of the tests that measure requests per operation. Unset, Report does nothing.
const CostsFileEnv = "SWITCHBOARD_COSTS_FILE"

// Cost is one line of the costs file.
type Cost struct {
	Operation string         `json:"operation"`
	Requests  map[string]int `json:"requests"`
	Usage     Usage          `json:"usage"`
}

// Report appends the meter's figures for operation to the costs file, if
// one is named.
func (m *Meter) Report(operation string) error {
	path := os.Getenv(CostsFileEnv)
	if path == "" {
		return nil
	}
	line, err := json.Marshal(Cost{Operation: operation, Requests: m.Counts(), Usage: m.Usage()})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
