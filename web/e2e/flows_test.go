package e2e_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// xp is an XPath selector (chromedp's Search lookup).
func xp(s string) string { return s }

// submit clicks the submit button labelled label once it is enabled: a form
// enables it only after its controls' changes re-render, and a click on a
// disabled button does nothing (it made a narrowing test time out on a
// loaded machine).
func submit(label string) chromedp.Action[chromedp.Void] {
	sel := xp(fmt.Sprintf(`//button[@type="submit" and normalize-space()=%q]`, label))
	return chromedp.Steps(chromedp.WaitEnabled(sel), chromedp.Click(sel))
}

// TestTechnicianSwitchesIntoACustomer: Tom of the MSP opens the switcher
// from the tenant name in the header, picks Contoso with a justification,
// and the header shows the session and its time left, counting down.
func TestTechnicianSwitchesIntoACustomer(t *testing.T) {
	h := start(t)
	tom := h.tab("tom")
	tom.signIn("tom")
	tom.do(
		chromedp.Click(chromedp.CSS(".tenant-button")),
		chromedp.WaitVisible(chromedp.CSS(`dialog.switcher input[value="contoso"]`)),
		waitText("helpdesk-admin"),
		chromedp.Click(chromedp.CSS(`dialog.switcher input[value="contoso"]`)),
		fill(`dialog.switcher textarea[name="justification"]`, "INC-4711"),
		chromedp.Click(xp(`//dialog//button[@type="submit" and contains(., "Switch to Contoso Ltd")]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="session"]`)),
		waitText("Session in Contoso Ltd"),
	)
	header := tom.text(`[data-testid="session"]`)
	if !strings.Contains(header, "Acting in Contoso Ltd from Northwind IT Services") {
		t.Errorf("header = %q, want the acting tenant and the home tenant", header)
	}
	left := func() time.Duration {
		m := regexp.MustCompile(`(?:(\d+):)?(\d+):(\d\d) left`).FindStringSubmatch(tom.text(`[data-testid="session"]`))
		if m == nil {
			t.Fatalf("header %q shows no time left", tom.text(`[data-testid="session"]`))
		}
		var hours, mins, secs int
		fmt.Sscan(m[1], &hours)
		fmt.Sscan(m[2], &mins)
		fmt.Sscan(m[3], &secs)
		return time.Duration(hours)*time.Hour + time.Duration(mins)*time.Minute + time.Duration(secs)*time.Second
	}
	first := left()
	if first > time.Hour || first < 55*time.Minute {
		t.Errorf("time left %v, want just under the hour a switch lasts by default", first)
	}
	time.Sleep(2100 * time.Millisecond)
	if second := left(); second >= first {
		t.Errorf("time left %v then %v: the countdown does not run", first, second)
	}
	if grants := tom.text("main table"); !strings.Contains(grants, "helpdesk-admin") || !strings.Contains(grants, "tickets.update") {
		t.Errorf("session grants = %q, want helpdesk-admin with tickets.update", grants)
	}

	// The switch really happened, with the justification: Contoso's audit log says so.
	h.settle()
	var audit struct {
		Items []struct {
			Type   string
			Actor  struct{ User, Tenant string }
			Detail struct{ Justification, TargetTenantID string }
		}
	}
	h.api("GET", "/tenants/contoso/audit?actorTenant=northwind", h.token("carl", "contoso"), "", 200, &audit)
	if i := slices.IndexFunc(audit.Items, func(r struct {
		Type   string
		Actor  struct{ User, Tenant string }
		Detail struct{ Justification, TargetTenantID string }
	}) bool {
		return r.Type == "TenantSwitched"
	}); i < 0 || audit.Items[i].Actor.User != "tom" || audit.Items[i].Detail.Justification != "INC-4711" {
		t.Errorf("contoso's audit log has no TenantSwitched by tom with the justification: %+v", audit.Items)
	}

	tom.do(
		chromedp.Click(xp(`//button[normalize-space()="Return to home"]`)),
		chromedp.WaitVisible(chromedp.CSS(".top .session.home")),
	)
	if got := tom.text(".top .session"); !strings.Contains(got, "Home tenant: Northwind IT Services") {
		t.Errorf("after returning home the header says %q", got)
	}
}

