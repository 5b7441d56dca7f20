package policy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// Entity A carries the registry tag 专精特新 (sitetest's seed); B has no tag.

func TestPushByTags(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		env.Clock.Set(monday)
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		setRD(t, svc, a, 60)
		setRD(t, svc, b, 60)

		// Scope match: tags AND rule. Both meet the rule; only A has the tag.
		in := threshold(50)
		in.TargetTags = []string{" 专精特新，科技型中小企业、专精特新 "}
		p := publish(t, svc, sjj, in)
		if got, err := svc.Get(sjj, p.ID); err != nil || strings.Join(got.TargetTags, "|") != "专精特新|科技型中小企业" || got.PushScope != policy.ScopeMatch {
			t.Fatalf("stored targets: %+v %v", got, err)
		}
		res, err := svc.RunPushes(context.Background(), p.ID)
		fatal(t, err)
		if res.Matched != 1 || res.Sent != 1 {
			t.Fatalf("pass of scope match: %+v", res)
		}
		got := byEntity(t, svc, sjj, p.ID)
		if x, ok := got[a]; !ok || !x.ByTags || !x.Matched {
			t.Fatalf("push to A: %+v", got)
		}
		if _, ok := got[b]; ok {
			t.Fatalf("B has no target tag but was pushed")
		}

		// Scope notice: every tagged entity; A misses the rule (60 < 500)
		// and gets the heads-up message, B nothing.
		in = threshold(500)
		in.TargetTags, in.PushScope = []string{"专精特新"}, policy.ScopeNotice
		q := publish(t, svc, sjj, in)
		res, err = svc.RunPushes(context.Background(), q.ID)
		fatal(t, err)
		if res.Sent != 1 {
			t.Fatalf("pass of scope notice: %+v", res)
		}
		got = byEntity(t, svc, sjj, q.ID)
		if x, ok := got[a]; !ok || !x.ByTags || x.Matched || len(got) != 1 {
			t.Fatalf("heads-up pushes: %+v", got)
		}
		items, _, _, err := env.App.Notify.Inbox(entCtx(env, a), false, 1, 100)
		fatal(t, err)
		notices := 0
		for _, n := range items {
			if n.Type == policy.MsgPushNotice {
				notices++
			}
		}
		if notices != 1 {
			t.Fatalf("heads-up messages in A's inbox: %d", notices)
		}
		// A policy without tags pushes every rule match, not by tags.
		r := publish(t, svc, sjj, threshold(40))
		_, err = svc.RunPushes(context.Background(), r.ID)
		fatal(t, err)
		if got := byEntity(t, svc, sjj, r.ID); len(got) != 2 || got[b].ByTags {
			t.Fatalf("untargeted pushes: %+v", got)
		}

		// Tag match rate: two pushes by tags (A for p, matched; A for q,
		// not matched) → 1 of 2 = 50.0%.
		d, err := svc.Dashboard(sitetest.System())
		fatal(t, err)
		if d.Tags.Pushed != 2 || d.Tags.Matched != 1 || d.Tags.Percent != "50.0%" {
			t.Fatalf("tag stats: %+v", d.Tags)
		}
	})
}

func TestPushTagsValidation(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		field := func(err error) string {
			t.Helper()
			e := yserr.As(err)
			if e == nil || e.Code != yserr.Invalid {
				t.Fatalf("want a validation error, got %v", err)
			}
			var keys []string
			for _, f := range e.Fields {
				keys = append(keys, f.Field)
			}
			return strings.Join(keys, ",")
		}
		in := threshold(50)
		in.PushScope = policy.ScopeNotice
		_, err := svc.Create(sjj, in)
		if f := field(err); f != "target_tags" {
			t.Errorf("notice without tags: field %q", f)
		}
		in = threshold(50)
		in.TargetTags = []string{"a,b,c,d,e,f,g,h,i,j,k"}
		_, err = svc.Create(sjj, in)
		if f := field(err); f != "target_tags" {
			t.Errorf("eleven tags: field %q", f)
		}
		in = threshold(50)
		in.TargetTags, in.PushScope = []string{"专精特新"}, "everyone"
		_, err = svc.Create(sjj, in)
		if f := field(err); f != "push_scope" {
			t.Errorf("bad scope: field %q", f)
		}
		// An update can clear the tags.
		in = threshold(50)
		in.TargetTags = []string{"专精特新"}
		p, err := svc.Create(sjj, in)
		fatal(t, err)
		in.TargetTags = nil
		p, err = svc.Update(sjj, p.ID, in)
		fatal(t, err)
		if len(p.TargetTags) != 0 || p.PushScope != policy.ScopeMatch {
			t.Fatalf("after clearing: %+v %q", p.TargetTags, p.PushScope)
		}
	})
}

// TestDashboardToMoney: working days from the grant round (Monday
// 2026-03-02) to payment: A paid on Thursday (3 working days), B the
// next Monday (5): average 4.0. Before any payment, "—".
func TestDashboardToMoney(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		env.Clock.Set(monday)
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		setRD(t, svc, a, 100)
		setRD(t, svc, b, 200)
		p := publish(t, svc, sjj, rdPolicy(0))
		_, err := svc.GrantRun(sjj, p.ID, "2025", false)
		fatal(t, err)
		_, err = svc.Confirm(sjj, p.ID, "2025")
		fatal(t, err)
		d, err := svc.Dashboard(sitetest.System())
		fatal(t, err)
		if d.ToMoney.Text != "—" || d.ToMoney.Average != nil || d.ToMoney.Grants != 0 {
			t.Fatalf("before payment: %+v", d.ToMoney)
		}
		gs, err := svc.Grants(sjj, p.ID, "2025")
		fatal(t, err)
		by := map[int64]int64{}
		for _, g := range gs {
			by[g.EntityID] = g.ID
		}
		if len(by) != 2 {
			t.Fatalf("grants: %+v", gs)
		}
		env.Clock.Advance(3 * 24 * time.Hour) // Thursday
		_, err = svc.RecordPayment(sjj, []int64{by[a]}, "XCCZ-2026-001")
		fatal(t, err)
		env.Clock.Advance(4 * 24 * time.Hour) // Monday 2026-03-09
		_, err = svc.RecordPayment(sjj, []int64{by[b]}, "XCCZ-2026-002")
		fatal(t, err)
		d, err = svc.Dashboard(sitetest.System())
		fatal(t, err)
		if d.ToMoney.Grants != 2 || d.ToMoney.Average == nil || *d.ToMoney.Average != 4 || d.ToMoney.Text != "4.0" {
			t.Fatalf("after payment: %+v", d.ToMoney)
		}
	})
}
