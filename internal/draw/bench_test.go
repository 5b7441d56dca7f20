package draw

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// benchPool is 100,000 experts over 10 specialties and 20 regions, with 2%
// suspended, 1% employed by a bidder and 1% declaring a relation.
func benchPool() ([]PoolMember, Context, []QuotaGroup) {
	r := rand.New(rand.NewPCG(1, 1))
	bidders := []string{"B1", "B2", "B3"}
	pool := make([]PoolMember, 100_000)
	for i := range pool {
		m := PoolMember{Key: fmt.Sprintf("E-%08d", i), Specialties: []string{fmt.Sprintf("S%02d", r.IntN(10))},
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
	ctx := Context{TendererUSCC: "T1", BidderUSCCs: bidders, Region: "411002", CrossRegion: true}
	groups := []QuotaGroup{{Name: "technical", Specialties: []string{"S00", "S01", "S02", "S03", "S04", "S05", "S06"}, Count: 6, Reserves: 2},
		{Name: "economic", Specialties: []string{"S07", "S08", "S09"}, Count: 3, Reserves: 1}}
	return pool, ctx, groups
}

func percentiles(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkDraw100k: freeze (eligibility and avoidance over 100,000
// experts), commit (canonical JSON + SHA-256 of the list) and select 9
// experts + 3 reserves.
func BenchmarkDraw100k(b *testing.B) {
	pool, ctx, groups := benchPool()
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "experts", Groups: SpecGroups(groups)}
	secret := make([]byte, 32)
	var ds []time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		drawOnce(b, pool, ctx, groups, spec, secret, i)
		ds = append(ds, time.Since(t0))
	}
	percentiles(b, ds)
}

// BenchmarkFilterPass100k is one plain filter pass over the same pool
// (active experts of the technical specialties), the baseline.
func BenchmarkFilterPass100k(b *testing.B) {
	pool, _, groups := benchPool()
	var ds []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if len(poolFilterPass(pool, groups)) == 0 {
			b.Fatal("empty")
		}
		ds = append(ds, time.Since(t0))
	}
	percentiles(b, ds)
}

// BenchmarkSelectOnly100k is the selection step alone on a frozen list.
func BenchmarkSelectOnly100k(b *testing.B) {
	pool, ctx, groups := benchPool()
	list := Freeze(pool, ctx, groups)
	spec := Spec{Groups: SpecGroups(groups)}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var seed [32]byte
		binary.BigEndian.PutUint64(seed[:], uint64(i))
		s := sha256.Sum256(seed[:])
		if _, err := Select(s[:], spec, list); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify100k verifies a record over 100,000 pool members.
func BenchmarkVerify100k(b *testing.B) {
	pool, ctx, groups := benchPool()
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "experts", Groups: SpecGroups(groups)}
	list := Freeze(pool, ctx, groups)
	secret := make([]byte, 32)
	c, _ := Commit(list, spec, secret, time.Unix(0, 0))
	rec, err := Run(list, spec, c, secret, "w", nil, time.Unix(1, 0))
	if err != nil {
		b.Fatal(err)
	}
	var ds []time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if d := Verify(rec); len(d) > 0 {
			b.Fatal(d)
		}
		ds = append(ds, time.Since(t0))
	}
	percentiles(b, ds)
}

// BenchmarkVerifyBeacon is one offline BLS check of a quicknet round.
func BenchmarkVerifyBeacon(b *testing.B) {
	sig := mustHex(quicknetRound123)
	for b.Loop() {
		if err := Quicknet.VerifyBeacon(123, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFreeze100k is the eligibility step alone.
func BenchmarkFreeze100k(b *testing.B) {
	pool, ctx, groups := benchPool()
	b.ReportAllocs()
	for b.Loop() {
		Freeze(pool, ctx, groups)
	}
}

// BenchmarkCommit100k is the commitment alone (canonical JSON + SHA-256).
func BenchmarkCommit100k(b *testing.B) {
	pool, ctx, groups := benchPool()
	list := Freeze(pool, ctx, groups)
	spec := Spec{Algorithm: AlgorithmVersion, Purpose: "experts", Groups: SpecGroups(groups)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Commit(list, spec, make([]byte, 32), time.Unix(0, 0)); err != nil {
			b.Fatal(err)
		}
	}
}

// poolFilterPass is the baseline: one plain filter pass over the pool (active
// members of the first group's specialties), as a caller would write it.
func poolFilterPass(pool []PoolMember, groups []QuotaGroup) []string {
	var out []string
	for _, m := range pool {
		if m.Status == "active" && slices.Contains(groups[0].Specialties, m.Specialties[0]) {
			out = append(out, m.Key)
		}
	}
	return out
}

// drawOnce is one whole draw as the service runs it: freeze the pool,
// commit to the list, select with the i-th seed.
func drawOnce(b *testing.B, pool []PoolMember, ctx Context, groups []QuotaGroup, spec Spec, secret []byte, i int) {
	b.Helper()
	list := Freeze(pool, ctx, groups)
	c, err := Commit(list, spec, secret, time.Unix(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Run(list, spec, c, secret, fmt.Sprint(i), nil, time.Unix(1, 0)); err != nil {
		b.Fatal(err)
	}
}
