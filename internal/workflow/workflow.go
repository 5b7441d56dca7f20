// Package workflow is the reusable state machine under the platform's
// closed-loop modules (appeals today; inspections, procurement, agency
// orders, contract performance and one-thing applications next).
//
// A module declares one Definition: its states (with labels, closed or
// not), its actions, the parties who act (predicates over the actor and the
// item: a role, a department relation such as "lead department", or "owner
// entity") and the transition table (from states, action, to state, who,
// guard, apply). The package then
//
//   - publishes the table (Table: JSON rows with the labels and "who" in
//     words), for the API and the docs;
//   - lists what an actor may do now (Allowed);
//   - checks and applies one transition (Fire): the action exists, the actor
//     is one of its parties (403), the item is in a from state (409), the
//     caller saw the current version (409 naming the current state and
//     version), the guard passes, then apply runs and the new state is set;
//     Fire returns the Step to record in the module's timeline.
//
// The package owns no tables and does no I/O: the module loads the item,
// calls Fire inside its transaction, writes the item with its optimistic
// version check (StaleError when no row matched) and appends the Step to
// its own timeline table. Working-day clocks are in clock.go.
//
// Errors: Fire returns yserr errors only — Invalid (field "action") for an
// unknown action, Forbidden when the actor is none of the parties, Conflict
// for a wrong state or a stale version, and whatever guard or apply return.
package workflow

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"yingshang/internal/yserr"
)

// Label is a text in Chinese and English.
type Label struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// In returns the text in lang ("en" or Chinese).
func (l Label) In(lang string) string {
	if lang == "en" {
		return l.En
	}
	return l.Zh
}

// L makes a Label.
func L(zh, en string) Label { return Label{Zh: zh, En: en} }

// StateDef declares one state.
type StateDef[S ~string] struct {
	ID     S
	Label  Label
	Closed bool // no further work: the loop ended here
}

// ActionDef declares one action.
type ActionDef[A ~string] struct {
	ID    A
	Label Label
}

// Party is a role relative to one item: who may take a transition. Is
// reports whether the actor is this party for the item; X is what the
// module knows about the caller (usually *auth.Actor plus its module
// roles), I the item being moved.
type Party[X, I any] struct {
	Name  string
	Label Label
	Is    func(actor X, item I) bool
}

// Transition is one row of the table.
type Transition[S, A ~string, X, I any] struct {
	Action A
	From   []S
	// To is the new state; "" keeps the state, unless Next computes it.
	To S
	// Next computes the new state after Apply, for a transition whose
	// target depends on the item (To then documents the usual target, or
	// stays "" to be shown as "computed").
	Next func(item I) S
	Who  []string // party names
	// Public: the timeline step is shown to the outside party (the
	// enterprise) as well.
	Public bool
	// Guard checks what the state alone does not decide (a pending
	// request, a count); an error keeps the action out of Allowed.
	Guard func(item I) error
	// Apply validates the input and changes the item; an error aborts.
	Apply func(item I) error
}

// Definition is a workflow: its vocabulary, its parties and its table.
type Definition[S, A ~string, X, I any] struct {
	Name string // e.g. "appeal"
	// Noun names one item in messages: {"诉求", "appeal"}.
	Noun        Label
	States      []StateDef[S]
	Actions     []ActionDef[A] // also the order of Table
	Parties     []Party[X, I]
	Transitions []Transition[S, A, X, I]
	// Access to the item.
	State    func(item I) S
	SetState func(item I, s S)
	Version  func(item I) int
}

// Validate checks that the definition is consistent: every transition
// names declared states, a declared action and declared parties, and no
// action has two rows. Call it from a test of the module.
func (d *Definition[S, A, X, I]) Validate() error {
	var problems []string
	seen := map[A]bool{}
	for _, t := range d.Transitions {
		if seen[t.Action] {
			problems = append(problems, "action "+string(t.Action)+" has two rows")
		}
		seen[t.Action] = true
		if _, ok := d.action(t.Action); !ok {
			problems = append(problems, "action "+string(t.Action)+" is not declared")
		}
		if len(t.From) == 0 {
			problems = append(problems, "action "+string(t.Action)+" has no from state")
		}
		for _, s := range append(slices.Clone(t.From), t.To) {
			if _, ok := d.state(s); !ok && s != "" {
				problems = append(problems, "action "+string(t.Action)+": state "+string(s)+" is not declared")
			}
		}
		if len(t.Who) == 0 {
			problems = append(problems, "action "+string(t.Action)+" names no party")
		}
		for _, w := range t.Who {
			if d.party(w) == nil {
				problems = append(problems, "action "+string(t.Action)+": party "+w+" is not declared")
			}
		}
	}
	if d.State == nil || d.SetState == nil || d.Version == nil {
		problems = append(problems, "State, SetState and Version are required")
	}
	if len(problems) > 0 {
		return fmt.Errorf("workflow %s: %s", d.Name, strings.Join(problems, "; "))
	}
	return nil
}

