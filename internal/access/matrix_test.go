package access

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
)

// matrix reads a transcribed seed table: permission id, then one mark per
// column.
func matrix(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) != 3 {
			t.Fatalf("%s: %q is not label | permission | marks", path, line)
		}
		out[strings.TrimSpace(cells[1])] = strings.Fields(cells[2])
	}
	return out
}

// TestRoomManagementMatchesSeed001: every cell of seed 001's role table.
func TestRoomManagementMatchesSeed001(t *testing.T) {
	roles := []string{"mmr-admin", "site-lead", "site-technical", "primary-admin"}
	rows := matrix(t, "testdata/seed-001-room-management.md")
	if len(rows) != 19 {
		t.Fatalf("%d rows transcribed, want the seed's 19", len(rows))
	}
	for perm, marks := range rows {
		p, ok := cat.Permission(perm)
		if !ok {
			t.Errorf("seed permission %s is not in the catalogue", perm)
			continue
		}
		for i, role := range roles {
			r, _ := cat.Role(role)
			if got, want := r.Perms.Has(p), marks[i] == "✓"; got != want {
				t.Errorf("%s holds %s = %v, seed 001 says %v", role, perm, got, want)
			}
		}
	}
	for _, role := range roles { // and nothing beyond the table
		r, _ := cat.Role(role)
		for _, id := range cat.IDs(r.Perms) {
			if _, inTable := rows[id]; !inTable {
				t.Errorf("%s holds %s, which seed 001's table does not give it", role, id)
			}
		}
	}
}

// TestServicesHubMatchesSeed004: every cell of seed 004's two tables — the
// roles hold exactly their X (a service administrator's X2 through the
// workspace administrator role on the first workspace), exactly the G
// permissions may be granted on their own, customer-level ones cannot be
// scoped and workspace-level ones can, the vendor roles are delegated-only,
// and no vendor role can export.
func TestServicesHubMatchesSeed004(t *testing.T) {
	roles := []string{"hub-service-admin", "hub-workspace-admin", "hub-global-admin", "hub-csam", "hub-incident-manager"}
	rows := matrix(t, "testdata/seed-004-services-hub.md")
	app, ok := cat.Application("services-hub")
	if !ok || app.WorkspaceScope != "/workspaces/{id}" {
		t.Fatalf("the services-hub application = %+v, %v", app, ok)
	}
	if len(rows) != 17 {
		t.Fatalf("%d rows transcribed, want the seed's 7 customer-level and 10 workspace-level", len(rows))
	}
	workspace := 0
	for perm, marks := range rows {
		p, ok := cat.Permission(perm)
		if !ok || p.Application != "services-hub" {
			t.Errorf("seed permission %s: %+v, %v; want it in services-hub", perm, p, ok)
			continue
		}
		wantWorkspace := slices.Contains(marks, "X2") || perm == "hub.support-contact"
		if p.Workspace != wantWorkspace || p.Scopeable != wantWorkspace {
			t.Errorf("%s workspace-level %v, scopeable %v; want %v", perm, p.Workspace, p.Scopeable, wantWorkspace)
		}
		if wantWorkspace {
			workspace++
		}
		for i, role := range roles {
			r, _ := cat.Role(role)
			want := marks[i] == "X"
			if got := r.Perms.Has(p); got != want {
				t.Errorf("%s holds %s = %v, seed 004 says %q", role, perm, got, marks[i])
			}
			if marks[i] == "X2" { // footnote 2: through the workspace administrator role
				wa, _ := cat.Role("hub-workspace-admin")
				if !wa.Perms.Has(p) {
					t.Errorf("%s is X2 for the service administrator, but the workspace administrator lacks it", perm)
				}
			}
		}
		if got, want := p.Grantable, marks[5] == "G"; got != want {
			t.Errorf("%s grantable on its own = %v, seed 004 says %q", perm, got, marks[5])
		}
	}
	if workspace != 10 {
		t.Errorf("%d workspace-level permissions, want 10", workspace)
	}
	for _, id := range []string{"hub-csam", "hub-incident-manager"} {
		r, _ := cat.Role(id)
		if !r.DelegatedOnly {
			t.Errorf("%s is not delegated-only", id)
		}
		for _, pid := range cat.IDs(r.Perms) {
			if p, _ := cat.Permission(pid); !p.Delegable {
				t.Errorf("vendor role %s holds %s, which a partner cannot hold", id, pid)
			}
		}
	}
	if p, _ := cat.Permission("hub.data-export"); p.Delegable {
		t.Error("hub.data-export is delegable: the vendor's people would export")
	}
	// Every services-hub role and permission is in the seed (but the export).
	for _, id := range app.Permissions {
		if _, ok := rows[id]; !ok && id != "hub.data-export" {
			t.Errorf("catalogue permission %s is not in seed 004", id)
		}
	}
	if fmt := strings.Join(app.Roles, ","); fmt != strings.Join(roles, ",") {
		t.Errorf("services-hub roles = %s, want %v", fmt, roles)
	}
}

// TestCatalogueIsOrganisedByApplication: three applications, every
// permission and role in exactly one.
func TestCatalogueIsOrganisedByApplication(t *testing.T) {
	var ids []string
	for _, a := range cat.Applications() {
		ids = append(ids, a.ID)
	}
	if strings.Join(ids, ",") != "control-plane,room-management,services-hub" {
		t.Errorf("applications = %v", ids)
	}
	for _, p := range cat.Permissions() {
		if p.Application == "" {
			t.Errorf("permission %s is in no application", p.ID)
		}
	}
	if p, ok := cat.Permission("tenants.switch"); !ok || p.Delegable || p.Application != "control-plane" {
		t.Errorf("tenants.switch = %+v, %v; want a control-plane permission held natively only", p, ok)
	}
	ga, _ := cat.Role("global-admin")
	for _, id := range []string{"tenants.switch", "hub.customer-admin", "data.export"} {
		if p, _ := cat.Permission(id); !ga.Perms.Has(p) {
			t.Errorf("global-admin lacks %s", id)
		}
	}
}
