package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

func fieldsOf(err error) []string {
	var e *yserr.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestPaging(t *testing.T) {
	cases := []struct {
		query         string
		page, perPage int
		badFields     string
	}{
		{"", 1, 20, ""},
		{"page=3&per_page=50", 3, 50, ""},
		{"per_page=200", 1, 200, ""},
		{"page=&per_page=", 1, 20, ""},
		{"page=0", 0, 0, "[page]"},
		{"page=-2", 0, 0, "[page]"},
		{"page=x", 0, 0, "[page]"},
		{"per_page=201", 0, 0, "[per_page]"},
		{"per_page=0", 0, 0, "[per_page]"},
		{"page=a&per_page=1000", 0, 0, "[page per_page]"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/x?"+c.query, nil)
		page, perPage, err := Paging(r)
		if c.badFields != "" {
			if got := fmt.Sprint(fieldsOf(err)); got != c.badFields || !yserr.Is(err, yserr.Invalid) {
				t.Errorf("%q: err %v, fields %s, want %s", c.query, err, got, c.badFields)
			}
			continue
		}
		if err != nil || page != c.page || perPage != c.perPage {
			t.Errorf("%q: %d %d %v, want %d %d", c.query, page, perPage, err, c.page, c.perPage)
		}
	}
	if Offset(3, 20) != 40 || Offset(1, 50) != 0 {
		t.Error("Offset")
	}
}

func TestNewPageNeverNull(t *testing.T) {
	b, _ := json.Marshal(NewPage[int](nil, 0, 1, 20))
	if string(b) != `{"items":[],"total":0,"page":1,"per_page":20}` {
		t.Errorf("%s", b)
	}
}

func TestPathInt64(t *testing.T) {
	for v, want := range map[string]int64{"42": 42, "9223372036854775807": 1<<63 - 1} {
		r := httptest.NewRequest("GET", "/x", nil)
		r.SetPathValue("id", v)
		if got, err := PathInt64(r, "id"); err != nil || got != want {
			t.Errorf("%q: %d %v", v, got, err)
		}
	}
	for _, v := range []string{"", "0", "-1", "abc", "1.5", "9223372036854775808"} {
		r := httptest.NewRequest("GET", "/x", nil)
		r.SetPathValue("entity_id", v)
		_, err := PathInt64(r, "entity_id")
		var e *yserr.Error
		if !errors.As(err, &e) || e.Code != yserr.Invalid || e.Field != "entity_id" {
			t.Errorf("%q: %v", v, err)
		}
	}
}

func TestQueryInt(t *testing.T) {
	r := httptest.NewRequest("GET", "/x?year=2025&bad=20x", nil)
	if n, err := QueryInt(r, "year", 0); n != 2025 || err != nil {
		t.Errorf("year: %d %v", n, err)
	}
	if n, err := QueryInt(r, "missing", 7); n != 7 || err != nil {
		t.Errorf("missing: %d %v", n, err)
	}
	if _, err := QueryInt(r, "bad", 0); fmt.Sprint(fieldsOf(err)) != "[bad]" {
		t.Errorf("bad: %v", err)
	}
}

type queryFilter struct {
	ID       int64         `path:"id"`
	Q        string        `query:"q"`
	Status   []string      `query:"status" enum:"open,closed"`
	Region   string        `query:"region,required"`
	Overdue  bool          `query:"overdue"`
	Min      *int          `query:"min"`
	Since    time.Time     `query:"since"`
	Day      calendar.Date `query:"day"`
	Ratio    float64       `query:"ratio"`
	Limit    uint8         `query:"limit"`
	Untagged string
}

func TestDecodeQuery(t *testing.T) {
	r := httptest.NewRequest("GET", "/x?q=%E8%AE%B8%E6%98%8C&status=open&status=closed&region=411000"+
		"&overdue=true&min=3&since=2025-01-02T03:04:05Z&day=2025-10-08&ratio=0.5&limit=9&Untagged=x", nil)
	r.SetPathValue("id", "12")
	f := queryFilter{Q: "default"}
	if err := DecodeQuery(r, &f); err != nil {
		t.Fatal(err)
	}
	if f.ID != 12 || f.Q != "许昌" || fmt.Sprint(f.Status) != "[open closed]" || f.Region != "411000" ||
		!f.Overdue || f.Min == nil || *f.Min != 3 || f.Since.Year() != 2025 || f.Day.String() != "2025-10-08" ||
		f.Ratio != 0.5 || f.Limit != 9 || f.Untagged != "" {
		t.Errorf("decoded %+v", f)
	}

	r = httptest.NewRequest("GET", "/x?region=1", nil)
	r.SetPathValue("id", "1")
	f = queryFilter{Q: "default"}
	if err := DecodeQuery(r, &f); err != nil || f.Q != "default" || f.Min != nil {
		t.Errorf("absent parameters should keep defaults: %+v %v", f, err)
	}
}

func TestDecodeQueryRefusals(t *testing.T) {
	r := httptest.NewRequest("GET", "/x?status=open&status=pending&overdue=maybe&min=x&since=yesterday"+
		"&day=2025-02-30&q=a&q=b&limit=300", nil)
	r.SetPathValue("id", "x")
	err := DecodeQuery(r, &queryFilter{})
	want := "[id q status region overdue min since day limit]"
	if got := fieldsOf(err); fmt.Sprint(got) != want {
		t.Fatalf("fields %v, want %s (err %v)", got, want, err)
	}
	var e *yserr.Error
	errors.As(err, &e)
	messages := map[string]string{}
	for _, f := range e.Fields {
		messages[f.Field] = f.EN
	}
	for field, msg := range map[string]string{
		"status": "must be one of open, closed", "region": "is required", "overdue": "must be true or false",
		"min": "must be an integer", "since": "has an invalid format", "q": "must be given only once",
		"limit": "must be a non-negative integer",
	} {
		if messages[field] != msg {
			t.Errorf("%s: %q, want %q", field, messages[field], msg)
		}
	}
}

func TestDecodeQueryPanicsOnNonStruct(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	var n int
	_ = DecodeQuery(httptest.NewRequest("GET", "/x", nil), &n)
}
