package policy_test

import (
	"testing"

	ph "yingshang/internal/handlers/policy"
	"yingshang/internal/policy"
	"yingshang/internal/web"
)

// The shared label table holds every policy code with the same text
// policy.Label gives, in both languages, by kind and in the whole table.
func TestPolicyLabelsInSharedTable(t *testing.T) {
	web.RegisterLabels(ph.Module.Labels)
	tables := policy.LabelTables()
	for _, kind := range []string{"code", "mode", "category", "status", "grant_status", "push_status", "cause"} {
		codes := tables[kind]
		if len(codes) == 0 {
			t.Fatalf("kind %s: no codes", kind)
		}
		for code := range codes {
			if _, ok := web.LabelText("policy."+kind, code); !ok {
				t.Errorf("%s %q missing from the shared table", "policy."+kind, code)
			}
			for _, lang := range []string{"zh", "en"} {
				if got, want := web.Label("policy."+kind, code, lang), policy.Label(code, lang); got != want {
					t.Errorf("policy.%s %q (%s): shared table %q, module %q", kind, code, lang, got, want)
				}
			}
		}
	}
	for _, list := range [][]string{policy.Modes, policy.Categories, policy.Statuses} {
		for _, c := range list {
			if _, ok := web.LabelText("policy.code", c); !ok {
				t.Errorf("%s unlabelled", c)
			}
		}
	}
}
