package tenancy_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// TestNoGrantExceedsItsGrantor: a random sequence of grant-changing writes
// (native assignments and removals, custom roles defined and redefined,
// delegated assignments, partner roles) by people of every kind of standing.
// After every write that succeeds, whatever it lets anyone do through it,
// its author could do before: a native grant never gives more than its
// granter held on that resource, a redefined role never gives its holders
// more than its editor held, and a delegated grant never leaves the ceiling.
func TestNoGrantExceedsItsGrantor(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(2026, 12))
	rel := w.relate(tenancy.NewInvitation{Roles: []string{"mmr-admin", "helpdesk-admin", "site-lead"}}, tenancy.Acceptance{PrimaryAdmins: []string{"user:pia"}})
	cat := w.svc.Catalogue()
	ceiling := map[string]bool{}
	for _, c := range rel.Ceiling {
		for _, p := range c.Permissions {
			ceiling[p] = true
		}
	}
	// The customer's people: carl the global admin hands out a few
	// standings to begin with.
	natives := []string{"carl", "carl", "pam", "pam", "mo", "sid", "dora"} // some more often
	for user, role := range map[string]string{"pam": "primary-admin", "mo": "mmr-admin", "sid": "site-lead"} {
		w.must(w.svc.AssignNative(ctx, carl, "contoso", tenancy.NewAssignment{Principal: "user:" + user, Roles: []string{role}}))
	}
	partners := []string{"nina", "nina", "pia", "tom"} // partner admin, primary admin, technician
	perms := cat.Permissions()
	resources := []string{"/", "/sites/eu/paris/room-1", "/sites/us/nyc"}
	scopes := [][]string{nil, {"/sites/eu/*"}, {"/sites/us/nyc"}}
	roleIDs := []string{"global-admin", "primary-admin", "mmr-admin", "site-lead", "site-technical", "helpdesk-admin", "tenant-manager"}
	var customRoles []string

	// allowed answers, for a user of a home tenant, which (permission,
	// resource) pairs check-access allows in contoso, and through which
	// assignment.
	allowed := func(user, home string) map[[2]string]string {
		var checks []tenancy.Check
		for _, p := range perms {
			for _, res := range resources {
				checks = append(checks, tenancy.Check{Tenant: "contoso", Permission: p.ID, Resource: res})
			}
		}
		out := map[[2]string]string{}
		for start := 0; start < len(checks); start += tenancy.MaxChecks {
			batch := checks[start:min(len(checks), start+tenancy.MaxChecks)]
			res, err := w.svc.CheckAccess(ctx, tenancy.Caller{User: user, Tenant: home}, batch)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range res {
				if c.Allowed {
					out[[2]string{batch[i].Permission, batch[i].Resource}] = c.Via.AssignmentID
				}
			}
		}
		return out
	}
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	somePerms := func() []string {
		var out []string
		for n := r.IntN(3) + 1; n > 0; n-- {
			out = append(out, perms[r.IntN(len(perms))].ID)
		}
		return out
	}
	writes, refused := 0, 0
	for step := 0; step < 200; step++ {
		switch op := r.IntN(5); op {
		case 0, 1: // a native assignment by one of the customer's people
			actor, grantee := pick(natives), pick(natives)
			in := tenancy.NewAssignment{Principal: "user:" + grantee, Scope: scopes[r.IntN(len(scopes))]}
			if r.IntN(2) == 0 {
				in.Roles = []string{pick(append(slices.Clone(roleIDs), customRoles...))}
			} else {
				in.Permissions = somePerms()
			}
			before := allowed(actor, "contoso")
			a, err := w.svc.AssignNative(ctx, tenancy.Caller{User: actor, Tenant: "contoso"}, "contoso", in)
			if err != nil {
				refused++
				continue
			}
			writes++
			for k, via := range allowed(grantee, "contoso") {
				if via == a.ID {
					if _, ok := before[k]; !ok {
						t.Errorf("step %d: %s granted %s %v and it allows %s on %s, which %s could not do", step, actor, grantee, in, k[0], k[1], actor)
					}
				}
			}
		case 2: // a custom role defined or redefined, then held by someone
			actor := pick(natives)
			id := fmt.Sprintf("custom-%d", r.IntN(3))
			before := allowed(actor, "contoso")
			holdersBefore := map[string]map[[2]string]string{}
			for _, u := range natives {
				holdersBefore[u] = allowed(u, "contoso")
			}
			if _, _, err := w.svc.SaveRole(ctx, tenancy.Caller{User: actor, Tenant: "contoso"}, "contoso", tenancy.NewRole{ID: id, Name: id, Permissions: somePerms()}); err != nil {
				refused++
				continue
			}
			writes++
			if !slices.Contains(customRoles, id) {
				customRoles = append(customRoles, id)
			}
			for _, u := range natives {
				for k := range allowed(u, "contoso") {
					if _, had := holdersBefore[u][k]; !had {
						if _, ok := before[k]; !ok {
							t.Errorf("step %d: %s redefined %s and %s may now %s on %s, which %s could not", step, actor, id, u, k[0], k[1], actor)
						}
					}
				}
			}
		case 3: // a delegated assignment by one of the partner's people
			actor, grantee := pick(partners), pick(partners)
			in := tenancy.NewAssignment{Principal: "user:" + grantee, Roles: []string{pick(roleIDs)}, Scope: scopes[r.IntN(len(scopes))]}
			a, err := w.svc.AssignDelegated(ctx, tenancy.Caller{User: actor, Tenant: "northwind"}, rel.ID, in)
			if err != nil {
				refused++
				continue
			}
			writes++
			if actor == "tom" {
				t.Errorf("step %d: tom, without the authority to assign, assigned %v", step, in)
			}
			for k, via := range allowed(grantee, "northwind") {
				if via == a.ID && !ceiling[k[0]] {
					t.Errorf("step %d: a delegated grant allows %s, outside the ceiling", step, k[0])
				}
			}
		case 4: // a native removal
			actor := pick(natives)
			l, err := w.store.ListAssignments(ctx, "contoso", "contoso", "", tenancy.Page{Limit: 100})
			if err != nil || len(l.Items) == 0 {
				continue
			}
			a := l.Items[r.IntN(len(l.Items))]
			before := allowed(actor, "contoso")
			if err := w.svc.RemoveNative(ctx, tenancy.Caller{User: actor, Tenant: "contoso"}, "contoso", a.ID); err != nil {
				refused++
				continue
			}
			writes++
			// What the removed assignment gave, its remover could do.
			user := a.Principal[len("user:"):]
			for _, res := range resources {
				for _, p := range perms {
					d, _ := access.ParseScope(a.Scope)
					if d.Covers(res) && grantsPerm(cat, a, p) {
						if _, ok := before[[2]string{p.ID, res}]; !ok && p.Delegable && res == "/" && d.All() {
							t.Errorf("step %d: %s removed %s's %v, which gave %s on %s that %s could not do", step, actor, user, a.Roles, p.ID, res, actor)
						}
					}
				}
			}
		}
	}
	if writes < 40 || refused < 20 {
		t.Errorf("%d writes succeeded and %d were refused: the sequence tests too little", writes, refused)
	}
	t.Logf("%d grant-changing writes succeeded, %d refused; none exceeded its grantor", writes, refused)
}

func grantsPerm(cat *access.Catalogue, a tenancy.Assignment, p access.Permission) bool {
	if slices.Contains(a.Permissions, p.ID) {
		return true
	}
	for _, id := range a.Roles {
		if r, ok := cat.Role(id); ok && r.Perms.Has(p) {
			return true
		}
	}
	return false
}
