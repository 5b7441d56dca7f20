package appeal

// Terms: the seeds' remaining clocks and classes of an appeal (issue 18).
//
//   - Clocks per type and per topic: the reply clock's working days come
//     from Settings.ReplyWD (per type), overridden by Settings.TopicReplyWD
//     (per topic), overridden by the individual-issue rule below.
//   - Xinyang's 1日响应、3日反馈、限期办结: the response clock is the
//     existing first-response clock (签收, FirstResponseWD = 1); the
//     interim-feedback clock ends FeedbackWD (3) working days after the
//     submission day and is met by a feedback step (阶段性反馈), a request
//     for information, the reply or an on-the-spot resolution; the
//     resolution date (限期办结) is the date the lead department commits to
//     when it claims the appeal, no later than the reply deadline (the
//     type's maximum); without one the reply deadline alone applies (no
//     second clock, so no duplicate alerts).
//     A feedback step may move the commitment, within the same maximum.
//   - Luohe's 个性/共性: an appeal classed as an individual issue is
//     answered within IndividualWD (15) working days from its clock start;
//     one classed as a common issue is linked to an appeal_common_issues row
//     (commonissue.go).
//   - On-the-spot resolution (当场解决): a dispatcher, intake officer or the
//     lead department records the appeal as answered at once; it is still
//     rated and followed up.
//
// The terms live in appeal_terms, one row per appeal, written in the same
// transaction as the transition that changes them (syncTerms, called from
// apply). The SLA scan (Scan) watches the two new clocks as it watches the
// others: alerts in appeal_alerts with clock "feedback" and "resolve".

import (
	"context"
	"strconv"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/notify"
	"yingshang/internal/workflow"
	"yingshang/internal/yserr"
)

// Issue classes (个性/共性).
const (
	IssueIndividual = "individual" // 个性问题
	IssueCommon     = "common"     // 共性问题
)

var issueClassLabels = map[string][2]string{"": {"未定性", "not classed"},
	IssueIndividual: {"个性问题", "individual issue"}, IssueCommon: {"共性问题", "common issue"}}

// IssueClassLabel names an issue class in lang.
func IssueClassLabel(c, lang string) string { return pick(issueClassLabels[c], lang) }

// The seeds' actions (rows of the transition table in machine.go).
const (
	ActFeedback Action = "feedback"        // lead department or dispatcher: 阶段性反馈 (interim feedback)
	ActClassify Action = "classify"        // dispatcher or lead department: 个性/共性
	ActOnSpot   Action = "resolve_on_spot" // dispatcher, intake, lead department: 当场解决
	// actCommonFixed is a timeline entry outside the table: the common
	// issue the appeal is linked to was fixed.
	actCommonFixed Action = "common_fixed"
)

// Clock names of the terms in appeal_alerts.
const (
	ClockFeedback = "feedback"
	ClockResolve  = "resolve"
)

func (st *Settings) normaliseTerms(d Settings) {
	if st.FeedbackWD <= 0 {
		st.FeedbackWD = d.FeedbackWD
	}
	if st.IndividualWD <= 0 {
		st.IndividualWD = d.IndividualWD
	}
	if st.CommonFixDays <= 0 {
		st.CommonFixDays = d.CommonFixDays
	}
	if st.MaxMediaBytes <= 0 {
		st.MaxMediaBytes = d.MaxMediaBytes
	}
}

func (st *Settings) validateTerms(v *yserr.Validation) {
	topics := st.Topics
	if len(topics) == 0 {
		topics = DefaultSettings().Topics
	}
	for k, n := range st.TopicReplyWD {
		if !contains(topics, k) || n < 0 || n > 60 {
			v.Add("topic_reply_wd", "期限须为 0-60 个工作日且领域有效："+k, "deadlines must be 0-60 working days for a listed topic: "+k)
		}
	}
	if st.FeedbackWD < 0 || st.FeedbackWD > 20 {
		v.Add("feedback_wd", "阶段性反馈期限须为 1-20 个工作日", "the interim feedback deadline must be 1-20 working days")
	}
	if st.IndividualWD < 0 || st.IndividualWD > 60 {
		v.Add("individual_wd", "个性问题办理期限须为 1-60 个工作日", "the individual-issue deadline must be 1-60 working days")
	}
	if st.CommonFixDays < 0 || st.CommonFixDays > 365 {
		v.Add("common_fix_days", "共性问题整改期限须为 1-365 天", "the common-issue fix period must be 1-365 days")
	}
	st.validateCommonAlerts(v)
}

