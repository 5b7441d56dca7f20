package core_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/api"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

func TestLoginDashboardAndAudit(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			anon := env.Anonymous()
			if r := anon.Get(t, "/audit"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
				t.Fatalf("anonymous /audit: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			// Same message for an unknown user and a wrong password.
			r1 := anon.PostForm(t, "/login", url.Values{"username": {"nobody"}, "password": {"x"}})
			r2 := anon.PostForm(t, "/login", url.Values{"username": {"admin"}, "password": {"wrong-password-1"}})
			if r1.StatusCode != http.StatusUnauthorized || r2.StatusCode != http.StatusUnauthorized || !strings.Contains(r1.Body, "用户名或密码错误") || !strings.Contains(r2.Body, "用户名或密码错误") {
				t.Fatalf("login failures: %d %d", r1.StatusCode, r2.StatusCode)
			}
			// Open redirect refused.
			c := env.Anonymous()
			r := c.PostForm(t, "/login", url.Values{"username": {"admin"}, "password": {sitetest.Password}, "next": {"//evil.example/x"}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/" {
				t.Fatalf("login redirect: %d %q", r.StatusCode, r.Header.Get("Location"))
			}
			admin := env.Login(t, "admin")
			home := admin.Get(t, "/")
			if home.StatusCode != 200 || !strings.Contains(home.Body, `data-testid="stat-entities">2<`) {
				t.Fatalf("dashboard: %d\n%s", home.StatusCode, home.Body)
			}
			// A form post without the CSRF token is refused.
			noCSRF := *admin
			noCSRF.CSRF = ""
			if r := noCSRF.PostForm(t, "/audit/verify", url.Values{}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("post without CSRF: %d", r.StatusCode)
			}
			r = admin.PostForm(t, "/audit/verify", url.Values{})
			if r.StatusCode != 200 || !strings.Contains(r.Body, "审计日志完整") {
				t.Fatalf("verify: %d %s", r.StatusCode, r.Body)
			}
			// Staff may not read the audit trail, in the UI or the API.
			staff := env.Login(t, "sjj-staff")
			if r := staff.Get(t, "/audit"); r.StatusCode != http.StatusForbidden {
				t.Fatalf("staff /audit: %d", r.StatusCode)
			}
			if r := env.API(t, env.Token(t, "sjj-staff"), "GET", "/api/v1/audit/events", nil); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Header.Get("Content-Type"), "problem+json") {
				t.Fatalf("staff audit API: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
			}
			sup := env.Token(t, "supervisor")
			var page struct {
				Items []struct{ Seq int64 } `json:"items"`
				Total int64                 `json:"total"`
			}
			r = env.API(t, sup, "GET", "/api/v1/audit/events?limit=5", nil)
			r.JSON(t, &page)
			if r.StatusCode != 200 || len(page.Items) != 5 || page.Total < 10 {
				t.Fatalf("audit events: %d %+v", r.StatusCode, page)
			}
			var res struct {
				OK      bool  `json:"ok"`
				Events  int64 `json:"events"`
				Pending int64 `json:"pending"`
			}
			r = env.API(t, sup, "POST", "/api/v1/audit/verify", nil)
			r.JSON(t, &res)
			if !res.OK || res.Events+res.Pending != page.Total {
				t.Fatalf("verify API: %s", r.Body)
			}
			// Public head, no login.
			if r := env.API(t, "", "GET", "/api/v1/audit/head", nil); r.StatusCode != 200 || !strings.Contains(r.Body, `"hash"`) {
				t.Fatalf("head: %d %s", r.StatusCode, r.Body)
			}
			// A bad bearer token is a 401 problem, not an anonymous request.
			if r := env.API(t, "ys_nope", "GET", "/api/v1/me", nil); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("bad token: %d", r.StatusCode)
			}
			// English.
			r = env.API(t, "", "GET", "/api/v1/me?lang=en", nil)
			if r.StatusCode != http.StatusUnauthorized || !strings.Contains(r.Body, "sign in") {
				t.Fatalf("english problem: %s", r.Body)
			}
		})
	}
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	r := env.API(t, "", "GET", "/api/openapi.json", nil)
	if r.StatusCode != 200 {
		t.Fatalf("openapi: %d", r.StatusCode)
	}
	if err := api.ValidateDocument([]byte(r.Body)); err != nil {
		t.Fatalf("OpenAPI document invalid: %v", err)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	if r := env.API(t, "", "GET", "/readyz", nil); r.StatusCode != 200 || !strings.Contains(r.Body, `"ready":true`) {
		t.Fatalf("readyz: %d %s", r.StatusCode, r.Body)
	}
	env.API(t, "", "GET", "/healthz", nil)
	r := env.API(t, "", "GET", "/metrics", nil)
	for _, want := range []string{"yingshang_http_requests_total{method=\"GET\",route=\"GET /readyz\",status=\"200\"} 1", "yingshang_audit_events_total", "yingshang_database_up 1"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("metrics lack %q:\n%s", want, r.Body)
		}
	}
}
