package audit_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// TestBenchSequencer measures the sequencer's throughput and proof
// generation on a log of 10 million events (docs/benchmarks.md). It runs
// only with AUDIT_BENCH=1 (PostgreSQL: the 10-million-event tree's 20
// million stored hashes are synthesised with generate_series).
func TestBenchSequencer(t *testing.T) {
	if os.Getenv("AUDIT_BENCH") == "" {
		t.Skip("set AUDIT_BENCH=1 to run the audit log benchmark")
	}
	ctx := context.Background()
	for _, e := range dbtest.Engines {
		d := dbtest.New(t, e)
		l := newLog(t, d, clock.Real{})
		const events = 20000
		start := time.Now()
		err := d.WithTx(ctx, func(ctx context.Context) error {
			for i := 0; i < events; i++ {
				if err := l.Record(ctx, "bench.event", "thing", fmt.Sprint(i), nil, i, ""); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		appended := time.Since(start)
		start = time.Now()
		n, err := l.IntegrateAll(ctx)
		if err != nil || n != events {
			t.Fatal(n, err)
		}
		took := time.Since(start)
		fmt.Printf("%s: appended %d events in %s; sequencer integrated them in %s: %.0f events/s\n", e, events, appended.Round(time.Millisecond), took.Round(time.Millisecond), float64(events)/took.Seconds())
	}
	d := dbtest.New(t, db.Postgres)
	l := newLog(t, d, clock.Real{})
	const size = int64(10_000_000)
	count := tlog.StoredHashCount(size)
	start := time.Now()
	if _, err := d.W(ctx).Exec(ctx, "INSERT INTO audit_tree_hashes (idx, hash) SELECT i, sha256(int8send(i)) FROM generate_series(0, $1::bigint - 1) AS i", count); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W(ctx).Exec(ctx, "UPDATE audit_head SET seq = $1 WHERE id = 1", size); err != nil {
		t.Fatal(err)
	}
	if _, err := d.W(ctx).Exec(ctx, "ANALYZE audit_tree_hashes"); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("postgres: synthesised %d stored hashes of a %d-event tree in %s\n", count, size, time.Since(start).Round(time.Second))
	const runs = 200
	start = time.Now()
	for i := int64(0); i < runs; i++ {
		if _, err := l.InclusionProof(ctx, (i*7919*1237)%size, size); err != nil {
			t.Fatal(err)
		}
	}
	incl := time.Since(start) / runs
	start = time.Now()
	for i := int64(1); i <= runs; i++ {
		if _, err := l.ConsistencyProof(ctx, size-i*31337, size); err != nil {
			t.Fatal(err)
		}
	}
	cons := time.Since(start) / runs
	fmt.Printf("postgres, 10M events: inclusion proof %s, consistency proof %s (mean of %d)\n", incl, cons, runs)
}
