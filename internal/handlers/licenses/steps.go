package licenses

import (
	"context"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/license"
	"yingshang/internal/web"
)

// licencePath is a licence's way to renewal as a step bar; the stages are
// the reminder scan's (first and second reminder, follow-up list).
var licencePath = []web.Text{{ZH: "有效", EN: "Valid"}, {ZH: "首次提醒", EN: "First reminder"}, {ZH: "再次提醒", EN: "Second reminder"},
	{ZH: "列入跟进清单", EN: "Follow-up list"}, {ZH: "续证", EN: "Renewed"}}

// licenceStep is the index on licencePath of a licence with its type's
// day counts, and whether it left the path (revoked, cancelled, lapsed).
func licenceStep(l *license.License, t *license.Type) (int, bool) {
	switch l.Status {
	case license.StatusRenewed:
		return len(licencePath), false
	case license.StatusRevoked, license.StatusCancelled, license.StatusLapsed:
		return len(licencePath) - 1, true
	}
	switch {
	case l.DaysLeft <= t.FollowupDays:
		return 3, false
	case l.DaysLeft <= t.Remind2Days:
		return 2, false
	case l.DaysLeft <= t.Remind1Days:
		return 1, false
	}
	return 0, false
}

// steps is the licence's step bar with its expiry as the clock, in
// working days (the holder renews at a counter).
func (h *handlers) steps(ctx context.Context, lang string, l *license.License, t *license.Type) ([]web.StepView, error) {
	cal, err := h.svc.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return licenceSteps(lang, l, t, cal, h.svc.Clock.Now()), nil
}

// licenceSteps is steps with the calendar and the time given.
func licenceSteps(lang string, l *license.License, t *license.Type, cal *calendar.Calendar, now time.Time) []web.StepView {
	labels := append([]web.Text{}, licencePath...)
	cur, off := licenceStep(l, t)
	if off {
		labels[cur] = licenceStatus(l.Status)
	}
	var due *time.Time
	if e, ok := expiry(l.ExpiresOn); ok && l.Status == license.StatusActive {
		due = &e
	}
	return web.Steps(lang, labels, cur, off, cal, now, due)
}
