package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// violation is what axe-core reports of one rule.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// audit runs axe-core (the npm package, injected into the page) and fails on
// serious or critical violations; with CONSOLE_SCREENSHOTS set it also keeps
// a screenshot of the view for docs/console.md.
func (tb *tab) audit(name string) {
	tb.h.t.Helper()
	for _, v := range tb.violations() {
		tb.h.t.Errorf("%s: %s %s — %s: %s", name, v.Impact, v.ID, v.Help, strings.Join(v.Nodes, ", "))
	}
	tb.screenshot(name)
}

// violations are the serious and critical findings of axe-core in the page.
func (tb *tab) violations() []violation {
	tb.h.t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot(), "web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		tb.h.t.Fatalf("axe-core is not installed (%v): run `make console`", err)
	}
	if !eval[bool](tb, `typeof window.axe === 'object'`) {
		tb.do(chromedp.Evaluate[chromedp.Void](string(src)))
	}
	raw := eval[string](tb, `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})
	  .then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
	    .map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))))`)
	var vs []violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		tb.h.t.Fatal(err)
	}
	return vs
}

func (tb *tab) screenshot(name string) {
	if os.Getenv("CONSOLE_SCREENSHOTS") == "" {
		return
	}
	tb.h.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.h.t.Fatal(err)
	}
	dir := filepath.Join(repoRoot(), "docs", "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.h.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		tb.h.t.Fatal(err)
	}
}

