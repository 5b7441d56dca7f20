package notifications_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"yingshang/internal/api"
	"yingshang/internal/notify"
	"yingshang/internal/site/sitetest"
)

func outboxOf(t *testing.T, env *sitetest.Env, tok, query string) api.Page[notify.Notification] {
	t.Helper()
	r := env.API(t, tok, "GET", "/api/v1/notifications"+query, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("outbox %s: %d %s", query, r.StatusCode, r.Body)
	}
	var p api.Page[notify.Notification]
	r.JSON(t, &p)
	return p
}

func TestOutboxFiltersRolesAndRetry(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			adminTok := env.Token(t, "admin")
			uid := userWithoutPhone(t, env)
			// In-app is delivered at once; the SMS fails: no phone number.
			ids := sendTest(t, env, notify.Recipient{UserID: uid}, "无手机号", notify.ChannelInApp, notify.ChannelSMS)
			if len(ids) != 2 {
				t.Fatalf("ids: %v", ids)
			}
			smsID := ids[1]
			sendTest(t, env, notify.Recipient{UserID: env.Users["sjj-staff"]}, "", notify.ChannelSMS)

			failed := outboxOf(t, env, adminTok, "?status=failed&channel=sms")
			if failed.Total != 1 || failed.Items[0].ID != smsID || failed.Items[0].LastError != notify.ReasonNoPhone {
				t.Fatalf("failed SMS: %+v", failed)
			}
			if p := outboxOf(t, env, adminTok, "?channel=sms"); p.Total != 2 {
				t.Fatalf("SMS rows: %+v", p)
			}
			if p := outboxOf(t, env, adminTok, "?type=system.test&status=delivered"); p.Total != 1 || p.Items[0].Channel != notify.ChannelInApp {
				t.Fatalf("delivered: %+v", p)
			}
			if p := outboxOf(t, env, adminTok, "?per_page=1&page=3"); p.Total != 3 || len(p.Items) != 1 || p.Items[0].ID != ids[0] {
				t.Fatalf("paging: %+v", p)
			}
			if r := env.API(t, adminTok, "GET", "/api/v1/notifications?status=lost", nil); r.StatusCode != http.StatusBadRequest {
				t.Fatalf("bad status filter: %d", r.StatusCode)
			}
			var stats map[string]map[string]int64
			env.API(t, adminTok, "GET", "/api/v1/notifications/stats", nil).JSON(t, &stats)
			if stats["sms"]["failed"] != 1 || stats["sms"]["queued"] != 1 || stats["inapp"]["delivered"] != 1 {
				t.Fatalf("stats: %v", stats)
			}

			// The page: Chinese reasons, colours, the stats and the test form.
			admin := env.Login(t, "admin")
			page := admin.Get(t, "/admin/outbox?status=failed")
			contains(t, "/admin/outbox", page.Body, "没有手机号", `data-status="failed"`, `st-failed`, `data-testid="test-form"`, `data-testid="outbox-stats"`,
				"无手机号用户 (nophone)")
			if strings.Contains(page.Body, `data-status="queued"`) {
				t.Fatal("the status filter is ignored")
			}
			if en := admin.Get(t, "/admin/outbox?status=failed&lang=en"); !strings.Contains(en.Body, "no phone number") {
				t.Fatalf("English reason:\n%s", en.Body)
			}
			if r := admin.Get(t, "/admin/outbox?channel=pigeon"); r.StatusCode != http.StatusBadRequest {
				t.Fatalf("bad channel filter: %d", r.StatusCode)
			}
			detail := admin.Get(t, fmt.Sprintf("/admin/outbox/%d", smsID))
			contains(t, "detail", detail.Body, `data-testid="retry"`, "没有手机号", "无手机号")

			// Supervisors read; staff may not.
			sup := env.Login(t, "supervisor")
			if r := sup.Get(t, "/admin/outbox"); r.StatusCode != http.StatusOK || strings.Contains(r.Body, `data-testid="test-form"`) {
				t.Fatalf("supervisor outbox: %d", r.StatusCode)
			}
			if r := sup.Get(t, fmt.Sprintf("/admin/outbox/%d", smsID)); r.StatusCode != http.StatusOK || strings.Contains(r.Body, `data-testid="retry"`) {
				t.Fatalf("supervisor detail: %d", r.StatusCode)
			}
			if r := sup.PostForm(t, fmt.Sprintf("/admin/outbox/%d/retry", smsID), form()); r.StatusCode != http.StatusForbidden {
				t.Fatalf("supervisor retry: %d", r.StatusCode)
			}
			staff := env.Login(t, "sjj-staff")
			if r := staff.Get(t, "/admin/outbox"); r.StatusCode != http.StatusForbidden {
				t.Fatalf("staff outbox page: %d", r.StatusCode)
			}
			if r := env.API(t, env.Token(t, "sjj-staff"), "GET", "/api/v1/notifications", nil); r.StatusCode != http.StatusForbidden {
				t.Fatalf("staff outbox API: %d", r.StatusCode)
			}

			// Retry while the user still has no phone: refused, on the page and in the API.
			r := admin.PostForm(t, fmt.Sprintf("/admin/outbox/%d/retry", smsID), form())
			if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "无法重发") {
				t.Fatalf("retry without phone: %d\n%s", r.StatusCode, r.Body)
			}
			if r := env.API(t, adminTok, "POST", fmt.Sprintf("/api/v1/notifications/%d/retry", ids[0]), nil); r.StatusCode != http.StatusConflict {
				t.Fatalf("retry an in-app row: %d %s", r.StatusCode, r.Body)
			}
			// With a phone number the retry queues it, and the job sends it.
			setPhone(t, env, uid, "13912345678")
			r = admin.PostForm(t, fmt.Sprintf("/admin/outbox/%d/retry", smsID), form())
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("retry: %d %s", r.StatusCode, r.Body)
			}
			if n := get(t, env, smsID); n.Status != notify.StatusQueued || n.Address != "139****5678" {
				t.Fatalf("after retry: %+v", n)
			}
			env.StartJobs(t)
			sent := waitStatus(t, env, smsID, notify.StatusSent)
			if sent.ProviderID == "" || sent.SentAt == nil {
				t.Fatalf("sent row: %+v", sent)
			}
			detail = admin.Get(t, fmt.Sprintf("/admin/outbox/%d", smsID))
			if strings.Contains(detail.Body, `data-testid="retry"`) || !strings.Contains(detail.Body, "已发送") {
				t.Fatalf("detail after sending:\n%s", detail.Body)
			}
		})
	}
}

