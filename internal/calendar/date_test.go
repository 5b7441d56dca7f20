package calendar

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestDateMatchesTimePackage(t *testing.T) {
	// Every day from 1899 to 2101, plus a few far away, agrees with time.
	check := func(tm time.Time) {
		t.Helper()
		d := FromTime(tm, time.UTC)
		y, m, dd := tm.Date()
		if gy, gm, gd := d.Date(); gy != y || gm != m || gd != dd {
			t.Fatalf("FromTime(%v) = %d-%d-%d", tm, gy, gm, gd)
		}
		if d != NewDate(y, m, dd) {
			t.Fatalf("NewDate(%d, %d, %d) != FromTime", y, m, dd)
		}
		if d.Weekday() != tm.Weekday() {
			t.Fatalf("%s: Weekday = %v, want %v", d, d.Weekday(), tm.Weekday())
		}
		if d.IsWeekend() != (tm.Weekday() == time.Saturday || tm.Weekday() == time.Sunday) {
			t.Fatalf("%s: IsWeekend wrong", d)
		}
		if !d.Time(time.UTC).Equal(tm) {
			t.Fatalf("%s.Time(UTC) = %v, want %v", d, d.Time(time.UTC), tm)
		}
		if y >= 1 && y <= 9999 {
			if s := d.String(); s != tm.Format(time.DateOnly) {
				t.Fatalf("String() = %q, want %q", s, tm.Format(time.DateOnly))
			}
			if p, err := ParseDate(d.String()); err != nil || p != d {
				t.Fatalf("ParseDate(%q) = %v, %v", d.String(), p, err)
			}
		}
	}
	start := time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := FromTime(start, time.UTC).AddDays(-1)
	for tm := start; tm.Year() < 2102; tm = tm.AddDate(0, 0, 1) {
		check(tm)
		d := FromTime(tm, time.UTC)
		if d.Sub(prev) != 1 || prev.AddDays(1) != d || !prev.Before(d) || !d.After(prev) || d.Compare(prev) != 1 {
			t.Fatalf("%s does not follow %s", d, prev)
		}
		prev = d
	}
	for _, y := range []int{1, 2, 4, 100, 400, 1582, 1600, 9999, 12345, -1, -400, -401} {
		check(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		check(time.Date(y, 2, 28, 0, 0, 0, 0, time.UTC))
		check(time.Date(y, 3, 1, 0, 0, 0, 0, time.UTC))
		check(time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC))
	}
	if !(Date{}).IsZero() || (Date{}).String() != "0001-01-01" {
		t.Errorf("zero Date = %s", Date{})
	}
}

func TestNewDateNormalizes(t *testing.T) {
	for _, tc := range []struct {
		y    int
		m    time.Month
		d    int
		want string
	}{
		{2026, 2, 30, "2026-03-02"},
		{2026, 13, 1, "2027-01-01"},
		{2026, 0, 1, "2025-12-01"},
		{2026, -11, 1, "2025-01-01"},
		{2026, -12, 1, "2024-12-01"},
		{2026, 1, -365, "2024-12-31"},
		{2026, 1, 0, "2025-12-31"},
		{2024, 2, 29, "2024-02-29"},
	} {
		if got := NewDate(tc.y, tc.m, tc.d).String(); got != tc.want {
			t.Errorf("NewDate(%d, %d, %d) = %s, want %s", tc.y, tc.m, tc.d, got, tc.want)
		}
		if tm := time.Date(tc.y, tc.m, tc.d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly); tm != tc.want {
			t.Errorf("time.Date(%d, %d, %d) = %s, test expects %s", tc.y, tc.m, tc.d, tm, tc.want)
		}
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, s := range []string{
		"", "2026-1-13", "2026/10/13", "2026-10-13 ", " 2026-10-13", "26-10-13",
		"2026-00-10", "2026-13-01", "2026-02-29", "2025-04-31", "2026-10-00",
		"2026-10-32", "+026-10-13", "2026-1a-13", "２０２６-10-13", "2026-10-13T00:00:00",
	} {
		if d, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %s, want error", s, d)
		} else if !strings.Contains(err.Error(), "invalid date") {
			t.Errorf("ParseDate(%q) error %q", s, err)
		}
	}
	if d, err := ParseDate("2024-02-29"); err != nil || d != NewDate(2024, 2, 29) {
		t.Errorf("ParseDate(2024-02-29) = %v, %v", d, err)
	}
}

func TestDateTimeZones(t *testing.T) {
	if Shanghai.String() != "Asia/Shanghai" {
		t.Errorf("Shanghai = %q, want Asia/Shanghai (tzdata embedded)", Shanghai)
	}
	// 2026-09-29 17:30 UTC is already Sep 30 in Shanghai.
	tm := time.Date(2026, 9, 29, 17, 30, 0, 0, time.UTC)
	if got := FromTime(tm, Shanghai); got != MustParseDate("2026-09-30") {
		t.Errorf("FromTime Shanghai = %s", got)
	}
	if got := FromTime(tm, nil); got != MustParseDate("2026-09-30") {
		t.Errorf("FromTime nil = %s", got)
	}
	if got := FromTime(tm, time.UTC); got != MustParseDate("2026-09-29") {
		t.Errorf("FromTime UTC = %s", got)
	}
	start := MustParseDate("2026-10-13").Time(Shanghai)
	if want := time.Date(2026, 10, 12, 16, 0, 0, 0, time.UTC); !start.Equal(want) {
		t.Errorf("Time(Shanghai) = %v, want %v", start, want)
	}
	if !MustParseDate("2026-10-13").Time(nil).Equal(start) {
		t.Errorf("Time(nil) differs from Time(Shanghai)")
	}
	if fb := time.FixedZone("CST", 8*3600); FromTime(tm, fb) != FromTime(tm, Shanghai) {
		t.Errorf("fixed fallback zone disagrees with Asia/Shanghai")
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		Due Date `json:"due"`
	}
	b, err := json.Marshal(doc{MustParseDate("2026-10-13")})
	if err != nil || string(b) != `{"due":"2026-10-13"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var v doc
	if err := json.Unmarshal(b, &v); err != nil || v.Due != MustParseDate("2026-10-13") {
		t.Fatalf("Unmarshal = %v, %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &v); err == nil {
		t.Fatalf("Unmarshal accepted 2026-02-30")
	}
}

func TestDateAccessors(t *testing.T) {
	x := MustParseDate("2026-10-13")
	if x.Year() != 2026 || x.Month() != time.October || x.Day() != 13 || x.Weekday() != time.Tuesday {
		t.Errorf("accessors of %s wrong", x)
	}
	if !x.Equal(NewDate(2026, 10, 13)) || x.Equal(x.AddDays(1)) || x.Compare(x) != 0 || x.Compare(x.AddDays(1)) != -1 {
		t.Errorf("comparisons of %s wrong", x)
	}
	if today := Today(); today != FromTime(time.Now(), Shanghai) && today != FromTime(time.Now(), Shanghai).AddDays(-1) {
		t.Errorf("Today() = %s", today)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseDate did not panic")
		}
	}()
	MustParseDate("2026-02-30")
}
