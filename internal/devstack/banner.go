package devstack

import (
	"fmt"
	"strings"

	"github.com/switchboard/switchboard/web"
)

// Banner is what `make run` prints first: where it listens, how to get a
// token, and what the demo seed holds.
func Banner(base string, d *Demo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Switchboard local stack listening on %s\n", base)
	fmt.Fprintf(&b, "Console:      %s%s  (sign in as a demo user)\n", base, web.BasePath)
	fmt.Fprintf(&b, "Get a token:  curl -s -X POST %s/dev/token -d '{\"sub\":\"nina\",\"tid\":\"northwind\"}'\n", base)
	fmt.Fprintf(&b, "Then:         curl -s %s/relationships -H \"Authorization: Bearer $TOKEN\"\n", base)
	fmt.Fprintf(&b, "Operator tenant: %s.  Test clock: POST %s/dev/clock {\"advance\":\"P15D\"}\n", OperatorTenant, base)
	fmt.Fprintf(&b, "Cleanup now: POST %s/dev/cleanup   Undeliverable events: GET %s/dev/dead-letters   Key rollover: POST %s/dev/keys/rotate\n", base, base, base)
	if d != nil {
		fmt.Fprintf(&b, "Demo seed:\n")
		fmt.Fprintf(&b, "  %-10s MSP,      admin user %s, technician user %s\n", d.MSP, d.MSPAdmin, d.Technician)
		fmt.Fprintf(&b, "  %-10s customer, admin user %s; relationship %s (helpdesk-admin, site-lead)\n", d.Customer, d.CustomerAdmin, d.RelationshipID)
		fmt.Fprintf(&b, "  %-10s customer, admin user %s; pending invitation %s\n", d.Prospect, d.ProspectAdmin, d.PendingInvitationID)
	}
	fmt.Fprintf(&b, "README.md walks through every route with curl. Ctrl-C stops.\n")
	return b.String()
}
