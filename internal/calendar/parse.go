package calendar

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError reports a rejected entry of an imported schedule. Line is the
// 1-based line of a CSV record or of a JSON syntax error (0 when unknown);
// Entry names the JSON entry, e.g. `year 2026 holidays[1] "春节"`.
type ParseError struct {
	Line  int
	Entry string
	Err   error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("calendar: ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Entry != "" {
		b.WriteString(e.Entry)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Limits on imported schedules.
const (
	maxScheduleBytes = 1 << 20 // a year's schedule is about 2 KB
	maxNameRunes     = 64
	maxRangeDays     = 31 // the longest holiday period so far is 9 days
)

// scheduleFile is the JSON schedule format; see ParseOverrides.
type scheduleFile struct {
	Note  string         `json:"note,omitempty"`
	Years []yearSchedule `json:"years"`
}

type yearSchedule struct {
	Year     int            `json:"year"`
	Source   string         `json:"source,omitempty"`
	Holidays []holidayRange `json:"holidays"`
	Workdays []workdayEntry `json:"workdays"`
}

type holidayRange struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to,omitempty"` // defaults to From
}

type workdayEntry struct {
	Date string `json:"date"`
	Name string `json:"name,omitempty"`
}

// ParseOverrides reads a schedule in the JSON format of the embedded
// holidays.json:
//
//	{"years": [{
//	  "year": 2026,
//	  "source": "国务院办公厅关于2026年部分节假日安排的通知",
//	  "holidays": [{"name": "春节", "from": "2026-02-15", "to": "2026-02-23"}],
//	  "workdays": [{"date": "2026-02-14", "name": "春节"}]
//	}]}
//
// Every date from "from" to "to" inclusive becomes a Holiday override named
// after the range ("to" may be omitted for a single day); each workday
// becomes a Workday override. The result is sorted by date.
//
// The input is rejected, with a *ParseError naming the entry, on unknown
// fields, a malformed or impossible date, a range that ends before it starts
// or spans more than 31 days, a date more than one year away from its
// "year", a holiday without a name, a workday that is not a Saturday or
// Sunday, a year listed twice, or a date that is both a holiday and a
// workday. A date listed twice with the same kind is kept once, with the
// first name given.
func ParseOverrides(r io.Reader) ([]Override, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxScheduleBytes+1))
	if err != nil {
		return nil, fmt.Errorf("calendar: reading schedule: %w", err)
	}
	if len(data) > maxScheduleBytes {
		return nil, fmt.Errorf("calendar: schedule larger than %d bytes", maxScheduleBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f scheduleFile
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ParseError{Err: errors.New("unexpected data after the JSON object")}
	}
	if len(f.Years) == 0 {
		return nil, &ParseError{Err: errors.New(`no "years" in schedule`)}
	}

	var s overrideSet
	seenYear := map[int]int{}
	for yi, y := range f.Years {
		entry := fmt.Sprintf("years[%d]", yi)
		if y.Year < 1 || y.Year > 9999 {
			return nil, &ParseError{Entry: entry, Err: fmt.Errorf("invalid year %d", y.Year)}
		}
		if prev, dup := seenYear[y.Year]; dup {
			return nil, &ParseError{Entry: entry, Err: fmt.Errorf("year %d already given in years[%d]", y.Year, prev)}
		}
		seenYear[y.Year] = yi
		for hi, h := range y.Holidays {
			entry := fmt.Sprintf("year %d holidays[%d] %q", y.Year, hi, h.Name)
			if err := s.addRange(y.Year, h, entry); err != nil {
				return nil, err
			}
		}
		for wi, w := range y.Workdays {
			entry := fmt.Sprintf("year %d workdays[%d] %q", y.Year, wi, w.Date)
			fail := func(err error) error { return &ParseError{Entry: entry, Err: err} }
			d, err := ParseDate(strings.TrimSpace(w.Date))
			if err != nil {
				return nil, fail(err)
			}
			if err := checkYear(d, y.Year); err != nil {
				return nil, fail(err)
			}
			name, err := checkName(w.Name)
			if err != nil {
				return nil, fail(err)
			}
			if err := s.add(Override{Date: d, Kind: Workday, Name: name}, entry); err != nil {
				return nil, fail(err)
			}
		}
	}
	return s.sorted(), nil
}

func (s *overrideSet) addRange(year int, h holidayRange, entry string) error {
	fail := func(err error) error { return &ParseError{Entry: entry, Err: err} }
	name, err := checkName(h.Name)
	if err != nil {
		return fail(err)
	}
	if name == "" {
		return fail(errors.New("holiday without a name"))
	}
	from, err := ParseDate(strings.TrimSpace(h.From))
	if err != nil {
		return fail(fmt.Errorf("from: %w", err))
	}
	to := from
	if strings.TrimSpace(h.To) != "" {
		if to, err = ParseDate(strings.TrimSpace(h.To)); err != nil {
			return fail(fmt.Errorf("to: %w", err))
		}
	}
	if to.Before(from) {
		return fail(fmt.Errorf("range ends (%s) before it starts (%s)", to, from))
	}
	if to.Sub(from) >= maxRangeDays {
		return fail(fmt.Errorf("range %s to %s is longer than %d days", from, to, maxRangeDays))
	}
	for _, d := range []Date{from, to} {
		if err := checkYear(d, year); err != nil {
			return fail(err)
		}
	}
	for d := from; !d.After(to); d = d.AddDays(1) {
		if err := s.add(Override{Date: d, Kind: Holiday, Name: name}, entry); err != nil {
			return fail(err)
		}
	}
	return nil
}

