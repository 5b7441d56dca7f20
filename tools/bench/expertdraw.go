package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"yingshang/internal/draw"
)

func init() { scalebCommands["expert-draw"] = benchExpertDraw }

// drawPool is the pool of BenchmarkDraw100k in internal/draw: n experts
// over 10 specialties and 20 regions, 2% suspended, 1% employed by a
// bidder, 1% declaring a relation.
func drawPool(n int) ([]draw.PoolMember, draw.Context, []draw.QuotaGroup) {
	r := rand.New(rand.NewPCG(1, 1))
	bidders := []string{"B1", "B2", "B3"}
	pool := make([]draw.PoolMember, n)
	for i := range pool {
		m := draw.PoolMember{Key: fmt.Sprintf("E-%08d", i), Specialties: []string{fmt.Sprintf("S%02d", r.IntN(10))},
			Region: fmt.Sprintf("4110%02d", r.IntN(20)), Status: "active", EmployerUSCC: fmt.Sprintf("U%06d", r.IntN(50000))}
		switch x := r.IntN(100); {
		case x < 2:
			m.Status = "suspended"
		case x < 3:
			m.EmployerUSCC = bidders[r.IntN(3)]
		case x < 4:
			m.Relations = []string{bidders[r.IntN(3)]}
		}
		pool[i] = m
	}
	ctx := draw.Context{TendererUSCC: "T1", BidderUSCCs: bidders, Region: "411002", CrossRegion: true}
	groups := []draw.QuotaGroup{{Name: "technical", Specialties: []string{"S00", "S01", "S02", "S03", "S04", "S05", "S06"}, Count: 6, Reserves: 2},
		{Name: "economic", Specialties: []string{"S07", "S08", "S09"}, Count: 3, Reserves: 1}}
	return pool, ctx, groups
}

// benchExpertDraw: a whole expert draw (freeze the candidate list with the
// eligibility and avoidance rules, commit: canonical JSON + SHA-256, run:
// seed and select 9 experts + 3 reserves) against the baseline, one
// plain filter pass over the same pool (active experts of the technical
// specialties), interleaved A B A B.
//
//	go run ./tools/bench expert-draw -experts 100000 -runs 200
func benchExpertDraw(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("expert-draw", flag.ExitOnError)
	n := fs.Int("experts", 100000, "pool size")
	runs := fs.Int("runs", 200, "draws (and as many baseline passes)")
	_ = fs.Parse(args)
	scalebHeader("expert draw ÷ one filter pass (issue 17)")
	pool, pctx, groups := drawPool(*n)
	spec := draw.Spec{Algorithm: draw.AlgorithmVersion, Purpose: "experts", Groups: draw.SpecGroups(groups)}
	secret := make([]byte, 32)
	var a, b, fz, cm, rn []time.Duration
	kept := 0
	for i := 0; i < *runs; i++ {
		t0 := time.Now()
		list := draw.Freeze(pool, pctx, groups)
		t1 := time.Now()
		c, err := draw.Commit(list, spec, secret, time.Unix(0, 0))
		if err != nil {
			return err
		}
		t2 := time.Now()
		rec, err := draw.Run(list, spec, c, secret, fmt.Sprint(i), nil, time.Unix(1, 0))
		if err != nil {
			return err
		}
		a = append(a, time.Since(t0))
		fz, cm, rn = append(fz, t1.Sub(t0)), append(cm, t2.Sub(t1)), append(rn, time.Since(t2))
		t0 = time.Now()
		var out []string
		for _, m := range pool {
			if m.Status == "active" && slices.Contains(groups[0].Specialties, m.Specialties[0]) {
				out = append(out, m.Key)
			}
		}
		b = append(b, time.Since(t0))
		kept += len(out) + len(rec.Picks)
	}
	a50, b50, pa, pb := percentile(a, .5), percentile(b, .5), percentile(a, .99), percentile(b, .99)
	load, _ := os.ReadFile("/proc/loadavg")
	// The median ratio is the headline: on a shared machine both p99s are
	// the odd stalled run, so their ratio says little on its own.
	fmt.Printf("# ratio: draw p50 ÷ filter pass p50 = %.2f, draw p99 ÷ filter pass p99 = %.2f (target ≤ 3 each)\n",
		float64(a50)/float64(b50), float64(pa)/float64(pb))
	fmt.Println("| experts | runs | draw p50 | draw p99 | filter pass p50 | filter pass p99 | p50 ratio | p99 ÷ p99 |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	fmt.Printf("| %d | %d | %s | %s | %s | %s | %.2f | %.2f |\n", *n, *runs, ms(a50), ms(pa), ms(b50), ms(pb),
		float64(a50)/float64(b50), float64(pa)/float64(pb))
	fmt.Printf("# draw parts, medians: freeze %s, commit (canonical JSON + SHA-256) %s, run (seed + select) %s\n",
		ms(percentile(fz, .5)), ms(percentile(cm, .5)), ms(percentile(rn, .5)))
	fmt.Printf("# load average at the end: %s\n", strings.TrimSpace(string(load)))
	if kept == 0 {
		return fmt.Errorf("empty draws")
	}
	return nil
}
