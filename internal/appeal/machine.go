package appeal

import (
	"context"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/workflow"
	"yingshang/internal/yserr"
)

// State is where an appeal is in its closed loop.
type State string

// States.
const (
	Submitted         State = "submitted"          // 待受理
	Accepted          State = "accepted"           // 已受理（待交办）
	Rejected          State = "rejected"           // 不予受理
	Assigned          State = "assigned"           // 已交办（待签收）
	InProgress        State = "in_progress"        // 办理中
	WaitingEnterprise State = "waiting_enterprise" // 待企业补充
	Replied           State = "replied"            // 已答复（待评价）
	Rated             State = "rated"              // 已评价（待回访）
	Reopened          State = "reopened"           // 已重办
	Escalated         State = "escalated"          // 已升级
	FollowedUp        State = "followed_up"        // 已回访
	Closed            State = "closed"             // 已办结（销号）
	Merged            State = "merged"             // 已合并
)

// States lists every state in loop order.
var States = []State{Submitted, Accepted, Rejected, Assigned, InProgress, WaitingEnterprise, Replied, Rated, Reopened,
	Escalated, FollowedUp, Closed, Merged}

// Label names the state in lang.
func (s State) Label(lang string) string { return machine.StateLabel(s).In(lang) }

// Action is a step a party takes.
type Action string

// Actions.
const (
	ActAccept      Action = "accept"       // dispatcher: 受理
	ActReject      Action = "reject"       // dispatcher: 不予受理 (reason)
	ActMerge       Action = "merge"        // dispatcher: merge into another appeal
	ActAssign      Action = "assign"       // dispatcher: lead + co-handlers
	ActReturn      Action = "return"       // lead department: wrongly assigned (reason)
	ActClaim       Action = "claim"        // lead department: 签收
	ActRequestInfo Action = "request_info" // lead department: stop the clock
	ActSupplyInfo  Action = "supply_info"  // enterprise (or intake): restart the clock
	ActRequestExt  Action = "request_extension"
	ActDecideExt   Action = "decide_extension" // dispatcher
	ActCoNote      Action = "co_note"          // co-handler: its part
	ActReply       Action = "reply"            // lead department
	ActRate        Action = "rate"             // enterprise
	ActReopen      Action = "reopen"           // enterprise, once, when unsatisfied
	ActEscalate    Action = "escalate"         // enterprise or dispatcher, when unsatisfied
	ActFollowUp    Action = "follow_up"        // dispatcher: 回访
	ActClose       Action = "close"            // dispatcher: 办结
	ActSupervise   Action = "supervise"        // supervisor: 督办
)

// ActionLabel names an action in lang (also "submit" and "alert", which
// are timeline entries outside the table).
func ActionLabel(a string, lang string) string { return machine.ActionLabel(Action(a)).In(lang) }

// Party is a role inside the module, relative to one appeal.
type Party string

// Parties.
const (
	PDispatcher Party = "dispatcher" // the business-environment office
	PLead       Party = "lead"       // staff of the lead department
	PCoHandler  Party = "cohandler"  // staff of a co-handling department
	POwner      Party = "owner"      // the enterprise that submitted
	PIntake     Party = "intake"     // intake staff (on the enterprise's behalf)
	PSupervisor Party = "supervisor"
)

