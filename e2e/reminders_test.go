package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPublicCatalogueAndRepairReminder (issue 18 items 13 and 7): anyone
// opens the licence reminder catalogue from the landing page and sees the
// demo departments' items with their stages and channels; the demo
// enterprise, whose minor warning can be repaired at once (Order 36: no
// minimum period), finds the repair reminder with its link in the inbox.
func TestPublicCatalogueAndRepairReminder(t *testing.T) {
	t.Parallel()
	s := sharedSite(t)
	p := browser(t)
	run(t, p, "landing", chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible(`[data-testid=public-license-catalogue]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=public-license-catalogue]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=public-catalogue-item]`, chromedp.ByQuery))
	txt := textOf(t, p, `main`)
	if !strings.Contains(txt, "第一次提醒") || !strings.Contains(txt, "工作人员电话或上门") || !strings.Contains(txt, "到期前") {
		t.Fatalf("public catalogue:\n%s", txt)
	}
	shot(t, p, "seeds2-01-public-catalogue")

	ent := browser(t)
	login(t, ent, s, "enterprise")
	got := reloadUntilHas(t, ent, "repair-reminder", s.URL+"/inbox", "main", "可以申请信用修复了", jobLimit)
	if !strings.Contains(got, "魏市监罚") {
		t.Fatalf("inbox:\n%s", got)
	}
	shot(t, ent, "seeds2-02-repair-reminder")
}
