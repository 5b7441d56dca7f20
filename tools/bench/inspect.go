package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/ident"
	"yingshang/internal/inspect"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

// inspect-sample: the issue 15 bound, end to end from the database. A is
// the real service path of a plan's sampling: CommitPlan (the entity
// query, the credit classes, the frame with avoidance and team checks, the
// draw's commitment) and Sample (the witnessed draw and the tasks with
// their teams written), over N targets in the four credit classes
// (Hanzhong's 91 / 3.1 / 4.2 / 1.7 %) with 2 inspectors per task drawn
// from M. B is one filter pass over the same data: the targets with their
// classes in one query and the inspectors in another. Each round files a
// fresh plan (untimed); the yearly cap is off so that every round's frame
// has the same targets. Bound: A ÷ B ≤ 5 on both engines.
func init() {
	Register(&Target{Name: "inspect-sample", Summary: "inspection plan sampling (commit + draw + tasks) ÷ one DB filter pass over targets and inspectors (bound ≤ 5)",
		Smoke: []string{"-targets", "400", "-inspectors", "20"},
		Flags: func(fs *flag.FlagSet) func(r *Run) error {
			targets := fs.Int("targets", 300000, "enterprises in the plan's frame")
			inspectors := fs.Int("inspectors", 6000, "active inspectors")
			profile := fs.String("cpuprofile", "", "write a CPU profile of the timed rounds (after the fixture) to this file")
			return func(r *Run) error { return benchInspectSample(r, *targets, *inspectors, *profile) }
		}})
}

// classOf spreads ids over the classes at 91 / 3.1 / 4.2 / 1.7 %.
const classCase = `CASE WHEN id % 1000 < 910 THEN 'A' WHEN id % 1000 < 941 THEN 'B' WHEN id % 1000 < 983 THEN 'C' ELSE 'D' END`

