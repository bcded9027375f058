// Package lambdaenv reads a function's environment: each Lambda main calls
// Require once at init and fails there, not on the first request, when a
// variable is missing.
package lambdaenv

import (
	"fmt"
	"log/slog"
	"os"
)

// Require answers the named variables, or an error naming every missing one.
func Require(names ...string) (map[string]string, error) {
	vals := make(map[string]string, len(names))
	var missing []string
	for _, n := range names {
		v := os.Getenv(n)
		if v == "" {
			missing = append(missing, n)
		}
		vals[n] = v
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing environment variables %v", missing)
	}
	return vals, nil
}

// Logger is the functions' structured logger: JSON lines on stderr, which
// Lambda ships to CloudWatch Logs.
func Logger() *slog.Logger { return slog.New(slog.NewJSONHandler(os.Stderr, nil)) }
