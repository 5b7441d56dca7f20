package calendar

import (
	"fmt"
	"time"
	_ "time/tzdata" // the binary always carries Asia/Shanghai
)

// Shanghai is the Asia/Shanghai time zone (China Standard Time, UTC+8, no
// daylight saving time since 1991). All deadlines are computed in it.
// The tz database is embedded (time/tzdata), so loading does not fail in
// practice; should it ever, Shanghai is a fixed UTC+8 zone named "CST".
var Shanghai = loadShanghai()

func loadShanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}

// Date is a day of the proleptic Gregorian calendar, without time of day or
// time zone. Dates are comparable with == and usable as map keys. The zero
// value is January 1 of year 1, like the zero time.Time.
//
// Date marshals to and from JSON and text as "YYYY-MM-DD".
type Date struct {
	n int // days since 0001-01-01
}

// daysBeforeUnix is the number of days from 0001-01-01 to 1970-01-01.
const daysBeforeUnix = 719162

// NewDate returns the date for year y, month m and day d. Like time.Date,
// it normalizes out-of-range values: NewDate(2026, 2, 30) is 2026-03-02.
func NewDate(y int, m time.Month, d int) Date {
	mm := int(m) - 1
	y += floorDiv(mm, 12)
	mm = mm - 12*floorDiv(mm, 12) + 1
	return Date{daysFromCivil(y, mm, 1) + daysBeforeUnix + d - 1}
}

// ParseDate parses a date in the strict form "YYYY-MM-DD" ("2026-10-13").
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	y, ok1 := atoi(s[0:4])
	m, ok2 := atoi(s[5:7])
	d, ok3 := atoi(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	if m < 1 || m > 12 {
		return Date{}, fmt.Errorf("invalid date %q: month out of range", s)
	}
	if d < 1 || d > daysIn(y, time.Month(m)) {
		return Date{}, fmt.Errorf("invalid date %q: day out of range", s)
	}
	return NewDate(y, time.Month(m), d), nil
}

// MustParseDate is like ParseDate but panics on error. It is meant for
// constants in code and tests.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic("calendar: " + err.Error())
	}
	return d
}

// FromTime returns the date of instant t as seen in loc. A nil loc means
// Shanghai, the zone all deadlines are counted in.
func FromTime(t time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = Shanghai
	}
	y, m, d := t.In(loc).Date()
	return NewDate(y, m, d)
}

// Today returns the current date in Shanghai.
func Today() Date { return FromTime(time.Now(), Shanghai) }

// Time returns the start of day d (00:00:00) in loc. A nil loc means
// Shanghai.
func (d Date) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = Shanghai
	}
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// Date returns the year, month and day of d.
func (d Date) Date() (year int, month time.Month, day int) {
	y, m, dd := civilFromDays(d.n - daysBeforeUnix)
	return y, time.Month(m), dd
}

// Year returns the year of d.
func (d Date) Year() int { y, _, _ := d.Date(); return y }

// Month returns the month of d.
func (d Date) Month() time.Month { _, m, _ := d.Date(); return m }

// Day returns the day of the month of d.
func (d Date) Day() int { _, _, dd := d.Date(); return dd }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 0001-01-01 was a Monday.
	return time.Weekday((floorMod(d.n, 7) + 1) % 7)
}

// IsWeekend reports whether d is a Saturday or a Sunday.
func (d Date) IsWeekend() bool { return floorMod(d.n, 7) >= 5 }

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date { return Date{d.n + n} }

// Sub returns the number of days from u to d (d - u).
func (d Date) Sub(u Date) int { return d.n - u.n }

// Before reports whether d is before u.
func (d Date) Before(u Date) bool { return d.n < u.n }

// After reports whether d is after u.
func (d Date) After(u Date) bool { return d.n > u.n }

// Equal reports whether d and u are the same day (the same as d == u).
func (d Date) Equal(u Date) bool { return d.n == u.n }

// Compare returns -1, 0 or +1 as d is before, equal to or after u; it
// suits slices.SortFunc.
func (d Date) Compare(u Date) int {
	switch {
	case d.n < u.n:
		return -1
	case d.n > u.n:
		return 1
	}
	return 0
}

// IsZero reports whether d is the zero Date, 0001-01-01.
func (d Date) IsZero() bool { return d.n == 0 }

// String returns d as "YYYY-MM-DD".
func (d Date) String() string {
	y, m, dd := d.Date()
	if y >= 0 && y <= 9999 {
		b := []byte("0000-00-00")
		put := func(i, v, w int) {
			for j := i + w - 1; j >= i; j-- {
				b[j] = byte('0' + v%10)
				v /= 10
			}
		}
		put(0, y, 4)
		put(5, int(m), 2)
		put(8, dd, 2)
		return string(b)
	}
	return fmt.Sprintf("%d-%02d-%02d", y, int(m), dd)
}

// MarshalText implements encoding.TextMarshaler ("YYYY-MM-DD").
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler using ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return fmt.Errorf("calendar: %w", err)
	}
	*d = v
	return nil
}

func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - b*floorDiv(a, b) }

// daysFromCivil returns the number of days from 1970-01-01 to y-m-d
// (Howard Hinnant's algorithm; m in 1..12, d in 1..31).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := m - 3
	if m <= 2 {
		mp = m + 9
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// OpenAPISchema documents Date in the API as an ISO 8601 calendar date.
func (Date) OpenAPISchema() map[string]any {
	return map[string]any{"type": "string", "format": "date", "example": "2026-10-13"}
}
