package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// detailPages: for each list, the detail pages its rows link to (a
// pattern of the link), opened from the first such link on the list.
var detailPages = []struct {
	user, list string
	link       *regexp.Regexp
}{
	{"admin", "/appeals", regexp.MustCompile(`^/appeals/\d+$`)},
	{"admin", "/credit", regexp.MustCompile(`^/credit/records/\d+$`)},
	{"admin", "/credit/repairs", regexp.MustCompile(`^/credit/repairs/\d+$`)},
	{"admin", "/licenses", regexp.MustCompile(`^/licenses/\d+$`)},
	{"admin", "/draws", regexp.MustCompile(`^/draws/projects/\d+$`)},
	{"admin", "/bideval", regexp.MustCompile(`^/bideval/projects/\d+$`)},
	{"expert1", "/bideval", regexp.MustCompile(`^/bideval/projects/\d+(/score)?$`)},
	{"admin", "/policies", regexp.MustCompile(`^/policies/\d+$`)},
	{"admin", "/inspect", regexp.MustCompile(`^/inspect/plans/\d+$`)},
	{"sjj-staff", "/inspect/tasks", regexp.MustCompile(`^/inspect/tasks/\d+$`)},
	{"admin", "/procure", regexp.MustCompile(`^/procure/projects/\d+$`)},
}

// detailDashboards: pages with figures and wide tables of their own.
var detailDashboards = []string{"/appeals/dashboard", "/appeals/alerts", "/licenses/dashboard", "/licenses/followups",
	"/policies/dashboard", "/inspect/visits", "/draws/pools", "/draws/rooms", "/audit"}

// TestDetailPagesOnPhone (issue 13 item 6 on detail pages): at 390 px the
// detail pages and dashboards of every module are no wider than the
// screen (a wide table scrolls inside its own box or becomes cards), in a
// card the state and deadline come first, and no code (appeal number,
// credit code, licence number) breaks across lines. Every page is shot
// (e2e/screenshots/detail-390-*.png) to be looked at. It reads the shared
// demo site and changes nothing.
func TestDetailPagesOnPhone(t *testing.T) {
	t.Parallel()
	s := sharedSite(t)
	tabs := map[string]context.Context{}
	tab := func(user string) context.Context {
		if tabs[user] == nil {
			tabs[user] = browser(t)
			login(t, tabs[user], s, user)
			run(t, tabs[user], "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		}
		return tabs[user]
	}
	check := func(ctx context.Context, name, path string) {
		t.Helper()
		open(t, ctx, s.URL+path, `main h1`)
		if p := settled(t, ctx, "check "+path, widthProblems, pageLimit); p != "" {
			t.Errorf("%s at 390 px: %s", path, p)
		}
		var problem string
		run(t, ctx, "cards and codes "+path, chromedp.Evaluate(cardAndCodeProblems, &problem))
		if problem != "" {
			t.Errorf("%s at 390 px: %s", path, problem)
		}
		shot(t, ctx, "detail-390-"+name)
	}
	for _, d := range detailPages {
		ctx := tab(d.user)
		open(t, ctx, s.URL+d.list, `main h1`)
		var hrefs []string
		run(t, ctx, "links of "+d.list, chromedp.Evaluate(`[...document.querySelectorAll("main a[href]")].map(a => a.getAttribute("href"))`, &hrefs))
		var href string
		for _, h := range hrefs {
			if d.link.MatchString(h) {
				href = h
				break
			}
		}
		if href == "" {
			t.Errorf("%s as %s: no link like %s: the demo has nothing to show there", d.list, d.user, d.link)
			continue
		}
		check(ctx, d.user+strings.ReplaceAll(regexp.MustCompile(`\d+`).ReplaceAllString(href, "n"), "/", "-"), href)
	}
	for _, path := range detailDashboards {
		check(tab("admin"), "admin"+strings.ReplaceAll(path, "/", "-"), path)
	}
}

// cardAndCodeProblems: "" when, on the page, every card row of a stacked
// table shows its .cardfirst cell (state, deadline) first, and every code
// (.mono, not a hash) sits on one line; else what is wrong.
const cardAndCodeProblems = `(() => {
  const p = [];
  for (const row of document.querySelectorAll("table.stacked tbody tr")) {
    const first = row.querySelector("td.cardfirst");
    const cells = [...row.children].filter(c => c.getBoundingClientRect().height > 0);
    if (!first || cells.length < 2) continue;
    if (first.getBoundingClientRect().top > Math.min(...cells.map(c => c.getBoundingClientRect().top)) + 1)
      p.push("state not first in a card of " + (row.closest("table").dataset.testid || "a table"));
  }
  for (const el of document.querySelectorAll("main .mono:not(.hash)")) {
    if (el.matches("p, pre, div, textarea, input") || el.closest("p.mono")) continue;
    const r = document.createRange(); r.selectNodeContents(el);
    const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.bottom)));
    if (lines.size > 1) p.push("code " + el.textContent.trim().slice(0, 30) + " breaks across lines");
  }
  return [...new Set(p)].slice(0, 5).join("; ");
})()`
