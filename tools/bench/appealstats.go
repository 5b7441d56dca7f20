package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"yingshang/internal/appeal"
	"yingshang/internal/db"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

// appeal-stats: the appeals dashboard (appeal.Service.Stats, answered from
// the rollup kept by the writes) against the straightforward computation
// that groups the matching appeals themselves (StatsScan), over N appeals
// (nine in ten closed, one year of submissions, deadlines either side of
// now), unfiltered and with a type + period filter, A B A B. Target: Stats
// p99 ≤ 200 ms at 1,000,000 appeals.
func init() {
	Register(&Target{Name: "appeal-stats", Summary: "appeals dashboard Stats (rollup) ÷ the full grouping of the appeals (target p99 ≤ 200 ms at 1,000,000)",
		Smoke: []string{"-appeals", "300", "-runs", "2"},
		Flags: func(fs *flag.FlagSet) func(r *Run) error {
			n := fs.Int("appeals", 100000, "appeals in the table")
			runs := fs.Int("runs", 10, "dashboard reads per round and side (half unfiltered, half type + period)")
			return func(r *Run) error { return benchAppealStats(r, *n, *runs) }
		}})
}

func benchAppealStats(r *Run, n, runs int) error {
	env := sitetest.New(r.TB, r.Engine)
	now := time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)
	env.Clock.Set(now)
	svc := modules.Get[*appeal.Service](env.Modules)
	ctx := sitetest.System()
	depts := []any{env.Depts["XC-SJJ"], env.Depts["XC-SWJ"], env.Depts["WD-SJJ"], env.Depts["XC-SJJ"], nil}
	t0 := time.Now()
	if err := loadAppeals(context.Background(), env.App.DB, n, benchAppealRow(now, depts)); err != nil {
		return err
	}
	loaded := time.Since(t0)
	t1 := time.Now()
	if err := svc.RebuildRollup(context.Background()); err != nil {
		return err
	}
	backfill := time.Since(t1)
	var rows int64
	bg := context.Background()
	if err := env.App.DB.Q(bg).QueryRow(bg, `SELECT COUNT(*) FROM appeal_stats_days`).Scan(&rows); err != nil {
		return err
	}
	analyze := "ANALYZE"
	if r.Engine == db.Postgres {
		analyze = "VACUUM ANALYZE"
	}
	if _, err := env.App.DB.W(bg).Exec(bg, analyze); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "sizes: %d appeals (9 in 10 closed) loaded in %s; rollup backfill %s (%d rows); %d reads per round and side, %d rounds (A B A B)\n",
		n, loaded.Round(time.Millisecond), backfill.Round(time.Millisecond), rows, runs, r.Rounds)
	filters := []appeal.Filter{{}, {Kind: "complaint", From: "2026-06-01", To: "2026-08-31"}}
	// The two must agree before their times mean anything.
	for _, f := range filters {
		a, err := svc.Stats(ctx, f, "zh")
		if err != nil {
			return err
		}
		b, err := svc.StatsScan(ctx, f, "zh")
		if err != nil {
			return err
		}
		if a.Total != b.Total || a.OverdueCount != b.OverdueCount || a.LateOpen != b.LateOpen || a.OnTimeRate != b.OnTimeRate ||
			fmt.Sprint(a.AvgHandlingWD) != fmt.Sprint(b.AvgHandlingWD) && (a.AvgHandlingWD == nil || b.AvgHandlingWD == nil || *a.AvgHandlingWD != *b.AvgHandlingWD) {
			return fmt.Errorf("Stats and StatsScan disagree on %+v: %+v / %+v", f, a, b)
		}
		if f.Kind == "" && a.Total != int64(n) {
			return fmt.Errorf("Stats total %d, want %d", a.Total, n)
		}
	}
	side := func(label string, fn func(context.Context, appeal.Filter, string) (*appeal.Stats, error)) func(int) (Measure, error) {
		return func(int) (Measure, error) {
			var lat []time.Duration
			t0 := time.Now()
			for i := range runs {
				s := time.Now()
				if _, err := fn(ctx, filters[i%len(filters)], "zh"); err != nil {
					return Measure{}, err
				}
				lat = append(lat, time.Since(s))
			}
			return Measure{Label: label, Ops: runs, Time: time.Since(t0), Lat: lat}, nil
		}
	}
	a, b, err := Interleave(r.Rounds, side("Stats (rollup)", svc.Stats), side("StatsScan (full grouping)", svc.StatsScan))
	if err != nil {
		return err
	}
	PrintRates(r.Out, "read", a, b)
	p99 := Percentile(a.Lat, .99)
	fmt.Fprintf(r.Out, "  Stats p99 %s against the target 200 ms: %s\n", p99.Round(100*time.Microsecond),
		map[bool]string{true: "met", false: "NOT met"}[p99 <= 200*time.Millisecond])
	return nil
}

