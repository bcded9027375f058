package devstack

import (
	"context"

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
}

// seed creates an MSP and two customers through the service, as users would:
// Northwind (MSP) manages Contoso through an accepted relationship, its
// technician Tom holds helpdesk-admin there, and an invitation to Fabrikam
// waits to be accepted.
func seed(ctx context.Context, svc *tenancy.Service) (*Demo, error) {
	d := &Demo{MSP: "northwind", Customer: "contoso", Prospect: "fabrikam",
		MSPAdmin: "nina", CustomerAdmin: "carl", ProspectAdmin: "fay", Technician: "tom"}
	operator := tenancy.Caller{User: "operator", Tenant: OperatorTenant}
	for _, t := range []tenancy.NewTenant{
		{ID: d.MSP, Name: "Northwind IT Services", Domain: "northwind.example", MSP: true, Admins: []string{"user:" + d.MSPAdmin}},
		{ID: d.Customer, Name: "Contoso Ltd", Domain: "contoso.example", Admins: []string{"user:" + d.CustomerAdmin}},
		{ID: d.Prospect, Name: "Fabrikam Inc", Domain: "fabrikam.example", Admins: []string{"user:" + d.ProspectAdmin}},
	} {
		if _, err := svc.CreateTenant(ctx, operator, t); err != nil {
			return nil, err
		}
	}
	nina := tenancy.Caller{User: d.MSPAdmin, Tenant: d.MSP}
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
	pending, err := svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: d.Prospect, Roles: []string{"site-lead"}, Scope: []string{"/sites/eu"}})
	if err != nil {
		return nil, err
	}
	d.PendingInvitationID = pending.ID
	return d, nil
}
