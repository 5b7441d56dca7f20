package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// TestPolicyApplicationChanges drives what session 7 built around an
// application under review through the pages, as the users would:
//
//   - the market regulation bureau's head (sjj-admin, a department admin:
//     an editor of the bureau's policies and the head of its reviewers)
//     writes a review-mode policy with one material and one step of 5
//     working days reviewed by the bureau, and publishes it;
//   - the demo enterprise, on a phone (390 px), applies, tries to withdraw
//     without a reason (refused naming the field), withdraws with one, and
//     applies again from the withdrawn application's page;
//   - the head extends the step: a first try without a reason is refused
//     with the days kept; the extension moves the deadline and is in the
//     timeline; a second try, from the page the head still had open in
//     another tab, is refused saying it was extended once already;
//   - the office (admin) reassigns the task to the tax bureau: the tax
//     bureau's reviewer (swj-staff) finds it in the queue and may decide
//     it, and it has left the market regulation bureau's queue.
//
// Screenshots e2e/screenshots/policy-change-*.png; the withdrawal and
// extension forms at 390 px in zh-CN, checked not to be wider than the
// screen.
func TestPolicyApplicationChanges(t *testing.T) {
	t.Parallel()
	s := startSite(t, "")
	const (
		title          = "端到端研发后补助（撤回、延期与改派）"
		condition      = `{"all":[{"fact":"rd_spending_wan","op":">=","value":150},{"fact":"high_tech","op":"=","value":true}]}`
		withdrawReason = "审计报告年度有误，撤回后重新提交"
		extendReason   = "需向省科技厅核实研发项目备案"
	)
	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)
	fits := func(ctx context.Context, what string) {
		t.Helper()
		if p := settled(t, ctx, what+" at 390 px", widthProblems, pageLimit); p != "" {
			t.Errorf("%s at 390 px: %s", what, p)
		}
	}

	// The head writes the policy, its material and step, and publishes it.
	head := browser(t)
	login(t, head, s, "sjj-admin")
	open(t, head, s.URL+"/policies/new", `[data-testid=policy-form]`)
	run(t, head, "write the policy",
		chromedp.SendKeys(`input[name=title]`, title, chromedp.ByQuery),
		chromedp.SetValue(`select[name=mode]`, "review", chromedp.ByQuery),
		chromedp.SetValue(`textarea[name=condition]`, condition, chromedp.ByQuery),
		chromedp.SetValue(`textarea[name=amount]`, `{"kind":"fixed","amount":88888}`, chromedp.ByQuery))
	submitAndLand(t, head, "save the policy", chromedp.Click(`[data-testid=policy-save]`, chromedp.ByQuery))
	var loc string
	run(t, head, "policy address", chromedp.WaitVisible(`[data-testid=policy-title]`, chromedp.ByQuery), chromedp.Location(&loc))
	m := regexp.MustCompile(`/policies/(\d+)`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after saving the policy: at %s", loc)
	}
	policyID := m[1]
	open(t, head, s.URL+"/policies/"+policyID+"/review", `[data-testid=steps-form]`)
	var chosen int
	run(t, head, "material and step",
		chromedp.SendKeys(`input[name=material_key_0]`, "audit", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=material_name_0]`, "研发费用专项审计报告", chromedp.ByQuery),
		chromedp.Click(`input[name=material_required_0]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=step_name_0]`, "受理审核", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=step_days_0]`, "5", chromedp.ByQuery),
		chromedp.Evaluate(`(() => { const s = document.querySelector('select[name=step_depts_0]');
			for (const o of s.options) o.selected = o.text.trim() === '许昌市市场监督管理局';
			return s.selectedOptions.length; })()`, &chosen))
	if chosen != 1 {
		t.Fatalf("the bureau is not among the reviewer departments (%d chosen)", chosen)
	}
	submitAndLand(t, head, "save the steps", chromedp.Click(`[data-testid=steps-save]`, chromedp.ByQuery))
	submitAndLand(t, head, "publish", chromedp.WaitVisible(`[data-testid=policy-publish]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=policy-publish]`, chromedp.ByQuery))
	run(t, head, "published", chromedp.WaitVisible(`[data-testid=policy-grant-run]`, chromedp.ByQuery))

	// The enterprise applies on its phone.
	material := filepath.Join(t.TempDir(), "研发费用专项审计报告.pdf")
	if err := os.WriteFile(material, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ent := browser(t)
	login(t, ent, s, "enterprise")
	run(t, ent, "phone width", phone)
	apply := func(what string) {
		t.Helper()
		run(t, ent, what+": attach the material", chromedp.WaitVisible(`[data-testid=apply-form]`, chromedp.ByQuery),
			chromedp.SetUploadFiles(`[data-testid=material-audit]`, []string{material}, chromedp.ByQuery))
		submitAndLand(t, ent, what, chromedp.Click(`[data-testid=apply-submit]`, chromedp.ByQuery))
		waitURL(t, ent, "/policy-applications/")
	}
	stateOf := func(ctx context.Context) string {
		t.Helper()
		var st string
		run(t, ctx, "application state", chromedp.WaitVisible(`[data-testid=application-state]`, chromedp.ByQuery),
			chromedp.AttributeValue(`[data-testid=application-state]`, "data-state", &st, nil, chromedp.ByQuery))
		return st
	}
	open(t, ent, s.URL+"/my/policies/"+policyID+"/apply", `[data-testid=apply-form]`)
	apply("apply")
	var appPage string
	run(t, ent, "application address", chromedp.Location(&appPage))
	if st := stateOf(ent); st != "reviewing" {
		t.Fatalf("after applying: state %q", st)
	}

	// Withdrawal: without a reason it is refused, naming the field.
	run(t, ent, "the withdrawal form", chromedp.WaitVisible(`[data-testid=withdraw-form]`, chromedp.ByQuery))
	fits(ent, "the withdrawal form")
	shot(t, ent, "policy-change-1-withdraw-390")
	submitAndLand(t, ent, "withdraw without a reason", chromedp.Click(`[data-testid=withdraw-submit]`, chromedp.ByQuery))
	if msg := textOf(t, ent, `[data-testid=withdraw-form] .fielderr`); !strings.Contains(msg, "撤回理由") {
		t.Fatalf("withdrawal without a reason: %q", msg)
	}
	if st := stateOf(ent); st != "reviewing" {
		t.Fatalf("refused withdrawal: state %q", st)
	}
	submitAndLand(t, ent, "withdraw",
		chromedp.SendKeys(`[data-testid=withdraw-reason]`, withdrawReason, chromedp.ByQuery),
		chromedp.Click(`[data-testid=withdraw-submit]`, chromedp.ByQuery))
	if st := stateOf(ent); st != "withdrawn" {
		t.Fatalf("after withdrawing: state %q\n%s", st, textOf(t, ent, `main`))
	}
	if r := textOf(t, ent, `[data-testid=application-reason]`); !strings.Contains(r, withdrawReason) {
		t.Fatalf("the withdrawn application's reason: %q", r)
	}
	if tasks := textOf(t, ent, `[data-testid=application-tasks]`); !strings.Contains(tasks, "已撤回，无需审核") {
		t.Fatalf("the withdrawn application's tasks:\n%s", tasks)
	}
	shot(t, ent, "policy-change-2-withdrawn-390")

	// ... and applies again from the withdrawn application's page: the
	// same application, under review again.
	submitAndLand(t, ent, "apply again", chromedp.Click(`[data-testid=apply-again]`, chromedp.ByQuery))
	apply("apply again")
	var again string
	run(t, ent, "address after applying again", chromedp.Location(&again))
	if again != appPage || stateOf(ent) != "reviewing" {
		t.Fatalf("applied again: at %s (first at %s), state %q", again, appPage, stateOf(ent))
	}
	if tl := textOf(t, ent, `[data-testid=application-timeline]`); !strings.Contains(tl, "撤回后重新申请") || !strings.Contains(tl, withdrawReason) {
		t.Fatalf("the timeline after applying again:\n%s", tl)
	}

	// The head extends the step. The application is also open in another
	// tab of the head's, which will be stale after the extension.
	stale := sameVisitorTab(t, head)
	open(t, stale, appPage, `[data-testid=extend-form]`)
	open(t, head, appPage, `[data-testid=extend-form]`)
	run(t, head, "phone width", phone)
	fits(head, "the extension form")
	shot(t, head, "policy-change-3-extend-390")
	oldDue := textOf(t, head, `[data-testid=application-due]`)
	submitAndLand(t, head, "extend without a reason",
		chromedp.SendKeys(`[data-testid=extend-days]`, "3", chromedp.ByQuery),
		chromedp.Click(`[data-testid=extend-submit]`, chromedp.ByQuery))
	if msg := textOf(t, head, `[data-testid=extend-form] .fielderr`); !strings.Contains(msg, "延期理由") {
		t.Fatalf("extension without a reason: %q", msg)
	}
	var days, invalid string
	run(t, head, "days kept, reason marked", chromedp.Value(`[data-testid=extend-days]`, &days, chromedp.ByQuery),
		chromedp.AttributeValue(`[data-testid=extend-reason]`, "aria-invalid", &invalid, nil, chromedp.ByQuery))
	if days != "3" || invalid != "true" {
		t.Fatalf("after the refusal: days %q kept, reason aria-invalid %q", days, invalid)
	}
	shot(t, head, "policy-change-4-extend-error-390")
	submitAndLand(t, head, "extend",
		chromedp.SendKeys(`[data-testid=extend-reason]`, extendReason, chromedp.ByQuery),
		chromedp.Click(`[data-testid=extend-submit]`, chromedp.ByQuery))
	newDue := textOf(t, head, `[data-testid=application-due]`)
	if flash := textOf(t, head, `.flash`); !strings.Contains(flash, "时限已延长至 "+newDue) || newDue <= oldDue {
		t.Fatalf("after the extension: due %s (was %s), flash %q", newDue, oldDue, flash)
	}
	if tl := textOf(t, head, `[data-testid=application-timeline]`); !strings.Contains(tl, "延长 3 个工作日，新时限 "+newDue) {
		t.Fatalf("the timeline lacks the extension:\n%s", tl)
	}
	if n := countOf(t, head, `[data-testid=extend-form]`); n != 0 {
		t.Fatalf("the extension form is still offered (%d)", n)
	}
	shot(t, head, "policy-change-5-extended-390")
	// A second extension, from the stale tab, is refused with the reason.
	submitAndLand(t, stale, "extend again",
		chromedp.SendKeys(`[data-testid=extend-days]`, "1", chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=extend-reason]`, "再延一次", chromedp.ByQuery),
		chromedp.Click(`[data-testid=extend-submit]`, chromedp.ByQuery))
	if msg := textOf(t, stale, `.alert`); !strings.Contains(msg, "已延长过一次") {
		t.Fatalf("a second extension: %q", msg)
	}
	shot(t, stale, "policy-change-6-extend-again")

	// The office reassigns the task to the tax bureau.
	office := browser(t)
	login(t, office, s, "admin")
	open(t, office, appPage, `[data-testid=reassign-form]`)
	var to string
	run(t, office, "choose the tax bureau", chromedp.Evaluate(`(() => { const s = document.querySelector('[data-testid=reassign-to]');
		for (const o of s.options) if (o.text.trim() === '国家税务总局许昌市税务局') { s.value = o.value; return o.value; }
		return ""; })()`, &to))
	if to == "" {
		t.Fatal("the tax bureau is not offered")
	}
	run(t, office, "the reason", chromedp.SendKeys(`[data-testid=reassign-reason]`, "研发费用加计扣除由税务部门核验", chromedp.ByQuery))
	shot(t, office, "policy-change-7-reassign")
	submitAndLand(t, office, "reassign", chromedp.Click(`[data-testid=reassign-submit]`, chromedp.ByQuery))
	if tasks := textOf(t, office, `[data-testid=application-tasks]`); !strings.Contains(tasks, "国家税务总局许昌市税务局") || strings.Contains(tasks, "许昌市市场监督管理局") {
		t.Fatalf("the tasks after the reassignment:\n%s", tasks)
	}
	shot(t, office, "policy-change-8-reassigned")

	// The tax bureau's reviewer finds it in the queue and may decide it;
	// it has left the market regulation bureau's queue.
	swj := browser(t)
	login(t, swj, s, "swj-staff")
	open(t, swj, s.URL+"/policy-review", `[data-testid=review-queue]`)
	if q := textOf(t, swj, `[data-testid=review-queue]`); !strings.Contains(q, title) {
		t.Fatalf("the tax bureau's queue lacks the application:\n%s", q)
	}
	open(t, swj, appPage, `[data-testid=decide-approve]`)
	shot(t, swj, "policy-change-9-new-reviewer")
	open(t, head, s.URL+"/policy-review", `main h1`)
	if q := textOf(t, head, `main`); strings.Contains(q, title) {
		t.Fatalf("the application is still in the market regulation bureau's queue:\n%s", q)
	}
}

// sameVisitorTab opens another tab in ctx's browser context (the same
// cookies: the same signed-in user, as with a second tab of one's own).
func sameVisitorTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	root := browserRoot(t)
	bx := cdp.WithExecutor(root, chromedp.FromContext(root).Browser)
	info, err := target.GetTargetInfo().WithTargetID(chromedp.FromContext(ctx).Target.TargetID).Do(bx)
	if err != nil {
		t.Fatalf("the tab's browser context: %v", err)
	}
	id, err := target.CreateTarget("about:blank").WithBrowserContextID(info.BrowserContextID).Do(bx)
	if err != nil {
		t.Fatalf("another tab: %v", err)
	}
	tab, cancel := chromedp.NewContext(root, chromedp.WithTargetID(id))
	t.Cleanup(cancel)
	if err := chromedp.Run(tab, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("open another tab: %v", err)
	}
	return tab
}
