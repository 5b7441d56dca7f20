package appeal_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"yingshang/internal/modules"

	"yingshang/internal/appeal"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// Benchmarks. Sizes come from the environment:
//
//	APPEAL_BENCH_REQUESTS  intake requests per engine (default 2000)
//	APPEAL_BENCH_CLIENTS   concurrent clients (default 8)
//	APPEAL_BENCH_N         appeals for the scan and dashboard benchmarks (default 10000)
//	APPEAL_BENCH_PGBENCH_S seconds of the pgbench run (default 10)
//	APPEAL_BENCH_BEFORE    1: also time the dashboard computation Stats replaced
//
// Run: YINGSHANG_TEST_REQUIRE_POSTGRES=1 APPEAL_BENCH_N=1000000 go test -run '^$' -bench . -benchtime 1x ./internal/appeal/

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// latencies runs total calls of fn on clients goroutines and returns the
// sorted latencies and the wall time.
func latencies(total, clients int, fn func(i int) error) ([]time.Duration, time.Duration, error) {
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	next := make(chan int, total)
	for i := 0; i < total; i++ {
		next <- i
	}
	close(next)
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t0 := time.Now()
				err := fn(i)
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	slices.Sort(lat)
	return lat, wall, firstErr
}

// cpuTime is the CPU time this process used so far. On SQLite the
// database runs in the process, so the CPU a query takes can be told apart
// from the time it waited for a core on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func report(b *testing.B, prefix string, lat []time.Duration, wall time.Duration) float64 {
	rps := float64(len(lat)) / wall.Seconds()
	b.ReportMetric(rps, prefix+"req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, prefix+"p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, prefix+"p99-ms")
	return rps
}

