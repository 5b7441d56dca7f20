package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

func TestInAppDeliveryAndRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nil)
		alice := e.user("alice", "13812345678", "", "zh-CN")
		bob := e.user("bob", "", "", "en")
		data := map[string]any{"entity": "许昌市示例科技有限公司", "uscc": "91411000MA44XXXX0X"}
		ids := e.send(notify.Message{Type: notify.TypeBindingApproved, To: []notify.Recipient{{UserID: alice}, {UserID: bob}},
			Channels: []string{notify.ChannelInApp}, Data: data, ObjectType: "binding", ObjectID: "7"})
		if len(ids) != 2 {
			t.Fatalf("ids %v", ids)
		}
		n := e.get(ids[0])
		if n.Status != notify.StatusDelivered || n.Subject != "企业绑定已通过" || !strings.Contains(n.Body, "许昌市示例科技有限公司（统一社会信用代码 91411000MA44XXXX0X）") ||
			n.DeliveredAt == nil || !n.DeliveredAt.Equal(start) || n.ReadAt != nil || n.ObjectID != "7" || n.Data["uscc"] != "91411000MA44XXXX0X" {
			t.Fatalf("alice's row: %+v", n)
		}
		if en := e.get(ids[1]); en.Lang != "en" || en.Subject != "Enterprise binding approved" || !strings.Contains(en.Body, "(USCC 91411000MA44XXXX0X)") {
			t.Fatalf("bob's row is not English: %+v", en)
		}
		if jobs := e.count("SELECT COUNT(*) FROM river_job"); jobs != 0 {
			t.Fatalf("in-app rows need no job, got %d", jobs)
		}

		actx := as(alice)
		items, total, unread, err := e.s.Inbox(actx, false, 1, 20)
		if err != nil || total != 1 || unread != 1 || len(items) != 1 || items[0].ID != ids[0] {
			t.Fatalf("inbox: %v %d %d %+v", err, total, unread, items)
		}
		if err := e.s.MarkRead(as(bob), ids[0]); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("bob marked alice's message: %v", err)
		}
		if _, err := e.s.Get(as(bob), ids[0]); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("bob read alice's message: %v", err)
		}
		e.clk.Advance(time.Hour)
		if err := e.s.MarkRead(actx, ids[0]); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(time.Hour)
		if err := e.s.MarkRead(actx, ids[0]); err != nil {
			t.Fatalf("second MarkRead: %v", err)
		}
		if got := e.get(ids[0]).ReadAt; got == nil || !got.Equal(start.Add(time.Hour)) {
			t.Fatalf("read_at %v, want the first read time", got)
		}
		_, total, unread, _ = e.s.Inbox(actx, true, 1, 20)
		if total != 0 || unread != 0 {
			t.Fatalf("after read: total %d unread %d", total, unread)
		}

		e.send(notify.Message{Type: notify.TypeTest, To: []notify.Recipient{{UserID: bob}, {UserID: bob}}, Channels: []string{notify.ChannelInApp}})
		if n, err := e.s.MarkAllRead(as(bob)); err != nil || n != 3 {
			t.Fatalf("mark all read: %d %v", n, err)
		}
		if _, _, unread, _ := e.s.Inbox(as(bob), false, 1, 20); unread != 0 {
			t.Fatalf("bob still has %d unread", unread)
		}
	})
}

