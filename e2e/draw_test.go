package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// answerLinks waits for at least want distinct answer tokens sent for a
// project in the dev SMS outbox and returns them in the order they were
// first delivered (a delivery retried under load logs a message twice).
func answerLinks(t *testing.T, dir, code string, want int) []string {
	t.Helper()
	re := regexp.MustCompile(`/draws/answer/([0-9a-f]{32})`)
	var tokens []string
	eventually(t, fmt.Sprintf("%d answer links for %s in the SMS outbox", want, code), jobLimit, func() (bool, string) {
		tokens = nil
		seen := map[string]bool{}
		for _, line := range smsLines(dir) {
			if m := re.FindStringSubmatch(line); m != nil && strings.Contains(line, code) && !seen[m[1]] {
				seen[m[1]] = true
				tokens = append(tokens, m[1])
			}
		}
		return len(tokens) >= want, fmt.Sprintf("%d links: %v", len(tokens), tokens)
	})
	return tokens
}

// TestTendererRegistersExpertsDrawnOneDeclinesPublicVerifies is the draw
// module's end-to-end path: a tenderer registers a project; the trading
// centre commits and performs the expert draw with a witness value; a
// drawn expert declines through the SMS link and the first reserve is
// called; the tenderer sees pseudonyms only; the public page verifies the
// draw.
func TestTendererRegistersExpertsDrawnOneDeclinesPublicVerifies(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_FAKE_NOW=2026-12-01T09:00:00+08:00")
	ent := browser(t)
	login(t, ent, s, "enterprise")
	run(t, ent, "signed in", chromedp.WaitVisible(`[data-testid=nav-draws]`, chromedp.ByQuery))
	var projectURL string
	run(t, ent, "register project",
		chromedp.Navigate(s.URL+"/draws/projects/new"),
		chromedp.WaitVisible(`[data-testid=project-form]`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, "许昌市端到端道路改造工程", chromedp.ByQuery),
		chromedp.SendKeys(`#budget`, "860", chromedp.ByQuery),
		chromedp.SetValue(`#opening`, "2026-12-10T09:00", chromedp.ByQuery),
		chromedp.Click(`input[name=specialties][value=A01]`, chromedp.ByQuery),
		chromedp.Click(`input[name=specialties][value=A02]`, chromedp.ByQuery),
	)
	shot(t, ent, "draw-01-register")
	run(t, ent, "submit project",
		chromedp.Click(`[data-testid=project-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=project-name]`, chromedp.ByQuery),
		chromedp.Location(&projectURL),
	)
	code := textOf(t, ent, `[data-testid=project-name] span.mono`)
	if !strings.HasPrefix(code, "ZB-") {
		t.Fatalf("project code %q", code)
	}

	admin := browser(t)
	login(t, admin, s, "admin")
	run(t, admin, "signed in", chromedp.WaitVisible(`[data-testid=nav-draws]`, chromedp.ByQuery))
	run(t, admin, "commit experts",
		chromedp.Navigate(projectURL),
		chromedp.WaitVisible(`[data-testid=six-randoms]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=commit-experts]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=witness-value]`, chromedp.ByQuery),
	)
	shot(t, admin, "draw-02-committed")
	run(t, admin, "perform the draw",
		chromedp.SendKeys(`[data-testid=witness-name]`, "王见证", chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=witness-value]`, "271828", chromedp.ByQuery),
		chromedp.Click(`button[data-testid^=execute-]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=assignments] td.status-warn`, chromedp.ByQuery),
	)
	shot(t, admin, "draw-03-drawn")
	if txt := textOf(t, admin, `[data-testid=assignments]`); strings.Count(txt, "待确认") != 5 || strings.Count(txt, "候补") < 3 {
		t.Fatalf("after the draw: %s", txt)
	}

	tokens := answerLinks(t, s.DataDir, code, 5)
	run(t, ent, "decline",
		chromedp.Navigate(s.URL+"/draws/answer/"+tokens[0]),
		chromedp.WaitVisible(`[data-testid=answer-no]`, chromedp.ByQuery),
	)
	shot(t, ent, "draw-04-invitation")
	run(t, ent, "click decline",
		chromedp.Click(`[data-testid=answer-no]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`[data-testid=answer-no]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=invitation-status]`, chromedp.ByQuery),
	)
	if st := textOf(t, ent, `[data-testid=invitation-status]`); st != "已谢绝" {
		t.Fatalf("invitation status %q", st)
	}
	run(t, admin, "reserve called", chromedp.Navigate(projectURL), chromedp.WaitVisible(`[data-testid=assignments]`, chromedp.ByQuery))
	txt := textOf(t, admin, `[data-testid=assignments]`)
	if !strings.Contains(txt, "已谢绝") || !strings.Contains(txt, "递补") || strings.Count(txt, "待确认") != 5 {
		t.Fatalf("after the decline: %s", txt)
	}
	shot(t, admin, "draw-05-reserve-called")

	run(t, ent, "tenderer sees the sealed list", chromedp.Navigate(projectURL), chromedp.WaitVisible(`[data-testid=sealed]`, chromedp.ByQuery))
	shot(t, ent, "draw-06-sealed-for-tenderer")

	pub := browser(t)
	run(t, pub, "public verify",
		chromedp.Navigate(s.URL+"/lang?to=zh-CN&back=/public/draws"),
		chromedp.WaitVisible(`[data-testid=draw-list]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=draw-list] tbody tr:first-child a`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=verify-result]`, chromedp.ByQuery),
	)
	if res := textOf(t, pub, `[data-testid=verify-result]`); !strings.Contains(res, "验证通过") {
		t.Fatalf("verify page: %s", res)
	}
	if w := textOf(t, pub, `[data-testid=witness-value]`); w != "271828" {
		t.Fatalf("witness value %q", w)
	}
	shot(t, pub, "draw-07-public-verified")
}
