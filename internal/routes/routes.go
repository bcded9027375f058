// Package routes is the HTTP API's route table as plain data: each route's
// method, path, the function that serves it and its operation. It imports
// nothing of the runtime, so the registry and the CDK app read it without
// linking a handler. The table itself is written once, in internal/httpapi,
// where each route carries the code of its operation; table.go here is
// generated from it (go generate ./internal/httpapi) and a test fails while
// it is stale.
package routes

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
	// Operation is the route's operationId in openapi.yaml, which is also the
	// name of the httpapi method that serves it.
	Operation string
	// Public routes carry no token: no JWT authorizer runs on them.
	Public bool
}

// Key is the API Gateway route key, "POST /invitations".
func (r Route) Key() string { return r.Method + " " + r.Path }

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
