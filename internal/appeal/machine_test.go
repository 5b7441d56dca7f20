package appeal

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestMachineValid(t *testing.T) {
	if err := machine.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := closedStates; len(got) != 3 || got[0] != Rejected || got[1] != Closed || got[2] != Merged {
		t.Fatalf("closed states: %v", got)
	}
}

// The table in docs/appeal.md is the published one: same actions, from
// states, targets and parties, in the same order.
func TestTableMatchesDocs(t *testing.T) {
	b, err := os.ReadFile("../../docs/appeal.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	doc = doc[strings.Index(doc, "| Action | From | To | Who |"):]
	lines := strings.Split(doc, "\n")[2:]
	table := Table()
	for i, r := range table {
		cells := strings.Split(strings.Trim(lines[i], "|"), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		if a := strings.Fields(cells[0])[0]; a != string(r.Action) {
			t.Fatalf("row %d: docs %q, table %q", i, a, r.Action)
		}
		var from []string
		for _, s := range r.From {
			from = append(from, string(s))
		}
		docFrom := strings.Split(cells[1], ", ")
		slices.Sort(docFrom)
		slices.Sort(from)
		if !slices.Equal(docFrom, from) && cells[1] != "any open state" {
			t.Errorf("%s from: docs %q, table %v", r.Action, cells[1], from)
		}
		if to := string(r.To); to == "" && cells[2] != "(same)" || to != "" && cells[2] != to {
			t.Errorf("%s to: docs %q, table %q", r.Action, cells[2], to)
		}
		var who []string
		for _, p := range r.Who {
			who = append(who, strings.ReplaceAll(string(p), "cohandler", "co-handler"))
		}
		if cells[3] != strings.Join(who, ", ") {
			t.Errorf("%s who: docs %q, table %v", r.Action, cells[3], who)
		}
	}
	if len(table) != 21 || strings.HasPrefix(lines[len(table)], "|") {
		t.Fatalf("the docs list more rows than the table (%d)", len(table))
	}
}
