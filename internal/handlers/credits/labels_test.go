package credits_test

import (
	"testing"

	"yingshang/internal/credit"
	"yingshang/internal/handlers/credits"
	"yingshang/internal/web"
)

// The shared label table holds the credit module's plain codes with the
// same text the module's own Label funcs give, in both languages.
func TestCreditLabelsInSharedTable(t *testing.T) {
	web.RegisterLabels(credits.Module.Labels)
	funcs := map[string]func(string, string) string{
		"kind": credit.KindLabel, "status": credit.StatusLabel, "penalty_type": credit.PenaltyTypeLabel,
		"repair_status": credit.RepairLabel, "measure": credit.MeasureLabel, "scene": credit.SceneLabel,
		"point_kind": credit.PointKindLabel, "assisted_status": credit.AssistedLabel, "result": credit.ResultLabel,
		"commitment_kind": credit.CommitmentKindLabel, "commitment_status": credit.CommitmentStatusLabel,
		"public_commitment": credit.PublicCommitmentLabel, "ledger_source": credit.LedgerSourceLabel,
		"ledger_status": credit.LedgerStatusLabel, "colour": credit.ColourLabel, "class": credit.ClassLabel,
		"list_kind": credit.ListKindLabel, "list_status": credit.ListStatusLabel, "review_stage": credit.StageLabel,
		"step_outcome": credit.StepOutcomeLabel, "rule_outcome": credit.OutcomeLabel,
	}
	tables := credit.LabelTables()
	if len(tables) != len(funcs) {
		t.Errorf("%d tables, %d funcs checked", len(tables), len(funcs))
	}
	for kind, fn := range funcs {
		codes := tables[kind]
		if len(codes) == 0 {
			t.Fatalf("kind %s: no codes", kind)
		}
		for code := range codes {
			for _, lang := range []string{"zh", "en"} {
				if got, want := web.Label("credit."+kind, code, lang), fn(code, lang); got != want {
					t.Errorf("credit.%s %q (%s): shared table %q, module %q", kind, code, lang, got, want)
				}
			}
		}
	}
}
