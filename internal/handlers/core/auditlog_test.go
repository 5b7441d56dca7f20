package core_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

func TestAuditLogEndpoints(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	ctx := context.Background()
	n, err := env.App.Audit.IntegrateAll(ctx)
	if err != nil || n < 3 {
		t.Fatalf("integrated %d %v", n, err)
	}
	anon := env.Anonymous()
	r := env.API(t, "", "GET", "/api/v1/audit/checkpoint", nil)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || !strings.Contains(r.Body, "\n\n— ") {
		t.Fatalf("checkpoint: %d %s", r.StatusCode, r.Body)
	}
	var ev struct {
		Index int64  `json:"index"`
		Leaf  string `json:"leaf"`
		Event struct {
			Seq int64 `json:"seq"`
		} `json:"event"`
	}
	r = env.API(t, "", "GET", "/api/v1/audit/events/0", nil)
	r.JSON(t, &ev)
	leaf, _ := base64.StdEncoding.DecodeString(ev.Leaf)
	if r.StatusCode != 200 || !strings.HasPrefix(string(leaf), "yingshang-audit-leaf-v1\n") || ev.Event.Seq == 0 {
		t.Fatalf("event: %d %s", r.StatusCode, r.Body)
	}
	var p struct {
		Hashes []string `json:"hashes"`
	}
	r = env.API(t, "", "GET", "/api/v1/audit/proofs/inclusion/1?size=3", nil)
	r.JSON(t, &p)
	if r.StatusCode != 200 || len(p.Hashes) != 2 || len(p.Hashes[0]) != 64 {
		t.Fatalf("inclusion: %d %s", r.StatusCode, r.Body)
	}
	r = env.API(t, "", "GET", "/api/v1/audit/proofs/consistency?from=1&to=3", nil)
	r.JSON(t, &p)
	if r.StatusCode != 200 || len(p.Hashes) != 2 {
		t.Fatalf("consistency: %d %s", r.StatusCode, r.Body)
	}
	for _, bad := range []string{"/api/v1/audit/proofs/inclusion/5?size=3", "/api/v1/audit/proofs/inclusion/0?size=999999", "/api/v1/audit/proofs/consistency?from=0&to=2", "/api/v1/audit/events/x"} {
		if r := env.API(t, "", "GET", bad, nil); r.StatusCode != 400 {
			t.Fatalf("%s: %d %s", bad, r.StatusCode, r.Body)
		}
	}
	if r := anon.Get(t, "/public/audit"); r.StatusCode != 200 || !strings.Contains(r.Body, strings.ReplaceAll(env.App.Audit.Signer.Public, "+", "&#43;")) {
		t.Fatalf("public page lacks the key: %d", r.StatusCode)
	}
	// The deep check on the supervisor page.
	sup := env.Login(t, "supervisor")
	if r := sup.PostForm(t, "/audit/state", url.Values{}); r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="state-result"`) {
		t.Fatalf("deep check page: %d", r.StatusCode)
	}
}

func TestAuditObjectPage(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	ctx := context.Background()
	if err := env.App.Audit.Record(ctx, "draw.commit", "draw", "7", nil, 1, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Audit.IntegrateAll(ctx); err != nil {
		t.Fatal(err)
	}
	anon := env.Anonymous()
	r := anon.Get(t, "/public/audit/object/draw/7")
	if r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="inclusion-link"`) || !strings.Contains(r.Body, "/api/v1/audit/proofs/inclusion/") {
		t.Fatalf("object page: %d %s", r.StatusCode, r.Body)
	}
	for _, u := range []string{"/public/audit/object/user/1", "/public/audit/object/draw/999"} {
		if r := anon.Get(t, u); r.StatusCode != 404 {
			t.Fatalf("%s: %d", u, r.StatusCode)
		}
	}
}
