package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestEnterpriseStepsOnDemo (issue 18): what the demo enterprise (login
// `enterprise`) sees of the seeds' new steps on the demo data alone, with
// one site and one browser:
//
//   - its credit repair application in staged review: the step bar with
//     the first review passed and the external step at 信用中国（河南）
//     with its clock (internal/credit/demo_staged.go, demoOwnStaged);
//   - a reminder of a dated obligation other than a licence (the annual
//     report or the tax return, licence migration 0003) in its inbox;
//   - an appeal linked to the demo's common issue, with its response and
//     interim-feedback clocks and the stage and fix deadline, and
//     an appeal resolved on the spot, which it rates.
//
// Dates by hand: the demo loads on Tue 1 Dec 2026 09:00 (Asia/Shanghai);
// first response (1 working day) due Wed 2 Dec, interim feedback (3) Fri
// 4 Dec, the common issue's fix (30 calendar days from its plan) Thu 31 Dec.
func TestEnterpriseStepsOnDemo(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_FAKE_NOW=2026-12-01T09:00:00+08:00")
	ent := browser(t)
	login(t, ent, s, "enterprise")

	// (a) The staged repair: the row of the demo enterprise's warning 0062.
	open(t, ent, s.URL+"/credit/repairs", `[data-testid=repair-row]`)
	repair := hrefOf(t, ent, `[data-testid=repair-row]`, "0062号", `a[href^="/credit/repairs/"]`)
	open(t, ent, s.URL+repair, `[data-testid=stepbar]`)
	bar := textOf(t, ent, `[data-testid=stepbar]`)
	for _, want := range []string{"信用办初审", "外部审核（信用中国（河南））", "修复完成"} {
		if !strings.Contains(bar, want) {
			t.Fatalf("the step bar lacks %q:\n%s", want, bar)
		}
	}
	if cur := textOf(t, ent, `[data-testid=step-current]`); !strings.Contains(cur, "信用中国（河南）") {
		t.Fatalf("current step %q, want the external step", cur)
	}
	// The external clock started at the demo's load: all 10 working days left.
	if clock := textOf(t, ent, `[data-testid=step-clock]`); !strings.Contains(clock, "还剩 10 个工作日") {
		t.Fatalf("external step clock %q, want 10 working days left", clock)
	}
	shot(t, ent, "enterprise-steps-01-staged-repair")

	// (b) A reminder of the annual report or the tax return in the inbox.
	inbox := reloadUntil(t, ent, "obligation reminder", s.URL+"/inbox", "main", jobLimit, func(txt string) bool {
		return strings.Contains(txt, "企业年报提醒：企业年度报告") || strings.Contains(txt, "涉税事项（许税闹钟）提醒：增值税及附加税费申报")
	})
	if strings.Contains(inbox, "{{") {
		t.Fatalf("an unrendered template in the inbox:\n%s", inbox)
	}
	shot(t, ent, "enterprise-steps-02-obligation-reminder")

	// (c) The appeal linked to the common issue: its clocks and the issue.
	open(t, ent, s.URL+"/appeals", `main table`)
	linked := hrefOf(t, ent, `main tr`, "银行开户要求重复提交登记材料", `a[href^="/appeals/"]`)
	onSpot := hrefOf(t, ent, `main tr`, "首贷续贷中心能否办理抵押登记", `a[href^="/appeals/"]`)
	open(t, ent, s.URL+linked, `[data-testid=appeal-terms]`)
	if dl := textOf(t, ent, `[data-testid=appeal-deadlines]`); !strings.Contains(dl, "2026-12-02") {
		t.Fatalf("the first response deadline (2 Dec) is not shown:\n%s", dl)
	}
	if fb := textOf(t, ent, `[data-testid=terms-feedback]`); !strings.Contains(fb, "2026-12-04") {
		t.Fatalf("interim feedback due %q, want 4 Dec", fb)
	}
	class := textOf(t, ent, `[data-testid=terms-class]`)
	for _, want := range []string{"共性问题", "企业开办后续环节重复提交登记材料", "整改中", "2026-12-31"} {
		if !strings.Contains(class, want) {
			t.Fatalf("the class lacks %q:\n%s", want, class)
		}
	}
	shot(t, ent, "enterprise-steps-03-common-issue")

	// The appeal resolved on the spot: marked so, and the enterprise rates it.
	open(t, ent, s.URL+onSpot, `[data-testid=terms-on-spot]`)
	appealAct(t, ent, s, s.URL+onSpot, "rate", "", "已评价", chromedp.Click(`[data-testid="rating-satisfied"]`, chromedp.ByQuery))
	if r := textOf(t, ent, `[data-testid=appeal-rating]`); !strings.Contains(r, "满意") {
		t.Fatalf("rating shown %q", r)
	}
	shot(t, ent, "enterprise-steps-04-on-the-spot-rated")
}

// hrefOf returns the link (matching link) inside the first element
// matching row whose text contains text; it fails the test when none does.
func hrefOf(t *testing.T, ctx context.Context, row, text, link string) string {
	t.Helper()
	var href string
	run(t, ctx, "find "+text, chromedp.Evaluate(`(()=>{for(const r of document.querySelectorAll(`+jsString(row)+`)){
		if(r.textContent.includes(`+jsString(text)+`)){const a=r.querySelector(`+jsString(link)+`);if(a)return a.getAttribute('href')}}return ''})()`, &href))
	if href == "" {
		t.Fatalf("no %s with %q on the page", row, text)
	}
	return href
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