func (d *Definition[S, A, X, I]) state(s S) (StateDef[S], bool) {
	for _, st := range d.States {
		if st.ID == s {
			return st, true
		}
	}
	return StateDef[S]{}, false
}

func (d *Definition[S, A, X, I]) action(a A) (ActionDef[A], bool) {
	for _, ac := range d.Actions {
		if ac.ID == a {
			return ac, true
		}
	}
	return ActionDef[A]{}, false
}

func (d *Definition[S, A, X, I]) party(name string) *Party[X, I] {
	for i := range d.Parties {
		if d.Parties[i].Name == name {
			return &d.Parties[i]
		}
	}
	return nil
}

// Transition returns the row of action a.
func (d *Definition[S, A, X, I]) Transition(a A) (Transition[S, A, X, I], bool) {
	for _, t := range d.Transitions {
		if t.Action == a {
			return t, true
		}
	}
	return Transition[S, A, X, I]{}, false
}

// StateLabel names state s (its id when undeclared).
func (d *Definition[S, A, X, I]) StateLabel(s S) Label {
	if st, ok := d.state(s); ok {
		return st.Label
	}
	return Label{string(s), string(s)}
}

// ActionLabel names action a (its id when undeclared).
func (d *Definition[S, A, X, I]) ActionLabel(a A) Label {
	if ac, ok := d.action(a); ok {
		return ac.Label
	}
	return Label{string(a), string(a)}
}

// Closed reports whether s is a closed state.
func (d *Definition[S, A, X, I]) Closed(s S) bool {
	st, ok := d.state(s)
	return ok && st.Closed
}

// ClosedStates lists the closed states in declaration order.
func (d *Definition[S, A, X, I]) ClosedStates() []S {
	var out []S
	for _, st := range d.States {
		if st.Closed {
			out = append(out, st.ID)
		}
	}
	return out
}

// PartiesOf lists the names of the parties actor is for item.
func (d *Definition[S, A, X, I]) PartiesOf(actor X, item I) []string {
	var out []string
	for _, p := range d.Parties {
		if p.Is(actor, item) {
			out = append(out, p.Name)
		}
	}
	return out
}

// may reports whether one of the parties in ps may take t.
func (t *Transition[S, A, X, I]) may(ps []string) bool {
	for _, w := range t.Who {
		if slices.Contains(ps, w) {
			return true
		}
	}
	return false
}

// Allowed lists, in table order, the actions actor may take on item now:
// the item is in a from state, the actor is one of the parties and the
// guard passes.
func (d *Definition[S, A, X, I]) Allowed(actor X, item I) []A {
	ps := d.PartiesOf(actor, item)
	cur := d.State(item)
	var out []A
	for _, ac := range d.Actions {
		t, ok := d.Transition(ac.ID)
		if !ok || !slices.Contains(t.From, cur) || !t.may(ps) {
			continue
		}
		if t.Guard != nil && t.Guard(item) != nil {
			continue
		}
		out = append(out, ac.ID)
	}
	return out
}

// Step is what one fired transition did: the module records it in its
// timeline (see Entry).
type Step[S, A ~string] struct {
	Action A
	From   S
	To     S
	Public bool
}

