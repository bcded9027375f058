package httpapi

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// view is what the operations answer for a sample's domain value.
func view(t *testing.T, v any) any {
	switch v := v.(type) {
	case tenancy.Tenant:
		return viewTenant(v)
	case tenancy.Invitation:
		return viewInvitation(v)
	case tenancy.List[tenancy.Invitation]:
		return viewPage(v, viewInvitation)
	case tenancy.Relationship:
		return viewRelationship(v)
	case tenancy.List[tenancy.Relationship]:
		return viewPage(v, viewRelationship)
	case tenancy.Assignment:
		return viewAssignment(v)
	case tenancy.List[tenancy.Assignment]:
		return viewPage(v, viewAssignment)
	case tenancy.CustomRole:
		return viewRole(v)
	case tenancy.List[tenancy.CustomRole]:
		return viewAll(v.Items, viewRole)
	case tenancy.List[tenancy.AuditRecord]:
		return viewPage(v, viewAuditRecord)
	case tenancy.Webhook:
		return viewWebhook(v)
	case tenancy.List[tenancy.Webhook]:
		return viewAll(v.Items, viewWebhook)
	case tenancy.List[tenancy.WebhookDelivery]:
		return viewPage(v, viewWebhookDelivery)
	case tenancy.List[tenancy.SwitchTarget]:
		return viewPage(v, viewSwitchTarget)
	case tenancy.SwitchResult:
		return viewSwitchResult(v)
	case tenancy.Organization:
		return viewOrganization(v)
	case tenancy.Member:
		return viewMember(v)
	case tenancy.List[tenancy.CrossTenantAccess]:
		return viewAll(v.Items, viewCrossTenantAccess)
	case tenancy.CheckResult:
		return viewCheckResult(v)
	case tenancy.InvitationTemplate:
		return viewTemplate(v)
	case tenancy.List[tenancy.InvitationTemplate]:
		return viewPage(v, viewTemplate)
	case tenancy.Accepted:
		return viewAccepted(v)
	case []tenancy.CheckResult:
		return checkResultsView{Results: each(v, viewCheckResult)}
	case tenancy.List[tenancy.ChangeRequest]:
		return viewPage(v, viewChangeRequest)
	}
	t.Fatalf("no view for %T", v)
	return nil
}

// TestViewsKeepTheWireFormat: every answer renders byte for byte as it did
// when the domain types carried the JSON tags (testdata/views.golden was
// written by json.Marshal of the tagged domain values).
func TestViewsKeepTheWireFormat(t *testing.T) {
	golden, err := os.ReadFile("testdata/views.golden")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(golden)), "\n") {
		name, body, _ := strings.Cut(line, "\t")
		want[name] = body
	}
	for _, s := range samples() {
		b, err := json.Marshal(view(t, s.value))
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := string(b); got != want[s.name] {
			t.Errorf("%s renders\n%s\nwant\n%s", s.name, got, want[s.name])
		}
	}
}

// TestEmptyListsRenderAsArrays: a list the service leaves nil is [] in the
// answer, never null — whichever view it is in.
func TestEmptyListsRenderAsArrays(t *testing.T) {
	for _, v := range []any{
		viewInvitation(tenancy.Invitation{}), viewRelationship(tenancy.Relationship{}), viewAssignment(tenancy.Assignment{}),
		viewRole(tenancy.CustomRole{}), viewAuditRecord(tenancy.AuditRecord{Detail: json.RawMessage(`{}`)}), viewWebhook(tenancy.Webhook{}),
		viewSwitchTarget(tenancy.SwitchTarget{}), viewSwitchResult(tenancy.SwitchResult{}), viewOrganization(tenancy.Organization{}),
		viewPage(tenancy.List[tenancy.Tenant]{}, viewTenant), viewAll([]tenancy.Webhook(nil), viewWebhook), checkResultsView{},
		viewRelationship(tenancy.Relationship{Ceiling: []tenancy.CeilingRole{{ID: "r"}}}),
		viewSwitchTarget(tenancy.SwitchTarget{Eligible: []tenancy.EligibleGrant{{AssignmentID: "a"}}}),
		viewSwitchResult(tenancy.SwitchResult{Grants: []tenancy.TokenGrant{{Assignment: "a"}}}),
		viewChangeRequest(tenancy.ChangeRequest{}),
	} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "null") {
			t.Errorf("%T renders %s, want [] for every empty list", v, b)
		}
	}
}

// TestViewListsAreLists: every slice in a view is a list, so that it renders
// [] when empty; a raw JSON detail is the one exception.
func TestViewListsAreLists(t *testing.T) {
	rawJSON := reflect.TypeFor[json.RawMessage]()
	marshaler := reflect.TypeFor[json.Marshaler]()
	var walk func(reflect.Type, string)
	seen := map[reflect.Type]bool{}
	walk = func(ty reflect.Type, path string) {
		for ty.Kind() == reflect.Pointer {
			ty = ty.Elem()
		}
		if seen[ty] || ty.Implements(marshaler) && !strings.HasPrefix(ty.Name(), "list[") {
			return // a time, a duration: it renders itself
		}
		seen[ty] = true
		switch ty.Kind() {
		case reflect.Struct:
			for i := 0; i < ty.NumField(); i++ {
				f := ty.Field(i)
				walk(f.Type, path+"."+f.Name)
			}
		case reflect.Slice:
			if ty != rawJSON && !strings.HasPrefix(ty.Name(), "list[") {
				t.Errorf("%s is a %s; a view's lists are list[T], which renders [] when empty", path, ty)
			}
			walk(ty.Elem(), path+"[]")
		}
	}
	for _, s := range samples() {
		ty := reflect.TypeOf(view(t, s.value))
		walk(ty, fmt.Sprint(ty))
	}
}
