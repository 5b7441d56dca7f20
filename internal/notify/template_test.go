package notify_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

func TestTemplateOverride(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nil)
		u := e.user("gina", "", "", "zh-CN")
		data := map[string]any{"sender": "张三", "time": "2026-11-23 09:00", "note": "请查收"}
		sendTest := func() *notify.Notification {
			return e.get(e.send(notify.Message{Type: notify.TypeTest, To: []notify.Recipient{{UserID: u}}, Channels: []string{notify.ChannelInApp}, Data: data})[0])
		}

		refusals := []struct {
			name, subject, body, field, mention string
		}{
			{"unknown variable", "测试", "{{.sender}} 给 {{.holder}} 发了消息", "body", "{{.holder}}"},
			{"unknown root variable inside range", "测试", "{{range .note}}{{$.days_left}}{{end}}", "body", "{{.days_left}}"},
			{"syntax error", "{{.sender", "正文", "subject", "模板语法错误"},
			{"unknown function", "测试", "{{shout .note}}", "body", "shout"},
			{"empty body", "测试", "  ", "body", "正文不能为空"},
		}
		for _, c := range refusals {
			err := e.s.SaveTemplate(e.admin, notify.TypeTest, notify.ChannelInApp, notify.LangZH, c.subject, c.body)
			var ye *yserr.Error
			if !errors.As(err, &ye) || ye.Code != yserr.Invalid || ye.Field != c.field || !strings.Contains(ye.ZH, c.mention) {
				t.Errorf("%s: got %v", c.name, err)
			}
		}
		if err := e.s.SaveTemplate(e.admin, notify.TypeSMSCode, notify.ChannelSMS, notify.LangZH, "标题", "{{.code}}"); !hasField(err, "subject") {
			t.Errorf("an SMS subject was accepted: %v", err)
		}
		if err := e.s.SaveTemplate(e.admin, "no.such", "fax", "fr", "", "x"); !hasField(err, "msg_type") || !hasField(err, "channel") || !hasField(err, "lang") {
			t.Errorf("bad target: %v", err)
		}
		if err := e.s.SaveTemplate(as(u, auth.DeptAdmin), notify.TypeTest, notify.ChannelInApp, notify.LangZH, "x", "y"); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("dept admin saved a template: %v", err)
		}

		if err := e.s.SaveTemplate(e.admin, notify.TypeTest, notify.ChannelInApp, notify.LangZH, "来自{{.sender}}的测试",
			"{{with .note}}附言：{{.}}；{{end}}时间 {{.time}}"); err != nil {
			t.Fatal(err)
		}
		if n := sendTest(); n.Subject != "来自张三的测试" || n.Body != "附言：请查收；时间 2026-11-23 09:00" {
			t.Fatalf("override not used: %q %q", n.Subject, n.Body)
		}
		list, err := e.s.Templates(e.admin)
		if err != nil {
			t.Fatal(err)
		}
		slot := findSlot(list, notify.TypeTest, notify.ChannelInApp, notify.LangZH)
		if slot == nil || !slot.Overridden || slot.Subject != "来自{{.sender}}的测试" || slot.Default == nil || slot.Default.Subject != "测试消息" || slot.UpdatedBy != 9000 {
			t.Fatalf("listed slot: %+v", slot)
		}
		if s := findSlot(list, notify.TypeSMSCode, notify.ChannelSMS, notify.LangZH); s == nil || s.Overridden || s.Body != "【营商】您的验证码为{{.code}}，{{.minutes}}分钟内有效。" {
			t.Fatalf("sms code slot: %+v", s)
		}
		if s := findSlot(list, notify.TypeSMSCode, notify.ChannelInApp, notify.LangZH); s != nil {
			t.Fatalf("sms code has no in-app template but lists one: %+v", s)
		}

		if err := e.s.ResetTemplate(e.admin, notify.TypeTest, notify.ChannelInApp, notify.LangZH); err != nil {
			t.Fatal(err)
		}
		if n := sendTest(); n.Subject != "测试消息" || !strings.Contains(n.Body, "由张三于2026-11-23 09:00发送。附言：请查收") {
			t.Fatalf("default not restored: %q %q", n.Subject, n.Body)
		}
		if n := e.count("SELECT COUNT(*) FROM audit_events WHERE object_type = 'notification_template' AND object_id = 'system.test/inapp/zh-CN'"); n != 2 {
			t.Fatalf("template audit events: %d", n)
		}
	})
}

var registerInAppOnly sync.Once

