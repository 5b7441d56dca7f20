package calendar

import (
	"fmt"
	"slices"
	"time"
)

// Kind says how an Override changes a day.
type Kind string

const (
	// Holiday marks a day off: a statutory holiday (法定节假日) or a rest
	// day of a holiday period. On a weekday it makes the day a non-working
	// day; on a weekend it changes nothing but carries the festival name.
	Holiday Kind = "holiday"
	// Workday marks an adjusted working day (调休上班): a Saturday or
	// Sunday that is worked.
	Workday Kind = "workday"
)

// Valid reports whether k is Holiday or Workday.
func (k Kind) Valid() bool { return k == Holiday || k == Workday }

// Override is one day of an official schedule that differs from, or
// annotates, the plain Monday-to-Friday week.
type Override struct {
	Date Date   `json:"date"`
	Kind Kind   `json:"kind"` // "holiday" or "workday"
	Name string `json:"name,omitempty"`
}

// Day kinds returned by Calendar.Explain.
const (
	DayWorkday         = "workday"          // an ordinary Monday to Friday
	DayWeekend         = "weekend"          // an ordinary Saturday or Sunday
	DayHoliday         = "holiday"          // a holiday override, on any day of the week
	DayAdjustedWorkday = "adjusted_workday" // a weekend day worked (调休上班)
)

// Calendar answers working-day questions for a set of overrides. Build it
// with New; it is immutable and safe for concurrent use. The zero Calendar
// has no overrides: Monday to Friday are working days.
type Calendar struct {
	byDate map[Date]Override
	// steps lists the overrides that change the working-day count
	// (holidays on weekdays, workdays on weekends), sorted by day.
	steps []step
	years []int
}

// step is an override that changes the running count of working days.
type step struct {
	day   int // Date.n
	delta int // sum of all corrections up to and including day
	count int // c.count(day)
}

// New returns a calendar with the given overrides; the slice is copied.
// When several overrides share a date, the last one wins, so a schedule
// imported by an administrator can be appended after LoadOfficial's to
// correct it. New panics if an override has an invalid Kind: the parsers
// in this package never return one.
func New(overrides []Override) *Calendar {
	c := &Calendar{byDate: make(map[Date]Override, len(overrides))}
	for _, o := range overrides {
		if !o.Kind.Valid() {
			panic(fmt.Sprintf("calendar: override for %s has invalid kind %q", o.Date, o.Kind))
		}
		c.byDate[o.Date] = o
	}
	days := make([]Date, 0, len(c.byDate))
	years := map[int]bool{}
	for d := range c.byDate {
		days = append(days, d)
		// A New Year's Day period may start in late December of the
		// previous year (2022-12-31 for 2023): that alone does not make
		// the previous year one with data.
		if _, m, dd := d.Date(); m != time.December || dd < 25 {
			years[d.Year()] = true
		}
	}
	slices.SortFunc(days, Date.Compare)
	delta := 0
	for _, d := range days {
		var corr int
		switch o := c.byDate[d]; {
		case o.Kind == Holiday && !d.IsWeekend():
			corr = -1
		case o.Kind == Workday && d.IsWeekend():
			corr = +1
		default:
			continue
		}
		delta += corr
		c.steps = append(c.steps, step{day: d.n, delta: delta, count: plainCount(d.n) + delta})
	}
	for y := range years {
		c.years = append(c.years, y)
	}
	slices.Sort(c.years)
	return c
}

// IsWorkday reports whether d is a working day: Monday to Friday unless
// overridden as a holiday, Saturday and Sunday only when overridden as a
// workday (调休上班).
func (c *Calendar) IsWorkday(d Date) bool {
	if o, ok := c.byDate[d]; ok {
		return o.Kind == Workday
	}
	return !d.IsWeekend()
}

// AddWorkdays returns the n-th working day after from; from itself is never
// counted. For example, with the 2026 schedule AddWorkdays(2026-09-30, 5)
// is 2026-10-13 (Oct 8, Oct 9, Oct 10 worked Saturday, Oct 12, Oct 13).
//
// n == 0 returns from when it is a working day and otherwise the next
// working day. A negative n counts backwards: AddWorkdays(d, -1) is the last
// working day strictly before d.
//
// Outside the years with data (see Years) only weekends are days off.
// The result is computed arithmetically in O(log k) for k overrides, so
// large n costs no more than small n.
func (c *Calendar) AddWorkdays(from Date, n int) Date {
	if n > 0 {
		return Date{c.kth(c.count(from.n) + n)}
	}
	return Date{c.kth(c.count(from.n-1) + n + 1)}
}

