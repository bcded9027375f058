package devstack_test

import (
	"context"
	"testing"
)

// TestOrganizationJoinAndLeave walks the seeds' multi-tenant organisation
// procedure: an owner creates the organisation and adds a tenant, the tenant
// joins with the owner's tenant id (asynchronously), the join sets up
// MTO_Sync_<owner> and access settings both ways, leaving keeps them until
// removed explicitly, and the last owner cannot leave.
func TestOrganizationJoinAndLeave(t *testing.T) {
	st := startStack(t)
	ctx := context.Background()
	api := loadContract(t)
	call := func(tok, method, path, body string, status int, out any) {
		t.Helper()
		api.check(method, path, body, st.mustDo(method, path, tok, body, status, out))
	}
	carl, fay, nina := st.token("carl", "contoso"), st.token("fay", "fabrikam"), st.token("nina", "northwind")

	// Least privilege: an organisation admin needs organization-admin, not global-admin.
	var dana struct{ ID string }
	call(carl, "POST", "/tenants/contoso/assignments", `{"principal":"user:dana","roles":["organization-admin"]}`, 201, &dana)
	danaTok := st.token("dana", "contoso")
	call(st.token("dora", "contoso"), "POST", "/organizations", `{"name":"Contoso Group"}`, 403, nil)

	var org struct {
		ID     string
		Owners []string
	}
	call(danaTok, "POST", "/organizations", `{"name":"Contoso Group","template":{"autoRedeem":true,"allowSyncIn":true}}`, 201, &org)
	call(danaTok, "POST", "/organizations/"+org.ID+"/tenants", `{"tenantId":"fabrikam"}`, 201, nil)
	call(danaTok, "POST", "/organizations/"+org.ID+"/tenants", `{"tenantId":"fabrikam"}`, 409, nil)
	call(danaTok, "POST", "/organizations/"+org.ID+"/tenants", `{"tenantId":"nobody"}`, 422, nil)

	// A non-member sees nothing.
	call(nina, "GET", "/organizations/"+org.ID, "", 404, nil)
	call(nina, "POST", "/organizations/"+org.ID+"/join", `{"ownerTenantId":"contoso"}`, 404, nil)

	// Joining needs the owner's tenant id.
	call(fay, "POST", "/organizations/"+org.ID+"/join", `{"ownerTenantId":"northwind"}`, 422, nil)
	var joining struct{ State string }
	call(fay, "POST", "/organizations/"+org.ID+"/join", `{"ownerTenantId":"contoso"}`, 202, &joining)
	if joining.State != "joining" {
		t.Errorf("after asking to join: %s, want joining", joining.State)
	}
	if err := st.s.Bus.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Members []struct{ TenantID, State string }
	}
	call(fay, "GET", "/organizations/"+org.ID, "", 200, &got)
	states := map[string]string{}
	for _, m := range got.Members {
		states[m.TenantID] = m.State
	}
	if states["fabrikam"] != "joined" || states["contoso"] != "joined" {
		t.Fatalf("members = %v, want both joined once the bus has delivered", states)
	}
	var xta struct {
		Items []struct {
			PartnerTenantID, SyncConfiguration string
			AutoRedeem, AllowSyncIn, SyncJob   bool
		}
	}
	call(fay, "GET", "/tenants/fabrikam/cross-tenant-access", "", 200, &xta)
	if len(xta.Items) != 1 || xta.Items[0].PartnerTenantID != "contoso" || xta.Items[0].SyncConfiguration != "MTO_Sync_contoso" ||
		!xta.Items[0].AutoRedeem || !xta.Items[0].AllowSyncIn || xta.Items[0].SyncJob {
		t.Errorf("fabrikam's cross-tenant access = %+v, want MTO_Sync_contoso toward contoso from the template, no sync job", xta.Items)
	}
	call(danaTok, "GET", "/tenants/contoso/cross-tenant-access", "", 200, &xta)
	if len(xta.Items) != 1 || xta.Items[0].PartnerTenantID != "fabrikam" {
		t.Errorf("contoso's cross-tenant access = %+v, want toward fabrikam", xta.Items)
	}

	// Membership grants no administrative right.
	var res struct{ Allowed bool }
	call(fay, "POST", "/check-access", `{"tenantId":"contoso","permission":"rooms.view"}`, 200, &res)
	if res.Allowed {
		t.Error("an organisation member was allowed in another member's tenant")
	}

	// The last owner cannot leave; with a second owner it can.
	call(danaTok, "DELETE", "/organizations/"+org.ID+"/tenants/contoso", "", 409, nil)
	call(danaTok, "POST", "/organizations/"+org.ID+"/owners", `{"tenantId":"fabrikam"}`, 200, nil)
	call(fay, "DELETE", "/organizations/"+org.ID+"/tenants/contoso", "", 204, nil) // the other owner removes contoso
	call(danaTok, "GET", "/organizations/"+org.ID, "", 404, nil)

	// Leaving kept the settings; they go when removed explicitly.
	call(danaTok, "GET", "/tenants/contoso/cross-tenant-access", "", 200, &xta)
	if len(xta.Items) != 1 {
		t.Errorf("contoso's settings after leaving = %d, want them kept", len(xta.Items))
	}
	call(danaTok, "DELETE", "/tenants/contoso/cross-tenant-access/fabrikam", "", 204, nil)
	call(danaTok, "DELETE", "/tenants/contoso/cross-tenant-access/fabrikam", "", 404, nil)
	call(danaTok, "GET", "/tenants/contoso/cross-tenant-access", "", 200, &xta)
	if len(xta.Items) != 0 {
		t.Errorf("settings after removal = %d", len(xta.Items))
	}

	// Every step is in the audit, joins included.
	if err := st.s.Bus.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	var log struct{ Items []struct{ Type string } }
	call(fay, "GET", "/tenants/fabrikam/audit?limit=100", "", 200, &log)
	seen := map[string]bool{}
	for _, it := range log.Items {
		seen[it.Type] = true
	}
	for _, want := range []string{"OrganizationTenantAdded", "OrganizationJoinRequested", "OrganizationJoined", "CrossTenantAccessConfigured", "OrganizationOwnerAdded", "OrganizationLeft"} {
		if !seen[want] {
			t.Errorf("fabrikam's audit lacks %s (has %v)", want, seen)
		}
	}
	st.consistent(t)
}