func TestSMSThroughLogDriver(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		sms := logSMS(t)
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = sms })
		ids := e.send(notify.Message{Type: notify.TypeSMSCode, To: []notify.Recipient{{Phone: "+86 138-0013-8000"}},
			Channels: []string{notify.ChannelSMS}, Data: map[string]any{"code": "246810", "minutes": 5}})
		n := e.wait(ids[0])
		if n.Status != notify.StatusSent || n.Attempts != 1 || n.SentAt == nil || n.Address != "138****8000" || n.ProviderID != fmt.Sprint(ids[0]) {
			t.Fatalf("row: %+v", n)
		}
		if n.Body == "" || strings.Contains(n.Body, "246810") || n.Data != nil {
			t.Fatalf("a verification code must not show in the outbox: %q %v", n.Body, n.Data)
		}
		lines := readLog(t, sms.Path)
		if len(lines) != 1 || lines[0].To != "13800138000" || lines[0].Text != "【营商】您的验证码为246810，5分钟内有效。" || lines[0].ID != fmt.Sprint(ids[0]) {
			t.Fatalf("dev outbox: %+v", lines)
		}

		// The same delivery job running again sends nothing.
		e.runJob(notify.DeliverArgs{NotificationID: ids[0]})
		if lines := readLog(t, sms.Path); len(lines) != 1 {
			t.Fatalf("re-run sent again: %d lines", len(lines))
		}
		if n := e.get(ids[0]); n.Attempts != 1 || n.Status != notify.StatusSent {
			t.Fatalf("re-run changed the row: %+v", n)
		}

		// A delivery receipt by the gateway's id.
		sys := auth.WithActor(context.Background(), auth.System("sms-receipt"))
		at := start.Add(2 * time.Minute)
		if err := e.s.MarkDelivered(sys, 0, n.ProviderID, at); err != nil {
			t.Fatal(err)
		}
		if n := e.get(ids[0]); n.Status != notify.StatusDelivered || n.DeliveredAt == nil || !n.DeliveredAt.Equal(at) {
			t.Fatalf("after receipt: %+v", n)
		}
		if err := e.s.MarkDelivered(sys, 0, "no-such-id", at); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("unknown provider id: %v", err)
		}
		if err := e.s.MarkDelivered(as(1), ids[0], "", at); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("a user posted a receipt: %v", err)
		}
	})
}

// gateway is a test SMS gateway answering with the given statuses in turn
// (the last one repeats).
type gateway struct {
	mu       sync.Mutex
	statuses []int
	calls    int
	bodies   []map[string]string
	auth     []string
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var body map[string]string
	_ = json.NewDecoder(r.Body).Decode(&body)
	g.bodies = append(g.bodies, body)
	g.auth = append(g.auth, r.Header.Get("Authorization"))
	status := g.statuses[min(g.calls, len(g.statuses)-1)]
	g.calls++
	w.WriteHeader(status)
	if status/100 == 2 {
		fmt.Fprintf(w, `{"id": "gw-%d"}`, g.calls)
	} else {
		fmt.Fprintf(w, "  upstream\n  unavailable (%d)  ", status)
	}
}

func (g *gateway) set(statuses ...int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.statuses, g.calls, g.bodies, g.auth = statuses, 0, nil, nil
}

func TestHTTPSMSGateway(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		gw := &gateway{statuses: []int{200}}
		srv := httptest.NewServer(gw)
		defer srv.Close()
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = &notify.HTTPSMS{URL: srv.URL, Token: "tok", Client: srv.Client()} })
		u := e.user("carol", "13900001111", "", "zh-CN")
		data := map[string]any{"entity": "示例公司", "uscc": "X", "reason": "材料不全"}
		send := func(max int) int64 {
			return e.send(notify.Message{Type: notify.TypeBindingRejected, To: []notify.Recipient{{UserID: u}}, Channels: []string{notify.ChannelSMS}, Data: data, MaxAttempts: max})[0]
		}

		t.Run("accepted", func(t *testing.T) {
			id := send(0)
			n := e.wait(id)
			if n.Status != notify.StatusSent || n.Attempts != 1 || n.ProviderID != "gw-1" {
				t.Fatalf("row: %+v", n)
			}
			b := gw.bodies[0]
			if b["to"] != "13900001111" || b["text"] != "【营商】您绑定示例公司的申请未通过，原因：材料不全" || b["id"] != fmt.Sprint(id) || gw.auth[0] != "Bearer tok" {
				t.Fatalf("gateway got %v %v", b, gw.auth)
			}
		})
		t.Run("retried until accepted", func(t *testing.T) {
			gw.set(503, 503, 200)
			n := e.wait(send(0))
			if n.Status != notify.StatusSent || n.Attempts != 3 || n.LastError != "" || n.ProviderID != "gw-3" {
				t.Fatalf("row: %+v", n)
			}
		})
		t.Run("refused", func(t *testing.T) {
			gw.set(400)
			n := e.wait(send(0))
			if n.Status != notify.StatusFailed || n.Attempts != 1 || n.LastError != "SMS gateway answered 400: upstream unavailable (400)" {
				t.Fatalf("row: %+v", n)
			}
		})
		t.Run("attempts exhausted, then retried by an admin", func(t *testing.T) {
			gw.set(503)
			id := send(2)
			n := e.wait(id)
			if n.Status != notify.StatusFailed || n.Attempts != 2 || !strings.Contains(n.LastError, "503") {
				t.Fatalf("row: %+v", n)
			}
			if err := e.s.Retry(as(5, auth.DeptAdmin), id); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("dept admin retried: %v", err)
			}
			gw.set(200)
			if err := e.s.Retry(e.admin, id); err != nil {
				t.Fatal(err)
			}
			if n := e.wait(id); n.Status != notify.StatusSent || n.Attempts != 3 {
				t.Fatalf("after retry: %+v", n)
			}
			if err := e.s.Retry(e.admin, id); !yserr.Is(err, yserr.Conflict) {
				t.Fatalf("retrying a sent row: %v", err)
			}
			if n := e.count("SELECT COUNT(*) FROM audit_events WHERE action = 'notification.retry' AND object_id = $1", fmt.Sprint(id)); n != 1 {
				t.Fatalf("retry audit events: %d", n)
			}
		})
	})
}

