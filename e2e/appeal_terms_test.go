package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAppealSeedSteps: the enterprise's view of the seeds' new steps
// (issue 18). The office opens a common issue and links the enterprise's
// appeal to it; the department claims it with a committed resolution date
// and gives interim feedback; the enterprise sees the commitments card;
// the department plans and fixes the common issue and the enterprise sees
// the fix on its appeal. A second appeal is resolved on the spot and the
// enterprise rates it.
func TestAppealSeedSteps(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_FAKE_NOW=2026-12-01T09:00:00+08:00") // Tue: help, 5 WD -> Tue 8 Dec
	ent := browser(t)
	login(t, ent, s, "enterprise")
	submit := func(title, desc string) string {
		t.Helper()
		var loc string
		open(t, ent, s.URL+"/appeals/new", `[data-testid="appeal-form"]`)
		run(t, ent, "submit "+title,
			chromedp.SetValue(`[data-testid="appeal-kind"]`, "help", chromedp.ByQuery),
			chromedp.SetValue(`[data-testid="appeal-topic"]`, "开办企业", chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid="appeal-title"]`, title, chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid="appeal-description"]`, desc, chromedp.ByQuery),
			chromedp.Click(`[data-testid="appeal-submit"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid="appeal-number"]`, chromedp.ByQuery), chromedp.Location(&loc))
		return loc
	}
	url := submit("刻章备案重复提交执照复印件", "办理刻章备案时又要求提交营业执照复印件，电子营业执照已经有了，能否免于提交？")
	// Before anyone acts, the enterprise sees when feedback is due (3 WD: Fri 4 Dec).
	reloadUntilHas(t, ent, "feedback due", url, `[data-testid="terms-feedback"]`, "2026-12-04", stateLimit)

	office := browser(t)
	login(t, office, s, "admin")
	appealAct(t, office, s, url, "accept", "", "已受理")
	// The office opens the common issue.
	open(t, office, s.URL+"/appeal-issues", `[data-testid="issue-form"]`)
	var deptSet string
	run(t, office, "common issue form",
		chromedp.SendKeys(`#title`, "刻章环节重复提交营业执照复印件", chromedp.ByQuery),
		chromedp.SendKeys(`#cause`, "公安刻章备案流程未接入电子营业执照", chromedp.ByQuery),
		chromedp.SetValue(`#topic`, "开办企业", chromedp.ByQuery),
		chromedp.Evaluate(`(()=>{const s=document.querySelector('#dept_id');for(const o of s.options){if(o.text==='许昌市市场监督管理局'){s.value=o.value;return o.value}}return ''})()`, &deptSet))
	if deptSet == "" {
		t.Fatal("no 许昌市市场监督管理局 in the department list")
	}
	var issueURL string
	run(t, office, "open the common issue", chromedp.Click(`[data-testid="issue-create"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="issue-title"]`, chromedp.ByQuery), chromedp.Location(&issueURL))
	issueID := issueURL[strings.LastIndex(issueURL, "/")+1:]
	shot(t, office, "appeal-terms-01-common-issue")
	appealAct(t, office, s, url, "classify", "多家企业反映同一问题", "已受理",
		chromedp.Click(`[data-testid="class-common"]`, chromedp.ByQuery),
		chromedp.SetValue(`[data-testid="common-issue"]`, issueID, chromedp.ByQuery))
	appealAct(t, office, s, url, "assign", "", "已交办")

	dept := browser(t)
	login(t, dept, s, "sjj-staff")
	appealAct(t, dept, s, url, "claim", "", "办理中",
		chromedp.SetValue(`[data-testid="resolve-by-claim"]`, "2026-12-07", chromedp.ByQuery))
	appealAct(t, dept, s, url, "feedback", "已与公安局对接，刻章备案将直接调取电子营业执照。", "办理中")

	// The enterprise's view: commitment, feedback given, the common issue.
	terms := reloadUntilHas(t, ent, "enterprise terms", url, `[data-testid="appeal-terms"]`, "2026-12-07", stateLimit)
	for _, want := range []string{"已反馈", "共性问题", "刻章环节重复提交营业执照复印件", "诉求汇集"} {
		if !strings.Contains(terms, want) {
			t.Fatalf("the enterprise's commitments card lacks %q:\n%s", want, terms)
		}
	}
	tl := textOf(t, ent, `[data-testid="appeal-timeline"]`)
	if !strings.Contains(tl, "阶段性反馈") || !strings.Contains(tl, "问题定性") {
		t.Fatalf("the enterprise's timeline lacks the feedback or the class:\n%s", tl)
	}
	shot(t, ent, "appeal-terms-02-enterprise-commitments")

	// The department plans and fixes the common issue.
	for _, step := range []struct{ note, stage string }{
		{"协调公安局，刻章备案直接调取电子营业执照。", "整改中"},
		{"已实现刻章备案免提交营业执照复印件。", "已整改"},
	} {
		open(t, dept, issueURL, `[data-testid="issue-do-step"]`)
		run(t, dept, "common issue step "+step.stage,
			chromedp.SendKeys(`[data-testid="issue-note"]`, step.note, chromedp.ByQuery),
			chromedp.Click(`[data-testid="issue-do-step"]`, chromedp.ByQuery), chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
		reloadUntilHas(t, dept, "stage "+step.stage, issueURL, `[data-testid="issue-stage"]`, step.stage, stateLimit)
	}
	shot(t, dept, "appeal-terms-03-common-issue-fixed")
	reloadUntilHas(t, ent, "enterprise told of the fix", url, `[data-testid="appeal-timeline"]`, "共性问题已整改", stateLimit)
	reloadUntilHas(t, ent, "enterprise stage", url, `[data-testid="terms-common-stage"]`, "已整改", stateLimit)
	reloadUntilHas(t, ent, "progress in the inbox", s.URL+"/inbox", "main", "办理进展", jobLimit)

	// On the spot: the office settles the second appeal at once.
	url2 := submit("分公司登记是否可以全程网办", "想在建安区设立分公司，能否全程网上办理？")
	appealAct(t, office, s, url2, "resolve_on_spot", "现场演示河南政务服务网“企业开办”专区，企业当场确认可全程网办。", "已答复")
	reloadUntilHas(t, ent, "enterprise on the spot", url2, `[data-testid="appeal-terms"]`, "当场解决", stateLimit)
	shot(t, ent, "appeal-terms-04-on-the-spot")
	appealAct(t, ent, s, url2, "rate", "", "已评价", chromedp.Click(`[data-testid="rating-satisfied"]`, chromedp.ByQuery))
}
