package inspect_test

import (
	"testing"

	ih "yingshang/internal/handlers/inspect"
	"yingshang/internal/inspect"
	"yingshang/internal/web"
)

// The shared label table holds the inspection codes the pages show, with
// the same text in the whole table and in each kind, and every status,
// outcome, method and risk level of the service is labelled.
func TestInspectLabelsInSharedTable(t *testing.T) {
	web.RegisterLabels(ih.Module.Labels)
	kinds := map[string][]string{
		"plan_status": {inspect.PlanDraft, inspect.PlanSubmitted, inspect.PlanFiled, inspect.PlanCommitted, inspect.PlanSampled},
		"task_status": {inspect.TaskAssigned, inspect.TaskEntered, inspect.TaskClosed},
		"outcome":     inspect.Outcomes, "method": inspect.Methods, "risk": inspect.RiskLevels,
	}
	for kind, codes := range kinds {
		for _, c := range codes {
			got, ok := web.LabelText("inspect."+kind, c)
			if !ok {
				t.Errorf("inspect.%s %q unlabelled", kind, c)
				continue
			}
			if all, _ := web.LabelText("inspect.code", c); all != got {
				t.Errorf("inspect.%s %q: %v, inspect.code %v", kind, c, got, all)
			}
		}
	}
	if n := len(web.LabelCodes("inspect.code")); n < 20 {
		t.Errorf("inspect.code holds %d codes", n)
	}
}
