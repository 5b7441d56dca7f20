package calendar

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The official schedules, written out independently of holidays.json.
var (
	holidays2025 = expand(
		"2025-01-01", "2025-01-01", // 元旦
		"2025-01-28", "2025-02-04", // 春节
		"2025-04-04", "2025-04-06", // 清明节
		"2025-05-01", "2025-05-05", // 劳动节
		"2025-05-31", "2025-06-02", // 端午节
		"2025-10-01", "2025-10-08", // 国庆节、中秋节
	)
	workdays2025 = dates("2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11")

	holidays2026 = expand(
		"2026-01-01", "2026-01-03", // 元旦
		"2026-02-15", "2026-02-23", // 春节
		"2026-04-04", "2026-04-06", // 清明节
		"2026-05-01", "2026-05-05", // 劳动节
		"2026-06-19", "2026-06-21", // 端午节
		"2026-09-25", "2026-09-27", // 中秋节
		"2026-10-01", "2026-10-07", // 国庆节
	)
	workdays2026 = dates("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")
)

// Working days per year, counted by hand from the schedules above.
//
// 2025 begins and ends on a Wednesday: 365 days = 52 weeks + 1 day, so 104
// weekend days. Holidays on weekdays: Jan 1 (1); Jan 28-31, Feb 3-4 (6);
// Apr 4 (1); May 1, 2, 5 (3); Jun 2 (1); Oct 1-3, 6-8 (6) = 18. Worked
// weekend days: 5. 365 - 104 - 18 + 5 = 248, i.e. 365 - 104 minus the 13
// statutory holidays of the 2025 rules.
//
// 2026 begins and ends on a Thursday: again 104 weekend days. Holidays on
// weekdays: Jan 1-2 (2); Feb 16-20, 23 (6); Apr 6 (1); May 1, 4, 5 (3);
// Jun 19 (1); Sep 25 (1); Oct 1-2, 5-7 (5) = 19. Worked weekend days: 6.
// 365 - 104 - 19 + 6 = 248.
const (
	workingDays2025 = 248
	workingDays2026 = 248
)

func d(s string) Date { return MustParseDate(s) }

func dates(ss ...string) []Date {
	var out []Date
	for _, s := range ss {
		out = append(out, d(s))
	}
	return out
}

func expand(pairs ...string) []Date {
	var out []Date
	for i := 0; i < len(pairs); i += 2 {
		for x := d(pairs[i]); !x.After(d(pairs[i+1])); x = x.AddDays(1) {
			out = append(out, x)
		}
	}
	return out
}

func official(t testing.TB) *Calendar {
	t.Helper()
	ov, err := LoadOfficial()
	if err != nil {
		t.Fatalf("LoadOfficial: %v", err)
	}
	return New(ov)
}

func TestOfficialData(t *testing.T) {
	ov, err := LoadOfficial()
	if err != nil {
		t.Fatal(err)
	}
	want := map[Date]Kind{}
	for _, x := range slices.Concat(holidays2025, holidays2026) {
		want[x] = Holiday
	}
	for _, x := range slices.Concat(workdays2025, workdays2026) {
		want[x] = Workday
	}
	if len(ov) != len(want) {
		t.Errorf("LoadOfficial: %d overrides, want %d", len(ov), len(want))
	}
	for i, o := range ov {
		if want[o.Date] != o.Kind {
			t.Errorf("override %s %s, want %q", o.Date, o.Kind, want[o.Date])
		}
		if o.Name == "" {
			t.Errorf("override %s has no name", o.Date)
		}
		if i > 0 && !ov[i-1].Date.Before(o.Date) {
			t.Errorf("overrides not sorted at %s", o.Date)
		}
	}
	names := map[string]string{
		"2025-01-01": "元旦", "2025-01-28": "春节", "2025-02-01": "春节", "2025-04-05": "清明节",
		"2025-05-03": "劳动节", "2025-05-31": "端午节", "2025-10-06": "国庆节、中秋节",
		"2026-01-03": "元旦", "2026-02-15": "春节", "2026-02-23": "春节", "2026-04-06": "清明节",
		"2026-05-05": "劳动节", "2026-06-20": "端午节", "2026-09-25": "中秋节", "2026-09-27": "中秋节",
		"2026-10-01": "国庆节", "2026-10-07": "国庆节", "2026-02-14": "春节", "2026-10-10": "国庆节",
	}
	c := New(ov)
	for s, want := range names {
		if _, name := c.Explain(d(s)); name != want {
			t.Errorf("Explain(%s) name = %q, want %q", s, name, want)
		}
	}
	// The caller owns the slice.
	ov[0].Name = "changed"
	if again, _ := LoadOfficial(); again[0].Name == "changed" {
		t.Error("LoadOfficial returned shared data")
	}
	if Official().IsWorkday(d("2026-10-01")) || !Official().IsWorkday(d("2026-10-10")) {
		t.Error("Official() does not use the embedded data")
	}
}

