package inspect_test

import (
	"slices"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/draw"
	"yingshang/internal/inspect"
	"yingshang/internal/yserr"
)

// TestFrameRefusalsExplained: issue 15's "bad input and failure" for the
// sampling frame, on both engines. A frame that yields no task is refused
// with every stratum's size, ratio and count; a target whose region has
// too few eligible inspectors once the avoided are taken out is refused
// naming the target, the region and the numbers (active there, avoided,
// eligible), while suspended inspectors, inspectors of other regions and
// avoidance for strata not sampled do not count; neither refusal commits
// anything, and the frame passes once a third inspector joins.
func TestFrameRefusalsExplained(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) { testFrameRefusals(t, e) })
	}
}

func testFrameRefusals(t *testing.T, e db.Dialect) {
	f := setup(t, e)
	svc := f.svc
	sjj := as(t, f, "sjj-staff")
	in := planInput("FR-0", "2026-11-24", f.items[:2])
	in.Ratios = "A:0,B:0,C:0,D:0"
	p, err := svc.CreatePlan(sjj, in)
	if err != nil {
		t.Fatal(err)
	}
	active := addInspectors(t, f, "411002", 2, "XC-SJJ")
	_, err = svc.DryRun(sjj, p.ID)
	e0 := yserr.As(err)
	if !yserr.Is(err, yserr.Conflict) || !strings.Contains(e0.Message("zh-CN"), "A类 20 户，比例 0‰，抽 0 户") ||
		!strings.Contains(e0.Message("zh-CN"), "D类 11 户，比例 0‰，抽 0 户") || !strings.Contains(e0.Message("en"), "class C: 10 targets, 0‰, 0 drawn") {
		t.Fatalf("empty frame: %v", err)
	}

	// Only class D is sampled; 411002 has two active inspectors of the
	// department, one of whom declares a relation to a D enterprise (and
	// the other to an A enterprise, a stratum not sampled).
	in = planInput("FR-1", "2026-11-24", f.items[:2])
	in.Ratios = "A:0,B:0,C:0,D:1000"
	if p, err = svc.CreatePlan(sjj, in); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitPlan(sjj, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FilePlan(as(t, f, "admin"), p.ID, "许营商备〔2026〕21号"); err != nil {
		t.Fatal(err)
	}
	related := f.ents["D"][0]
	for i, uscc := range []string{related, f.ents["A"][0]} {
		in := active[i]
		in.Relations = []string{uscc}
		if _, err := svc.SaveInspector(as(t, f, "admin"), in); err != nil {
			t.Fatal(err)
		}
	}
	addInspectors(t, f, "411082", 3, "XC-SJJ") // another region
	sus := addInspectors(t, f, "411002", 1, "XC-SJJ-2")[0]
	sus.Status = "suspended"
	if _, err := svc.SaveInspector(as(t, f, "admin"), sus); err != nil {
		t.Fatal(err)
	}
	for _, run := range []func() error{
		func() error { _, err := svc.DryRun(sjj, p.ID); return err },
		func() error { _, err := svc.CommitPlan(sjj, p.ID); return err },
	} {
		err := run()
		e1 := yserr.As(err)
		zh, en := e1.Message("zh-CN"), e1.Message("en")
		if !yserr.Is(err, yserr.Conflict) || !strings.HasPrefix(zh, "1 户检查对象可派执法人员不足") ||
			!strings.Contains(zh, related+"（区划 411002）：该区划在岗执法人员 2 名，回避 1 名，可派 1 名，少于 2 名") ||
			!strings.Contains(en, related+" (region 411002): 2 active inspectors there, 1 avoided, 1 eligible, fewer than 2") ||
			strings.Contains(zh, f.ents["A"][0]) {
			t.Fatalf("team shortfall: %v", err)
		}
	}
	if got, err := svc.Plan(sjj, p.ID); err != nil || got.Status != inspect.PlanFiled || got.DrawID != 0 {
		t.Fatalf("a refused frame committed something: %+v %v", got, err)
	}

	// A third active inspector in the region: the frame passes, with the
	// relations as avoidance and the suspended inspector excluded.
	addInspectors(t, f, "411002", 1, "XC-SJJ-2x")
	fr, err := svc.DryRun(sjj, p.ID)
	if err != nil {
		t.Fatalf("frame with three inspectors: %v", err)
	}
	if fr.Eligible != 6 || fr.Targets != 41 || fr.Avoided != 2 {
		t.Errorf("frame: %d eligible, %d targets, %d avoided", fr.Eligible, fr.Targets, fr.Avoided)
	}
	av := fr.Spec.Teams.Avoid[related]
	if len(av) != 1 || av[0].ID != "I-"+active[0].CertNo || !slices.Equal(av[0].Reasons, []string{draw.ReasonRelation}) {
		t.Errorf("avoidance of %s: %+v", related, av)
	}
	if !slices.ContainsFunc(fr.List.Excluded, func(x draw.Exclusion) bool { return x.ID == "I-"+sus.CertNo && x.Reasons[0] == draw.ReasonNotActive }) {
		t.Errorf("suspended inspector not excluded: %+v", fr.List.Excluded)
	}
	if !slices.IsSortedFunc(fr.List.Candidates, func(a, b draw.Candidate) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("candidates not in byte order")
	}
}
