package api

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type timeRow struct {
	At      time.Time       `json:"at"`
	Frac    *time.Time      `json:"frac"`
	Local   time.Time       `json:"local"`
	Zero    time.Time       `json:"zero"`
	Signed  string          `json:"signed"`
	Raw     json.RawMessage `json:"raw"`
	Nested  map[string]any  `json:"nested"`
	Arr     [1]time.Time    `json:"arr"`
	private time.Time
}

// Every time.Time in an API answer is written in Asia/Shanghai with its
// offset, whatever zone the value carried; strings (a signed record's
// times) and raw JSON are left alone, and the caller's value is not
// changed.
func TestWriteJSONTimesInShanghai(t *testing.T) {
	utc := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	frac := time.Date(2026, 12, 31, 20, 0, 0, 123456789, time.UTC)
	v := []timeRow{{
		At: utc, Frac: &frac, Local: utc.In(time.FixedZone("X", -5*3600)),
		Signed: "2026-03-02T09:30:00Z", Raw: json.RawMessage(`{"t":"2026-03-02T09:30:00Z"}`),
		Nested: map[string]any{"deadline": utc, "n": 12500000, "list": []any{utc}},
		Arr:    [1]time.Time{utc}, private: utc,
	}}
	rec := httptest.NewRecorder()
	WriteJSON(rec, 200, Page[timeRow]{Items: v, Total: 1})
	body := rec.Body.String()
	for _, want := range []string{
		`"at":"2026-03-02T17:30:00+08:00"`,
		`"frac":"2027-01-01T04:00:00.123456789+08:00"`,
		`"local":"2026-03-02T17:30:00+08:00"`,
		`"zero":"0001-01-01T00:00:00Z"`,
		`"signed":"2026-03-02T09:30:00Z"`,
		`"raw":{"t":"2026-03-02T09:30:00Z"}`,
		`"deadline":"2026-03-02T17:30:00+08:00"`,
		`"list":["2026-03-02T17:30:00+08:00"]`,
		`"arr":["2026-03-02T17:30:00+08:00"]`,
		`"n":12500000`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
	if v[0].At.Location() != time.UTC || v[0].Frac.Location() != time.UTC || v[0].Nested["deadline"].(time.Time).Location() != time.UTC {
		t.Error("the caller's value was changed")
	}
	var back Page[timeRow]
	if err := json.Unmarshal(rec.Body.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !back.Items[0].At.Equal(utc) || !back.Items[0].Frac.Equal(frac) {
		t.Errorf("instants changed: %v %v", back.Items[0].At, back.Items[0].Frac)
	}
}

// A value without times is passed through as it is.
func TestInShanghaiLeavesOtherValues(t *testing.T) {
	type plain struct {
		A string
		B []int
	}
	p := &plain{A: "x", B: []int{1}}
	if got := inShanghai(p); got != any(p) {
		t.Errorf("copied a value without times")
	}
	if got := inShanghai(nil); got != nil {
		t.Errorf("nil -> %v", got)
	}
	type node struct {
		Next *node
		At   time.Time
	}
	n := &node{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	n.Next = &node{At: n.At}
	b, _ := json.Marshal(inShanghai(n))
	if strings.Count(string(b), "+08:00") != 2 {
		t.Errorf("recursive type: %s", b)
	}
}
