package devstack_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// TestBusDeliveryLatency measures, on the local stack, the time from the bus
// accepting an event to each consumer finishing it. It asserts only that
// everything arrives; `make bench` prints the figures.
func TestBusDeliveryLatency(t *testing.T) {
	st := startStack(t)
	ctx := context.Background()
	nina := tenancy.Caller{User: "nina", Tenant: "northwind"}
	const n = 200
	for i := 0; i < n; i++ {
		if _, err := st.s.Service.AssignDelegated(ctx, nina, st.s.Demo.RelationshipID, tenancy.NewAssignment{Principal: fmt.Sprintf("user:u%d", i), Roles: []string{"site-lead"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.s.Bus.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	by := map[string][]time.Duration{}
	for _, d := range st.s.Bus.Deliveries() {
		by[d.Consumer] = append(by[d.Consumer], d.Latency)
	}
	for _, consumer := range []string{"audit", "sync"} {
		l := by[consumer]
		if len(l) < n {
			t.Fatalf("%s got %d deliveries, want at least %d", consumer, len(l), n)
		}
		slices.Sort(l)
		t.Logf("local bus → %-5s deliveries=%d p50=%v p99=%v max=%v", consumer, len(l), l[len(l)/2], l[len(l)*99/100], l[len(l)-1])
	}
}
