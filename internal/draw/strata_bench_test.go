package draw

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// stratifiedFrame is a city-sized frame: n targets in 4 classes (the
// Hanzhong shares 91 / 3.1 / 4.2 / 1.7%) over 7 regions, m inspectors.
func stratifiedFrame(n, m int) (CandidateList, Spec) {
	r := rand.New(rand.NewPCG(6122, 300000))
	regions := []string{"r:411002", "r:411003", "r:411023", "r:411024", "r:411025", "r:411081", "r:411082"}
	var list CandidateList
	sizes := map[string]int{}
	for i := range n {
		x := r.IntN(1000)
		c := "A"
		switch {
		case x >= 983:
			c = "D"
		case x >= 941:
			c = "C"
		case x >= 910:
			c = "B"
		}
		sizes[c]++
		list.Candidates = append(list.Candidates, Candidate{ID: fmt.Sprintf("9141%014d", i), Groups: []string{c, regions[i%len(regions)]}})
	}
	for i := range m {
		list.Candidates = append(list.Candidates, Candidate{ID: fmt.Sprintf("I-%08d", i), Groups: []string{"inspector", regions[i%len(regions)]}})
	}
	ratios := map[string]int{"A": 20, "B": 50, "C": 200, "D": 500}
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "inspection", Strata: &Strata{RatiosPermille: ratios},
		Teams: &Teams{Size: 2, Pool: "inspector", Match: "r:", Avoid: map[string][]Exclusion{}}}
	for _, c := range []string{"A", "B", "C", "D"} {
		spec.Groups = append(spec.Groups, Group{Name: c, Count: StratumCount(sizes[c], ratios[c])})
	}
	for i := 0; i < n; i += 50 {
		spec.Teams.Avoid[list.Candidates[i].ID] = []Exclusion{{ID: fmt.Sprintf("I-%08d", i%m), Reasons: []string{ReasonRelation}}}
	}
	return list, spec
}

// filterPass is the baseline: one pass over the same targets and
// inspectors that a filter does (class and region of each, counted).
func filterPass(list CandidateList) int {
	n := 0
	counts := map[string]int{}
	for _, c := range list.Candidates {
		for _, g := range c.Groups {
			if strings.HasPrefix(g, "r:") || g == "A" || g == "B" || g == "C" || g == "D" || g == "inspector" {
				counts[g]++
				n++
			}
		}
	}
	return n + len(counts)
}

// BenchmarkStratifiedSampling reports the protocol's cost of sampling a
// plan (commitment hashes, selection of the strata, 2 inspectors per task)
// as a ratio of one filter pass over the same frame, timed in the same run.
// Sizes: STRATA_N targets (default 300,000) and 6,000 inspectors.
func BenchmarkStratifiedSampling(b *testing.B) {
	list, spec := stratifiedFrame(300000, 6000)
	seed := make([]byte, 32)
	var base, work time.Duration
	for b.Loop() {
		t0 := time.Now()
		filterPass(list)
		base += time.Since(t0)
		t1 := time.Now()
		if _, err := Commit(list, spec, seed, time.Unix(0, 0)); err != nil {
			b.Fatal(err)
		}
		picks, err := Select(seed, spec, list)
		if err != nil || len(picks) == 0 {
			b.Fatal(err)
		}
		work += time.Since(t1)
	}
	b.ReportMetric(float64(work)/float64(base), "x-filter-pass")
	b.ReportMetric(float64(base.Milliseconds())/float64(b.N), "filter-ms")
	b.ReportMetric(float64(work.Milliseconds())/float64(b.N), "sample-ms")
}
