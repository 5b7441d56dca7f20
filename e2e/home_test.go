package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestHomePages: each role opens on its own to-do list (issue 13). For
// every demo role the home page is shot at 1366 px and at 390 px, in
// Chinese and in English; it has its cards, the to-do cards come first,
// and the English page carries no Chinese clock.
func TestHomePages(t *testing.T) {
	s := startSite(t, "")
	ctx := browser(t)
	for _, u := range []string{"enterprise", "sjj-staff", "supervisor", "expert1", "bidder1"} {
		login(t, ctx, s, u)
		for _, lang := range []string{"zh-CN", "en"} {
			run(t, ctx, u+" home "+lang, chromedp.Navigate(s.URL+"/lang?to="+lang+"&back=/"),
				chromedp.WaitVisible(`[data-testid=home-cards]`, chromedp.ByQuery))
			var kinds []string
			run(t, ctx, u+" card kinds", chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=home-card]')].map(e => e.dataset.kind)`, &kinds))
			if len(kinds) == 0 {
				t.Fatalf("%s: no cards", u)
			}
			for i := 1; i < len(kinds); i++ {
				if kinds[i-1] != "todo" && kinds[i] == "todo" {
					t.Fatalf("%s: a to-do card after other cards: %v", u, kinds)
				}
			}
			if lang == "en" {
				var text string
				run(t, ctx, u+" card text", chromedp.Text(`[data-testid=home-cards]`, &text, chromedp.ByQuery))
				if strings.Contains(text, "个工作日") || strings.Contains(text, "待办") {
					t.Fatalf("%s: Chinese labels on the English home page: %q", u, text)
				}
			}
			for _, w := range []struct {
				name string
				w, h int64
			}{{"1366", 1366, 900}, {"390", 390, 844}} {
				run(t, ctx, u+" width "+w.name, chromedp.EmulateViewport(w.w, w.h),
					chromedp.WaitVisible(`[data-testid=home-cards]`, chromedp.ByQuery))
				shot(t, ctx, "home-"+u+"-"+lang+"-"+w.name)
			}
			run(t, ctx, "desktop again", chromedp.EmulateViewport(1366, 900))
		}
		run(t, ctx, u+" sign out", chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(`form[action="/logout"] button`, chromedp.ByQuery),
			chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery), chromedp.WaitNotPresent(`header .inbox`, chromedp.ByQuery))
	}
}
