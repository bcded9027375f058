package devstack

import (
	"fmt"
	"strings"

	"github.com/switchboard/switchboard/internal/localdb"
	"github.com/switchboard/switchboard/web"
)

// Banner is what `make run` prints first: where it listens, which DynamoDB it
// uses, how to get a token, and what the seed holds.
func Banner(base string, s *Stack) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Switchboard local stack listening on %s\n", base)
	switch {
	case s.Local != nil && s.Local.Loopback:
		fmt.Fprintf(&b, "DynamoDB:     DynamoDB Local %s at %s (this machine only), table %s\n", localdb.Version, s.Local.URL, s.Table)
	case s.Local != nil:
		fmt.Fprintf(&b, "DynamoDB:     DynamoDB Local %s at %s, table %s — it listens on every interface (no JDK for the loopback launcher)\n", localdb.Version, s.Local.URL, s.Table)
	default:
		fmt.Fprintf(&b, "DynamoDB:     table %s at %s (DYNAMODB_ENDPOINT)\n", s.Table, s.Endpoint)
	}
	fmt.Fprintf(&b, "Console:      %s%s  (sign in as a demo user)\n", base, web.BasePath)
	user, tenant := "nina", "northwind"
	if s.Large != nil {
		user, tenant = s.Large.Admin, s.Large.MSP
	}
	fmt.Fprintf(&b, "Get a token:  TOKEN=$(curl -s -X POST %s/dev/token -d '{\"sub\":\"%s\",\"tid\":\"%s\"}' | jq -r .token)\n", base, user, tenant)
	fmt.Fprintf(&b, "Then:         curl -s %s/relationships -H \"Authorization: Bearer $TOKEN\"\n", base)
	fmt.Fprintf(&b, "Operator tenant: %s.  Test clock: POST %s/dev/clock {\"advance\":\"P15D\"}\n", OperatorTenant, base)
	fmt.Fprintf(&b, "Cleanup now: POST %s/dev/cleanup   Undeliverable events: GET %s/dev/dead-letters   Key rollover: POST %s/dev/keys/rotate\n", base, base, base)
	if d := s.Demo; d != nil {
		kept := ""
		if d.Kept {
			kept = " (kept from an earlier run)"
		}
		fmt.Fprintf(&b, "Demo seed%s:\n", kept)
		fmt.Fprintf(&b, "  %-10s MSP,      admin user %s, technician user %s (first-line support: may use the tenant switcher)\n", d.MSP, d.MSPAdmin, d.Technician)
		fmt.Fprintf(&b, "  %-10s customer, admin user %s; relationship %s (helpdesk-admin, site-lead)\n", d.Customer, d.CustomerAdmin, d.RelationshipID)
		if d.PendingInvitationID != "" {
			fmt.Fprintf(&b, "  %-10s customer, admin user %s; pending invitation %s\n", d.Prospect, d.ProspectAdmin, d.PendingInvitationID)
		} else {
			fmt.Fprintf(&b, "  %-10s customer, admin user %s\n", d.Prospect, d.ProspectAdmin)
		}
	}
	if l := s.Large; l != nil {
		fmt.Fprintf(&b, "Seed msp-large:\n")
		fmt.Fprintf(&b, "  %-10s MSP, admin user %s; %d customers (cust-0001 … cust-%04d, admin user admin in each)\n", l.MSP, l.Admin, l.Customers, l.Customers)
		fmt.Fprintf(&b, "  %d assignments of technicians tech-001 … tech-%03d and groups team-01 … team-%02d; e.g. user %s in %s\n", l.Assignments, l.Users, l.Groups, l.SampleUser, l.SampleCustomer)
	}
	fmt.Fprintf(&b, "README.md walks through every route with curl. Ctrl-C stops.\n")
	return b.String()
}
