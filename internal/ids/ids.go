// Package ids makes identifiers: lower-case ULIDs, sortable by creation time.
package ids

import (
	"fmt"
	"strings"
	"sync"

	"github.com/oklog/ulid/v2"
)

// New returns a fresh lower-case ULID. It is safe for concurrent use.
func New() string { return strings.ToLower(ulid.Make().String()) }

// Sequence returns a deterministic id source for tests: prefix-1, prefix-2, …
func Sequence(prefix string) func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("%s-%d", prefix, n)
	}
}