func TestIsWorkday(t *testing.T) {
	c := official(t)
	for _, x := range slices.Concat(holidays2025, holidays2026) {
		if c.IsWorkday(x) {
			t.Errorf("holiday %s (%s) is a working day", x, x.Weekday())
		}
	}
	for _, x := range slices.Concat(workdays2025, workdays2026) {
		if !x.IsWeekend() {
			t.Errorf("test data: adjusted working day %s is a %s", x, x.Weekday())
		}
		if !c.IsWorkday(x) {
			t.Errorf("adjusted working day %s (%s) is not a working day", x, x.Weekday())
		}
	}
	for _, tc := range []struct {
		date string
		want bool
	}{
		{"2024-12-31", true},  // Tue, before any data
		{"2025-01-02", true},  // Thu after 元旦
		{"2025-01-04", false}, // Sat
		{"2025-01-25", false}, // Sat before the worked Sunday
		{"2025-01-27", true},  // Mon, last day before 春节
		{"2025-02-05", true},  // Wed after 春节
		{"2025-02-09", false}, // Sun after the worked Saturday
		{"2025-04-03", true},  // Thu before 清明节
		{"2025-04-26", false}, // Sat
		{"2025-04-30", true},  // Wed before 劳动节
		{"2025-05-06", true},  // Tue after 劳动节
		{"2025-05-30", true},  // Fri before 端午节
		{"2025-06-03", true},  // Tue after 端午节
		{"2025-09-27", false}, // Sat
		{"2025-09-30", true},  // Tue before 国庆节
		{"2025-10-09", true},  // Thu after 国庆节
		{"2025-10-12", false}, // Sun
		{"2025-12-31", true},  // Wed
		{"2026-01-05", true},  // Mon after the worked Sunday
		{"2026-02-13", true},  // Fri
		{"2026-02-24", true},  // Tue after 春节
		{"2026-02-27", true},  // Fri
		{"2026-03-01", false}, // Sun after the worked Saturday
		{"2026-04-03", true},  // Fri before 清明节
		{"2026-04-07", true},  // Tue
		{"2026-05-06", true},  // Wed after 劳动节
		{"2026-05-10", false}, // Sun
		{"2026-06-18", true},  // Thu before 端午节
		{"2026-06-22", true},  // Mon
		{"2026-09-19", false}, // Sat before the worked Sunday
		{"2026-09-24", true},  // Thu before 中秋节
		{"2026-09-28", true},  // Mon between 中秋节 and 国庆节
		{"2026-09-30", true},  // Wed
		{"2026-10-08", true},  // Thu after 国庆节
		{"2026-10-11", false}, // Sun
		{"2027-01-01", true},  // Fri: no data for 2027, only weekends are off
		{"2027-01-02", false}, // Sat
	} {
		if got := c.IsWorkday(d(tc.date)); got != tc.want {
			t.Errorf("IsWorkday(%s %s) = %v, want %v", tc.date, d(tc.date).Weekday(), got, tc.want)
		}
	}
}

