package web

import (
	"testing"

	"yingshang/internal/entity"
)

// The register's statuses are in the shared label table with the text
// entity.Status.Label gives.
func TestEntityStatusLabelsInSharedTable(t *testing.T) {
	for _, st := range entity.Statuses {
		for _, lang := range []string{"zh", "en"} {
			if got, want := Label("entity.status", string(st), lang), st.Label(lang); got != want {
				t.Errorf("entity.status %q (%s): shared table %q, entity %q", st, lang, got, want)
			}
		}
	}
	if n := len(LabelCodes("entity.status")); n != len(entity.Statuses) {
		t.Errorf("%d codes, %d statuses", n, len(entity.Statuses))
	}
}
