// The platform-core figures (issue 2): import, search and audit, each a
// single timed run without a baseline.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"yingshang/internal/app"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/jobs"
	"yingshang/internal/secret"
)

func init() {
	Register(&Target{Name: "import", Summary: "entity import throughput and peak memory (no baseline)", NotInAll: true,
		Smoke: []string{"-rows", "50"},
		Flags: func(fs *flag.FlagSet) func(r *Run) error {
			rows := fs.Int("rows", 100000, "entities to import")
			format := fs.String("format", "csv", "import file format: csv or xlsx")
			return withFreshDB(func(r *Run, d *db.DB) error { return benchImport(r.Ctx, d, *rows, *format) })
		}})
	Register(&Target{Name: "search", Summary: "entity search p50/p99 (no baseline)", NotInAll: true,
		Smoke: []string{"-rows", "50", "-queries", "2"},
		Flags: func(fs *flag.FlagSet) func(r *Run) error {
			rows := fs.Int("rows", 100000, "entities to load")
			queries := fs.Int("queries", 300, "search queries per kind")
			return withFreshDB(func(r *Run, d *db.DB) error { return benchSearch(r.Ctx, d, *rows, *queries) })
		}})
	Register(&Target{Name: "audit", Summary: "audit appends and verification (no baseline)", NotInAll: true,
		Smoke: []string{"-events", "20"},
		Flags: func(fs *flag.FlagSet) func(r *Run) error {
			events := fs.Int("events", 100000, "audit events to append")
			return withFreshDB(func(r *Run, d *db.DB) error { return benchAudit(r.Ctx, d, *events) })
		}})
}

func withFreshDB(fn func(r *Run, d *db.DB) error) func(r *Run) error {
	return func(r *Run) error {
		d, cleanup, err := freshDB(r.Ctx, r.Engine)
		if err != nil {
			return err
		}
		defer cleanup()
		return fn(r, d)
	}
}

func freshDB(ctx context.Context, e db.Dialect) (*db.DB, func(), error) {
	var d *db.DB
	var cleanup func()
	switch e {
	case db.SQLite:
		dir, err := os.MkdirTemp("", "ys-bench")
		if err != nil {
			return nil, nil, err
		}
		d, err = db.Open(ctx, "sqlite:"+filepath.Join(dir, "bench.db"), "")
		if err != nil {
			return nil, nil, err
		}
		cleanup = func() { d.Close(); os.RemoveAll(dir) }
	case db.Postgres:
		server := os.Getenv("YINGSHANG_TEST_POSTGRES")
		if server == "" {
			server = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		}
		admin, err := pgx.Connect(ctx, server)
		if err != nil {
			return nil, nil, err
		}
		name := fmt.Sprintf("ys_bench_%d", time.Now().UnixNano())
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			return nil, nil, err
		}
		u, _ := url.Parse(server)
		u.Path = "/" + name
		d, err = db.Open(ctx, u.String(), "")
		if err != nil {
			return nil, nil, err
		}
		cleanup = func() {
			d.Close()
			_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			admin.Close(ctx)
		}
	default:
		return nil, nil, fmt.Errorf("engine must be sqlite or postgres")
	}
	if _, err := d.Migrate(ctx, time.Now(), app.CoreSchema()); err != nil {
		cleanup()
		return nil, nil, err
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		cleanup()
		return nil, nil, err
	}
	return d, cleanup, nil
}

func services(d *db.DB) (*entity.Service, *audit.Log) {
	keys, _ := secret.Parse("k1:" + secret.NewKey())
	c := clock.Real{}
	l := &audit.Log{DB: d, Clock: c}
	return &entity.Service{DB: d, Audit: l, Keys: keys, Clock: c}, l
}

// peakRSS reads the process's peak resident set size (VmHWM) in MiB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// resetPeak resets VmHWM so that the import's peak is measured, not the
// file generation's.
func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func makeFile(rows int, format string) (string, error) {
	dir, err := os.MkdirTemp("", "ys-bench-file")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "entities."+format)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return path, entity.WriteSample(f, format, rand.New(rand.NewPCG(1, 2)), rows)
}