func TestSMSFallsBackToInAppText(t *testing.T) {
	registerInAppOnly.Do(func() {
		notify.RegisterType(notify.MessageType{Key: "testonly.inapp_only", NameZH: "测试", NameEN: "Test",
			Variables: []notify.Variable{{Name: "who", ZH: "谁", EN: "who"}},
			Defaults: map[string]map[string]notify.Template{notify.ChannelInApp: {
				notify.LangZH: {Subject: "提醒", Body: "{{.who}}请办理"},
				notify.LangEN: {Subject: "Reminder", Body: "{{.who}}, please act"},
			}}})
	})
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		sms := logSMS(t)
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = sms })
		ids := e.send(notify.Message{Type: "testonly.inapp_only", To: []notify.Recipient{{Phone: "13800138000"}, {Phone: "13800138001", Lang: "en-US"}},
			Channels: []string{notify.ChannelSMS}, Data: map[string]any{"who": "李四"}})
		if b := e.get(ids[0]).Body; b != "提醒：李四请办理" {
			t.Fatalf("zh fallback %q", b)
		}
		if b := e.get(ids[1]).Body; b != "Reminder: 李四, please act" {
			t.Fatalf("en fallback %q", b)
		}
	})
}

func TestRegisterTypeRefusesBadDefaults(t *testing.T) {
	cases := map[string]notify.MessageType{
		"duplicate":        {Key: notify.TypeTest},
		"bad key":          {Key: "nodot"},
		"unknown variable": {Key: "testonly.bad_var", Defaults: map[string]map[string]notify.Template{notify.ChannelSMS: {notify.LangZH: {Body: "{{.x}}"}}}},
		"unknown channel":  {Key: "testonly.bad_channel", Defaults: map[string]map[string]notify.Template{"fax": {notify.LangZH: {Body: "x"}}}},
		"unknown language": {Key: "testonly.bad_lang", Defaults: map[string]map[string]notify.Template{notify.ChannelSMS: {"fr": {Body: "x"}}}},
	}
	for name, mt := range cases {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			notify.RegisterType(mt)
		}()
	}
}

func TestResendUnread(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		sms := logSMS(t)
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = sms; s.ResendUnreadAfter = time.Hour })
		withPhone := e.user("hank", "13511112222", "", "en")
		noPhone := e.user("ivy", "", "", "zh-CN")
		reader := e.user("jack", "13533334444", "", "zh-CN")
		data := map[string]any{"entity": "示例公司", "uscc": "X"}
		ids := e.send(notify.Message{Type: notify.TypeBindingApproved, To: []notify.Recipient{{UserID: withPhone}, {UserID: noPhone}, {UserID: reader}},
			Channels: []string{notify.ChannelInApp}, Data: data, ObjectType: "binding", ObjectID: "3"})
		if err := e.s.MarkRead(as(reader), ids[2]); err != nil {
			t.Fatal(err)
		}

		e.clk.Advance(59 * time.Minute)
		e.runJob(notify.ResendUnreadArgs{})
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE resend_of IS NOT NULL"); n != 0 {
			t.Fatalf("re-sent before the hour: %d", n)
		}

		e.clk.Advance(2 * time.Minute)
		e.runJob(notify.ResendUnreadArgs{})
		rows, total, err := e.s.Outbox(e.admin, notify.Filter{Channel: notify.ChannelSMS})
		if err != nil || total != 2 {
			t.Fatalf("outbox: %d %v", total, err)
		}
		byOriginal := map[int64]notify.Notification{}
		for _, r := range rows {
			byOriginal[r.ResendOf] = r
		}
		copyOf := e.wait(byOriginal[ids[0]].ID)
		if copyOf.Status != notify.StatusSent || copyOf.UserID != withPhone || copyOf.ObjectID != "3" || copyOf.Body != "[Yingshang] Your request to act for 示例公司 was approved." {
			t.Fatalf("SMS copy: %+v", copyOf)
		}
		if f := byOriginal[ids[1]]; f.Status != notify.StatusFailed || f.LastError != notify.ReasonNoPhone {
			t.Fatalf("copy for the user without a phone: %+v", f)
		}
		if _, ok := byOriginal[ids[2]]; ok {
			t.Fatal("a read message was re-sent")
		}
		if lines := readLog(t, sms.Path); len(lines) != 1 || lines[0].To != "13511112222" {
			t.Fatalf("dev outbox: %+v", lines)
		}

		// Once only.
		e.clk.Advance(time.Hour)
		e.runJob(notify.ResendUnreadArgs{})
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE resend_of IS NOT NULL"); n != 2 {
			t.Fatalf("re-sent again: %d copies", n)
		}
		// Too old to re-send (the feature was switched on later).
		e.send(notify.Message{Type: notify.TypeBindingApproved, To: []notify.Recipient{{UserID: withPhone}}, Channels: []string{notify.ChannelInApp}, Data: data})
		e.clk.Advance(8 * 24 * time.Hour)
		e.runJob(notify.ResendUnreadArgs{})
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE resend_of IS NOT NULL"); n != 2 {
			t.Fatalf("a week-old message was re-sent: %d copies", n)
		}
	})
}

