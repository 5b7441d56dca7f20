package importkit

import (
	"strings"
	"testing"

	"yingshang/internal/yserr"
)

func TestDate(t *testing.T) {
	for in, want := range map[string]string{
		"2019-03-15": "2019-03-15", "2019/3/5": "2019-03-05", "2019.3.5": "2019-03-05", "2019年3月5日": "2019-03-05",
		"20190305": "2019-03-05", "43539": "2019-03-15", "43539.75": "2019-03-15", "2019/3/15 0:00:00": "2019-03-15",
		"２０１９年３月５日": "2019-03-05", "２０１９－０３－１５": "2019-03-15", "2019-13-01": "", "abc": "", "0": "", "-5": "",
		"1": "1900-01-01", "59": "1900-02-28", "60": "", "61": "1900-03-01", "2958465": "9999-12-31", "2958466": "",
		"20190230": "", "2019-02-29": "", "2020-02-29": "2020-02-29", "NaN": "", "Inf": "",
	} {
		got, ok := Date(in, false)
		if got != want || ok != (want != "") {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	// The 1904 system: serial 0 is 1904-01-01, 42077 is 2019-03-15 (1462
	// days less than the 1900 system); text dates do not depend on it.
	for in, want := range map[string]string{"0": "1904-01-01", "42077": "2019-03-15", "42077.5": "2019-03-15",
		"2019-03-15": "2019-03-15", "-1": "", "2957004": ""} {
		got, ok := Date(in, true)
		if got != want || ok != (want != "") {
			t.Errorf("1904 %q: %q %v, want %q", in, got, ok, want)
		}
	}
}

func TestNumbers(t *testing.T) {
	for in, want := range map[string]int{"35": 35, "1,200": 1200, "35.0": 35, "３５": 35, " 7 ": 7, "-3": -3} {
		if got, ok := Int(in); !ok || got != want {
			t.Errorf("Int(%q) = %d %v", in, got, ok)
		}
	}
	for _, in := range []string{"3.5", "x", "", "1e10", "NaN"} {
		if _, ok := Int(in); ok {
			t.Errorf("Int(%q) accepted", in)
		}
	}
	for _, c := range []struct {
		in   string
		unit Unit
		want float64
		ok   bool
	}{
		{"5000", Yuan, 5000, true}, {"5,000.50", Yuan, 5000.5, true}, {"¥5000", Yuan, 5000, true}, {"￥5,000元", Yuan, 5000, true},
		{"0.5万元", Yuan, 5000, true}, {"1.2万", Yuan, 12000, true}, {"1,280.5", Wan, 1280.5, true}, {"5000元", Wan, 0.5, true},
		{"３００万元", Wan, 300, true}, {"五千", Yuan, 0, false}, {"", Yuan, 0, false}, {"元", Yuan, 0, false},
	} {
		got, ok := Amount(c.in, c.unit)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("Amount(%q, %d) = %v %v, want %v", c.in, c.unit, got, ok, c.want)
		}
	}
	if IntegralText("411002.0") != "411002" || IntegralText("0374-1234567") != "0374-1234567" || IntegralText("1.5") != "1.5" {
		t.Error("IntegralText")
	}
}

func TestYesNoAndEnum(t *testing.T) {
	for _, s := range []string{"是", "有", "Y", "yes", "TRUE", "1", "√"} {
		if v, ok := YesNo(s); !v || !ok {
			t.Errorf("YesNo(%q) = %v %v", s, v, ok)
		}
	}
	for _, s := range []string{"否", "无", "n", "No", "false", "0", "×", "", " "} {
		if v, ok := YesNo(s); v || !ok {
			t.Errorf("YesNo(%q) = %v %v", s, v, ok)
		}
	}
	if _, ok := YesNo("也许"); ok {
		t.Error("YesNo accepted 也许")
	}
	labels := map[string]string{"罚款": "fine", "警告": "warning"}
	for in, want := range map[string]string{"罚款": "fine", " 警告 ": "warning", "FINE": "fine", "revocation": "revocation"} {
		got, ok := Enum(in, labels, "revocation")
		if got != want || !ok {
			t.Errorf("Enum(%q) = %q %v", in, got, ok)
		}
	}
	if got, ok := Enum(" Nope ", labels); ok || got != "nope" {
		t.Errorf("Enum(Nope) = %q %v", got, ok)
	}
}

func TestHeader(t *testing.T) {
	cols := []Column{
		{Key: "uscc", Header: "统一社会信用代码", Aliases: []string{"信用代码", "credit_code"}, Required: true},
		{Key: "revenue", Header: "营业收入(万元)", Aliases: []string{"Revenue"}},
		{Key: "name", Header: "名称", Required: true},
	}
	open := func(csv string) (*Reader, *Header, error) {
		r, err := Open(strings.NewReader(csv), Options{})
		if err != nil {
			t.Fatal(err)
		}
		h, err := r.Header(cols, HeaderOptions{MissingHintZH: "（见模板）", MissingHintEN: " (see the template)"})
		return r, h, err
	}
	_, h, err := open("\n\n\ufeff Credit_Code ,名称*,营业收入（万元）\nX1,瑞丰,3\n")
	if err != nil {
		t.Fatal(err)
	}
	if !h.Has("revenue") || h.Column("uscc") != "Credit_Code" || h.Column("revenue") != "营业收入（万元）" {
		t.Errorf("header: %+v", h)
	}
	if got := h.Get([]string{" X1 ", "瑞丰"}, "uscc") + h.Get([]string{"X1", "瑞丰"}, "revenue") + h.Get(nil, "nope"); got != "X1" {
		t.Errorf("Get: %q", got)
	}
	for csv, want := range map[string]struct{ field, zh string }{
		"统一社会信用代码\n":      {"名称", "CSV 文件缺少必需的列“名称”（见模板）"},
		"uscc,名称,备注,其他\n": {"备注", "CSV 文件有无法识别的列 “备注”（第 C 列）、“其他”（第 D 列）"},
		"uscc,名称,信用代码\n":  {"信用代码", "CSV 文件的列“信用代码”重复（第 A 列和第 C 列）"},
		"":                {"", "CSV 文件中没有数据"},
		"\n \n":           {"", "CSV 文件中没有数据"},
	} {
		_, _, err := open(csv)
		wantErr(t, err, "invalid", want.zh)
		if e := yserr.As(err); e.Field != want.field {
			t.Errorf("%q: field %q, want %q", csv, e.Field, want.field)
		}
	}
	r, _ := Open(strings.NewReader("uscc,名称,备注\n"), Options{})
	if h, err := r.Header(cols, HeaderOptions{IgnoreUnknown: true}); err != nil || h.Has("revenue") {
		t.Errorf("ignore unknown: %v", err)
	}
}

func TestReport(t *testing.T) {
	rep := NewReport()
	for i := range MaxRowErrors + 5 {
		rep.AddBad(RowError{Row: MaxRowErrors + 10 - i, Field: "x", ZH: "错", EN: "bad"})
	}
	rep.AddBad(RowError{Row: 1}, RowError{Row: 1})
	rep.SortRows()
	if rep.Bad != MaxRowErrors+6 || rep.Errors != MaxRowErrors+7 || len(rep.Rows) != MaxRowErrors || !rep.Truncated || rep.Rows[0].Row != 11 {
		t.Errorf("report: bad %d errors %d rows %d first %d", rep.Bad, rep.Errors, len(rep.Rows), rep.Rows[0].Row)
	}
	if !rep.Refused(ModeAllOrNothing) || rep.Refused(ModeValidOnly) {
		t.Error("Refused")
	}
	if m, err := CheckMode(""); m != ModeAllOrNothing || err != nil {
		t.Error("default mode")
	}
	if _, err := CheckMode("some"); err == nil {
		t.Error("bad mode accepted")
	}
}
