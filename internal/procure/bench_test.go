package procure

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// BenchmarkPoolingProposals times the pooling proposals over N open plan
// lines (PROCURE_BENCH_N, default 10,000; docs/benchmarks.md records
// 100,000) against a plain scan of the same rows in the same order in the
// same run, and reports the ratio (the issue asks for at most 3).
//
//	PROCURE_BENCH_N=100000 go test ./internal/procure/ -run '^$' -bench PoolingProposals -benchtime 3x
func BenchmarkPoolingProposals(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("PROCURE_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	d := dbtest.New(b, db.SQLite)
	ctx := context.Background()
	var depts [40]int64
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	err := d.WithTx(ctx, func(ctx context.Context) error {
		for i := range depts {
			if err := d.Q(ctx).QueryRow(ctx, "INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ($1, $2, 'bureau', $3, $3) RETURNING id",
				fmt.Sprintf("B-%02d", i), fmt.Sprintf("单位%d", i), at).Scan(&depts[i]); err != nil {
				return err
			}
		}
		const batch = 500
		for start := 0; start < n; start += batch {
			m := min(batch, n-start)
			args := make([]any, 0, m*8)
			for i := start; i < start+m; i++ {
				cat := fmt.Sprintf("A02%06d", i%200)
				key := fmt.Sprintf("spec-%d", i%7)
				wanted := at.AddDate(0, 0, (i*7919)%365).Format("2006-01-02")
				args = append(args, depts[(i/200)%len(depts)], 2027, cat, key, key, int64(1+i%50), int64(100_000+i), wanted)
			}
			q := "INSERT INTO procure_plans (department_id, year, category_code, spec, spec_key, quantity, budget_fen, wanted_on, status, created_at) VALUES " +
				d.Dialect.Values(1, m, 8, "'open'", "'2026-11-01'")
			if _, err := d.Q(ctx).Exec(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := d.RefreshStats(ctx, "procure_plans"); err != nil {
		b.Fatal(err)
	}
	s := &Service{DB: d, PoolWindowDays: 90}
	sys := auth.WithActor(ctx, auth.System("bench"))
	scan := func() int {
		rows, err := d.Q(ctx).Query(ctx, `SELECT id, department_id, category_code, spec_key, wanted_on, quantity, budget_fen FROM procure_plans
			WHERE status = 'open' ORDER BY category_code, spec_key, wanted_on, id`)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		k := 0
		for rows.Next() {
			var l PlanLine
			if err := rows.Scan(&l.ID, &l.DepartmentID, &l.Category, &l.SpecKey, &l.WantedOn, &l.Quantity, &l.BudgetFen); err != nil {
				b.Fatal(err)
			}
			k++
		}
		return k
	}
	var base, work time.Duration
	var props int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if got := scan(); got != n {
			b.Fatalf("scanned %d rows, want %d", got, n)
		}
		t1 := time.Now()
		list, err := s.Proposals(sys)
		if err != nil {
			b.Fatal(err)
		}
		base, work, props = base+t1.Sub(t0), work+time.Since(t1), len(list)
	}
	ratio := float64(work) / float64(base)
	b.ReportMetric(ratio, "x-scan")
	b.Logf("pooling proposals over %d plan lines: %d proposals, %.1f ms vs plain scan %.1f ms: ratio %.2f",
		n, props, float64(work.Microseconds())/1000/float64(b.N), float64(base.Microseconds())/1000/float64(b.N), ratio)
}