func TestMissingAddressesFailVisibly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		sms := logSMS(t)
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = sms }) // no mailer: e-mail is off
		u := e.user("dave", "", "dave@example.cn", "zh-CN")
		ids := e.send(notify.Message{Type: notify.TypeTest, To: []notify.Recipient{{UserID: u}, {Phone: "12345"}, {Email: "x@example.cn"}},
			Channels: []string{notify.ChannelSMS, notify.ChannelEmail, notify.ChannelInApp}})
		if len(ids) != 9 {
			t.Fatalf("want 3 recipients x 3 channels, got %d rows", len(ids))
		}
		want := []struct{ status, reason, address string }{
			{"failed", notify.ReasonNoPhone, ""}, {"failed", notify.ReasonEmailOff, "d***@example.cn"}, {"delivered", "", ""},
			{"failed", notify.ReasonBadPhone, "*2345"}, {"failed", notify.ReasonNoEmail, ""}, {"failed", notify.ReasonNoUser, ""},
			{"failed", notify.ReasonNoPhone, ""}, {"failed", notify.ReasonEmailOff, "x@example.cn"}, {"failed", notify.ReasonNoUser, ""},
		}
		for i, id := range ids {
			n := e.get(id)
			if n.Status != want[i].status || n.LastError != want[i].reason || n.Address != want[i].address {
				t.Errorf("row %d (%s): %s %q %q, want %+v", i, n.Channel, n.Status, n.LastError, n.Address, want[i])
			}
		}
		if jobs := e.count("SELECT COUNT(*) FROM river_job"); jobs != 0 {
			t.Fatalf("failed rows must not be queued: %d jobs", jobs)
		}
		if err := e.s.Retry(e.admin, ids[0]); !yserr.Is(err, yserr.Conflict) {
			t.Fatalf("retry without a phone: %v", err)
		}
		// The user adds a phone number: the admin's retry takes it.
		ctx := context.Background()
		if _, err := d.W(ctx).Exec(ctx, "UPDATE users SET phone_enc = $1 WHERE id = $2", e.s.Keys.Encrypt("13700007777"), u); err != nil {
			t.Fatal(err)
		}
		if err := e.s.Retry(e.admin, ids[0]); err != nil {
			t.Fatal(err)
		}
		if n := e.wait(ids[0]); n.Status != notify.StatusSent || n.Address != "137****7777" {
			t.Fatalf("after retry: %+v", n)
		}
		if _, err := e.s.Send(ctx, notify.Message{Type: "no.such", To: []notify.Recipient{{UserID: u}}, Channels: []string{"fax"}}); !yserr.Is(err, yserr.Invalid) {
			t.Fatalf("unknown type and channel: %v", err)
		}
		if _, err := e.s.Send(ctx, notify.Message{Type: notify.TypeTest, To: []notify.Recipient{{UserID: 424242}}, Channels: []string{"inapp"}}); !yserr.Is(err, yserr.Invalid) {
			t.Fatalf("unknown user: %v", err)
		}
	})
}