// TestCustomerAcceptsNarrowedThenOffboards: Fay of Fabrikam accepts
// Northwind's invitation narrowed to the Paris site; Nina of Northwind can
// then assign only the roles of the ceiling; Fay sees the assignment,
// removes it, and offboards the partner.
func TestCustomerAcceptsNarrowedThenOffboards(t *testing.T) {
	h := start(t)
	fay := h.tab("fay")
	fay.signIn("fay")
	fay.do(
		chromedp.Click(chromedp.CSS(`nav a[href="/console/incoming"]`)),
		chromedp.Click(xp(`//a[contains(., "Review the invitation from northwind")]`)),
		chromedp.WaitVisible(chromedp.CSS(`textarea[name="scope"]`)),
		fill(`textarea[name="scope"]`, "/sites/eu/paris"),
		fill(`textarea[name="primaryAdmins"]`, "user:nina"),
		submit("Accept"),
		chromedp.WaitVisible(xp(`//h1[contains(., "Northwind IT Services")]`)),
	)
	loc, _ := chromedp.Run(fay.ctx, chromedp.Location())
	relID := loc[strings.LastIndex(loc, "/")+1:]
	if !strings.Contains(loc, "/console/partners/") || relID == "" {
		t.Fatalf("after accepting the console is at %s, want the partner's page", loc)
	}
	fayTok := h.token("fay", "fabrikam")
	var rel struct {
		Status        string
		Scope         []string
		PrimaryAdmins []string
	}
	h.api("GET", "/relationships/"+relID, fayTok, "", 200, &rel)
	if rel.Status != "active" || !slices.Equal(rel.Scope, []string{"/sites/eu/paris"}) || !slices.Equal(rel.PrimaryAdmins, []string{"user:nina"}) {
		t.Fatalf("accepted relationship = %+v, want active, scope /sites/eu/paris, primary admin user:nina", rel)
	}

	// The partner assigns: the picker offers only the ceiling.
	nina := h.tab("nina")
	nina.signIn("nina")
	nina.do(
		chromedp.Click(chromedp.CSS(`nav a[href="/console/customers"]`)),
		chromedp.Click(xp(`//a[normalize-space()="Fabrikam Inc"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[aria-labelledby="assign-title"] input[name="roles"]`)),
	)
	offered := eval[[]string](nina, `[...document.querySelectorAll('form[aria-labelledby="assign-title"] input[name="roles"]')].map(e => e.value)`)
	if !slices.Equal(offered, []string{"site-lead"}) {
		t.Errorf("the assignment picker offers %v, want only the ceiling [site-lead]", offered)
	}
	nina.do(
		fill(`input[name="principal"]`, "user:tom"),
		chromedp.Click(chromedp.CSS(`form[aria-labelledby="assign-title"] input[value="site-lead"]`)),
		submit("Assign"),
		waitText("Assigned site-lead to user:tom"),
		chromedp.WaitVisible(xp(`//table[contains(@class, "assignments")]//code[.="user:tom"]`)),
	)

	// The customer sees who holds what, removes it, and offboards.
	fay.do(
		chromedp.Click(chromedp.CSS(`nav a[href="/console/partners"]`)),
		chromedp.Click(xp(`//a[normalize-space()="Northwind IT Services"]`)),
		chromedp.WaitVisible(xp(`//table[contains(@class, "assignments")]//code[.="user:tom"]`)),
	)
	if row := fay.text(`table.assignments tbody tr`); !strings.Contains(row, "site-lead") || !strings.Contains(row, "/sites/eu/paris") {
		t.Errorf("the customer sees the assignment as %q, want site-lead on /sites/eu/paris", row)
	}
	fay.do(
		chromedp.Click(xp(`//button[@aria-label="Remove user:tom"]`)),
		chromedp.Click(xp(`//dialog[@open]//button[normalize-space()="Remove"]`)),
		waitText("Assignment removed."),
		waitText("Nobody holds a role under this relationship."),
	)
	var asg struct{ Items []any }
	h.api("GET", "/relationships/"+relID+"/assignments", fayTok, "", 200, &asg)
	if len(asg.Items) != 0 {
		t.Errorf("after removing, the relationship still has %d assignments", len(asg.Items))
	}
	fay.do(
		chromedp.Click(xp(`//button[normalize-space()="Offboard Northwind IT Services"]`)),
		chromedp.Click(xp(`//dialog[@open]//button[normalize-space()="Offboard"]`)),
		chromedp.WaitVisible(xp(`//h1//span[contains(@class, "badge") and .="terminated"]`)),
	)
	h.api("GET", "/relationships/"+relID, fayTok, "", 200, &rel)
	if rel.Status != "terminated" {
		t.Errorf("after offboarding the relationship is %s, want terminated", rel.Status)
	}
}

