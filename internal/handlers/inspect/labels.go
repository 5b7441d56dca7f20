package inspect

import (
	"yingshang/internal/inspect"
	"yingshang/internal/web"
)

// moduleLabels are the inspection module's codes in the platform's one
// label table (module.Info.Labels): "inspect.code" is the pages' own table
// (labels, which label reads) as it is, and the kinds "inspect.plan_status",
// "inspect.task_status", "inspect.outcome", "inspect.method" and
// "inspect.risk" are its codes by kind, so templates can print
// {{label . "inspect.<kind>" .Code}} with the same text.
var moduleLabels = func() web.Labels {
	l := web.Labels{"inspect.code": labels}
	for kind, codes := range labelKinds {
		m := make(map[string]web.Text, len(codes))
		for _, c := range codes {
			if t, ok := labels[c]; ok {
				m[c] = t
			}
		}
		l["inspect."+kind] = m
	}
	return l
}()

var labelKinds = map[string][]string{
	"plan_status": {inspect.PlanDraft, inspect.PlanSubmitted, inspect.PlanFiled, inspect.PlanCommitted, inspect.PlanSampled},
	"task_status": {inspect.TaskAssigned, inspect.TaskEntered, inspect.TaskClosed},
	"outcome":     inspect.Outcomes,
	"method":      inspect.Methods,
	"risk":        inspect.RiskLevels,
}