func TestSendIsTransactional(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = logSMS(t) })
		u := e.user("erin", "13600006666", "", "zh-CN")
		boom := errors.New("the caller's change failed")
		err := d.WithTx(context.Background(), func(ctx context.Context) error {
			ids, err := e.s.Send(ctx, notify.Message{Type: notify.TypeTest, To: []notify.Recipient{{UserID: u}},
				Channels: []string{notify.ChannelSMS, notify.ChannelInApp}})
			if err != nil || len(ids) != 2 {
				t.Errorf("send in tx: %v %v", ids, err)
			}
			var inTx int
			if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM river_job").Scan(&inTx); err != nil || inTx != 1 {
				t.Errorf("the job is not in the transaction: %d %v", inTx, err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if n := e.count("SELECT COUNT(*) FROM notifications"); n != 0 {
			t.Fatalf("%d rows survived the rollback", n)
		}
		if n := e.count("SELECT COUNT(*) FROM river_job"); n != 0 {
			t.Fatalf("%d jobs survived the rollback", n)
		}
		// Committed, both appear together.
		err = d.WithTx(context.Background(), func(ctx context.Context) error {
			_, err := e.s.Send(ctx, notify.Message{Type: notify.TypeTest, To: []notify.Recipient{{UserID: u}}, Channels: []string{notify.ChannelSMS}})
			return err
		})
		if err != nil || e.count("SELECT COUNT(*) FROM notifications") != 1 || e.count("SELECT COUNT(*) FROM river_job") != 1 {
			t.Fatalf("commit: %v", err)
		}
	})
}

type receiver struct {
	mu       sync.Mutex
	secret   string
	now      func() time.Time
	failures atomic.Int32 // answer 500 this many times first
	got      []received
}

type received struct {
	event, delivery, sigErr string
	body                    notify.Event
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if rc.failures.Add(-1) >= 0 {
		http.Error(w, "try later", http.StatusInternalServerError)
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rec := received{event: r.Header.Get(notify.HeaderEvent), delivery: r.Header.Get(notify.HeaderDelivery)}
	if err := notify.VerifyWebhook(rc.secret, r.Header.Get(notify.HeaderSignature), body, rc.now(), 5*time.Minute); err != nil {
		rec.sigErr = err.Error()
	}
	_ = json.Unmarshal(body, &rec.body)
	rc.got = append(rc.got, rec)
	w.WriteHeader(http.StatusNoContent)
}

func TestWebhooks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = logSMS(t) })
		rc := &receiver{now: e.clk.Now}
		rc.failures.Store(1)
		srv := httptest.NewServer(rc)
		defer srv.Close()
		if _, _, err := e.s.CreateWebhook(e.admin, "bad", "ftp://x", []string{"no.such", notify.TypeSMSCode}); err == nil || len(err.(*yserr.Error).Fields) != 3 {
			t.Fatalf("bad webhook accepted or wrong errors: %v", err)
		}
		if _, _, err := e.s.CreateWebhook(as(1, auth.DeptAdmin), "x", srv.URL, []string{"*"}); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("dept admin created a webhook: %v", err)
		}
		secret, h, err := e.s.CreateWebhook(e.admin, "政务数据中台", srv.URL, []string{"system.*", notify.TypeBindingRejected})
		if err != nil {
			t.Fatal(err)
		}
		rc.secret = secret
		if !strings.HasPrefix(secret, "whsec_") || h.ID == 0 || !h.Active {
			t.Fatalf("webhook %q %+v", secret, h)
		}
		if _, _, err := e.s.CreateWebhook(e.admin, "all", srv.URL+"/all", []string{"*"}); err != nil {
			t.Fatal(err)
		}
		hooks, err := e.s.ListWebhooks(e.admin)
		if err != nil || len(hooks) != 2 {
			t.Fatalf("list: %v %v", hooks, err)
		}
		if err := e.s.SetWebhookActive(e.admin, hooks[1].ID, false); err != nil {
			t.Fatal(err)
		}

		u := e.user("frank", "", "", "zh-CN")
		ids := e.send(notify.Message{Type: notify.TypeTest, To: []notify.Recipient{{UserID: u}}, Channels: []string{notify.ChannelInApp},
			Data: map[string]any{"sender": "测试", "time": "09:00", "note": "hi"}, ObjectType: "test", ObjectID: "1"})
		if len(ids) != 2 {
			t.Fatalf("want the in-app row and one webhook row (the other is paused), got %v", ids)
		}
		n := e.wait(ids[1])
		if n.Channel != notify.ChannelWebhook || n.Status != notify.StatusDelivered || n.Attempts != 2 || n.WebhookID != h.ID || n.Address != "政务数据中台" {
			t.Fatalf("webhook row: %+v", n)
		}
		if len(rc.got) != 1 {
			t.Fatalf("receiver got %d deliveries", len(rc.got))
		}
		got := rc.got[0]
		if got.sigErr != "" || got.event != notify.TypeTest || got.delivery != fmt.Sprint(ids[1]) ||
			got.body.Type != notify.TypeTest || !strings.HasPrefix(got.body.ID, "evt_") || !got.body.CreatedAt.Equal(start) ||
			got.body.Data["note"] != "hi" || got.body.Object == nil || got.body.Object.ID != "1" {
			t.Fatalf("received %+v", got)
		}

		// Not subscribed, or sensitive: no webhook rows.
		ids = e.send(notify.Message{Type: notify.TypeBindingApproved, To: []notify.Recipient{{UserID: u}}, Channels: []string{notify.ChannelInApp}})
		ids2 := e.send(notify.Message{Type: notify.TypeSMSCode, To: []notify.Recipient{{Phone: "13800138000"}}, Channels: []string{notify.ChannelSMS}})
		if len(ids) != 1 || len(ids2) != 1 {
			t.Fatalf("unsubscribed types reached webhooks: %v %v", ids, ids2)
		}
		if err := e.s.DeleteWebhook(e.admin, h.ID); err != nil {
			t.Fatal(err)
		}
		if ids := e.send(notify.Message{Type: notify.TypeTest}); len(ids) != 0 {
			t.Fatalf("deleted and paused webhooks still receive: %v", ids)
		}
		if n := e.count("SELECT COUNT(*) FROM audit_events WHERE object_type = 'webhook'"); n != 4 {
			t.Fatalf("webhook audit events: %d", n)
		}
	})
}

