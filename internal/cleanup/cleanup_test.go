package cleanup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/cleanup"
	"github.com/switchboard/switchboard/internal/metric"
	"github.com/switchboard/switchboard/internal/outbox"
	"github.com/switchboard/switchboard/internal/telemetry"
	"github.com/switchboard/switchboard/internal/tenancy"
)

type sweeper struct {
	rep tenancy.SweepReport
	err error
}

func (s sweeper) Sweep(context.Context, int) (tenancy.SweepReport, error) { return s.rep, s.err }

type republisher struct{ res outbox.Result }

func (r republisher) Republish(context.Context, time.Time, int) (outbox.Result, error) {
	return r.res, nil
}

// TestRunLogsItsReport: the run is invoked asynchronously, so what it did is
// seen only in its line; the outbox it relays reports its backlog and the
// age of its oldest event as EMF metrics, which the stack alarms on.
func TestRunLogsItsReport(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	log := telemetry.NewLogger(&buf, telemetry.FormatJSON, slog.LevelInfo)
	r := cleanup.New(sweeper{rep: tenancy.SweepReport{InvitationsExpired: 2}}, republisher{outbox.Result{Sent: 3, Left: 4, Oldest: now.Add(-90 * time.Second)}},
		func() time.Time { return now }, 10, time.Second, log)
	rep, err := r.Run(context.Background())
	if err != nil || rep.OutboxLeft != 4 || rep.OutboxOldestAge != 90*time.Second {
		t.Fatalf("Run() = %+v, %v", rep, err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want the run's line and one metrics line, got\n%s", buf.String())
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	if line["msg"] != cleanup.LogRun || line["invitations_expired"] != 2.0 || line["events_republished"] != 3.0 || line["outbox_left"] != 4.0 ||
		line["outbox_oldest_age_s"] != 90.0 || line["level"] != "INFO" {
		t.Errorf("run line %s", lines[0])
	}
	data, err := telemetry.ParseEMF([]byte(lines[1]))
	if err != nil {
		t.Fatalf("%v: %s", err, lines[1])
	}
	got := map[string]float64{}
	for _, d := range data {
		got[d.Name] = d.Value
	}
	if got[metric.OutboxBacklog] != 4 || got[metric.OutboxOldestAge] != 90 {
		t.Errorf("metrics %+v", data)
	}

	buf.Reset()
	r = cleanup.New(sweeper{err: errors.New("store down")}, republisher{}, func() time.Time { return now }, 10, time.Second, log)
	if _, err := r.Run(context.Background()); err == nil {
		t.Fatal("a failed sweep reported no error")
	}
	if !strings.Contains(buf.String(), `"level":"ERROR"`) || !strings.Contains(buf.String(), "store down") || strings.Contains(buf.String(), "_aws") {
		t.Errorf("a failed run's line (and no metrics from it): %s", buf.String())
	}
}

// TestReportJSON: the report reads as it always has (the Lambda's answer,
// POST /dev/cleanup, the README), whatever the sweep's Go field names.
func TestReportJSON(t *testing.T) {
	for _, tc := range []struct {
		rep  cleanup.Report
		want string
	}{
		{cleanup.Report{SweepReport: tenancy.SweepReport{InvitationsExpired: 1, RelationshipsExpired: 2, RelationshipsExtended: 3, NoticesSent: 4,
			RelationshipsCleared: 5, DenialWindowsClosed: 6, RelationshipsPruned: 9, ChangeRequestsExpired: 10, More: true}, EventsRepublished: 7, EventsDeadLettered: 8,
			OutboxLeft: 11, OutboxOldestAge: 10500 * time.Millisecond},
			`{"invitationsExpired":1,"relationshipsExpired":2,"relationshipsExtended":3,"noticesSent":4,"relationshipsCleared":5,"denialWindowsClosed":6,"relationshipsPruned":9,"changeRequestsExpired":10,"more":true,"eventsRepublished":7,"eventsDeadLettered":8,"outboxLeft":11,"outboxOldestAgeSeconds":10}`},
		{cleanup.Report{},
			`{"invitationsExpired":0,"relationshipsExpired":0,"relationshipsExtended":0,"noticesSent":0,"relationshipsCleared":0,"denialWindowsClosed":0,"relationshipsPruned":0,"changeRequestsExpired":0,"more":false,"eventsRepublished":0,"eventsDeadLettered":0,"outboxLeft":0,"outboxOldestAgeSeconds":0}`},
	} {
		b, err := json.Marshal(tc.rep)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("json.Marshal(%+v) = %s\nwant %s", tc.rep, b, tc.want)
		}
	}
}
