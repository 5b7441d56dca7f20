package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// storedRow is a notification row as stored, with the address decrypted
// and the webhook event id replaced by its position among the events.
type storedRow struct {
	Type, Channel                      string
	UserID, WebhookID, ResendOf        int64
	Address, Mask, Lang, Subject, Body string
	Data, Status, LastError            string
	ObjectType, ObjectID, Link         string
	CreatedAt                          time.Time
	SentAt, DeliveredAt                *time.Time
}

// storedJob is a delivery job: which row (by its position among the rows
// sent) and how.
type storedJob struct {
	Row                   int
	Kind, State, Queue    string
	MaxAttempts, Priority int
}

var eventID = regexp.MustCompile(`evt_[0-9a-f]+`)

// TestSendManySameAsSend sends the same messages once through Send, one
// after the other, and once through SendMany (with chunks of 3 rows, so
// that chunks split messages), in one transaction that is rolled back
// before any delivery runs, and compares the rows, their order within
// each message, the webhook events and the delivery jobs.
func TestSendManySameAsSend(t *testing.T) {
	defer notify.SetSendManyChunk(3)()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, func(s *notify.Service) { s.SMS = logSMS(t); s.BaseURL = "https://yingshang.example.cn" })
		zh := e.user("zhang", "13800138000", "zhang@example.cn", "zh-CN")
		en := e.user("li", "13900139000", "", "en")
		nophone := e.user("wang", "", "wang@example.cn", "zh-CN")
		if _, _, err := e.s.CreateWebhook(e.admin, "全部", "http://127.0.0.1:9/all", []string{"*"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.s.CreateWebhook(e.admin, "账号", "http://127.0.0.1:9/account", []string{"account.*"}); err != nil {
			t.Fatal(err)
		}
		_, off, err := e.s.CreateWebhook(e.admin, "停用", "http://127.0.0.1:9/off", []string{"*"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.s.SetWebhookActive(e.admin, off.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := e.s.SaveTemplate(e.admin, notify.TypeBindingRejected, notify.ChannelSMS, notify.LangZH, "", "【营商】{{.entity}}绑定未通过（自定义）：{{.reason}}"); err != nil {
			t.Fatal(err)
		}
		approved := map[string]any{"entity": "许昌市瑞丰商贸有限公司", "uscc": "91411000MA44XXXX0X"}
		rejected := map[string]any{"entity": "许昌市恒达机械有限公司", "uscc": "91411000MA9K0L1234", "reason": "营业执照与申请人信息不符"}
		test := map[string]any{"sender": "平台管理员", "time": "2026-11-23 09:00", "note": "检查短信通道"}
		msgs := []notify.Message{
			{Type: notify.TypeBindingApproved, To: []notify.Recipient{{UserID: zh}, {UserID: en}, {UserID: nophone}},
				Channels: []string{notify.ChannelInApp, notify.ChannelSMS, notify.ChannelEmail}, Data: approved, ObjectType: "binding", ObjectID: "7", Link: "/account/bindings/7"},
			{Type: notify.TypeBindingRejected, To: []notify.Recipient{{UserID: zh}, {Phone: "12345"}, {Phone: "+86 137-0013-7000"}},
				Channels: []string{notify.ChannelSMS, notify.ChannelInApp}, Data: rejected, MaxAttempts: 3, ObjectType: "binding", ObjectID: "8"},
			{Type: notify.TypeSMSCode, To: []notify.Recipient{{Phone: "13600136000"}}, Channels: []string{notify.ChannelSMS}, Data: map[string]any{"code": "385912", "minutes": 5}},
			{Type: notify.TypeTest, Data: test}, // webhooks only
			{Type: notify.TypeTest, To: []notify.Recipient{{UserID: en, Channels: []string{notify.ChannelInApp}}, {UserID: zh, Lang: "en"}},
				Channels: []string{notify.ChannelSMS, notify.ChannelInApp, notify.ChannelSMS}, Data: test, MaxAttempts: 1, Link: "/notifications"},
			{Type: notify.TypeBindingRejected, To: []notify.Recipient{{UserID: en}}, Channels: []string{notify.ChannelSMS}, Data: rejected},
		}
		rollback := errors.New("rollback")
		err = d.WithTx(context.Background(), func(ctx context.Context) error {
			var one [][]int64
			for _, m := range msgs {
				ids, err := e.s.Send(ctx, m)
				if err != nil {
					return fmt.Errorf("send: %w", err)
				}
				one = append(one, ids)
			}
			many, err := e.s.SendMany(ctx, msgs)
			if err != nil {
				return fmt.Errorf("send many: %w", err)
			}
			if len(many) != len(one) {
				t.Fatalf("SendMany returned %d id lists for %d messages", len(many), len(one))
			}
			for i := range one {
				if len(one[i]) != len(many[i]) {
					t.Errorf("message %d: Send made %d rows, SendMany %d", i, len(one[i]), len(many[i]))
				}
			}
			oneRows, oneJobs := stored(t, ctx, e, one)
			manyRows, manyJobs := stored(t, ctx, e, many)
			if len(oneRows) < 20 || len(oneJobs) < 8 {
				t.Fatalf("the messages made too few rows or jobs to compare: %d rows, %d jobs", len(oneRows), len(oneJobs))
			}
			for i := range oneRows {
				if i < len(manyRows) && !reflect.DeepEqual(oneRows[i], manyRows[i]) {
					t.Errorf("row %d differs:\nSend     %+v\nSendMany %+v", i, oneRows[i], manyRows[i])
				}
			}
			if !reflect.DeepEqual(oneJobs, manyJobs) {
				t.Errorf("delivery jobs differ:\nSend     %+v\nSendMany %+v", oneJobs, manyJobs)
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}

		// Errors are Send's, and a failed SendMany leaves nothing behind.
		before := e.count("SELECT COUNT(*) FROM notifications")
		bad := append(slices.Clone(msgs[:2]), notify.Message{Type: notify.TypeTest, To: []notify.Recipient{{UserID: 424242}}, Channels: []string{notify.ChannelInApp}, Data: test})
		if _, err := e.s.SendMany(context.Background(), bad); !yserr.Is(err, yserr.Invalid) || !strings.Contains(err.Error(), "424242") {
			t.Fatalf("unknown user: %v", err)
		}
		bad[2] = notify.Message{Type: "no.such", Channels: []string{"fax"}}
		if _, err := e.s.SendMany(context.Background(), bad); !yserr.Is(err, yserr.Invalid) {
			t.Fatalf("unknown type: %v", err)
		}
		if n := e.count("SELECT COUNT(*) FROM notifications"); n != before {
			t.Fatalf("failed SendMany left %d rows", n-before)
		}
		if got, err := e.s.SendMany(context.Background(), nil); err != nil || len(got) != 0 {
			t.Fatalf("empty SendMany: %v %v", got, err)
		}
	})
}

// stored reads the rows of ids (in the order of ids, flattened) and their
// delivery jobs, in the transaction in ctx.
func stored(t *testing.T, ctx context.Context, e *env, ids [][]int64) ([]storedRow, []storedJob) {
	t.Helper()
	var flat []int64
	for _, l := range ids {
		flat = append(flat, l...)
	}
	pos := map[int64]int{}
	var in []string
	for i, id := range flat {
		pos[id] = i
		in = append(in, fmt.Sprint(id))
	}
	rows := make([]storedRow, len(flat))
	q := e.d.Q(ctx)
	rs, err := q.Query(ctx, `SELECT id, msg_type, channel, COALESCE(user_id, 0), COALESCE(webhook_id, 0), COALESCE(resend_of, 0), address_enc,
		address_mask, lang, subject, body, data, status, last_error, object_type, object_id, link, created_at, sent_at, delivered_at
		FROM notifications WHERE id IN (`+strings.Join(in, ",")+`)`)
	if err != nil {
		t.Fatal(err)
	}
	events := map[string]string{} // event id -> "m<message>": one event per message, shared by its webhooks
	n := 0
	for rs.Next() {
		var id int64
		var enc []byte
		var r storedRow
		if err := rs.Scan(&id, &r.Type, &r.Channel, &r.UserID, &r.WebhookID, &r.ResendOf, &enc, &r.Mask, &r.Lang, &r.Subject, &r.Body,
			&r.Data, &r.Status, &r.LastError, &r.ObjectType, &r.ObjectID, &r.Link, &r.CreatedAt, &r.SentAt, &r.DeliveredAt); err != nil {
			t.Fatal(err)
		}
		if len(enc) > 0 {
			if r.Address, err = e.s.Keys.Decrypt(enc); err != nil {
				t.Fatal(err)
			}
		}
		p := pos[id]
		msg := 0
		for at := p; at >= len(ids[msg]); msg++ {
			at -= len(ids[msg])
		}
		if ev := eventID.FindString(r.Body); ev != "" {
			if m, ok := events[ev]; ok && m != fmt.Sprint("m", msg) {
				t.Errorf("event %s shared by messages %s and m%d", ev, m, msg)
			}
			events[ev] = fmt.Sprint("m", msg)
			r.Body = strings.ReplaceAll(r.Body, ev, "evt_of_message_"+fmt.Sprint(msg))
		}
		r.CreatedAt = r.CreatedAt.UTC()
		rows[p] = r
		n++
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	rs.Close()
	if n != len(flat) {
		t.Fatalf("%d of %d rows found", n, len(flat))
	}
	argsCol := "args"
	if e.d.Dialect == db.SQLite {
		argsCol = "json(args)" // River's SQLite driver stores JSONB
	}
	js, err := q.Query(ctx, `SELECT kind, `+argsCol+`, state, queue, max_attempts, priority FROM river_job WHERE kind = 'notify.deliver' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer js.Close()
	var jobs []storedJob
	for js.Next() {
		var j storedJob
		var args string
		if err := js.Scan(&j.Kind, &args, &j.State, &j.Queue, &j.MaxAttempts, &j.Priority); err != nil {
			t.Fatal(err)
		}
		var a notify.DeliverArgs
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			t.Fatal(err)
		}
		p, ok := pos[a.NotificationID]
		if !ok {
			continue // the other side's job
		}
		j.Row = p
		jobs = append(jobs, j)
	}
	if err := js.Err(); err != nil {
		t.Fatal(err)
	}
	for p, r := range rows {
		if want := r.Status == notify.StatusQueued; want != slices.ContainsFunc(jobs, func(j storedJob) bool { return j.Row == p }) {
			t.Errorf("row %d (%s, %s): queued %v but job %v", p, r.Channel, r.Status, want, !want)
		}
	}
	return rows, jobs
}
