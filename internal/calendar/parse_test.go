package calendar

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestParseOverridesEmbeddedFile(t *testing.T) {
	b, err := os.ReadFile("holidays.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseOverrides(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := LoadOfficial()
	if !slices.Equal(got, want) {
		t.Error("ParseOverrides(holidays.json) differs from LoadOfficial")
	}
}

func TestParseOverridesJSON(t *testing.T) {
	ov, err := ParseOverrides(strings.NewReader(`{"years": [{"year": 2027,
		"holidays": [{"name": "元旦", "from": "2027-01-01"},
		             {"name": "春节", "from": "2027-02-06", "to": "2027-02-08"},
		             {"name": "重复", "from": "2027-02-08", "to": "2027-02-08"}],
		"workdays": [{"date": "2027-02-13"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Override{
		{d("2027-01-01"), Holiday, "元旦"},
		{d("2027-02-06"), Holiday, "春节"},
		{d("2027-02-07"), Holiday, "春节"},
		{d("2027-02-08"), Holiday, "春节"}, // same kind twice: the first name stays
		{d("2027-02-13"), Workday, ""},
	}
	if !slices.Equal(ov, want) {
		t.Errorf("got %v\nwant %v", ov, want)
	}
}

func TestParseOverridesJSONRejects(t *testing.T) {
	wrap := func(year string) string { return `{"years": [` + year + `]}` }
	for _, tc := range []struct {
		name, in string
		want     []string // substrings of the error
		line     int
	}{
		{"syntax", "{\"years\": [\n{\"year\": 2026,,}]}", []string{"line 2", "invalid character"}, 2},
		{"truncated", `{"years": [`, []string{"unexpected end"}, 0},
		{"type", "{\"years\": [{\"year\": \"2026\"}]}", []string{"line 1", "year"}, 1},
		{"unknown field", wrap(`{"year": 2026, "holiday": []}`), []string{`unknown field "holiday"`}, 0},
		{"trailing", `{"years": [{"year": 2026}]} {}`, []string{"after the JSON object"}, 0},
		{"no years", `{}`, []string{`no "years"`}, 0},
		{"bad year", wrap(`{"year": 0}`), []string{"years[0]", "invalid year 0"}, 0},
		{"duplicate year", wrap(`{"year": 2026}, {"year": 2026}`), []string{"years[1]", "already given in years[0]"}, 0},
		{"bad from", wrap(`{"year": 2026, "holidays": [{"name": "春节", "from": "2026-02-30", "to": "2026-03-01"}]}`),
			[]string{`year 2026 holidays[0] "春节"`, `from: invalid date "2026-02-30"`}, 0},
		{"bad to", wrap(`{"year": 2026, "holidays": [{"name": "元旦", "from": "2026-01-01"}, {"name": "春节", "from": "2026-02-15", "to": "2026/02/23"}]}`),
			[]string{`holidays[1] "春节"`, `to: invalid date "2026/02/23"`}, 0},
		{"reversed", wrap(`{"year": 2026, "holidays": [{"name": "国庆节", "from": "2026-10-07", "to": "2026-10-01"}]}`),
			[]string{`holidays[0] "国庆节"`, "ends (2026-10-01) before it starts"}, 0},
		{"too long", wrap(`{"year": 2026, "holidays": [{"name": "国庆节", "from": "2026-10-01", "to": "2027-10-07"}]}`),
			[]string{`holidays[0] "国庆节"`, "longer than 31 days"}, 0},
		{"wrong year", wrap(`{"year": 2026, "holidays": [{"name": "国庆节", "from": "2016-10-01", "to": "2016-10-07"}]}`),
			[]string{"too far from year 2026"}, 0},
		{"no name", wrap(`{"year": 2026, "holidays": [{"name": " ", "from": "2026-10-01"}]}`),
			[]string{"holidays[0]", "without a name"}, 0},
		{"bad workday", wrap(`{"year": 2026, "workdays": [{"date": "2026-02-31"}]}`),
			[]string{`year 2026 workdays[0] "2026-02-31"`, "invalid date"}, 0},
		{"workday on weekday", wrap(`{"year": 2026, "workdays": [{"date": "2026-02-16", "name": "春节"}]}`),
			[]string{`workdays[0] "2026-02-16"`, "is a Monday"}, 0},
		{"conflict", wrap(`{"year": 2026, "holidays": [{"name": "春节", "from": "2026-02-14", "to": "2026-02-23"}],
			"workdays": [{"date": "2026-01-04"}, {"date": "2026-02-14"}]}`),
			[]string{`workdays[1] "2026-02-14"`, `2026-02-14 is a workday here but a holiday in year 2026 holidays[0] "春节"`}, 0},
	} {
		_, err := ParseOverrides(strings.NewReader(tc.in))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", tc.name, err, w)
			}
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: error %T is not a *ParseError", tc.name, err)
		} else if pe.Line != tc.line {
			t.Errorf("%s: Line = %d, want %d", tc.name, pe.Line, tc.line)
		}
	}
	big := `{"note": "` + strings.Repeat("x", maxScheduleBytes) + `"}`
	if _, err := ParseOverrides(strings.NewReader(big)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized schedule: %v", err)
	}
}

func TestParseOverridesCSV(t *testing.T) {
	in := "\ufeffDate, Kind ,name\r\n" +
		"2026-02-14,workday,春节\r\n" +
		"\r\n" +
		"2026-02-15, Holiday ,\"春节\"\r\n" +
		"2026-02-15,holiday,除夕\r\n" + // same kind again: the first name stays
		"2026-10-01,holiday,\"国庆节, National Day\"\r\n" +
		"2026-01-01,holiday,\r\n"
	got, err := ParseOverridesCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Override{
		{d("2026-01-01"), Holiday, ""},
		{d("2026-02-14"), Workday, "春节"},
		{d("2026-02-15"), Holiday, "春节"},
		{d("2026-10-01"), Holiday, "国庆节, National Day"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if got, err := ParseOverridesCSV(strings.NewReader("date,kind,name\n")); err != nil || len(got) != 0 {
		t.Errorf("header only: %v, %v", got, err)
	}
}

func TestParseOverridesCSVRejects(t *testing.T) {
	const h = "date,kind,name\n"
	for _, tc := range []struct {
		name, in string
		line     int
		want     string
	}{
		{"empty", "", 1, "header row"},
		{"no header", "2026-02-14,workday,春节\n", 1, `header is "2026-02-14,workday,春节"`},
		{"short header", "date,kind\n", 1, "want date,kind,name"},
		{"bad date", h + "2026-02-14,workday,春节\n2026-02-30,holiday,春节\n", 3, `invalid date "2026-02-30"`},
		{"slash date", h + "2026/02/14,workday,春节\n", 2, `invalid date "2026/02/14"`},
		{"unknown kind", h + "2026-02-14,workday,\n\n2026-02-15,rest,春节\n", 4, `unknown kind "rest"`},
		{"empty kind", h + "2026-02-15,,春节\n", 2, `unknown kind ""`},
		{"fields", h + "2026-02-15,holiday\n", 2, "2 fields, want 3"},
		{"too many fields", h + "2026-02-15,holiday,春节,x\n", 2, "4 fields, want 3"},
		{"conflict", h + "2026-02-14,workday,春节\n2026-02-15,holiday,春节\n2026-02-14,holiday,春节\n", 4,
			"2026-02-14 is a holiday here but a workday in line 2"},
		{"workday on weekday", h + "2026-02-16,workday,春节\n", 2, "is a Monday"},
		{"control char", h + "2026-02-15,holiday,春\x07节\n", 2, "control"},
		{"invalid utf8", h + "2026-02-15,holiday,\xff\n", 2, "UTF-8"},
		{"long name", h + "2026-02-15,holiday," + strings.Repeat("节", 65) + "\n", 2, "longer than 64"},
		{"bare quote", h + "2026-02-15,holiday,春\"节\n", 2, "bare"},
		{"open quote", h + "2026-02-14,workday,春节\n2026-02-15,holiday,\"春节\n", 3, "quote"},
	} {
		_, err := ParseOverridesCSV(strings.NewReader(tc.in))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not contain %q", tc.name, err, tc.want)
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != tc.line {
			t.Errorf("%s: error %q: want a *ParseError for line %d", tc.name, err, tc.line)
		}
	}
}

// FuzzParseOverridesCSV checks that the CSV parser never panics and that
// what it accepts is valid and survives a round trip. The committed seed
// corpus is in testdata/fuzz/FuzzParseOverridesCSV.
func FuzzParseOverridesCSV(f *testing.F) {
	f.Add("date,kind,name\n2026-02-14,workday,春节\n2026-02-15,holiday,春节\n")
	f.Add("\ufeffdate,kind,name\r\n2026-10-01,holiday,\"国庆节, x\"\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		ov, err := ParseOverridesCSV(strings.NewReader(in))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) && !strings.HasPrefix(err.Error(), "calendar: ") {
				t.Fatalf("error %q is neither a *ParseError nor prefixed", err)
			}
			return
		}
		for i, o := range ov {
			if !o.Kind.Valid() {
				t.Fatalf("invalid kind %q", o.Kind)
			}
			if o.Kind == Workday && !o.Date.IsWeekend() {
				t.Fatalf("workday on %s", o.Date.Weekday())
			}
			if i > 0 && !ov[i-1].Date.Before(o.Date) {
				t.Fatalf("not sorted or duplicate at %s", o.Date)
			}
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		_ = w.Write([]string{"date", "kind", "name"})
		for _, o := range ov {
			_ = w.Write([]string{o.Date.String(), string(o.Kind), o.Name})
		}
		w.Flush()
		again, err := ParseOverridesCSV(&buf)
		if err != nil {
			t.Fatalf("re-parsing %q: %v", buf.String(), err)
		}
		if !slices.Equal(again, ov) {
			t.Fatalf("round trip changed %v to %v", ov, again)
		}
		c := New(ov)
		for _, o := range ov {
			if c.IsWorkday(o.Date) != (o.Kind == Workday) {
				t.Fatalf("IsWorkday(%s) disagrees with %s", o.Date, o.Kind)
			}
		}
	})
}
