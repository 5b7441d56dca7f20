package workflow_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"yingshang/internal/workflow"
	"yingshang/internal/yserr"
)

// A small approval, unrelated to appeals: a request is drafted by its
// owner, approved or refused by the owner's department head, and the
// owner may withdraw it while it waits.
type state string
type action string

type user struct {
	id   int64
	dept int64
	head bool
}

type request struct {
	state   state
	version int
	owner   int64
	dept    int64
	amount  int
	reason  string
	urgent  bool
}

var approval = &workflow.Definition[state, action, user, *request]{
	Name: "approval",
	Noun: workflow.L("申请", "request"),
	States: []workflow.StateDef[state]{
		{ID: "draft", Label: workflow.L("草稿", "draft")},
		{ID: "pending", Label: workflow.L("待审批", "pending")},
		{ID: "approved", Label: workflow.L("已批准", "approved"), Closed: true},
		{ID: "refused", Label: workflow.L("未批准", "refused"), Closed: true},
	},
	Actions: []workflow.ActionDef[action]{
		{ID: "submit", Label: workflow.L("提交", "submit")},
		{ID: "withdraw", Label: workflow.L("撤回", "withdraw")},
		{ID: "decide", Label: workflow.L("审批", "decide")},
	},
	Parties: []workflow.Party[user, *request]{
		{Name: "owner", Label: workflow.L("申请人", "the owner"), Is: func(u user, r *request) bool { return u.id == r.owner }},
		{Name: "head", Label: workflow.L("部门负责人", "the department head"), Is: func(u user, r *request) bool { return u.head && u.dept == r.dept }},
	},
	Transitions: []workflow.Transition[state, action, user, *request]{
		{Action: "submit", From: []state{"draft"}, To: "pending", Who: []string{"owner"}, Public: true,
			Apply: func(r *request) error {
				if r.amount <= 0 {
					return yserr.Field("amount", "请填写金额", "the amount is required")
				}
				return nil
			}},
		{Action: "withdraw", From: []state{"pending"}, To: "draft", Who: []string{"owner"},
			Guard: func(r *request) error {
				if r.urgent {
					return yserr.New(yserr.Conflict, "加急申请不能撤回", "an urgent request cannot be withdrawn")
				}
				return nil
			}},
		{Action: "decide", From: []state{"pending"}, Who: []string{"head"}, Public: true,
			Next: func(r *request) state {
				if r.reason == "" {
					return "approved"
				}
				return "refused"
			}},
	},
	State:    func(r *request) state { return r.state },
	SetState: func(r *request, s state) { r.state = s },
	Version:  func(r *request) int { return r.version },
}

var (
	owner = user{id: 1, dept: 7}
	head  = user{id: 2, dept: 7, head: true}
	other = user{id: 3, dept: 8, head: true}
)