var benchAppealCols = []string{"number", "year", "channel", "kind", "topic", "title", "description", "state", "version", "lead_dept_id",
	"clock_start", "submitted_at", "first_response_due", "reply_due", "followup_due", "reply_on_time", "handling_workdays", "rating",
	"reopen_count", "created_at", "updated_at", "fr_alert", "reply_alert", "fu_alert"}

// benchAppealRow is appeal i of the dashboard benchmark (the same shape
// as internal/appeal's BenchmarkDashboard): one year of submissions, nine
// in ten closed, the open ones spread over every open state with
// deadlines from 300 days past to 300 days ahead.
func benchAppealRow(now time.Time, depts []any) func(i int) []any {
	kinds := []string{"consult", "help", "complaint", "suggestion", "praise"}
	topics := appeal.DefaultSettings().Topics
	open := []string{"submitted", "accepted", "assigned", "in_progress", "waiting_enterprise", "replied", "rated", "reopened", "escalated"}
	return func(i int) []any {
		sub := now.Add(-time.Duration(i%365)*24*time.Hour - time.Duration(i%1440)*time.Minute)
		due := now.Add(time.Duration(i%600-300)*24*time.Hour + time.Duration(i%7)*time.Hour)
		st := open[i%len(open)]
		if i%10 < 9 {
			st = "closed"
		}
		var onTime, wd any
		rating := ""
		if st == "closed" || st == "replied" || st == "rated" {
			onTime, wd = i%5 != 0, i%9
			if st != "replied" {
				rating = []string{"satisfied", "basic", "unsatisfied", "satisfied"}[i%4]
			}
		}
		return []any{fmt.Sprintf("B-%d", i), 2026, appeal.Channels[i%len(appeal.Channels)], kinds[i%len(kinds)], topics[(i/5)%len(topics)],
			"bench appeal", "bench appeal description", st, 1, depts[i%len(depts)], sub, sub, due, due, due, onTime, wd, rating, (i % 17) / 16,
			sub, sub, 0, 0, 0}
	}
}

// loadAppeals writes n appeals around the application (COPY on
// PostgreSQL, multi-row INSERTs on SQLite), with the secondary indexes
// dropped and built again afterwards.
func loadAppeals(ctx context.Context, d *db.DB, n int, row func(i int) []any) error {
	list := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'appeals' AND sql IS NOT NULL`
	if d.Dialect == db.Postgres {
		list = `SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'appeals' AND i.schemaname = current_schema()
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`
	}
	rows, err := d.W(ctx).Query(ctx, list)
	if err != nil {
		return err
	}
	var names, indexes []string
	for rows.Next() {
		var name, sql string
		if err := rows.Scan(&name, &sql); err != nil {
			rows.Close()
			return err
		}
		names, indexes = append(names, name), append(indexes, sql)
	}
	rows.Close()
	for _, name := range names {
		if _, err := d.W(ctx).Exec(ctx, "DROP INDEX "+name); err != nil {
			return err
		}
	}
	if err := copyAppeals(ctx, d, n, row); err != nil {
		return err
	}
	for _, sql := range indexes {
		if _, err := d.W(ctx).Exec(ctx, sql); err != nil {
			return err
		}
	}
	return nil
}

func copyAppeals(ctx context.Context, d *db.DB, n int, row func(i int) []any) error {
	if d.Dialect == db.Postgres {
		i := 0
		_, err := d.Pool.CopyFrom(ctx, pgx.Identifier{"appeals"}, benchAppealCols, pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			return row(i - 1), nil
		}))
		return err
	}
	const perStmt, perTx = 400, 100_000
	insert := func(rows int) string {
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(benchAppealCols)), ", ") + ")"
		return "INSERT INTO appeals (" + strings.Join(benchAppealCols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
	}
	full := insert(perStmt)
	for start := 0; start < n; start += perTx {
		end := min(start+perTx, n)
		tx, err := d.Writer.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, full)
		if err != nil {
			_ = tx.Rollback()
			return err
		}
		args := make([]any, 0, perStmt*len(benchAppealCols))
		for i := start; i < end; i += perStmt {
			m := min(perStmt, end-i)
			args = args[:0]
			for j := i; j < i+m; j++ {
				args = append(args, row(j)...)
			}
			if m == perStmt {
				_, err = stmt.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insert(m), args...)
			}
			if err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		_ = stmt.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}
