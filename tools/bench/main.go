// Command bench measures Yingshang's scale targets (issue 17). Every
// target runs its workload and a baseline timed in the same run,
// interleaved A B A B, and prints machine, date, load average, sizes, both
// timings and the ratio:
//
//	go run ./tools/bench list
//	go run ./tools/bench intake   -engine sqlite -requests 2000 -clients 8
//	go run ./tools/bench notify   -engine postgres -messages 5000
//	go run ./tools/bench inspect-sample -engine both -targets 300000 -inspectors 6000
//
// The daily licence scan ÷ count(*) is a Go benchmark of its package (it
// needs the licence module's test fixture):
//
//	YINGSHANG_BENCH_LICENSES=1000000 go test -run '^$' -bench DailyScan -benchtime 3x ./internal/license  (metric x-count)
//
//	go run ./tools/bench all      -engine sqlite   (every target at its default size)
//	go run ./tools/bench import|search|audit ...   (the platform-core figures)
//
// -engine both runs SQLite and then PostgreSQL. Each run uses a fresh
// database: a temporary SQLite file, or a new database on the PostgreSQL
// server of YINGSHANG_TEST_POSTGRES (default
// postgres://postgres@127.0.0.1:5432/test), dropped afterwards.
//
// Targets register themselves from their own files (init → Register), so
// that adding one is adding a file.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"yingshang/internal/db"
)

// Target is one benchmark subcommand.
type Target struct {
	Name    string
	Summary string
	// Flags declares the target's size flags on fs and returns the
	// function that runs it (after fs.Parse) on one engine.
	Flags func(fs *flag.FlagSet) func(r *Run) error
	// Smoke are the flags of the tiny run of the smoke test.
	Smoke []string
	// NotInAll leaves the target out of `all` (the legacy single-run
	// figures that have no baseline).
	NotInAll bool
}

// Run is one target's run on one engine.
type Run struct {
	Ctx    context.Context
	TB     testing.TB // for the test fixtures (sitetest, dbtest)
	Engine db.Dialect
	Out    io.Writer
	Rounds int // A B rounds
}

var targets = map[string]*Target{}

// Register adds a target; call it from an init function.
func Register(t *Target) {
	if _, dup := targets[t.Name]; dup {
		panic("bench: two targets named " + t.Name)
	}
	targets[t.Name] = t
}

