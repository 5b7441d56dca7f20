package licenses_test

import (
	"strings"
	"testing"
	"unicode"

	"yingshang/internal/handlers/licenses"
	"yingshang/internal/license"
	"yingshang/internal/web"
)

// The shared label table holds every licence code with the same text the
// module's own Label funcs give, in both languages.
func TestLicenseLabelsInSharedTable(t *testing.T) {
	web.RegisterLabels(licenses.Module.Labels)
	funcs := map[string]func(string, string) string{
		"kind": license.KindLabel, "status": license.StatusLabel, "stage": license.StageLabel,
		"outcome": license.OutcomeLabel, "answer": license.AnswerLabel,
	}
	tables := license.LabelTables()
	if len(tables) != len(funcs) {
		t.Fatalf("%d tables, %d funcs", len(tables), len(funcs))
	}
	for kind, fn := range funcs {
		codes := tables[kind]
		if len(codes) == 0 {
			t.Fatalf("kind %s: no codes", kind)
		}
		for code := range codes {
			if _, ok := web.LabelText("license."+kind, code); !ok {
				t.Errorf("%s %q missing from the shared table", "license."+kind, code)
			}
			for _, lang := range []string{"zh", "en"} {
				if got, want := web.Label("license."+kind, code, lang), fn(code, lang); got != want {
					t.Errorf("license.%s %q (%s): shared table %q, module %q", kind, code, lang, got, want)
				}
			}
		}
	}
	for _, st := range []string{license.StatusActive, license.StatusRenewed, license.StatusRevoked, license.StatusCancelled, license.StatusLapsed} {
		if license.StatusZH(st) != web.Label("license.status", st, "zh") {
			t.Errorf("StatusZH(%s) = %q", st, license.StatusZH(st))
		}
	}
	for _, st := range license.Stages {
		if _, ok := web.LabelText("license.stage", st); !ok {
			t.Errorf("stage %s unlabelled", st)
		}
	}
	for _, o := range license.ContactOutcomes {
		if _, ok := web.LabelText("license.outcome", o); !ok {
			t.Errorf("outcome %s unlabelled", o)
		}
	}
}

// The import page's column notes are in the page's language.
func TestColumnNotesByLanguage(t *testing.T) {
	for _, c := range license.Columns {
		zh, en := c.NoteIn("zh-CN"), c.NoteIn("en")
		if zh == "" || en == "" || strings.Contains(zh, " / ") || strings.Contains(en, " / ") {
			t.Errorf("%s: %q / %q", c.Field, zh, en)
		}
		for _, r := range en {
			if unicode.Is(unicode.Han, r) {
				t.Errorf("%s: Chinese in the English note %q", c.Field, en)
				break
			}
		}
	}
	if got := license.Columns[6].NoteIn("en"); got != "YYYY-MM-DD, last valid day" {
		t.Errorf("expires_on note: %q", got)
	}
}
