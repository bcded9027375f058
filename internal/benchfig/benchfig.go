// Package benchfig carries the figures the measuring commands (coldstart,
// checkload) hand to cmd/benchreport, which prints `make bench`'s summary.
package benchfig

import (
	"encoding/json"
	"os"
	"time"
)

// Start is one function's cold start: its bootstrap's size and the time
// from process start to its first ask for an event.
type Start struct {
	Function   string        `json:"function"`
	Bytes      int64         `json:"bytes"`
	InitMedian time.Duration `json:"initMedianNs"`
	InitMin    time.Duration `json:"initMinNs"`
	InitMax    time.Duration `json:"initMaxNs"`
}

// Loop is one load loop of checks over HTTP against the local stack.
type Loop struct {
	Name         string        `json:"name"`
	Checks       int           `json:"checks"`
	Errors       int           `json:"errors"`
	ChecksPerSec float64       `json:"checksPerSec"`
	P50          time.Duration `json:"p50Ns"`
	P99          time.Duration `json:"p99Ns"`
	P999         time.Duration `json:"p999Ns"`
	// Shares of the client-side time: HTTP and transport, the store, and
	// the decision with the rest of the handler.
	HTTP, Store, Decision float64
}

// CheckLoad is what cmd/checkload measured: the dataset's load through the
// service, the loops, and the scaling points when asked for.
type CheckLoad struct {
	Records int           `json:"records"`
	Load    time.Duration `json:"loadNs"`
	Loops   []Loop        `json:"loops"`
	Scale   []Scale       `json:"scale,omitempty"`
}

// Scale is check-access with 8 clients on a dataset of one size.
type Scale struct {
	Assignments int           `json:"assignments"`
	Records     int           `json:"records"`
	Load        time.Duration `json:"loadNs"`
	Loop        Loop          `json:"loop"`
}

// Write stores v as JSON at path; an empty path writes nothing.
func Write(path string, v any) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// Read loads what Write stored.
func Read(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