// BenchmarkIntake posts appeals through the JSON API with concurrent
// clients, then measures in the same run the database's own ceiling for
// the same transaction shape, an INSERT of the appeal row plus one of its
// audit row in one transaction, with the same concurrency: from a Go loop
// over the same connection pool (both engines), and with pgbench
// (PostgreSQL, when the pgbench command is there) on the same database.
func BenchmarkIntake(b *testing.B) {
	total, clients := envInt("APPEAL_BENCH_REQUESTS", 2000), envInt("APPEAL_BENCH_CLIENTS", 8)
	for _, e := range engines {
		b.Run(string(e), func(b *testing.B) {
			for range b.N {
				env := sitetest.New(b, e)
				env.Clock.Set(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
				tok := env.Token(b, "ent")
				body := map[string]any{"kind": "help", "topic": "纳税", "title": "发票额度调整", "description": "季度开票额度不够用，如何申请调整？"}
				lat, wall, err := latencies(total, clients, func(int) error {
					r := env.API(b, tok, "POST", "/api/v1/appeals", body)
					if r.StatusCode != 201 {
						return fmt.Errorf("%d %s", r.StatusCode, r.Body)
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				api := report(b, "api-", lat, wall)
				raw := rawCeiling(b, env.App.DB, total, clients)
				b.ReportMetric(api/raw, "api/raw")
				if e == db.Postgres {
					if pgb, ok := pgbenchCeiling(b, env.App.DB, clients); ok {
						b.ReportMetric(api/pgb, "api/pgbench")
					}
				}
			}
		})
	}
}

// rawCeiling runs the bare transaction shape from Go: INSERT the appeal
// row, INSERT its audit row, commit.
func rawCeiling(b *testing.B, d *db.DB, total, clients int) float64 {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	lat, wall, err := latencies(total, clients, func(i int) error {
		return d.WithTx(ctx, func(ctx context.Context) error {
			var id int64
			if err := d.W(ctx).QueryRow(ctx, `INSERT INTO appeals (number, year, channel, kind, topic, title, description, state, version,
				clock_start, submitted_at, created_at, updated_at) VALUES ($1, 2027, 'web', 'help', '纳税', 'raw', 'raw insert', 'submitted', 1, $2, $2, $2, $2)
				RETURNING id`, fmt.Sprintf("RAW-%d", i), now).Scan(&id); err != nil {
				return err
			}
			_, err := d.W(ctx).Exec(ctx, `INSERT INTO audit_events (seq, at, actor_name, action, object_type, object_id, before_digest,
				after_digest, prev_hash, hash) VALUES ($1, $2, 'bench', 'appeal.submit', 'appeal', $3, '', 'x', 'x', 'x')`,
				int64(2e12)+int64(i), now, strconv.FormatInt(id, 10))
			return err
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	return report(b, "raw-", lat, wall)
}

// pgbenchScript is the same transaction shape for pgbench.
const pgbenchScript = `BEGIN;
INSERT INTO appeals (number, year, channel, kind, topic, title, description, state, version, clock_start, submitted_at, created_at, updated_at)
  VALUES ('PGB-' || nextval('appeal_bench_seq'), 2027, 'web', 'help', '纳税', 'raw', 'raw insert', 'submitted', 1, now(), now(), now(), now());
INSERT INTO audit_events (seq, at, actor_name, action, object_type, object_id, before_digest, after_digest, prev_hash, hash)
  VALUES (currval('appeal_bench_seq'), now(), 'bench', 'appeal.submit', 'appeal', currval('appeal_bench_seq')::text, '', 'x', 'x', 'x');
END;
`

// pgbenchCeiling runs pgbench with the same transaction shape and number
// of clients on the benchmark's database for APPEAL_BENCH_PGBENCH_S
// seconds (default 10) and reports its transactions/s and the p50/p99 of
// its per-transaction log.
func pgbenchCeiling(b *testing.B, d *db.DB, clients int) (float64, bool) {
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		b.Logf("pgbench not found: no pgbench ceiling")
		return 0, false
	}
	ctx := context.Background()
	if _, err := d.W(ctx).Exec(ctx, `CREATE SEQUENCE appeal_bench_seq START 3000000000000`); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	script := filepath.Join(dir, "intake.sql")
	if err := os.WriteFile(script, []byte(pgbenchScript), 0o644); err != nil {
		b.Fatal(err)
	}
	secs := envInt("APPEAL_BENCH_PGBENCH_S", 10)
	cmd := exec.Command(bin, "-n", "-f", script, "-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(clients, 2)),
		"-T", strconv.Itoa(secs), "-l", "--log-prefix", filepath.Join(dir, "tx"), d.Pool.Config().ConnString())
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("pgbench: %v\n%s", err, out)
	}
	b.Logf("pgbench -n -f intake.sql -c %d -j %d -T %d:\n%s", clients, min(clients, 2), secs, out)
	logs, _ := filepath.Glob(filepath.Join(dir, "tx.*"))
	var lat []time.Duration
	var first, last int64
	for _, f := range logs {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		// client_id transaction_no time_us script_no time_epoch time_epoch_us
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			fs := strings.Fields(line)
			if len(fs) < 6 {
				continue
			}
			us, _ := strconv.ParseInt(fs[2], 10, 64)
			sec, _ := strconv.ParseInt(fs[4], 10, 64)
			usec, _ := strconv.ParseInt(fs[5], 10, 64)
			end := sec*1e6 + usec
			if first == 0 || end-us < first {
				first = end - us
			}
			last = max(last, end)
			lat = append(lat, time.Duration(us)*time.Microsecond)
		}
	}
	if len(lat) == 0 {
		b.Fatalf("pgbench wrote no transaction log:\n%s", out)
	}
	slices.Sort(lat)
	return report(b, "pgbench-", lat, time.Duration(last-first)*time.Microsecond), true
}

// The benchmark table: appeals submitted over the past year, every type,
// topic and channel, four lead departments, deadlines spread from 300 days
// ago to 300 days ahead, now being Monday 2026-11-23 13:00 in Shanghai.
// Alert columns as a running system leaves them: a clock that does not
// run in the appeal's state has nothing to send (3); a running one whose
// deadline passed in the last three days has sent the overdue alert (2)
// and waits for the second level, one whose deadline passed earlier was
// alerted to the end (3), the others have sent nothing yet (0). A share of
// the appeals is closed (answered, mostly on time, rated); the rest are in
// the open states.
type benchTable struct {
	closed int // closed per 10 appeals
	now    time.Time
	depts  []any
}

var (
	openStates  = []string{"submitted", "accepted", "assigned", "in_progress", "waiting_enterprise", "replied", "rated", "reopened", "escalated"}
	benchClocks = [][]string{{"submitted", "accepted", "assigned"}, {"assigned", "in_progress", "reopened", "escalated"}, {"replied", "rated"}}
)

func (bt benchTable) row(i int) []any {
	kinds := []string{"consult", "help", "complaint", "suggestion", "praise"}
	topics := appeal.DefaultSettings().Topics
	sub := bt.now.Add(-time.Duration(i%365)*24*time.Hour - time.Duration(i%1440)*time.Minute)
	due := bt.now.Add(time.Duration(i%600-300)*24*time.Hour + time.Duration(i%7)*time.Hour)
	st := openStates[i%len(openStates)]
	if i%10 < bt.closed {
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
	var alerts [3]any
	for c, states := range benchClocks {
		switch {
		case !slices.Contains(states, st): // the clock stands still
			alerts[c] = 3
		case !due.Before(bt.now): // not due yet
			alerts[c] = 0
		case due.After(bt.now.Add(-3 * 24 * time.Hour)): // overdue, the second level still to come
			alerts[c] = 2
		default: // alerted to the end
			alerts[c] = 3
		}
	}
	return []any{fmt.Sprintf("B-%d", i), 2026, appeal.Channels[i%len(appeal.Channels)], kinds[i%len(kinds)], topics[(i/5)%len(topics)], "bench appeal",
		"bench appeal description", st, 1, bt.depts[i%len(bt.depts)], sub, sub, due, due, due, onTime, wd, rating, (i % 17) / 16, sub, sub,
		alerts[0], alerts[1], alerts[2]}
}

func benchEnv(b *testing.B, e db.Dialect, n, closed int) *sitetest.Env {
	env := sitetest.New(b, e)
	now := time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)
	env.Clock.Set(now)
	bt := benchTable{closed: closed, now: now,
		depts: []any{env.Depts["XC-SJJ"], env.Depts["XC-SWJ"], env.Depts["WD-SJJ"], env.Depts["XC-SJJ"], nil}}
	t0 := time.Now()
	bulkInsert(b, env.App.DB, n, bt.row)
	ctx := context.Background()
	analyze := "ANALYZE"
	if e == db.Postgres {
		analyze = "VACUUM ANALYZE appeals"
	}
	if _, err := env.App.DB.W(ctx).Exec(ctx, analyze); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: loaded %d appeals (%d/10 closed) in %s", e, n, closed, time.Since(t0).Round(time.Millisecond))
	return env
}

// BenchmarkScan times the SLA scan over APPEAL_BENCH_N appeals, all open
// ("open") or nine in ten closed ("closed90"): the first scan sends the
// alerts due now (each in its own transaction with audit event, timeline
// row and notifications), the second finds nothing new, which is what
// every 10-minute run costs. "examined" is what the scan read.
func BenchmarkScan(b *testing.B) {
	n := envInt("APPEAL_BENCH_N", 10000)
	for _, e := range engines {
		for _, closed := range []int{0, 9} {
			name := map[int]string{0: "open", 9: "closed90"}[closed]
			b.Run(fmt.Sprintf("%s/%s/n=%d", e, name, n), func(b *testing.B) {
				env := benchEnv(b, e, n, closed)
				ctx := sitetest.System()
				b.ResetTimer()
				for range b.N {
					t0, c0 := time.Now(), cpuTime()
					res, err := modules.Get[*appeal.Service](env.Modules).Scan(ctx)
					if err != nil {
						b.Fatal(err)
					}
					first, firstCPU := time.Since(t0), cpuTime()-c0
					t1, c1 := time.Now(), cpuTime()
					res2, err := modules.Get[*appeal.Service](env.Modules).Scan(ctx)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(first.Seconds(), "first-scan-s")
					b.ReportMetric(time.Since(t1).Seconds(), "steady-scan-s")
					if e == db.SQLite {
						b.ReportMetric(firstCPU.Seconds(), "first-scan-cpu-s")
						b.ReportMetric((cpuTime() - c1).Seconds(), "steady-scan-cpu-s")
					}
					b.ReportMetric(float64(res.Examined), "examined")
					b.ReportMetric(float64(res2.Examined), "steady-examined")
					sent := 0
					for _, k := range res.Alerts {
						sent += k
					}
					b.ReportMetric(float64(sent), "alerts")
				}
			})
		}
	}
}

// BenchmarkDashboard times the dashboard figures over APPEAL_BENCH_N
// appeals (nine in ten closed): Stats without a filter and with a type and
// period filter, the same through the JSON API, and (APPEAL_BENCH_BEFORE=1)
// the computation it replaced.
func BenchmarkDashboard(b *testing.B) {
	n := envInt("APPEAL_BENCH_N", 10000)
	for _, e := range engines {
		b.Run(fmt.Sprintf("%s/n=%d", e, n), func(b *testing.B) {
			env := benchEnv(b, e, n, 9)
			ctx := sitetest.System()
			tok := env.Token(b, "admin")
			b.ResetTimer()
			for range b.N {
				timed := func(metric string, fn func() error) {
					t0, c0 := time.Now(), cpuTime()
					if err := fn(); err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(time.Since(t0).Seconds(), metric)
					if e == db.SQLite {
						b.ReportMetric((cpuTime() - c0).Seconds(), strings.TrimSuffix(metric, "-s")+"-cpu-s")
					}
				}
				timed("stats-s", func() error {
					st, err := modules.Get[*appeal.Service](env.Modules).Stats(ctx, appeal.Filter{}, "zh")
					if err == nil && st.Total != int64(n) {
						err = fmt.Errorf("total %d", st.Total)
					}
					return err
				})
				timed("filtered-s", func() error {
					_, err := modules.Get[*appeal.Service](env.Modules).Stats(ctx, appeal.Filter{Kind: "complaint", From: "2026-06-01", To: "2026-08-31"}, "zh")
					return err
				})
				timed("api-s", func() error {
					if r := env.API(b, tok, "GET", "/api/v1/appeals/stats", nil); r.StatusCode != 200 {
						return fmt.Errorf("%d %s", r.StatusCode, r.Body)
					}
					return nil
				})
				if os.Getenv("APPEAL_BENCH_BEFORE") == "1" {
					timed("before-s", func() error {
						_, err := modules.Get[*appeal.Service](env.Modules).StatsBefore(ctx, appeal.Filter{}, "zh")
						return err
					})
				}
			}
		})
	}
}
