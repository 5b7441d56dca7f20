package procure

import (
	"strings"
	"testing"
)

// FuzzParseYuan: an accepted amount formats back to the same fen, and
// nothing panics.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"1,234.5", "0.01", "200000", "-1", "1e5", "", "9999999999999.99", "１２３"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, ok := ParseYuan(s)
		if !ok {
			return
		}
		if fen < 0 {
			t.Fatalf("%q -> negative %d", s, fen)
		}
		back, ok := ParseYuan(Yuan(fen))
		if !ok || back != fen {
			t.Fatalf("%q -> %d -> %q -> %d", s, fen, Yuan(fen), back)
		}
	})
}

// FuzzNormalizeSpec: the key is idempotent and does not depend on the
// order of the attributes.
func FuzzNormalizeSpec(f *testing.F) {
	for _, s := range []string{"CPU i5；内存16GB", "ＣＰＵ i5, 内存 16gb", "", ";;;", "a、b\nc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := NormalizeSpec(s)
		if NormalizeSpec(k) != k {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, k, NormalizeSpec(k))
		}
		parts := strings.Split(k, ";")
		for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
			parts[i], parts[j] = parts[j], parts[i]
		}
		if NormalizeSpec(strings.Join(parts, ";")) != k {
			t.Fatalf("order matters for %q", s)
		}
	})
}

// FuzzParseSetAside: a rule set that parses is never looser than the
// national one.
func FuzzParseSetAside(f *testing.F) {
	for _, s := range []string{"", "goods:200:40:70", "works:400:40:70;services:300:30:60", "goods:1:1:1", "x:y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rules, err := ParseSetAside(s)
		if err != nil {
			return
		}
		for i, r := range rules {
			n := NationalSetAside[i]
			if r.FullUpToFen < n.FullUpToFen || r.SharePct < n.SharePct || r.SmallMicroPct < n.SmallMicroPct {
				t.Fatalf("%q gives %+v, looser than %+v", s, r, n)
			}
		}
	})
}