func TestSendTestForm(t *testing.T) {
	env := sitetest.New(t, engines[0])
	admin := env.Login(t, "admin")
	cases := []struct {
		name  string
		form  []string
		field string // the error shown
	}{
		{"no recipient", []string{"channels", "inapp"}, "请选择收件人"},
		{"unknown user", []string{"channels", "inapp", "username", "nobody"}, "用户 nobody 不存在"},
		{"no channel", []string{"username", "sjj-staff"}, "至少选择一个渠道"},
	}
	for _, c := range cases {
		r := admin.PostForm(t, "/admin/outbox/test", form(c.form...))
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, c.field) {
			t.Fatalf("%s: %d\n%s", c.name, r.StatusCode, r.Body)
		}
	}
	// E-mail is off in the test site: the row fails with the reason, and a
	// raw phone number gets an SMS.
	r := admin.PostForm(t, "/admin/outbox/test", form("channels", "email", "channels", "sms", "phone", "13812345678", "email", "ops@example.cn"))
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d %s", r.StatusCode, r.Body)
	}
	page := admin.Get(t, "/admin/outbox")
	contains(t, "outbox", page.Body, "已创建 2 条测试消息", "邮件通道未开启", "138****5678", "o**@example.cn")
}

func TestSMSReceipts(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			env.StartJobs(t)
			a := sendTest(t, env, notify.Recipient{UserID: env.Users["sjj-staff"]}, "", notify.ChannelSMS)[0]
			b := sendTest(t, env, notify.Recipient{UserID: env.Users["swj-staff"]}, "", notify.ChannelSMS)[0]
			waitStatus(t, env, a, notify.StatusSent)
			nb := waitStatus(t, env, b, notify.StatusSent)
			adminTok := env.Token(t, "admin")
			post := func(tok string, body any) *sitetest.Response {
				return env.API(t, tok, "POST", "/api/v1/notifications/sms-receipts", body)
			}
			// By our id as a JSON number, with the gateway's time.
			r := post(adminTok, map[string]any{"id": a, "status": "delivered", "at": "2026-11-23T09:00:05+08:00"})
			if r.StatusCode != http.StatusNoContent {
				t.Fatalf("delivered receipt: %d %s", r.StatusCode, r.Body)
			}
			na := get(t, env, a)
			if na.Status != notify.StatusDelivered || na.DeliveredAt == nil || na.DeliveredAt.UTC().Format("15:04:05") != "01:00:05" {
				t.Fatalf("after receipt: %+v", na)
			}
			// By the gateway's id (a string), failed with the reason.
			r = post(adminTok, map[string]any{"id": nb.ProviderID, "status": "failed", "reason": "用户关机"})
			if r.StatusCode != http.StatusNoContent {
				t.Fatalf("failed receipt: %d %s", r.StatusCode, r.Body)
			}
			if n := get(t, env, b); n.Status != notify.StatusFailed || n.LastError != "用户关机" {
				t.Fatalf("after failure receipt: %+v", n)
			}
			// A late failure report does not undo a delivery.
			post(adminTok, map[string]any{"id": fmt.Sprint(a), "status": "failed"})
			if n := get(t, env, a); n.Status != notify.StatusDelivered {
				t.Fatalf("delivered row changed: %+v", n)
			}
			for _, c := range []struct {
				tok    string
				body   any
				status int
			}{
				{adminTok, map[string]any{"id": "no-such-id", "status": "delivered"}, http.StatusNotFound},
				{adminTok, map[string]any{"id": a, "status": "read"}, http.StatusBadRequest},
				{adminTok, map[string]any{"status": "delivered"}, http.StatusBadRequest},
				{adminTok, map[string]any{"id": true, "status": "delivered"}, http.StatusBadRequest},
				{env.Token(t, "supervisor"), map[string]any{"id": a, "status": "delivered"}, http.StatusForbidden},
				{env.Token(t, "sjj-staff"), map[string]any{"id": a, "status": "delivered"}, http.StatusForbidden},
				{"", map[string]any{"id": a, "status": "delivered"}, http.StatusUnauthorized},
			} {
				if r := post(c.tok, c.body); r.StatusCode != c.status {
					t.Errorf("receipt %v: %d, want %d: %s", c.body, r.StatusCode, c.status, r.Body)
				}
			}
		})
	}
}
