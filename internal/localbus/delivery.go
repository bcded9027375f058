package localbus

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
)

// route matches an accepted event against the rules and starts one delivery
// per matching rule. Deliveries run concurrently, as EventBridge's do.
func (b *Bus) route(ev lambdaevents.EventBridgeEvent, accepted time.Time) {
	raw, err := json.Marshal(ev)
	if err != nil {
		b.log.Error("local bus: encode envelope", "event_id", ev.ID, "err", err)
		return
	}
	b.matchMu.Lock()
	matches, err := b.matcher.MatchesForEvent(raw)
	b.matchMu.Unlock()
	if err != nil {
		b.log.Error("local bus: match event", "event_id", ev.ID, "err", err)
		return
	}
	rules := make([]int, 0, len(matches))
	for _, m := range matches {
		rules = append(rules, m.(int))
	}
	slices.Sort(rules)
	for _, i := range rules {
		b.begin()
		go b.deliver(b.routes[i], raw, ev.ID, accepted)
	}
}

// deliver offers the event to the consumer until it succeeds or the attempts
// run out, waiting Backoff, then twice that, … between attempts.
func (b *Bus) deliver(rt route, raw []byte, eventID string, accepted time.Time) {
	defer b.end()
	wait := b.opt.Backoff
	for attempt := 1; ; attempt++ {
		err := b.invoke(rt.consume, raw)
		if err == nil {
			b.mu.Lock()
			b.deliveries = append(b.deliveries, Delivery{EventID: eventID, Rule: rt.rule.Name, Consumer: rt.rule.Consumer,
				Latency: time.Since(accepted), Attempts: attempt})
			b.mu.Unlock()
			return
		}
		if attempt == b.opt.Attempts || !b.sleep(wait) {
			b.deadLetter(rt, raw, attempt, err)
			return
		}
		b.log.Debug("local bus: delivery failed, will retry", "rule", rt.rule.Name, "consumer", rt.rule.Consumer,
			"event_id", eventID, "attempt", attempt, "retry_in", wait, "err", err)
		wait *= 2
	}
}

// invoke hands the consumer its own copy of the envelope, decoded from JSON
// as the Lambda runtime would; a panic fails the attempt as an error would.
func (b *Bus) invoke(consume Consumer, raw []byte) (err error) {
	ev, err := decode(raw)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("consumer panicked: %v", p)
		}
	}()
	return consume(b.ctx, ev)
}

func (b *Bus) deadLetter(rt route, raw []byte, attempts int, err error) {
	ev, _ := decode(raw) // decoded before, by invoke
	dl := DeadLetter{Rule: rt.rule.Name, Consumer: rt.rule.Consumer, Event: ev, Attempts: attempts,
		LastError: err.Error(), FailedAt: b.opt.Now()}
	b.mu.Lock()
	b.dead = append(b.dead, dl)
	b.mu.Unlock()
	b.log.Warn("local bus: delivery dead-lettered", "rule", dl.Rule, "consumer", dl.Consumer,
		"event_id", ev.ID, "detail_type", ev.DetailType, "attempts", attempts, "err", err)
}

// sleep waits d, or answers false if the bus is closed first.
func (b *Bus) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-b.ctx.Done():
		return false
	}
}

func decode(raw []byte) (lambdaevents.EventBridgeEvent, error) {
	var ev lambdaevents.EventBridgeEvent
	err := json.Unmarshal(raw, &ev)
	return ev, err
}

// begin and end count deliveries in flight for Wait.
func (b *Bus) begin() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending == 0 {
		b.idle = make(chan struct{})
	}
	b.pending++
}

func (b *Bus) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending--
	if b.pending == 0 {
		close(b.idle)
	}
}
