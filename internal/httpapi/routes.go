// Package httpapi adapts API Gateway HTTP API (payload v2) events to the
// tenancy service: it reads the caller from the JWT authorizer's claims,
// decodes strict JSON, and maps every error to a status and an RFC 9457
// problem document in one place.
package httpapi

import "strings"

// Function names: one Lambda each. The route table says which routes each
// serves; the local stack and the CDK stack both read it.
const (
	FunctionTenants     = "tenants"
	FunctionInvite      = "invite"
	FunctionAccept      = "accept"
	FunctionAssignRole  = "assign-role"
	FunctionOffboard    = "offboard"
	FunctionCheckAccess = "check-access"
	FunctionQuery       = "query"
	FunctionWebhooks    = "webhooks"
)

// Functions lists every HTTP function.
var Functions = []string{FunctionTenants, FunctionInvite, FunctionAccept, FunctionAssignRole, FunctionOffboard, FunctionCheckAccess, FunctionQuery, FunctionWebhooks}

// Route is one HTTP route of the API.
type Route struct {
	Method   string
	Path     string // API Gateway template, e.g. /invitations/{id}/accept
	Function string
}

// Key is the API Gateway route key, "POST /invitations".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Routes is the API: SPEC §3, as far as the functions built so far serve it.
var Routes = []Route{
	{"POST", "/tenants", FunctionTenants},
	{"GET", "/tenants/{tenantId}", FunctionQuery},
	{"POST", "/invitations", FunctionInvite},
	{"GET", "/invitations", FunctionQuery},
	{"POST", "/invitations/{id}/accept", FunctionAccept},
	{"POST", "/invitations/{id}/decline", FunctionAccept},
	{"DELETE", "/invitations/{id}", FunctionInvite},
	{"GET", "/relationships", FunctionQuery},
	{"GET", "/relationships/{id}", FunctionQuery},
	{"DELETE", "/relationships/{id}", FunctionOffboard},
	{"POST", "/relationships/{id}/assignments", FunctionAssignRole},
	{"GET", "/relationships/{id}/assignments", FunctionQuery},
	{"DELETE", "/relationships/{id}/assignments/{assignmentId}", FunctionAssignRole},
	{"POST", "/tenants/{tenantId}/roles", FunctionAssignRole},
	{"GET", "/tenants/{tenantId}/roles", FunctionQuery},
	{"POST", "/tenants/{tenantId}/assignments", FunctionAssignRole},
	{"DELETE", "/tenants/{tenantId}/assignments/{assignmentId}", FunctionAssignRole},
	{"POST", "/check-access", FunctionCheckAccess},
	{"GET", "/tenants/{tenantId}/audit", FunctionQuery},
	{"POST", "/tenants/{tenantId}/webhooks", FunctionWebhooks},
	{"GET", "/tenants/{tenantId}/webhooks", FunctionQuery},
	{"DELETE", "/tenants/{tenantId}/webhooks/{webhookId}", FunctionWebhooks},
	{"GET", "/tenants/{tenantId}/webhooks/{webhookId}/deliveries", FunctionQuery},
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
