package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// evalTrue runs js (an expression giving true when it found and did what
// it should) and fails the test when it gives false.
func evalTrue(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	var ok bool
	run(t, ctx, what, chromedp.Evaluate(js, &ok))
	if !ok {
		shot(t, ctx, "FAILED-"+strings.ReplaceAll(what, " ", "-"))
		t.Fatalf("%s: not found on the page", what)
	}
}

// TestProcurePlansToPooledContracts is government procurement from plans
// to pooled contracts (issue 16): three units submit plans of the same
// category and compatible specifications through the form; the finance
// bureau sees the pooling proposal and makes the group; each unit
// confirms its own line; the finance bureau names the lead unit; the lead
// unit creates the pooled project. The award and the contracts are the
// demo's pooled desktop purchase (awarded through the service when the
// demo loads): its page shows one contract per unit, and without login the
// public results page, the open-data page and the OCDS release package
// (three contracts, each with its unit as buyer) are reachable.
// Screenshots at 1366 and 390 px.
func TestProcurePlansToPooledContracts(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_FAKE_NOW=2026-12-01T09:00:00+08:00")
	const cat = "A02021000"
	type unit struct {
		user, spec, qty, budget, wanted string
		ctx                             context.Context
		plan, dept                      string
	}
	units := []*unit{
		{user: "sjj-staff", spec: "黑白激光打印机；A4；双面打印；网络接口", qty: "12", budget: "36000", wanted: "2027-01-15"},
		{user: "swj-staff", spec: "A4；网络接口；双面打印；黑白激光打印机", qty: "8", budget: "24000", wanted: "2027-01-25"},
		{user: "wd-staff", spec: "黑白激光打印机, A4, 双面打印, 网络接口", qty: "5", budget: "15000", wanted: "2027-02-10"},
	}
	for i, u := range units {
		u.ctx = browser(t)
		login(t, u.ctx, s, u.user)
		open(t, u.ctx, s.URL+"/procure", `[data-testid=plan-form]`)
		run(t, u.ctx, u.user+" fills the plan",
			chromedp.SendKeys(`[data-testid=plan-category]`, cat, chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=plan-spec]`, u.spec, chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=plan-qty]`, u.qty, chromedp.ByQuery),
			chromedp.SendKeys(`#p_unit`, "台", chromedp.ByQuery),
			chromedp.SendKeys(`[data-testid=plan-budget]`, u.budget, chromedp.ByQuery),
			chromedp.SetValue(`[data-testid=plan-wanted]`, u.wanted, chromedp.ByQuery),
		)
		if i == 0 {
			shot(t, u.ctx, "procure-1366-01-plan-form")
		}
		submitAndLand(t, u.ctx, u.user+" submits the plan", chromedp.Click(`[data-testid=plan-submit]`, chromedp.ByQuery))
		// The unit sees its own line: its id and department.
		var row []string
		run(t, u.ctx, u.user+" reads its plan", chromedp.Evaluate(fmt.Sprintf(`(() => { const r = [...document.querySelectorAll("[data-testid=plan-row]")].find(r => r.cells[2].textContent.trim() === %q);
			return r ? [r.cells[0].textContent.trim(), r.cells[1].textContent.trim()] : []; })()`, cat), &row))
		if len(row) != 2 {
			shot(t, u.ctx, "FAILED-plan-row")
			t.Fatalf("%s: the plan of %s is not listed", u.user, cat)
		}
		u.plan, u.dept = row[0], row[1]
	}

	fin := browser(t)
	login(t, fin, s, "czj-staff")
	open(t, fin, s.URL+"/procure", `[data-testid=proposals]`)
	shot(t, fin, "procure-1366-02-proposals")
	evalTrue(t, fin, "the proposal of three units is shown", fmt.Sprintf(`[...document.querySelectorAll("[data-testid=proposal-row]")].some(r => r.cells[0].textContent.trim() === %q && r.cells[3].textContent.trim() === "3")`, cat))
	submitAndLand(t, fin, "finance makes the pool", chromedp.Evaluate(fmt.Sprintf(`(() => { const r = [...document.querySelectorAll("[data-testid=proposal-row]")].find(r => r.cells[0].textContent.trim() === %q);
		r.querySelector("[data-testid=make-pool]").click(); return true; })()`, cat), nil))
	var poolID string
	run(t, fin, "find the pool", chromedp.Evaluate(fmt.Sprintf(`(() => { const p = [...document.querySelectorAll("[data-testid=pool]")].find(p => p.querySelector("h3 .mono").textContent.trim() === %q);
		return p ? p.id : ""; })()`, cat), &poolID))
	if !strings.HasPrefix(poolID, "pool-") {
		shot(t, fin, "FAILED-pool")
		t.Fatal("the new pool is not listed")
	}
	pool := "#" + poolID

	for _, u := range units {
		open(t, u.ctx, s.URL+"/procure", pool)
		submitAndLand(t, u.ctx, u.user+" confirms", chromedp.Click(pool+` [data-testid="confirm-`+u.plan+`"]`, chromedp.ByQuery))
	}
	shot(t, units[2].ctx, "procure-1366-03-confirmed")

	open(t, fin, s.URL+"/procure", pool+` [data-testid=lead-form]`)
	if st := textOf(t, fin, pool+` [data-testid=pool-status]`); st != "已确认" {
		t.Fatalf("pool status after three confirmations %q", st)
	}
	run(t, fin, "coordination group", chromedp.SendKeys(pool+` [data-testid=coordination]`, "财政局政府采购科（召集）、三个单位办公室", chromedp.ByQuery))
	submitAndLand(t, fin, "finance names the lead unit", chromedp.Click(pool+` [data-testid=set-lead]`, chromedp.ByQuery))
	open(t, fin, s.URL+"/procure", pool+` [data-testid=pool-lead]`)
	lead := textOf(t, fin, pool+` [data-testid=pool-lead]`)
	shot(t, fin, "procure-1366-04-lead")
	var leadUnit *unit
	for _, u := range units {
		if u.dept == lead {
			leadUnit = u
		}
	}
	if leadUnit == nil {
		t.Fatalf("lead unit %q is none of the three", lead)
	}

	open(t, leadUnit.ctx, s.URL+"/procure#new-project", `[data-testid=project-form]`)
	run(t, leadUnit.ctx, "the lead unit fills the pooled project",
		chromedp.SendKeys(`[data-testid=project-title]`, "2027年度打印机拼单采购", chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=project-pool]`, strings.TrimPrefix(poolID, "pool-"), chromedp.ByQuery),
		chromedp.SetValue(`[data-testid=project-method]`, "inquiry", chromedp.ByQuery),
		chromedp.Click(`[data-testid=setaside-full]`, chromedp.ByQuery),
	)
	submitAndLand(t, leadUnit.ctx, "the lead unit creates the pooled project", chromedp.Click(`[data-testid=project-submit]`, chromedp.ByQuery))
	open(t, leadUnit.ctx, s.URL+"/procure", pool+` [data-testid=pool-project]`)
	run(t, leadUnit.ctx, "open the pooled project", chromedp.Click(pool+` [data-testid=pool-project]`, chromedp.ByQuery), chromedp.WaitVisible(`main h1`, chromedp.ByQuery))
	waitURL(t, leadUnit.ctx, "/procure/projects/")
	if h := textOf(t, leadUnit.ctx, `main h1`); !strings.Contains(h, "2027年度打印机拼单采购") {
		t.Fatalf("pooled project page: %q", h)
	}
	shot(t, leadUnit.ctx, "procure-1366-05-pooled-project")

	// The demo's pooled purchase, awarded: one contract per unit, each unit
	// seeing its own on the project page.
	sjj := units[0].ctx
	open(t, sjj, s.URL+"/procure", `[data-testid=projects]`)
	run(t, sjj, "open the demo's pooled project", chromedp.Evaluate(`(() => { const a = [...document.querySelectorAll("[data-testid=project-row] a")].find(a => a.textContent.includes("办公计算机拼单采购"));
		if (a) a.click(); return !!a; })()`, nil))
	waitURL(t, sjj, "/procure/projects/")
	var projectURL string
	run(t, sjj, "project address", chromedp.WaitVisible(`[data-testid=contracts]`, chromedp.ByQuery), chromedp.Location(&projectURL))
	seen := map[string]bool{}
	for i, u := range units {
		open(t, u.ctx, projectURL, `[data-testid=contracts]`)
		var rows []string
		run(t, u.ctx, u.user+" reads the contracts", chromedp.Evaluate(`[...document.querySelectorAll("[data-testid=contract-row]")].map(r => r.cells[1].textContent.trim())`, &rows))
		if len(rows) != 1 || rows[0] != u.dept {
			t.Fatalf("%s sees the contracts %v, want its own (%s)", u.user, rows, u.dept)
		}
		seen[rows[0]] = true
		if i == 0 {
			shot(t, u.ctx, "procure-1366-06-contract")
		}
	}
	if len(seen) != 3 {
		t.Fatalf("contracts of %v", seen)
	}

	pub := browser(t)
	for _, width := range []int64{1366, 390} {
		w := fmt.Sprint(width)
		if width == 390 {
			run(t, pub, "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		} else {
			run(t, pub, "desktop width", chromedp.EmulateViewport(1366, 900))
		}
		open(t, pub, s.URL+"/lang?to=zh-CN&back=/public/procure", `[data-testid=open-data-link]`)
		shot(t, pub, "procure-"+w+"-07-public")
		run(t, pub, "public results of the pooled project", chromedp.Evaluate(`(() => { const a = [...document.querySelectorAll("main a")].find(a => a.textContent.includes("办公计算机拼单采购"));
			if (a) a.click(); return !!a; })()`, nil))
		waitURL(t, pub, "/public/procure/")
		run(t, pub, "results", chromedp.WaitVisible(`[data-testid=results]`, chromedp.ByQuery))
		if n := countOf(t, pub, `[data-testid=results] tbody tr`); n < 3 {
			t.Fatalf("public results: %d rows", n)
		}
		shot(t, pub, "procure-"+w+"-08-results")
		open(t, pub, s.URL+"/open-data/ocds", `[data-testid=ocds-bulk]`)
		shot(t, pub, "procure-"+w+"-09-open-data")
	}
	// The OCDS release package, without login: the pooled purchase's
	// contract release has three contracts, each with its unit as buyer.
	var body string
	run(t, pub, "the OCDS release package", chromedp.Navigate(s.URL+"/open-data/ocds/releases.json?limit=100"),
		chromedp.Evaluate(`document.body.innerText`, &body))
	var pkg struct {
		Releases []struct {
			Tag    []string `json:"tag"`
			Tender *struct {
				Title string `json:"title"`
			} `json:"tender"`
			Contracts []struct {
				Buyer *struct {
					Name string `json:"name"`
				} `json:"buyer"`
			} `json:"contracts"`
		} `json:"releases"`
	}
	if err := json.Unmarshal([]byte(body), &pkg); err != nil {
		t.Fatalf("release package: %v: %.300s", err, body)
	}
	buyers := map[string]bool{}
	titles := 0
	for _, r := range pkg.Releases {
		if r.Tag[0] == "contract" && len(r.Contracts) == 3 {
			for _, c := range r.Contracts {
				if c.Buyer != nil {
					buyers[c.Buyer.Name] = true
				}
			}
		}
		if r.Tender != nil && r.Tender.Title == "2027年度打印机拼单采购" {
			titles++
		}
	}
	if len(buyers) != 3 || titles != 1 {
		t.Fatalf("release package: contract buyers %v, the new pooled project's tender releases %d", buyers, titles)
	}
}