// WorkdaysBetween returns the number of working days d with
// from < d <= to: from is not counted, to is. When to is before from the
// result is negative: -WorkdaysBetween(to, from), i.e. minus the number of
// working days d with to < d <= from.
//
// The convention matches AddWorkdays: for n > 0,
// WorkdaysBetween(a, AddWorkdays(a, n)) == n, and with a deadline D and a
// current date t, WorkdaysBetween(t, D) is the number of working days left
// (negative: how many working days the deadline is overdue). It is additive:
// WorkdaysBetween(a, b) + WorkdaysBetween(b, c) == WorkdaysBetween(a, c).
func (c *Calendar) WorkdaysBetween(from, to Date) int {
	return c.count(to.n) - c.count(from.n)
}

// Deadline returns the end of the n-th working day after the date of start
// in Shanghai, as defined by AddWorkdays: a deadline is the end of a day,
// 23:59:59.999999999 Asia/Shanghai. With n == 0 it is the end of start's
// day if that is a working day, else of the next working day.
//
// A deadline has passed at instant t when t.After(deadline).
func (c *Calendar) Deadline(start time.Time, n int) time.Time {
	d := c.AddWorkdays(FromTime(start, Shanghai), n)
	return d.AddDays(1).Time(Shanghai).Add(-time.Nanosecond)
}

// NextWorkday returns the first working day strictly after d.
func (c *Calendar) NextWorkday(d Date) Date { return c.AddWorkdays(d, 1) }

// PrevWorkday returns the last working day strictly before d.
func (c *Calendar) PrevWorkday(d Date) Date { return c.AddWorkdays(d, -1) }

// LastWorkdayOnOrBefore returns d if it is a working day and otherwise the
// last working day before it.
func (c *Calendar) LastWorkdayOnOrBefore(d Date) Date {
	return Date{c.kth(c.count(d.n))}
}

// Explain describes day d for display. kind is one of DayWorkday,
// DayWeekend, DayHoliday or DayAdjustedWorkday; name is the festival name
// of an override (春节, 国庆节, ...), empty for ordinary days. A holiday
// override on a weekend still reports DayHoliday with its name.
func (c *Calendar) Explain(d Date) (kind string, name string) {
	if o, ok := c.byDate[d]; ok {
		switch {
		case o.Kind == Holiday:
			return DayHoliday, o.Name
		case d.IsWeekend():
			return DayAdjustedWorkday, o.Name
		default:
			return DayWorkday, o.Name
		}
	}
	if d.IsWeekend() {
		return DayWeekend, ""
	}
	return DayWorkday, ""
}

// Years returns, in ascending order, the years that have overrides. Dates
// in the last week of December do not count on their own, so a New Year's
// Day period starting in the previous December does not mark that year.
func (c *Calendar) Years() []int { return slices.Clone(c.years) }

// HasYear reports whether year y has overrides (see Years). Counting in a
// year without data treats only weekends as days off, which is likely to be
// wrong around the Spring Festival and National Day.
func (c *Calendar) HasYear(y int) bool {
	_, found := slices.BinarySearch(c.years, y)
	return found
}

// Overrides returns the calendar's overrides sorted by date.
func (c *Calendar) Overrides() []Override {
	out := make([]Override, 0, len(c.byDate))
	for _, o := range c.byDate {
		out = append(out, o)
	}
	sortOverrides(out)
	return out
}

// The arithmetic below numbers working days. count(x) is the number of
// working days up to and including day x, relative to a fixed origin (it
// may be negative); a day x is a working day exactly when
// count(x) == count(x-1)+1, and kth(k) is the working day x with
// count(x) == k. Between two steps, working days are exactly Monday to
// Friday, so both reduce to week arithmetic plus a binary search over the
// steps.

// plainCount returns the number of Mondays to Fridays in [0, x] (day 0,
// 0001-01-01, is a Monday), extended to negative x so that
// plainCount(x)-plainCount(x-1) is 1 exactly on Monday to Friday.
func plainCount(x int) int {
	q := floorDiv(x, 7)
	r := x - 7*q
	return 5*q + min(r+1, 5)
}

// plainKth returns the Monday-to-Friday day x with plainCount(x) == k.
func plainKth(k int) int {
	q := floorDiv(k-1, 5)
	j := k - 5*q // 1..5
	return 7*q + j - 1
}

func (c *Calendar) count(x int) int {
	// i = number of steps with day <= x.
	lo, hi := 0, len(c.steps)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c.steps[m].day <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return plainCount(x)
	}
	return plainCount(x) + c.steps[lo-1].delta
}

func (c *Calendar) kth(k int) int {
	// i = first step with count >= k; the answer lies after step i-1 and
	// no later than step i.
	lo, hi := 0, len(c.steps)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if c.steps[m].count < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	delta := 0
	if lo > 0 {
		delta = c.steps[lo-1].delta
	}
	x := plainKth(k - delta)
	if lo < len(c.steps) && x >= c.steps[lo].day {
		// Every weekday up to step lo is used up: the answer is the step
		// itself, a worked weekend day.
		return c.steps[lo].day
	}
	return x
}
