package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

type fakeMail struct {
	mu     sync.Mutex
	bodies []string
}

func (f *fakeMail) Send(_ context.Context, _, _, body string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, body)
	return nil
}

// A message with a link: the inbox row carries it, the SMS ends with the
// short URL that resolves to it, the e-mail with the full URL; a forged or
// malformed code and a link to another host are refused.
func TestMessageLinks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		sms, mail := logSMS(t), &fakeMail{}
		e := newEnv(t, d, func(s *notify.Service) { s.SMS, s.Mail, s.BaseURL = sms, mail, "https://ys.example.gov.cn" })
		u := e.user("lisi", "13800138001", "li.si@example.cn", "zh-CN")
		ids := e.send(notify.Message{Type: notify.TypeBindingApproved, To: []notify.Recipient{{UserID: u}},
			Channels: []string{notify.ChannelInApp, notify.ChannelSMS, notify.ChannelEmail}, Link: "/register/status",
			Data: map[string]any{"entity": "许昌市示例科技有限公司", "uscc": "91411000MA44XXXX0X"}})
		if len(ids) != 3 {
			t.Fatalf("ids %v", ids)
		}
		if n := e.get(ids[0]); n.Link != "/register/status" || n.Channel != notify.ChannelInApp {
			t.Fatalf("in-app row: %+v", n)
		}
		items, _, _, err := e.s.Inbox(as(u), false, 1, 20)
		if err != nil || len(items) != 1 || items[0].Link != "/register/status" {
			t.Fatalf("inbox: %+v %v", items, err)
		}
		e.wait(ids[1])
		lines := readLog(t, sms.Path)
		short := e.s.ShortURL(ids[1])
		if len(lines) != 1 || !strings.HasSuffix(lines[0].Text, " "+short) || !strings.HasPrefix(short, "https://ys.example.gov.cn/n/") {
			t.Fatalf("SMS text %+v, short URL %s", lines, short)
		}
		if len(short) > len("https://ys.example.gov.cn/n/")+12 {
			t.Fatalf("short URL too long for an SMS: %s", short)
		}
		code := strings.TrimPrefix(short, "https://ys.example.gov.cn/n/")
		link, user, err := e.s.ResolveShort(context.Background(), code)
		if err != nil || link != "/register/status" || user != u {
			t.Fatalf("resolve %s: %q %d %v", code, link, user, err)
		}
		// Another row's id with this row's check, a changed check, garbage.
		for _, bad := range []string{"1" + code, code[:len(code)-1] + "x", "", "zz", strings.Repeat("9", 40)} {
			if _, _, err := e.s.ResolveShort(context.Background(), bad); !yserr.Is(err, yserr.NotFound) {
				t.Fatalf("code %q: %v", bad, err)
			}
		}
		e.wait(ids[2])
		mail.mu.Lock()
		got := append([]string(nil), mail.bodies...)
		mail.mu.Unlock()
		if len(got) != 1 || !strings.HasSuffix(got[0], "\n\nhttps://ys.example.gov.cn/register/status") {
			t.Fatalf("e-mail bodies: %q", got)
		}
		// No link: the text is the template's alone.
		id2 := e.send(notify.Message{Type: notify.TypeBindingApproved, To: []notify.Recipient{{UserID: u}}, Channels: []string{notify.ChannelSMS},
			Data: map[string]any{"entity": "许昌市示例科技有限公司", "uscc": "91411000MA44XXXX0X"}})
		e.wait(id2[0])
		if lines := readLog(t, sms.Path); len(lines) != 2 || strings.Contains(lines[1].Text, "http") {
			t.Fatalf("SMS without link: %+v", lines)
		}
		for _, bad := range []string{"https://evil.example/x", "//evil.example/x", "appeals/1", "/a b", `/\evil`} {
			_, err := e.s.Send(context.Background(), notify.Message{Type: notify.TypeBindingApproved, To: []notify.Recipient{{UserID: u}},
				Channels: []string{notify.ChannelInApp}, Link: bad, Data: map[string]any{"entity": "x", "uscc": "y"}})
			if !yserr.Is(err, yserr.Invalid) {
				t.Fatalf("link %q accepted: %v", bad, err)
			}
		}
	})
}

func FuzzValidLink(f *testing.F) {
	for _, s := range []string{"/appeals/1", "//x", "https://x", "/a\\b", "", "/n/1abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !notify.ValidLink(s) {
			return
		}
		if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.Contains(s, "://") || strings.ContainsAny(s, "\\ \r\n\t") {
			t.Fatalf("accepted %q", s)
		}
	})
}
