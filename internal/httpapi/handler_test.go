package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/internal/httpapi"
	"github.com/switchboard/switchboard/internal/ids"
	"github.com/switchboard/switchboard/internal/localdb"
	"github.com/switchboard/switchboard/internal/localdb/dbtest"
	"github.com/switchboard/switchboard/internal/store"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// fixture: northwind (MSP) manages contoso; the group "techs" of northwind
// holds site-lead there under a relationship that requires MFA.
func fixture(t *testing.T) (*tenancy.Service, *store.Meter, string) {
	t.Helper()
	ctx := context.Background()
	meter := store.NewMeter()
	db, table := dbtest.Table(t, meter.Option())
	now := time.Date(2026, 11, 21, 23, 0, 0, 0, time.UTC)
	svc := tenancy.New(tenancy.Config{Store: store.New(db, table), Now: func() time.Time { return now }, NewID: ids.Sequence("id"), OperatorTenant: "platform"})
	op := tenancy.Caller{User: "op", Tenant: "platform"}
	for _, tn := range []tenancy.NewTenant{
		{ID: "northwind", Name: "Northwind", Domain: "northwind.example", MSP: true, Admins: []string{"user:nina"}},
		{ID: "contoso", Name: "Contoso", Domain: "contoso.example", Admins: []string{"user:carl"}},
	} {
		if _, err := svc.CreateTenant(ctx, op, tn); err != nil {
			t.Fatal(err)
		}
	}
	nina := tenancy.Caller{User: "nina", Tenant: "northwind"}
	inv, err := svc.CreateInvitation(ctx, nina, tenancy.NewInvitation{ToTenant: "contoso", Roles: []string{"site-lead"}, RequireMFA: true})
	if err != nil {
		t.Fatal(err)
	}
	rel, err := svc.AcceptInvitation(ctx, tenancy.Caller{User: "carl", Tenant: "contoso"}, inv.ID, tenancy.Acceptance{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AssignDelegated(ctx, nina, rel.ID, tenancy.NewAssignment{Principal: "group:techs", Roles: []string{"site-lead"}}); err != nil {
		t.Fatal(err)
	}
	meter.Reset()
	return svc, meter, rel.ID
}

func loadEvent(t *testing.T) lambdaevents.APIGatewayV2HTTPRequest {
	t.Helper()
	b, err := os.ReadFile("testdata/check-access-event.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev lambdaevents.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// setCaller gives the event a caller as API Gateway would hand it over: the
// bearer token (its signature already checked by the authorizer, so left
// blank here) in the Authorization header, and its claims flattened to
// strings, arrays as "[a b]", in the authorizer context.
func setCaller(t *testing.T, ev *lambdaevents.APIGatewayV2HTTPRequest, claims map[string]any) {
	t.Helper()
	b64 := base64.RawURLEncoding
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	ev.Headers["authorization"] = "Bearer " + b64.EncodeToString([]byte(`{"alg":"ES256","typ":"JWT"}`)) + "." + b64.EncodeToString(payload) + "." + b64.EncodeToString(make([]byte, 64))
	flat := map[string]string{}
	for k, v := range claims {
		switch x := v.(type) {
		case []string:
			flat[k] = "[" + strings.Join(x, " ") + "]"
		default:
			flat[k] = fmt.Sprint(x)
		}
	}
	ev.RequestContext.Authorizer.JWT.Claims = flat
}

func TestRealEventThroughTheHandler(t *testing.T) {
	svc, meter, relID := fixture(t)
	h := httpapi.New(svc, httpapi.FunctionCheckAccess, quiet())
	ev := loadEvent(t)

	res, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Allowed bool
		Reason  string
		Via     struct{ RelationshipID, AssignmentID, RoleID string }
	}
	if err := json.Unmarshal([]byte(res.Body), &got); err != nil {
		t.Fatalf("body %q: %v", res.Body, err)
	}
	if res.StatusCode != 200 || !got.Allowed || got.Via.RelationshipID != relID || got.Via.RoleID != "site-lead" {
		t.Errorf("Handle() = %d %s, want 200 allowed via %s/site-lead (groups and amr read from API Gateway's flattened claims)", res.StatusCode, res.Body, relID)
	}
	if n := meter.Total(); n != 1 {
		t.Errorf("check-access made %d DynamoDB requests, want 1", n)
	}

	// Without MFA.
	tom := func(groups, amr []string) map[string]any {
		return map[string]any{"sub": "tom", "tid": "northwind", "groups": groups, "amr": amr}
	}
	setCaller(t, &ev, tom([]string{"techs"}, []string{"pwd"}))
	res, _ = h.Handle(context.Background(), ev)
	if !strings.Contains(res.Body, `"reason":"mfa-required"`) {
		t.Errorf("without mfa: %s, want mfa-required", res.Body)
	}

	// A base64 body, as API Gateway sends binary media types.
	setCaller(t, &ev, tom([]string{"techs"}, []string{"mfa"}))
	ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(ev.Body)), true
	if res, _ = h.Handle(context.Background(), ev); res.StatusCode != 200 || !strings.Contains(res.Body, `"allowed":true`) {
		t.Errorf("base64 body: %d %s", res.StatusCode, res.Body)
	}
}

// TestClaimsAreNeverSplit: one element of a claim array is one group or one
// method. API Gateway flattens arrays to "[a b]" for the function, so the
// arrays are read from the bearer token; a value that can only be read
// ambiguously is refused.
func TestClaimsAreNeverSplit(t *testing.T) {
	svc, _, _ := fixture(t)
	h := httpapi.New(svc, httpapi.FunctionCheckAccess, quiet())
	for _, tc := range []struct {
		name   string
		groups []string
		amr    []string
		want   string
	}{
		{"the group and MFA as they are", []string{"techs"}, []string{"pwd", "mfa"}, `"reason":"allowed"`},
		{"a group whose name holds a space", []string{"night techs"}, []string{"pwd", "mfa"}, `"reason":"no-grant"`},
		{"a group whose name holds a comma", []string{"x,techs"}, []string{"pwd", "mfa"}, `"reason":"no-grant"`},
		{"an authentication method that holds a space", []string{"techs"}, []string{"pwd mfa"}, `"reason":"mfa-required"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := loadEvent(t)
			setCaller(t, &ev, map[string]any{"sub": "tom", "tid": "northwind", "groups": tc.groups, "amr": tc.amr})
			res, _ := h.Handle(context.Background(), ev)
			if res.StatusCode != 200 || !strings.Contains(res.Body, tc.want) {
				t.Errorf("Handle() with groups %q, amr %q = %d %s, want %s", tc.groups, tc.amr, res.StatusCode, res.Body, tc.want)
			}
		})
	}
	t.Run("flattened claims without the token", func(t *testing.T) {
		ev := loadEvent(t)
		delete(ev.Headers, "authorization")
		ev.RequestContext.Authorizer.JWT.Claims["groups"] = "[night techs]"
		res, _ := h.Handle(context.Background(), ev)
		if res.StatusCode != 401 || !strings.Contains(res.Body, "one value or several") {
			t.Errorf("Handle() with an ambiguous flattened claim = %d %s, want 401 saying it is ambiguous", res.StatusCode, res.Body)
		}
		ev.RequestContext.Authorizer.JWT.Claims["groups"], ev.RequestContext.Authorizer.JWT.Claims["amr"] = "[techs]", "[mfa]"
		if res, _ := h.Handle(context.Background(), ev); res.StatusCode != 200 || !strings.Contains(res.Body, `"allowed":true`) {
			t.Errorf("Handle() with one-element flattened claims = %d %s, want allowed", res.StatusCode, res.Body)
		}
	})
	t.Run("a token for another caller than the authorizer's claims", func(t *testing.T) {
		ev := loadEvent(t)
		setCaller(t, &ev, map[string]any{"sub": "tom", "tid": "northwind", "groups": []string{"techs"}, "amr": []string{"mfa"}})
		ev.RequestContext.Authorizer.JWT.Claims["sub"] = "ann"
		if res, _ := h.Handle(context.Background(), ev); res.StatusCode != 401 {
			t.Errorf("Handle() = %d %s, want 401", res.StatusCode, res.Body)
		}
	})
}

func TestBadInputIsAProblemAndWritesNothing(t *testing.T) {
	svc, meter, relID := fixture(t)
	tests := []struct {
		name     string
		function string
		route    string
		path     map[string]string
		body     string
		claims   map[string]string
		status   int
		field    string
	}{
		{"malformed JSON", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":`, nil, 400, ""},
		{"unknown field", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":{"tenantId":"contoso"},"roles":["site-lead"],"admin":true}`, nil, 400, "admin"},
		{"wrong type", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":{"tenantId":"contoso"},"roles":"site-lead"}`, nil, 400, "roles"},
		{"two values", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":{"tenantId":"contoso"},"roles":["site-lead"]}{}`, nil, 400, ""},
		{"empty body", httpapi.FunctionInvite, "POST /invitations", nil, ``, nil, 400, ""},
		{"oversize", httpapi.FunctionInvite, "POST /invitations", nil, `{"roles":["` + strings.Repeat("x", httpapi.MaxBody) + `"]}`, nil, 413, ""},
		{"invalid duration", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":{"tenantId":"contoso"},"roles":["site-lead"],"duration":"P1M"}`, nil, 400, "duration"},
		{"duration of the wrong type", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":{"tenantId":"contoso"},"roles":["site-lead"],"expiresIn":14}`, nil, 400, "expiresIn"},
		{"field name in the wrong case", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":{"TenantId":"contoso"},"roles":["site-lead"]}`, nil, 400, "to.TenantId"},
		{"field given twice", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":{"tenantId":"contoso"},"roles":["site-lead"],"roles":["global-admin"]}`, nil, 400, "roles"},
		{"unknown nested field in a batch", httpapi.FunctionCheckAccess, "POST /check-access", nil, `{"checks":[{"tenantId":"contoso","permission":"rooms.view","principal":{"id":"user:a","tenantId":"x","admin":true}}]}`, nil, 400, "checks.principal.admin"},
		{"duration out of range", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":{"tenantId":"contoso"},"roles":["site-lead"],"duration":"P800D"}`, nil, 422, "duration"},
		{"invalid scope", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":{"tenantId":"contoso"},"roles":["site-lead"],"scope":["/a/../b"]}`, nil, 422, "scope"},
		{"unknown role", httpapi.FunctionInvite, "POST /invitations", nil, `{"to":{"tenantId":"contoso"},"roles":["superuser"]}`, nil, 422, "roles"},
		{"role outside ceiling", httpapi.FunctionAssignRole, "POST /relationships/{id}/assignments", map[string]string{"id": relID}, `{"principal":"user:ann","roles":["mmr-admin"]}`, nil, 422, "roles"},
		{"bad principal", httpapi.FunctionAssignRole, "POST /relationships/{id}/assignments", map[string]string{"id": relID}, `{"principal":"ann","roles":["site-lead"]}`, nil, 422, "principal"},
		{"absurdly long id", httpapi.FunctionAssignRole, "POST /relationships/{id}/assignments", map[string]string{"id": strings.Repeat("x", 3000)}, `{"principal":"user:ann","roles":["site-lead"]}`, nil, 404, ""},
		{"unknown relationship", httpapi.FunctionAssignRole, "POST /relationships/{id}/assignments", map[string]string{"id": "nope"}, `{"principal":"user:ann","roles":["site-lead"]}`, nil, 404, ""},
		{"unknown permission", httpapi.FunctionCheckAccess, "POST /check-access", nil, `{"tenantId":"contoso","permission":"rooms.fly"}`, nil, 422, "permission"},
		{"bad resource", httpapi.FunctionCheckAccess, "POST /check-access", nil, `{"tenantId":"contoso","permission":"rooms.view","resource":"/sites/%2e%2e"}`, nil, 422, "resource"},
		{"too many checks", httpapi.FunctionCheckAccess, "POST /check-access", nil, `{"checks":[` + strings.Repeat(`{"tenantId":"contoso","permission":"rooms.view"},`, 100) + `{"tenantId":"contoso","permission":"rooms.view"}]}`, nil, 422, "checks"},
		{"single and batch", httpapi.FunctionCheckAccess, "POST /check-access", nil, `{"tenantId":"contoso","permission":"rooms.view","checks":[]}`, nil, 400, "checks"},
		{"bad limit", httpapi.FunctionQuery, "GET /relationships", nil, ``, nil, 400, "limit"},
		{"no claims", httpapi.FunctionQuery, "GET /relationships", nil, ``, map[string]string{}, 401, ""},
		{"route of another function", httpapi.FunctionQuery, "POST /invitations", nil, `{}`, nil, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := httpapi.New(svc, tc.function, quiet())
			ev := loadEvent(t)
			ev.RouteKey, ev.PathParameters, ev.Body = tc.route, tc.path, tc.body
			setCaller(t, &ev, map[string]any{"sub": "nina", "tid": "northwind"})
			if tc.claims != nil {
				ev.RequestContext.Authorizer.JWT.Claims = tc.claims
			}
			if tc.name == "bad limit" {
				ev.QueryStringParameters = map[string]string{"limit": "1000"}
			}
			meter.Reset()
			res, err := h.Handle(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			var p httpapi.Problem
			if res.StatusCode != tc.status || res.Headers["Content-Type"] != "application/problem+json" || json.Unmarshal([]byte(res.Body), &p) != nil {
				t.Fatalf("Handle() = %d %s %s, want %d problem+json", res.StatusCode, res.Headers["Content-Type"], res.Body, tc.status)
			}
			if p.Status != tc.status || p.Field != tc.field || p.Detail == "" {
				t.Errorf("problem = %+v, want status %d field %q and a detail", p, tc.status, tc.field)
			}
			for op, n := range meter.Counts() {
				if op != "GetItem" && op != "Query" {
					t.Errorf("bad input made %d %s calls, want no writes", n, op)
				}
			}
		})
	}
}

func TestStoreFailures(t *testing.T) {
	ctx := context.Background()
	ev := loadEvent(t)
	// No table: an error no retry cures is a plain 500 that names the request
	// id and hides the cause.
	svc := tenancy.New(tenancy.Config{Store: store.New(localdb.Client(dbtest.Endpoint(t)), "missing"), Now: time.Now, NewID: ids.New, OperatorTenant: "platform"})
	res, _ := httpapi.New(svc, httpapi.FunctionCheckAccess, quiet()).Handle(ctx, ev)
	if res.StatusCode != 500 || strings.Contains(res.Body, "missing") || strings.Contains(res.Body, "ResourceNotFound") || !strings.Contains(res.Body, ev.RequestContext.RequestID) {
		t.Errorf("Handle() = %d %s, want a 500 that quotes the request id and hides the cause", res.StatusCode, res.Body)
	}
	// The database unreachable: 503 with a retry hint.
	down, err := localdb.NewProxy(dbtest.Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	db, table := dbtest.TableAt(t, down.URL)
	down.Close()
	svc = tenancy.New(tenancy.Config{Store: store.New(db, table), Now: time.Now, NewID: ids.New, OperatorTenant: "platform"})
	res, _ = httpapi.New(svc, httpapi.FunctionCheckAccess, quiet()).Handle(ctx, ev)
	if res.StatusCode != 503 || res.Headers["Retry-After"] == "" || res.Headers["Content-Type"] != "application/problem+json" || strings.Contains(res.Body, "127.0.0.1") {
		t.Errorf("Handle() with the database down = %d %v %s, want 503 problem+json with Retry-After", res.StatusCode, res.Headers, res.Body)
	}
}
