package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

var usccRe = regexp.MustCompile(`[0-9A-HJ-NPQRTUWXY]{18}`)

// An inspector on a phone-width screen: opens a task of the demo's joint
// plan, scans the enterprise's code (typed, as when the camera is not
// available), records a result for every item and closes the task.
// Quiet days are set to the 31st only, so the run does not fall on one.
func TestInspectorPhoneScanAndResult(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_INSPECT_QUIET_DAYS=31")
	ctx := browser(t)
	run(t, ctx, "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	login(t, ctx, s, "sjj-staff")
	run(t, ctx, "my tasks",
		chromedp.Navigate(s.URL+"/inspect/tasks"),
		chromedp.WaitVisible(`[data-testid="task-link"]`, chromedp.ByQuery))
	shot(t, ctx, "inspect-01-tasks-phone")
	run(t, ctx, "open a task",
		// The demo has closed tasks too: open the first one still to inspect.
		chromedp.Evaluate(`(() => { const a = [...document.querySelectorAll('[data-testid="task-link"]')].find(a => (a.closest('li') || a.parentElement).textContent.includes('待检查')); location.href = a.href; return true })()`, nil),
		chromedp.WaitVisible(`[data-testid="scan-form"]`, chromedp.ByQuery))
	summary := textOf(t, ctx, `[data-testid="task-summary"]`)
	code := usccRe.FindString(summary)
	if code == "" {
		t.Fatalf("no credit code on the task page: %q", summary)
	}
	// Another enterprise's code is refused.
	run(t, ctx, "scan another code",
		chromedp.SendKeys(`[data-testid="scan-code"]`, "91411082MA9XP2Q93Q", chromedp.ByQuery),
		chromedp.Click(`[data-testid="scan-submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery))
	if st := textOf(t, ctx, `[data-testid="task-status"]`); st != "待检查" {
		t.Fatalf("status after a refused scan: %q", st)
	}
	// The page before the scan has the scan form (and the refused scan's
	// flash) too: wait for the page after it, or the status is read from the
	// old page and the next click aborts the scan.
	submitAndLand(t, ctx, "scan",
		chromedp.SendKeys(`[data-testid="scan-code"]`, "https://ys.example.gov.cn/e/"+code, chromedp.ByQuery),
		chromedp.Click(`[data-testid="scan-submit"]`, chromedp.ByQuery))
	run(t, ctx, "scanned", chromedp.WaitVisible(`[data-testid="scan-form"]`, chromedp.ByQuery))
	if st := textOf(t, ctx, `[data-testid="task-status"]`); st != "已扫码入企" {
		t.Fatalf("status after the scan: %q", st)
	}
	shot(t, ctx, "inspect-02-scanned-phone")
	// A result for every item, one form at a time.
	for i := 0; i < 10; i++ {
		var forms []string
		run(t, ctx, "list result forms", chromedp.Evaluate(`Array.from(document.querySelectorAll('form[data-testid^="result-form-"]')).
			filter(f => !document.querySelector('[data-testid="result-' + f.dataset.testid.slice(12) + '"]')).map(f => f.dataset.testid)`, &forms))
		if len(forms) == 0 {
			break
		}
		sel := `form[data-testid="` + forms[0] + `"] button`
		run(t, ctx, "result "+forms[0], chromedp.Click(sel, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid="result-`+strings.TrimPrefix(forms[0], "result-form-")+`"]`, chromedp.ByQuery))
	}
	// The page before closing has the summary too: wait for the page after
	// it, or the status is read from the old page.
	submitAndLand(t, ctx, "close", chromedp.Click(`[data-testid="close-task"]`, chromedp.ByQuery))
	run(t, ctx, "closed", chromedp.WaitVisible(`[data-testid="task-summary"]`, chromedp.ByQuery))
	if st := textOf(t, ctx, `[data-testid="task-status"]`); st != "已办结" {
		t.Fatalf("status after closing: %q", st)
	}
	shot(t, ctx, "inspect-03-closed-phone")
	// The page fits the phone: no horizontal scrolling.
	var wide bool
	run(t, ctx, "width", chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &wide))
	if wide {
		t.Error("the task page scrolls horizontally at phone width")
	}
}
