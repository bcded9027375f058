package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Message is an encoded event as the outbox keeps it and the bus carries it.
type Message struct {
	ID     string
	Type   DetailType
	Time   time.Time
	Detail json.RawMessage
}

// Encode turns a payload into a message; the payload's Meta must carry its
// event id and time.
func Encode(p Payload) (Message, error) {
	m := p.Base()
	if m.EventID == "" || m.OccurredAt.IsZero() {
		return Message{}, fmt.Errorf("%s: event id and time are required", p.DetailType())
	}
	b, err := json.Marshal(p)
	if err != nil {
		return Message{}, fmt.Errorf("encode %s: %w", p.DetailType(), err)
	}
	msg := Message{ID: m.EventID, Type: p.DetailType(), Time: m.OccurredAt, Detail: b}
	if n := EntrySize(msg); n > MaxEntryBytes {
		return Message{}, fmt.Errorf("%w: %s %s is %d bytes", ErrTooLarge, p.DetailType(), m.EventID, n)
	}
	return msg, nil
}

// DeadLetteredLog is the message of the log line a publisher writes when it
// dead-letters an event EventBridge will never take; the CDK stack counts
// these lines (a metric filter) and alarms on them.
const DeadLetteredLog = "outbox event dead-lettered"

// MaxEntryBytes is EventBridge's limit on one PutEvents entry, and on the
// entries of one PutEvents call together.
const MaxEntryBytes = 256 << 10

// ErrTooLarge: an event EventBridge would refuse for its size. Payloads are
// bounded by design (ids, counts and short summaries), so this is refused
// before the change commits rather than left undeliverable in the outbox.
var ErrTooLarge = errors.New("the event exceeds EventBridge's entry size limit")

// EntrySize is an entry's size as EventBridge counts it: its time (14
// bytes), source, detail type and detail.
func EntrySize(m Message) int { return 14 + len(Source) + len(m.Type) + len(m.Detail) }
