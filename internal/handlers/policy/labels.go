package policy

import (
	"yingshang/internal/policy"
	"yingshang/internal/web"
)

// labels are the policy module's codes in the platform's one label table
// (module.Info.Labels), kinds "policy.<kind>" from policy.LabelTables, so
// templates print them with {{label . "policy.<kind>" .Code}} and the module's
// own Label funcs say the same.
var labels = func() web.Labels {
	l := web.Labels{}
	for kind, codes := range policy.LabelTables() {
		m := make(map[string]web.Text, len(codes))
		for k, t := range codes {
			m[k] = web.Text{ZH: t[0], EN: t[1]}
		}
		l["policy."+kind] = m
	}
	return l
}()
