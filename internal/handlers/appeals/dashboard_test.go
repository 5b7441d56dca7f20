package appeals_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// TestDashboardDefaultPeriod: opened without a filter the dashboard shows
// the last twelve months and says so; an explicit empty filter shows all
// time.
func TestDashboardDefaultPeriod(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	submit := func(title string) {
		t.Helper()
		ent := env.Login(t, "ent")
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range map[string]string{"kind": "consult", "topic": "纳税", "title": title, "description": "请问如何办理。", "_csrf": ent.CSRF} {
			_ = mw.WriteField(k, v)
		}
		_ = mw.Close()
		if r := ent.PostMultipart(t, "/appeals/new", mw.FormDataContentType(), &body); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", r.StatusCode, r.Body)
		}
	}
	now := env.Clock.Now()
	env.Clock.Set(now.AddDate(-1, -2, 0)) // fourteen months ago
	submit("去年的咨询")
	env.Clock.Set(now)
	submit("本月的咨询")

	admin := env.Login(t, "admin")
	d := admin.Get(t, "/appeals/dashboard")
	if d.StatusCode != 200 || !strings.Contains(d.Body, `data-testid="stat-total">1<`) || !strings.Contains(d.Body, `data-testid="default-period"`) ||
		!strings.Contains(d.Body, `value="2025-12-01"`) {
		t.Fatalf("default dashboard: %d\n%s", d.StatusCode, d.Body)
	}
	all := admin.Get(t, "/appeals/dashboard?from=&to=")
	if all.StatusCode != 200 || !strings.Contains(all.Body, `data-testid="stat-total">2<`) || strings.Contains(all.Body, `data-testid="default-period"`) {
		t.Fatalf("all-time dashboard: %d\n%s", all.StatusCode, all.Body)
	}
}