// Act is one transition request.
type Act struct {
	Action   Action  `json:"action" enum:"accept,reject,merge,assign,return,claim,request_info,supply_info,request_extension,decide_extension,co_note,reply,rate,reopen,escalate,follow_up,close,supervise,feedback,classify,resolve_on_spot"`
	Version  int     `json:"version,omitempty" doc:"the version the caller saw; 0 skips the check"`
	Note     string  `json:"note,omitempty" doc:"reason, reply, information, co-handler's part, follow-up note..."`
	DeptID   int64   `json:"dept_id,omitempty" doc:"assign: the lead department"`
	CoDepts  []int64 `json:"co_depts,omitempty" doc:"assign: co-handling departments"`
	Days     int     `json:"days,omitempty" doc:"request_extension: working days"`
	Approve  bool    `json:"approve,omitempty" doc:"decide_extension"`
	Rating   string  `json:"rating,omitempty" enum:",satisfied,basic,unsatisfied"`
	TargetID int64   `json:"target_id,omitempty" doc:"merge: the appeal to merge into"`
	// The seeds' steps (terms.go).
	ResolveBy     string `json:"resolve_by,omitempty" doc:"claim, feedback: the resolution date committed to (YYYY-MM-DD), no later than the reply deadline"`
	IssueClass    string `json:"issue_class,omitempty" enum:",individual,common" doc:"classify: 个性 or 共性"`
	CommonIssueID int64  `json:"common_issue_id,omitempty" doc:"classify as common: the common issue to link"`
}

// who is the caller as the workflow sees it: the actor and its module roles.
type who struct {
	actor *auth.Actor
	r     roles
}

// trans is a transition being applied: the workflow's item.
type trans struct {
	s     *Service
	ctx   context.Context
	a     *Appeal
	act   Act
	now   time.Time
	st    Settings
	cal   *calendar.Calendar
	note  string
	after func(ctx context.Context) error // extra writes after the update
}

type appealMachine = workflow.Definition[State, Action, *who, *trans]
type row = workflow.Transition[State, Action, *who, *trans]

// machine is the appeal workflow: states, actions, parties and the
// transition table (published by Table, GET /api/v1/appeals/transitions
// and docs/appeal.md). It is built in init because the apply functions
// reach back into the labels.
var machine *appealMachine

