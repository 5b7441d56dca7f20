package draw

import (
	"cmp"
	"strings"
)

// compareKeys is strings.Compare. Keys of 8 to 16 bytes and equal length
// (pseudonyms such as E-00012345) are compared as two big-endian words
// instead of through the runtime's general comparison, which the order
// checks of Freeze and Select called once per candidate: the words over
// the first 8 bytes, then, when those are equal, over the last 8 (under 16
// bytes the two overlap, and the overlap is then equal in both, so the
// first difference is still the one the words find).
// TestCompareKeysSameAsStrings holds it to strings.Compare.
func compareKeys(a, b string) int {
	if n := len(a); n == len(b) && n >= 8 && n <= 16 {
		x, y := bigEndian8(a), bigEndian8(b)
		if x == y {
			x, y = bigEndian8(a[n-8:]), bigEndian8(b[n-8:])
		}
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

// bigEndian8 is the first 8 bytes of s as a big-endian word.
func bigEndian8(s string) uint64 {
	_ = s[7]
	return uint64(s[7]) | uint64(s[6])<<8 | uint64(s[5])<<16 | uint64(s[4])<<24 |
		uint64(s[3])<<32 | uint64(s[2])<<40 | uint64(s[1])<<48 | uint64(s[0])<<56
}
