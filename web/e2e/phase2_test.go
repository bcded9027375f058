package e2e_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// contosoRelationship is the demo seed's accepted Northwind → Contoso relationship.
func (h *harness) contosoRelationship() string {
	h.t.Helper()
	var rels struct {
		Items []struct{ ID, CustomerTenantID string }
	}
	h.api("GET", "/relationships?side=partner", h.token("nina", "northwind"), "", 200, &rels)
	for _, r := range rels.Items {
		if r.CustomerTenantID == "contoso" {
			return r.ID
		}
	}
	h.t.Fatal("the demo seed has no relationship with contoso")
	return ""
}

// check clicks a checkbox or radio unless it already is in the wanted state.
func check(sel string, on bool) chromedp.Action[chromedp.Void] {
	q := fmt.Sprintf("%q", sel)
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(e => { if (e.checked !== %t) e.click(); })(document.querySelector(%s))`, on, q))
}

// pick chooses an option of a select, as a person would, with its change event.
func pick(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(e => { e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); })(document.querySelector(%q))`, value, sel)),
	)
}

type assignment struct {
	ID, Principal string
	Roles, Scope  []string
}

// TestPartnerTemplateBatch: Nina of Northwind writes a template with two
// group mappings, invites two customers and a tenant that does not exist in
// one batch, and reads each customer's outcome — the refusal named. Fay of
// Fabrikam reviews the mappings, accepts only helpdesk-admin, and sees what
// accepting mapped and what it skipped.
func TestPartnerTemplateBatch(t *testing.T) {
	h := start(t)
	nina := h.tab("nina")
	nina.signIn("nina")
	nina.do(
		chromedp.Click(chromedp.CSS(`nav a[href="/console/templates"]`)),
		waitText("No templates yet."),
		chromedp.Click(xp(`//button[normalize-space()="New template"]`)),
		gdapTemplate(),
	)
	// A mapping offers only the template's roles.
	if offered := eval[[]string](nina, `[...document.querySelectorAll('input[name="mapRoles-1"]')].map(e => e.value)`); !slices.Equal(offered, []string{"helpdesk-admin", "site-lead"}) {
		t.Errorf("a mapping offers %v, want the template's roles", offered)
	}
	nina.do(
		submit("Save template"),
		waitText("Saved template gdap-default with 2 mappings."),
		chromedp.WaitVisible(xp(`//table[contains(@class, "templates")]//a[normalize-space()="GDAP default"]`)),
	)
	ninaTok := h.token("nina", "northwind")
	var tpls struct {
		Items []struct {
			ID, Name      string
			Roles, Scope  []string
			GroupMappings []struct {
				Principal    string
				Roles, Scope []string
			}
		}
	}
	h.api("GET", "/tenants/northwind/invitation-templates", ninaTok, "", 200, &tpls)
	if len(tpls.Items) != 1 || tpls.Items[0].ID != "gdap-default" || !slices.Equal(tpls.Items[0].Scope, []string{"/sites/*"}) ||
		len(tpls.Items[0].GroupMappings) != 2 || tpls.Items[0].GroupMappings[1].Principal != "group:helpdesk-agents" ||
		!slices.Equal(tpls.Items[0].GroupMappings[1].Scope, []string{"/sites/eu"}) {
		t.Fatalf("saved templates = %+v, want gdap-default on /sites/* with two mappings", tpls.Items)
	}

	// From the template, to two customers (one by domain) and a tenant that is not there: one batch.
	nina.do(
		chromedp.Click(xp(`//table[contains(@class, "templates")]//a[normalize-space()="Invite…"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="template-terms"]`)),
		fill(`textarea[name="to"]`, "contoso\nfabrikam.example\nnobody"),
		submit("Send 3 invitations"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="batch-results"]`)),
	)
	if got := nina.text(`[data-testid="batch-results"] [role="alert"]`); !strings.Contains(got, "2 sent, 1 refused") || !strings.Contains(got, "Refused: nobody") {
		t.Errorf("the batch summary says %q, want 2 sent and nobody refused", got)
	}
	rows := eval[[]string](nina, `[...document.querySelectorAll('table.batch tbody tr')].map(r => r.innerText)`)
	if len(rows) != 3 || !strings.Contains(rows[0], "contoso") || !strings.Contains(rows[0], "sent") ||
		!strings.Contains(rows[1], "fabrikam.example") || !strings.Contains(rows[1], "fabrikam") || !strings.Contains(rows[1], "sent") ||
		!strings.Contains(rows[2], "nobody") || !strings.Contains(rows[2], "refused (422)") || !strings.Contains(rows[2], "names no tenant") {
		t.Errorf("per-customer results = %q, want contoso and fabrikam sent, nobody refused with the detail", rows)
	}
	var sent struct {
		Items []struct{ ID, ToTenantID, TemplateID, Status string }
	}
	h.api("GET", "/invitations?direction=outgoing&status=pending", ninaTok, "", 200, &sent)
	fromTpl := map[string]string{}
	for _, i := range sent.Items {
		if i.TemplateID == "gdap-default" {
			fromTpl[i.ToTenantID] = i.ID
		}
	}
	if len(fromTpl) != 2 || fromTpl["contoso"] == "" || fromTpl["fabrikam"] == "" {
		t.Fatalf("pending invitations from the template = %v, want contoso and fabrikam", fromTpl)
	}
	// The list of sent invitations names the template.
	nina.do(waitText("as its partner, from gdap-default"))

	// Fabrikam reads the mappings, accepts helpdesk-admin on Paris only.
	fay := h.tab("fay")
	fay.signIn("fay")
	fay.visit("/console/incoming/" + fromTpl["fabrikam"])
	fay.do(
		chromedp.WaitVisible(xp(`//table[contains(@class, "mappings")]//code[.="group:helpdesk-agents"]`)),
		chromedp.Click(chromedp.CSS(`input[name="roles"][value="site-lead"]`)),
		fill(`textarea[name="scope"]`, "/sites/eu/paris"),
		submit("Accept"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="mapped"]`)),
	)
	mapped := fay.text(`[data-testid="mapped"]`)
	if !strings.Contains(mapped, "group:helpdesk-agents") || !strings.Contains(mapped, "/sites/eu/paris") ||
		!strings.Contains(mapped, "group:admin-agents") || !strings.Contains(mapped, "roles-not-accepted") {
		t.Errorf("after accepting the console shows %q, want helpdesk-agents mapped on /sites/eu/paris and admin-agents skipped", mapped)
	}
	loc, _ := chromedp.Run(fay.ctx, chromedp.Location())
	relID := loc[strings.LastIndex(loc, "/")+1:]
	var asg struct{ Items []assignment }
	h.api("GET", "/relationships/"+relID+"/assignments", h.token("fay", "fabrikam"), "", 200, &asg)
	if len(asg.Items) != 1 || asg.Items[0].Principal != "group:helpdesk-agents" || !slices.Equal(asg.Items[0].Scope, []string{"/sites/eu/paris"}) {
		t.Errorf("assignments after accepting = %+v, want helpdesk-agents on /sites/eu/paris", asg.Items)
	}
	// The assignments table below shows it too.
	fay.do(chromedp.WaitVisible(xp(`//table[contains(@class, "assignments")]//code[.="group:helpdesk-agents"]`)))
}

// TestCustomerNarrowsAndAnswersChangeRequest: Carl of Contoso takes
// site-lead out of Northwind's ceiling; the dialog names whose assignment
// loses it, and Ann's assignment keeps only helpdesk-admin, as Nina then
// sees. Nina asks for site-lead and mmr-admin with a change request; Carl
// approves site-lead only from his change-request inbox.
func TestCustomerNarrowsAndAnswersChangeRequest(t *testing.T) {
	h := start(t)
	rel := h.contosoRelationship()
	ninaTok, carlTok := h.token("nina", "northwind"), h.token("carl", "contoso")
	h.api("POST", "/relationships/"+rel+"/assignments", ninaTok, `{"principal":"user:ann","roles":["helpdesk-admin","site-lead"]}`, 201, nil)

	carl := h.tab("carl")
	carl.signIn("carl")
	carl.visit("/console/partners/" + rel)
	carl.do(
		chromedp.WaitVisible(xp(`//table[contains(@class, "assignments")]//code[.="user:ann"]`)),
		chromedp.Click(chromedp.CSS(`input[name="keep"][value="site-lead"]`)),
		submit("Review narrowing"),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open]`)),
	)
	question := carl.text(`dialog[open]`)
	if !strings.Contains(question, "site-lead") || !strings.Contains(question, "1 assignment loses a role: user:ann") || strings.Contains(question, "user:tom") {
		t.Errorf("the confirmation says %q, want site-lead removed and only Ann's assignment losing it", question)
	}
	carl.do(
		chromedp.Click(xp(`//dialog[@open]//button[normalize-space()="Narrow"]`)),
		waitText("Narrowed: site-lead removed."),
	)
	var r struct {
		Ceiling    []struct{ ID string }
		Privileges string
	}
	h.api("GET", "/relationships/"+rel, carlTok, "", 200, &r)
	if len(r.Ceiling) != 1 || r.Ceiling[0].ID != "helpdesk-admin" {
		t.Fatalf("after narrowing the ceiling is %+v, want helpdesk-admin only", r.Ceiling)
	}
	// The assignments lose it (within the request, or by the sync consumer right after).
	var ann assignment
	for deadline := time.Now().Add(10 * time.Second); ; {
		h.settle()
		var asg struct{ Items []assignment }
		h.api("GET", "/relationships/"+rel+"/assignments", ninaTok, "", 200, &asg)
		for _, a := range asg.Items {
			if a.Principal == "user:ann" {
				ann = a
			}
		}
		if slices.Equal(ann.Roles, []string{"helpdesk-admin"}) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !slices.Equal(ann.Roles, []string{"helpdesk-admin"}) {
		t.Fatalf("Ann's assignment after narrowing = %+v, want helpdesk-admin only", ann)
	}

	nina := h.tab("nina")
	nina.signIn("nina")
	nina.visit("/console/customers/" + rel)
	nina.do(chromedp.WaitVisible(xp(`//table[contains(@class, "assignments")]//code[.="user:ann"]`)))
	if row := eval[string](nina, `[...document.querySelectorAll('table.assignments tbody tr')].map(r => r.innerText).find(t => t.includes('user:ann')) || ''`); !strings.Contains(row, "helpdesk-admin") || strings.Contains(row, "site-lead") {
		t.Errorf("the partner sees Ann's assignment as %q, want helpdesk-admin without site-lead", row)
	}
	if offered := eval[[]string](nina, `[...document.querySelectorAll('form[aria-labelledby="assign-title"] input[name="roles"]')].map(e => e.value)`); !slices.Equal(offered, []string{"helpdesk-admin"}) {
		t.Errorf("after narrowing the picker offers %v, want helpdesk-admin only", offered)
	}

	// The partner asks for more.
	nina.do(
		chromedp.Click(chromedp.CSS(`input[name="askRoles"][value="site-lead"]`)),
		chromedp.Click(chromedp.CSS(`input[name="askRoles"][value="mmr-admin"]`)),
		submit("Send change request"),
		waitText("Asked Contoso Ltd"),
		chromedp.WaitVisible(xp(`//li[contains(@class, "change-request")]//span[contains(@class, "badge") and .="pending"]`)),
	)
	// Asking again while one is pending: the API's 409 detail is shown.
	nina.do(
		chromedp.Click(chromedp.CSS(`input[name="askRoles"][value="site-lead"]`)),
		submit("Send change request"),
		chromedp.WaitVisible(chromedp.CSS(`form[aria-labelledby="ask-title"] .error[role="alert"]`)),
	)
	if shown := nina.text(`form[aria-labelledby="ask-title"] .error[role="alert"]`); !strings.Contains(shown, "(409)") {
		t.Errorf("a second pending change request shows %q, want the 409's detail", shown)
	}

	// The customer approves part of it from the inbox.
	carl.do(
		chromedp.Click(chromedp.CSS(`nav a[href="/console/change-requests"]`)),
		chromedp.WaitVisible(xp(`//li[contains(@class, "change-request")]//a[normalize-space()="Northwind IT Services"]`)),
		chromedp.Click(chromedp.CSS(`input[name="approveRoles"][value="mmr-admin"]`)),
		submit("Approve"),
		waitText("No change request is waiting."),
	)
	var crs struct {
		Items []struct {
			Status        string
			Roles         []string
			ApprovedRoles []string
		}
	}
	h.api("GET", "/relationships/"+rel+"/change-requests", carlTok, "", 200, &crs)
	if len(crs.Items) != 1 || crs.Items[0].Status != "approved" || !slices.Equal(crs.Items[0].ApprovedRoles, []string{"site-lead"}) {
		t.Errorf("change requests = %+v, want one approved with site-lead only", crs.Items)
	}
	h.api("GET", "/relationships/"+rel, carlTok, "", 200, &r)
	var ids []string
	for _, c := range r.Ceiling {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"helpdesk-admin", "site-lead"}) {
		t.Errorf("after approving, the ceiling is %v, want helpdesk-admin and site-lead", ids)
	}

	// The customers view filters: by a ceiling role, and to what ends soon.
	nina.visit("/console/customers")
	nina.do(
		chromedp.WaitVisible(xp(`//table//a[normalize-space()="Contoso Ltd"]`)),
		pick(`select[name="role"]`, "mmr-admin"),
		waitText("Nothing matches these filters."),
	)
	if loc, _ := chromedp.Run(nina.ctx, chromedp.Location()); !strings.Contains(loc, "role=mmr-admin") {
		t.Errorf("the filtered list is at %s, want the filter in the query", loc)
	}
	nina.do(
		pick(`select[name="role"]`, "site-lead"),
		chromedp.WaitVisible(xp(`//table//a[normalize-space()="Contoso Ltd"]`)),
	)

	// Every privilege removed, the partner kept: both sides mark it.
	carl.visit("/console/partners/" + rel)
	carl.do(
		chromedp.WaitVisible(chromedp.CSS(`input[name="keep"][value="site-lead"]`)),
		check(`input[name="keep"][value="site-lead"]`, false),
		check(`input[name="keep"][value="helpdesk-admin"]`, false),
		submit("Review narrowing"),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open]`)),
	)
	if q := carl.text(`dialog[open]`); !strings.Contains(q, "every delegated privilege") {
		t.Errorf("emptying the ceiling asks %q, want it to say every delegated privilege goes", q)
	}
	carl.do(
		chromedp.Click(xp(`//dialog[@open]//button[normalize-space()="Narrow"]`)),
		chromedp.WaitVisible(xp(`//h1//span[contains(@class, "no-privileges")]`)),
	)
	nina.visit("/console/customers")
	nina.do(chromedp.WaitVisible(xp(`//tr[th/a[normalize-space()="Contoso Ltd"]]//span[contains(@class, "no-privileges")]`)))
}

