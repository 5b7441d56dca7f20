package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPolicyFlow: policy staff (the platform admin) writes a policy,
// previews it and publishes it; the demo enterprise sees it among its
// policies; the reviewer runs the automatic grant round, confirms and
// records the payment; the enterprise's benefit statement shows the money.
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
	)
	shot(t, staff, "policy-1-form")
	run(t, staff, "save", chromedp.Click(`[data-testid=policy-save]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=policy-title]`, chromedp.ByQuery))
	waitURL(t, staff, "/policies/")
	run(t, staff, "preview", chromedp.Click(`[data-testid=policy-preview]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=preview-matched]`, chromedp.ByQuery))
	if n := textOf(t, staff, `[data-testid=preview-matched]`); n == "0" || n == "" {
		t.Fatalf("preview matched %q entities", n)
	}
	shot(t, staff, "policy-2-preview")
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
	shot(t, ent, "policy-3-enterprise")

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
	shot(t, staff, "policy-4-paid")

	run(t, ent, "statement", chromedp.Navigate(s.URL+"/my/policies/statement"), chromedp.WaitVisible(`[data-testid=statement-table]`, chromedp.ByQuery))
	if txt := textOf(t, ent, `[data-testid=statement-table]`); !strings.Contains(txt, title) || !strings.Contains(txt, "¥88,888.00") {
		shot(t, ent, "FAILED-policy-statement")
		t.Fatalf("statement:\n%s", txt)
	}
	shot(t, ent, "policy-5-statement")
}