func TestWorkingDayCounts(t *testing.T) {
	c := official(t)
	for _, tc := range []struct {
		year, want int
	}{{2025, workingDays2025}, {2026, workingDays2026}} {
		n := 0
		for x := NewDate(tc.year, 1, 1); x.Year() == tc.year; x = x.AddDays(1) {
			if c.IsWorkday(x) {
				n++
			}
		}
		if n != tc.want {
			t.Errorf("%d: %d working days by IsWorkday, want %d", tc.year, n, tc.want)
		}
		last := NewDate(tc.year-1, 12, 31)
		if got := c.WorkdaysBetween(last, NewDate(tc.year, 12, 31)); got != tc.want {
			t.Errorf("%d: WorkdaysBetween = %d, want %d", tc.year, got, tc.want)
		}
	}
}

func TestAddWorkdays(t *testing.T) {
	c := official(t)
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		// National Day 2026: Oct 8 Thu, Oct 9 Fri, Oct 10 Sat worked, Oct 12 Mon, Oct 13 Tue.
		{"2026-09-30", 5, "2026-10-13"},
		{"2026-09-30", 1, "2026-10-08"},
		{"2026-09-30", 3, "2026-10-10"},
		{"2026-09-30", 4, "2026-10-12"},
		{"2026-09-18", 1, "2026-09-20"}, // Fri -> worked Sunday
		{"2026-09-24", 1, "2026-09-28"}, // over 中秋节
		{"2026-10-01", 1, "2026-10-08"}, // from a holiday
		{"2026-10-03", 2, "2026-10-09"},
		// Spring Festival 2026.
		{"2026-02-13", 1, "2026-02-14"}, // Fri -> worked Saturday
		{"2026-02-13", 2, "2026-02-24"},
		{"2026-02-14", 1, "2026-02-24"},
		{"2026-02-12", 8, "2026-03-02"}, // 13, 14, 24, 25, 26, 27, 28 (Sat worked), Mar 2
		{"2026-02-12", 10, "2026-03-04"},
		{"2026-02-16", 1, "2026-02-24"},
		// Spring Festival 2025.
		{"2025-01-24", 1, "2025-01-26"},
		{"2025-01-24", 2, "2025-01-27"},
		{"2025-01-24", 3, "2025-02-05"},
		{"2025-02-07", 1, "2025-02-08"},
		{"2025-02-07", 2, "2025-02-10"},
		// National Day 2025.
		{"2025-09-26", 1, "2025-09-28"},
		{"2025-09-26", 2, "2025-09-29"},
		{"2025-09-26", 3, "2025-09-30"},
		{"2025-09-26", 4, "2025-10-09"},
		{"2025-09-26", 6, "2025-10-11"},
		{"2025-09-26", 7, "2025-10-13"},
		// Across the year end and into years without data.
		{"2024-12-31", 1, "2025-01-02"},
		{"2025-12-31", 1, "2026-01-04"}, // 元旦 Jan 1-3, Jan 4 Sun worked
		{"2026-12-31", 1, "2027-01-01"}, // 2027 unknown: only weekends are off
		{"2026-12-31", 2, "2027-01-04"},
		{"2026-01-01", workingDays2026, "2026-12-31"},
		{"2025-12-31", workingDays2026, "2026-12-31"},
		// n == 0: from itself if working, else the next working day.
		{"2026-10-13", 0, "2026-10-13"},
		{"2026-10-10", 0, "2026-10-10"},
		{"2026-10-01", 0, "2026-10-08"},
		{"2026-10-11", 0, "2026-10-12"},
		{"2026-02-15", 0, "2026-02-24"},
		// Negative n: the n-th working day before.
		{"2026-10-13", -5, "2026-09-30"},
		{"2026-10-13", -1, "2026-10-12"},
		{"2026-10-12", -1, "2026-10-10"},
		{"2026-10-08", -1, "2026-09-30"},
		{"2026-10-05", -1, "2026-09-30"},
		{"2026-10-05", -2, "2026-09-29"},
		{"2026-02-24", -1, "2026-02-14"},
		{"2026-02-24", -2, "2026-02-13"},
		{"2025-02-05", -1, "2025-01-27"},
		{"2025-02-05", -2, "2025-01-26"},
		{"2025-02-05", -3, "2025-01-24"},
		{"2026-01-04", -1, "2025-12-31"},
		{"2027-01-01", -1, "2026-12-31"},
		{"2026-12-31", -workingDays2026, "2025-12-31"},
	} {
		if got := c.AddWorkdays(d(tc.from), tc.n); got != d(tc.want) {
			t.Errorf("AddWorkdays(%s, %d) = %s %s, want %s", tc.from, tc.n, got, got.Weekday(), tc.want)
		}
	}
}