// Fire checks and applies action a by actor to item, which the caller saw
// at version expected (0 skips the version check). The checks run in this
// order: the action exists, the actor is one of its parties, the state
// allows it, the version is current, the guard passes; then Apply runs and
// the new state is set. Nothing is changed when an error is returned,
// except what Apply changed before it failed (the module's transaction
// rolls that back).
func (d *Definition[S, A, X, I]) Fire(actor X, item I, a A, expected int) (Step[S, A], error) {
	t, ok := d.Transition(a)
	if !ok {
		return Step[S, A]{}, yserr.Field("action", "未知操作："+string(a), "unknown action: "+string(a))
	}
	al := d.ActionLabel(a)
	if !t.may(d.PartiesOf(actor, item)) {
		return Step[S, A]{}, yserr.New(yserr.Forbidden, "您无权对该"+d.Noun.Zh+"执行「"+al.Zh+"」",
			"you may not "+al.En+" this "+d.Noun.En)
	}
	from := d.State(item)
	if !slices.Contains(t.From, from) {
		sl := d.StateLabel(from)
		return Step[S, A]{}, yserr.New(yserr.Conflict, d.Noun.Zh+"当前状态为「"+sl.Zh+"」，不能执行「"+al.Zh+"」",
			"the "+d.Noun.En+" is "+sl.En+": it cannot "+al.En)
	}
	if expected != 0 && expected != d.Version(item) {
		return Step[S, A]{}, d.Stale(item, expected)
	}
	if t.Guard != nil {
		if err := t.Guard(item); err != nil {
			return Step[S, A]{}, err
		}
	}
	if t.Apply != nil {
		if err := t.Apply(item); err != nil {
			return Step[S, A]{}, err
		}
	}
	to := from
	switch {
	case t.Next != nil:
		to = t.Next(item)
	case t.To != "":
		to = t.To
	}
	d.SetState(item, to)
	return Step[S, A]{Action: a, From: from, To: to, Public: t.Public}, nil
}

// Stale is the Conflict for a caller who saw version expected of item,
// which is now at another version: it says what the item is now.
func (d *Definition[S, A, X, I]) Stale(item I, expected int) error {
	sl := d.StateLabel(d.State(item))
	v := d.Version(item)
	return yserr.New(yserr.Conflict,
		"该"+d.Noun.Zh+"刚被他人处理（您看到的是第 "+strconv.Itoa(expected)+" 版，现为第 "+strconv.Itoa(v)+" 版，状态「"+sl.Zh+"」），请刷新后再试",
		"someone else changed this "+d.Noun.En+" just now (you saw version "+strconv.Itoa(expected)+"; it is now version "+
			strconv.Itoa(v)+", "+sl.En+"): reload and try again")
}

// StaleWrite is the Conflict for a write whose version check matched no
// row: another transaction changed the item between the read and the
// write, so what changed is not known here.
func (d *Definition[S, A, X, I]) StaleWrite() error {
	return yserr.New(yserr.Conflict, "该"+d.Noun.Zh+"刚被他人处理，请刷新后再试",
		"someone else changed this "+d.Noun.En+" just now: reload and try again")
}

// Row is one published row of the table.
type Row struct {
	Action      string   `json:"action"`
	ActionLabel Label    `json:"action_label"`
	From        []string `json:"from"`
	To          string   `json:"to,omitempty" doc:"empty: the state stays (or is computed, see to_label)"`
	ToLabel     Label    `json:"to_label"`
	Who         []string `json:"who"`
	WhoText     Label    `json:"who_text" doc:"the parties in words"`
	Public      bool     `json:"public" doc:"the step shows on the outside party's timeline"`
}

// Table returns the transition table in action order, for the API and the
// docs.
func (d *Definition[S, A, X, I]) Table() []Row {
	var out []Row
	for _, ac := range d.Actions {
		t, ok := d.Transition(ac.ID)
		if !ok {
			continue
		}
		r := Row{Action: string(ac.ID), ActionLabel: ac.Label, To: string(t.To), Who: slices.Clone(t.Who), Public: t.Public}
		for _, s := range t.From {
			r.From = append(r.From, string(s))
		}
		switch {
		case t.To != "":
			r.ToLabel = d.StateLabel(t.To)
		case t.Next != nil:
			r.ToLabel = L("按情况确定", "computed")
		default:
			r.ToLabel = L("状态不变", "unchanged")
		}
		var zh, en []string
		for _, w := range t.Who {
			if p := d.party(w); p != nil {
				zh, en = append(zh, p.Label.Zh), append(en, p.Label.En)
			}
		}
		r.WhoText = L(strings.Join(zh, "、"), strings.Join(en, ", "))
		out = append(out, r)
	}
	return out
}

// Markdown renders the table as a Markdown table (for docs).
func (d *Definition[S, A, X, I]) Markdown() string {
	var b strings.Builder
	b.WriteString("| Action | From | To | Who |\n|---|---|---|---|\n")
	for _, r := range d.Table() {
		to := r.To
		if to == "" {
			to = "(" + r.ToLabel.En + ")"
		}
		fmt.Fprintf(&b, "| %s (%s) | %s | %s | %s |\n", r.Action, r.ActionLabel.Zh, strings.Join(r.From, ", "), to, r.WhoText.En)
	}
	return b.String()
}
