// Package routes is the HTTP API's route table as data: each route's method,
// path template and the function (registry) that serves it, and whether it
// is public. httpapi binds each route to its operation; the local stack
// matches requests with it; infra creates the API Gateway routes from it —
// without linking any runtime code.
package routes

import (
	"strings"

	"github.com/switchboard/switchboard/internal/registry"
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

// All is the API: SPEC §3, as far as the functions built so far serve it.
var All = []Route{
	{Method: "POST", Path: "/tenants", Function: registry.Tenants},
	{Method: "GET", Path: "/tenants/{tenantId}", Function: registry.Query},
	{Method: "POST", Path: "/invitations", Function: registry.Invite},
	{Method: "GET", Path: "/invitations", Function: registry.Query},
	{Method: "POST", Path: "/invitations/{id}/accept", Function: registry.Accept},
	{Method: "POST", Path: "/invitations/{id}/decline", Function: registry.Accept},
	{Method: "DELETE", Path: "/invitations/{id}", Function: registry.Invite},
	{Method: "GET", Path: "/relationships", Function: registry.Query},
	{Method: "GET", Path: "/relationships/{id}", Function: registry.Query},
	{Method: "DELETE", Path: "/relationships/{id}", Function: registry.Offboard},
	{Method: "POST", Path: "/relationships/{id}/assignments", Function: registry.AssignRole},
	{Method: "GET", Path: "/relationships/{id}/assignments", Function: registry.Query},
	{Method: "DELETE", Path: "/relationships/{id}/assignments/{assignmentId}", Function: registry.AssignRole},
	{Method: "POST", Path: "/tenants/{tenantId}/roles", Function: registry.AssignRole},
	{Method: "GET", Path: "/tenants/{tenantId}/roles", Function: registry.Query},
	{Method: "POST", Path: "/tenants/{tenantId}/assignments", Function: registry.AssignRole},
	{Method: "DELETE", Path: "/tenants/{tenantId}/assignments/{assignmentId}", Function: registry.AssignRole},
	{Method: "POST", Path: "/check-access", Function: registry.CheckAccess},
	{Method: "GET", Path: "/tenants/{tenantId}/audit", Function: registry.Query},
	{Method: "POST", Path: "/tenants/{tenantId}/webhooks", Function: registry.Webhooks},
	{Method: "GET", Path: "/tenants/{tenantId}/webhooks", Function: registry.Query},
	{Method: "DELETE", Path: "/tenants/{tenantId}/webhooks/{webhookId}", Function: registry.Webhooks},
	{Method: "GET", Path: "/tenants/{tenantId}/webhooks/{webhookId}/deliveries", Function: registry.Query},
	{Method: "GET", Path: "/switch/targets", Function: registry.Switch},
	{Method: "POST", Path: "/switch", Function: registry.Switch},
	{Method: "GET", Path: "/.well-known/jwks.json", Function: registry.Switch, Public: true},
	{Method: "POST", Path: "/organizations", Function: registry.Organizations},
	{Method: "GET", Path: "/organizations/{id}", Function: registry.Query},
	{Method: "POST", Path: "/organizations/{id}/tenants", Function: registry.Organizations},
	{Method: "POST", Path: "/organizations/{id}/join", Function: registry.Organizations},
	{Method: "DELETE", Path: "/organizations/{id}/tenants/{tenantId}", Function: registry.Organizations},
	{Method: "POST", Path: "/organizations/{id}/owners", Function: registry.Organizations},
	{Method: "GET", Path: "/tenants/{tenantId}/cross-tenant-access", Function: registry.Query},
	{Method: "DELETE", Path: "/tenants/{tenantId}/cross-tenant-access/{partnerTenantId}", Function: registry.Organizations},
}

// Of answers the routes function serves, in the table's order.
func Of(function string) []Route {
	var out []Route
	for _, r := range All {
		if r.Function == function {
			out = append(out, r)
		}
	}
	return out
}

// Match finds the route for a request path, with its path parameters, as API
// Gateway does; allowed lists the methods the path has when none matches.
func Match(method, path string) (route Route, params map[string]string, allowed []string, ok bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, r := range All {
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
