package procure

import (
	"yingshang/internal/procure"
	"yingshang/internal/web"
)

// labels are the procurement module's codes in the platform's one label
// table (module.Info.Labels), kinds "procure.<kind>" from
// procure.LabelTables: kinds, methods, evaluation methods, set-aside
// decisions and exceptions, plan, project and challenge statuses, size
// classes, credit results, overdue rules and rating parties; and the
// labels of the audit actions of the experts' sheets.
var labels = func() web.Labels {
	l := web.Labels{}
	for kind, codes := range procure.LabelTables() {
		m := make(map[string]web.Text, len(codes))
		for k, t := range codes {
			m[k] = web.Text{ZH: t[0], EN: t[1]}
		}
		l["procure."+kind] = m
	}
	// The audit actions of the experts' own sheets (sheets.go).
	l["audit.action"] = map[string]web.Text{
		"procure.indicators.set": {ZH: "设置评分因素", EN: "scoring indicators set"},
		"procure.blind.notice":   {ZH: "发布双盲评审招标公告", EN: "double-blind tender notice published"},
		"procure.lots.set":       {ZH: "设置采购包", EN: "lots set"},
		"procure.sheet.save":     {ZH: "保存专家评分表", EN: "expert sheet saved"},
		"procure.sheet.lock":     {ZH: "提交并锁定专家评分表", EN: "expert sheet locked"},
	}
	return l
}()
