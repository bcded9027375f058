package registry_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/registry"
	"github.com/switchboard/switchboard/internal/routes"
)

func TestEveryRouteRuleAndMainHasItsFunction(t *testing.T) {
	for _, r := range routes.All {
		if _, ok := registry.ByName(r.Function); !ok {
			t.Errorf("route %s names function %q, which the registry lacks", r.Key(), r.Function)
		}
	}
	consumers := map[string]bool{}
	for _, f := range registry.Functions {
		if f.Consumer != "" {
			consumers[f.Consumer] = true
		}
		if _, err := os.Stat("../../" + strings.TrimPrefix(f.Package, "./") + "/main.go"); err != nil {
			t.Errorf("function %s: no main at %s", f.Name, f.Package)
		}
		if len(f.Routes()) == 0 && f.Consumer == "" && !f.Scheduled {
			t.Errorf("function %s has no route, rule or schedule: nothing would invoke it", f.Name)
		}
	}
	for _, r := range events.Rules {
		if !consumers[r.Consumer] {
			t.Errorf("rule %s targets consumer %q, which no function is", r.Name, r.Consumer)
		}
	}
	entries, _ := os.ReadDir("../../functions")
	if len(entries) != len(registry.Functions) {
		t.Errorf("functions/ has %d mains, the registry %d functions", len(entries), len(registry.Functions))
	}
}

// TestTableActionsFollowWhatEachFunctionDoes: the DynamoDB actions the stack
// grants each function, derived from the registry.
func TestTableActionsFollowWhatEachFunctionDoes(t *testing.T) {
	for _, tc := range []struct {
		function string
		want     string
	}{
		// The audit consumer only appends: no read, update, delete or scan.
		{registry.FunctionAudit, "[dynamodb:PutItem]"},
		{routes.FunctionCheckAccess, "[dynamodb:GetItem dynamodb:Query]"},
		{routes.FunctionQuery, "[dynamodb:GetItem dynamodb:Query]"},
		// Webhook subscriptions publish their events and keep the count
		// that bounds them (UpdateItem).
		{routes.FunctionWebhooks, "[dynamodb:BatchWriteItem dynamodb:ConditionCheckItem dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem]"},
		// The switch reads a page of targets' names in one batch.
		{routes.FunctionSwitch, "[dynamodb:BatchGetItem dynamodb:BatchWriteItem dynamodb:ConditionCheckItem dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem]"},
		// Publishers update in place: dead-lettering an event, and a grant
		// removal's epoch.
		{routes.FunctionAssignRole, "[dynamodb:BatchWriteItem dynamodb:ConditionCheckItem dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem]"},
		{registry.FunctionCleanup, "[dynamodb:BatchWriteItem dynamodb:ConditionCheckItem dynamodb:DeleteItem dynamodb:GetItem dynamodb:PutItem dynamodb:Query dynamodb:UpdateItem]"},
	} {
		f, ok := registry.ByName(tc.function)
		if !ok {
			t.Fatalf("no function %s", tc.function)
		}
		if got := fmt.Sprint(f.TableActions()); got != tc.want {
			t.Errorf("%s.TableActions() = %s, want %s", tc.function, got, tc.want)
		}
	}
	for _, f := range registry.Functions {
		for _, a := range f.TableActions() {
			if a == "dynamodb:Scan" || strings.Contains(a, "Stream") || a == "dynamodb:GetRecords" || a == "dynamodb:GetShardIterator" {
				t.Errorf("%s may %s", f.Name, a)
			}
		}
	}
}