// TestAuditShowsPartnerActions: what the partner did in Contoso is in
// Contoso's audit log, newest first, filtered to the partner in one click,
// page after page.
func TestAuditShowsPartnerActions(t *testing.T) {
	h := start(t)
	nina := h.token("nina", "northwind")
	var relList struct {
		Items []struct{ ID, CustomerTenantID string }
	}
	h.api("GET", "/relationships?side=partner", nina, "", 200, &relList)
	relID := ""
	for _, r := range relList.Items {
		if r.CustomerTenantID == "contoso" {
			relID = r.ID
		}
	}
	const n = 27 // more than one page of 25
	for i := 1; i <= n; i++ {
		h.api("POST", "/relationships/"+relID+"/assignments", nina, fmt.Sprintf(`{"principal":"user:ann%d","roles":["helpdesk-admin"]}`, i), 201, nil)
	}
	h.settle()

	carl := h.tab("carl")
	carl.signIn("carl")
	carl.do(
		chromedp.Click(chromedp.CSS(`nav a[href="/console/audit"]`)),
		chromedp.Click(xp(`//p[contains(@class, "shortcuts")]//button[normalize-space()="Northwind IT Services"]`)),
		chromedp.WaitVisible(xp(`//button[@aria-pressed="true" and normalize-space()="Northwind IT Services"]`)),
		waitText(fmt.Sprintf("user:ann%d", n)),
		chromedp.WaitVisible(xp(`//button[normalize-space()="Load more records"]`)),
	)
	rows := func() []string {
		return eval[[]string](carl, `[...document.querySelectorAll('table.audit tbody tr')].map(r => r.innerText)`)
	}
	first := rows()
	if len(first) != 25 {
		t.Fatalf("first page shows %d records, want 25", len(first))
	}
	if !strings.Contains(first[0], fmt.Sprintf("user:ann%d", n)) || !strings.Contains(first[0], "RoleAssigned") {
		t.Errorf("newest record = %q, want the last assignment", first[0])
	}
	for _, r := range first {
		if !strings.Contains(r, "nina (northwind)") {
			t.Errorf("filtered to northwind, the log shows %q", r)
		}
	}
	carl.do(
		chromedp.Click(xp(`//button[normalize-space()="Load more records"]`)),
		waitText("user:ann1: helpdesk-admin"),
	)
	if all := rows(); len(all) <= 25 {
		t.Errorf("after loading more, %d records", len(all))
	}
}

// TestAPIErrorIsShown: a refusal from the API reaches the user with the
// problem document's detail.
func TestAPIErrorIsShown(t *testing.T) {
	h := start(t)
	nina := h.tab("nina")
	nina.signIn("nina")
	nina.do(
		chromedp.Click(chromedp.CSS(`nav a[href="/console/customers"]`)),
		chromedp.Click(xp(`//a[normalize-space()="Contoso Ltd"]`)),
		fill(`input[name="principal"]`, "user:tom"),
		chromedp.Click(chromedp.CSS(`form[aria-labelledby="assign-title"] input[value="site-lead"]`)),
		chromedp.Click(chromedp.CSS(`input[name="eligible"]`)),
		fill(`input[name="maxActivation"]`, "PT9H"),
		submit("Assign"),
		chromedp.WaitVisible(chromedp.CSS(`form[aria-labelledby="assign-title"] .error[role="alert"]`)),
	)
	shown := nina.text(`form[aria-labelledby="assign-title"] .error[role="alert"]`)

	// The same request straight to the API: the console shows its detail.
	var problem struct{ Detail, Field string }
	loc, _ := chromedp.Run(nina.ctx, chromedp.Location())
	relID := loc[strings.LastIndex(loc, "/")+1:]
	h.api("POST", "/relationships/"+relID+"/assignments", h.token("nina", "northwind"),
		`{"principal":"user:tom","roles":["site-lead"],"eligible":true,"maxActivation":"PT9H"}`, 422, &problem)
	if problem.Detail == "" || !strings.Contains(shown, problem.Detail) || !strings.Contains(shown, "(422)") {
		t.Errorf("the console shows %q, want the 422 problem's detail %q", shown, problem.Detail)
	}
	if problem.Field != "" && !strings.Contains(shown, problem.Field) {
		t.Errorf("the console shows %q, want the field %q named", shown, problem.Field)
	}
}

// TestCSPBlocksInlineScript: the page runs under the strict policy — an
// inline script does not run, and the browser's report of it reaches the
// harness (which fails every other test on such a report).
func TestCSPBlocksInlineScript(t *testing.T) {
	h := start(t)
	tb := h.tab("csp")
	tb.signIn("carl")
	ran := eval[bool](tb, `new Promise(done => {
	  const s = document.createElement('script');
	  s.textContent = 'window.inlineRan = true';
	  document.head.append(s);
	  setTimeout(() => done(window.inlineRan === true), 300);
	})`)
	if ran {
		t.Error("an inline script ran: the page has no strict Content-Security-Policy")
	}
	deadline := time.Now().Add(5 * time.Second)
	var reports []string
	for time.Now().Before(deadline) {
		reports = append(reports, h.takeProblems()...)
		if slices.ContainsFunc(reports, func(p string) bool { return strings.Contains(p, "Content Security Policy") }) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("no CSP violation reported by the browser; got %q", reports)
}