// ReplyDays is the reply clock's working days for an appeal of kind and
// topic in class ("" when not classed): the individual-issue rule, else the
// topic's, else the type's. 0: no deadline.
func (st Settings) ReplyDays(kind Kind, topic, class string) int {
	if class == IssueIndividual {
		return st.IndividualWD
	}
	if n, ok := st.TopicReplyWD[topic]; ok && n > 0 {
		return n
	}
	return st.ReplyWD[string(kind)]
}

// replyDays reads a's class and applies ReplyDays.
func (s *Service) replyDays(ctx context.Context, st Settings, a *Appeal) (int, error) {
	class := ""
	if a.ID != 0 {
		err := s.DB.W(ctx).QueryRow(ctx, `SELECT issue_class FROM appeal_terms WHERE appeal_id = $1`, a.ID).Scan(&class)
		if err != nil && !db.IsNoRows(err) {
			return 0, err
		}
	}
	return st.ReplyDays(a.Kind, a.Topic, class), nil
}

// Terms are an appeal's extra clocks and class.
type Terms struct {
	AppealID         int64      `json:"appeal_id"`
	IssueClass       string     `json:"issue_class" enum:",individual,common"`
	CommonIssueID    int64      `json:"common_issue_id,omitempty"`
	CommonIssueTitle string     `json:"common_issue_title,omitempty"`
	CommonIssueStage string     `json:"common_issue_stage,omitempty" enum:",appeal,fixing,fixed,improved"`
	CommonFixDue     *time.Time `json:"common_fix_due,omitempty"`
	FeedbackDue      *time.Time `json:"feedback_due,omitempty" doc:"3日反馈: end of the FeedbackWD-th working day after submission"`
	FeedbackAt       *time.Time `json:"feedback_at,omitempty"`
	ResolveBy        *time.Time `json:"resolve_by,omitempty" doc:"限期办结: the end of the day the lead department committed to"`
	ResolveMax       *time.Time `json:"resolve_max,omitempty" doc:"the latest commitment allowed: the reply deadline"`
	ResolvedAt       *time.Time `json:"resolved_at,omitempty"`
	OnSpot           bool       `json:"on_spot" doc:"resolved on the spot (当场解决)"`
}

// Terms returns the terms of an appeal the caller may see (zero terms for
// an appeal no transition has touched yet, with its feedback deadline).
func (s *Service) Terms(ctx context.Context, id int64) (*Terms, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.TermsOf(ctx, a)
}

