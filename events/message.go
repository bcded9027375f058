package events

import (
	"encoding/json"
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
	return Message{ID: m.EventID, Type: p.DetailType(), Time: m.OccurredAt, Detail: b}, nil
}
