package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/modules"
	"yingshang/internal/procure"
	"yingshang/internal/site/sitetest"
)

// procure-ocds: the OCDS export of N awarded projects (issue 16: at most 3×
// a plain scan of the same rows). The data of BenchmarkOCDSExport in
// internal/procure: 40 units, each project with 3 bids and a published
// contract, half of them accepted and paid. A: every page of the release
// package (100 projects a page, followed through links.next) built and
// JSON-encoded, as GET /open-data/ocds/releases.json does; B: a plain scan
// of the same project, bid and contract rows (all their columns) into
// interface values. Interleaved A B A B.
func init() {
	Register(&Target{Name: "procure-ocds", Summary: "OCDS release package of N awarded projects, every page ÷ a plain scan of the same rows (target ≤ 3)",
		Smoke: []string{"-projects", "30"},
		Flags: func(fs *flag.FlagSet) func(r *Run) error {
			n := fs.Int("projects", 10000, "awarded projects")
			prof := fs.String("cpuprofile", "", "write a CPU profile of the first export round (A) to this file")
			return func(r *Run) error { return benchProcureOCDS(r, *n, *prof) }
		}})
}

func benchProcureOCDS(r *Run, n int, prof string) error {
	env := sitetest.New(r.TB, r.Engine)
	d := env.App.DB
	svc := modules.Get[*procure.Service](env.Modules)
	ctx := context.Background()
	t0 := time.Now()
	if err := seedProcureOCDS(ctx, d, n); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "sizes: %d awarded projects, %d bids, %d published contracts (half accepted and paid); seeded in %s; %d rounds (A B A B)\n",
		n, 3*n, n, time.Since(t0).Round(time.Millisecond), r.Rounds)
	var size int
	var cpuA, cpuB time.Duration // CPU time of this process per side
	var buf []byte
	var profile *os.File
	if prof != "" {
		f, err := os.Create(prof)
		if err != nil {
			return err
		}
		defer f.Close()
		profile = f
	}
	export := func(round int) (Measure, error) {
		if profile != nil && round == 0 {
			// The first export round only (no scan in it).
			if err := pprof.StartCPUProfile(profile); err != nil {
				return Measure{}, err
			}
			defer pprof.StopCPUProfile()
		}
		c0 := cpuTime()
		defer func() { cpuA += cpuTime() - c0 }()
		t0 := time.Now()
		releases, bytes := 0, 0
		for after := int64(0); ; {
			pkg, err := svc.OCDSReleases(ctx, procure.OCDSPage{After: after, Limit: 100, Base: "https://ys.example.gov.cn"})
			if err != nil {
				return Measure{}, err
			}
			// As the handler writes it (its own encoder, one reused buffer).
			buf, err = pkg.AppendJSON(buf[:0])
			if err != nil {
				return Measure{}, err
			}
			releases, bytes = releases+len(pkg.Releases), bytes+len(buf)
			if pkg.Links == nil {
				break
			}
			u, err := url.Parse(pkg.Links.Next)
			if err != nil {
				return Measure{}, err
			}
			after, _ = strconv.ParseInt(u.Query().Get("after"), 10, 64)
		}
		if want := n*4 + (n+1)/2; releases != want {
			return Measure{}, fmt.Errorf("%d releases for %d projects, want %d", releases, n, want)
		}
		size = bytes
		return Measure{Label: "OCDS release package, every page", Ops: 1, Time: time.Since(t0)}, nil
	}
	scan := func(int) (Measure, error) {
		c0 := cpuTime()
		defer func() { cpuB += cpuTime() - c0 }()
		t0 := time.Now()
		k := 0
		for _, x := range []struct {
			sql  string
			cols int
		}{
			{`SELECT id, code, department_id, title, method, kind, category_code, budget_fen, set_aside, set_aside_share, small_micro_share, set_aside_reason,
				eval_method, price_weight, deduction_pct, consortium_pct, commitment_allowed, committee_size, COALESCE(pool_id, 0), lots_json, status, award_on,
				COALESCE(winner_bid_id, 0), award_fen, version, COALESCE(draw_project_id, 0) FROM procure_projects ORDER BY id`, 26},
			{
				`SELECT id, project_id, entity_id, credit_result, credit_check_id, commitment_id, size_declared, size_registry, bid_kind, price_fen, tech_score,
				deduction_pct, evaluated_fen, price_score, total_score, rank FROM procure_bids ORDER BY project_id, id`, 16},
			{
				`SELECT c.id, c.project_id, p.code, p.title, c.department_id, c.entity_id, COALESCE(c.plan_id, 0), c.quantity, c.budget_fen, c.amount_fen, c.sme, c.small_micro,
				c.due_on, c.signed_on, c.publish_due_on, c.published_on, c.accepted_on, c.pay_due_on, c.paid_on, c.paid_fen, c.version, c.lot_no
				FROM procure_contracts c JOIN procure_projects p ON p.id = c.project_id ORDER BY c.project_id, c.id`, 22}} {
			rows, err := d.Q(ctx).Query(ctx, x.sql)
			if err != nil {
				return Measure{}, err
			}
			dest := make([]any, x.cols)
			for i := range dest {
				dest[i] = new(any)
			}
			for rows.Next() {
				if err := rows.Scan(dest...); err != nil {
					rows.Close()
					return Measure{}, err
				}
				k++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return Measure{}, err
			}
		}
		if k != 5*n {
			return Measure{}, fmt.Errorf("scanned %d rows, want %d", k, 5*n)
		}
		return Measure{Label: "plain scan of the same rows", Ops: 1, Time: time.Since(t0)}, nil
	}
	a, b, err := Interleave(r.Rounds, export, scan)
	if err != nil {
		return err
	}
	ratio := PrintTimes(r.Out, a, b)
	fmt.Fprintf(r.Out, "| projects | JSON | export (A, per round) | plain scan (B, per round) | A ÷ B (target ≤ 3) |\n|---|---|---|---|---|\n")
	fmt.Fprintf(r.Out, "| %d | %.1f MB | %s | %s | %.2f |\n", n, float64(size)/1e6, (a.Time / time.Duration(r.Rounds)).Round(time.Millisecond),
		(b.Time / time.Duration(r.Rounds)).Round(time.Millisecond), ratio)
	// Wall time on a shared machine swings with the load; the CPU time of
	// this process does much less. On SQLite it is all the work (the engine
	// runs in the process); on PostgreSQL the server's share is not in it.
	fmt.Fprintf(r.Out, "  CPU time of this process: export %s, scan %s, ratio %.2f\n", cpuA.Round(time.Millisecond), cpuB.Round(time.Millisecond),
		float64(cpuA)/float64(cpuB))
	fmt.Fprintf(r.Out, "  ratio %.2f against the target 3: %s\n", ratio, map[bool]string{true: "met", false: "NOT met"}[ratio <= 3])
	return nil
}

