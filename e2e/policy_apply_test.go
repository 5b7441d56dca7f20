package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPolicyClaimAndApplication: the market regulation bureau's policy
// staff (sjj-staff, the demo account with the policy role) writes an
// instant policy (即申即享) and a policy by application with review (one
// material, one step reviewed by its own bureau) and publishes both; the
// demo enterprise claims the first from "policies for you" and applies
// for the second with its material uploaded through the form; the
// reviewer finds the application in its queue and approves it; the
// payment of both grants is recorded; the enterprise's benefit statement
// (红利账单) lists both. Screenshots e2e/screenshots/policy-apply-*.png.
func TestPolicyClaimAndApplication(t *testing.T) {
	t.Parallel()
	s := startSite(t, "")
	const (
		instantTitle = "端到端即申即享研发奖励"
		reviewTitle  = "端到端研发后补助（申请审核）"
		// The demo enterprise meets this rule (as in TestPolicyFlow).
		condition = `{"all":[{"fact":"rd_spending_wan","op":">=","value":150},{"fact":"high_tech","op":"=","value":true}]}`
	)
	idOf := regexp.MustCompile(`/policies/(\d+)`)

	staff := browser(t)
	login(t, staff, s, "sjj-staff")
	// newPolicy writes a policy through the form and returns its page.
	newPolicy := func(title, mode, amount string) string {
		run(t, staff, "new policy "+title,
			chromedp.Navigate(s.URL+"/policies/new"),
			chromedp.WaitVisible(`[data-testid=policy-form]`, chromedp.ByQuery),
			chromedp.SendKeys(`input[name=title]`, title, chromedp.ByQuery),
			chromedp.SetValue(`select[name=mode]`, mode, chromedp.ByQuery),
			chromedp.SetValue(`textarea[name=condition]`, condition, chromedp.ByQuery),
			chromedp.SetValue(`textarea[name=amount]`, amount, chromedp.ByQuery),
		)
		run(t, staff, "save "+title, chromedp.Click(`[data-testid=policy-save]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=policy-title]`, chromedp.ByQuery))
		var loc string
		run(t, staff, "policy address", chromedp.Location(&loc))
		if !idOf.MatchString(loc) {
			t.Fatalf("after saving %s: at %s", title, loc)
		}
		return s.URL + idOf.FindString(loc)
	}
	publish := func(page string) {
		open(t, staff, page, `[data-testid=policy-publish]`)
		run(t, staff, "publish", chromedp.Click(`[data-testid=policy-publish]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=policy-grant-run]`, chromedp.ByQuery))
	}
	instantPage := newPolicy(instantTitle, "instant", `{"kind":"fixed","amount":66666}`)
	publish(instantPage)
	reviewPage := newPolicy(reviewTitle, "review", `{"kind":"fixed","amount":77777}`)
	// Materials and one review step of 5 working days by the bureau itself.
	open(t, staff, reviewPage+"/review", `[data-testid=steps-form]`)
	var chosen int
	run(t, staff, "review steps",
		chromedp.SendKeys(`input[name=material_key_0]`, "audit", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=material_name_0]`, "研发费用专项审计报告", chromedp.ByQuery),
		chromedp.Click(`input[name=material_required_0]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=step_name_0]`, "受理审核", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=step_days_0]`, "5", chromedp.ByQuery),
		chromedp.Evaluate(`(() => { const s = document.querySelector('select[name=step_depts_0]');
			for (const o of s.options) o.selected = o.text.trim() === '许昌市市场监督管理局';
			return s.selectedOptions.length; })()`, &chosen),
	)
	if chosen != 1 {
		t.Fatalf("the bureau is not among the reviewer departments (%d chosen)", chosen)
	}
	shot(t, staff, "policy-apply-1-steps")
	run(t, staff, "save the steps", chromedp.Click(`[data-testid=steps-save]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=policy-title]`, chromedp.ByQuery))
	publish(reviewPage)
	instantID, reviewID := idOf.FindStringSubmatch(instantPage)[1], idOf.FindStringSubmatch(reviewPage)[1]

	// The enterprise claims the instant policy from its list.
	ent := browser(t)
	login(t, ent, s, "enterprise")
	open(t, ent, s.URL+"/my/policies", `[data-testid=policy-claim-`+instantID+`]`)
	if n := countOf(t, ent, `[data-testid=policy-apply-`+reviewID+`]`); n != 1 {
		t.Fatalf("the review policy offers no application (%d)", n)
	}
	submitAndLand(t, ent, "claim", chromedp.Click(`[data-testid=policy-claim-`+instantID+`]`, chromedp.ByQuery))
	waitURL(t, ent, "/my/policies/statement")
	if flash := textOf(t, ent, `main`); !strings.Contains(flash, "¥66,666.00") {
		t.Fatalf("after the claim:\n%s", flash)
	}
	shot(t, ent, "policy-apply-2-claimed")

	// ... and applies for the review policy with its material.
	material := filepath.Join(t.TempDir(), "研发费用专项审计报告.pdf")
	if err := os.WriteFile(material, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	open(t, ent, s.URL+"/my/policies/"+reviewID+"/apply", `[data-testid=apply-form]`)
	run(t, ent, "attach the material", chromedp.SetUploadFiles(`[data-testid=material-audit]`, []string{material}, chromedp.ByQuery))
	submitAndLand(t, ent, "apply", chromedp.Click(`[data-testid=apply-submit]`, chromedp.ByQuery))
	waitURL(t, ent, "/policy-applications/")
	var appPage string
	run(t, ent, "application address", chromedp.Location(&appPage))
	var state string
	run(t, ent, "application state", chromedp.WaitVisible(`[data-testid=application-state]`, chromedp.ByQuery),
		chromedp.AttributeValue(`[data-testid=application-state]`, "data-state", &state, nil, chromedp.ByQuery))
	if state != "reviewing" || !strings.Contains(textOf(t, ent, `main`), "研发费用专项审计报告.pdf") {
		t.Fatalf("after applying: state %q\n%s", state, textOf(t, ent, `main`))
	}
	shot(t, ent, "policy-apply-3-applied")

	// The reviewer finds it in the queue and approves it.
	open(t, staff, s.URL+"/policy-review", `[data-testid=review-queue]`)
	if q := textOf(t, staff, `[data-testid=review-queue]`); !strings.Contains(q, reviewTitle) {
		t.Fatalf("the queue lacks the application:\n%s", q)
	}
	shot(t, staff, "policy-apply-4-queue")
	open(t, staff, appPage, `[data-testid=decide-approve]`)
	submitAndLand(t, staff, "approve",
		chromedp.SendKeys(`[data-testid=decide-note]`, "审计报告齐全，同意", chromedp.ByQuery),
		chromedp.Click(`[data-testid=decide-approve]`, chromedp.ByQuery))
	reloadUntilHas(t, staff, "approved", appPage, `main`, "¥77,777.00", stateLimit)
	shot(t, staff, "policy-apply-5-approved")

	// The payment of both grants is recorded on the policies' pages.
	for i, page := range []string{instantPage, reviewPage} {
		open(t, staff, page, `[data-testid=policy-pay]`)
		submitAndLand(t, staff, "pay",
			chromedp.SendKeys(`input[name=payment_ref]`, "XCCZ-E2E-APPLY-"+string(rune('1'+i)), chromedp.ByQuery),
			chromedp.Click(`[data-testid=policy-pay]`, chromedp.ByQuery))
		reloadUntilHas(t, staff, "paid", page, `[data-testid=policy-grants]`, "已到账", stateLimit)
	}

	// The enterprise's benefit statement lists both grants.
	open(t, ent, s.URL+"/my/policies/statement", `[data-testid=statement-table]`)
	txt := textOf(t, ent, `[data-testid=statement-table]`)
	for _, want := range []string{instantTitle, "¥66,666.00", reviewTitle, "¥77,777.00"} {
		if !strings.Contains(txt, want) {
			shot(t, ent, "FAILED-policy-apply-statement")
			t.Fatalf("the statement lacks %s:\n%s", want, txt)
		}
	}
	shot(t, ent, "policy-apply-6-statement")
}
