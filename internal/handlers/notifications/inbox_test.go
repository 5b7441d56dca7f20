package notifications_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"yingshang/internal/notify"
	"yingshang/internal/site/sitetest"
)

type inboxPage struct {
	Items  []notify.Notification `json:"items"`
	Total  int64                 `json:"total"`
	Unread int64                 `json:"unread"`
}

func inboxOf(t *testing.T, env *sitetest.Env, tok, query string) inboxPage {
	t.Helper()
	r := env.API(t, tok, "GET", "/api/v1/notifications/inbox"+query, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("inbox: %d %s", r.StatusCode, r.Body)
	}
	var p inboxPage
	r.JSON(t, &p)
	return p
}

func TestInboxReadUnreadAndIsolation(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			admin := env.Login(t, "admin")
			// Two messages for the staff member, one for the enterprise user,
			// sent with the form on the outbox page.
			for _, note := range []string{"第一条", "第二条"} {
				r := admin.PostForm(t, "/admin/outbox/test", form("username", "sjj-staff", "channels", "inapp", "note", note))
				if r.StatusCode != http.StatusSeeOther {
					t.Fatalf("send form: %d %s", r.StatusCode, r.Body)
				}
			}
			entIDs := sendTest(t, env, notify.Recipient{UserID: env.Users["ent"]}, "给企业", notify.ChannelInApp)

			staffTok, entTok := env.Token(t, "sjj-staff"), env.Token(t, "ent")
			p := inboxOf(t, env, staffTok, "?unread=1")
			if p.Total != 2 || p.Unread != 2 || len(p.Items) != 2 || !strings.Contains(p.Items[0].Body, "第二条") {
				t.Fatalf("staff inbox: %+v", p)
			}
			mine, other := p.Items[1].ID, entIDs[0]

			staff := env.Login(t, "sjj-staff")
			page := staff.Get(t, "/inbox")
			if page.StatusCode != http.StatusOK {
				t.Fatalf("/inbox: %d", page.StatusCode)
			}
			contains(t, "/inbox", page.Body, "测试消息", "第二条", `class="unread"`, `data-testid="unread">2<`, `data-testid="read-all"`)
			if strings.Contains(page.Body, "给企业") {
				t.Fatal("the staff inbox shows another user's message")
			}

			// Another user's message is not found, on the page and in the API.
			if r := staff.Get(t, fmt.Sprintf("/inbox/%d", other)); r.StatusCode != http.StatusNotFound {
				t.Fatalf("open another's message: %d", r.StatusCode)
			}
			for _, c := range []struct{ method, path string }{
				{"POST", fmt.Sprintf("/api/v1/notifications/%d/read", other)},
				{"GET", fmt.Sprintf("/api/v1/notifications/%d", other)},
				{"POST", fmt.Sprintf("/api/v1/notifications/%d/read", mine+100000)},
			} {
				if r := env.API(t, staffTok, c.method, c.path, nil); r.StatusCode != http.StatusNotFound {
					t.Fatalf("%s %s by another user: %d %s", c.method, c.path, r.StatusCode, r.Body)
				}
			}
			if got := inboxOf(t, env, entTok, "?unread=1"); got.Unread != 1 {
				t.Fatalf("the enterprise message was touched: %+v", got)
			}

			// Opening a message marks it read and shows the read time.
			r := staff.Get(t, fmt.Sprintf("/inbox/%d", mine))
			contains(t, "message page", r.Body, "第一条", "已读于 2026-11-23 09:00")
			if got := inboxOf(t, env, staffTok, "?unread=1"); got.Total != 1 || got.Unread != 1 || got.Items[0].ID == mine {
				t.Fatalf("after reading one: %+v", got)
			}
			if all := inboxOf(t, env, staffTok, ""); all.Total != 2 {
				t.Fatalf("all messages: %+v", all)
			}
			// Marking again keeps the first read time.
			env.Clock.Advance(time.Hour)
			r = env.API(t, staffTok, "POST", fmt.Sprintf("/api/v1/notifications/%d/read", mine), nil)
			var n notify.Notification
			r.JSON(t, &n)
			if r.StatusCode != http.StatusOK || n.ReadAt == nil || !n.ReadAt.Equal(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)) {
				t.Fatalf("read again: %d %+v", r.StatusCode, n.ReadAt)
			}

			// Mark all read.
			r = staff.PostForm(t, "/inbox/read-all", form())
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("read-all: %d", r.StatusCode)
			}
			if got := inboxOf(t, env, staffTok, ""); got.Unread != 0 || got.Total != 2 {
				t.Fatalf("after read-all: %+v", got)
			}
			if page := staff.Get(t, "/inbox?unread=1"); !strings.Contains(page.Body, "没有未读消息") {
				t.Fatalf("unread filter:\n%s", page.Body)
			}
			// The API's read-all reports what it marked.
			r = env.API(t, entTok, "POST", "/api/v1/notifications/read-all", nil)
			if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"marked":1`) {
				t.Fatalf("API read-all: %d %s", r.StatusCode, r.Body)
			}
			if r := env.API(t, "", "GET", "/api/v1/notifications/inbox", nil); r.StatusCode != http.StatusUnauthorized {
				t.Fatalf("anonymous inbox: %d", r.StatusCode)
			}
		})
	}
}

func TestInboxPaging(t *testing.T) {
	env := sitetest.New(t, engines[0])
	for i := range 3 {
		sendTest(t, env, notify.Recipient{UserID: env.Users["sjj-staff"]}, fmt.Sprintf("消息%d", i), notify.ChannelInApp)
	}
	p := inboxOf(t, env, env.Token(t, "sjj-staff"), "?per_page=2&page=2")
	if p.Total != 3 || len(p.Items) != 1 || !strings.Contains(p.Items[0].Body, "消息0") {
		t.Fatalf("page 2: %+v", p)
	}
	staff := env.Login(t, "sjj-staff")
	page := staff.Get(t, "/inbox?per_page=2")
	contains(t, "/inbox page 1", page.Body, "消息2", "消息1", "page=2", "1 / 2")
	if r := staff.Get(t, "/inbox?page=0"); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("page=0: %d", r.StatusCode)
	}
}
