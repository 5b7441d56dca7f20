package core_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// TestBrandedErrorPages: an unknown URL answers the site's own 404 page (not
// Go's plain text) in both languages with a way forward; under /api it is
// an RFC 9457 problem; a page the role may not open answers the branded 403
// with the way back to where the user came from.
func TestBrandedErrorPages(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	anon := env.Anonymous()
	r := anon.Get(t, "/no/such/page")
	if r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "404 page not found") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("unknown URL: %d %q", r.StatusCode, r.Body)
	}
	for _, want := range []string{`data-testid="error-page"`, "页面不存在", `data-testid="error-home"`, `href="/login"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("404 page lacks %q", want)
		}
	}
	r = anon.Get(t, "/no/such/page?lang=en")
	for _, want := range []string{"Page not found", "Home page", "Sign in"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("English 404 page lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "页面不存在") {
		t.Errorf("English 404 page shows Chinese")
	}
	r = anon.Get(t, "/api/v1/no-such-thing")
	if r.StatusCode != http.StatusNotFound || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("unknown API path: %d %s %s", r.StatusCode, r.Header.Get("Content-Type"), r.Body)
	}
	// 403: the audit trail for an enterprise account, coming from the home page.
	ent := env.Login(t, "ent")
	req, _ := http.NewRequest("GET", env.HTTP.URL+"/audit", nil)
	req.Header.Set("Referer", env.HTTP.URL+"/")
	resp, err := ent.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := string(raw)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "没有权限") || !strings.Contains(body, `data-testid="error-back" href="/"`) {
		t.Fatalf("403 page: %d\n%s", resp.StatusCode, body)
	}
}

// TestMenusByRole: the enterprise and department staff (the hotline
// operator) do not see the calendar, API tokens or credit rule tables in
// the menu; the platform admin does.
func TestMenusByRole(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	links := []string{`href="/admin/calendar"`, `href="/admin/tokens"`, `href="/credit/rules"`}
	for _, user := range []string{"ent", "sjj-staff"} {
		home := env.Login(t, user).Get(t, "/")
		for _, l := range links {
			if strings.Contains(home.Body, l) {
				t.Errorf("%s's menu shows %s", user, l)
			}
		}
	}
	home := env.Login(t, "admin").Get(t, "/")
	for _, l := range links {
		if !strings.Contains(home.Body, l) {
			t.Errorf("admin's menu lacks %s", l)
		}
	}
}