func TestValidate(t *testing.T) {
	if err := approval.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := *approval
	bad.Transitions = append(bad.Transitions, workflow.Transition[state, action, user, *request]{
		Action: "decide", From: []state{"nowhere"}, Who: []string{"nobody"}})
	err := bad.Validate()
	if err == nil {
		t.Fatal("inconsistent definition accepted")
	}
	for _, want := range []string{"two rows", "state nowhere", "party nobody"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestFire(t *testing.T) {
	r := &request{state: "draft", version: 1, owner: 1, dept: 7}
	check := func(err error, code yserr.Code, field string) {
		t.Helper()
		ye := yserr.As(err)
		if err == nil || ye.Code != code || (field != "" && ye.Field != field) {
			t.Fatalf("want %s %s, got %v", code, field, err)
		}
	}
	_, err := approval.Fire(owner, r, "fly", 0)
	check(err, yserr.Invalid, "action")
	_, err = approval.Fire(head, r, "submit", 0)
	check(err, yserr.Forbidden, "")
	if !strings.Contains(yserr.As(err).ZH, "提交") {
		t.Errorf("forbidden message does not name the action: %v", err)
	}
	_, err = approval.Fire(owner, r, "submit", 0)
	check(err, yserr.Invalid, "amount") // apply refuses
	if r.state != "draft" {
		t.Fatalf("state moved on a refused transition: %s", r.state)
	}
	r.amount = 100
	_, err = approval.Fire(owner, r, "submit", 2)
	check(err, yserr.Conflict, "")
	if ye := yserr.As(err); !strings.Contains(ye.EN, "version 2") || !strings.Contains(ye.EN, "version 1, draft") {
		t.Errorf("stale message does not say what changed: %q", ye.EN)
	}
	step, err := approval.Fire(owner, r, "submit", 1)
	if err != nil {
		t.Fatal(err)
	}
	if step != (workflow.Step[state, action]{Action: "submit", From: "draft", To: "pending", Public: true}) || r.state != "pending" {
		t.Fatalf("step %+v, state %s", step, r.state)
	}
	// A state the row does not start from.
	_, err = approval.Fire(owner, r, "submit", 0)
	check(err, yserr.Conflict, "")
	if ye := yserr.As(err); ye.ZH != "申请当前状态为「待审批」，不能执行「提交」" {
		t.Errorf("state message: %q", ye.ZH)
	}
	// The guard.
	r.urgent = true
	_, err = approval.Fire(owner, r, "withdraw", 0)
	check(err, yserr.Conflict, "")
	r.urgent = false
	// Another department's head is not this request's head.
	_, err = approval.Fire(other, r, "decide", 0)
	check(err, yserr.Forbidden, "")
	// A computed target.
	r.reason = "budget"
	step, err = approval.Fire(head, r, "decide", 0)
	if err != nil || step.To != "refused" || !approval.Closed(r.state) {
		t.Fatalf("decide: %+v %v", step, err)
	}
}

func TestAllowed(t *testing.T) {
	r := &request{state: "pending", owner: 1, dept: 7}
	if got := approval.Allowed(owner, r); len(got) != 1 || got[0] != "withdraw" {
		t.Fatalf("owner: %v", got)
	}
	if got := approval.Allowed(head, r); len(got) != 1 || got[0] != "decide" {
		t.Fatalf("head: %v", got)
	}
	if got := approval.Allowed(other, r); len(got) != 0 {
		t.Fatalf("other head: %v", got)
	}
	r.urgent = true // the guard keeps withdraw out
	if got := approval.Allowed(owner, r); len(got) != 0 {
		t.Fatalf("owner of an urgent request: %v", got)
	}
}

func TestTable(t *testing.T) {
	rows := approval.Table()
	if len(rows) != 3 {
		t.Fatalf("rows: %+v", rows)
	}
	b, err := json.Marshal(rows[2])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"action":"decide","action_label":{"zh":"审批","en":"decide"},"from":["pending"],"to_label":{"zh":"按情况确定","en":"computed"},` +
		`"who":["head"],"who_text":{"zh":"部门负责人","en":"the department head"},"public":true}`
	if string(b) != want {
		t.Fatalf("row\n got %s\nwant %s", b, want)
	}
	if rows[0].To != "pending" || rows[0].ToLabel.Zh != "待审批" {
		t.Fatalf("first row: %+v", rows[0])
	}
	md := approval.Markdown()
	if !strings.Contains(md, "| withdraw (撤回) | pending | draft | the owner |") {
		t.Fatalf("markdown:\n%s", md)
	}
	if got := approval.ClosedStates(); len(got) != 2 || got[0] != "approved" {
		t.Fatalf("closed states: %v", got)
	}
}

func TestTimeline(t *testing.T) {
	r := &request{state: "draft", owner: 1, dept: 7, amount: 5}
	step, err := approval.Fire(owner, r, "submit", 0)
	if err != nil {
		t.Fatal(err)
	}
	e := step.Entry(testNow, 1, "张三", "请批准")
	if e.Action != "submit" || e.From != "draft" || e.To != "pending" || !e.Public || e.Note != "请批准" {
		t.Fatalf("entry %+v", e)
	}
	l := approval.Label(e, "en")
	if l.ActionText != "submit" || l.FromText != "draft" || l.ToText != "pending" {
		t.Fatalf("labelled %+v", l)
	}
	if l := approval.Label(workflow.Entry{Action: "alert", From: "pending", To: "pending"}, "zh"); l.ActionText != "alert" || l.ToText != "待审批" {
		t.Fatalf("undeclared action: %+v", l)
	}
	entries := []workflow.Entry{e, {Action: "note"}}
	if v := workflow.Visible(entries); len(v) != 1 || v[0].Action != "submit" {
		t.Fatalf("visible: %+v", v)
	}
	var ye *yserr.Error
	if !errors.As(approval.StaleWrite(), &ye) || ye.Code != yserr.Conflict {
		t.Fatal("StaleWrite is not a conflict")
	}
}
