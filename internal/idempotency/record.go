// Package idempotency holds what is kept of a request sent with an
// Idempotency-Key. The HTTP layer writes and replays it and the store keeps
// it; it sits below both so that neither imports the other.
package idempotency

import "time"

// Record is what is kept of a request: the hash of what was asked and, once
// done, the answer.
type Record struct {
	Hash string
	// ClaimedAt is when the request claimed the key; a claim never finished
	// (the function cut off) is taken over once it is stale.
	ClaimedAt   time.Time
	Done        bool
	Status      int
	Body        string
	ContentType string
}
