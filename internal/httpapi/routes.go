// Package httpapi adapts API Gateway HTTP API (payload v2) events to the
// tenancy service: it reads the caller from the JWT authorizer's claims,
// decodes strict JSON, answers each operation's view of the domain value and
// maps every error to a status and an RFC 9457 problem document in one place.
package httpapi

import (
	"context"

	"github.com/switchboard/switchboard/internal/routes"
)

//go:generate go test -run TestRouteDataIsCurrent -update .

// The route table as data lives in internal/routes (generated from table
// below), for the registry and the CDK app, which must not link handlers.
// These names keep it readable from here.
type Route = routes.Route

// Routes is the route table as data: table without its code.
var Routes = routes.All

// Match finds the route of a request path as API Gateway does (routes.Match).
func Match(method, path string) (Route, map[string]string, []string, bool) {
	return routes.Match(method, path)
}

// Function names, as internal/routes declares them.
const (
	FunctionTenants       = routes.FunctionTenants
	FunctionInvite        = routes.FunctionInvite
	FunctionAccept        = routes.FunctionAccept
	FunctionAssignRole    = routes.FunctionAssignRole
	FunctionOffboard      = routes.FunctionOffboard
	FunctionCheckAccess   = routes.FunctionCheckAccess
	FunctionQuery         = routes.FunctionQuery
	FunctionWebhooks      = routes.FunctionWebhooks
	FunctionSwitch        = routes.FunctionSwitch
	FunctionOrganizations = routes.FunctionOrganizations
)

// operation serves one route: it answers a status and a view to render, or an
// error for problemFor.
type operation func(h *Handler, ctx context.Context, r request) (status int, body any, err error)

// endpoint is a route with its operation.
type endpoint struct {
	Route
	op operation
}

