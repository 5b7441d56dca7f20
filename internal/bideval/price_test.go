package bideval

import (
	"strings"
	"testing"

	"yingshang/internal/yserr"
)

// TestParseYuanSaysWhatIsWrong: each bad price is answered with what is
// wrong with the value typed, never "please enter the price".
func TestParseYuanSaysWhatIsWrong(t *testing.T) {
	for _, c := range []struct {
		in  string
		fen int64
	}{{"8350000", 835000000}, {"8,350,000.50", 835000050}, {"¥1 234.5元", 123450}, {"0.01", 1}} {
		if got, err := parseYuan(c.in); err != nil || got != c.fen {
			t.Errorf("parseYuan(%q) = %d, %v; want %d", c.in, got, err, c.fen)
		}
	}
	for in, want := range map[string]string{
		"abc":           "只能填数字",
		"-100":          "不能为负数",
		"1,234,567.891": "最多两位小数",
		"1.2.3":         "只能有一个小数点",
		"":              "请填写投标报价",
		"0":             "须大于 0",
		"12.":           "只能填数字",
	} {
		_, err := parseYuan(in)
		e := yserr.As(err)
		if e.Field != "price_yuan" || !strings.Contains(e.ZH, want) || e.EN == "" {
			t.Errorf("parseYuan(%q): %q, want it to say %q", in, e.ZH, want)
		}
		if in != "" && in != "0" && !strings.Contains(e.ZH, in) {
			t.Errorf("parseYuan(%q): the message %q does not quote the value", in, e.ZH)
		}
	}
}

// FuzzParseYuan: never panics; an accepted price is positive and prints
// back to a value that parses to the same fen.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"8350000", "1,234,567.89", "-1", "abc", "0.001", "9999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, err := parseYuan(s)
		if err != nil {
			return
		}
		if fen <= 0 {
			t.Fatalf("%q accepted as %d", s, fen)
		}
		if again, err := parseYuan(fmtYuan(fen)); err != nil || again != fen {
			t.Fatalf("%q -> %d -> %s -> %d, %v", s, fen, fmtYuan(fen), again, err)
		}
	})
}