// seedProcureOCDS writes the benchmark's rows in multi-row inserts: 40
// units, 20 suppliers, n awarded projects with 3 bids (the first wins) and
// a published contract each, every other one accepted and paid.
func seedProcureOCDS(ctx context.Context, d *db.DB, n int) error {
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	err := d.WithTx(ctx, func(ctx context.Context) error {
		q := d.Q(ctx)
		var depts [40]int64
		var ents [20]int64
		for i := range depts {
			if err := q.QueryRow(ctx, "INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ($1, $2, 'bureau', $3, $3) RETURNING id",
				fmt.Sprintf("BENCH-%02d", i), fmt.Sprintf("采购单位%d", i), at).Scan(&depts[i]); err != nil {
				return err
			}
		}
		for i := range ents {
			if err := q.QueryRow(ctx, "INSERT INTO entities (uscc, name, size_class, created_at, updated_at) VALUES ($1, $2, 'small', $3, $3) RETURNING id",
				fmt.Sprintf("91411002MB%08d", i), fmt.Sprintf("许昌供应商%d有限公司", i), at).Scan(&ents[i]); err != nil {
				return err
			}
		}
		var base int64
		if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM procure_projects").Scan(&base); err != nil {
			return err
		}
		var bidBase int64
		if err := q.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM procure_bids").Scan(&bidBase); err != nil {
			return err
		}
		const batch = 400
		for start := 0; start < n; start += batch {
			m := min(batch, n-start)
			var pa, ba, ca []any
			for i := start; i < start+m; i++ {
				pid, win := base+int64(i)+1, bidBase+int64(3*i)+1
				dept := depts[i%len(depts)]
				pa = append(pa, pid, fmt.Sprintf("XC-2026-%06d", i), dept, fmt.Sprintf("办公设备采购%d", i), win, at)
				for k := range 3 {
					ba = append(ba, win+int64(k), pid, ents[(i+k)%len(ents)], int64(47000000+k*100000), int64(47000000+k*100000), k+1, at)
				}
				acc, paid := "", ""
				if i%2 == 0 {
					acc, paid = "2026-12-20", "2026-12-28"
				}
				ca = append(ca, pid, dept, ents[i%len(ents)], acc, paid, at)
			}
			for _, x := range []struct {
				sql    string
				width  int
				consts []string
				args   []any
			}{
				{"INSERT INTO procure_projects (id, code, department_id, title, winner_bid_id, created_at, method, kind, category_code, budget_fen, set_aside, eval_method, deduction_pct, status, award_on, award_fen) VALUES ",
					6, []string{"'inquiry'", "'goods'", "'A02010104'", "50000000", "'full'", "'lowest_price'", "0", "'awarded'", "'2026-11-20'", "47000000"}, pa},
				{"INSERT INTO procure_bids (id, project_id, entity_id, price_fen, evaluated_fen, rank, created_at, credit_result, size_declared, size_registry) VALUES ",
					7, []string{"'pass'", "'small'", "'small'"}, ba},
				{"INSERT INTO procure_contracts (project_id, department_id, entity_id, accepted_on, paid_on, created_at, budget_fen, amount_fen, sme, small_micro, due_on, signed_on, published_on, paid_fen) VALUES ",
					6, []string{"50000000", "47000000", "TRUE", "TRUE", "'2026-12-20'", "'2026-11-25'", "'2026-11-26'", "47000000"}, ca},
			} {
				if _, err := q.Exec(ctx, x.sql+d.Dialect.Values(1, len(x.args)/x.width, x.width, x.consts...), x.args...); err != nil {
					return err
				}
			}
		}
		if d.Dialect == db.Postgres {
			for _, t := range []string{"procure_projects", "procure_bids"} {
				if _, err := q.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))", t, t)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range []string{"procure_projects", "procure_bids", "procure_contracts"} {
		if err := d.RefreshStats(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