// TestAccessibility walks the main views as each of the demo people and
// audits each: labelled controls, contrast, landmarks, names of buttons.
func TestAccessibility(t *testing.T) {
	h := start(t)
	var rels struct {
		Items []struct{ ID, CustomerTenantID string }
	}
	h.api("GET", "/relationships?side=partner", h.token("nina", "northwind"), "", 200, &rels)
	contoso := ""
	for _, r := range rels.Items {
		if r.CustomerTenantID == "contoso" {
			contoso = r.ID
		}
	}

	anon := h.tab("sign-in")
	anon.do(chromedp.Navigate(h.base+"/console/"), chromedp.WaitVisible(chromedp.CSS(`button[data-user="nina"]`)))
	anon.audit("sign-in")

	nina := h.tab("nina")
	nina.signIn("nina")
	nina.audit("overview")
	nina.visit("/console/customers")
	nina.do(waitText("Contoso Ltd"))
	nina.audit("customers")
	nina.visit("/console/customers/" + contoso)
	nina.do(chromedp.WaitVisible(chromedp.CSS("table.assignments")))
	nina.audit("relationship-partner")
	nina.visit("/console/invitations")
	nina.do(waitText("fabrikam"), chromedp.WaitVisible(chromedp.CSS(`input[name="roles"]`)))
	nina.audit("invitations")

	// Phase 2: a template with group mappings, a batch from it with a refusal.
	nina.visit("/console/templates")
	nina.do(
		chromedp.Click(xp(`//button[normalize-space()="New template"]`)),
		gdapTemplate(),
	)
	nina.audit("template-editor")
	nina.do(
		submit("Save template"),
		waitText("Saved template gdap-default"),
		chromedp.Click(xp(`//button[normalize-space()="Close"]`)),
		chromedp.WaitVisible(xp(`//table[contains(@class, "templates")]//a[normalize-space()="GDAP default"]`)),
	)
	nina.audit("templates")
	nina.visit("/console/invitations?template=gdap-default")
	nina.do(
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="template-terms"]`)),
		fill(`textarea[name="to"]`, "fabrikam\ncontoso.example\nnobody"),
		submit("Send 3 invitations"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="batch-results"]`)),
	)
	nina.audit("invitation-batch")
	// A change request for Carl to answer below.
	h.api("POST", "/relationships/"+contoso+"/change-requests", h.token("nina", "northwind"), `{"roles":["mmr-admin"],"autoExtend":"P180D"}`, 201, nil)

	tom := h.tab("tom")
	tom.signIn("tom")
	tom.do(
		chromedp.Click(chromedp.CSS(".tenant-button")),
		chromedp.WaitVisible(chromedp.CSS(`dialog.switcher input[value="contoso"]`)),
		chromedp.Click(chromedp.CSS(`dialog.switcher input[value="contoso"]`)),
		fill(`dialog.switcher textarea[name="justification"]`, "INC-4711: printer in room 7"),
	)
	tom.audit("switcher")
	tom.do(
		chromedp.Click(xp(`//dialog//button[@type="submit"]`)),
		waitText("Session in Contoso Ltd"),
	)
	tom.audit("session")
	tom.visit("/console/access")
	tom.do(
		fill(`input[name="permission"]`, "tickets.update"),
		fill(`input[name="resource"]`, "/sites/eu/paris/room-7"),
		submit("Check"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="decision"]`)),
		fill(`input[name="permission"]`, "data.export"),
		submit("Check"),
		waitText("not-delegable"),
	)
	tom.audit("check-access")

	carl := h.tab("carl")
	carl.signIn("carl")
	carl.visit("/console/partners")
	carl.do(waitText("Northwind IT Services"))
	carl.audit("partners")
	carl.visit("/console/partners/" + contoso)
	carl.do(chromedp.WaitVisible(chromedp.CSS("table.assignments")))
	carl.audit("relationship-customer")
	carl.do(
		chromedp.Click(chromedp.CSS(`input[name="keep"][value="site-lead"]`)),
		fill(`textarea[name="narrowScope"]`, "/sites/eu/*"),
		submit("Review narrowing"),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open]`)),
	)
	carl.audit("narrow-confirm")
	carl.do(chromedp.Click(xp(`//dialog[@open]//button[normalize-space()="Cancel"]`)))
	carl.visit("/console/change-requests")
	carl.do(chromedp.WaitVisible(xp(`//li[contains(@class, "change-request")]//a[normalize-space()="Northwind IT Services"]`)))
	carl.audit("change-requests")
	carl.visit("/console/audit")
	carl.do(
		chromedp.Click(xp(`//p[contains(@class, "shortcuts")]//button[normalize-space()="Northwind IT Services"]`)),
		waitText("TenantSwitched"),
	)
	carl.audit("audit")
	carl.visit("/console/roles")
	carl.do(chromedp.WaitVisible(chromedp.CSS("table.matrix")),
		fill(`input[name="id"]`, "auditor"), fill(`input[name="name"]`, "Auditor"),
		chromedp.Click(chromedp.CSS(`input[name="permissions"][value="audit.view"]`)),
		chromedp.Click(xp(`//button[normalize-space()="Save role"]`)),
		waitText("Saved role auditor"),
		chromedp.WaitVisible(xp(`//table[contains(@class, "matrix")]//th[contains(., "auditor")]`)),
	)
	carl.audit("roles")
	carl.visit("/console/webhooks")
	carl.do(fill(`input[name="url"]`, "http://127.0.0.1:9/hooks"),
		chromedp.Click(xp(`//button[normalize-space()="Subscribe"]`)),
		waitText("The signing secret, shown only now"),
		chromedp.WaitVisible(xp(`//a[normalize-space()="http://127.0.0.1:9/hooks"]`)))
	carl.audit("webhooks")
	carl.visit("/console/organizations")
	carl.do(fill(`input[name="orgName"]`, "Contoso Group"),
		chromedp.Click(xp(`//button[normalize-space()="Create"]`)),
		chromedp.WaitVisible(xp(`//h1[normalize-space()="Contoso Group"]`)),
		fill(`input[name="addTenantId"]`, "fabrikam"),
		chromedp.Click(xp(`//button[normalize-space()="Add"]`)),
		chromedp.WaitVisible(xp(`//tr[th[normalize-space()="fabrikam"]]//span[normalize-space()="pending"]`)))
	carl.audit("organization")
	orgURL, _ := chromedp.Run(carl.ctx, chromedp.Location())
	orgID := orgURL[strings.LastIndex(orgURL, "/")+1:]

	fay := h.tab("fay")
	fay.signIn("fay")
	fay.visit("/console/incoming")
	fay.do(waitText("Review the invitation from northwind"))
	fay.audit("incoming")
	var incoming struct {
		Items []struct{ ID, TemplateID string }
	}
	h.api("GET", "/invitations?direction=incoming&status=pending", h.token("fay", "fabrikam"), "", 200, &incoming)
	fromTemplate := ""
	for _, i := range incoming.Items {
		if i.TemplateID == "gdap-default" {
			fromTemplate = i.ID
		}
	}
	fay.visit("/console/incoming/" + fromTemplate)
	fay.do(chromedp.WaitVisible(chromedp.CSS(`textarea[name="scope"]`)), chromedp.WaitVisible(chromedp.CSS("table.mappings")))
	fay.audit("review-invitation")
	fay.do(
		chromedp.Click(chromedp.CSS(`input[name="roles"][value="site-lead"]`)),
		fill(`textarea[name="scope"]`, "/sites/eu/paris"),
		submit("Accept"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="mapped"]`)),
	)
	fay.audit("accepted-mapped")
	// Fabrikam joins Contoso's organisation by the owner's tenant id; the page follows the join.
	fay.visit(fmt.Sprintf("/console/organizations/%s", orgID))
	fay.do(fill(`input[name="ownerTenantId"]`, "contoso"),
		chromedp.Click(xp(`//button[normalize-space()="Join"]`)),
		waitText("fabrikam joined Contoso Group"),
		chromedp.WaitVisible(xp(`//tr[th[normalize-space()="fabrikam"]]//span[normalize-space()="joined"]`)))
	fay.visit("/console/organizations")
	fay.do(chromedp.Click(xp(`//button[normalize-space()="Find organisations"]`)),
		chromedp.WaitVisible(xp(`//a[normalize-space()="Contoso Group"]`)),
		chromedp.WaitVisible(xp(`//code[normalize-space()="MTO_Sync_contoso"]`)))
	fay.audit("organizations")

	// A Northwind user without tenants.switch opens the switcher and reads the
	// API's reason, not an empty list or a form to fill in.
	zed := h.tab("zed")
	zed.do(
		chromedp.Navigate(h.base+"/console/"),
		fill(`input[name="sub"]`, "zed"),
		fill(`input[name="tid"]`, "northwind"),
		submit("Sign in"),
		waitText("Welcome, zed"),
		chromedp.Click(chromedp.CSS(".tenant-button")),
		chromedp.WaitVisible(chromedp.CSS(`dialog.switcher .notice.why`)),
	)
	if got := zed.text(`dialog.switcher .notice.why`); !strings.Contains(got, "tenants.switch is required") || !strings.Contains(got, "switch-not-permitted") {
		t.Errorf("the switcher says %q, want the API's detail and reason", got)
	}
	if n := eval[int](zed, `document.querySelectorAll('dialog.switcher textarea, dialog.switcher button[type="submit"]').length`); n != 0 {
		t.Errorf("the switcher offers %d fields to a user who may not switch", n)
	}
	// Its one button can be read: the header's white-on-blue secondary style
	// must not reach into the (white) dialog.
	if c := eval[string](zed, `getComputedStyle(document.querySelector('dialog.switcher .actions button')).color`); c == "rgb(255, 255, 255)" {
		t.Errorf("the switcher's Close button is white on the white dialog")
	}
	zed.audit("switcher-not-permitted")

	op := h.tab("op")
	op.signIn("op")
	op.visit("/console/tenants/new")
	op.do(chromedp.WaitVisible(chromedp.CSS(`input[name="domain"]`)))
	op.audit("create-tenant")

	// The audit itself can fail: an unlabelled control is a critical finding.
	op.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('main').insertAdjacentHTML('beforeend', '<input type="text" id="unlabelled">')`))
	if vs := op.violations(); !slices.ContainsFunc(vs, func(v violation) bool {
		return v.ID == "label" && strings.Contains(strings.Join(v.Nodes, " "), "#unlabelled")
	}) {
		t.Errorf("axe did not report an unlabelled input: %+v", vs)
	}
}
