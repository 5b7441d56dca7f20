package clock

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	c, err := Parse("2026-12-01T09:00:00+08:00")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	if !c.Now().Equal(want) {
		t.Fatalf("got %v want %v", c.Now(), want)
	}
	c.Advance(time.Hour)
	if !c.Now().Equal(want.Add(time.Hour)) {
		t.Fatalf("advance: got %v", c.Now())
	}
	o, err := Parse("+30d")
	if err != nil {
		t.Fatal(err)
	}
	if d := o.Now().Sub(time.Now()); d < 29*24*time.Hour || d > 31*24*time.Hour {
		t.Fatalf("offset clock is %v ahead", d)
	}
	for _, bad := range []string{"", "tomorrow", "+x", "+3q", "2026-13-01"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
