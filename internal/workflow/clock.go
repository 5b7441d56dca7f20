package workflow

import (
	"time"

	"yingshang/internal/calendar"
)

// Working-day clocks: pure computation over a calendar.Calendar, in
// Asia/Shanghai. A deadline is the end (23:59:59.999) of the n-th working
// day after the day the clock started. A clock may be paused (waiting for
// the enterprise): every working day on which it stood still at any moment
// is added back, so paused time never counts against the handler (a partly
// paused working day counts as a whole one).

// Span is a closed interval of time, e.g. one pause.
type Span struct {
	From, To time.Time
}

// Clock is a working-day clock as a module stores it.
type Clock struct {
	Start     time.Time  // when it (last) started
	Days      int        // working days allowed; 0: no deadline
	Extension int        // working days granted on top
	Pauses    []Span     // closed pauses; those that began before Start are ignored
	Paused    *time.Time // an open pause, if it stands still now
}

// Due is the deadline, or false when the clock has none (Days 0). An open
// pause does not move it yet: the deadline moves when the clock resumes.
func (c Clock) Due(cal *calendar.Calendar) (time.Time, bool) {
	if c.Days <= 0 {
		return time.Time{}, false
	}
	var spans []Span
	for _, p := range c.Pauses {
		if !p.From.Before(c.Start) {
			spans = append(spans, p)
		}
	}
	return cal.Deadline(c.Start, c.Days+c.Extension+PausedWorkdays(cal, spans)), true
}

// Pause stops the clock at t (no-op when it is paused already).
func (c *Clock) Pause(t time.Time) {
	if c.Paused == nil {
		c.Paused = &t
	}
}

// Resume restarts a paused clock at t, closing the pause.
func (c *Clock) Resume(t time.Time) {
	if c.Paused != nil {
		c.Pauses = append(c.Pauses, Span{*c.Paused, t})
		c.Paused = nil
	}
}

// Restart starts the clock again at t with no extension and no pauses
// (reopening, escalation).
func (c *Clock) Restart(t time.Time) {
	c.Start, c.Extension, c.Pauses, c.Paused = t, 0, nil, nil
}

// Deadline is the end of the n-th working day after the day of start.
func Deadline(cal *calendar.Calendar, start time.Time, n int) time.Time {
	return cal.Deadline(start, n)
}

// PausedWorkdays is the number of distinct working days (Asia/Shanghai)
// on which any of the spans lies, partly or wholly.
func PausedWorkdays(cal *calendar.Calendar, spans []Span) int {
	days := map[calendar.Date]bool{}
	for _, sp := range spans {
		from, to := calendar.FromTime(sp.From, calendar.Shanghai), calendar.FromTime(sp.To, calendar.Shanghai)
		for d := from; !d.After(to); d = d.AddDays(1) {
			if cal.IsWorkday(d) {
				days[d] = true
			}
		}
	}
	return len(days)
}

// WarnAt is when the warning for a deadline is due: k half working days
// before it, each working day having two halves (00:00-12:00 and
// 12:00-24:00 Asia/Shanghai). k = 1 is 12:00 of the deadline day, k = 2 its
// 00:00, k = 3 12:00 of the previous working day. k <= 0: never.
func WarnAt(cal *calendar.Calendar, due time.Time, k int) (time.Time, bool) {
	if k <= 0 {
		return time.Time{}, false
	}
	d := calendar.FromTime(due, calendar.Shanghai)
	if back := (k - 1) / 2; back > 0 {
		d = cal.AddWorkdays(d, -back)
	}
	t := d.Time(calendar.Shanghai)
	if k%2 == 1 {
		t = t.Add(12 * time.Hour)
	}
	return t, true
}

// WarnHorizon is the latest deadline whose warning (k half working days
// before it) can be due at now: a scan reads deadlines up to it.
func WarnHorizon(cal *calendar.Calendar, now time.Time, k int) time.Time {
	return cal.Deadline(now, (max(k, 1)-1)/2+1)
}

// Level is one step of a clock's alert ladder.
type Level struct {
	Name  string
	Label Label
	// Reached reports whether the level applies at now for deadline due.
	Reached func(cal *calendar.Calendar, due, now time.Time) bool
}

// Warning is reached k half working days before the deadline (WarnAt);
// k <= 0 never.
func Warning(k int, label Label) Level {
	return Level{Name: "warning", Label: label, Reached: func(cal *calendar.Calendar, due, now time.Time) bool {
		w, ok := WarnAt(cal, due, k)
		return ok && !now.Before(w)
	}}
}

// Overdue is reached once the deadline has passed.
func Overdue(label Label) Level {
	return Level{Name: "overdue", Label: label, Reached: func(_ *calendar.Calendar, due, now time.Time) bool { return now.After(due) }}
}

// OverdueBy is reached once the n-th working day after the deadline day
// has ended (escalation to the next level of supervision).
func OverdueBy(n int, label Label) Level {
	return Level{Name: "escalated", Label: label, Reached: func(cal *calendar.Calendar, due, now time.Time) bool {
		return now.After(EscalateAt(cal, due, n))
	}}
}

// EscalateAt is the end of the n-th working day after the deadline day.
func EscalateAt(cal *calendar.Calendar, due time.Time, n int) time.Time { return cal.Deadline(due, n) }

// Ladder is a clock's alert levels, lowest first; level numbers are
// 1-based positions (0: nothing due).
type Ladder []Level

// At is the highest level reached at now for deadline due.
func (l Ladder) At(cal *calendar.Calendar, due, now time.Time) int {
	for i := len(l) - 1; i >= 0; i-- {
		if l[i].Reached(cal, due, now) {
			return i + 1
		}
	}
	return 0
}

// Escalate is the escalation hook: when the level reached at now is above
// sent (the highest level already sent for this deadline) it calls raise
// once with that level and reports whether it did. Levels jump: a clock
// found two levels up sends only the higher one.
func (l Ladder) Escalate(cal *calendar.Calendar, due, now time.Time, sent int, raise func(level int) error) (bool, error) {
	lv := l.At(cal, due, now)
	if lv <= sent {
		return false, nil
	}
	return true, raise(lv)
}

// Label names level n (1-based) of the ladder.
func (l Ladder) Label(n int) Label {
	if n < 1 || n > len(l) {
		return Label{}
	}
	return l[n-1].Label
}
