package devstack

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// Seeds `make run` knows (SEED=…).
const (
	SeedDemo     = "demo"
	SeedMSPLarge = "msp-large"
	SeedNone     = "none"
)

// LargeSizes shape the realistic MSP seed.
type LargeSizes struct {
	Customers   int
	Assignments int // in all, spread over the customers
	Users       int // the MSP's technicians
	Groups      int // the MSP's groups
}

// MSPLarge is SEED=msp-large: one MSP with a thousand customers.
var MSPLarge = LargeSizes{Customers: 1000, Assignments: 10000, Users: 300, Groups: 20}

// LargeSeed names what SeedLarge created.
type LargeSeed struct {
	MSP, Admin     string
	Customers      int
	Assignments    int
	Users, Groups  int
	SampleUser     string
	SampleCustomer string
	Took           time.Duration
}

// The ceilings customers of the large seed allowed, and the roles the MSP
// hands out inside them.
var largeCeilings = [][]string{
	{"helpdesk-admin", "site-lead", "site-technical"},
	{"helpdesk-admin", "site-technical"},
	{"helpdesk-admin", "site-lead", "site-technical", "mmr-admin"},
}

// SeedLarge creates a realistic MSP through the service, as its people
// would, with workers requests at a time: Litware (admin lia) and its
// customers, each of which accepted an invitation with one of three
// ceilings, and assignments of the MSP's technicians and groups spread over
// them — about one in five limited to a site, one in ten eligible
// (just in time). progress gets a line as it goes (final on the last).
func (s *Stack) SeedLarge(ctx context.Context, sz LargeSizes, workers int, progress func(line string, final bool)) (LargeSeed, error) {
	if progress == nil {
		progress = func(string, bool) {}
	}
	start := time.Now()
	out := LargeSeed{MSP: "litware", Admin: "lia", Customers: sz.Customers, Assignments: sz.Assignments, Users: sz.Users, Groups: sz.Groups}
	svc := s.Service
	operator := tenancy.Caller{User: "operator", Tenant: OperatorTenant}
	msp := tenancy.Caller{User: out.Admin, Tenant: out.MSP}
	if _, err := svc.CreateTenant(ctx, operator, tenancy.NewTenant{ID: out.MSP, Name: "Litware Managed Services", Domain: "litware.example", MSP: true, Admins: []string{"user:" + out.Admin}}); err != nil {
		if errors.Is(err, tenancy.ErrConflict) {
			return out, fmt.Errorf("the table already holds %s: start with an empty one (no DATA_DIR, or another TABLE_NAME)", out.MSP)
		}
		return out, err
	}
	// The technicians use the tenant switcher through Litware's first-line
	// support role, as the demo's do through Northwind's.
	if _, _, err := svc.SaveRole(ctx, msp, out.MSP, tenancy.NewRole{ID: FirstLineSupport, Name: "First-line support",
		Description: "Uses the tenant switcher; acts in customers only through its grants there.", Permissions: []string{tenancy.PermSwitch}}); err != nil {
		return out, err
	}
	total := int64(2*sz.Customers + sz.Assignments + sz.Users)
	var done atomic.Int64
	tick := func() {
		n := done.Add(1)
		if n%250 == 0 || n == total {
			progress(fmt.Sprintf("seeding %s: %d/%d changes (%d customers, %d assignments), %.0f s", out.MSP, n, total, sz.Customers, sz.Assignments, time.Since(start).Seconds()), false)
		}
	}
	customer := func(i int) string { return fmt.Sprintf("cust-%04d", i+1) }
	rels := make([]tenancy.Relationship, sz.Customers)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range sz.Users {
		g.Go(func() error {
			user := fmt.Sprintf("user:tech-%03d", i+1)
			if _, err := svc.AssignNative(gctx, msp, out.MSP, tenancy.NewAssignment{Principal: user, Roles: []string{FirstLineSupport}}); err != nil {
				return fmt.Errorf("first-line support for %s: %w", user, err)
			}
			tick()
			return nil
		})
	}
	for i := range sz.Customers {
		g.Go(func() error {
			id := customer(i)
			if _, err := svc.CreateTenant(gctx, operator, tenancy.NewTenant{ID: id, Name: fmt.Sprintf("Customer %04d", i+1), Domain: id + ".example", Admins: []string{"user:admin"}}); err != nil {
				return fmt.Errorf("tenant %s: %w", id, err)
			}
			tick()
			ceiling := largeCeilings[i%len(largeCeilings)]
			inv, err := svc.CreateInvitation(gctx, msp, tenancy.NewInvitation{ToTenant: id, Roles: ceiling, Scope: []string{"*"}})
			if err != nil {
				return fmt.Errorf("invite %s: %w", id, err)
			}
			rel, err := svc.AcceptInvitation(gctx, tenancy.Caller{User: "admin", Tenant: id}, inv.ID, tenancy.Acceptance{PrimaryAdmins: []string{"user:" + out.Admin}})
			if err != nil {
				return fmt.Errorf("accept %s: %w", id, err)
			}
			rels[i] = rel
			tick()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return out, err
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(workers)
	r := rand.New(rand.NewPCG(7, 11))
	hour := time.Hour
	for i := range sz.Assignments {
		rel := rels[i%len(rels)]
		ceiling := rel.CeilingRoleIDs()
		in := tenancy.NewAssignment{Principal: fmt.Sprintf("user:tech-%03d", r.IntN(max(1, sz.Users))+1), Roles: []string{ceiling[r.IntN(len(ceiling))]}}
		if sz.Groups > 0 && r.IntN(4) == 0 {
			in.Principal = fmt.Sprintf("group:team-%02d", r.IntN(sz.Groups)+1)
		}
		if r.IntN(5) == 0 {
			in.Scope = []string{fmt.Sprintf("/sites/site-%d", r.IntN(8)+1)}
		}
		if r.IntN(10) == 0 {
			in.Eligible, in.MaxActivation = true, &hour
		}
		if out.SampleUser == "" && !in.Eligible && len(in.Scope) == 0 && in.Principal[:5] == "user:" {
			out.SampleUser, out.SampleCustomer = in.Principal[5:], rel.CustomerTenant
		}
		g.Go(func() error {
			if _, err := svc.AssignDelegated(gctx, msp, rel.ID, in); err != nil {
				return fmt.Errorf("assign %s in %s: %w", in.Principal, rel.CustomerTenant, err)
			}
			tick()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return out, err
	}
	out.Took = time.Since(start)
	progress(fmt.Sprintf("seeded %s: %d customers, %d assignments of %d technicians and %d groups in %.1f s", out.MSP, sz.Customers, sz.Assignments, sz.Users, sz.Groups, out.Took.Seconds()), true)
	s.Large = &out
	return out, nil
}