func init() {
	machine = &appealMachine{
		Name: "appeal",
		Noun: workflow.L("诉求", "appeal"),
		States: []workflow.StateDef[State]{
			{ID: Submitted, Label: workflow.L("待受理", "submitted")}, {ID: Accepted, Label: workflow.L("已受理", "accepted")},
			{ID: Rejected, Label: workflow.L("不予受理", "rejected"), Closed: true},
			{ID: Assigned, Label: workflow.L("已交办", "assigned")}, {ID: InProgress, Label: workflow.L("办理中", "in progress")},
			{ID: WaitingEnterprise, Label: workflow.L("待企业补充", "waiting for the enterprise")},
			{ID: Replied, Label: workflow.L("已答复", "replied")}, {ID: Rated, Label: workflow.L("已评价", "rated")},
			{ID: Reopened, Label: workflow.L("已重办", "reopened")}, {ID: Escalated, Label: workflow.L("已升级", "escalated")},
			{ID: FollowedUp, Label: workflow.L("已回访", "followed up")}, {ID: Closed, Label: workflow.L("已办结", "closed"), Closed: true},
			{ID: Merged, Label: workflow.L("已合并", "merged"), Closed: true},
		},
		Actions: []workflow.ActionDef[Action]{
			{ID: ActAccept, Label: workflow.L("受理", "accept")}, {ID: ActReject, Label: workflow.L("不予受理", "reject")},
			{ID: ActMerge, Label: workflow.L("合并", "merge")}, {ID: ActAssign, Label: workflow.L("交办", "assign")},
			{ID: ActReturn, Label: workflow.L("退回", "return")}, {ID: ActClaim, Label: workflow.L("签收", "claim")},
			{ID: ActRequestInfo, Label: workflow.L("请企业补充材料", "request information")},
			{ID: ActSupplyInfo, Label: workflow.L("补充材料", "supply information")},
			{ID: ActRequestExt, Label: workflow.L("申请延期", "request an extension")},
			{ID: ActDecideExt, Label: workflow.L("审批延期", "decide on the extension")},
			{ID: ActCoNote, Label: workflow.L("协办意见", "co-handler's part")}, {ID: ActReply, Label: workflow.L("答复", "reply")},
			{ID: ActRate, Label: workflow.L("评价", "rate")}, {ID: ActReopen, Label: workflow.L("重新办理", "reopen")},
			{ID: ActEscalate, Label: workflow.L("升级处理", "escalate")}, {ID: ActFollowUp, Label: workflow.L("回访", "follow up")},
			{ID: ActClose, Label: workflow.L("办结销号", "close")}, {ID: ActSupervise, Label: workflow.L("督办", "supervise")},
			{ID: ActFeedback, Label: workflow.L("阶段性反馈", "interim feedback")}, {ID: ActClassify, Label: workflow.L("问题定性（个性/共性）", "classify (individual/common)")},
			{ID: ActOnSpot, Label: workflow.L("当场解决", "resolve on the spot")},
			{ID: actCommonFixed, Label: workflow.L("共性问题已整改", "common issue fixed")},
			{ID: actClueHandover, Label: workflow.L("移交纪检监察机关（问题线索）", "clue handed to the discipline inspection office")},
			{ID: actClueDisclose, Label: workflow.L("告知企业：问题线索已移交纪检监察", "enterprise told: clue handed to discipline inspection")},
			{ID: actMeeting, Label: workflow.L("提交联席会议研究", "taken by a joint meeting")},
			{ID: actMeetingTask, Label: workflow.L("联席会议决定事项办结", "joint-meeting decision carried out")},
			// Timeline entries outside the table.
			{ID: "submit", Label: workflow.L("提交诉求", "submitted")}, {ID: "alert", Label: workflow.L("预警", "alert")},
		},
		Parties: []workflow.Party[*who, *trans]{
			{Name: string(PDispatcher), Label: workflow.L("营商办（派单）", "the business-environment office (dispatcher)"),
				Is: func(w *who, _ *trans) bool { return w.r.dispatcher }},
			{Name: string(PLead), Label: workflow.L("主办部门", "the lead department"),
				Is: func(w *who, t *trans) bool {
					return w.actor.Has(auth.DeptStaff, auth.DeptAdmin) && inScope(w.actor, t.a.LeadDeptID)
				}},
			{Name: string(PCoHandler), Label: workflow.L("协办部门", "a co-handling department"),
				Is: func(w *who, t *trans) bool {
					return w.actor.Has(auth.DeptStaff, auth.DeptAdmin) && t.a.coHandledBy(w.actor)
				}},
			{Name: string(POwner), Label: workflow.L("提出诉求的企业", "the enterprise that submitted it"),
				Is: func(w *who, t *trans) bool {
					return w.actor.Has(auth.Enterprise) && (t.a.EntityID != 0 && t.a.EntityID == w.actor.EntityID ||
						t.a.SubmitterID != 0 && t.a.SubmitterID == w.actor.UserID)
				}},
			{Name: string(PIntake), Label: workflow.L("受理人员（代企业）", "intake staff (for the enterprise)"),
				Is: func(w *who, _ *trans) bool { return w.r.intake }},
			{Name: string(PSupervisor), Label: workflow.L("督查人员", "a supervisor"),
				Is: func(w *who, _ *trans) bool { return w.r.supervisor }},
		},
		Transitions: []row{
			{Action: ActAccept, From: []State{Submitted}, To: Accepted, Who: parties(PDispatcher), Public: true},
			{Action: ActReject, From: []State{Submitted}, To: Rejected, Who: parties(PDispatcher), Public: true,
				Apply: needNote("reason", "不予受理理由", "reason")},
			{Action: ActMerge, From: []State{Submitted, Accepted}, To: Merged, Who: parties(PDispatcher), Public: true,
				Apply: func(t *trans) error { return t.s.applyMerge(t) }},
			{Action: ActAssign, From: []State{Accepted, Escalated}, To: Assigned, Who: parties(PDispatcher), Public: true,
				Apply: func(t *trans) error { return t.s.applyAssign(t) }},
			{Action: ActReturn, From: []State{Assigned, InProgress, Reopened}, To: Accepted, Who: parties(PLead),
				Apply: func(t *trans) error { return t.s.applyReturn(t) }},
			{Action: ActClaim, From: []State{Assigned, Reopened}, To: InProgress, Who: parties(PLead), Public: true,
				Apply: func(t *trans) error { return t.s.applyClaim(t) }},
			{Action: ActRequestInfo, From: []State{InProgress}, To: WaitingEnterprise, Who: parties(PLead), Public: true,
				Apply: func(t *trans) error { return t.s.applyPause(t) }},
			{Action: ActSupplyInfo, From: []State{WaitingEnterprise}, To: InProgress, Who: parties(POwner, PIntake), Public: true,
				Apply: func(t *trans) error { return t.s.applyResume(t) }},
			{Action: ActRequestExt, From: []State{InProgress, WaitingEnterprise}, Who: parties(PLead),
				Guard: func(t *trans) error { return precondition(t.a, ActRequestExt) },
				Apply: func(t *trans) error { return t.s.applyRequestExt(t) }},
			{Action: ActDecideExt, From: []State{InProgress, WaitingEnterprise, Assigned, Reopened}, Who: parties(PDispatcher),
				Guard: func(t *trans) error { return precondition(t.a, ActDecideExt) },
				Apply: func(t *trans) error { return t.s.applyDecideExt(t) }},
			{Action: ActCoNote, From: []State{Assigned, InProgress, WaitingEnterprise, Reopened}, Who: parties(PCoHandler),
				Apply: func(t *trans) error { return t.s.applyCoNote(t) }},
			{Action: ActReply, From: []State{InProgress}, To: Replied, Who: parties(PLead), Public: true,
				Apply: func(t *trans) error { return t.s.applyReply(t) }},
			{Action: ActRate, From: []State{Replied}, To: Rated, Who: parties(POwner, PIntake), Public: true,
				Apply: func(t *trans) error { return t.s.applyRate(t) }},
			{Action: ActReopen, From: []State{Rated}, To: Reopened, Who: parties(POwner), Public: true,
				Guard: func(t *trans) error { return precondition(t.a, ActReopen) },
				Apply: func(t *trans) error { return t.s.applyReopen(t) }},
			{Action: ActEscalate, From: []State{Rated}, To: Escalated, Who: parties(POwner, PDispatcher), Public: true,
				Guard: func(t *trans) error { return precondition(t.a, ActEscalate) },
				Apply: func(t *trans) error { return t.s.applyEscalate(t) }},
			{Action: ActFollowUp, From: []State{Rated, Replied}, To: FollowedUp, Who: parties(PDispatcher), Public: true,
				Apply: func(t *trans) error { return t.s.applyFollowUp(t) }},
			{Action: ActClose, From: []State{FollowedUp}, To: Closed, Who: parties(PDispatcher), Public: true,
				Apply: func(t *trans) error { t.a.ClosedAt = &t.now; return nil }},
			{Action: ActSupervise, From: []State{Submitted, Accepted, Assigned, InProgress, WaitingEnterprise, Reopened, Escalated, Replied, Rated},
				Who: parties(PSupervisor), Apply: func(t *trans) error { return t.s.applySupervise(t) }},
			// The seeds' steps (terms.go).
			{Action: ActFeedback, From: []State{Accepted, Assigned, InProgress, Reopened, Escalated}, Who: parties(PLead, PDispatcher), Public: true,
				Apply: func(t *trans) error { return t.s.applyFeedback(t) }},
			{Action: ActClassify, From: []State{Accepted, Assigned, InProgress, WaitingEnterprise, Reopened, Escalated}, Who: parties(PDispatcher, PLead),
				Public: true, Apply: func(t *trans) error { return t.s.applyClassify(t) }},
			{Action: ActOnSpot, From: []State{Submitted, Accepted, Assigned}, To: Replied, Who: parties(PDispatcher, PIntake, PLead), Public: true,
				Apply: func(t *trans) error { return t.s.applyOnSpot(t) }},
		},
		State:    func(t *trans) State { return t.a.State },
		SetState: func(t *trans, st State) { t.a.State = st },
		Version:  func(t *trans) int { return t.a.Version },
	}
	closedStates = machine.ClosedStates()
}

