package credit_test

import (
	"context"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/demo"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

// TestDemoEnterpriseStaged: the demo gives the demo enterprise (login
// `enterprise`) a repair application of its own in staged review, and
// leaves the rest as it was: its grade stays A (the record is a minor
// warning, not published), penalties are routed to the department again,
// and the serious-list application of another entity still waits
// outside. The demo runs on Mon 23 Nov 2026 09:00 (Asia/Shanghai); the
// external clock of 10 working days ends Mon 7 Dec 23:59 (24-27 Nov,
// 30 Nov-4 Dec, 7 Dec; no holiday between).
func TestDemoEnterpriseStaged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, mods, _ := sitetest.Assemble(t, d)
		if _, err := demo.Load(ctx, a, mods); err != nil {
			t.Fatal(err)
		}
		svc := modules.Get[*credit.Service](mods)
		own, err := a.Accounts.UserEntity(ctx, "enterprise")
		if err != nil || own == 0 {
			t.Fatalf("demo enterprise: %d %v", own, err)
		}
		ent := auth.WithActor(ctx, &auth.Actor{Username: "enterprise", Roles: []auth.Role{auth.Enterprise}, EntityID: own})
		list, err := svc.Repairs(ent, credit.RepairFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var staged []credit.BarItem
		for _, rp := range list {
			bar, err := svc.StepBar(ent, rp.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range bar {
				if it.Stage == credit.StageExternal && it.State == "current" {
					staged = bar
				}
			}
		}
		if len(staged) != 4 {
			t.Fatalf("the demo enterprise has no application at the external step: %d applications, bar %+v", len(list), staged)
		}
		want := []struct{ stage, state, outcome string }{{"submitted", "done", ""}, {credit.StageFirstReview, "done", "pass"},
			{credit.StageExternal, "current", ""}, {credit.StageDone, "todo", ""}}
		for i, w := range want {
			if it := staged[i]; it.Stage != w.stage || it.State != w.state || it.Outcome != w.outcome {
				t.Errorf("step %d: %+v, want %+v", i, it, w)
			}
		}
		if ext := staged[2]; ext.Body != "信用中国（河南）" || ext.DueAt == nil || ext.DueAt.In(calendar.Shanghai).Format("2006-01-02 15:04") != "2026-12-07 23:59" {
			t.Errorf("external step: %+v", ext)
		}

		sys := sitetest.System()
		if g, err := svc.GradeOf(sys, own); err != nil || g.Grade != "A" {
			t.Errorf("the demo enterprise's grade: %+v %v", g, err)
		}
		routes, err := svc.Routes(sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range routes {
			if rt.Kind == credit.KindPenalty {
				t.Errorf("the penalty route was left configured: %+v", rt)
			}
		}
		var outside int
		if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM credit_repair_steps WHERE stage = 'external' AND ended_at IS NULL`).Scan(&outside); err != nil || outside != 2 {
			t.Errorf("applications waiting outside: %d %v, want 2", outside, err)
		}
	})
}
