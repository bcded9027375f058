package devstack

import (
	"context"
	"slices"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// Demo names what the seed created, for the start-up banner and tests.
type Demo struct {
	MSP, Customer, Prospect   string
	MSPAdmin, CustomerAdmin   string
	ProspectAdmin, Technician string
	RelationshipID            string
	PendingInvitationID       string
	TechnicianAssignmentID    string
	// Kept says the demo was found in data kept from an earlier run.
	Kept bool
}

// FirstLineSupport is the demo MSP's custom role that holds tenants.switch.
const FirstLineSupport = "first-line-support"

// seed creates an MSP and two customers through the service, as users would:
// Northwind (MSP) manages Contoso through an accepted relationship, its
// technician Tom holds helpdesk-admin there and, with Ivy, Northwind's
// first-line support role (the tenant switcher), and an invitation to
// Fabrikam waits to be accepted.
func seed(ctx context.Context, svc *tenancy.Service) (*Demo, error) {
	d := &Demo{MSP: "northwind", Customer: "contoso", Prospect: "fabrikam",
		MSPAdmin: "nina", CustomerAdmin: "carl", ProspectAdmin: "fay", Technician: "tom"}
	operator := tenancy.Caller{User: "operator", Tenant: OperatorTenant}
	nina := tenancy.Caller{User: d.MSPAdmin, Tenant: d.MSP}
	if _, err := svc.GetTenant(ctx, operator, d.MSP); err == nil {
		return seeded(ctx, svc, d, nina) // data kept on disk from an earlier run
	}
	for _, t := range []tenancy.NewTenant{
		{ID: d.MSP, Name: "Northwind IT Services", Domain: "northwind.example", MSP: true, Admins: []string{"user:" + d.MSPAdmin}},
		{ID: d.Customer, Name: "Contoso Ltd", Domain: "contoso.example", Admins: []string{"user:" + d.CustomerAdmin}},
		{ID: d.Prospect, Name: "Fabrikam Inc", Domain: "fabrikam.example", Admins: []string{"user:" + d.ProspectAdmin}},
	} {
		if _, err := svc.CreateTenant(ctx, operator, t); err != nil {
			return nil, err
		}
	}
	inv, err := svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: d.Customer, Roles: []string{"helpdesk-admin", "site-lead"}, Scope: []string{"*"}})
	if err != nil {
		return nil, err
	}
	rel, err := svc.AcceptInvitation(ctx, tenancy.Caller{User: d.CustomerAdmin, Tenant: d.Customer}, inv.ID, tenancy.Acceptance{PrimaryAdmins: []string{"user:" + d.MSPAdmin}})
	if err != nil {
		return nil, err
	}
	d.RelationshipID = rel.ID
	a, err := svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "user:" + d.Technician, Roles: []string{"helpdesk-admin"}})
	if err != nil {
		return nil, err
	}
	d.TechnicianAssignmentID = a.ID
	if err := firstLineSupport(ctx, svc, nina, d); err != nil {
		return nil, err
	}
	pending, err := svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: d.Prospect, Roles: []string{"site-lead"}, Scope: []string{"/sites/eu"}})
	if err != nil {
		return nil, err
	}
	d.PendingInvitationID = pending.ID
	return d, nil
}

// firstLineSupport defines Northwind's first-line support role and gives it
// to its technicians. Only admins may use the tenant switcher unless a role
// says otherwise (seed 000): the role holds tenants.switch alone, so they act
// in Contoso only as far as their grants there go.
func firstLineSupport(ctx context.Context, svc *tenancy.Service, nina tenancy.Caller, d *Demo) error {
	if _, _, err := svc.SaveRole(ctx, nina, d.MSP, tenancy.NewRole{ID: FirstLineSupport, Name: "First-line support",
		Description: "Uses the tenant switcher; acts in customers only through its grants there.", Permissions: []string{tenancy.PermSwitch}}); err != nil {
		return err
	}
	for _, u := range []string{d.Technician, "ivy"} {
		if _, err := svc.AssignNative(ctx, nina, d.MSP, tenancy.NewAssignment{Principal: "user:" + u, Roles: []string{FirstLineSupport}}); err != nil {
			return err
		}
	}
	return nil
}

// seeded finds the demo in a table that already holds it (DATA_DIR): the
// relationship with Contoso, Tom's assignment there and the invitation to
// Fabrikam if it is still pending.
func seeded(ctx context.Context, svc *tenancy.Service, d *Demo, nina tenancy.Caller) (*Demo, error) {
	rels, err := svc.ListRelationships(ctx, nina, tenancy.SidePartner, tenancy.Page{Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, r := range rels.Items {
		if r.CustomerTenant == d.Customer && d.RelationshipID == "" {
			d.RelationshipID = r.ID
		}
	}
	if d.RelationshipID != "" {
		as, err := svc.ListRelationshipAssignments(ctx, nina, d.RelationshipID, tenancy.Page{Limit: 100})
		if err != nil {
			return nil, err
		}
		for _, a := range as.Items {
			if a.Principal == "user:"+d.Technician && d.TechnicianAssignmentID == "" {
				d.TechnicianAssignmentID = a.ID
			}
		}
	}
	invs, err := svc.ListInvitations(ctx, nina, tenancy.Outgoing, tenancy.InvitationPending, tenancy.Page{Limit: 100})
	if err != nil {
		return nil, err
	}
	for _, inv := range invs.Items {
		if inv.ToTenant == d.Prospect && d.PendingInvitationID == "" {
			d.PendingInvitationID = inv.ID
		}
	}
	// Data kept from before the switcher was a permission: give the
	// technicians the role the demo's walk-through relies on, once.
	roles, err := svc.ListRoles(ctx, nina, d.MSP)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(roles, func(r tenancy.CustomRole) bool { return r.ID == FirstLineSupport }) {
		if err := firstLineSupport(ctx, svc, nina, d); err != nil {
			return nil, err
		}
	}
	d.Kept = true
	return d, nil
}