// closedStates are the states in which the loop has ended.
var closedStates []State

func parties(ps ...Party) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

// RuleDoc is one row of the table for documentation and the API.
type RuleDoc struct {
	Action Action  `json:"action"`
	From   []State `json:"from"`
	To     State   `json:"to,omitempty"`
	Who    []Party `json:"who"`
}

// Table returns the transition table.
func Table() []RuleDoc {
	var out []RuleDoc
	for _, r := range machine.Table() {
		d := RuleDoc{Action: Action(r.Action), To: State(r.To)}
		for _, f := range r.From {
			d.From = append(d.From, State(f))
		}
		for _, w := range r.Who {
			d.Who = append(d.Who, Party(w))
		}
		out = append(out, d)
	}
	return out
}

// Allowed lists the actions the caller may take on a now.
func (s *Service) Allowed(ctx context.Context, a *Appeal) []Action {
	actor := auth.From(ctx)
	r, err := s.roleSet(ctx, actor)
	if err != nil || actor == nil {
		return nil
	}
	return machine.Allowed(&who{actor: actor, r: r}, &trans{s: s, ctx: ctx, a: a})
}

// precondition checks rules that depend on more than the state.
func precondition(a *Appeal, act Action) error {
	switch act {
	case ActReopen:
		if a.Rating != Unsatisfied {
			return yserr.New(yserr.Conflict, "只有评价为不满意时才能重新办理", "only an unsatisfied rating can be reopened")
		}
		if a.ReopenCount >= 1 {
			return yserr.New(yserr.Conflict, "每件诉求只能重新办理一次，可申请升级处理", "an appeal can be reopened only once; escalate it instead")
		}
	case ActEscalate:
		if a.Rating != Unsatisfied {
			return yserr.New(yserr.Conflict, "只有评价为不满意时才能升级", "only an unsatisfied rating can be escalated")
		}
	case ActDecideExt:
		if a.ExtRequestedDays == 0 {
			return yserr.New(yserr.Conflict, "没有待审批的延期申请", "there is no pending extension request")
		}
	case ActRequestExt:
		if a.ExtRequestedDays != 0 {
			return yserr.New(yserr.Conflict, "已有待审批的延期申请", "an extension request is already pending")
		}
	}
	return nil
}

