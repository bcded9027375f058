package devstack

import (
	"sync"
	"time"
)

// Clock is the local stack's clock: real time plus an offset that
// POST /dev/clock moves forward, like a payment API's test clock.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
	now    func() time.Time
}

// NewClock starts a clock at real time.
func NewClock() *Clock { return &Clock{now: time.Now} }

// Now answers the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now().Add(c.offset).UTC()
}

// Reset puts the clock back on real time.
func (c *Clock) Reset() time.Time {
	c.mu.Lock()
	c.offset = 0
	c.mu.Unlock()
	return c.Now()
}

// Advance moves the clock forward; it never goes back.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	if d > 0 {
		c.offset += d
	}
	c.mu.Unlock()
	return c.Now()
}
