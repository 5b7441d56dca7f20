package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"yingshang/internal/license"
)

// writeLicenseLedger writes a licence ledger (.xlsx) with one row.
func writeLicenseLedger(t *testing.T, name string, row []any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", license.SheetName); err != nil {
		t.Fatal(err)
	}
	head := []any{}
	for _, c := range license.Columns {
		head = append(head, c.Header)
	}
	_ = f.SetSheetRow(license.SheetName, "A1", &head)
	_ = f.SetSheetRow(license.SheetName, "A2", &row)
	p := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLicenseReminderFlow: the department adds a catalogue item and
// imports a ledger; time passes; the holder gets the SMS (dev outbox) and
// the in-app notice; three days before expiry the licence is on the staff
// follow-up list, a call is recorded; the renewed licence is imported and
// the dashboard's renewal rate moves.
func TestLicenseReminderFlow(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_FAKE_NOW=2026-12-01T09:00:00+08:00")

	ent := browser(t)
	login(t, ent, s, "enterprise")
	open(t, ent, s.URL+"/my/entity", `[data-testid=entity-uscc]`)
	uscc := textOf(t, ent, `[data-testid=entity-uscc]`)
	var entName string
	run(t, ent, "entity name", chromedp.Text(`h1`, &entName, chromedp.ByQuery))

	adm := browser(t)
	login(t, adm, s, "sjj-admin")
	open(t, adm, s.URL+"/licenses/catalogue/new", `[data-testid=type-form]`)
	run(t, adm, "new catalogue item",
		chromedp.SetValue(`#code`, "E2E-WS", chromedp.ByQuery),
		chromedp.SetValue(`#name`, "卫生许可证", chromedp.ByQuery),
		chromedp.SetValue(`#channels_offline`, "市民之家二楼", chromedp.ByQuery),
		chromedp.SetValue(`#materials`, "延续申请书", chromedp.ByQuery),
		chromedp.SetValue(`#phone`, "0374-2961234", chromedp.ByQuery),
		chromedp.Click(`[data-testid=type-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=type-table]`, chromedp.ByQuery))
	shot(t, adm, "license-01-catalogue")
	ledger := writeLicenseLedger(t, "台账.xlsx", []any{"E2E-WS", "E2E-0001", strings.TrimSpace(entName), uscc, "13912345678", "2021-12-31", "2026-12-31", "否", "否"})
	run(t, adm, "import ledger", chromedp.Navigate(s.URL+"/licenses/import"), chromedp.WaitVisible(`[data-testid=import-form]`, chromedp.ByQuery),
		chromedp.SetUploadFiles(`#file`, []string{ledger}, chromedp.ByQuery),
		chromedp.Click(`[data-testid=import-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=import-report]`, chromedp.ByQuery))
	shot(t, adm, "license-02-imported")
	if got := textOf(t, adm, `[data-testid=import-created]`); got != "1" {
		t.Fatalf("created %q:\n%s", got, textOf(t, adm, `[data-testid=import-report]`))
	}

	// The platform was down for a day: the missed 30-day reminder goes out on day 29.
	s = s.restart(t, "YINGSHANG_FAKE_NOW=2026-12-02T09:30:00+08:00")
	root := browser(t)
	login(t, root, s, "admin")
	reloadUntilHas(t, root, "sms in outbox", s.URL+"/admin/outbox?channel=sms", `[data-testid=outbox]`, "139****5678", jobLimit)
	shot(t, root, "license-03-outbox-sms")
	ent = browser(t)
	login(t, ent, s, "enterprise")
	reloadUntilHas(t, ent, "in-app notice", s.URL+"/inbox", `[data-testid=inbox]`, "卫生许可证", jobLimit)
	shot(t, ent, "license-04-inbox")
	run(t, ent, "my licences", chromedp.Navigate(s.URL+"/my/licenses"), chromedp.WaitVisible(`[data-testid=my-license]`, chromedp.ByQuery))
	if txt := textOf(t, ent, `main`); !strings.Contains(txt, "E2E-0001") || !strings.Contains(txt, "剩 29 天") {
		t.Fatalf("my licences:\n%s", txt)
	}
	shot(t, ent, "license-05-my-licences")
	run(t, root, "dashboard before", chromedp.Navigate(s.URL+"/licenses/dashboard"), chromedp.WaitVisible(`[data-testid=stats-table]`, chromedp.ByQuery))

	// Three days before expiry (Monday 2026-12-28): on the follow-up list.
	s = s.restart(t, "YINGSHANG_FAKE_NOW=2026-12-28T09:30:00+08:00")
	staff := browser(t)
	login(t, staff, s, "sjj-staff")
	reloadUntilHas(t, staff, "follow-up list", s.URL+"/licenses/followups", `main`, "E2E-0001", jobLimit)
	if txt := textOf(t, staff, `main`); !strings.Contains(txt, "13912345678") {
		t.Fatalf("staff does not see the unmasked phone:\n%s", txt)
	}
	shot(t, staff, "license-06-followups")
	run(t, staff, "open licence", chromedp.Navigate(s.URL+"/licenses?q=E2E-0001"), chromedp.WaitVisible(`[data-testid=license-row] a`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=license-row] a`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=contact-form]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=method-call]`, chromedp.ByQuery),
		chromedp.SetValue(`#outcome`, "renewing", chromedp.ByQuery),
		chromedp.SetValue(`#note`, "已电话告知，企业正在准备材料", chromedp.ByQuery),
		chromedp.Click(`[data-testid=contact-submit]`, chromedp.ByQuery),
		// the page after the redirect (the old one has the table too, but no flash)
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=contacts]`, chromedp.ByQuery))
	if txt := textOf(t, staff, `[data-testid=contacts]`); !strings.Contains(txt, "已电话告知") {
		t.Fatalf("call not recorded:\n%s", txt)
	}
	shot(t, staff, "license-07-call-recorded")

	root = browser(t)
	login(t, root, s, "admin")
	open(t, root, s.URL+"/licenses/dashboard", `[data-testid=stats-table]`)
	before := textOf(t, root, `[data-testid=stat-rate]`)
	shot(t, root, "license-08-dashboard-before")

	adm = browser(t)
	login(t, adm, s, "sjj-admin")
	renewed := writeLicenseLedger(t, "新证.xlsx", []any{"E2E-WS", "E2E-0002", strings.TrimSpace(entName), uscc, "13912345678", "2026-12-28", "2031-12-27", "否", "否"})
	open(t, adm, s.URL+"/licenses/import", `[data-testid=import-form]`)
	run(t, adm, "import renewed",
		chromedp.SetUploadFiles(`#file`, []string{renewed}, chromedp.ByQuery),
		chromedp.Click(`[data-testid=import-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=import-report]`, chromedp.ByQuery))
	if got := textOf(t, adm, `[data-testid=import-renewed]`); got != "1" {
		t.Fatalf("renewed %q", got)
	}
	run(t, root, "dashboard after", chromedp.Navigate(s.URL+"/licenses/dashboard"), chromedp.WaitVisible(`[data-testid=stats-table]`, chromedp.ByQuery))
	after := textOf(t, root, `[data-testid=stat-rate]`)
	if after == before || !strings.HasSuffix(after, "%") {
		t.Fatalf("renewal rate did not move: %s -> %s", before, after)
	}
	t.Logf("renewal rate %s -> %s", before, after)
	shot(t, root, "license-09-dashboard-after")
	run(t, staff, "follow-up list after renewal", chromedp.Navigate(s.URL+"/licenses/followups"), chromedp.WaitVisible(`main`, chromedp.ByQuery))
	if txt := textOf(t, staff, `main`); strings.Contains(txt, "E2E-0001") {
		t.Fatalf("renewed licence still on the follow-up list:\n%s", txt)
	}

	// On a phone (390 px) no licence page is wider than the screen and every
	// control is a full tap target; the dashboard's charts follow the window
	// when it narrows (a tablet turned, a window resized).
	var detail string
	run(t, staff, "licence link", chromedp.Navigate(s.URL+"/licenses?q=E2E-0001"), chromedp.WaitVisible(`[data-testid=license-row] a`, chromedp.ByQuery),
		chromedp.AttributeValue(`[data-testid=license-row] a`, "href", &detail, nil, chromedp.ByQuery))
	run(t, root, "dashboard at 1280", chromedp.Navigate(s.URL+"/licenses/dashboard"), chromedp.WaitVisible(`[data-testid=stats-table]`, chromedp.ByQuery))
	ent = browser(t) // a fresh session: the clock moved on since the holder signed in
	login(t, ent, s, "enterprise")
	for _, c := range []struct {
		ctx   context.Context
		paths []string
	}{
		{root, []string{"/licenses/dashboard", "/licenses", "/licenses/catalogue", "/licenses/import", "/licenses/catalogue/new"}},
		{staff, []string{"/licenses/followups", detail}},
		{adm, []string{detail, "/licenses/dashboard"}},
		{ent, []string{"/my/licenses"}},
	} {
		run(t, c.ctx, "phone width", chromedp.EmulateViewport(390, 844))
		for i, path := range c.paths {
			if c.ctx != root || i > 0 { // root's dashboard as it was, drawn at 1280 px
				run(t, c.ctx, "open "+path+" at 390 px", chromedp.Navigate(s.URL+path), chromedp.WaitVisible(`main h1`, chromedp.ByQuery))
			}
			// Charts follow the new width on the window's resize event:
			// give the page until pageLimit to settle.
			problems := settled(t, c.ctx, "check "+path+" at 390 px", phoneProblems, pageLimit)
			if problems != "" {
				shot(t, c.ctx, "license-FAILED-phone"+strings.ReplaceAll(path, "/", "-"))
				t.Errorf("%s at 390 px: %s", path, problems)
			}
		}
	}
	shot(t, staff, "license-10-followups-phone")
}

// phoneProblems lists what is wrong with the page at phone width: content
// wider than the screen (the page scrolls sideways), controls shorter than a
// 44 px tap target, charts wider than their box. "" when nothing.
const phoneProblems = `(() => {
  const p = [], w = window.innerWidth;
  if (document.documentElement.scrollWidth > w + 1) p.push("page is " + document.documentElement.scrollWidth + " px wide");
  document.querySelectorAll("main button, main .btn, main select, main textarea, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=file])").forEach(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0) return; // not shown (a closed <details>)
    const name = el.getAttribute("data-testid") || el.name || el.textContent.trim();
    if (r.height < 43.5) p.push(name + " is " + Math.round(r.height) + " px tall");
    if (r.right > w + 1) p.push(name + " reaches " + Math.round(r.right) + " px");
  });
  document.querySelectorAll("[data-chart]").forEach(el => {
    const c = el.querySelector("canvas");
    if (c && c.getBoundingClientRect().width > el.getBoundingClientRect().width + 1) p.push("a chart is wider than its box");
    if (el.getBoundingClientRect().right > w + 1) p.push("a chart box reaches " + Math.round(el.getBoundingClientRect().right) + " px");
  });
  return p.join("; ");
})()`
