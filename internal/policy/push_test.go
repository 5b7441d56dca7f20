package policy_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"yingshang/internal/notify"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
)

// monday is 2026-03-02 10:00 Asia/Shanghai, a Monday.
var monday = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

func threshold(wan int) policy.Input {
	in := rdPolicy(0)
	in.Title = "研发费用后补助（" + strconv.Itoa(wan) + "万元以上）"
	in.Condition = json.RawMessage(`{"all":[{"fact":"rd_spending_wan","op":">=","value":` + strconv.Itoa(wan) + `}]}`)
	return in
}

func publish(t *testing.T, svc *policy.Service, ctx context.Context, in policy.Input) *policy.Policy {
	t.Helper()
	p, err := svc.Create(ctx, in)
	fatal(t, err)
	p, err = svc.Publish(ctx, p.ID)
	fatal(t, err)
	return p
}

// pushInbox returns the push messages in the enterprise user's inbox.
func pushInbox(t *testing.T, env *sitetest.Env) []notify.Notification {
	t.Helper()
	items, _, _, err := env.App.Notify.Inbox(entCtx(env, env.Entities[sitetest.USCCA]), false, 1, 100)
	fatal(t, err)
	var out []notify.Notification
	for _, n := range items {
		if n.Type == policy.MsgPush {
			out = append(out, n)
		}
	}
	return out
}

func byEntity(t *testing.T, svc *policy.Service, ctx context.Context, id int64) map[int64]policy.Push {
	t.Helper()
	ps, err := svc.Pushes(ctx, id)
	fatal(t, err)
	out := map[int64]policy.Push{}
	for _, p := range ps {
		out[p.EntityID] = p
	}
	return out
}

func TestPushReadRepush(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		env.Clock.Set(monday)
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		setRD(t, svc, a, 60)
		setRD(t, svc, b, 30)
		p := publish(t, svc, sjj, threshold(50))
		// Publishing queued the push pass (the job queue is not running
		// here): run it as the worker does.
		res, err := svc.RunPushes(context.Background(), p.ID)
		fatal(t, err)
		if res.Matched != 1 || res.Sent != 1 || res.Held != 0 {
			t.Fatalf("publish pass: %+v", res)
		}
		got := byEntity(t, svc, sjj, p.ID)
		if x, ok := got[a]; !ok || x.Status != policy.PushSent || x.Cause != policy.CausePublish || x.Recipients != 1 || x.ReadAt != nil || x.Version != 1 {
			t.Fatalf("push to A: %+v", got)
		}
		if _, ok := got[b]; ok {
			t.Fatalf("B (30 万元 < 50) was pushed: %+v", got[b])
		}
		in := pushInbox(t, env)
		if len(in) != 1 || in[0].Link != "/policy-list/"+strconv.FormatInt(p.ID, 10) || in[0].ReadAt != nil || in[0].ObjectType != policy.PushObject {
			t.Fatalf("inbox: %+v", in)
		}
		// A policy nobody matches pushes nobody.
		none := publish(t, svc, sjj, threshold(500))
		res, err = svc.RunPushes(context.Background(), none.ID)
		fatal(t, err)
		if res.Matched != 0 || res.Sent != 0 || len(byEntity(t, svc, sjj, none.ID)) != 0 {
			t.Fatalf("non-matching policy pushed: %+v", res)
		}
		// A second pass pushes nobody twice.
		res, err = svc.RunPushes(context.Background(), 0)
		fatal(t, err)
		if res.Sent != 0 || res.Repushed != 0 {
			t.Fatalf("second pass: %+v", res)
		}
		// New facts make B match: the next pass pushes it (cause facts).
		setRD(t, svc, b, 380)
		res, err = svc.RunPushes(context.Background(), 0)
		fatal(t, err)
		if res.Sent != 1 {
			t.Fatalf("facts pass: %+v", res)
		}
		if x := byEntity(t, svc, sjj, p.ID)[b]; x.Cause != policy.CauseFacts || x.Status != policy.PushSent {
			t.Fatalf("push to B: %+v", x)
		}
		// Unread after 2 days: not yet; after 3 days: pushed again, once.
		env.Clock.Advance(2 * 24 * time.Hour)
		res, err = svc.RunPushes(context.Background(), 0)
		fatal(t, err)
		if res.Repushed != 0 {
			t.Fatalf("re-pushed after 2 days: %+v", res)
		}
		env.Clock.Advance(24*time.Hour + time.Minute)
		res, err = svc.RunPushes(context.Background(), 0)
		fatal(t, err)
		if res.Repushed != 1 { // A only: B has no enterprise user to read it
			t.Fatalf("re-push after 3 days: %+v", res)
		}
		if in := pushInbox(t, env); len(in) != 2 || in[0].Link != in[1].Link {
			t.Fatalf("inbox after re-push: %+v", in)
		}
		env.Clock.Advance(5 * 24 * time.Hour)
		res, err = svc.RunPushes(context.Background(), 0)
		fatal(t, err)
		if res.Repushed != 0 {
			t.Fatalf("re-pushed twice: %+v", res)
		}
		admin := sitetest.System()
		d, err := svc.Dashboard(admin)
		fatal(t, err)
		if d.Push.Pushes != 2 || d.Push.Repushed != 1 || d.Push.Reached != 1 || d.Push.Read != 0 || d.Push.ReadRate != 0 {
			t.Fatalf("dashboard before read: %+v", d.Push)
		}
		// The enterprise reads the re-push: the push counts as read.
		in = pushInbox(t, env)
		fatal(t, env.App.Notify.MarkRead(entCtx(env, a), in[0].ID))
		if x := byEntity(t, svc, sjj, p.ID)[a]; x.ReadAt == nil || !x.ReadAt.Equal(env.Clock.Now()) {
			t.Fatalf("read state: %+v", x)
		}
		d, err = svc.Dashboard(admin)
		fatal(t, err)
		if d.Push.Read != 1 || d.Push.ReadRate != 1 {
			t.Fatalf("dashboard after read: %+v", d.Push)
		}
		// Another department's staff may not list the pushes.
		if _, err := svc.Pushes(staffCtx(env, "swj-staff", "XC-SWJ"), p.ID); err == nil {
			t.Error("another department lists the pushes")
		}
	})
}