func names() []string {
	var ns []string
	for n := range targets {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: bench TARGET [-engine sqlite|postgres|both] [-rounds N] [target flags]")
	fmt.Fprintln(w, "       bench all [-engine ...]   every target with a baseline, at its default size")
	fmt.Fprintln(w, "targets:")
	for _, n := range names() {
		fmt.Fprintf(w, "  %-12s %s\n", n, targets[n].Summary)
	}
	for _, n := range slices.Sorted(maps.Keys(scalebCommands)) {
		fmt.Fprintf(w, "  %-12s (own flags; see tools/bench/scaleb.go)\n", n)
	}
}

func main() {
	testing.Init()
	_ = flag.CommandLine.Parse(nil) // the fixtures ask testing.Verbose()
	if len(os.Args) < 2 || os.Args[1] == "list" || os.Args[1] == "-h" || os.Args[1] == "help" {
		usage(os.Stdout)
		return
	}
	// Issue 17 part B's subcommands (search-scale, expert-draw) keep their
	// own flag handling.
	if ok, err := runScaleb(os.Args[1], os.Args[2:]); ok {
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := Main(context.Background(), os.Stdout, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Main runs target name (or "all") with args.
func Main(ctx context.Context, out io.Writer, name string, args []string) error {
	var list []*Target
	if name == "all" {
		for _, n := range names() {
			if !targets[n].NotInAll {
				list = append(list, targets[n])
			}
		}
	} else if t, ok := targets[name]; ok {
		list = []*Target{t}
	} else {
		usage(os.Stderr)
		return fmt.Errorf("unknown target %q", name)
	}
	for _, t := range list {
		fs := flag.NewFlagSet(t.Name, flag.ContinueOnError)
		engine := fs.String("engine", "sqlite", "sqlite, postgres or both")
		rounds := fs.Int("rounds", 2, "A B rounds (workload, baseline) interleaved")
		run := t.Flags(fs)
		a := args
		if name == "all" {
			a = commonOnly(args)
		}
		if err := fs.Parse(a); err != nil {
			return err
		}
		engines := []db.Dialect{db.Dialect(*engine)}
		if *engine == "both" {
			engines = []db.Dialect{db.SQLite, db.Postgres}
		}
		for _, e := range engines {
			if e != db.SQLite && e != db.Postgres {
				return fmt.Errorf("-engine must be sqlite, postgres or both")
			}
			if err := RunOne(ctx, out, t.Name, e, max(1, *rounds), run); err != nil {
				return fmt.Errorf("%s on %s: %w", t.Name, e, err)
			}
		}
	}
	return nil
}

// commonOnly keeps the flags every target has (for `all`).
func commonOnly(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := strings.TrimLeft(args[i], "-")
		name, _, hasVal := strings.Cut(a, "=")
		if name == "engine" || name == "rounds" {
			out = append(out, args[i])
			if !hasVal && i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
		}
	}
	return out
}

// RunOne runs one target on one engine with a fixture TB (tb) that turns
// Fatal into an error and runs the cleanups at the end.
func RunOne(ctx context.Context, out io.Writer, name string, e db.Dialect, rounds int, run func(r *Run) error) (err error) {
	t := &tb{name: name}
	defer t.cleanup()
	defer func() {
		if p := recover(); p != nil {
			f, ok := p.(fatal)
			if !ok {
				panic(p)
			}
			err = f
		}
	}()
	header(out, name, e)
	return run(&Run{Ctx: ctx, TB: t, Engine: e, Out: out, Rounds: rounds})
}

// RunTB is RunOne with a real test's TB (the smoke test).
func RunTB(t testing.TB, out io.Writer, name string, e db.Dialect, args []string) error {
	tg := targets[name]
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	run := tg.Flags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	header(out, name, e)
	return run(&Run{Ctx: context.Background(), TB: t, Engine: e, Out: out, Rounds: 1})
}

func header(out io.Writer, name string, e db.Dialect) {
	host, _ := os.Hostname()
	fmt.Fprintf(out, "## %s on %s\nmachine: %s, %d cores (%s), %s, %s\ndate: %s\nload average: %s\n",
		name, e, host, runtime.NumCPU(), cpuModel(), memTotal(), runtime.Version(),
		time.Now().UTC().Format("2006-01-02 15:04:05 UTC"), loadAvg())
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return fmt.Sprintf("%.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return "RAM unknown"
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// Measure is one side of a comparison: its operations and time over all
// rounds.
type Measure struct {
	Label string
	Ops   int
	Time  time.Duration
	Lat   []time.Duration // per-operation latencies, when the side has them
	// CPU used while the side ran (Interleave fills it in): by the whole
	// machine, the database server included, and by this process. On a
	// quiet machine the first is what an operation costs in CPU.
	CPU cpuSample
}

// PerSec is operations per second.
func (m Measure) PerSec() float64 { return float64(m.Ops) / m.Time.Seconds() }

// Interleave runs a and b alternately, rounds times each (A B A B ...),
// and adds up each side's operations and time.
func Interleave(rounds int, a, b func(round int) (Measure, error)) (Measure, Measure, error) {
	ms, err := InterleaveAll(rounds, a, b)
	return ms[0], ms[1], err
}

// InterleaveAll is Interleave with any number of sides, run in turn in
// every round (A B C A B C ...).
func InterleaveAll(rounds int, sides ...func(round int) (Measure, error)) ([]Measure, error) {
	acc := make([]Measure, len(sides))
	for i := 0; i < rounds; i++ {
		for j, fn := range sides {
			c0 := sampleCPU()
			m, err := fn(i)
			if err != nil {
				return acc, err
			}
			used := sampleCPU().sub(c0)
			a := &acc[j]
			a.Label = m.Label
			a.Ops += m.Ops
			a.Time += m.Time
			a.Lat = append(a.Lat, m.Lat...)
			a.CPU.machine += used.machine
			a.CPU.self += used.self
		}
	}
	return acc, nil
}

// Percentile of sorted-or-not latencies.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

// Concurrent runs total calls of fn on clients goroutines and returns the
// latencies and the wall time.
func Concurrent(total, clients int, fn func(i int) error) ([]time.Duration, time.Duration, error) {
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
	return lat, time.Since(start), firstErr
}

// PrintRates prints a throughput comparison (higher is better) and
// returns A's rate ÷ B's.
func PrintRates(out io.Writer, unit string, a, b Measure) float64 {
	PrintRate(out, unit, a)
	PrintRate(out, unit, b)
	return PrintRatio(out, a, b)
}

// PrintRate prints one side's throughput line.
func PrintRate(out io.Writer, unit string, m Measure) {
	fmt.Fprintf(out, "  %-34s %8d %s in %-10s %10.1f %s/s", m.Label, m.Ops, unit, m.Time.Round(time.Millisecond), m.PerSec(), unit)
	if len(m.Lat) > 0 {
		fmt.Fprintf(out, "  p50 %s p99 %s", Percentile(m.Lat, .5).Round(10*time.Microsecond), Percentile(m.Lat, .99).Round(10*time.Microsecond))
	}
	if m.CPU.machine > 0 && m.Ops > 0 {
		// CPU per operation: the machine's (other load included) and
		// this process's share of it.
		fmt.Fprintf(out, "  cpu/%s %s (this process %s)", unit, (m.CPU.machine / time.Duration(m.Ops)).Round(time.Microsecond),
			(m.CPU.self / time.Duration(m.Ops)).Round(time.Microsecond))
	}
	fmt.Fprintln(out)
}

// PrintRatio prints and returns A's rate ÷ B's.
func PrintRatio(out io.Writer, a, b Measure) float64 {
	r := a.PerSec() / b.PerSec()
	fmt.Fprintf(out, "  RATIO %s ÷ %s = %.2f\n", a.Label, b.Label, r)
	return r
}

// PrintTimes prints a time comparison (lower is better) and returns A's
// time ÷ B's.
func PrintTimes(out io.Writer, a, b Measure) float64 {
	fmt.Fprintf(out, "  %-34s %s (%d runs)\n", a.Label, a.Time.Round(time.Millisecond), a.Ops)
	fmt.Fprintf(out, "  %-34s %s (%d runs)\n", b.Label, b.Time.Round(time.Millisecond), b.Ops)
	r := a.Time.Seconds() / b.Time.Seconds()
	fmt.Fprintf(out, "  RATIO %s ÷ %s = %.2f\n", a.Label, b.Label, r)
	return r
}

// fatal is what tb.Fatal panics with; RunOne turns it into the error.
type fatal struct{ msg string }

func (f fatal) Error() string { return f.msg }

// tb lets the command use the test fixtures (sitetest, dbtest), which take
// a testing.TB. The embedded interface is nil: only the methods below may
// be called, which are the ones those fixtures use.
type tb struct {
	testing.TB
	name     string
	mu       sync.Mutex
	cleanups []func()
}

func (t *tb) Helper()                   {}
func (t *tb) Name() string              { return "bench_" + t.name }
func (t *tb) Failed() bool              { return false }
func (t *tb) Skipped() bool             { return false }
func (t *tb) Context() context.Context  { return context.Background() }
func (t *tb) Fatal(a ...any)            { panic(fatal{fmt.Sprint(a...)}) }
func (t *tb) Fatalf(f string, a ...any) { panic(fatal{fmt.Sprintf(f, a...)}) }
func (t *tb) Error(a ...any)            { panic(fatal{fmt.Sprint(a...)}) }
func (t *tb) Errorf(f string, a ...any) { panic(fatal{fmt.Sprintf(f, a...)}) }
func (t *tb) FailNow()                  { panic(fatal{"failed"}) }
func (t *tb) Skip(a ...any)             { panic(fatal{"skipped: " + fmt.Sprint(a...)}) }
func (t *tb) Skipf(f string, a ...any)  { panic(fatal{"skipped: " + fmt.Sprintf(f, a...)}) }
func (t *tb) Log(a ...any)              { fmt.Fprintln(os.Stderr, a...) }
func (t *tb) Logf(f string, a ...any)   { fmt.Fprintf(os.Stderr, f+"\n", a...) }
func (t *tb) Setenv(k, v string)        { os.Setenv(k, v) }
func (t *tb) Cleanup(f func())          { t.mu.Lock(); t.cleanups = append(t.cleanups, f); t.mu.Unlock() }
func (t *tb) TempDir() string {
	dir, err := os.MkdirTemp("", "ys-bench-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (t *tb) cleanup() {
	t.mu.Lock()
	cs := t.cleanups
	t.cleanups = nil
	t.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}
