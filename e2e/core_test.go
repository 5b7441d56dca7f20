package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSupervisorVerifiesAuditChain: a supervisor signs in, opens the audit
// trail and verifies the chain from the UI; the public page shows the same head.
func TestSupervisorVerifiesAuditChain(t *testing.T) {
	t.Parallel()
	s := sharedSite(t)
	ctx := browser(t)
	login(t, ctx, s, "supervisor")
	shot(t, ctx, "core-01-supervisor-dashboard")
	run(t, ctx, "open audit", chromedp.Navigate(s.URL+"/audit"), chromedp.WaitVisible(`[data-testid=verify-chain]`, chromedp.ByQuery))
	run(t, ctx, "verify", chromedp.Click(`[data-testid=verify-chain]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=verify-result]`, chromedp.ByQuery))
	if got := textOf(t, ctx, `[data-testid=verify-result]`); !strings.Contains(got, "审计日志完整") {
		t.Fatalf("verification result: %q", got)
	}
	shot(t, ctx, "core-02-audit-verified")
	run(t, ctx, "deep check", chromedp.Click(`[data-testid=verify-state]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-testid=state-result]`, chromedp.ByQuery))
	if got := textOf(t, ctx, `[data-testid=state-result]`); !strings.Contains(got, "与其最新审计事件一致") {
		t.Fatalf("deep check result: %q", got)
	}
	run(t, ctx, "public head", chromedp.Navigate(s.URL+"/public/audit"), chromedp.WaitVisible(`[data-testid=audit-head]`, chromedp.ByQuery))
	if h := textOf(t, ctx, `[data-testid=audit-head]`); len(h) != 64 {
		t.Fatalf("public head hash: %q", h)
	}
	shot(t, ctx, "core-03-public-audit-head")
}
