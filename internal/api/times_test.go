package api

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Every time in an API answer is written in Asia/Shanghai with its offset,
// whatever zone the value carried; other strings are left alone.
func TestWriteJSONTimesInShanghai(t *testing.T) {
	utc := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	frac := time.Date(2026, 12, 31, 20, 0, 0, 123456789, time.UTC)
	type row struct {
		At     time.Time      `json:"at"`
		Frac   *time.Time     `json:"frac"`
		Local  time.Time      `json:"local"`
		Note   string         `json:"note"`
		Quoted string         `json:"quoted"`
		Nested map[string]any `json:"nested"`
	}
	v := []row{{
		At: utc, Frac: &frac, Local: utc.In(time.FixedZone("X", -5*3600)),
		Note:   "2026-03-02 09:30:00Z is not RFC 3339",
		Quoted: `say "2026-03-02T09:30:00Z"`,
		Nested: map[string]any{"deadline": utc, "n": 12500000},
	}}
	rec := httptest.NewRecorder()
	WriteJSON(rec, 200, v)
	body := rec.Body.String()
	for _, want := range []string{
		`"at":"2026-03-02T17:30:00+08:00"`,
		`"frac":"2027-01-01T04:00:00.123456789+08:00"`,
		`"local":"2026-03-02T17:30:00+08:00"`,
		`"note":"2026-03-02 09:30:00Z is not RFC 3339"`,
		`"quoted":"say \"2026-03-02T09:30:00Z\""`,
		`"deadline":"2026-03-02T17:30:00+08:00"`,
		`"n":12500000`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, `:00Z"`) {
		t.Errorf("a UTC time is left:\n%s", body)
	}
	var back []row
	if err := json.Unmarshal(rec.Body.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !back[0].At.Equal(utc) || !back[0].Frac.Equal(frac) {
		t.Errorf("instants changed: %v %v", back[0].At, back[0].Frac)
	}
	if _, off := back[0].At.Zone(); off != 8*3600 {
		t.Errorf("offset %d", off)
	}
}

func TestShanghaiTimesLeavesOtherBodies(t *testing.T) {
	for _, in := range []string{`{"a":"Z"}`, `{"a":"2026-03-02T09:30:00"}`, `{"a":"2026-13-02T09:30:00Z"}`, `"unterminated Z"`, `{"a":"x\"Z"}`} {
		if got := string(shanghaiTimes([]byte(in))); got != in {
			t.Errorf("%s -> %s", in, got)
		}
	}
}
