package appeals

import (
	"yingshang/internal/appeal"
	"yingshang/internal/web"
)

// labels are the appeal module's codes in the platform's one label table
// (module.Info.Labels): states, actions (also as audit actions
// "appeal.<action>"), types, channels, ratings, clocks, issue classes and
// common-issue stages.
var labels = func() web.Labels {
	l := web.Labels{"audit.action": {}}
	for kind, codes := range appeal.LabelTables() {
		m := map[string]web.Text{}
		for k, t := range codes {
			m[k] = web.Text{ZH: t[0], EN: t[1]}
			if kind == "action" {
				l["audit.action"]["appeal."+k] = web.Text{ZH: "诉求·" + t[0], EN: "Appeal: " + t[1]}
			}
		}
		l["appeal."+kind] = m
	}
	return l
}()
