package cleanup_test

import (
	"encoding/json"
	"testing"

	"github.com/switchboard/switchboard/internal/cleanup"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// TestReportJSON: the report reads as it always has (the Lambda's answer,
// POST /dev/cleanup, the README), whatever the sweep's Go field names.
func TestReportJSON(t *testing.T) {
	for _, tc := range []struct {
		rep  cleanup.Report
		want string
	}{
		{cleanup.Report{SweepReport: tenancy.SweepReport{InvitationsExpired: 1, RelationshipsExpired: 2, RelationshipsExtended: 3, NoticesSent: 4,
			RelationshipsCleared: 5, DenialWindowsClosed: 6, RelationshipsPruned: 9, ChangeRequestsExpired: 10, More: true}, EventsRepublished: 7, EventsDeadLettered: 8},
			`{"invitationsExpired":1,"relationshipsExpired":2,"relationshipsExtended":3,"noticesSent":4,"relationshipsCleared":5,"denialWindowsClosed":6,"relationshipsPruned":9,"changeRequestsExpired":10,"more":true,"eventsRepublished":7,"eventsDeadLettered":8}`},
		{cleanup.Report{},
			`{"invitationsExpired":0,"relationshipsExpired":0,"relationshipsExtended":0,"noticesSent":0,"relationshipsCleared":0,"denialWindowsClosed":0,"relationshipsPruned":0,"changeRequestsExpired":0,"more":false,"eventsRepublished":0,"eventsDeadLettered":0}`},
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