// ParseOverridesCSV reads overrides from CSV with the header row
// "date,kind,name" and one override per line, for example
//
//	date,kind,name
//	2026-02-14,workday,春节
//	2026-02-15,holiday,春节
//
// kind is "holiday" or "workday"; name may be empty. A UTF-8 byte order
// mark (as written by spreadsheet programs) is ignored, as are spaces
// around fields. The result is sorted by date.
//
// The input is rejected, with a *ParseError giving the line, on a missing or
// different header, a record without exactly three fields, a malformed or
// impossible date, an unknown kind, a workday that is not a Saturday or
// Sunday, a name that is not printable text of at most 64 characters, or a
// date given twice with different kinds. A date given twice with the same
// kind is kept once, with the first non-empty name.
func ParseOverridesCSV(r io.Reader) ([]Override, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true

	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{Line: 1, Err: errors.New("empty input: want the header row date,kind,name")}
	}
	if err != nil {
		return nil, csvError(err)
	}
	if len(header) != 3 || !strings.EqualFold(strings.TrimSpace(header[0]), "date") ||
		!strings.EqualFold(strings.TrimSpace(header[1]), "kind") ||
		!strings.EqualFold(strings.TrimSpace(header[2]), "name") {
		line, _ := cr.FieldPos(0)
		return nil, &ParseError{Line: line, Err: fmt.Errorf("header is %q, want date,kind,name", strings.Join(header, ","))}
	}

	var s overrideSet
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		fail := func(err error) error { return &ParseError{Line: line, Err: err} }
		if len(rec) != 3 {
			return nil, fail(fmt.Errorf("%d fields, want 3 (date,kind,name)", len(rec)))
		}
		d, err := ParseDate(strings.TrimSpace(rec[0]))
		if err != nil {
			return nil, fail(err)
		}
		k := Kind(strings.ToLower(strings.TrimSpace(rec[1])))
		if !k.Valid() {
			return nil, fail(fmt.Errorf("unknown kind %q, want holiday or workday", rec[1]))
		}
		name, err := checkName(rec[2])
		if err != nil {
			return nil, fail(err)
		}
		if err := s.add(Override{Date: d, Kind: k, Name: name}, fmt.Sprintf("line %d", line)); err != nil {
			return nil, fail(err)
		}
	}
	return s.sorted(), nil
}

// overrideSet collects parsed overrides, rejecting conflicting duplicates.
type overrideSet struct {
	list  []Override
	where []string // where list[i] was given, for error messages
	index map[Date]int
}

func (s *overrideSet) add(o Override, where string) error {
	if o.Kind == Workday && !o.Date.IsWeekend() {
		return fmt.Errorf("workday %s is a %s: adjusted working days are Saturdays or Sundays", o.Date, o.Date.Weekday())
	}
	if s.index == nil {
		s.index = map[Date]int{}
	}
	if i, dup := s.index[o.Date]; dup {
		prev := &s.list[i]
		if prev.Kind != o.Kind {
			return fmt.Errorf("%s is a %s here but a %s in %s", o.Date, o.Kind, prev.Kind, s.where[i])
		}
		if prev.Name == "" {
			prev.Name = o.Name
		}
		return nil
	}
	s.index[o.Date] = len(s.list)
	s.list = append(s.list, o)
	s.where = append(s.where, where)
	return nil
}

func (s *overrideSet) sorted() []Override {
	out := make([]Override, len(s.list))
	copy(out, s.list)
	sortOverrides(out)
	return out
}

func checkYear(d Date, year int) error {
	if y := d.Year(); y < year-1 || y > year+1 {
		return fmt.Errorf("date %s is too far from year %d", d, year)
	}
	return nil
}

func checkName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", errors.New("name is not valid UTF-8")
	}
	if utf8.RuneCountInString(s) > maxNameRunes {
		return "", fmt.Errorf("name longer than %d characters", maxNameRunes)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return "", fmt.Errorf("name %q contains a control or invisible character", s)
		}
	}
	return s, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{Line: pe.Line, Err: pe.Err}
	}
	return fmt.Errorf("calendar: reading CSV: %w", err)
}

func jsonError(data []byte, err error) error {
	var offset int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		offset = se.Offset
	case errors.As(err, &te):
		offset = te.Offset
	}
	line := 0
	if offset >= 0 && offset <= int64(len(data)) {
		line = 1 + bytes.Count(data[:offset], []byte("\n"))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = errors.New("unexpected end of JSON input")
	}
	return &ParseError{Line: line, Err: err}
}
