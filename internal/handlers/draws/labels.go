package draws

import (
	"yingshang/internal/draw"
	"yingshang/internal/web"
)

// labels are the draw module's codes in the platform's one label table
// (module.Info.Labels): purposes, draw and assignment statuses, project,
// expert and room statuses, exclusion reasons and quota groups.
var labels = func() web.Labels {
	l := web.Labels{
		"draw.purpose": {"experts": {ZH: "评标专家", EN: "Experts"}, "staff": {ZH: "受理人员", EN: "Intake staff"}, "witnesses": {ZH: "见证人员", EN: "Witnesses"},
			"venues": {ZH: "评标主场/副场", EN: "Venues"}, "seats": {ZH: "评标席位", EN: "Seats"}, "codes": {ZH: "暗标编码", EN: "Virtual codes"}},
		"draw.status": {draw.AsgStandby: {ZH: "候补", EN: "Reserve"}, draw.AsgNotified: {ZH: "待确认", EN: "Awaiting answer"},
			draw.AsgConfirmed: {ZH: "已确认", EN: "Confirmed"}, draw.AsgDeclined: {ZH: "已谢绝", EN: "Declined"}, draw.AsgExpired: {ZH: "超时未答复", EN: "No answer"},
			"unused": {ZH: "未启用", EN: "Not used"}, "committed": {ZH: "已承诺，待抽取", EN: "Committed, not drawn yet"}, "drawn": {ZH: "已抽取", EN: "Drawn"}},
		"draw.project_status": {"registered": {ZH: "已登记", EN: "Registered"}, "drawing": {ZH: "抽取中", EN: "Drawing"},
			draw.ProjectAwarded: {ZH: "已定标", EN: "Awarded"}},
		"draw.pool_status": {draw.ExpertActive: {ZH: "在库正常", EN: "Active"}, draw.ExpertSuspended: {ZH: "暂停抽取", EN: "Suspended"},
			draw.ExpertRemoved: {ZH: "已出库", EN: "Removed"}},
	}
	for kind, codes := range draw.LabelTables() {
		m := map[string]web.Text{}
		for k, t := range codes {
			m[k] = web.Text{ZH: t[0], EN: t[1]}
		}
		l["draw."+kind] = m
	}
	return l
}()

func purposeLabel(v *web.View, p string) string { return web.Label("draw.purpose", p, v.Lang) }
func statusLabel(v *web.View, st string) string { return web.Label("draw.status", st, v.Lang) }
func projectStatusLabel(v *web.View, st string) string {
	return web.Label("draw.project_status", st, v.Lang)
}
