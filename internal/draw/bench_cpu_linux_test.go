package draw

import (
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"
)

// threadCPU is the CPU time of the calling OS thread (getrusage
// RUSAGE_THREAD, Linux only).
func threadCPU(b *testing.B) time.Duration {
	const rusageThread = 1
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDrawCPU100k is BenchmarkDraw100k (Freeze, Commit, Run) and the
// filter pass of BenchmarkFilterPass100k, alternating, timed by the
// thread's CPU time rather than the clock: on a shared machine the
// clock's medians move with the other processes' load, the CPU time much
// less. It reports both medians and their ratio (the expert-draw bench's
// p50 ratio, in CPU time).
//
//	go test -run '^$' -bench DrawCPU100k -benchtime 300x ./internal/draw/
func BenchmarkDrawCPU100k(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pool, ctx, groups := benchPool()
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "experts", Groups: SpecGroups(groups)}
	secret := make([]byte, 32)
	var draws, filters []time.Duration
	for i := 0; b.Loop(); i++ {
		c0 := threadCPU(b)
		drawOnce(b, pool, ctx, groups, spec, secret, i)
		c1 := threadCPU(b)
		if len(poolFilterPass(pool, groups)) == 0 {
			b.Fatal("empty")
		}
		draws, filters = append(draws, c1-c0), append(filters, threadCPU(b)-c1)
	}
	slices.Sort(draws)
	slices.Sort(filters)
	d, f := draws[len(draws)/2], filters[len(filters)/2]
	b.ReportMetric(float64(d.Microseconds())/1000, "draw-cpu-p50-ms")
	b.ReportMetric(float64(f.Microseconds())/1000, "filter-cpu-p50-ms")
	b.ReportMetric(float64(d)/float64(f), "cpu-p50-ratio")
}
