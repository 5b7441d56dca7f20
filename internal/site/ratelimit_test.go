package site_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"yingshang/internal/api"
	"yingshang/internal/db"
	"yingshang/internal/site"
	"yingshang/internal/site/sitetest"
)

// TestPublicRateLimits: every operation open to anonymous callers (the
// JSON API as well as the pages) answers 429 with Retry-After once a
// client address is over the public limit, and the next address is not
// affected. The list of operations comes from the registry, so a public
// operation added later is covered without touching this test.
func TestPublicRateLimits(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	const limit = 4
	env.App.Cfg.PublicRateLimit, env.App.Cfg.TrustProxy = limit, true
	srv, err := site.New(env.App, env.Modules)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	param := regexp.MustCompile(`\{[^}]*\}`)
	paths := map[string]bool{}
	var targets [][2]string
	for _, op := range srv.API.Ops() {
		if op.Auth == api.AuthPublic {
			targets = append(targets, [2]string{op.Method, param.ReplaceAllString(op.Path, "x")})
			paths[op.Path] = true
		}
	}
	// The endpoints named in issue 11 must be among them.
	for _, p := range []string{"/api/v1/credit/public/{uscc}", "/api/v1/credit/verify/{code}", "/api/v1/draws", "/api/v1/bideval/notices",
		"/api/v1/public/appeal-cases", "/api/v1/audit/head", "/api/v1/credit/periods"} {
		if !paths[p] {
			t.Errorf("%s is not a public operation", p)
		}
	}
	targets = append(targets, [2]string{"GET", "/api/openapi.json"}, [2]string{"GET", "/public/draws"})
	for i, tg := range targets {
		client := fmt.Sprintf("198.51.100.%d", i+1)
		for n := 1; n <= limit+1; n++ {
			req, _ := http.NewRequest(tg[0], hs.URL+tg[1], strings.NewReader("{}"))
			req.Header.Set("X-Forwarded-For", client)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if n <= limit && res.StatusCode == http.StatusTooManyRequests {
				t.Errorf("%s %s: 429 after %d requests, limit %d", tg[0], tg[1], n, limit)
			}
			if n == limit+1 {
				ra, _ := strconv.Atoi(res.Header.Get("Retry-After"))
				if res.StatusCode != http.StatusTooManyRequests || ra < 1 || ra > 60 {
					t.Errorf("%s %s: request %d gave %d, Retry-After %q; want 429 with Retry-After", tg[0], tg[1], n, res.StatusCode, res.Header.Get("Retry-After"))
				}
			}
		}
	}
	// Another address still gets through.
	req, _ := http.NewRequest("GET", hs.URL+"/api/v1/draws", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("a fresh address: %v %v", err, res)
	}
}

// TestMetricsRestricted: /metrics answers the loopback address, or anyone
// with the metrics token; not a visitor from elsewhere, also not one who
// claims a loopback address through a trusted proxy's header.
func TestMetricsRestricted(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	h := env.Server.Handler()
	get := func(remote, bearer, xff string) int {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = remote
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if c := get("127.0.0.1:5000", "", ""); c != 200 {
		t.Errorf("loopback: %d", c)
	}
	if c := get("[::1]:5000", "", ""); c != 200 {
		t.Errorf("loopback v6: %d", c)
	}
	if c := get("203.0.113.7:5000", "", ""); c != http.StatusForbidden {
		t.Errorf("remote without a token: %d", c)
	}
	env.App.Cfg.MetricsToken = "scrape-secret"
	if c := get("203.0.113.7:5000", "wrong", ""); c != http.StatusForbidden {
		t.Errorf("remote with a wrong token: %d", c)
	}
	if c := get("203.0.113.7:5000", "scrape-secret", ""); c != 200 {
		t.Errorf("remote with the token: %d", c)
	}
	env.App.Cfg.TrustProxy = true
	if c := get("127.0.0.1:5000", "", "203.0.113.7"); c != http.StatusForbidden {
		t.Errorf("a visitor through the local proxy: %d", c)
	}
}
