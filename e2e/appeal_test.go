package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// appealAct fills the note (if given), presses the action's button and
// waits until the appeal shows the state want.
func appealAct(t *testing.T, ctx context.Context, s *Site, url, action, note, want string, extra ...chromedp.Action) {
	t.Helper()
	open(t, ctx, url, `[data-testid="do-`+action+`"]`)
	acts := append([]chromedp.Action{}, extra...)
	if note != "" {
		acts = append(acts, chromedp.SendKeys(`[data-testid="note-`+action+`"]`, note, chromedp.ByQuery))
	}
	acts = append(acts, chromedp.Click(`[data-testid="do-`+action+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
	run(t, ctx, action, acts...)
	reloadUntilHas(t, ctx, action, url, `[data-testid="appeal-state"]`, want, stateLimit)
}

// TestAppealClosedLoop: an enterprise submits from its QR page (signing
// in on the way), the office assigns, the department replies, the
// enterprise rates it unsatisfied and reopens, it is answered again and
// closed; then, with the fake clock moved on, a deadline warning and an
// overdue alert reach the office's inbox.
func TestAppealClosedLoop(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_FAKE_NOW=2026-12-01T09:00:00+08:00")
	ent := browser(t)
	// The demo enterprise's credit code, then sign out: the visitor of the
	// QR page is not signed in.
	login(t, ent, s, "enterprise")
	open(t, ent, s.URL+"/my/entity", `[data-testid=entity-uscc]`)
	uscc := textOf(t, ent, `[data-testid=entity-uscc]`)
	// Wait for the login page signing out leads to: every page has a main,
	// and navigating away while the sign-out is still in flight can abort
	// it (the QR link then skips the sign-in this test means to see).
	run(t, ent, "sign out", chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery), chromedp.WaitVisible(`#username`, chromedp.ByQuery))

	// The enterprise's public 一企一码 page offers the appeal; following it
	// asks to sign in and then comes back to the form for this entity.
	open(t, ent, s.URL+"/e/"+uscc, `[data-testid="public-appeal"]`)
	shot(t, ent, "appeal-00-qr-page")
	run(t, ent, "appeal from the QR page", chromedp.Click(`[data-testid="public-appeal"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#username`, chromedp.ByQuery))
	shot(t, ent, "appeal-00b-sign-in")
	run(t, ent, "sign in from the QR page",
		chromedp.SendKeys(`#username`, "enterprise", chromedp.ByQuery),
		chromedp.SendKeys(`#password`, s.Password, chromedp.ByQuery),
		chromedp.Submit(`#password`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid="appeal-form"]`, chromedp.ByQuery))
	if got := textOf(t, ent, `[data-testid="appeal-entity"]`); !strings.Contains(got, uscc) {
		t.Fatalf("the form is not for the QR page's entity %s: %q", uscc, got)
	}
	submit := func(form, kind, title, desc string) string {
		t.Helper()
		var loc string
		if form != "" {
			open(t, ent, form, `[data-testid="appeal-form"]`)
		}
		run(t, ent, "submit "+title,
			chromedp.SetValue(`[data-testid="appeal-kind"]`, kind, chromedp.ByQuery),
			chromedp.SetValue(`[data-testid="appeal-topic"]`, "开办企业", chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid="appeal-title"]`, title, chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid="appeal-description"]`, desc, chromedp.ByQuery),
			chromedp.Click(`[data-testid="appeal-publishable"]`, chromedp.ByQuery),
		)
		if form == "" {
			shot(t, ent, "appeal-01-submit-form")
		}
		run(t, ent, "send "+title, chromedp.Click(`[data-testid="appeal-submit"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid="appeal-number"]`, chromedp.ByQuery), chromedp.Location(&loc))
		return loc
	}
	url := submit("", "help", "分公司登记材料咨询", "我公司计划在建安区设立分公司，请问需要哪些材料，多久可以办结？")
	if n := textOf(t, ent, `[data-testid="appeal-number"]`); !strings.HasPrefix(n, "YS-2026-") {
		t.Fatalf("appeal number %q", n)
	}
	if ch := textOf(t, ent, `[data-testid="appeal-channel"]`); !strings.Contains(ch, "扫码提交") {
		t.Fatalf("channel %q, want the QR code", ch)
	}
	shot(t, ent, "appeal-02-submitted")
	// A second appeal is left waiting, for the warning and the overdue alert.
	submit(s.URL+"/appeals/new", "consult", "食品经营许可证延续咨询", "食品经营许可证下月到期，延续需要准备哪些材料？")

	office := browser(t)
	login(t, office, s, "admin")
	appealAct(t, office, s, url, "accept", "", "已受理")
	shot(t, office, "appeal-03-dispatcher")
	// The routing rule proposes 市场监督管理局 for 开办企业: keep it selected.
	appealAct(t, office, s, url, "assign", "", "已交办")

	dept := browser(t)
	login(t, dept, s, "sjj-staff")
	appealAct(t, dept, s, url, "claim", "", "办理中")
	appealAct(t, dept, s, url, "reply", "需提交分公司登记申请书、隶属企业营业执照复印件和负责人任职文件，材料齐全当日办结。", "已答复")
	shot(t, dept, "appeal-04-department-replied")

	appealAct(t, ent, s, url, "rate", "没有说明能否全程网办。", "已评价", chromedp.Click(`[data-testid="rating-unsatisfied"]`, chromedp.ByQuery))
	appealAct(t, ent, s, url, "reopen", "", "已重办")
	shot(t, ent, "appeal-05-reopened")

	appealAct(t, dept, s, url, "claim", "", "办理中")
	appealAct(t, dept, s, url, "reply", "可以全程网办：登录河南政务服务网“企业开办”专区提交，电子营业执照当日发放。", "已答复")
	appealAct(t, ent, s, url, "rate", "", "已评价", chromedp.Click(`[data-testid="rating-satisfied"]`, chromedp.ByQuery))
	appealAct(t, office, s, url, "follow_up", "电话回访，企业对答复满意。", "已回访")
	appealAct(t, office, s, url, "close", "", "已办结")
	tl := textOf(t, office, `[data-testid="appeal-timeline"]`)
	for _, step := range []string{"提交诉求", "交办", "签收", "答复", "评价", "重新办理", "回访", "办结销号"} {
		if !strings.Contains(tl, step) {
			t.Fatalf("timeline lacks %s:\n%s", step, tl)
		}
	}
	shot(t, office, "appeal-06-closed")

	// Tomorrow after 12:00 the first-response deadline of the second appeal
	// (end of 2 Dec) is near: the office receives a warning.
	s = s.restart(t, "YINGSHANG_FAKE_NOW=2026-12-02T13:00:00+08:00")
	office = browser(t)
	login(t, office, s, "admin")
	reloadUntilHas(t, office, "warning", s.URL+"/inbox", "main", "诉求临期预警", jobLimit)
	shot(t, office, "appeal-07-warning-inbox")
	// The day after, it is overdue.
	s = s.restart(t, "YINGSHANG_FAKE_NOW=2026-12-03T10:00:00+08:00")
	office = browser(t)
	login(t, office, s, "admin")
	reloadUntilHas(t, office, "overdue", s.URL+"/inbox", "main", "诉求逾期提醒", jobLimit)
	shot(t, office, "appeal-08-overdue-inbox")
	reloadUntilHas(t, office, "alerts", s.URL+"/appeals/alerts", `[data-testid="alert-table"]`, "逾期", stateLimit)
	shot(t, office, "appeal-09-alerts")
	reloadUntilHas(t, office, "dashboard", s.URL+"/appeals/dashboard", `[data-testid="appeal-stats"]`, "诉求总量", stateLimit)
	run(t, office, "charts drawn", chartsDrawn())
	shot(t, office, "appeal-10-dashboard")
	pub := browser(t)
	reloadUntilHas(t, pub, "cases", s.URL+"/public/cases", "main", "全程网办电子签名故障当日解决", stateLimit)
	shot(t, pub, "appeal-11-public-cases")
}