func benchInspectSample(r *Run, targets, inspectors int, profile string) error {
	env := sitetest.New(r.TB, r.Engine)
	ctx := r.Ctx
	sys := sitetest.System()
	svc := modules.Get[*inspect.Service](env.Modules)
	svc.Settings.YearCap = 0
	sjjDept := env.Depts["XC-SJJ"]
	const region, industry = "411002", "F5288" // an industry the seed entities do not use
	fmt.Fprintf(r.Out, "sizes: %d targets (classes A/B/C/D at 91/3.1/4.2/1.7%%), %d inspectors, 2 per task, default ratios %s, %d rounds (A B A B)\n",
		targets, inspectors, inspect.FormatRatios(svc.Settings.Ratios), r.Rounds)

	// The fixture, in multi-row inserts.
	t0 := time.Now()
	now := time.Now().UTC()
	rng := rand.New(rand.NewPCG(15, 300000))
	seen := map[string]bool{}
	const batch = 500
	for lo := 0; lo < targets; lo += batch {
		var vals []string
		var args []any
		for i := lo; i < min(lo+batch, targets); i++ {
			code := ident.GenerateUSCC(rng, region)
			for seen[code] {
				code = ident.GenerateUSCC(rng, region)
			}
			seen[code] = true
			n := len(args)
			vals = append(vals, fmt.Sprintf("($%d,$%d,'有限责任公司',$%d,$%d,'active',$%d,$%d)", n+1, n+2, n+3, n+4, n+5, n+6))
			args = append(args, code, fmt.Sprintf("压测商贸%06d有限公司", i), region, industry, now, now)
		}
		if _, err := env.App.DB.W(ctx).Exec(ctx, "INSERT INTO entities (uscc, name, entity_type, region_code, industry_code, status, created_at, updated_at) VALUES "+
			strings.Join(vals, ","), args...); err != nil {
			return fmt.Errorf("entities: %w", err)
		}
	}
	if _, err := env.App.DB.W(ctx).Exec(ctx, "INSERT INTO credit_grades (entity_id, grade, explanation, computed_at) SELECT id, "+classCase+
		", '{}', $1 FROM entities WHERE industry_code = $2", now, industry); err != nil {
		return fmt.Errorf("grades: %w", err)
	}
	for lo := 0; lo < inspectors; lo += batch {
		var vals []string
		var args []any
		for i := lo; i < min(lo+batch, inspectors); i++ {
			n := len(args)
			vals = append(vals, fmt.Sprintf("($%d,$%d,$%d,'active','',$%d,'',$%d,$%d)", n+1, n+2, n+3, n+4, n+5, n+6))
			args = append(args, sjjDept, fmt.Sprintf("执法员%05d", i), fmt.Sprintf("SJJ-B-%05d", i), region, now, now)
		}
		if _, err := env.App.DB.W(ctx).Exec(ctx, "INSERT INTO inspect_inspectors (department_id, name, cert_no, status, specialties, region_code, relations, created_at, updated_at) VALUES "+
			strings.Join(vals, ","), args...); err != nil {
			return fmt.Errorf("inspectors: %w", err)
		}
	}
	item, err := svc.SaveItem(sys, inspect.Item{DepartmentID: sjjDept, Code: "B-01", Name: "年度报告公示信息检查", LegalBasis: "《企业信息公示暂行条例》第八条",
		Method: "documents", RiskLevel: "medium"})
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "fixture loaded in %s\n", time.Since(t0).Round(time.Millisecond))

	staff, err := env.App.Accounts.ActorOf(sys, "sjj-staff", "session")
	if err != nil {
		return err
	}
	admin, err := env.App.Accounts.ActorOf(sys, "admin", "session")
	if err != nil {
		return err
	}
	sctx, actx := auth.WithActor(ctx, staff), auth.WithActor(ctx, admin)
	var dry time.Duration
	var tasks int
	sample := func(round int) (Measure, error) {
		p, err := svc.CreatePlan(sctx, inspect.PlanInput{Code: fmt.Sprintf("BENCH-%d", round), Title: "压测抽查计划", Items: []int64{item.ID},
			StartsOn: "2026-11-24", EndsOn: "2026-12-31", Regions: []string{region}, Industries: []string{industry}})
		if err != nil {
			return Measure{}, err
		}
		if _, err := svc.SubmitPlan(sctx, p.ID); err != nil {
			return Measure{}, err
		}
		if _, err := svc.FilePlan(actx, p.ID, fmt.Sprintf("压测备〔2026〕%d号", round)); err != nil {
			return Measure{}, err
		}
		d0 := time.Now()
		if _, err := svc.DryRun(sctx, p.ID); err != nil {
			return Measure{}, err
		}
		dry += time.Since(d0)
		t0 := time.Now()
		if _, err := svc.CommitPlan(sctx, p.ID); err != nil {
			return Measure{}, err
		}
		if _, err := svc.Sample(sctx, p.ID, inspect.SampleInput{WitnessName: "见证员", WitnessValue: fmt.Sprint(271828 + round)}); err != nil {
			return Measure{}, err
		}
		el := time.Since(t0)
		var n int
		if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM inspect_tasks WHERE plan_id = $1", p.ID).Scan(&n); err != nil {
			return Measure{}, err
		}
		tasks = n
		return Measure{Label: "CommitPlan + Sample (service)", Ops: 1, Time: el}, nil
	}
	filter := func(int) (Measure, error) {
		t0 := time.Now()
		rows, err := env.App.DB.Q(ctx).Query(ctx, `SELECT e.id, e.uscc, e.region_code, e.industry_code, e.entity_type, COALESCE(g.grade, '')
			FROM entities e LEFT JOIN credit_grades g ON g.entity_id = e.id
			WHERE e.status IN ('active', 'operating') AND e.region_code LIKE $1 AND e.industry_code LIKE $2 ORDER BY e.uscc`, region+"%", industry+"%")
		if err != nil {
			return Measure{}, err
		}
		byClass := map[string]int{}
		for rows.Next() {
			var id int64
			var uscc, reg, ind, typ, g string
			if err := rows.Scan(&id, &uscc, &reg, &ind, &typ, &g); err != nil {
				rows.Close()
				return Measure{}, err
			}
			byClass[g]++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Measure{}, err
		}
		rows, err = env.App.DB.Q(ctx).Query(ctx, `SELECT id, cert_no, status, specialties, region_code, relations FROM inspect_inspectors
			WHERE department_id = $1 ORDER BY cert_no`, sjjDept)
		if err != nil {
			return Measure{}, err
		}
		active := 0
		for rows.Next() {
			var id int64
			var cert, st, spec, reg, rel string
			if err := rows.Scan(&id, &cert, &st, &spec, &reg, &rel); err != nil {
				rows.Close()
				return Measure{}, err
			}
			if st == "active" {
				active++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Measure{}, err
		}
		if byClass["A"]+byClass["B"]+byClass["C"]+byClass["D"] < targets || active < inspectors {
			return Measure{}, fmt.Errorf("filter pass read %v targets and %d inspectors", byClass, active)
		}
		return Measure{Label: "filter pass (2 queries)", Ops: 1, Time: time.Since(t0)}, nil
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	a, b, err := Interleave(r.Rounds, sample, filter)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "  tasks per plan: %d (each with 2 inspectors); DryRun (frame only) %s per round\n", tasks, (dry / time.Duration(r.Rounds)).Round(time.Millisecond))
	ratio := PrintTimes(r.Out, a, b)
	fmt.Fprintf(r.Out, "  bound ≤ 5: %s\n", map[bool]string{true: "met", false: "NOT met"}[ratio <= 5])
	return nil
}
