package inspect_test

import (
	"context"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/demo"
	"yingshang/internal/draw"
	"yingshang/internal/inspect"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

// The demo: two departments' items, 60 inspectors, a filed joint plan
// sampled by a verifiable draw, tasks done with scans and results (one
// without a scan, flagged), one rectification under way.
func TestDemo(t *testing.T) {
	a, mods, _ := sitetest.Assemble(t, dbtest.New(t, db.SQLite))
	if _, err := demo.Load(context.Background(), a, mods); err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithActor(context.Background(), auth.System("test"))
	svc := modules.Get[*inspect.Service](mods)
	insp, err := svc.Inspectors(ctx)
	if err != nil || len(insp) != 60 {
		t.Fatalf("inspectors: %d %v", len(insp), err)
	}
	plans, err := svc.Plans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var joint *inspect.Plan
	for i := range plans {
		if plans[i].Joint {
			joint = &plans[i]
		}
	}
	if joint == nil || joint.Status != inspect.PlanSampled || len(joint.Strata) != 4 {
		t.Fatalf("joint plan: %+v", plans)
	}
	if d, err := modules.Get[*draw.Service](mods).VerifyDraw(ctx, joint.DrawID); err != nil || len(d) > 0 {
		t.Fatalf("demo record: %v %v", d, err)
	}
	tasks, _ := svc.Tasks(ctx, inspect.TaskFilter{PlanID: joint.ID})
	closed, scanned := 0, 0
	for _, tk := range tasks {
		if tk.Status == inspect.TaskClosed {
			closed++
		}
		if tk.ScannedAt != nil {
			scanned++
		}
	}
	all, _ := svc.Stats(ctx, 2026)
	if closed < 3 || scanned < 4 || all.Rectifying < 1 || all.Rates[3].Checked == 0 {
		t.Fatalf("demo tasks: %d closed, %d scanned, stats %+v", closed, scanned, all)
	}
}
