package web

import "testing"

func TestYuan(t *testing.T) {
	n := int64(-1234567)
	cases := []struct {
		in   any
		want string
	}{
		{int64(3000000), "3,000,000"},
		{3000000, "3,000,000"},
		{int64(999), "999"},
		{int64(1000), "1,000"},
		{int64(0), "0"},
		{&n, "-1,234,567"},
		{(*int64)(nil), ""},
		{"1234567.50", "1,234,567.50"},
		{"100000.5", "100,000.5"},
		{"12.00", "12.00"},
		{"", ""},
		{12345.6, "12,345.6"},
		{float64(86000), "86,000"},
		{(*float64)(nil), ""},
	}
	for _, c := range cases {
		got, err := Yuan(c.in)
		if err != nil || got != c.want {
			t.Errorf("Yuan(%v) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []any{"12a", "1.2.3", ".5", "1.", float32(1.5)} {
		if got, err := Yuan(bad); err == nil {
			t.Errorf("Yuan(%v) = %q, want an error", bad, got)
		}
	}
}

func TestWanYuan(t *testing.T) {
	cases := map[int64]string{
		86_000_000: "8,600",
		12_345_678: "1,234.57",
		3_000_000:  "300",
		5_000:      "0.5",
		0:          "0",
	}
	for in, want := range cases {
		if got := WanYuan(in); got != want {
			t.Errorf("WanYuan(%d) = %q, want %q", in, got, want)
		}
	}
}
