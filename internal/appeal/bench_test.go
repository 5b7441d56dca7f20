package appeal_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"yingshang/internal/appeal"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// Benchmarks. Sizes come from the environment:
//
//	APPEAL_BENCH_REQUESTS  intake requests per engine (default 2000)
//	APPEAL_BENCH_CLIENTS   concurrent clients (default 8)
//	APPEAL_BENCH_N         appeals for the scan and dashboard benchmarks (default 10000)
//
// Run: YINGSHANG_TEST_REQUIRE_POSTGRES=1 APPEAL_BENCH_N=1000000 go test -run XXX -bench . -benchtime 1x ./internal/appeal/

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

func report(b *testing.B, prefix string, lat []time.Duration, wall time.Duration) float64 {
	rps := float64(len(lat)) / wall.Seconds()
	b.ReportMetric(rps, prefix+"req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, prefix+"p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, prefix+"p99-ms")
	return rps
}

// BenchmarkIntake posts appeals through the JSON API with concurrent
// clients, then measures the database's own ceiling for the same
// transaction shape (INSERT of the appeal row plus its audit row, in one
// transaction, from a Go loop with the same concurrency) in the same run.
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
			}
		})
	}
}

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
			_, err := d.W(ctx).Exec(ctx, `INSERT INTO appeal_events (appeal_id, action, from_state, to_state, actor_name, note, public, created_at)
				VALUES ($1, 'submit', '', 'submitted', 'bench', '', TRUE, $2)`, id, now)
			return err
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	return report(b, "raw-", lat, wall)
}

// fill inserts n appeals in bulk, submitted over the last year, with
// deadlines spread from 300 days ago to 300 days ahead (past ones already
// alerted, as in a running system), some answered, rated and reopened.
func fill(b *testing.B, d *db.DB, n int, now time.Time, dept int64) {
	ctx := context.Background()
	states := []string{"submitted", "accepted", "assigned", "in_progress", "waiting_enterprise", "replied", "rated", "closed"}
	kinds := []string{"consult", "help", "complaint", "suggestion", "praise"}
	topics := appeal.DefaultSettings().Topics
	const batch = 50
	for start := 0; start < n; start += batch {
		var sb strings.Builder
		var args []any
		sb.WriteString(`INSERT INTO appeals (number, year, channel, kind, topic, title, description, state, version, lead_dept_id,
			clock_start, submitted_at, first_response_due, reply_due, followup_due, reply_on_time, handling_workdays, rating, reopen_count,
			created_at, updated_at, fr_alert, reply_alert, fu_alert) VALUES `)
		for i := start; i < min(start+batch, n); i++ {
			sub := now.Add(-time.Duration(i%365) * 24 * time.Hour)
			due := now.Add(time.Duration(i%600-300) * 24 * time.Hour)
			alerted := 0
			if due.Before(now) {
				alerted = 3 // alerted long ago: the steady state
			}
			st := states[i%len(states)]
			onTime := any(nil)
			hd := any(nil)
			rating := ""
			if st == "replied" || st == "rated" || st == "closed" {
				onTime, hd = i%5 != 0, i%9
			}
			if st == "rated" || st == "closed" {
				rating = []string{"satisfied", "basic", "unsatisfied"}[i%3]
			}
			if i > start {
				sb.WriteString(",")
			}
			k := len(args)
			sb.WriteString("(")
			for j := 1; j <= 24; j++ {
				if j > 1 {
					sb.WriteString(",")
				}
				sb.WriteString("$" + strconv.Itoa(k+j))
			}
			sb.WriteString(")")
			args = append(args, fmt.Sprintf("B-%d", i), 2026, "web", kinds[i%len(kinds)], topics[i%len(topics)], "bench", "bench", st, 1, dept,
				sub, sub, due, due, due, onTime, hd, rating, i%17/16, sub, sub, alerted, alerted, alerted)
		}
		if err := d.WithTx(ctx, func(ctx context.Context) error {
			_, err := d.W(ctx).Exec(ctx, sb.String(), args...)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEnv(b *testing.B, e db.Dialect, n int) *sitetest.Env {
	env := sitetest.New(b, e)
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	t0 := time.Now()
	fill(b, env.App.DB, n, now, env.Depts["XC-SJJ"])
	b.Logf("%s: inserted %d appeals in %s", e, n, time.Since(t0).Round(time.Millisecond))
	if e == db.Postgres {
		_, _ = env.App.DB.W(context.Background()).Exec(context.Background(), "ANALYZE appeals")
	}
	return env
}

// BenchmarkScan times one SLA scan over APPEAL_BENCH_N appeals (most of
// them open): the first scan sends the alerts due, the second finds
// nothing new (the steady state every 10 minutes).
func BenchmarkScan(b *testing.B) {
	n := envInt("APPEAL_BENCH_N", 10000)
	for _, e := range engines {
		b.Run(fmt.Sprintf("%s/n=%d", e, n), func(b *testing.B) {
			env := benchEnv(b, e, n)
			ctx := sitetest.System()
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				res, err := env.Modules.Appeal.Scan(ctx)
				if err != nil {
					b.Fatal(err)
				}
				first := time.Since(t0)
				t1 := time.Now()
				if _, err := env.Modules.Appeal.Scan(ctx); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(first.Seconds(), "first-scan-s")
				b.ReportMetric(time.Since(t1).Seconds(), "steady-scan-s")
				b.ReportMetric(float64(res.Examined), "examined")
			}
		})
	}
}

// BenchmarkDashboard times the dashboard figures over APPEAL_BENCH_N appeals.
func BenchmarkDashboard(b *testing.B) {
	n := envInt("APPEAL_BENCH_N", 10000)
	for _, e := range engines {
		b.Run(fmt.Sprintf("%s/n=%d", e, n), func(b *testing.B) {
			env := benchEnv(b, e, n)
			ctx := sitetest.System()
			b.ResetTimer()
			for range b.N {
				st, err := env.Modules.Appeal.Stats(ctx, appeal.Filter{}, "zh")
				if err != nil {
					b.Fatal(err)
				}
				if st.Total < int64(n) {
					b.Fatalf("total %d", st.Total)
				}
			}
		})
	}
}
