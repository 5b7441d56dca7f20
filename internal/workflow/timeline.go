package workflow

import (
	"context"
	"time"
)

// Entry is one line of an item's timeline: who did what when, from which
// state to which, with a note. The module stores entries in its own table
// (the package owns none) and gives them back for display.
type Entry struct {
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Note      string    `json:"note,omitempty"`
	Public    bool      `json:"public"`
}

// Entry turns a fired step into the timeline entry to store.
func (s Step[S, A]) Entry(at time.Time, actorID int64, actorName, note string) Entry {
	return Entry{At: at, ActorID: actorID, ActorName: actorName, Action: string(s.Action), From: string(s.From),
		To: string(s.To), Note: note, Public: s.Public}
}

// Timeline is the small interface a module implements to store its
// timeline in its own table (one row per entry, in order).
type Timeline interface {
	Append(ctx context.Context, itemID int64, e Entry) error
}

// Labelled is an entry with its action and states named in one language.
type Labelled struct {
	Entry
	ActionText string `json:"action_text"`
	FromText   string `json:"from_text"`
	ToText     string `json:"to_text"`
}

// Label names the entry's action and states in lang; actions and states
// the definition does not declare keep their ids.
func (d *Definition[S, A, X, I]) Label(e Entry, lang string) Labelled {
	return Labelled{Entry: e, ActionText: d.ActionLabel(A(e.Action)).In(lang),
		FromText: d.StateLabel(S(e.From)).In(lang), ToText: d.StateLabel(S(e.To)).In(lang)}
}

// Visible keeps the entries an outside party (the enterprise) may see:
// the public ones.
func Visible(entries []Entry) []Entry {
	var out []Entry
	for _, e := range entries {
		if e.Public {
			out = append(out, e)
		}
	}
	return out
}