// Transition applies act to appeal id for the caller.
func (s *Service) Transition(ctx context.Context, id int64, act Act) (*Appeal, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := machine.Transition(act.Action); !ok {
		return nil, yserr.Field("action", "未知操作："+string(act.Action), "unknown action: "+string(act.Action))
	}
	act.Note = strings.TrimSpace(act.Note)
	if len([]rune(act.Note)) > MaxNote {
		return nil, yserr.Field("note", "说明过长（最多"+itoa(MaxNote)+"字）", "the note is too long (at most "+itoa(MaxNote)+" characters)")
	}
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		a, err := s.load(ctx, id)
		if err != nil {
			return err
		}
		if !r.sees(actor, a) {
			return errNotFound()
		}
		t := &trans{s: s, ctx: ctx, a: a, act: act, now: s.now(), st: st, cal: cal, note: act.Note}
		before := *a
		step, err := machine.Fire(&who{actor: actor, r: r}, t, act.Action, act.Version)
		if err != nil {
			return err
		}
		return s.apply(ctx, t, &before, step)
	})
	if err != nil {
		return nil, err
	}
	return s.load(ctx, id)
}

func errChanged() error { return machine.StaleWrite() }

// apply writes a fired transition: the deadlines and alert columns follow
// the new state, the row is updated under the version check, then the
// timeline, the audit chain and the notifications.
func (s *Service) apply(ctx context.Context, t *trans, before *Appeal, step workflow.Step[State, Action]) error {
	if err := s.computeDeadlines(ctx, t.cal, t.st, t.a); err != nil {
		return err
	}
	if err := s.syncAlerts(ctx, before, t.a); err != nil {
		return err
	}
	if err := s.update(ctx, t.a, before.Version, t.now); err != nil {
		return err
	}
	if t.after != nil {
		if err := t.after(ctx); err != nil {
			return err
		}
	}
	if err := s.syncTerms(ctx, t, step); err != nil {
		return err
	}
	action := string(step.Action)
	if err := s.event(ctx, t.a.ID, action, step.From, step.To, t.note, step.Public, t.now); err != nil {
		return err
	}
	if err := s.Audit.Record(ctx, "appeal."+action, "appeal", strconv.FormatInt(t.a.ID, 10), auditView(before), auditView(t.a), t.note); err != nil {
		return err
	}
	if err := s.notifyTransition(ctx, t.a, action, step.From, step.To); err != nil {
		return err
	}
	// The dashboard rollup last: its rows are shared by concurrent writes
	// (locked until the commit on PostgreSQL).
	return s.rollupMove(ctx, before, t.a)
}

