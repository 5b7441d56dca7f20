package license

import (
	"math/rand/v2"
	"testing"

	"yingshang/internal/calendar"
)

// TestMergeRangesSameAsDaySet compares mergeRanges with the union of the
// ranges' days, day by day, on random ranges (open ones included), and
// checks that the merged ranges are disjoint and ascending.
func TestMergeRangesSameAsDaySet(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	base := calendar.MustParseDate("2026-01-01")
	for range 2000 {
		var rs []expRange
		for range rnd.IntN(6) {
			lo := base.AddDays(rnd.IntN(40))
			r := expRange{lo: lo, hi: lo.AddDays(rnd.IntN(6)), open: rnd.IntN(8) == 0}
			rs = append(rs, r)
		}
		in := func(rs []expRange, d calendar.Date) bool {
			for _, r := range rs {
				if (r.open || d.After(r.lo)) && !d.After(r.hi) {
					return true
				}
			}
			return false
		}
		want := append([]expRange(nil), rs...)
		got := mergeRanges(rs)
		for d := base.AddDays(-2); d.Before(base.AddDays(50)); d = d.AddDays(1) {
			if in(want, d) != in(got, d) {
				t.Fatalf("%v merged to %v: day %s", want, got, d)
			}
		}
		for i := 1; i < len(got); i++ {
			if got[i].open || !got[i].lo.After(got[i-1].hi) {
				t.Fatalf("%v merged to %v: not disjoint and ascending", want, got)
			}
		}
	}
}