// TestRejoinAfterRemovingOneSide: a tenant that left and removed its own
// settings can join again; the owner's side, still there, is kept and the
// join completes.
func TestRejoinAfterRemovingOneSide(t *testing.T) {
	st := startStack(t)
	carl, fay := st.token("carl", "contoso"), st.token("fay", "fabrikam")
	var org struct{ ID string }
	st.mustDo("POST", "/organizations", carl, `{"name":"G"}`, 201, &org)
	join := func() {
		t.Helper()
		st.mustDo("POST", "/organizations/"+org.ID+"/tenants", carl, `{"tenantId":"fabrikam"}`, 201, nil)
		st.mustDo("POST", "/organizations/"+org.ID+"/join", fay, `{"ownerTenantId":"contoso"}`, 202, nil)
		if err := st.s.Bus.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	join()
	st.mustDo("DELETE", "/organizations/"+org.ID+"/tenants/fabrikam", fay, "", 204, nil)
	st.mustDo("DELETE", "/tenants/fabrikam/cross-tenant-access/contoso", fay, "", 204, nil)
	join()
	var got struct {
		Members []struct{ TenantID, State string }
	}
	st.mustDo("GET", "/organizations/"+org.ID, fay, "", 200, &got)
	for _, m := range got.Members {
		if m.State != "joined" {
			t.Errorf("%s is %s after rejoining, want joined", m.TenantID, m.State)
		}
	}
	var xta struct{ Items []any }
	st.mustDo("GET", "/tenants/fabrikam/cross-tenant-access", fay, "", 200, &xta)
	if len(xta.Items) != 1 {
		t.Errorf("fabrikam's settings after rejoining = %d, want its side set up again", len(xta.Items))
	}
	if dl := st.s.Bus.DeadLetters(); len(dl) != 0 {
		t.Errorf("%d dead letters: the join got stuck", len(dl))
	}
}