func benchImport(ctx context.Context, d *db.DB, rows int, format string) error {
	es, _ := services(d)
	path, err := makeFile(rows, format)
	if err != nil {
		return err
	}
	defer os.RemoveAll(filepath.Dir(path))
	st, _ := os.Stat(path)
	runtime.GC()
	resetPeak()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sys := auth.WithActor(ctx, auth.System("bench"))
	start := time.Now()
	rep, err := es.Import(sys, f, filepath.Base(path), entity.ImportOptions{Mode: entity.ModeAllOrNothing})
	if err != nil {
		return err
	}
	el := time.Since(start)
	if !rep.Committed || rep.Created != rows {
		return fmt.Errorf("import: committed=%v created=%d bad=%d", rep.Committed, rep.Created, rep.Bad)
	}
	fmt.Printf("| import %s | %s | %d rows (%.0f MiB file) | %s | %.0f rows/s | peak RSS %.0f MiB |\n",
		format, d.Dialect, rows, float64(st.Size())/(1<<20), el.Round(time.Millisecond), float64(rows)/el.Seconds(), peakRSS())
	return nil
}

func load(ctx context.Context, d *db.DB, rows int) (*entity.Service, error) {
	es, _ := services(d)
	path, err := makeFile(rows, "csv")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(filepath.Dir(path))
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sys := auth.WithActor(ctx, auth.System("bench"))
	rep, err := es.Import(sys, bytes.NewReader(b), "entities.csv", entity.ImportOptions{Mode: entity.ModeAllOrNothing})
	if err != nil {
		return nil, err
	}
	if !rep.Committed {
		return nil, fmt.Errorf("load: %d bad rows", rep.Bad)
	}
	return es, nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

func benchSearch(ctx context.Context, d *db.DB, rows, n int) error {
	es, err := load(ctx, d, rows)
	if err != nil {
		return err
	}
	if _, err := es.EnsureSearchIndex(ctx); err != nil {
		return err
	}
	sys := auth.WithActor(ctx, auth.System("bench"))
	r := rand.New(rand.NewPCG(3, 4))
	fragments := []string{"瑞丰", "商贸", "机械", "许昌", "建安", "餐馆", "科技", "农业", "恒达", "发制品", "鑫源", "物流"}
	regions := []string{"411002", "411003", "411081", "411082", "411024", "411025", "411000"}
	industries := []string{"C", "F", "51", "52", "5191", "3431", "I", "H62"}
	run := func(label string, mk func() entity.Filter) error {
		var ds []time.Duration
		var hits int64
		for i := 0; i < n; i++ {
			f := mk()
			f.PerPage = 20
			start := time.Now()
			_, total, err := es.Search(sys, f)
			if err != nil {
				return err
			}
			ds = append(ds, time.Since(start))
			hits += total
		}
		fmt.Printf("| search %s | %s | %d entities, %d queries | p50 %s | p99 %s | mean hits %d |\n",
			label, d.Dialect, rows, n, percentile(ds, .5).Round(10*time.Microsecond), percentile(ds, .99).Round(10*time.Microsecond), hits/int64(n))
		return nil
	}
	if err := run("name fragment", func() entity.Filter { return entity.Filter{Q: fragments[r.IntN(len(fragments))]} }); err != nil {
		return err
	}
	return run("region+industry", func() entity.Filter {
		return entity.Filter{Region: regions[r.IntN(len(regions))], Industry: industries[r.IntN(len(industries))]}
	})
}

func benchAudit(ctx context.Context, d *db.DB, n int) error {
	_, l := services(d)
	sys := auth.WithActor(ctx, auth.System("bench"))
	start := time.Now()
	const batch = 1000
	for i := 0; i < n; i += batch {
		err := d.WithTx(sys, func(ctx context.Context) error {
			for j := i; j < min(i+batch, n); j++ {
				if err := l.Record(ctx, "entity.update", "entity", strconv.Itoa(j), map[string]int{"v": j}, map[string]int{"v": j + 1}, ""); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	appendTime := time.Since(start)
	// Events are pending until the sequencer integrates them into the
	// transparency log (issue 12); verification covers integrated events.
	dir, err := os.MkdirTemp("", "ys-bench-key")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if l.Signer, err = audit.LoadOrCreateKey(dir, "bench.yingshang"); err != nil {
		return err
	}
	start = time.Now()
	if _, err := l.IntegrateAll(ctx); err != nil {
		return err
	}
	integrate := time.Since(start)
	start = time.Now()
	res, err := l.Verify(ctx)
	if err != nil {
		return err
	}
	el := time.Since(start)
	if !res.OK || res.Events != int64(n) {
		return fmt.Errorf("verify: %+v", res)
	}
	fmt.Printf("| audit log | %s | %d events | append %.0f events/s (batches of %d) | integrate %.0f events/s | verify %s | %.0f events/s verified | peak RSS %.0f MiB |\n",
		d.Dialect, n, float64(n)/appendTime.Seconds(), batch, float64(n)/integrate.Seconds(), el.Round(time.Millisecond), float64(n)/el.Seconds(), peakRSS())
	return nil
}