func TestPushWeeklyCap(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		env.Clock.Set(monday)
		svc.WeekCap, svc.RepushDays = 3, 30
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		a := env.Entities[sitetest.USCCA]
		setRD(t, svc, a, 60)
		var ids []int64
		for _, wan := range []int{10, 20, 30, 40} {
			ids = append(ids, publish(t, svc, sjj, threshold(wan)).ID)
		}
		res, err := svc.RunPushes(context.Background(), 0)
		fatal(t, err)
		if res.Matched != 4 || res.Sent != 3 || res.Held != 1 {
			t.Fatalf("capped pass: %+v", res)
		}
		if n := len(pushInbox(t, env)); n != 3 {
			t.Fatalf("inbox holds %d pushes, want 3", n)
		}
		held := byEntity(t, svc, sjj, ids[3])[a]
		if held.Status != policy.PushHeld || held.SentAt != nil {
			t.Fatalf("fourth push: %+v", held)
		}
		// Still Sunday night of the same week: held.
		env.Clock.Set(time.Date(2026, 3, 8, 15, 59, 0, 0, time.UTC)) // 23:59 Shanghai
		res, err = svc.RunPushes(context.Background(), 0)
		fatal(t, err)
		if res.Released != 0 {
			t.Fatalf("released in the same week: %+v", res)
		}
		// Monday 00:01 Shanghai: a new week, the held push goes out.
		env.Clock.Set(time.Date(2026, 3, 8, 16, 1, 0, 0, time.UTC))
		res, err = svc.RunPushes(context.Background(), 0)
		fatal(t, err)
		if res.Released != 1 {
			t.Fatalf("new week: %+v", res)
		}
		if x := byEntity(t, svc, sjj, ids[3])[a]; x.Status != policy.PushSent || x.SentAt == nil {
			t.Fatalf("released push: %+v", x)
		}
		if n := len(pushInbox(t, env)); n != 4 {
			t.Fatalf("inbox holds %d pushes, want 4", n)
		}
		d, err := svc.Dashboard(sitetest.System())
		fatal(t, err)
		if d.Push.Pushes != 4 || d.Push.Held != 0 {
			t.Fatalf("dashboard: %+v", d.Push)
		}
	})
}
