package tenancy

import (
	"context"

	"github.com/switchboard/switchboard/events"
)

// Publisher sends committed events to the bus. It is best effort: whatever it
// cannot send stays in the outbox, and the cleanup sweep re-sends it.
type Publisher interface {
	Publish(ctx context.Context, msgs []events.Message)
}

// meta starts a payload: a fresh event id, the time, who acted and which
// tenants' audit logs it belongs in.
func (s *Service) meta(actor events.Actor, requestID, relationshipID string, tenants ...string) events.Meta {
	return events.Meta{SchemaVersion: events.SchemaVersion, EventID: s.newID(), OccurredAt: s.now(), Actor: actor,
		Tenants: dedupe(tenants), RelationshipID: relationshipID, RequestID: requestID}
}

func actorOf(c Caller) events.Actor { return events.Actor{User: c.User, Tenant: c.Tenant} }

// sweeper is the actor of scheduled work.
func (s *Service) sweeper() events.Actor {
	return events.Actor{User: "switchboard", Tenant: s.operator}
}

func encode(payloads ...events.Payload) ([]events.Message, error) {
	msgs := make([]events.Message, len(payloads))
	for i, p := range payloads {
		m, err := events.Encode(p)
		if err != nil {
			return nil, err
		}
		msgs[i] = m
	}
	return msgs, nil
}

// publish hands committed events to the publisher, if there is one.
func (s *Service) publish(ctx context.Context, msgs []events.Message) {
	if s.pub != nil && len(msgs) > 0 {
		s.pub.Publish(ctx, msgs)
	}
}

func tenantView(t Tenant) events.Tenant {
	return events.Tenant{ID: t.ID, Name: t.Name, Domain: t.Domain, MSP: t.MSP, Workspaces: t.Workspaces}
}

func invitationView(inv Invitation) events.Invitation {
	return events.Invitation{ID: inv.ID, Kind: inv.Kind, Status: inv.Status, FromTenant: inv.FromTenant, ToTenant: inv.ToTenant,
		PartnerTenant: inv.PartnerTenant, CustomerTenant: inv.CustomerTenant, Roles: inv.Roles, Scope: inv.Scope, ExpiresAt: inv.ExpiresAt, TemplateID: inv.TemplateID}
}

func relationshipView(r Relationship) events.Relationship {
	return events.Relationship{ID: r.ID, Kind: r.Kind, Status: r.Status, PartnerTenant: r.PartnerTenant, CustomerTenant: r.CustomerTenant,
		Roles: r.CeilingRoleIDs(), Scope: r.Scope, StartsAt: r.StartsAt, EndsAt: r.EndsAt, RequireMFA: r.RequireMFA}
}

func assignmentView(a Assignment) events.Assignment {
	return events.Assignment{ID: a.ID, TenantID: a.TenantID, PrincipalTenant: a.HomeTenant, RelationshipID: a.RelationshipID,
		Principal: a.Principal, Roles: a.Roles, Permissions: a.Permissions, Scope: a.Scope, Eligible: a.Eligible}
}

func roleView(r CustomRole) events.Role {
	return events.Role{ID: r.ID, Name: r.Name, TenantID: r.TenantID, DefinedBy: r.DefinedBy, Permissions: r.Permissions}
}

// invitationEvent is the event of an invitation reaching a final state.
func (s *Service) invitationEvent(actor events.Actor, requestID string, inv Invitation) events.Payload {
	m := s.meta(actor, requestID, inv.RelationshipID, inv.FromTenant, inv.ToTenant)
	v := invitationView(inv)
	switch inv.Status {
	case InvitationDeclined:
		return events.InvitationDeclined{Meta: m, Invitation: v}
	case InvitationCancelled:
		return events.InvitationCancelled{Meta: m, Invitation: v}
	case InvitationExpired:
		return events.InvitationExpired{Meta: m, Invitation: v}
	case InvitationAccepted:
		return events.InvitationAccepted{Meta: m, Invitation: v}
	}
	return events.InvitationCreated{Meta: m, Invitation: v}
}