// auditView is what the audit chain keeps of an appeal (no personal data).
func auditView(a *Appeal) map[string]any {
	return map[string]any{"number": a.Number, "state": a.State, "version": a.Version, "lead_dept_id": a.LeadDeptID,
		"handler_id": a.HandlerID, "extension_days": a.ExtensionDays, "rating": a.Rating, "reopen_count": a.ReopenCount,
		"supervision_level": a.SupervisionLevel, "reply_due": a.ReplyDue}
}

// update writes the mutable columns when the version is unchanged.
func (s *Service) update(ctx context.Context, a *Appeal, version int, now time.Time) error {
	n, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeals SET state = $1, version = version + 1, lead_dept_id = $2, handler_id = $3,
		merged_into = $4, reopen_count = $5, supervision_level = $6, extension_days = $7, ext_requested_days = $8, ext_reason = $9,
		reply = $10, rating = $11, rating_comment = $12, clock_start = $13, first_response_at = $14, replied_at = $15, rated_at = $16,
		followed_up_at = $17, closed_at = $18, paused_since = $19, first_response_due = $20, reply_due = $21, followup_due = $22,
		reply_on_time = $23, handling_workdays = $24, fr_alert = $25, reply_alert = $26, fu_alert = $27, updated_at = $28
		WHERE id = $29 AND version = $30`,
		string(a.State), nullID(a.LeadDeptID), nullID(a.HandlerID), nullID(a.MergedInto), a.ReopenCount, a.SupervisionLevel,
		a.ExtensionDays, a.ExtRequestedDays, a.ExtReason, a.Reply, a.Rating, a.RatingComment, a.ClockStart, a.FirstResponseAt,
		a.RepliedAt, a.RatedAt, a.FollowedUpAt, a.ClosedAt, a.PausedSince, a.FirstResponseDue, a.ReplyDue, a.FollowupDue,
		a.ReplyOnTime, a.HandlingWorkdays, a.FRAlert, a.ReplyAlert, a.FUAlert, now, a.ID, version)
	if err != nil {
		return err
	}
	if n == 0 {
		return errChanged()
	}
	a.Version = version + 1
	return nil
}

func needNote(field, zh, en string) func(*trans) error {
	return func(t *trans) error {
		if t.note == "" {
			return yserr.Field(field, "请填写"+zh, en+" is required")
		}
		return nil
	}
}

func (s *Service) applyMerge(t *trans) error {
	if t.act.TargetID == 0 || t.act.TargetID == t.a.ID {
		return yserr.Field("target_id", "请选择要合并到的诉求", "choose the appeal to merge into")
	}
	target, err := s.load(t.ctx, t.act.TargetID)
	if err != nil {
		return yserr.Field("target_id", "要合并到的诉求不存在", "the appeal to merge into does not exist")
	}
	if !target.Open() {
		return yserr.Field("target_id", "只能合并到未办结的诉求", "merge only into an open appeal")
	}
	t.a.MergedInto = target.ID
	if t.note == "" {
		t.note = "合并至 merged into " + target.Number
	}
	t.a.ClosedAt = &t.now
	return nil
}

func (s *Service) applyAssign(t *trans) error {
	if t.act.DeptID == 0 {
		return yserr.Field("dept_id", "请选择主办部门", "choose the lead department")
	}
	lead, err := s.Accounts.DepartmentRefs(t.ctx, []int64{t.act.DeptID})
	if err != nil {
		return err
	}
	if _, ok := lead[t.act.DeptID]; !ok {
		return yserr.Field("dept_id", "主办部门不存在", "the lead department does not exist")
	}
	name := lead[t.act.DeptID].Name
	t.a.LeadDeptID, t.a.HandlerID = t.act.DeptID, 0
	co := []int64{}
	for _, d := range t.act.CoDepts {
		if d != 0 && d != t.act.DeptID && !contains(co, d) {
			co = append(co, d)
		}
	}
	if t.note == "" {
		t.note = "主办 lead: " + name
	}
	t.after = func(ctx context.Context) error {
		if _, err := s.DB.W(ctx).Exec(ctx, `DELETE FROM appeal_cohandlers WHERE appeal_id = $1`, t.a.ID); err != nil {
			return err
		}
		for _, d := range co {
			if _, err := s.DB.W(ctx).Exec(ctx, `INSERT INTO appeal_cohandlers (appeal_id, dept_id) VALUES ($1, $2)`, t.a.ID, d); err != nil {
				return yserr.Field("co_depts", "协办部门不存在", "a co-handling department does not exist").Wrap(err)
			}
		}
		return s.notifyDept(ctx, t.a, t.act.DeptID)
	}
	return nil
}

func (s *Service) applyReturn(t *trans) error {
	if t.note == "" {
		return yserr.Field("note", "请填写退回理由", "give the reason for returning it")
	}
	t.a.LeadDeptID, t.a.HandlerID = 0, 0
	return nil
}

func (s *Service) applyClaim(t *trans) error {
	t.a.HandlerID = auth.From(t.ctx).UserID
	if t.a.FirstResponseAt == nil {
		t.a.FirstResponseAt = &t.now
	}
	return nil
}

func (s *Service) applyPause(t *trans) error {
	if t.note == "" {
		return yserr.Field("note", "请说明需要企业补充的内容", "say what the enterprise should add")
	}
	t.a.PausedSince = &t.now
	t.after = func(ctx context.Context) error {
		_, err := s.DB.W(ctx).Exec(ctx, `INSERT INTO appeal_pauses (appeal_id, started_at) VALUES ($1, $2)`, t.a.ID, t.now)
		return err
	}
	return nil
}

func (s *Service) applyResume(t *trans) error {
	if t.note == "" {
		return yserr.Field("note", "请填写补充的内容", "write the information")
	}
	t.a.PausedSince = nil
	// The pause must be closed before the deadlines are recomputed.
	_, err := s.DB.W(t.ctx).Exec(t.ctx, `UPDATE appeal_pauses SET ended_at = $1 WHERE appeal_id = $2 AND ended_at IS NULL`, t.now, t.a.ID)
	return err
}

func (s *Service) applyRequestExt(t *trans) error {
	if t.act.Days < 1 || t.act.Days > t.st.MaxExtensionWD {
		return yserr.Field("days", "延期天数须为 1-"+itoa(t.st.MaxExtensionWD)+" 个工作日", "the extension must be 1-"+itoa(t.st.MaxExtensionWD)+" working days")
	}
	if t.note == "" {
		return yserr.Field("note", "请填写延期理由", "give the reason for the extension")
	}
	t.a.ExtRequestedDays, t.a.ExtReason = t.act.Days, t.note
	t.note = itoa(t.act.Days) + " 个工作日 working days: " + t.note
	return nil
}

func (s *Service) applyDecideExt(t *trans) error {
	days := t.a.ExtRequestedDays
	if t.act.Approve {
		t.a.ExtensionDays += days
		t.note = strings.TrimSpace("同意延期 approved " + itoa(days) + " " + t.note)
	} else {
		if t.note == "" {
			return yserr.Field("note", "不同意延期时请说明理由", "give the reason for refusing")
		}
		t.note = "不同意延期 refused: " + t.note
	}
	t.a.ExtRequestedDays, t.a.ExtReason = 0, ""
	return nil
}

func (s *Service) applyCoNote(t *trans) error {
	if t.note == "" {
		return yserr.Field("note", "请填写协办意见", "write your department's part")
	}
	actor := auth.From(t.ctx)
	t.after = func(ctx context.Context) error {
		for _, c := range t.a.CoHandlers {
			if inScope(actor, c.DeptID) {
				_, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeal_cohandlers SET note = $1, noted_at = $2 WHERE appeal_id = $3 AND dept_id = $4`,
					t.note, t.now, t.a.ID, c.DeptID)
				return err
			}
		}
		return nil
	}
	return nil
}

