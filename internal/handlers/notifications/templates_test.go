package notifications_test

import (
	"net/http"
	"strings"
	"testing"

	"yingshang/internal/notify"
	"yingshang/internal/site/sitetest"
)

const slotPath = "/admin/templates/system.test/inapp/zh-CN"

func TestTemplateEditing(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			admin := env.Login(t, "admin")
			page := admin.Get(t, "/admin/templates")
			contains(t, "/admin/templates", page.Body, `id="system.test"`, "{{.sender}}", "发送人", "who sent the test", "平台管理员",
				`<span class="tag default">默认</span>`, `href="`+slotPath+`"`, "短信验证码")

			// Preview with example data, and its errors next to the body.
			r := admin.PostForm(t, slotPath, form("action", "preview", "subject", "测试：{{.sender}}", "body", "{{.sender}}于{{.time}}发送"))
			contains(t, "preview", r.Body, `data-testid="preview-result"`, "测试：平台管理员", "平台管理员于2026-11-23 09:00发送")
			r = admin.PostForm(t, slotPath, form("action", "preview", "subject", "测试", "body", "您好{{.nope}}"))
			if r.StatusCode != http.StatusBadRequest {
				t.Fatalf("preview with an unknown variable: %d", r.StatusCode)
			}
			contains(t, "preview error", r.Body, `id="body-err"`, "未知变量 {{.nope}}", `aria-invalid="true" aria-describedby="body-err"`, "您好{{.nope}}")

			// Save refuses unknown variables and syntax errors, naming the body.
			for body, want := range map[string]string{"您好{{.nope}}": "未知变量 {{.nope}}", "您好{{.sender": "模板语法错误"} {
				r = admin.PostForm(t, slotPath, form("action", "save", "subject", "测试", "body", body))
				if r.StatusCode != http.StatusBadRequest {
					t.Fatalf("save %q: %d", body, r.StatusCode)
				}
				contains(t, "save error", r.Body, `id="body-err"`, want)
			}
			r = admin.PostForm(t, slotPath, form("action", "save", "subject", "自定义测试", "body", "自定义正文：{{.sender}}"))
			if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/admin/templates#system.test") {
				t.Fatalf("save: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			page = admin.Get(t, "/admin/templates")
			contains(t, "after save", page.Body, `<span class="tag custom" title=`, "自定义正文：{{.sender}}")

			// New messages use it.
			sendTest(t, env, notify.Recipient{UserID: env.Users["sjj-staff"]}, "", notify.ChannelInApp)
			p := inboxOf(t, env, env.Token(t, "sjj-staff"), "")
			if len(p.Items) != 1 || p.Items[0].Subject != "自定义测试" || p.Items[0].Body != "自定义正文：平台管理员" {
				t.Fatalf("message from the custom template: %+v", p.Items)
			}

			// Reset through the form.
			if r := admin.PostForm(t, slotPath+"/reset", form()); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("reset: %d", r.StatusCode)
			}
			if page := admin.Get(t, "/admin/templates"); strings.Contains(page.Body, `<span class="tag custom" title=`) {
				t.Fatal("still customised after the reset")
			}

			// Read-only for supervisors, closed to staff.
			sup := env.Login(t, "supervisor")
			if r := sup.Get(t, "/admin/templates"); r.StatusCode != http.StatusOK || strings.Contains(r.Body, `href="`+slotPath+`"`) {
				t.Fatalf("supervisor templates: %d", r.StatusCode)
			}
			if r := sup.PostForm(t, slotPath, form("action", "save", "body", "x")); r.StatusCode != http.StatusForbidden {
				t.Fatalf("supervisor save: %d", r.StatusCode)
			}
			if r := env.Login(t, "sjj-staff").Get(t, "/admin/templates"); r.StatusCode != http.StatusForbidden {
				t.Fatalf("staff templates: %d", r.StatusCode)
			}
			if r := admin.Get(t, "/admin/templates/system.test/fax/zh-CN"); r.StatusCode != http.StatusNotFound {
				t.Fatalf("unknown channel: %d", r.StatusCode)
			}
		})
	}
}

func TestTemplateAPI(t *testing.T) {
	env := sitetest.New(t, engines[0])
	adminTok := env.Token(t, "admin")
	const path = "/api/v1/notification-templates/system.test/sms/en"
	r := env.API(t, adminTok, "PUT", path, map[string]string{"subject": "", "body": "Hello {{.nope}}"})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"body"`) || !strings.Contains(r.Body, "{{.nope}}") {
		t.Fatalf("unknown variable: %d %s", r.StatusCode, r.Body)
	}
	r = env.API(t, adminTok, "PUT", path, map[string]string{"subject": "Hi", "body": "Hello"})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"subject"`) {
		t.Fatalf("SMS subject: %d %s", r.StatusCode, r.Body)
	}
	r = env.API(t, adminTok, "PUT", path, map[string]string{"subject": "", "body": "[Yingshang] test by {{.sender}}"})
	var slot notify.TemplateSlot
	r.JSON(t, &slot)
	if r.StatusCode != http.StatusOK || !slot.Overridden || slot.Body != "[Yingshang] test by {{.sender}}" || slot.Default == nil {
		t.Fatalf("save: %d %s", r.StatusCode, r.Body)
	}
	var list []notify.TypeTemplates
	env.API(t, env.Token(t, "supervisor"), "GET", "/api/v1/notification-templates", nil).JSON(t, &list)
	found := false
	for _, tt := range list {
		for _, s := range tt.Templates {
			if tt.Key == "system.test" && s.Channel == "sms" && s.Lang == "en" {
				found = s.Overridden
			}
		}
	}
	if !found || len(list) < 4 {
		t.Fatalf("list: %d types, overridden %v", len(list), found)
	}
	if r := env.API(t, adminTok, "PUT", "/api/v1/notification-templates/system.test/fax/en", map[string]string{"subject": "", "body": "x"}); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad channel: %d", r.StatusCode)
	}
	if r := env.API(t, adminTok, "PUT", "/api/v1/notification-templates/no.such/sms/en", map[string]string{"subject": "", "body": "x"}); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown type: %d", r.StatusCode)
	}
	if r := env.API(t, adminTok, "DELETE", path, nil); r.StatusCode != http.StatusNoContent {
		t.Fatalf("reset: %d", r.StatusCode)
	}
	env.API(t, adminTok, "GET", "/api/v1/notification-templates", nil).JSON(t, &list)
	for _, tt := range list {
		for _, s := range tt.Templates {
			if s.Overridden {
				t.Fatalf("still overridden after the reset: %s %+v", tt.Key, s)
			}
		}
	}
}