// gdapTemplate fills the template editor with seed 002's default: helpdesk-admin and site-lead
// on /sites/*, "admin agents" mapped to site-lead and "helpdesk agents" to helpdesk-admin on
// /sites/eu.
func gdapTemplate() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		fill(`input[name="tplId"]`, "gdap-default"),
		fill(`input[name="tplName"]`, "GDAP default"),
		chromedp.Click(chromedp.CSS(`input[name="tplRoles"][value="helpdesk-admin"]`)),
		chromedp.Click(chromedp.CSS(`input[name="tplRoles"][value="site-lead"]`)),
		fill(`textarea[name="tplScope"]`, "/sites/*"),
		chromedp.Click(xp(`//button[normalize-space()="Add a mapping"]`)),
		fill(`input[name="mapPrincipal-0"]`, "group:admin-agents"),
		chromedp.Click(chromedp.CSS(`input[name="mapRoles-0"][value="site-lead"]`)),
		chromedp.Click(xp(`//button[normalize-space()="Add a mapping"]`)),
		fill(`input[name="mapPrincipal-1"]`, "group:helpdesk-agents"),
		chromedp.Click(chromedp.CSS(`input[name="mapRoles-1"][value="helpdesk-admin"]`)),
		fill(`textarea[name="mapScope-1"]`, "/sites/eu"),
	)
}
