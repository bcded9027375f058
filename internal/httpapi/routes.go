// Package httpapi adapts API Gateway HTTP API (payload v2) events to the
// tenancy service: it reads the caller from the JWT authorizer's claims,
// decodes strict JSON, and maps every error to a status and an RFC 9457
// problem document in one place.
package httpapi

import "strings"

// Function names: one Lambda each. The route table says which routes each
// serves; the local stack and the CDK stack both read it.
const (
	FunctionTenants       = "tenants"
	FunctionInvite        = "invite"
	FunctionAccept        = "accept"
	FunctionAssignRole    = "assign-role"
	FunctionOffboard      = "offboard"
	FunctionCheckAccess   = "check-access"
	FunctionQuery         = "query"
	FunctionWebhooks      = "webhooks"
	FunctionSwitch        = "switch"
	FunctionOrganizations = "organizations"
)

// Route is one HTTP route of the API.
type Route struct {
	Method   string
	Path     string // API Gateway template, e.g. /invitations/{id}/accept
	Function string
	// Public routes carry no token: no JWT authorizer runs on them.
	Public bool
}

// Key is the API Gateway route key, "POST /invitations".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Routes is the API: SPEC §3, as far as the functions built so far serve it.
var Routes = []Route{
	{Method: "POST", Path: "/tenants", Function: FunctionTenants},
	{Method: "GET", Path: "/tenants/{tenantId}", Function: FunctionQuery},
	{Method: "POST", Path: "/invitations", Function: FunctionInvite},
	{Method: "GET", Path: "/invitations", Function: FunctionQuery},
	{Method: "POST", Path: "/invitations/{id}/accept", Function: FunctionAccept},
	{Method: "POST", Path: "/invitations/{id}/decline", Function: FunctionAccept},
	{Method: "DELETE", Path: "/invitations/{id}", Function: FunctionInvite},
	{Method: "GET", Path: "/relationships", Function: FunctionQuery},
	{Method: "GET", Path: "/relationships/{id}", Function: FunctionQuery},
	{Method: "DELETE", Path: "/relationships/{id}", Function: FunctionOffboard},
	{Method: "POST", Path: "/relationships/{id}/assignments", Function: FunctionAssignRole},
	{Method: "GET", Path: "/relationships/{id}/assignments", Function: FunctionQuery},
	{Method: "DELETE", Path: "/relationships/{id}/assignments/{assignmentId}", Function: FunctionAssignRole},
	{Method: "POST", Path: "/tenants/{tenantId}/roles", Function: FunctionAssignRole},
	{Method: "GET", Path: "/tenants/{tenantId}/roles", Function: FunctionQuery},
	{Method: "POST", Path: "/tenants/{tenantId}/assignments", Function: FunctionAssignRole},
	{Method: "DELETE", Path: "/tenants/{tenantId}/assignments/{assignmentId}", Function: FunctionAssignRole},
	{Method: "POST", Path: "/check-access", Function: FunctionCheckAccess},
	{Method: "GET", Path: "/tenants/{tenantId}/audit", Function: FunctionQuery},
	{Method: "POST", Path: "/tenants/{tenantId}/webhooks", Function: FunctionWebhooks},
	{Method: "GET", Path: "/tenants/{tenantId}/webhooks", Function: FunctionQuery},
	{Method: "DELETE", Path: "/tenants/{tenantId}/webhooks/{webhookId}", Function: FunctionWebhooks},
	{Method: "GET", Path: "/tenants/{tenantId}/webhooks/{webhookId}/deliveries", Function: FunctionQuery},
	{Method: "GET", Path: "/switch/targets", Function: FunctionSwitch},
	{Method: "POST", Path: "/switch", Function: FunctionSwitch},
	{Method: "GET", Path: "/.well-known/jwks.json", Function: FunctionSwitch, Public: true},
	{Method: "POST", Path: "/organizations", Function: FunctionOrganizations},
	{Method: "GET", Path: "/organizations/{id}", Function: FunctionQuery},
	{Method: "POST", Path: "/organizations/{id}/tenants", Function: FunctionOrganizations},
	{Method: "POST", Path: "/organizations/{id}/join", Function: FunctionOrganizations},
	{Method: "DELETE", Path: "/organizations/{id}/tenants/{tenantId}", Function: FunctionOrganizations},
	{Method: "POST", Path: "/organizations/{id}/owners", Function: FunctionOrganizations},
	{Method: "GET", Path: "/tenants/{tenantId}/cross-tenant-access", Function: FunctionQuery},
	{Method: "DELETE", Path: "/tenants/{tenantId}/cross-tenant-access/{partnerTenantId}", Function: FunctionOrganizations},
}

// Match finds the route for a request path, with its path parameters, as API
// Gateway does; allowed lists the methods the path has when none matches.
func Match(method, path string) (route Route, params map[string]string, allowed []string, ok bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, r := range Routes {
		p, matched := matchTemplate(r.Path, segs)
		if !matched {
			continue
		}
		if r.Method == method {
			return r, p, nil, true
		}
		allowed = append(allowed, r.Method)
	}
	return Route{}, nil, allowed, false
}

func matchTemplate(template string, segs []string) (map[string]string, bool) {
	tsegs := strings.Split(strings.Trim(template, "/"), "/")
	if len(tsegs) != len(segs) {
		return nil, false
	}
	params := map[string]string{}
	for i, t := range tsegs {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if segs[i] == "" {
				return nil, false
			}
			params[t[1:len(t)-1]] = segs[i]
			continue
		}
		if t != segs[i] {
			return nil, false
		}
	}
	return params, true
}
