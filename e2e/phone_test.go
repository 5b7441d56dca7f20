package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAppealsListOnPhone: on a phone (390 px) the appeals list is a column
// of cards with the state and the due date first, no wider than the screen,
// the filter folded away; at 1366 px it is a table with the filter open
// (issue 13, phone-first tables).
func TestAppealsListOnPhone(t *testing.T) {
	t.Parallel()
	s := sharedSite(t)
	ctx := browser(t)
	login(t, ctx, s, "sjj-staff")

	run(t, ctx, "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	run(t, ctx, "appeals at 390 px", chromedp.Navigate(s.URL+"/appeals"), chromedp.WaitVisible(`[data-testid=appeal-state-cell]`, chromedp.ByQuery))
	var phone struct {
		PageWidth, ViewWidth, TableWidth float64
		StateVisible, DueVisible         bool
		StateFirst                       bool
		FilterOpen                       bool
		Display                          string
		Rows                             int
	}
	run(t, ctx, "measure at 390 px", chromedp.Evaluate(`(() => {
  const vis = el => { if (!el) return false; const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= window.innerWidth + 1 && getComputedStyle(el).visibility !== "hidden"; };
  const row = document.querySelector("[data-testid=appeal-row]");
  const state = row.querySelector("[data-testid=appeal-state-cell]"), due = row.querySelector("[data-testid=appeal-due-cell]");
  const tops = [...row.children].map(c => c.getBoundingClientRect().top);
  return {
    PageWidth: document.documentElement.scrollWidth, ViewWidth: window.innerWidth,
    TableWidth: document.querySelector("[data-testid=appeal-table]").getBoundingClientRect().width,
    StateVisible: vis(state), DueVisible: vis(due),
    StateFirst: state.getBoundingClientRect().top <= Math.min(...tops) + 1 && due.getBoundingClientRect().top < row.querySelector("td.primary").getBoundingClientRect().top,
    FilterOpen: document.querySelector("[data-testid=appeal-filterfold]").open,
    Display: getComputedStyle(row).display,
    Rows: document.querySelectorAll("[data-testid=appeal-row]").length,
  };
})()`, &phone))
	shot(t, ctx, "phone-appeals-390")
	if phone.Rows == 0 {
		t.Fatal("the demo appeals list is empty: the test proves nothing")
	}
	if phone.PageWidth > phone.ViewWidth+1 || phone.TableWidth > phone.ViewWidth {
		t.Errorf("at 390 px the page is %v px and the table %v px wide, the screen %v px", phone.PageWidth, phone.TableWidth, phone.ViewWidth)
	}
	if !phone.StateVisible || !phone.DueVisible {
		t.Errorf("at 390 px the state (%v) or due date (%v) is not on screen", phone.StateVisible, phone.DueVisible)
	}
	if !phone.StateFirst {
		t.Error("at 390 px the state and due date are not first in the card")
	}
	if phone.Display != "flex" {
		t.Errorf("at 390 px a row is displayed %q, want a card (flex)", phone.Display)
	}
	if phone.FilterOpen {
		t.Error("at 390 px the filter is open and fills the first screen")
	}
	// The folded filter opens with a tap and still works.
	run(t, ctx, "open the filter", chromedp.Click(`[data-testid=appeal-filterfold] > summary`, chromedp.ByQuery),
		chromedp.WaitVisible(`#q`, chromedp.ByQuery))
	shot(t, ctx, "phone-appeals-390-filter")

	run(t, ctx, "desktop width", chromedp.EmulateViewport(1366, 900))
	run(t, ctx, "appeals at 1366 px", chromedp.Navigate(s.URL+"/appeals"), chromedp.WaitVisible(`#q`, chromedp.ByQuery))
	var desk struct {
		Display    string
		FilterOpen bool
		PageWidth  float64
		ViewWidth  float64
	}
	run(t, ctx, "measure at 1366 px", chromedp.Evaluate(`({
  Display: getComputedStyle(document.querySelector("[data-testid=appeal-row]")).display,
  FilterOpen: document.querySelector("[data-testid=appeal-filterfold]").open,
  PageWidth: document.documentElement.scrollWidth, ViewWidth: window.innerWidth })`, &desk))
	shot(t, ctx, "phone-appeals-1366")
	if desk.Display != "table-row" || !desk.FilterOpen {
		t.Errorf("at 1366 px: row display %q, filter open %v; want a table with the filter open", desk.Display, desk.FilterOpen)
	}
	if desk.PageWidth > desk.ViewWidth+1 {
		t.Errorf("at 1366 px the page is %v px wide", desk.PageWidth)
	}

	// The other module lists: at 390 px none is wider than the screen and
	// in each card the state (and deadline) come first.
	adm := browser(t)
	login(t, adm, s, "admin")
	run(t, adm, "admin at phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, path := range []string{"/credit", "/licenses", "/draws", "/bideval", "/policies", "/procure", "/inspect"} {
		run(t, adm, "open "+path+" at 390 px", chromedp.Navigate(s.URL+path), chromedp.WaitVisible(`main h1`, chromedp.ByQuery))
		var problem string
		run(t, adm, "check "+path+" at 390 px", chromedp.Evaluate(`(() => {
  if (document.documentElement.scrollWidth > window.innerWidth + 1) return "page is " + document.documentElement.scrollWidth + " px wide";
  for (const row of document.querySelectorAll("table.stacked tbody tr")) {
    const cells = [...row.children].filter(c => c.getBoundingClientRect().height > 0);
    if (!row.querySelector("td.cardfirst") || cells.length < 2) continue;
    const top = Math.min(...cells.map(c => c.getBoundingClientRect().top));
    if (row.querySelector("td.cardfirst").getBoundingClientRect().top > top + 1) return "state not first in a card of " + row.closest("table").dataset.testid;
    if (row.getBoundingClientRect().right > window.innerWidth + 1) return "a card is wider than the screen";
  }
  return "";
})()`, &problem))
		shot(t, adm, "phone-list-390"+strings.ReplaceAll(path, "/", "-"))
		if problem != "" {
			t.Errorf("%s at 390 px: %s", path, problem)
		}
	}
}
