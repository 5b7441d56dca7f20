package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSeedsEnterpriseCredit (issue 18, the enterprise's view of the new
// credit steps on the demo data): the assisted repair a service point
// prepared is seen on the home page, opened and confirmed with the signed
// commitment; the sector grade page shows the indicators with weights,
// sources and the level history; the public commitments show kept and
// broken ones; the published red list is public with its entries and
// reasons; the public reminder catalogue lists the units' items with their
// stages, other deadlines than licences among them.
func TestSeedsEnterpriseCredit(t *testing.T) {
	t.Parallel()
	s := startSite(t, "")
	ent := browser(t)
	login(t, ent, s, "enterprise")

	// The home page's to-do card links the assisted application.
	open(t, ent, s.URL+"/", `main h1`)
	var href string
	run(t, ent, "assisted link on the home page", chromedp.Evaluate(
		`(document.querySelector('a[href^="/credit/assisted/"]') || {}).getAttribute ? document.querySelector('a[href^="/credit/assisted/"]').getAttribute('href') : ""`, &href))
	if href == "" {
		shot(t, ent, "FAILED-seeds-home")
		t.Fatal("the home page does not link the assisted repair waiting for the enterprise")
	}
	open(t, ent, s.URL+href, `[data-testid=assisted-answer]`)
	if p := textOf(t, ent, `[data-testid=assisted-point]`); !strings.Contains(p, "代办") {
		t.Fatalf("the service point is not named: %q", p)
	}
	shot(t, ent, "seeds-01-assisted-to-confirm")
	submitAndLand(t, ent, "confirm the assisted application",
		chromedp.Click(`[data-testid=assisted-sign]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=assisted-confirm]`, chromedp.ByQuery))
	open(t, ent, s.URL+href, `[data-testid=assisted-status]`)
	var status string
	var ok bool
	run(t, ent, "assisted status", chromedp.AttributeValue(`[data-testid=assisted-status]`, "data-status", &status, &ok, chromedp.ByQuery))
	if status != "confirmed" {
		t.Fatalf("after confirming, the application is %q", status)
	}
	shot(t, ent, "seeds-02-assisted-confirmed")

	// The sector grade: indicators with weights, sources, reasons, history.
	open(t, ent, s.URL+"/my/credit", `[data-testid=my-model-grade]`)
	run(t, ent, "open the sector grade", chromedp.Click(`[data-testid=my-model-grade]`, chromedp.ByQuery))
	run(t, ent, "sector grade page", chromedp.WaitVisible(`[data-testid=model-history]`, chromedp.ByQuery))
	if n := countOf(t, ent, `[data-testid=breakdown-line]`); n < 2 {
		t.Fatalf("the sector grade shows %d indicators", n)
	}
	shot(t, ent, "seeds-03-sector-grade")

	// Public pages: commitments with their status, the published red list.
	open(t, ent, s.URL+"/public/credit/commitments", `[data-testid=public-commitments]`)
	if txt := textOf(t, ent, `[data-testid=public-commitments]`); !strings.Contains(txt, "已履约") || !strings.Contains(txt, "已违约") {
		t.Fatalf("public commitments lack a kept and a broken one:\n%s", txt)
	}
	shot(t, ent, "seeds-04-public-commitments")
	open(t, ent, s.URL+"/public/credit/lists", `[data-testid=public-lists] a`)
	run(t, ent, "open the published list", chromedp.Click(`[data-testid=public-lists] a`, chromedp.ByQuery))
	run(t, ent, "list entries", chromedp.WaitVisible(`table tbody tr`, chromedp.ByQuery))
	if txt := textOf(t, ent, `table tbody`); !strings.Contains(txt, "信用等级") {
		t.Fatalf("the published list gives no reasons:\n%s", txt)
	}
	shot(t, ent, "seeds-05-public-red-list")

	// The public reminder catalogue: units, their items and stages, and
	// reminder kinds other than licences (the annual report, tax filings).
	open(t, ent, s.URL+"/licenses/reminder-catalogue", `[data-testid=public-catalogue-unit]`)
	var kinds []string
	run(t, ent, "reminder kinds", chromedp.Evaluate(
		`[...new Set([...document.querySelectorAll('[data-testid=public-item-kind]')].map(e => e.textContent.trim()))]`, &kinds))
	if !slices.Contains(kinds, "企业年报") || len(kinds) < 3 || countOf(t, ent, `[data-testid=public-catalogue-stages]`) == 0 {
		t.Fatalf("the public catalogue lacks other deadlines than licences or their stages: %v", kinds)
	}
	shot(t, ent, "seeds-06-reminder-catalogue")
}
