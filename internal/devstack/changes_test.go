package devstack_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
)

// TestRelationshipChangesOverHTTP follows the README's lines on changing a
// relationship after acceptance — filters, narrowing, a change request
// approved narrower, privileges removed — checking every exchange against
// openapi.yaml, and that both sides' audit logs say what changed.
func TestRelationshipChangesOverHTTP(t *testing.T) {
	st := startStack(t)
	api := loadContract(t)
	d := st.s.Demo
	nina, carl, tom := st.token(d.MSPAdmin, d.MSP), st.token(d.CustomerAdmin, d.Customer), st.token(d.Technician, d.MSP)
	call := func(tok, method, path, body string, status int, out any) response {
		t.Helper()
		res := st.mustDo(method, path, tok, body, status, out)
		api.check(method, path, body, res)
		return res
	}
	rel := "/relationships/" + d.RelationshipID
	type relView struct {
		Ceiling                              []struct{ ID string }
		Scope                                []string
		Privileges, Status, CustomerTenantID string
	}
	var list struct{ Items []relView }
	call(nina, "GET", "/relationships?side=partner&role=site-lead&endsWithin=P400D&status=active", "", 200, &list)
	if len(list.Items) != 1 || list.Items[0].CustomerTenantID != d.Customer {
		t.Errorf("filtered view = %+v, want contoso", list.Items)
	}
	call(nina, "GET", "/relationships?side=partner&endsWithin=P30D", "", 200, &list)
	if len(list.Items) != 0 {
		t.Errorf("ending within 30 days: %+v, want none", list.Items)
	}
	for _, bad := range []string{"endsWithin=30d", "status=paused", "role=Not%20A%20Role"} {
		call(nina, "GET", "/relationships?"+bad, "", 400, nil)
	}

	// The customer narrows: site-lead out, scope to /sites/eu/*.
	call(nina, "POST", rel+"/assignments", `{"principal":"user:ivy","roles":["site-lead"]}`, 201, nil)
	call(carl, "PATCH", rel, `{"roles":["helpdesk-admin","global-admin"]}`, 422, nil)
	call(nina, "PATCH", rel, `{"roles":["helpdesk-admin"]}`, 403, nil)
	var narrowed relView
	call(carl, "PATCH", rel, `{"roles":["helpdesk-admin"],"scope":["/sites/eu/*"]}`, 200, &narrowed)
	if len(narrowed.Ceiling) != 1 || !slices.Equal(narrowed.Scope, []string{"/sites/eu/*"}) || narrowed.Privileges != "delegated" {
		t.Errorf("narrowed = %+v", narrowed)
	}
	var check struct {
		Allowed bool
		Reason  string
	}
	call(st.token("ivy", d.MSP), "POST", "/check-access", `{"tenantId":"contoso","permission":"rooms.view","resource":"/sites/eu/paris"}`, 200, &check)
	if check.Allowed {
		t.Error("ivy's site-lead still allows rooms.view after the narrowing")
	}
	call(tom, "POST", "/check-access", `{"tenantId":"contoso","permission":"tickets.update","resource":"/sites/us/nyc"}`, 200, &check)
	if check.Reason != "out-of-scope" {
		t.Errorf("tom outside the narrowed scope: %s, want out-of-scope", check.Reason)
	}

	// The partner asks for more; the customer approves part of it.
	var cr struct{ ID, Status string }
	call(nina, "POST", rel+"/change-requests", `{"roles":["site-lead"],"scope":["/sites/us/*"]}`, 201, &cr)
	call(nina, "POST", rel+"/change-requests", `{"roles":["mmr-admin"]}`, 409, nil)
	call(nina, "POST", rel+"/change-requests", `{"roles":["helpdesk-admin"]}`, 422, nil)
	call(carl, "POST", rel+"/change-requests", `{"roles":["mmr-admin"]}`, 403, nil)
	call(tom, "GET", rel+"/change-requests", "", 403, nil)
	call(carl, "GET", rel+"/change-requests", "", 200, nil)
	call(nina, "POST", rel+"/change-requests/"+cr.ID+"/approve", `{}`, 403, nil)
	call(carl, "POST", rel+"/change-requests/"+cr.ID+"/approve", `{"roles":["global-admin"]}`, 422, nil)
	var approved struct {
		Status       string
		Relationship relView
	}
	call(carl, "POST", rel+"/change-requests/"+cr.ID+"/approve", `{"scope":["/sites/us/nyc"]}`, 200, &approved)
	if approved.Status != "approved" || !slices.Equal(approved.Relationship.Scope, []string{"/sites/eu/*", "/sites/us/nyc"}) || len(approved.Relationship.Ceiling) != 2 {
		t.Errorf("approved = %+v", approved)
	}
	call(carl, "POST", rel+"/change-requests/"+cr.ID+"/approve", `{}`, 409, nil)
	call(carl, "POST", rel+"/change-requests/"+cr.ID+"/decline", `{}`, 409, nil)
	var second struct{ ID string }
	call(nina, "POST", rel+"/change-requests", `{"roles":["mmr-admin"]}`, 201, &second)
	call(carl, "POST", rel+"/change-requests/"+second.ID+"/decline", "", 200, nil)

	// Privileges removed, partner kept: both sides still see it.
	var none relView
	call(carl, "PATCH", rel, `{"roles":[]}`, 200, &none)
	if none.Status != "active" || none.Privileges != "none" {
		t.Errorf("no privileges = %+v, want active and privileges none", none)
	}
	call(carl, "GET", "/relationships?side=customer", "", 200, &list)
	if len(list.Items) != 1 || list.Items[0].Privileges != "none" {
		t.Errorf("the customer's view = %+v", list.Items)
	}
	call(nina, "GET", rel, "", 200, &none)
	if none.Privileges != "none" {
		t.Errorf("the partner's view = %+v", none)
	}
	call(nina, "POST", rel+"/assignments", `{"principal":"user:tom","roles":["helpdesk-admin"]}`, 422, nil)

	if err := st.s.Bus.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, side := range []struct{ tenant, tok string }{{d.Customer, carl}, {d.MSP, nina}} {
		var audit struct {
			Items []struct {
				Type   string
				Detail json.RawMessage
			}
		}
		call(side.tok, "GET", "/tenants/"+side.tenant+"/audit?limit=100", "", 200, &audit)
		var types []string
		for _, it := range audit.Items {
			types = append(types, it.Type)
		}
		for _, want := range []string{"RelationshipNarrowed", "ChangeRequestCreated", "ChangeRequestApproved", "ChangeRequestDeclined"} {
			if !slices.Contains(types, want) {
				t.Errorf("%s's audit log lacks %s: %v", side.tenant, want, types)
			}
		}
	}
}
