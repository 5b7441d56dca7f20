package credits

import (
	"yingshang/internal/credit"
	"yingshang/internal/web"
)

// labels are the credit module's plain codes in the platform's one label
// table (module.Info.Labels), kinds "credit.<kind>" from
// credit.LabelTables: record kinds and statuses, penalty types, repair
// statuses and joint measures.
var labels = func() web.Labels {
	l := web.Labels{}
	for kind, codes := range credit.LabelTables() {
		m := make(map[string]web.Text, len(codes))
		for k, t := range codes {
			m[k] = web.Text{ZH: t[0], EN: t[1]}
		}
		l["credit."+kind] = m
	}
	return l
}()
