package procure_test

import (
	"testing"

	proch "yingshang/internal/handlers/procure"
	"yingshang/internal/procure"
	"yingshang/internal/web"
)

// The shared label table holds every procurement code with the same text
// the module's own Label funcs give, in both languages.
func TestProcureLabelsInSharedTable(t *testing.T) {
	web.RegisterLabels(proch.Module.Labels)
	funcs := map[string]func(string, string) string{
		"kind": procure.KindLabel, "method": procure.MethodLabel, "eval": procure.EvalLabel,
		"set_aside": procure.SetAsideLabel, "exception": procure.ExceptionLabel, "plan_status": procure.PlanStatusLabel,
		"project_status": procure.ProjectStatusLabel, "challenge_status": procure.ChallengeStatusLabel,
		"size": procure.SizeLabel, "credit": procure.CreditLabel, "party": procure.PartyLabel,
	}
	tables := procure.LabelTables()
	for kind, fn := range funcs {
		codes := tables[kind]
		if len(codes) == 0 {
			t.Fatalf("kind %s: no codes", kind)
		}
		for code := range codes {
			for _, lang := range []string{"zh", "en"} {
				if got, want := web.Label("procure."+kind, code, lang), fn(code, lang); got != want {
					t.Errorf("procure.%s %q (%s): shared table %q, module %q", kind, code, lang, got, want)
				}
			}
		}
	}
	if _, ok := web.LabelText("procure.overdue", "sme_payment"); !ok {
		t.Error("procure.overdue sme_payment missing from the shared table")
	}
	if got := web.Label("procure.plan_status", "no-such-status", "zh"); got != "no-such-status?" {
		t.Errorf("unknown code: %q", got)
	}
}