// TermsOf returns the terms of a, which the caller has already read with Get.
func (s *Service) TermsOf(ctx context.Context, a *Appeal) (*Terms, error) {
	t, err := s.loadTerms(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if t.FeedbackDue == nil && a.Open() {
		st, err := s.Settings(ctx)
		if err != nil {
			return nil, err
		}
		cal, err := s.Calendar.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		d := workflow.Deadline(cal, a.SubmittedAt, st.FeedbackWD)
		t.FeedbackDue = &d
	}
	t.ResolveMax = a.ReplyDue
	if t.CommonIssueID != 0 {
		ci, err := s.loadCommonIssue(ctx, t.CommonIssueID)
		if err != nil {
			return nil, err
		}
		t.CommonIssueTitle, t.CommonIssueStage, t.CommonFixDue = ci.Title, ci.Stage, ci.FixDue
	}
	return t, nil
}

func (s *Service) loadTerms(ctx context.Context, id int64) (*Terms, error) {
	t := &Terms{AppealID: id}
	err := s.DB.W(ctx).QueryRow(ctx, `SELECT issue_class, COALESCE(common_issue_id, 0), feedback_due, feedback_at, resolve_by,
		resolved_at, on_spot FROM appeal_terms WHERE appeal_id = $1`, id).Scan(&t.IssueClass, &t.CommonIssueID, &t.FeedbackDue,
		&t.FeedbackAt, &t.ResolveBy, &t.ResolvedAt, &t.OnSpot)
	if err != nil && !db.IsNoRows(err) {
		return nil, err
	}
	return t, nil
}

// ensureTerms creates a's terms row when it has none, with its feedback
// deadline.
func (s *Service) ensureTerms(ctx context.Context, t *trans) error {
	due := workflow.Deadline(t.cal, t.a.SubmittedAt, t.st.FeedbackWD)
	_, err := s.DB.W(ctx).Exec(ctx, `INSERT INTO appeal_terms (appeal_id, feedback_due, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (appeal_id) DO NOTHING`, t.a.ID, due, t.now)
	return err
}

// endOfDay is the last instant of d in Asia/Shanghai (to the microsecond,
// which both engines keep).
func endOfDay(d calendar.Date) time.Time {
	return d.AddDays(1).Time(shanghai).Add(-time.Microsecond).UTC()
}

// commitment parses the resolution date a lead department commits to and
// checks it lies between today and the reply deadline (a.ReplyDue, which
// apply has just recomputed).
func commitment(t *trans) (*time.Time, error) {
	if t.act.ResolveBy == "" {
		return nil, nil
	}
	d, err := calendar.ParseDate(t.act.ResolveBy)
	if err != nil {
		return nil, yserr.Field("resolve_by", "办结日期格式应为 YYYY-MM-DD", "the resolution date must be YYYY-MM-DD")
	}
	today := calendar.FromTime(t.now, shanghai)
	if d.Before(today) {
		return nil, yserr.Field("resolve_by", "承诺办结日期不能早于今天", "the resolution date cannot be before today")
	}
	if t.a.ReplyDue != nil && d.After(calendar.FromTime(*t.a.ReplyDue, shanghai)) {
		max := calendar.FromTime(*t.a.ReplyDue, shanghai).String()
		return nil, yserr.Field("resolve_by", "承诺办结日期不能晚于办理时限 "+max, "the resolution date cannot be after the deadline "+max)
	}
	e := endOfDay(d)
	return &e, nil
}

// syncTerms keeps a's terms after a transition, in its transaction: the
// row exists from the first transition; the feedback clock stops at the
// first feedback, request for information, reply or on-the-spot
// resolution; the claim sets the commitment; a reply ends it; reopening
// or escalation clears it (the next claim commits again); an ended loop
// stops both clocks.
func (s *Service) syncTerms(ctx context.Context, t *trans, step workflow.Step[State, Action]) error {
	if err := s.ensureTerms(ctx, t); err != nil {
		return err
	}
	w := s.DB.W(ctx)
	exec := func(q string, args ...any) error { _, err := w.Exec(ctx, q, args...); return err }
	switch step.Action {
	case ActFeedback, ActRequestInfo:
		if err := exec(`UPDATE appeal_terms SET feedback_at = COALESCE(feedback_at, $1), fb_alert = 3, updated_at = $1 WHERE appeal_id = $2`, t.now, t.a.ID); err != nil {
			return err
		}
	case ActReply, ActOnSpot:
		if err := exec(`UPDATE appeal_terms SET feedback_at = COALESCE(feedback_at, $1), fb_alert = 3, resolved_at = $1, rs_alert = 3,
			on_spot = $2, updated_at = $1 WHERE appeal_id = $3`, t.now, step.Action == ActOnSpot, t.a.ID); err != nil {
			return err
		}
	case ActReopen, ActEscalate:
		if err := exec(`UPDATE appeal_terms SET resolve_by = NULL, resolved_at = NULL, rs_alert = 0, on_spot = $1, updated_at = $2 WHERE appeal_id = $3`,
			false, t.now, t.a.ID); err != nil {
			return err
		}
	}
	if step.Action == ActClaim || step.Action == ActFeedback && t.act.ResolveBy != "" {
		c, err := commitment(t)
		if err != nil {
			return err
		}
		if c != nil {
			if err := exec(`UPDATE appeal_terms SET resolve_by = $1, rs_alert = 0, updated_at = $2 WHERE appeal_id = $3`, *c, t.now, t.a.ID); err != nil {
				return err
			}
		}
	}
	if contains(closedStates, t.a.State) {
		return exec(`UPDATE appeal_terms SET fb_alert = 3, rs_alert = 3, updated_at = $1 WHERE appeal_id = $2`, t.now, t.a.ID)
	}
	return nil
}

// applyFeedback checks the interim feedback (阶段性反馈) and tells the
// enterprise where things stand.
func (s *Service) applyFeedback(t *trans) error {
	if t.note == "" {
		return yserr.Field("note", "请填写阶段性反馈内容", "write the interim feedback")
	}
	if t.act.ResolveBy != "" {
		t.note += "\n承诺办结日期 committed resolution date: " + t.act.ResolveBy
	}
	t.after = func(ctx context.Context) error { return s.notifyProgress(ctx, t.a, t.note) }
	return nil
}

// applyClassify marks a as an individual or a common issue. The class is
// written at once, so that the deadlines apply computes next see it.
func (s *Service) applyClassify(t *trans) error {
	var issue int64
	switch t.act.IssueClass {
	case IssueIndividual:
		t.note = joinNote("个性问题 individual issue", t.note)
	case IssueCommon:
		if t.act.CommonIssueID == 0 {
			return yserr.Field("common_issue_id", "请选择关联的共性问题", "choose the common issue")
		}
		ci, err := s.loadCommonIssue(t.ctx, t.act.CommonIssueID)
		if err != nil {
			return yserr.Field("common_issue_id", "共性问题不存在", "the common issue does not exist")
		}
		if ci.Stage == StageImproved {
			return yserr.Field("common_issue_id", "该共性问题已完成整改提升，不能再关联诉求", "that common issue is closed: it was fixed and improved")
		}
		issue = ci.ID
		t.note = joinNote("共性问题 common issue: "+ci.Title, t.note)
	default:
		return yserr.Field("issue_class", "请选择个性问题或共性问题", "choose individual or common issue")
	}
	if err := s.ensureTerms(t.ctx, t); err != nil {
		return err
	}
	_, err := s.DB.W(t.ctx).Exec(t.ctx, `UPDATE appeal_terms SET issue_class = $1, common_issue_id = $2, updated_at = $3 WHERE appeal_id = $4`,
		t.act.IssueClass, nullID(issue), t.now, t.a.ID)
	return err
}

func joinNote(head, note string) string {
	if note == "" {
		return head
	}
	return head + "\n" + note
}

// applyOnSpot records an appeal settled at once: answered now by the
// caller, whose department becomes the lead when there is none.
func (s *Service) applyOnSpot(t *trans) error {
	if t.note == "" {
		return yserr.Field("note", "请填写当场解决的情况（即答复内容）", "write how it was settled (the reply)")
	}
	actor := auth.From(t.ctx)
	if t.a.LeadDeptID == 0 {
		t.a.LeadDeptID = actor.DepartmentID
	}
	t.a.HandlerID = actor.UserID
	if t.a.FirstResponseAt == nil {
		t.a.FirstResponseAt = &t.now
	}
	t.a.Reply, t.a.RepliedAt = t.note, &t.now
	onTime := true
	t.a.ReplyOnTime = &onTime
	wd := t.cal.WorkdaysBetween(calendar.FromTime(t.a.SubmittedAt, shanghai), calendar.FromTime(t.now, shanghai))
	t.a.HandlingWorkdays = &wd
	return nil
}

// MsgProgress tells the enterprise where its appeal stands without a
// change of state: interim feedback, or the fix of the common issue it is
// linked to.
const MsgProgress = "appeal.progress"

func registerTermTypes(both func(zh, en notify.Template) map[string]map[string]notify.Template, vars ...notify.Variable) {
	note := notify.Variable{Name: "note", ZH: "进展说明", EN: "progress note", Example: "已联系供电公司，预计下周一完成接入"}
	notify.RegisterType(notify.MessageType{Key: MsgProgress, NameZH: "诉求办理进展", NameEN: "Appeal progress",
		Variables: append(vars, note),
		Defaults: both(notify.Template{Subject: "诉求 {{.number}} 办理进展", Body: "您的诉求「{{.title}}」（{{.number}}）办理进展：{{.note}}"},
			notify.Template{Subject: "Appeal {{.number}}: progress", Body: "Your appeal \"{{.title}}\" ({{.number}}): {{.note}}"})})
}

// notifyProgress tells the enterprise about a's progress (in-app; SMS as
// for transitions).
func (s *Service) notifyProgress(ctx context.Context, a *Appeal, note string) error {
	rcpt, err := s.enterpriseRecipients(ctx, a)
	if err != nil || len(rcpt) == 0 {
		return err
	}
	_, err = s.Notify.Send(ctx, notify.Message{Type: MsgProgress, To: rcpt, Channels: []string{notify.ChannelInApp, notify.ChannelSMS},
		ObjectType: "appeal", ObjectID: strconv.FormatInt(a.ID, 10), Link: appealLink(a.ID), Data: map[string]any{"number": a.Number, "title": a.Title, "note": note}})
	return err
}

// termClock is one of the terms' clocks the scan watches.
type termClock struct {
	name, dueCol, alertCol string
	states                 []State
}

var termClocks = []termClock{
	{ClockFeedback, "feedback_due", "fb_alert", []State{Submitted, Accepted, Assigned, InProgress, Reopened, Escalated}},
	{ClockResolve, "resolve_by", "rs_alert", []State{InProgress}},
}

// scanTerms sends the warnings and alerts of the terms' clocks due now,
// as scanClock does for the appeal's own: each once per appeal, clock,
// level and deadline. A clock that does not run in the appeal's state
// (waiting for the enterprise, answered) sends nothing.
func (s *Service) scanTerms(ctx context.Context, cal *calendar.Calendar, st Settings, now, cutoff time.Time, res *ScanResult) error {
	lad := ladder(st)
	for _, c := range termClocks {
		rows, err := s.DB.Q(ctx).Query(ctx, `SELECT t.appeal_id, t.`+c.dueCol+`, t.`+c.alertCol+`, a.state FROM appeal_terms t
			JOIN appeals a ON a.id = t.appeal_id WHERE t.`+c.dueCol+` <= $1 AND t.`+c.alertCol+` < 3`, cutoff)
		if err != nil {
			return err
		}
		var list []due
		for rows.Next() {
			var d due
			var state string
			if err := rows.Scan(&d.id, &d.due, &d.level, &state); err != nil {
				rows.Close()
				return err
			}
			d.state = State(state)
			list = append(list, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range list {
			res.Examined++
			if !contains(c.states, d.state) {
				continue
			}
			if _, err := lad.Escalate(cal, d.due, now, d.level, func(level int) error {
				sent, err := s.raiseTerm(ctx, c, d, level, now)
				if sent {
					res.Alerts[c.name+"/"+strconv.Itoa(level)]++
				}
				return err
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// raiseTerm records and sends one alert of a terms clock in one
// transaction, unless the appeal or its deadline changed meanwhile.
func (s *Service) raiseTerm(ctx context.Context, c termClock, d due, level int, now time.Time) (bool, error) {
	sent := false
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		a, err := s.load(ctx, d.id)
		if err != nil {
			return err
		}
		var cur *time.Time
		var lvl int
		if err := s.DB.W(ctx).QueryRow(ctx, `SELECT `+c.dueCol+`, `+c.alertCol+` FROM appeal_terms WHERE appeal_id = $1`, d.id).Scan(&cur, &lvl); err != nil {
			return err
		}
		if !contains(c.states, a.State) || !sameTime(cur, &d.due) || lvl >= level {
			return nil
		}
		n, err := s.DB.W(ctx).Exec(ctx, `INSERT INTO appeal_alerts (appeal_id, clock, level, due_at, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (appeal_id, clock, level, due_at) DO NOTHING`, d.id, c.name, level, d.due, now)
		if err != nil || n == 0 {
			return err
		}
		if _, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeal_terms SET `+c.alertCol+` = $1 WHERE appeal_id = $2`, level, d.id); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "appeal.alert", "appeal", strconv.FormatInt(d.id, 10), nil,
			map[string]any{"clock": c.name, "level": level, "due": d.due}, c.name+" level "+strconv.Itoa(level)); err != nil {
			return err
		}
		if err := s.event(ctx, d.id, "alert", a.State, a.State, alertNote(c.name, level), false, now); err != nil {
			return err
		}
		sent = true
		return s.notifyAlert(ctx, a, c.name, level, d.due)
	})
	return sent, err
}
