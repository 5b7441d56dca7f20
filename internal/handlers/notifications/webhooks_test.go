package notifications_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"yingshang/internal/notify"
	"yingshang/internal/site/sitetest"
)

// delivery is one request a test receiver got.
type delivery struct {
	header http.Header
	body   []byte
}

func receiver(t *testing.T) (*httptest.Server, chan delivery) {
	got := make(chan delivery, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- delivery{header: r.Header.Clone(), body: b}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func TestWebhookCreateDeliverPauseDelete(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			srv, got := receiver(t)
			admin := env.Login(t, "admin")

			// Validation errors are shown next to the fields.
			r := admin.PostForm(t, "/admin/webhooks", form("name", "OA", "url", "ftp://oa.example"))
			if r.StatusCode != http.StatusBadRequest {
				t.Fatalf("bad webhook: %d", r.StatusCode)
			}
			contains(t, "bad webhook", r.Body, `id="url-err"`, `id="events-err"`, `value="OA"`)

			// The secret is shown once, on the page that creates the webhook.
			r = admin.PostForm(t, "/admin/webhooks", form("name", "市政务服务平台", "url", srv.URL+"/hook", "events", "system.test"))
			if r.StatusCode != http.StatusOK {
				t.Fatalf("create: %d %s", r.StatusCode, r.Body)
			}
			contains(t, "created", r.Body, `data-testid="secret"`, "市政务服务平台", srv.URL+"/hook")
			secret := secretRe.FindString(r.Body)
			if secret == "" || strings.Count(r.Body, secret) != 1 {
				t.Fatalf("secret shown %d times", strings.Count(r.Body, secret))
			}
			list := admin.Get(t, "/admin/webhooks")
			if secretRe.MatchString(list.Body) || !strings.Contains(list.Body, "测试消息 (system.test)") {
				t.Fatalf("list after creation:\n%s", list.Body)
			}
			var hooks []notify.Webhook
			env.API(t, env.Token(t, "supervisor"), "GET", "/api/v1/webhooks", nil).JSON(t, &hooks)
			if len(hooks) != 1 || !hooks[0].Active || !slices.Equal(hooks[0].Events, []string{"system.test"}) {
				t.Fatalf("webhooks: %+v", hooks)
			}
			id := hooks[0].ID

			// A message of the subscribed type is delivered, signed.
			env.StartJobs(t)
			ids := sendTest(t, env, notify.Recipient{UserID: env.Users["admin"]}, "推送", notify.ChannelInApp)
			if len(ids) != 2 {
				t.Fatalf("ids: %v", ids)
			}
			var d delivery
			select {
			case d = <-got:
			case <-time.After(30 * time.Second):
				t.Fatal("no webhook delivery")
			}
			if err := notify.VerifyWebhook(secret, d.header.Get(notify.HeaderSignature), d.body, env.Clock.Now(), 5*time.Minute); err != nil {
				t.Fatalf("signature: %v", err)
			}
			if err := notify.VerifyWebhook("whsec_wrong", d.header.Get(notify.HeaderSignature), d.body, env.Clock.Now(), 5*time.Minute); err == nil {
				t.Fatal("a wrong secret verifies")
			}
			var ev notify.Event
			if err := json.Unmarshal(d.body, &ev); err != nil || ev.Type != "system.test" || ev.Data["note"] != "推送" {
				t.Fatalf("event: %v %s", err, d.body)
			}
			if d.header.Get(notify.HeaderEvent) != "system.test" || d.header.Get(notify.HeaderDelivery) != fmt.Sprint(ids[1]) {
				t.Fatalf("headers: %v", d.header)
			}
			row := waitStatus(t, env, ids[1], notify.StatusDelivered)
			if row.Channel != notify.ChannelWebhook || row.Address != "市政务服务平台" {
				t.Fatalf("webhook row: %+v", row)
			}

			// Pause (form), resume (API), delete (API).
			if r := admin.PostForm(t, fmt.Sprintf("/admin/webhooks/%d/active", id), form("active", "false")); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("pause: %d", r.StatusCode)
			}
			if page := admin.Get(t, "/admin/webhooks"); !strings.Contains(page.Body, "已暂停") {
				t.Fatal("not shown as paused")
			}
			if ids := sendTest(t, env, notify.Recipient{UserID: env.Users["admin"]}, "", notify.ChannelInApp); len(ids) != 1 {
				t.Fatalf("a paused webhook still receives: %v", ids)
			}
			tok := env.Token(t, "admin")
			r = env.API(t, tok, "POST", fmt.Sprintf("/api/v1/webhooks/%d/active", id), map[string]bool{"active": true})
			if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"active":true`) {
				t.Fatalf("resume: %d %s", r.StatusCode, r.Body)
			}
			if r := env.API(t, env.Token(t, "supervisor"), "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", id), nil); r.StatusCode != http.StatusForbidden {
				t.Fatalf("supervisor delete: %d", r.StatusCode)
			}
			if r := env.API(t, tok, "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", id), nil); r.StatusCode != http.StatusNoContent {
				t.Fatalf("delete: %d", r.StatusCode)
			}
			if r := env.API(t, tok, "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", id), nil); r.StatusCode != http.StatusNotFound {
				t.Fatalf("delete again: %d", r.StatusCode)
			}
		})
	}
}

func TestWebhookAPI(t *testing.T) {
	env := sitetest.New(t, engines[0])
	tok := env.Token(t, "admin")
	r := env.API(t, tok, "POST", "/api/v1/webhooks", map[string]any{"name": "ERP", "url": "https://erp.example.cn/in", "events": []string{"account.*"}})
	var c struct {
		notify.Webhook
		Secret string `json:"secret"`
	}
	r.JSON(t, &c)
	if r.StatusCode != http.StatusCreated || !strings.HasPrefix(c.Secret, "whsec_") || c.ID == 0 || r.Header.Get("Location") == "" {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	if r := env.API(t, tok, "GET", "/api/v1/webhooks", nil); strings.Contains(r.Body, c.Secret) || strings.Contains(r.Body, "secret") {
		t.Fatalf("list shows the secret: %s", r.Body)
	}
	// Verification codes are never sent to webhooks.
	r = env.API(t, tok, "POST", "/api/v1/webhooks", map[string]any{"name": "x", "url": "https://x.example", "events": []string{notify.TypeSMSCode}})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"events"`) {
		t.Fatalf("sensitive type: %d %s", r.StatusCode, r.Body)
	}
	admin := env.Login(t, "admin")
	if page := admin.Get(t, "/admin/webhooks"); strings.Contains(page.Body, `value="`+notify.TypeSMSCode+`"`) || !strings.Contains(page.Body, `value="*"`) {
		t.Fatalf("event check boxes:\n%s", page.Body)
	}
	sup := env.Login(t, "supervisor")
	if page := sup.Get(t, "/admin/webhooks"); page.StatusCode != http.StatusOK || strings.Contains(page.Body, `data-testid="webhook-form"`) || !strings.Contains(page.Body, "ERP") {
		t.Fatalf("supervisor page: %d", page.StatusCode)
	}
	if r := sup.PostForm(t, "/admin/webhooks", form("name", "x", "url", "https://x.example", "events", "*")); r.StatusCode != http.StatusForbidden {
		t.Fatalf("supervisor create: %d", r.StatusCode)
	}
}
