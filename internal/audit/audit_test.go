package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/audit"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/telemetry"
	"github.com/switchboard/switchboard/internal/tenancy"
)

func TestTheSameEventConcurrentlyIsRecordedOncePerTenant(t *testing.T) {
	ctx := context.Background()
	db, table := dbtest.Table(t)
	st := store.New(db, table)
	var logs syncBuffer
	c := audit.New(st, audit.DefaultRetention, telemetry.NewLogger(&logs, telemetry.FormatJSON, slog.LevelInfo))
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	detail, _ := json.Marshal(events.RoleAssigned{Meta: events.Meta{SchemaVersion: 1, EventID: "ev-1", OccurredAt: at,
		Actor: events.Actor{User: "nina", Tenant: "northwind"}, Tenants: []string{"contoso", "northwind"}, RelationshipID: "rel-1", RequestID: "req-1"}})
	ev := lambdaevents.EventBridgeEvent{ID: "bus-1", DetailType: string(events.DetailTypeRoleAssigned), Source: events.Source, Detail: detail}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Handle(ctx, ev); err != nil {
				t.Errorf("Handle() = %v", err)
			}
		}()
	}
	wg.Wait()
	for _, tenant := range []string{"contoso", "northwind"} {
		l, err := st.ListAudit(ctx, tenant, tenancy.AuditFilter{}, tenancy.Page{Limit: 100})
		if err != nil || len(l.Items) != 1 {
			t.Fatalf("%s: %d records (%v), want exactly one", tenant, len(l.Items), err)
		}
		r := l.Items[0]
		if r.Actor.User != "nina" || r.RelationshipID != "rel-1" || r.RequestID != "req-1" || r.Type != "RoleAssigned" {
			t.Errorf("%s: record %+v", tenant, r)
		}
	}
	// One line per invocation; the records written add up to one per
	// tenant, however the twenty raced.
	written := 0
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	for _, line := range lines {
		var l struct {
			Msg, Consumer, Level string
			EventType            string  `json:"event_type"`
			EventID              string  `json:"event_id"`
			BusEventID           string  `json:"bus_event_id"`
			APIRequest           string  `json:"api_request_id"`
			Records              int     `json:"records_written"`
			Latency              float64 `json:"latency_ms"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if l.Msg != telemetry.LogEvent || l.Consumer != "audit" || l.EventType != "RoleAssigned" || l.EventID != "ev-1" || l.BusEventID != "bus-1" ||
			l.APIRequest != "req-1" || l.Level != "INFO" || l.Latency <= 0 {
			t.Errorf("line %s", line)
		}
		written += l.Records
	}
	if len(lines) != 20 || written != 2 {
		t.Errorf("%d lines, %d records written; want 20 and 2", len(lines), written)
	}
	logs.Reset()
	if err := c.Handle(ctx, lambdaevents.EventBridgeEvent{DetailType: "RoleAssigned", Detail: json.RawMessage(`{"nope":1}`)}); err == nil {
		t.Error("an event without eventId was accepted; it must go to the dead-letter queue instead")
	}
	if !strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), `"error":"audit RoleAssigned`) {
		t.Errorf("a failed invocation's line: %s", logs.String())
	}
}

// syncBuffer is a bytes.Buffer the consumers' goroutines write to at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}
