package workflow_test

import (
	"testing"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/workflow"
)

var testNow = time.Date(2026, 9, 30, 10, 0, 0, 0, calendar.Shanghai)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func day(t time.Time) string { return t.In(calendar.Shanghai).Format("2006-01-02 15:04") }

func TestClockAcrossNationalDay(t *testing.T) {
	cal := calendar.Official()
	// 2026-09-30 + 5 working days: Oct 1-7 are holidays, Oct 10 (Saturday)
	// is worked, so Oct 8, 9, 10, 12, 13.
	c := workflow.Clock{Start: testNow, Days: 5}
	due, ok := c.Due(cal)
	if !ok || day(due) != "2026-10-13 23:59" {
		t.Fatalf("due %s %v", day(due), ok)
	}
	if (workflow.Clock{Start: testNow}).Days != 0 {
		t.Fatal("zero clock")
	}
	if _, ok := (workflow.Clock{Start: testNow}).Due(cal); ok {
		t.Fatal("a clock of 0 days has a deadline")
	}
	// Paused from Oct 8 15:00 to Oct 10 09:00: Oct 8, 9 and 10 are working
	// days on which the clock stood still, so three days are added back.
	c.Pause(at("2026-10-08 15:00"))
	if due2, _ := c.Due(cal); !due2.Equal(due) {
		t.Fatalf("an open pause moved the deadline to %s", day(due2))
	}
	c.Resume(at("2026-10-10 09:00"))
	if due, _ = c.Due(cal); day(due) != "2026-10-16 23:59" {
		t.Fatalf("after a pause: %s", day(due))
	}
	// A pause over the holiday itself costs nothing.
	c2 := workflow.Clock{Start: testNow, Days: 5, Extension: 2}
	c2.Pause(at("2026-10-02 09:00"))
	c2.Resume(at("2026-10-06 09:00"))
	if due, _ = c2.Due(cal); day(due) != "2026-10-15 23:59" {
		t.Fatalf("holiday pause and 2 days' extension: %s", day(due))
	}
	// Restart forgets pauses and extension; pauses before the start are
	// ignored. Oct 17 is a Saturday off: 13, 14, 15, 16, 19.
	c.Restart(at("2026-10-12 10:00"))
	c.Pauses = []workflow.Span{{at("2026-10-09 10:00"), at("2026-10-09 11:00")}}
	if due, _ = c.Due(cal); day(due) != "2026-10-19 23:59" {
		t.Fatalf("restarted: %s", day(due))
	}
	if n := workflow.PausedWorkdays(cal, []workflow.Span{{at("2026-09-30 08:00"), at("2026-10-09 08:00")}, {at("2026-10-09 10:00"), at("2026-10-10 10:00")}}); n != 4 {
		t.Fatalf("paused working days: %d", n) // Sep 30, Oct 8, 9, 10
	}
}

func TestWarningsAndEscalation(t *testing.T) {
	cal := calendar.Official()
	due := workflow.Deadline(cal, testNow, 5) // 2026-10-13 end of day
	for k, want := range map[int]string{1: "2026-10-13 12:00", 2: "2026-10-13 00:00", 3: "2026-10-12 12:00", 5: "2026-10-10 12:00", 7: "2026-10-09 12:00"} {
		got, ok := workflow.WarnAt(cal, due, k)
		if !ok || day(got) != want {
			t.Errorf("WarnAt k=%d: %s, want %s", k, day(got), want)
		}
	}
	if _, ok := workflow.WarnAt(cal, due, 0); ok {
		t.Error("k=0 warns")
	}
	// Escalation one working day after a deadline on the eve of the holiday.
	if got := workflow.EscalateAt(cal, at("2026-09-30 23:59"), 1); day(got) != "2026-10-08 23:59" {
		t.Errorf("EscalateAt: %s", day(got))
	}
	if got := workflow.WarnHorizon(cal, testNow, 3); day(got) != "2026-10-09 23:59" {
		t.Errorf("WarnHorizon: %s", day(got))
	}
	ladder := workflow.Ladder{
		workflow.Warning(2, workflow.L("临期", "warning")),
		workflow.Overdue(workflow.L("逾期", "overdue")),
		workflow.OverdueBy(1, workflow.L("二级", "second level")),
	}
	cases := []struct {
		now  string
		want int
	}{
		{"2026-10-12 23:59", 0}, {"2026-10-13 00:00", 1}, {"2026-10-13 23:59", 1},
		{"2026-10-14 00:00", 2}, {"2026-10-14 23:59", 2}, {"2026-10-15 00:00", 3},
	}
	for _, c := range cases {
		if got := ladder.At(cal, due, at(c.now)); got != c.want {
			t.Errorf("level at %s: %d, want %d", c.now, got, c.want)
		}
	}
	// The hook fires once for the highest level not yet sent.
	var raised []int
	raise := func(l int) error { raised = append(raised, l); return nil }
	for _, sent := range []int{0, 3} {
		if _, err := ladder.Escalate(cal, due, at("2026-10-15 09:00"), sent, raise); err != nil {
			t.Fatal(err)
		}
	}
	if len(raised) != 1 || raised[0] != 3 || ladder.Label(3).En != "second level" || ladder.Label(4).Zh != "" {
		t.Fatalf("raised %v", raised)
	}
}
