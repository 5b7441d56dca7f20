package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestPolicyFlow: policy staff (the platform admin) writes a policy,
// previews it and publishes it; the demo enterprise sees it among its
// policies; the reviewer runs the automatic grant round, confirms and
// records the payment; the enterprise's benefit statement shows the money,
// and its PDF (fetched by the browser) carries the verification code that
// the public verify page, without login, accepts. The policy's push is
// aimed by a target tag (标签推送), shown on its page. Each step's page is
// photographed at 1366 and 390 px (e2e/screenshots/policy-*-1366.png,
// -390.png).
func TestPolicyFlow(t *testing.T) {
	t.Parallel()
	s := startSite(t, "")
	const title = "端到端研发补助"

	staff := browser(t)
	login(t, staff, s, "admin")
	run(t, staff, "new policy",
		chromedp.Navigate(s.URL+"/policies/new"),
		chromedp.WaitVisible(`[data-testid=policy-form]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=title]`, title, chromedp.ByQuery),
		chromedp.SetValue(`textarea[name=condition]`, `{"all":[{"fact":"rd_spending_wan","op":">=","value":150},{"fact":"high_tech","op":"=","value":true}]}`, chromedp.ByQuery),
		chromedp.SetValue(`textarea[name=amount]`, `{"kind":"fixed","amount":88888}`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=target_tags]`, "专精特新，高新技术企业", chromedp.ByQuery),
	)
	shotWidths(t, staff, "policy-1-form")
	run(t, staff, "save", chromedp.Click(`[data-testid=policy-save]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=policy-title]`, chromedp.ByQuery))
	waitURL(t, staff, "/policies/")
	run(t, staff, "preview", chromedp.Click(`[data-testid=policy-preview]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=preview-matched]`, chromedp.ByQuery))
	if n := textOf(t, staff, `[data-testid=preview-matched]`); n == "0" || n == "" {
		t.Fatalf("preview matched %q entities", n)
	}
	if total := textOf(t, staff, `[data-testid=preview-total]`); !strings.HasPrefix(total, "¥") || total == "¥0.00" {
		t.Fatalf("preview total %q", total)
	}
	if n := countOf(t, staff, `[data-testid=preview-sample] tbody tr`); n == 0 {
		t.Fatal("preview shows no sample")
	}
	if tags := textOf(t, staff, `[data-testid=policy-target-tags]`); !strings.Contains(tags, "专精特新") || !strings.Contains(tags, "高新技术企业") {
		t.Fatalf("target tags on the policy page: %q", tags)
	}
	shotWidths(t, staff, "policy-2-preview")
	run(t, staff, "publish", chromedp.Click(`[data-testid=policy-publish]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=policy-grant-run]`, chromedp.ByQuery))
	if st := textOf(t, staff, `[data-testid=policy-status]`); !strings.Contains(st, "已发布") {
		t.Fatalf("status after publishing: %q", st)
	}

	ent := browser(t)
	login(t, ent, s, "enterprise")
	run(t, ent, "my policies", chromedp.Navigate(s.URL+"/my/policies"), chromedp.WaitVisible(`[data-testid=my-policies]`, chromedp.ByQuery))
	if txt := textOf(t, ent, `[data-testid=my-policies]`); !strings.Contains(txt, title) || !strings.Contains(txt, "¥88,888.00") {
		shot(t, ent, "FAILED-policy-mine")
		t.Fatalf("the enterprise does not see the policy:\n%s", txt)
	}
	// The reason: the conditions it meets, with its figures (the user
	// unfolds each policy's "why").
	run(t, ent, "unfold the reasons", chromedp.Evaluate(`document.querySelectorAll('[data-testid=my-policies] details').forEach(d => d.open = true)`, nil))
	if txt := textOf(t, ent, `[data-testid=my-policies]`); !strings.Contains(txt, "研发费用") {
		t.Fatalf("no reason shown with the policy:\n%s", txt)
	}
	shotWidths(t, ent, "policy-3-enterprise")

	var detail string
	run(t, staff, "detail URL", chromedp.Location(&detail))
	// Each step redirects back to the detail page, whose earlier flash may
	// still be on screen: wait for the grants to reach the step's status,
	// reloading, before the next click.
	grantsRead := func(step, want, notWant string) {
		t.Helper()
		reloadUntil(t, staff, step+": grants read "+want, detail, `[data-testid=policy-grants]`, jobLimit, func(txt string) bool {
			return strings.Contains(txt, want) && (notWant == "" || !strings.Contains(txt, notWant))
		})
	}
	submitAndLand(t, staff, "grant run", chromedp.Click(`[data-testid=policy-grant-run]`, chromedp.ByQuery))
	grantsRead("granted", "已受理", "")
	submitAndLand(t, staff, "confirm", chromedp.Click(`[data-testid=policy-confirm]`, chromedp.ByQuery))
	grantsRead("confirmed", "已审核", "已受理")
	submitAndLand(t, staff, "pay",
		chromedp.SendKeys(`input[name=payment_ref]`, "XCCZ-E2E-001", chromedp.ByQuery),
		chromedp.Click(`[data-testid=policy-pay]`, chromedp.ByQuery))
	grantsRead("paid", "已到账", "已审核")
	shotWidths(t, staff, "policy-4-paid")

	run(t, ent, "statement", chromedp.Navigate(s.URL+"/my/policies/statement"), chromedp.WaitVisible(`[data-testid=statement-table]`, chromedp.ByQuery))
	if txt := textOf(t, ent, `[data-testid=statement-table]`); !strings.Contains(txt, title) || !strings.Contains(txt, "¥88,888.00") {
		shot(t, ent, "FAILED-policy-statement")
		t.Fatalf("statement:\n%s", txt)
	}
	shotWidths(t, ent, "policy-5-statement")
	stTotal := textOf(t, ent, `[data-testid=statement-total]`)

	// The statement PDF, fetched as the enterprise: a PDF whose text holds
	// the verification code named in its file name.
	var res struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Body        string `json:"body"`
	}
	run(t, ent, "fetch the statement PDF", chromedp.Evaluate(`(async () => {
		const a = document.querySelector('[data-testid=statement-pdf]');
		const r = await fetch(a.href, {credentials: 'same-origin'});
		const b = new Uint8Array(await r.arrayBuffer());
		let s = '';
		for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
		return {status: r.status, type: r.headers.get('Content-Type'), disposition: r.headers.get('Content-Disposition') || '', body: s};
	})()`, &res, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if res.Status != 200 || res.Type != "application/pdf" || !strings.HasPrefix(res.Body, "%PDF-") || !strings.Contains(res.Body, "%%EOF") {
		t.Fatalf("statement PDF: %d %q, starts %q", res.Status, res.Type, res.Body[:min(len(res.Body), 8)])
	}
	m := regexp.MustCompile(`statement-\d{4}-([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\.pdf`).FindStringSubmatch(res.Disposition)
	if m == nil {
		t.Fatalf("no verification code in %q", res.Disposition)
	}
	code := m[1]
	// PDF strings are hex UTF-16BE (internal/credit/pdf.go).
	var hex strings.Builder
	for _, r := range code {
		fmt.Fprintf(&hex, "%04X", r)
	}
	if !strings.Contains(strings.ToUpper(res.Body), hex.String()) {
		t.Fatalf("the PDF's text does not hold its code %s", code)
	}
	// The code, checked on the public verify page by a visitor who is not
	// signed in.
	anon := browser(t)
	open(t, anon, s.URL+"/public/policy/verify?code="+code, `[data-testid=statement-verify-ok]`)
	// The year's total (the demo enterprise was paid by the demo's round too).
	if total := textOf(t, anon, `[data-testid=statement-verify-total]`); total != stTotal {
		t.Fatalf("verify page total %q, the statement's %q", total, stTotal)
	}
	shotWidths(t, anon, "policy-6-verify")
}

// shotWidths photographs the page at 1366 px and at 390 px (a phone),
// then goes back to the browser's usual width.
func shotWidths(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	run(t, ctx, "1366 px", chromedp.EmulateViewport(1366, 900))
	shot(t, ctx, name+"-1366")
	run(t, ctx, "390 px", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	shot(t, ctx, name+"-390")
	run(t, ctx, "back to 1280 px", chromedp.EmulateViewport(1280, 900))
}
