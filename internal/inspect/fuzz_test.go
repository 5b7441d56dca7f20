package inspect

import (
	"strings"
	"testing"

	"yingshang/internal/calendar"
)

// The settings parsers never panic, and what they accept round-trips.
func FuzzParseRatios(f *testing.F) {
	for _, s := range []string{"A:20,B:50,C:200,D:500", "a:0, b:1000,c:1,d:2", "A:20", "A:-1,B:0,C:0,D:0", "A:1001,B:0,C:0,D:0", "", ":::,,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRatios(s)
		if err != nil {
			return
		}
		again, err := ParseRatios(FormatRatios(r))
		if err != nil {
			t.Fatalf("%q accepted but its formatted form %q is not: %v", s, FormatRatios(r), err)
		}
		for _, c := range Classes {
			if again[c] != r[c] || r[c] < 0 || r[c] > 1000 {
				t.Fatalf("%q: %v vs %v", s, r, again)
			}
		}
	})
}

func FuzzParseQuiet(f *testing.F) {
	for _, s := range []string{"1-20", "mon,tue", "5", "20-1", "0-3", "1-31,sun", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuiet(s)
		if err != nil {
			return
		}
		d := calendar.MustParseDate("2026-12-01")
		for i := 0; i < 31; i++ {
			_ = q.IsQuiet(d.AddDays(i))
		}
	})
}

// CodeUSCC reads the credit code from a QR URL or typed text.
func TestCodeUSCC(t *testing.T) {
	for in, want := range map[string]string{
		"https://ys.example.gov.cn/e/91411002MA9XK1QR11":    "91411002MA9XK1QR11",
		"http://localhost:8080/e/91411002ma9xk1qr11/print":  "91411002MA9XK1QR11",
		" 91411002MA9XK1QR11 ":                              "91411002MA9XK1QR11",
		"https://evil.example/x?next=/e/91411002MA9XK1QR11": "HTTPS://EVIL.EXAMPLE/X?NEXT=/E/91411002MA9XK1QR11",
	} {
		if got := CodeUSCC(in); got != want && !(strings.HasPrefix(want, "HTTPS") && got != "91411002MA9XK1QR11") {
			t.Errorf("CodeUSCC(%q) = %q, want %q", in, got, want)
		}
	}
	q, _ := ParseQuiet("1-20,sun")
	if !q.IsQuiet(calendar.MustParseDate("2026-12-05")) || q.IsQuiet(calendar.MustParseDate("2026-12-21")) || !q.IsQuiet(calendar.MustParseDate("2026-12-27")) {
		t.Error("quiet window")
	}
}
