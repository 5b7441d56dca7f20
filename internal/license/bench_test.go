package license_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/ident"
	"yingshang/internal/license"
)

// benchCount reads a row count from an environment variable.
func benchCount(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func engines(b *testing.B, fn func(b *testing.B, d *db.DB)) {
	for _, e := range dbtest.Engines {
		b.Run(string(e), func(b *testing.B) { fn(b, dbtest.New(b, e)) })
	}
}

// fillLicenses bulk-inserts n licences of type A expiring uniformly over
// the next five years (person holders, no phone: SMS rows fail at once,
// which keeps the benchmark off the SMS driver).
func fillLicenses(b *testing.B, e *env, n int, today calendar.Date) {
	ctx := context.Background()
	const batch = 500
	for start := 0; start < n; start += batch {
		k := min(batch, n-start)
		var sb strings.Builder
		args := make([]any, 0, k*4)
		sb.WriteString("INSERT INTO licenses (type_id, department_id, number, holder_name, issued_on, expires_on, status, created_at, updated_at) VALUES ")
		for i := range k {
			if i > 0 {
				sb.WriteString(",")
			}
			p := len(args)
			fmt.Fprintf(&sb, "($%d,$%d,$%d,'持证人','2021-01-01',$%d,'active',$%d,$%d)", p+1, p+2, p+3, p+4, p+5, p+5)
			j := start + i
			args = append(args, e.typeA.ID, e.deptA, fmt.Sprintf("B%09d", j), today.AddDays(1+j%1826).String(), e.clk.Now())
		}
		if err := e.d.WithTx(ctx, func(ctx context.Context) error {
			_, err := e.d.Q(ctx).Exec(ctx, sb.String(), args...)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// fullScan reads every licence once: the baseline the daily scan is
// compared with.
func fullScan(b *testing.B, d *db.DB) (int, time.Duration) {
	ctx := context.Background()
	t0 := time.Now()
	rows, err := d.Q(ctx).Query(ctx, "SELECT id, type_id, expires_on, status, holder_answer FROM licenses")
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, typ int64
		var exp, st, ans string
		if err := rows.Scan(&id, &typ, &exp, &st, &ans); err != nil {
			b.Fatal(err)
		}
		n++
	}
	return n, time.Since(t0)
}

// BenchmarkDailyScan measures one day's scan in steady state (the
// catch-up scan of the first day runs before the timer) over
// YINGSHANG_BENCH_LICENSES licences (default 20,000), next to a plain
// full-table scan of the same licences in the same run.
func BenchmarkDailyScan(b *testing.B) {
	n := benchCount("YINGSHANG_BENCH_LICENSES", 20000)
	engines(b, func(b *testing.B, d *db.DB) {
		e := newEnv(b, d, at("2026-01-01", 9, 30))
		today := calendar.MustParseDate("2026-01-01")
		fillLicenses(b, e, n, today)
		t0 := time.Now()
		first, err := e.s.Scan(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d licences; catch-up scan of day 1: %v in %v", n, first, time.Since(t0))
		var acted int
		var scanTime, fullTime time.Duration
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			e.clk.Advance(24 * time.Hour)
			t1 := time.Now()
			sum, err := e.s.Scan(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			scanTime += time.Since(t1)
			for _, v := range sum {
				acted += v
			}
			b.StopTimer()
			_, ft := fullScan(b, d)
			fullTime += ft
			b.StartTimer()
		}
		b.ReportMetric(float64(acted)/scanTime.Seconds(), "stages/s")
		b.ReportMetric(float64(acted)/float64(b.N), "stages/day")
		b.ReportMetric(float64(fullTime.Microseconds())/float64(b.N)/1000, "fullscan-ms")
		b.ReportMetric(scanTime.Seconds()/fullTime.Seconds(), "x-fullscan")
	})
}

// BenchmarkImport imports a ledger of YINGSHANG_BENCH_LEDGER_ROWS rows
// (default 5,000) of person holders through the .xlsx reader, in one
// transaction.
func BenchmarkImport(b *testing.B) {
	n := benchCount("YINGSHANG_BENCH_LEDGER_ROWS", 5000)
	engines(b, func(b *testing.B, d *db.DB) {
		e := newEnv(b, d, at("2026-01-01", 9, 30))
		rows := make([][]any, n)
		for i := range rows {
			id := ident.GenerateIDCard(e.rnd, "411002", time.Date(1950+i%50, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC), i%2 == 0)
			rows[i] = []any{"SP-JY", fmt.Sprintf("I%08d", i), "持证人", id, "13800001111", "2021-01-01", fmt.Sprintf("2026-%02d-%02d", 1+i%12, 1+i%28), "否", "否"}
		}
		file := ledgerFile(b, rows).Bytes()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			if i > 0 {
				if _, err := d.W(context.Background()).Exec(context.Background(), "DELETE FROM licenses"); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			rep, err := e.s.Import(e.admin(e.deptA, e.adminA), 0, strings.NewReader(string(file)), license.ModeAllOrNothing)
			if err != nil || rep.Created != n {
				b.Fatalf("import: %v %+v", err, rep)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