func TestNeighbours(t *testing.T) {
	c := official(t)
	for _, tc := range []struct {
		date, next, prev, onOrBefore string
	}{
		{"2026-10-01", "2026-10-08", "2026-09-30", "2026-09-30"},
		{"2026-10-08", "2026-10-09", "2026-09-30", "2026-10-08"},
		{"2026-10-10", "2026-10-12", "2026-10-09", "2026-10-10"},
		{"2026-10-11", "2026-10-12", "2026-10-10", "2026-10-10"},
		{"2026-02-22", "2026-02-24", "2026-02-14", "2026-02-14"},
		{"2025-01-01", "2025-01-02", "2024-12-31", "2024-12-31"},
		{"2025-06-01", "2025-06-03", "2025-05-30", "2025-05-30"},
	} {
		x := d(tc.date)
		if got := c.NextWorkday(x); got != d(tc.next) {
			t.Errorf("NextWorkday(%s) = %s, want %s", x, got, tc.next)
		}
		if got := c.PrevWorkday(x); got != d(tc.prev) {
			t.Errorf("PrevWorkday(%s) = %s, want %s", x, got, tc.prev)
		}
		if got := c.LastWorkdayOnOrBefore(x); got != d(tc.onOrBefore) {
			t.Errorf("LastWorkdayOnOrBefore(%s) = %s, want %s", x, got, tc.onOrBefore)
		}
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := official(t)
	for _, tc := range []struct {
		from, to string
		want     int
	}{
		{"2026-09-30", "2026-10-13", 5},
		{"2026-10-13", "2026-09-30", -5},
		{"2026-09-30", "2026-09-30", 0},
		{"2026-10-01", "2026-10-07", 0},
		{"2026-10-07", "2026-10-08", 1},
		{"2026-10-11", "2026-10-12", 1},
		{"2026-10-10", "2026-10-11", 0},
		{"2026-02-13", "2026-02-24", 2},
		{"2026-02-24", "2026-02-13", -2},
		{"2026-02-14", "2026-02-13", -1}, // -(working days in (Feb 13, Feb 14])
		{"2026-02-15", "2026-02-13", -1},
		{"2025-09-26", "2025-10-13", 7},
		{"2024-12-31", "2025-12-31", workingDays2025},
		{"2025-12-31", "2024-12-31", -workingDays2025},
		{"2024-12-31", "2026-12-31", workingDays2025 + workingDays2026},
	} {
		if got := c.WorkdaysBetween(d(tc.from), d(tc.to)); got != tc.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}

// TestAddWorkdaysInverse checks the documented link between AddWorkdays and
// WorkdaysBetween on random dates of 2025 and 2026.
func TestAddWorkdaysInverse(t *testing.T) {
	c := official(t)
	rng := rand.New(rand.NewPCG(2025, 2026))
	first, last := d("2025-01-01"), d("2026-12-31")
	for range 20000 {
		a := first.AddDays(rng.IntN(last.Sub(first) + 1))
		n := rng.IntN(41)
		b := c.AddWorkdays(a, n)
		if !c.IsWorkday(b) {
			t.Fatalf("AddWorkdays(%s, %d) = %s, not a working day", a, n, b)
		}
		want := n
		if n == 0 && !c.IsWorkday(a) {
			want = 1 // the next working day
		}
		if got := c.WorkdaysBetween(a, b); got != want {
			t.Fatalf("WorkdaysBetween(%s, AddWorkdays(%[1]s, %d) = %s) = %d, want %d", a, n, b, got, want)
		}
		// Backwards from a working day, n steps back is -n working days away.
		if n > 0 && c.IsWorkday(a) {
			back := c.AddWorkdays(a, -n)
			if got := c.WorkdaysBetween(a, back); got != -n {
				t.Fatalf("WorkdaysBetween(%s, AddWorkdays(%[1]s, %d) = %s) = %d", a, -n, back, got)
			}
			if got := c.AddWorkdays(back, n); got != a {
				t.Fatalf("AddWorkdays(AddWorkdays(%s, %d), %d) = %s", a, -n, n, got)
			}
		}
		// Additivity and antisymmetry.
		e := first.AddDays(rng.IntN(last.Sub(first) + 1))
		if c.WorkdaysBetween(a, b)+c.WorkdaysBetween(b, e) != c.WorkdaysBetween(a, e) {
			t.Fatalf("WorkdaysBetween not additive for %s, %s, %s", a, b, e)
		}
		if c.WorkdaysBetween(a, e) != -c.WorkdaysBetween(e, a) {
			t.Fatalf("WorkdaysBetween not antisymmetric for %s, %s", a, e)
		}
	}
}

// naive is a day-by-day reference implementation.
type naive map[Date]Kind

func (m naive) isWork(x Date) bool {
	if k, ok := m[x]; ok {
		return k == Workday
	}
	return !x.IsWeekend()
}

func (m naive) add(from Date, n int) Date {
	x := from
	switch {
	case n == 0:
		for !m.isWork(x) {
			x = x.AddDays(1)
		}
	case n > 0:
		for n > 0 {
			x = x.AddDays(1)
			if m.isWork(x) {
				n--
			}
		}
	default:
		for n < 0 {
			x = x.AddDays(-1)
			if m.isWork(x) {
				n++
			}
		}
	}
	return x
}

func (m naive) between(from, to Date) int {
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for x := from.AddDays(1); !x.After(to); x = x.AddDays(1) {
		if m.isWork(x) {
			n++
		}
	}
	return sign * n
}

// TestAgainstNaive compares the arithmetic with the day-by-day reference on
// the official data and on random schedules, including dense runs of
// overrides, workdays on weekdays and holidays on weekends.
func TestAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ov, _ := LoadOfficial()
	schedules := [][]Override{ov, nil}
	base := d("2030-01-01")
	for range 30 {
		var s []Override
		for range rng.IntN(60) {
			k := Holiday
			if rng.IntN(3) == 0 {
				k = Workday
			}
			s = append(s, Override{Date: base.AddDays(rng.IntN(120)), Kind: k})
		}
		schedules = append(schedules, s)
	}
	for si, s := range schedules {
		c := New(s)
		ref := naive{}
		for _, o := range s {
			ref[o.Date] = o.Kind // last wins, as in New
		}
		lo, hi := d("2024-11-01"), d("2027-02-01")
		if si > 0 {
			lo, hi = base.AddDays(-30), base.AddDays(150)
		}
		for x := lo; !x.After(hi); x = x.AddDays(1) {
			if c.IsWorkday(x) != ref.isWork(x) {
				t.Fatalf("schedule %d: IsWorkday(%s) = %v", si, x, c.IsWorkday(x))
			}
			for _, n := range []int{0, 1, 2, 3, 5, 7, 10, 20, -1, -2, -5, -20, rng.IntN(400) - 200} {
				if got, want := c.AddWorkdays(x, n), ref.add(x, n); got != want {
					t.Fatalf("schedule %d: AddWorkdays(%s, %d) = %s, want %s", si, x, n, got, want)
				}
			}
			y := x.AddDays(rng.IntN(300) - 150)
			if got, want := c.WorkdaysBetween(x, y), ref.between(x, y); got != want {
				t.Fatalf("schedule %d: WorkdaysBetween(%s, %s) = %d, want %d", si, x, y, got, want)
			}
			if got, want := c.LastWorkdayOnOrBefore(x), ref.add(x.AddDays(1), -1); got != want {
				t.Fatalf("schedule %d: LastWorkdayOnOrBefore(%s) = %s, want %s", si, x, got, want)
			}
		}
	}
}

func TestLargeN(t *testing.T) {
	c := official(t)
	ref := naive{}
	ov, _ := LoadOfficial()
	for _, o := range ov {
		ref[o.Date] = o.Kind
	}
	from := d("2020-03-15")
	for _, n := range []int{1000, 5000, 100000, -1000, -100000} {
		got := c.AddWorkdays(from, n)
		if want := ref.add(from, n); got != want {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", from, n, got, want)
		}
		if n > 0 && c.WorkdaysBetween(from, got) != n {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", from, got, c.WorkdaysBetween(from, got), n)
		}
	}
}

func TestZeroCalendar(t *testing.T) {
	var c Calendar
	if got := c.AddWorkdays(d("2026-09-30"), 5); got != d("2026-10-07") {
		t.Errorf("zero Calendar AddWorkdays = %s", got)
	}
	if c.IsWorkday(d("2026-10-03")) || !c.IsWorkday(d("2026-10-01")) || c.HasYear(2026) {
		t.Error("zero Calendar is not a plain Monday-to-Friday calendar")
	}
}

func TestNewLastOverrideWins(t *testing.T) {
	ov, _ := LoadOfficial()
	// An administrator's correction appended after the official data.
	c := New(append(ov, Override{Date: d("2026-10-08"), Kind: Holiday, Name: "test"}))
	if c.IsWorkday(d("2026-10-08")) {
		t.Error("appended override did not win")
	}
	if got := c.AddWorkdays(d("2026-09-30"), 1); got != d("2026-10-09") {
		t.Errorf("AddWorkdays = %s, want 2026-10-09", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("New accepted an invalid kind")
		}
	}()
	New([]Override{{Date: d("2026-10-08"), Kind: "rest"}})
}

func TestDeadline(t *testing.T) {
	c := official(t)
	for _, tc := range []struct {
		start time.Time
		n     int
		want  string // end of this day in Shanghai
	}{
		{time.Date(2026, 9, 30, 15, 0, 0, 0, Shanghai), 5, "2026-10-13"},
		// 17:30 UTC on Sep 29 is 01:30 on Sep 30 in Shanghai.
		{time.Date(2026, 9, 29, 17, 30, 0, 0, time.UTC), 5, "2026-10-13"},
		// 15:59 UTC on Sep 29 is still Sep 29 in Shanghai.
		{time.Date(2026, 9, 29, 15, 59, 0, 0, time.UTC), 5, "2026-10-12"},
		{time.Date(2026, 2, 13, 9, 0, 0, 0, Shanghai), 2, "2026-02-24"},
		{time.Date(2026, 10, 3, 9, 0, 0, 0, Shanghai), 0, "2026-10-08"},
		{time.Date(2026, 10, 9, 9, 0, 0, 0, Shanghai), 0, "2026-10-09"},
	} {
		got := c.Deadline(tc.start, tc.n)
		want := d(tc.want).AddDays(1).Time(Shanghai).Add(-time.Nanosecond)
		if !got.Equal(want) || got.Location() != Shanghai {
			t.Errorf("Deadline(%v, %d) = %v, want %v", tc.start, tc.n, got, want)
		}
		if h, m, s := got.Clock(); h != 23 || m != 59 || s != 59 || got.Nanosecond() != 999999999 {
			t.Errorf("Deadline(%v, %d) = %v, not the end of a day", tc.start, tc.n, got)
		}
	}
}

func TestExplain(t *testing.T) {
	c := official(t)
	for _, tc := range []struct {
		date, kind, name string
	}{
		{"2026-10-13", DayWorkday, ""},
		{"2026-10-11", DayWeekend, ""},
		{"2026-10-01", DayHoliday, "国庆节"},
		{"2026-10-03", DayHoliday, "国庆节"}, // Saturday inside the holiday keeps its name
		{"2026-10-10", DayAdjustedWorkday, "国庆节"},
		{"2026-02-14", DayAdjustedWorkday, "春节"},
		{"2026-09-26", DayHoliday, "中秋节"},
		{"2025-01-01", DayHoliday, "元旦"},
		{"2027-01-01", DayWorkday, ""},
	} {
		kind, name := c.Explain(d(tc.date))
		if kind != tc.kind || name != tc.name {
			t.Errorf("Explain(%s) = %q, %q, want %q, %q", tc.date, kind, name, tc.kind, tc.name)
		}
	}
	// A workday override on a weekday changes nothing but keeps its name.
	c2 := New([]Override{{Date: d("2026-10-13"), Kind: Workday, Name: "x"}})
	if kind, name := c2.Explain(d("2026-10-13")); kind != DayWorkday || name != "x" {
		t.Errorf("Explain weekday workday = %q, %q", kind, name)
	}
}

func TestYears(t *testing.T) {
	c := official(t)
	if got := c.Years(); !slices.Equal(got, []int{2025, 2026}) {
		t.Errorf("Years() = %v", got)
	}
	for y, want := range map[int]bool{2024: false, 2025: true, 2026: true, 2027: false} {
		if c.HasYear(y) != want {
			t.Errorf("HasYear(%d) = %v", y, !want)
		}
	}
	// 2023's New Year's Day period began on 2022-12-31.
	c2 := New([]Override{
		{Date: d("2022-12-31"), Kind: Holiday, Name: "元旦"},
		{Date: d("2023-01-01"), Kind: Holiday, Name: "元旦"},
		{Date: d("2023-01-02"), Kind: Holiday, Name: "元旦"},
	})
	if got := c2.Years(); !slices.Equal(got, []int{2023}) {
		t.Errorf("Years() = %v, want [2023]", got)
	}
	got := c.Years()
	got[0] = 1
	if c.Years()[0] != 2025 {
		t.Error("Years returned shared data")
	}
}

func TestOverridesSorted(t *testing.T) {
	ov, _ := LoadOfficial()
	shuffled := slices.Clone(ov)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if got := New(shuffled).Overrides(); !slices.Equal(got, ov) {
		t.Errorf("Overrides() differs from LoadOfficial()")
	}
}

func TestConcurrentUse(t *testing.T) {
	done := make(chan Date)
	for i := range 8 {
		go func() {
			c := Official()
			x := d("2026-09-30")
			for range 1000 {
				x = c.AddWorkdays(x, i%3-1)
				c.IsWorkday(x)
				c.Explain(x)
			}
			done <- x
		}()
	}
	for range 8 {
		<-done
	}
}

var sink Date

func BenchmarkAddWorkdays(b *testing.B) {
	c := Official()
	start := d("2025-01-01")
	for _, n := range []int{1, 5, 20, 250} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				sink = c.AddWorkdays(start.AddDays(i%730), n)
				i++
			}
		})
	}
}

func BenchmarkIsWorkday(b *testing.B) {
	c := Official()
	start := d("2025-01-01")
	i, n := 0, 0
	for b.Loop() {
		if c.IsWorkday(start.AddDays(i % 730)) {
			n++
		}
		i++
	}
	_ = n
}

func BenchmarkWorkdaysBetween(b *testing.B) {
	c := Official()
	start := d("2025-01-01")
	i, n := 0, 0
	for b.Loop() {
		n += c.WorkdaysBetween(start.AddDays(i%730), start.AddDays(i%365+20))
		i++
	}
	_ = n
}
