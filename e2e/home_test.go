package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// homeRoles are the demo's logins, one per role: enterprise, department
// staff, department admin, supervisor, expert, bidder, 12345 hotline
// operator, platform admin.
var homeRoles = []string{"enterprise", "sjj-staff", "sjj-admin", "supervisor", "expert1", "bidder1", "hotline", "admin"}

// TestHomePages: each role opens on its own to-do list (issue 13). For
// every demo role the home page is shot at 1366 px and at 390 px, in
// Chinese and in English (e2e/screenshots/home-<user>-<lang>-<width>.png,
// to be looked at); it has its cards, the to-do cards come first, the
// English page carries no Chinese clock, no page is wider than the screen
// and the Chinese page renders glyphs, not empty boxes. The roles run side
// by side, each in a tab of its own, on the shared demo site (a home page
// changes nothing).
func TestHomePages(t *testing.T) {
	t.Parallel()
	s := sharedSite(t)
	for _, u := range homeRoles {
		t.Run(u, func(t *testing.T) {
			t.Parallel()
			ctx := browser(t)
			login(t, ctx, s, u)
			for _, lang := range []string{"zh-CN", "en"} {
				open(t, ctx, s.URL+"/lang?to="+lang+"&back=/", `[data-testid=home-cards]`)
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
				var empty []string
				run(t, ctx, u+" empty cards", chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=home-card]')].filter(e => e.innerText.trim().split("\n").filter(l => l.trim()).length < 2).map(e => e.innerText.trim())`, &empty))
				if len(empty) > 0 {
					t.Errorf("%s %s: cards with a heading and nothing else: %q", u, lang, empty)
				}
				if lang == "en" {
					text := textOf(t, ctx, `[data-testid=home-cards]`)
					if strings.Contains(text, "个工作日") || strings.Contains(text, "待办") {
						t.Fatalf("%s: Chinese labels on the English home page: %q", u, text)
					}
				} else {
					checkGlyphs(t, ctx)
				}
				for _, w := range []struct {
					name string
					w, h int64
				}{{"1366", 1366, 900}, {"390", 390, 844}} {
					run(t, ctx, u+" width "+w.name, chromedp.EmulateViewport(w.w, w.h),
						chromedp.WaitVisible(`[data-testid=home-cards]`, chromedp.ByQuery))
					if p := settled(t, ctx, u+" "+lang+" at "+w.name, widthProblems, pageLimit); p != "" {
						t.Errorf("%s %s at %s px: %s", u, lang, w.name, p)
					}
					shot(t, ctx, "home-"+u+"-"+lang+"-"+w.name)
				}
				run(t, ctx, "desktop again", chromedp.EmulateViewport(1366, 900))
			}
		})
	}
}

// widthProblems: "" when nothing on the page reaches past the screen's
// right edge (a wide table scrolls inside its own box), else what does.
const widthProblems = `(() => {
  const w = window.innerWidth, p = [];
  if (document.documentElement.scrollWidth > w + 1) p.push("page is " + document.documentElement.scrollWidth + " px wide");
  for (const el of document.querySelectorAll("main *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= w + 1) continue;
    // inside a box that scrolls sideways: fine, as long as the box fits
    let box = el.parentElement, scrolls = false;
    while (box && box !== document.body) {
      const ox = getComputedStyle(box).overflowX;
      if ((ox === "auto" || ox === "scroll" || ox === "hidden") && box.getBoundingClientRect().right <= w + 1) { scrolls = true; break; }
      box = box.parentElement;
    }
    if (!scrolls) { p.push((el.dataset.testid || el.tagName.toLowerCase() + (el.className ? "." + el.className : "")) + " reaches " + Math.round(r.right) + " px"); if (p.length > 4) break; }
  }
  return p.join("; ");
})()`

// checkGlyphs fails the test when the page's Chinese renders as empty
// boxes ("tofu": no CJK font installed). Two different characters drawn in
// the page's font give different pixels; two missing glyphs give the same
// box.
func checkGlyphs(t *testing.T, ctx context.Context) {
	t.Helper()
	var differ bool
	run(t, ctx, "draw glyphs", chromedp.Evaluate(`(() => {
  const px = ch => {
    const c = document.createElement("canvas"); c.width = c.height = 48;
    const g = c.getContext("2d"); g.fillStyle = "#fff"; g.fillRect(0, 0, 48, 48);
    g.fillStyle = "#000"; g.font = "40px " + getComputedStyle(document.body).fontFamily; g.textBaseline = "top";
    g.fillText(ch, 4, 4); return Array.from(g.getImageData(0, 0, 48, 48).data).join(",");
  };
  return px("营") !== px("商") && px("诉") !== px("求");
})()`, &differ))
	if !differ {
		shot(t, ctx, "FAILED-tofu")
		t.Fatal("Chinese characters render as identical boxes: no CJK font (install fonts-noto-cjk)")
	}
}