// table is the API — SPEC §3, as far as the functions built so far serve it:
// each route, the function that serves it and its operation. A route is
// added here (and in openapi.yaml) only; go generate then writes its data
// into internal/routes.
var table = []endpoint{
	{Route{Method: "POST", Path: "/tenants", Function: FunctionTenants}, (*Handler).createTenant},
	{Route{Method: "GET", Path: "/tenants/{tenantId}", Function: FunctionQuery}, (*Handler).getTenant},
	{Route{Method: "POST", Path: "/invitations", Function: FunctionInvite}, (*Handler).createInvitation},
	{Route{Method: "GET", Path: "/invitations", Function: FunctionQuery}, (*Handler).listInvitations},
	{Route{Method: "POST", Path: "/invitations/{id}/accept", Function: FunctionAccept}, (*Handler).acceptInvitation},
	{Route{Method: "POST", Path: "/invitations/{id}/decline", Function: FunctionAccept}, (*Handler).declineInvitation},
	{Route{Method: "DELETE", Path: "/invitations/{id}", Function: FunctionInvite}, (*Handler).cancelInvitation},
	{Route{Method: "POST", Path: "/invitations/batch", Function: FunctionInvite}, (*Handler).inviteBatch},
	{Route{Method: "POST", Path: "/tenants/{tenantId}/invitation-templates", Function: FunctionInvite}, (*Handler).saveTemplate},
	{Route{Method: "GET", Path: "/tenants/{tenantId}/invitation-templates", Function: FunctionQuery}, (*Handler).listTemplates},
	{Route{Method: "GET", Path: "/relationships", Function: FunctionQuery}, (*Handler).listRelationships},
	{Route{Method: "GET", Path: "/relationships/{id}", Function: FunctionQuery}, (*Handler).getRelationship},
	{Route{Method: "DELETE", Path: "/relationships/{id}", Function: FunctionOffboard}, (*Handler).terminateRelationship},
	{Route{Method: "PATCH", Path: "/relationships/{id}", Function: FunctionOffboard}, (*Handler).narrowRelationship},
	{Route{Method: "POST", Path: "/relationships/{id}/change-requests", Function: FunctionInvite}, (*Handler).requestChange},
	{Route{Method: "GET", Path: "/relationships/{id}/change-requests", Function: FunctionQuery}, (*Handler).listChangeRequests},
	{Route{Method: "POST", Path: "/relationships/{id}/change-requests/{crId}/approve", Function: FunctionAccept}, (*Handler).approveChange},
	{Route{Method: "POST", Path: "/relationships/{id}/change-requests/{crId}/decline", Function: FunctionAccept}, (*Handler).declineChange},
	{Route{Method: "POST", Path: "/relationships/{id}/assignments", Function: FunctionAssignRole}, (*Handler).assignDelegated},
	{Route{Method: "GET", Path: "/relationships/{id}/assignments", Function: FunctionQuery}, (*Handler).listRelationshipAssignments},
	{Route{Method: "DELETE", Path: "/relationships/{id}/assignments/{assignmentId}", Function: FunctionAssignRole}, (*Handler).removeDelegated},
	{Route{Method: "POST", Path: "/tenants/{tenantId}/roles", Function: FunctionAssignRole}, (*Handler).saveRole},
	{Route{Method: "GET", Path: "/tenants/{tenantId}/roles", Function: FunctionQuery}, (*Handler).listRoles},
	{Route{Method: "POST", Path: "/tenants/{tenantId}/assignments", Function: FunctionAssignRole}, (*Handler).assignNative},
	{Route{Method: "DELETE", Path: "/tenants/{tenantId}/assignments/{assignmentId}", Function: FunctionAssignRole}, (*Handler).removeNative},
	{Route{Method: "POST", Path: "/check-access", Function: FunctionCheckAccess}, (*Handler).checkAccess},
	{Route{Method: "GET", Path: "/tenants/{tenantId}/audit", Function: FunctionQuery}, (*Handler).listAudit},
	{Route{Method: "POST", Path: "/tenants/{tenantId}/webhooks", Function: FunctionWebhooks}, (*Handler).createWebhook},
	{Route{Method: "GET", Path: "/tenants/{tenantId}/webhooks", Function: FunctionQuery}, (*Handler).listWebhooks},
	{Route{Method: "DELETE", Path: "/tenants/{tenantId}/webhooks/{webhookId}", Function: FunctionWebhooks}, (*Handler).deleteWebhook},
	{Route{Method: "GET", Path: "/tenants/{tenantId}/webhooks/{webhookId}/deliveries", Function: FunctionQuery}, (*Handler).listWebhookDeliveries},
	{Route{Method: "GET", Path: "/switch/targets", Function: FunctionSwitch}, (*Handler).switchTargets},
	{Route{Method: "POST", Path: "/switch", Function: FunctionSwitch}, (*Handler).switchTenant},
	{Route{Method: "GET", Path: "/.well-known/jwks.json", Function: FunctionSwitch, Public: true}, (*Handler).jwks},
	{Route{Method: "POST", Path: "/organizations", Function: FunctionOrganizations}, (*Handler).createOrganization},
	{Route{Method: "GET", Path: "/organizations/{id}", Function: FunctionQuery}, (*Handler).getOrganization},
	{Route{Method: "POST", Path: "/organizations/{id}/tenants", Function: FunctionOrganizations}, (*Handler).addOrganizationTenant},
	{Route{Method: "POST", Path: "/organizations/{id}/join", Function: FunctionOrganizations}, (*Handler).joinOrganization},
	{Route{Method: "DELETE", Path: "/organizations/{id}/tenants/{tenantId}", Function: FunctionOrganizations}, (*Handler).removeOrganizationTenant},
	{Route{Method: "POST", Path: "/organizations/{id}/owners", Function: FunctionOrganizations}, (*Handler).addOrganizationOwner},
	{Route{Method: "GET", Path: "/tenants/{tenantId}/cross-tenant-access", Function: FunctionQuery}, (*Handler).listCrossTenantAccess},
	{Route{Method: "DELETE", Path: "/tenants/{tenantId}/cross-tenant-access/{partnerTenantId}", Function: FunctionOrganizations}, (*Handler).removeCrossTenantAccess},
}
