package credits

import (
	"context"
	"time"

	"yingshang/internal/credit"
	"yingshang/internal/web"
)

// repairPath is a repair application's usual way as a step bar (an
// application without recorded steps).
var repairPath = []web.Text{{ZH: "提交申请", EN: "Applied"}, {ZH: "部门审核", EN: "Department review"}, {ZH: "修复完成", EN: "Repaired"}}

// repairSteps is the application's step bar from its stages (issue 18
// item 8): applied, assisted confirmation, first review, the department or
// the external body, closed. The current step carries its clock in
// working days while it runs (it stops while material is asked for).
func (h *handlers) repairSteps(ctx context.Context, lang string, p *credit.Repair) ([]web.StepView, error) {
	cal, err := h.svc.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	bar, err := h.svc.StepBar(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	labels := make([]web.Text, len(bar))
	cur := len(bar)
	var due *time.Time
	for i, it := range bar {
		l := web.Text{ZH: credit.StageLabel(it.Stage, "zh"), EN: credit.StageLabel(it.Stage, "en")}
		switch {
		case it.Stage == "submitted":
			l = repairPath[0]
		case it.Stage == credit.StageDone:
			l = repairPath[2]
		}
		if it.Body != "" {
			l = web.Text{ZH: l.ZH + "（" + it.Body + "）", EN: l.EN + " (" + it.Body + ")"}
		}
		labels[i] = l
		if it.State != "done" && cur == len(bar) {
			cur = i
			if it.State == "current" {
				due = it.DueAt
			}
		}
	}
	off := false
	switch p.Status {
	case credit.RepairMoreInfo:
		if cur < len(labels) {
			labels[cur] = web.Text{ZH: credit.RepairLabel(p.Status, "zh"), EN: credit.RepairLabel(p.Status, "en")}
		}
		due = nil
	case credit.RepairRejected:
		cur, off = len(labels)-1, true
		labels[cur] = web.Text{ZH: credit.RepairLabel(p.Status, "zh"), EN: credit.RepairLabel(p.Status, "en")}
		due = nil
	case credit.RepairApproved:
		cur = len(labels)
		due = nil
	}
	return web.Steps(lang, labels, cur, off, cal, h.s.App.Clock.Now(), due), nil
}