func (s *Service) applyReply(t *trans) error {
	if t.note == "" {
		return yserr.Field("note", "请填写答复内容", "write the reply")
	}
	for _, c := range t.a.CoHandlers {
		if c.NotedAt == nil {
			return yserr.New(yserr.Conflict, "协办部门「"+c.DeptName+"」尚未提交协办意见", "the co-handler "+c.DeptName+" has not added its part yet")
		}
	}
	t.a.Reply, t.a.RepliedAt = t.note, &t.now
	if t.a.ReplyDue != nil {
		onTime := !t.now.After(*t.a.ReplyDue)
		t.a.ReplyOnTime = &onTime
	}
	wd := t.cal.WorkdaysBetween(calendar.FromTime(t.a.SubmittedAt, shanghai), calendar.FromTime(t.now, shanghai))
	t.a.HandlingWorkdays = &wd
	return nil
}

func (s *Service) applyRate(t *trans) error {
	if ratingLabels[t.act.Rating][0] == "" {
		return yserr.Field("rating", "请选择满意、基本满意或不满意", "choose satisfied, fairly satisfied or unsatisfied")
	}
	t.a.Rating, t.a.RatingComment, t.a.RatedAt = t.act.Rating, t.note, &t.now
	t.note = RatingLabel(t.act.Rating, "zh") + " " + RatingLabel(t.act.Rating, "en") + strings.TrimRight(" "+t.note, " ")
	return nil
}

