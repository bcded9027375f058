package httpapi

import (
	"encoding/json"
	"time"

	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// sample is one domain value an operation answers, every field set (or, in
// the "bare" samples, every optional field left out) and every list
// non-empty or empty but never nil, as the service hands them over.
type sample struct {
	name  string
	value any
}

func samples() []sample {
	at := time.Date(2026, 11, 21, 12, 30, 45, 123456789, time.UTC)
	later := at.Add(36 * time.Hour)
	d := period.Duration(180 * 24 * time.Hour)
	act := period.Duration(8 * time.Hour)
	nina := tenancy.Actor{User: "nina", Tenant: "northwind"}
	carl := tenancy.Actor{User: "carl", Tenant: "contoso"}
	inv := tenancy.Invitation{ID: "inv-1", Kind: tenancy.KindDelegatedAdmin, Status: tenancy.InvitationAccepted, FromTenant: "northwind", ToTenant: "contoso",
		As: tenancy.SidePartner, PartnerTenant: "northwind", CustomerTenant: "contoso", Roles: []string{"helpdesk-admin", "site-lead"}, Scope: []string{"/sites/eu"},
		Duration: period.Duration(365 * 24 * time.Hour), AutoExtend: &d, RequireMFA: true, ExpiresAt: later, CreatedAt: at, CreatedBy: nina, UpdatedAt: later,
		RelationshipID: "rel-1", Version: 3}
	bareInv := tenancy.Invitation{ID: "inv-2", Kind: tenancy.KindDelegatedAdmin, Status: tenancy.InvitationPending, Roles: []string{}, Scope: []string{}, CreatedAt: at}
	rel := tenancy.Relationship{ID: "rel-1", Kind: tenancy.KindDelegatedAdmin, Status: tenancy.RelationshipTerminated, PartnerTenant: "northwind", PartnerName: "Northwind",
		CustomerTenant: "contoso", CustomerName: "Contoso <&>", InvitationID: "inv-1",
		Ceiling: []tenancy.CeilingRole{{ID: "helpdesk-admin", Permissions: []string{"tickets.view", "tickets.update"}}, {ID: "empty", Permissions: []string{}}},
		Scope:   []string{"*"}, StartsAt: at, EndsAt: later, AutoExtend: &d, RequireMFA: true, PrimaryAdmins: []string{"user:nina"}, CreatedAt: at, UpdatedAt: later,
		EndedAt: &later, EndedBy: &carl, NoticesSent: []int{30, 7}, AssignmentsCleared: true, Version: 9}
	bareRel := tenancy.Relationship{ID: "rel-2", Status: tenancy.RelationshipActive, Ceiling: []tenancy.CeilingRole{}, Scope: []string{}, PrimaryAdmins: []string{}}
	asg := tenancy.Assignment{ID: "asg-1", TenantID: "contoso", HomeTenant: "northwind", RelationshipID: "rel-1", Principal: "group:tier1", Roles: []string{"site-lead"},
		Permissions: []string{"rooms.view"}, Scope: []string{"/sites/eu/paris"}, Eligible: true, MaxActivation: &act, CreatedAt: at, CreatedBy: nina, Version: 2}
	bareAsg := tenancy.Assignment{ID: "asg-2", TenantID: "contoso", HomeTenant: "contoso", Principal: "user:carl", Roles: []string{}, Permissions: []string{}, Scope: []string{}}
	role := tenancy.CustomRole{ID: "site-lead", Name: "Site lead", Description: "Runs a site", TenantID: "contoso", DefinedBy: "northwind",
		Permissions: []string{"rooms.view"}, UpdatedAt: at, Version: 4}
	builtIn := tenancy.CustomRole{ID: "global-admin", Name: "Global administrator", Permissions: []string{}, BuiltIn: true}
	audit := tenancy.AuditRecord{ID: "aud-1", TenantID: "contoso", Type: "RoleAssigned", OccurredAt: at, Actor: nina, Tenants: []string{"contoso", "northwind"},
		RelationshipID: "rel-1", RequestID: "req-1", Outcome: "succeeded", Detail: json.RawMessage(`{"assignment":{"id":"asg-1"},"n":1}`), ExpiresAt: later}
	bareAudit := tenancy.AuditRecord{ID: "aud-2", Tenants: []string{}, Detail: json.RawMessage(`{}`)}
	hook := tenancy.Webhook{ID: "wh-1", TenantID: "contoso", URL: "https://hooks.example/a?b=c&d=<e>", EventTypes: []string{"RoleAssigned"}, Status: "disabled",
		CreatedAt: at, CreatedBy: carl, Secret: "whsec_abc", ConsecutiveFailures: 5, LastError: "HTTP 500", LastDeliveryAt: &later, DisabledAt: &later, Version: 7}
	bareHook := tenancy.Webhook{ID: "wh-2", EventTypes: []string{}}
	delivery := tenancy.WebhookDelivery{WebhookID: "wh-1", EventID: "ev-1", EventType: "RoleAssigned", Attempt: 2, At: at, StatusCode: 500, Error: "HTTP 500",
		Duration: 1500 * time.Millisecond, Delivered: false}
	bareDelivery := tenancy.WebhookDelivery{WebhookID: "wh-1", Delivered: true}
	target := tenancy.SwitchTarget{TenantID: "contoso", TenantName: "Contoso", RelationshipID: "rel-1", Status: tenancy.TargetReady, Roles: []string{"site-lead"},
		Scope: []string{"*"}, EndsAt: later, RequireMFA: true,
		Eligible: []tenancy.EligibleGrant{{AssignmentID: "asg-1", Roles: []string{"site-lead"}, MaxActivation: &act}, {AssignmentID: "asg-3", Roles: []string{}}}}
	bareTarget := tenancy.SwitchTarget{TenantID: "adatum", Roles: []string{}, Scope: []string{}, Eligible: []tenancy.EligibleGrant{}}
	switched := tenancy.SwitchResult{Token: "eyJ.x.y", ExpiresAt: later, TenantID: "contoso", RelationshipID: "rel-1", SessionID: "ses-1", Roles: []string{"site-lead"},
		Scope: []string{"/sites/eu"}, Permissions: []string{"rooms.view"},
		Grants:    []tenancy.TokenGrant{{Assignment: "asg-1", Roles: []string{"site-lead"}, Perms: []string{"rooms.view"}, Scope: []string{"/sites/eu"}}},
		Activated: []string{"asg-1"}}
	bareSwitched := tenancy.SwitchResult{Roles: []string{}, Scope: []string{}, Permissions: []string{}, Grants: []tenancy.TokenGrant{}}
	member := tenancy.Member{TenantID: "contoso", State: "joined", Owner: true, AddedAt: at, AddedBy: nina, JoinedAt: &later, Version: 2}
	bareMember := tenancy.Member{TenantID: "adatum", State: "invited"}
	org := tenancy.Organization{ID: "org-1", Name: "Group", Owners: []string{"northwind"}, Template: tenancy.OrganizationTemplate{AutoRedeem: true, AllowSyncIn: true},
		CreatedAt: at, CreatedBy: nina, Members: []tenancy.Member{member, bareMember}, Version: 5}
	bareOrg := tenancy.Organization{ID: "org-2", Owners: []string{}, Members: []tenancy.Member{}}
	xta := tenancy.CrossTenantAccess{TenantID: "contoso", PartnerTenantID: "northwind", OrganizationID: "org-1", AutoRedeem: true, AllowSyncIn: true,
		SyncConfiguration: "cfg", SyncJob: true, CreatedAt: at}
	allowed := tenancy.CheckResult{Allowed: true, Reason: access.ReasonAllowed, Via: &access.Via{RelationshipID: "rel-1", AssignmentID: "asg-1", RoleID: "site-lead"}}
	partVia := tenancy.CheckResult{Allowed: true, Reason: access.ReasonAllowed, Via: &access.Via{AssignmentID: "asg-1"}}
	deniedCheck := tenancy.CheckResult{Reason: access.ReasonNoGrant}
	mappings := []tenancy.GroupMapping{{Principal: "group:admin-agents", Roles: []string{"site-lead"}}, {Principal: "group:helpdesk-agents", Roles: []string{"helpdesk-admin"}, Scope: []string{"/sites/eu"}}}
	tpl := tenancy.InvitationTemplate{ID: "gdap-default", TenantID: "northwind", Name: "GDAP default", Roles: []string{"helpdesk-admin", "site-lead"}, Scope: []string{"/sites/*"},
		Duration: period.Duration(365 * 24 * time.Hour), AutoExtend: &d, RequireMFA: true, GroupMappings: mappings, CreatedAt: at, UpdatedAt: later, UpdatedBy: nina, Version: 2}
	bareTpl := tenancy.InvitationTemplate{ID: "t", Roles: []string{}, Scope: []string{}, GroupMappings: []tenancy.GroupMapping{}}
	fromTpl := inv
	fromTpl.TemplateID, fromTpl.GroupMappings = tpl.ID, mappings
	accepted := tenancy.Accepted{Relationship: rel, Assignments: []tenancy.Assignment{asg},
		Skipped: []tenancy.SkippedMapping{{Principal: "user:ivy", Roles: []string{"mmr-admin"}, Reason: tenancy.SkipRolesNotAccepted, Detail: "none of its roles is in the accepted ceiling"}}}
	cr := tenancy.ChangeRequest{ID: "cr-1", RelationshipID: "rel-1", PartnerTenant: "northwind", CustomerTenant: "contoso", Status: tenancy.ChangeRequestApproved,
		Roles: []string{"site-lead", "mmr-admin"}, Scope: []string{"/sites/us/*"}, Duration: &d, AutoExtend: &d, ApprovedRoles: []string{"site-lead"},
		ApprovedScope: []string{"/sites/us/nyc"}, ExpiresAt: later, CreatedAt: at, CreatedBy: nina, UpdatedAt: later, AnsweredBy: &carl, Version: 2}
	bareCR := tenancy.ChangeRequest{ID: "cr-2", Status: tenancy.ChangeRequestPending}
	return []sample{
		{"template", tpl},
		{"bare template", bareTpl},
		{"templates", tenancy.List[tenancy.InvitationTemplate]{Items: []tenancy.InvitationTemplate{tpl, bareTpl}, NextCursor: "t"}},
		{"invitation from a template", fromTpl},
		{"accepted from a template", accepted},
		{"accepted without a template", tenancy.Accepted{Relationship: bareRel}},
		{"tenant", tenancy.Tenant{ID: "contoso", Name: "Contoso", Domain: "contoso.example", MSP: true, Status: "active", CreatedAt: at, Version: 1}},
		{"bare tenant", tenancy.Tenant{}},
		{"invitation", inv},
		{"bare invitation", bareInv},
		{"invitations", tenancy.List[tenancy.Invitation]{Items: []tenancy.Invitation{inv, bareInv}, NextCursor: "abc"}},
		{"no invitations", tenancy.List[tenancy.Invitation]{Items: []tenancy.Invitation{}}},
		{"relationship", rel},
		{"bare relationship", bareRel},
		{"relationships", tenancy.List[tenancy.Relationship]{Items: []tenancy.Relationship{rel, bareRel}, NextCursor: "c"}},
		{"assignment", asg},
		{"bare assignment", bareAsg},
		{"assignments", tenancy.List[tenancy.Assignment]{Items: []tenancy.Assignment{asg, bareAsg}}},
		{"role", role},
		{"built-in role", builtIn},
		{"roles", tenancy.List[tenancy.CustomRole]{Items: []tenancy.CustomRole{builtIn, role}}},
		{"audit", tenancy.List[tenancy.AuditRecord]{Items: []tenancy.AuditRecord{audit, bareAudit}, NextCursor: "n"}},
		{"webhook", hook},
		{"bare webhook", bareHook},
		{"webhooks", tenancy.List[tenancy.Webhook]{Items: []tenancy.Webhook{hook, bareHook}}},
		{"deliveries", tenancy.List[tenancy.WebhookDelivery]{Items: []tenancy.WebhookDelivery{delivery, bareDelivery}, NextCursor: "d"}},
		{"targets", tenancy.List[tenancy.SwitchTarget]{Items: []tenancy.SwitchTarget{target, bareTarget}, NextCursor: "t"}},
		{"switch", switched},
		{"bare switch", bareSwitched},
		{"organization", org},
		{"bare organization", bareOrg},
		{"member", member},
		{"bare member", bareMember},
		{"cross-tenant access", tenancy.List[tenancy.CrossTenantAccess]{Items: []tenancy.CrossTenantAccess{xta, {}}}},
		{"check", allowed},
		{"check via an assignment", partVia},
		{"denied check", deniedCheck},
		{"checks", []tenancy.CheckResult{allowed, deniedCheck}},
		{"change requests", tenancy.List[tenancy.ChangeRequest]{Items: []tenancy.ChangeRequest{cr, bareCR}, NextCursor: "x"}},
	}
}
