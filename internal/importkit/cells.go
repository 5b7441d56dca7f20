package importkit

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Typed cells. Each reader takes a cell as the Reader gives it (for a
// workbook the raw value: a date or number cell is its serial number)
// and reports whether it could be read; a blank cell is the caller's
// business.

// NumberText removes thousands separators and spaces and turns
// full-width digits, point and minus into ASCII.
func NumberText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '．':
			return '.'
		case r == '－':
			return '-'
		case r == ',' || r == '，' || r == ' ' || r == '\u00a0' || r == '\u3000':
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// Float reads a decimal number, allowing thousands separators and
// full-width digits.
func Float(s string) (float64, bool) {
	f, err := strconv.ParseFloat(NumberText(s), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// Int reads a whole number ("1,200", "35.0", "３５").
func Int(s string) (int, bool) {
	f, ok := Float(s)
	if !ok || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// Unit is the unit of an amount column.
type Unit int

// Units of amounts.
const (
	Yuan Unit = 1     // 元
	Wan  Unit = 10000 // 万元
)

// Amount reads an amount into the column's unit: "5000", "5,000.50",
// "¥5000", "5000元", "0.5万元", "0.5万" (a written unit converts: "5000元"
// in a 万元 column is 0.5).
func Amount(s string, unit Unit) (float64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "¥￥")
	given := unit
	switch {
	case strings.HasSuffix(s, "万元"):
		s, given = strings.TrimSuffix(s, "万元"), Wan
	case strings.HasSuffix(s, "万"):
		s, given = strings.TrimSuffix(s, "万"), Wan
	case strings.HasSuffix(s, "元"):
		s, given = strings.TrimSuffix(s, "元"), Yuan
	}
	f, ok := Float(s)
	if !ok {
		return 0, false
	}
	if given != unit {
		f = f * float64(given) / float64(unit)
	}
	return f, true
}

// IntegralText turns a number a spreadsheet stored as a float ("411002.0")
// back into its digits; other text is returned as is. For code columns.
func IntegralText(s string) string {
	if i := strings.IndexByte(s, '.'); i > 0 && strings.Trim(s[i+1:], "0") == "" && isDigits(s[:i]) {
		return s[:i]
	}
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// lastSerial is the serial number of 9999-12-31 in the 1900 system.
const lastSerial = 2958466

// Date reads 2006-01-02, 2006/1/2, 2006.1.2, 2006年1月2日, 20060102 (with
// full-width digits, and a time part that is dropped) or an Excel serial
// date in the workbook's date system: days since 1899-12-30 (the 1900
// system, whose serial 60 is the fictitious 1900-02-29), or since
// 1904-01-01 when date1904 is set. It returns YYYY-MM-DD.
func Date(s string, date1904 bool) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " T"); i > 0 { // a time part, as in "2019/3/15 0:00:00"
		s = s[:i]
	}
	s = NumberText(s)
	if isDigits(s) && len(s) == 8 {
		if t, err := time.Parse("20060102", s); err == nil {
			return t.Format("2006-01-02"), true
		}
		return "", false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		t, ok := Serial(f, date1904)
		if !ok {
			return "", false
		}
		return t.Format("2006-01-02"), true
	}
	s = strings.TrimSuffix(s, "日")
	s = strings.NewReplacer("年", "-", "月", "-", "/", "-", ".", "-").Replace(s)
	t, err := time.Parse("2006-1-2", s)
	if err != nil {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// Serial converts an Excel serial date (the day; a fraction is the time
// of day and is dropped) to a date. In the 1900 system serial 1 is
// 1900-01-01 and serials from 61 on count from 1899-12-30 (Excel keeps
// Lotus 1-2-3's 1900-02-29, serial 60, which is refused here). In the
// 1904 system serial 0 is 1904-01-01.
func Serial(f float64, date1904 bool) (time.Time, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, false
	}
	day := int(math.Floor(f))
	if date1904 {
		if day < 0 || day >= lastSerial-1462 {
			return time.Time{}, false
		}
		return time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day), true
	}
	switch {
	case day < 1 || day >= lastSerial || day == 60:
		return time.Time{}, false
	case day < 60:
		return time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day), true
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day), true
}

// YesNo reads 是/否, 有/无, Y/N, yes/no, true/false, 1/0, √/×; a blank cell
// is no.
func YesNo(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "否", "无", "n", "no", "0", "false", "×", "✗":
		return false, true
	case "是", "有", "y", "yes", "1", "true", "√", "✓":
		return true, true
	}
	return false, false
}

// Enum reads a cell into one of a set of values: a label of labels (e.g.
// 罚款 -> fine) or, in any case, one of the values itself. ok is false
// for anything else, which is returned trimmed and in lower case for the
// caller's validation to name.
func Enum(s string, labels map[string]string, values ...string) (string, bool) {
	s = strings.TrimSpace(s)
	if v, ok := labels[s]; ok {
		return v, true
	}
	l := strings.ToLower(s)
	for _, v := range values {
		if l == strings.ToLower(v) {
			return v, true
		}
	}
	for _, v := range labels {
		if l == strings.ToLower(v) {
			return v, true
		}
	}
	return l, false
}
