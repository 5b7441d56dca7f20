package web

import (
	"time"

	"yingshang/internal/calendar"
)

// StepView is one step of a step bar, in the page's language.
type StepView struct {
	Label string
	// State: "done", "current", "todo", or "off" (the item left the
	// usual path here: rejected, merged, revoked, failed).
	State string
	// Clock is the current step's clock ("还剩 3 个工作日"), "" for none.
	Clock   string
	Overdue bool
}

// Steps builds a step bar: labels are the usual path, current the index
// of the item's step (done before it, to do after), off marks the current
// step as the end of a path left (then the later steps are dropped).
// With a deadline (due non-nil), the current step carries its clock in
// working days by cal at now.
func Steps(lang string, labels []Text, current int, off bool, cal *calendar.Calendar, now time.Time, due *time.Time) []StepView {
	out := make([]StepView, 0, len(labels))
	for i, l := range labels {
		sv := StepView{Label: l.In(lang), State: "todo"}
		switch {
		case i < current:
			sv.State = "done"
		case i == current:
			sv.State = "current"
			if off {
				sv.State = "off"
			}
			if due != nil && cal != nil {
				it := CardItem{}
				it.SetDue(cal, now, *due)
				sv.Clock, sv.Overdue = it.DueNote(lang), it.Overdue || it.DaysLeft < 0
			}
		case off:
			continue
		}
		out = append(out, sv)
	}
	return out
}
