package appeals_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// TestConflictsKeepTheWork: a second extension request and a reply on a
// version someone else changed meanwhile answer 409 on the appeal's own
// page as it is now, saying what changed, with the typed note kept; the
// page is in the user's language.
func TestConflictsKeepTheWork(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	ent := env.Login(t, "ent")
	r := ent.PostForm(t, "/appeals/new", url.Values{"kind": {"complaint"}, "topic": {"执法检查"}, "title": {"重复检查"}, "description": {"一个月内被检查三次。"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.StatusCode, r.Body)
	}
	loc := r.Header.Get("Location")
	admin, staff := env.Login(t, "admin"), env.Login(t, "sjj-staff")
	for _, step := range []struct {
		c    *sitetest.Client
		form url.Values
	}{
		{admin, url.Values{"action": {"accept"}}},
		{admin, url.Values{"action": {"assign"}, "dept_id": {fmt.Sprint(env.Depts["XC-SJJ"])}}},
		{staff, url.Values{"action": {"claim"}}},
		{staff, url.Values{"action": {"request_extension"}, "days": {"5"}, "note": {"需要现场核查"}}},
	} {
		if r := step.c.PostForm(t, loc+"/act", step.form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%v: %d %s", step.form, r.StatusCode, r.Body)
		}
	}
	// The second extension request.
	r = staff.PostForm(t, loc+"/act", url.Values{"action": {"request_extension"}, "days": {"3"}, "note": {"再延三天：等检测报告"}})
	if r.StatusCode != http.StatusConflict {
		t.Fatalf("second extension request: %d", r.StatusCode)
	}
	for _, want := range []string{"已有待审批的延期申请", `data-testid="appeal-number"`, `data-testid="kept-note"`, "再延三天：等检测报告", `data-testid="conflict-hint"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("second extension request page lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "返回首页") && !strings.Contains(r.Body, "appeal-state") {
		t.Errorf("the conflict is a dead-end page")
	}
	// A stale reply: the form was loaded at version 1.
	r = staff.PostForm(t, loc+"/act", url.Values{"action": {"reply"}, "version": {"1"}, "note": {"已安排综合查一次。"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "刚被他人处理") || !strings.Contains(r.Body, "已安排综合查一次。") {
		t.Fatalf("stale reply: %d %s", r.StatusCode, r.Body)
	}
	// In English the explanation is English.
	r = staff.PostForm(t, loc+"/act?lang=en", url.Values{"action": {"reply"}, "version": {"1"}, "note": {"x"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "someone else changed this") || !strings.Contains(r.Body, "your action was not carried out") {
		t.Fatalf("stale reply in English: %d", r.StatusCode)
	}
}

// TestOtherBusinessQR: an enterprise account opening another business's
// QR link gets a 403 page that names its own business and offers to sign
// out and in with the other business's account (coming back to the form),
// the other business's public page, or its own appeal form.
func TestOtherBusinessQR(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	ent := env.Login(t, "ent")
	r := ent.Get(t, "/appeals/new?uscc="+sitetest.USCCB)
	if r.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d", r.StatusCode)
	}
	next := "/appeals/new?uscc=" + sitetest.USCCB
	for _, want := range []string{`action="/logout?next=` + url.QueryEscape(next), `href="/e/` + sitetest.USCCB + `"`, `href="/appeals/new"`, "请用该企业的账户登录", `data-testid="error-page"`} {
		if !strings.Contains(r.Body, strings.ReplaceAll(want, "&", "&amp;")) {
			t.Errorf("QR 403 page lacks %q\n%s", want, r.Body)
		}
	}
	out := ent.PostForm(t, "/logout?next="+url.QueryEscape(next), url.Values{})
	if out.StatusCode != http.StatusSeeOther || out.Header.Get("Location") != "/login?next="+url.QueryEscape(next) {
		t.Fatalf("sign out: %d %s", out.StatusCode, out.Header.Get("Location"))
	}
	// next must stay on this site.
	ent = env.Login(t, "ent")
	if out := ent.PostForm(t, "/logout?next=//evil.example/", url.Values{}); out.Header.Get("Location") != "/login" {
		t.Fatalf("off-site next: %s", out.Header.Get("Location"))
	}
}
