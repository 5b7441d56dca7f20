package appeals

import (
	"context"

	"yingshang/internal/appeal"
	"yingshang/internal/web"
)

// appealPath is the closed loop of an appeal as a step bar.
var appealPath = []web.Text{
	{ZH: "提交", EN: "Submitted"}, {ZH: "受理", EN: "Accepted"}, {ZH: "交办", EN: "Assigned"}, {ZH: "办理", EN: "Handling"},
	{ZH: "答复", EN: "Replied"}, {ZH: "评价", EN: "Rated"}, {ZH: "回访", EN: "Followed up"}, {ZH: "办结", EN: "Closed"},
}

// appealStep is the index of a state on appealPath and whether the
// appeal left the path there (rejected, merged).
func appealStep(st appeal.State) (int, bool) {
	switch st {
	case appeal.Submitted:
		return 0, false
	case appeal.Accepted:
		return 1, false
	case appeal.Rejected, appeal.Merged:
		return 1, true
	case appeal.Assigned:
		return 2, false
	case appeal.InProgress, appeal.WaitingEnterprise, appeal.Reopened, appeal.Escalated:
		return 3, false
	case appeal.Replied:
		return 4, false
	case appeal.Rated:
		return 5, false
	case appeal.FollowedUp:
		return 6, false
	}
	return 7, false
}

// steps is the appeal's step bar with the running clock in working days.
func (h *handlers) steps(ctx context.Context, lang string, a *appeal.Appeal) ([]web.StepView, error) {
	cal, err := h.svc.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	i, off := appealStep(a.State)
	labels := appealPath
	if off {
		labels = append(append([]web.Text{}, appealPath[:i]...), web.Text{ZH: a.State.Label("zh"), EN: a.State.Label("en")})
	} else if a.State != appeal.Closed {
		// The current step names the state itself when it is more precise
		// than the path (waiting for the enterprise, reopened, escalated).
		labels = append([]web.Text{}, appealPath...)
		labels[i] = web.Text{ZH: a.State.Label("zh"), EN: a.State.Label("en")}
	}
	_, due := a.RunningClock()
	if a.State == appeal.Closed {
		i = len(appealPath) // every step done
	}
	return web.Steps(lang, labels, i, off, cal, h.svc.Clock.Now(), due), nil
}