func TestWebhookSignature(t *testing.T) {
	body := []byte(`{"id":"evt_1","type":"system.test"}`)
	at := time.Unix(1_800_000_000, 0)
	h := notify.SignWebhook("whsec_abc", at, body)
	// Known answer, computed independently: HMAC-SHA256("whsec_abc", "1800000000." + body).
	if want := "t=1800000000,v1=f3871b0a0c0dfb9d12039360717d241b76c4e47f7c5c94a585c7a2c4456df4d9"; h != want {
		t.Fatalf("header %q, want %q", h, want)
	}
	cases := []struct {
		name, secret, header string
		body                 []byte
		now                  time.Time
		ok                   bool
	}{
		{"valid", "whsec_abc", h, body, at.Add(time.Minute), true},
		{"other v1 first", "whsec_abc", "t=1800000000,v1=00,v1=" + h[len("t=1800000000,v1="):], body, at, true},
		{"tampered body", "whsec_abc", h, []byte(`{"id":"evt_2","type":"system.test"}`), at, false},
		{"wrong secret", "whsec_abd", h, body, at, false},
		{"replayed later", "whsec_abc", h, body, at.Add(10 * time.Minute), false},
		{"malformed", "whsec_abc", "v1=abc", body, at, false},
	}
	for _, c := range cases {
		err := notify.VerifyWebhook(c.secret, c.header, c.body, c.now, 5*time.Minute)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestRecipientChannels: a recipient's own channel list narrows the
// message's channels for that recipient only, so one message reaches one
// person in-app and by SMS and another in-app only, without a failed SMS row.
func TestRecipientChannels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		sms := logSMS(t)
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = sms })
		withPhone := e.user("erin", "13700001111", "", "zh-CN")
		without := e.user("frank", "", "", "zh-CN")
		ids := e.send(notify.Message{Type: notify.TypeTest, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
			To: []notify.Recipient{{UserID: withPhone}, {UserID: without, Channels: []string{notify.ChannelInApp}}}})
		if len(ids) != 3 {
			t.Fatalf("want 2 rows for erin and 1 for frank, got %d", len(ids))
		}
		got := map[string]int{}
		for _, id := range ids {
			n := e.get(id)
			if n.Status == notify.StatusFailed {
				t.Errorf("row %d failed: %s", id, n.LastError)
			}
			got[fmt.Sprint(n.UserID)+"/"+n.Channel]++
		}
		if got[fmt.Sprint(withPhone)+"/sms"] != 1 || got[fmt.Sprint(withPhone)+"/inapp"] != 1 || got[fmt.Sprint(without)+"/inapp"] != 1 {
			t.Errorf("rows by user and channel: %v", got)
		}
	})
}
