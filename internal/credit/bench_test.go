package credit_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"yingshang/internal/modules"

	"github.com/jackc/pgx/v5"

	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/site/sitetest"
)

// Benchmark sizes come from the environment (defaults keep a plain
// `go test -bench` quick):
//
//	YINGSHANG_BENCH_CREDIT_ENTITIES  entities (default 10000)
//	YINGSHANG_BENCH_CREDIT_RECORDS   records  (default 5 per entity)
//	YINGSHANG_BENCH_CREDIT_DB        sqlite (default) or postgres
func benchSizes() (entities, records int, engine db.Dialect) {
	entities, records = 10000, 0
	if n, err := strconv.Atoi(os.Getenv("YINGSHANG_BENCH_CREDIT_ENTITIES")); err == nil && n > 0 {
		entities = n
	}
	records = 5 * entities
	if n, err := strconv.Atoi(os.Getenv("YINGSHANG_BENCH_CREDIT_RECORDS")); err == nil && n > 0 {
		records = n
	}
	engine = db.SQLite
	if os.Getenv("YINGSHANG_BENCH_CREDIT_DB") == "postgres" {
		engine = db.Postgres
	}
	return
}

// benchFirstID is the first entity id the fixture uses (after the seeded ones).
const benchFirstID = 100000

// fixture loads entities and records with multi-row inserts: records are
// 80% published, 10% repaired, 10% expired; kinds and classes rotate;
// maximum ends spread over the next three years, so that about one
// record in 1,095 ends on the benchmark's day (what one daily run meets).
func fixture(b *testing.B) (*sitetest.Env, int, int) {
	b.Helper()
	ne, nr, engine := benchSizes()
	env := sitetest.New(b, engine)
	ctx := context.Background()
	d := env.App.DB
	dept := env.Depts["XC-SJJ"]
	now := env.Clock.Now().UTC()
	today := calendar.FromTime(now, calendar.Shanghai)
	start := time.Now()
	insertRows(b, d, "entities", "id, uscc, name, status, department_id, created_at, updated_at", ne, func(i int) []any {
		id := benchFirstID + i
		return []any{id, benchUSCC(id), fmt.Sprintf("许昌基准测试企业%07d有限公司", i), "active", dept, now, now}
	})
	classes := []string{credit.ClassGeneral, credit.ClassMinor, credit.ClassGeneral, credit.ClassSerious, credit.ClassGeneral}
	content := map[string]string{}
	for _, c := range classes {
		content[c] = fmt.Sprintf(`{"decision_no":"许市监罚〔2026〕1号","decided_on":"2026-01-05","legal_basis":"《食品安全法》","penalties":[{"type":"fine","amount":5000}],"class":%q}`, c)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	insertRows(b, d, "credit_records", "id, entity_id, department_id, kind, class, current_version, status, negative, decided_on, min_end, max_end, created_at, updated_at", nr, func(i int) []any {
		st := credit.StatusPublished
		switch rng.IntN(10) {
		case 0:
			st = credit.StatusRepaired
		case 1:
			st = credit.StatusExpired
		}
		maxEnd := today.AddDays(rng.IntN(1095)).String()
		return []any{i + 1, benchFirstID + i%ne, dept, credit.KindPenalty, classes[i%len(classes)], 1, st, true, "2026-01-05", "2026-04-05", maxEnd, now, now}
	})
	insertRows(b, d, "credit_record_versions", "record_id, version, content, created_at", nr, func(i int) []any {
		return []any{i + 1, 1, content[classes[i%len(classes)]], now}
	})
	if d.Dialect == db.Postgres {
		for _, tbl := range []string{"entities", "credit_records"} {
			if _, err := d.W(ctx).Exec(ctx, "SELECT setval(pg_get_serial_sequence('"+tbl+"', 'id'), (SELECT MAX(id) FROM "+tbl+"))"); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := d.W(ctx).Exec(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	} else if _, err := d.W(ctx).Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	b.Logf("fixture: %d entities, %d records (+%d versions) on %s loaded in %s (%.0f rows/s, ANALYZE included)", ne, nr, nr, engine,
		el.Round(time.Second), float64(ne+2*nr)/el.Seconds())
	return env, ne, nr
}

// insertRows loads n generated rows into table as fast as the engine
// allows (the fixture is not what is measured): on PostgreSQL with COPY
// (pgx CopyFrom); on SQLite in transactions of 100,000 rows through one
// prepared multi-row INSERT of 100 rows, with synchronous=OFF while
// loading.
// benchUSCC is a valid credit code (with its check character) for id.
func benchUSCC(id int) string {
	first := fmt.Sprintf("91411002B%08d", id)
	c, err := ident.USCCCheckChar(first)
	if err != nil {
		panic(err)
	}
	return first + string(c)
}

func insertRows(b *testing.B, d *db.DB, table, cols string, n int, row func(i int) []any) {
	b.Helper()
	ctx := context.Background()
	names := strings.Split(strings.ReplaceAll(cols, " ", ""), ",")
	ncol := len(names)
	if d.Dialect == db.Postgres {
		_, err := d.Pool.CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromFunc(func() func() ([]any, error) {
			i := 0
			return func() ([]any, error) {
				if i >= n {
					return nil, nil
				}
				i++
				return row(i - 1), nil
			}
		}()))
		if err != nil {
			b.Fatal(err)
		}
		return
	}
	if _, err := d.Writer.ExecContext(ctx, "PRAGMA synchronous=OFF"); err != nil {
		b.Fatal(err)
	}
	defer func() {
		if _, err := d.Writer.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
			b.Fatal(err)
		}
	}()
	const per, txRows = 100, 100000
	stmt := func(rows int) string {
		one := "(" + strings.TrimSuffix(strings.Repeat("?,", ncol), ",") + ")"
		return "INSERT INTO " + table + " (" + cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
	}
	args := make([]any, 0, per*ncol)
	for lo := 0; lo < n; lo += txRows {
		hi := min(lo+txRows, n)
		tx, err := d.Writer.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		full, err := tx.PrepareContext(ctx, stmt(per))
		if err != nil {
			b.Fatal(err)
		}
		for blo := lo; blo < hi; blo += per {
			bhi := min(blo+per, hi)
			args = args[:0]
			for i := blo; i < bhi; i++ {
				for _, v := range row(i) {
					if t, ok := v.(time.Time); ok {
						v = t.UTC()
					}
					args = append(args, v)
				}
			}
			if bhi-blo == per {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, stmt(bhi-blo), args...)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		full.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCreditScale loads one fixture (sizes from the environment)
// and measures, in order: the credit check on entities without stored
// grades (computed from the records), the full grade recomputation, the
// credit check with stored grades (p50/p99 latency and checks/s; every
// check writes its log row), and the daily expiry job.
func BenchmarkCreditScale(b *testing.B) {
	env, ne, nr := fixture(b)
	svc := modules.Get[*credit.Service](env.Modules)
	ctx := context.Background()
	staff := staffCtx(env, "sjj-staff", "XC-SJJ")
	// Each op of the check benchmarks is a batch of YINGSHANG_BENCH_CREDIT_CHECKS
	// checks (default 1000), so that one run (-benchtime 1x) of the whole
	// scale benchmark measures enough checks for a p99.
	batch := 1000
	if n, err := strconv.Atoi(os.Getenv("YINGSHANG_BENCH_CREDIT_CHECKS")); err == nil && n > 0 {
		batch = n
	}
	check := func(b *testing.B, seed uint64) {
		rng := rand.New(rand.NewPCG(seed, 4))
		total := b.N * batch
		lat := make([]time.Duration, 0, total)
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < total; i++ {
			t0 := time.Now()
			if _, err := svc.Check(staff, credit.CheckInput{EntityID: int64(benchFirstID + rng.IntN(ne)), Scene: credit.Scenes[i%len(credit.Scenes)], Purpose: "bench"}); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		elapsed := time.Since(start)
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(total)/elapsed.Seconds(), "checks/s")
	}
	b.Run("check_without_stored_grades", func(b *testing.B) { check(b, 1) })
	b.Run("recompute_all", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			for _, q := range []string{"DELETE FROM credit_grade_history", "DELETE FROM credit_grades"} {
				if _, err := env.App.DB.W(ctx).Exec(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			n, err := svc.RecomputeAll(sitetest.System())
			if err != nil {
				b.Fatal(err)
			}
			if n < ne {
				b.Fatalf("stored %d grades for %d entities", n, ne)
			}
		}
		b.ReportMetric(float64(ne), "entities")
		// Fresh planner statistics on the now-filled grade tables, as
		// autovacuum gives a running system.
		if _, err := env.App.DB.W(ctx).Exec(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("check", func(b *testing.B) { check(b, 2) })
	b.Run("expire_daily", func(b *testing.B) {
		today := calendar.FromTime(env.Clock.Now(), calendar.Shanghai).String()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			if _, err := env.App.DB.W(ctx).Exec(ctx, "UPDATE credit_records SET status = 'published' WHERE status = 'expired' AND max_end = $1", today); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			n, err := svc.Expire(sitetest.System())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(n), "expired")
		}
		b.ReportMetric(float64(nr), "records")
	})
}

// BenchmarkCreditImport measures an .xlsx import of
// YINGSHANG_BENCH_CREDIT_IMPORT_ROWS penalties (default 10,000) spread
// over 2,000 entities, valid_only, with every side effect of the form
// (version, audit event, webhook event, repair notice delivered to the
// entity) and one grade recomputation per entity.
func BenchmarkCreditImport(b *testing.B) {
	_, _, engine := benchSizes()
	rows := 10000
	if n, err := strconv.Atoi(os.Getenv("YINGSHANG_BENCH_CREDIT_IMPORT_ROWS")); err == nil && n > 0 {
		rows = n
	}
	const ne = 2000
	env := sitetest.New(b, engine)
	now := env.Clock.Now().UTC()
	dept := env.Depts["XC-SJJ"]
	insertRows(b, env.App.DB, "entities", "id, uscc, name, status, department_id, created_at, updated_at", ne, func(i int) []any {
		return []any{benchFirstID + i, benchUSCC(benchFirstID + i), fmt.Sprintf("许昌导入测试企业%07d有限公司", i), "active", dept, now, now}
	})
	if env.App.DB.Dialect == db.Postgres {
		if _, err := env.App.DB.W(context.Background()).Exec(context.Background(), "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	staff := staffCtx(env, "sjj-staff", "XC-SJJ")
	for it := 0; it < b.N; it++ {
		b.StopTimer()
		data := make([]map[string]string, rows)
		for i := range data {
			data[i] = map[string]string{"kind": "行政处罚", "uscc": benchUSCC(benchFirstID + i%ne), "decision_no": fmt.Sprintf("许市监罚〔2026〕%d-%d号", it, i),
				"decided_on": "2026-11-02", "legal_basis": "《食品安全法》第一百二十四条", "penalty_type1": "罚款", "amount1": "5000", "class": []string{"minor", "general", "serious"}[i%3]}
		}
		file := importFile(b, data)
		b.StartTimer()
		start := time.Now()
		rep, err := modules.Get[*credit.Service](env.Modules).ImportRecords(staff, bytes.NewReader(file), "bench.xlsx", credit.ImportOptions{Mode: credit.ModeValidOnly})
		if err != nil {
			b.Fatal(err)
		}
		if !rep.Committed || rep.Created != rows {
			b.Fatalf("import: %+v", rep.Rows[:min(5, len(rep.Rows))])
		}
		b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
	}
}