func (s *Service) applyReopen(t *trans) error {
	t.a.ReopenCount++
	t.a.ClockStart = t.now
	t.a.ExtensionDays, t.a.HandlerID = 0, 0
	t.a.RepliedAt, t.a.FollowupDue, t.a.ReplyOnTime = nil, nil, nil
	t.a.Rating, t.a.RatingComment, t.a.RatedAt = "", "", nil
	return nil
}

func (s *Service) applyEscalate(t *trans) error {
	t.a.SupervisionLevel++
	t.a.LeadDeptID, t.a.HandlerID = 0, 0
	t.a.ClockStart = t.now
	t.a.RepliedAt, t.a.FollowupDue, t.a.ReplyOnTime = nil, nil, nil
	t.a.Rating, t.a.RatingComment, t.a.RatedAt = "", "", nil
	return nil
}

func (s *Service) applyFollowUp(t *trans) error {
	if t.note == "" {
		return yserr.Field("note", "请填写回访情况", "write the follow-up note")
	}
	t.a.FollowedUpAt = &t.now
	return nil
}

func (s *Service) applySupervise(t *trans) error {
	if t.note == "" {
		return yserr.Field("note", "请填写督办意见", "write the supervision notice")
	}
	t.a.SupervisionLevel++
	t.after = func(ctx context.Context) error { return s.notifySupervision(ctx, t.a, t.note) }
	return nil
}
