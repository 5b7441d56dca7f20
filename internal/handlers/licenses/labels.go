package licenses

import (
	"yingshang/internal/license"
	"yingshang/internal/web"
)

// labels are the license module's codes in the platform's one label table
// (module.Info.Labels), kinds "license.<kind>" from license.LabelTables, so
// templates print them with {{label . "license.<kind>" .Code}} and the module's
// own Label funcs say the same.
var labels = func() web.Labels {
	l := web.Labels{}
	for kind, codes := range license.LabelTables() {
		m := make(map[string]web.Text, len(codes))
		for k, t := range codes {
			m[k] = web.Text{ZH: t[0], EN: t[1]}
		}
		l["license."+kind] = m
	}
	return l
}()