func TestOutboxAccessAndStats(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = logSMS(t) })
		u := e.user("kate", "13612345678", "", "zh-CN")
		ids := e.send(notify.Message{Type: notify.TypeTest, To: []notify.Recipient{{UserID: u}}, Channels: []string{notify.ChannelInApp, notify.ChannelSMS}})
		e.send(notify.Message{Type: notify.TypeTest, To: []notify.Recipient{{Email: "a@b.cn"}}, Channels: []string{notify.ChannelEmail}})
		e.wait(ids[1])

		for _, r := range []auth.Role{auth.DeptAdmin, auth.DeptStaff, auth.Enterprise} {
			if _, _, err := e.s.Outbox(as(u, r), notify.Filter{}); !yserr.Is(err, yserr.Forbidden) {
				t.Errorf("%s read the outbox: %v", r, err)
			}
		}
		if _, _, err := e.s.Outbox(context.Background(), notify.Filter{}); !yserr.Is(err, yserr.Unauthorized) {
			t.Errorf("anonymous read the outbox: %v", err)
		}
		sup := as(77, auth.Supervisor)
		all, total, err := e.s.Outbox(sup, notify.Filter{PerPage: 2})
		if err != nil || total != 3 || len(all) != 2 || all[0].ID < all[1].ID {
			t.Fatalf("supervisor outbox: %v %d %+v", err, total, all)
		}
		page2, _, _ := e.s.Outbox(sup, notify.Filter{PerPage: 2, Page: 2})
		if len(page2) != 1 {
			t.Fatalf("page 2: %+v", page2)
		}
		failed, total, _ := e.s.Outbox(sup, notify.Filter{Status: notify.StatusFailed, Type: notify.TypeTest})
		if total != 1 || failed[0].Channel != notify.ChannelEmail || failed[0].LastError != notify.ReasonEmailOff {
			t.Fatalf("failed filter: %+v", failed)
		}
		if got := statuses(all); strings.Join(got, ",") != "email:failed,sms:sent" {
			t.Fatalf("newest two: %v", got)
		}
		st, err := e.s.Stats(sup)
		if err != nil || st["inapp"]["delivered"] != 1 || st["sms"]["sent"] != 1 || st["email"]["failed"] != 1 {
			t.Fatalf("stats %v %v", st, err)
		}
		if _, err := e.s.Stats(as(u)); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("stats for a user: %v", err)
		}
		// Users see their own rows, of any channel.
		if n, err := e.s.Get(as(u), ids[1]); err != nil || n.Channel != notify.ChannelSMS {
			t.Fatalf("own sms row: %v %v", n, err)
		}
	})
}

func TestSendTest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nil)
		u := e.user("liam", "", "", "zh-CN")
		if _, err := e.s.SendTest(as(u, auth.DeptAdmin), notify.Recipient{UserID: u}, []string{"inapp"}, ""); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("dept admin sent a test: %v", err)
		}
		if _, err := e.s.SendTest(e.admin, notify.Recipient{}, []string{"inapp"}, ""); !hasField(err, "to") {
			t.Fatalf("no recipient: %v", err)
		}
		ids, err := e.s.SendTest(e.admin, notify.Recipient{UserID: u}, []string{"inapp"}, "通道检查")
		if err != nil || len(ids) != 1 {
			t.Fatal(ids, err)
		}
		n := e.get(ids[0])
		if n.Body != "这是营商平台的一条测试消息，由平台管理员于2026-11-23 17:00发送。附言：通道检查" {
			t.Fatalf("test body %q", n.Body)
		}
		if c := e.count("SELECT COUNT(*) FROM audit_events WHERE action = 'notification.test'"); c != 1 {
			t.Fatalf("audit: %d", c)
		}
	})
}

func findSlot(list []notify.TypeTemplates, typ, ch, lang string) *notify.TemplateSlot {
	for _, tt := range list {
		if tt.Key != typ {
			continue
		}
		for i, s := range tt.Templates {
			if s.Channel == ch && s.Lang == lang {
				return &tt.Templates[i]
			}
		}
	}
	return nil
}

func hasField(err error, field string) bool {
	var ye *yserr.Error
	if !errors.As(err, &ye) {
		return false
	}
	for _, f := range ye.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
