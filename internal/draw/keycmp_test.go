package draw

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCompareKeysSameAsStrings compares random pairs of 0-20 bytes over
// small alphabets (so long common prefixes and equal keys are common),
// high bytes included, and pairs differing in one byte at every position.
func TestCompareKeysSameAsStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	alphabets := []string{"01", "E-0123456789", "\x00\x7f\x80\xff", "ab"}
	key := func(n int, alpha string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		return string(b)
	}
	for range 200000 {
		alpha := alphabets[r.IntN(len(alphabets))]
		n := r.IntN(21)
		a := key(n, alpha)
		b := a
		if m := r.IntN(21); r.IntN(3) == 0 {
			b = key(m, alpha)
		} else if n > 0 {
			bs := []byte(a)
			bs[r.IntN(n)] = alpha[r.IntN(len(alpha))]
			b = string(bs)
		}
		if got, want := compareKeys(a, b), strings.Compare(a, b); got != want {
			t.Fatalf("compareKeys(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}

func FuzzCompareKeys(f *testing.F) {
	f.Add("E-00000001", "E-00000002")
	f.Add("E-0000000100000", "E-0000000100001")
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := compareKeys(a, b), strings.Compare(a, b); got != want {
			t.Fatalf("compareKeys(%q, %q) = %d, want %d", a, b, got, want)
		}
	})
}
