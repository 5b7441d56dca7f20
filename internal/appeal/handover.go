package appeal

// Hand-overs (issue 18 item 5):
//
//   - a clue of misconduct (违纪违法线索) found in an appeal is handed to the
//     discipline inspection office (纪检监察: the supervisors, and optionally
//     a receiving department). The record is secret: only the supervisors,
//     the receiving department and the person who handed it over read it,
//     and the appeal's timeline shows the hand-over to them only. The
//     enterprise learns that it was handed over only when the office allows
//     it (Disclose), which adds a public timeline entry and tells it.
//   - a joint meeting (联席会议) takes several appeals; its decisions become
//     tasks of an owner department with a deadline in working days of the
//     platform calendar counted from the meeting date, shown on the owner's
//     home page and closed with a result. Every linked appeal shows the
//     meeting and its decisions.
//
// Error contract as for appeals: an appeal or record the caller may not see
// is NotFound, a step the caller may not take Forbidden, bad input Invalid
// naming the field, a closed task closed again (or a stale version)
// Conflict.

import (
	"context"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Timeline entries of the hand-overs (outside the transition table).
const (
	actClueHandover Action = "clue_handover" // private: supervisors, the receiving office, the sender
	actClueDisclose Action = "clue_disclosed"
	actMeeting      Action = "joint_meeting"
	actMeetingTask  Action = "meeting_task_closed"
)

// Joint-meeting task statuses.
const (
	TaskOpen   = "open"
	TaskClosed = "closed"
)

var taskStatusLabels = map[string][2]string{TaskOpen: {"办理中", "open"}, TaskClosed: {"已办结", "closed"}}

// TaskStatusLabel names a task status in lang.
func TaskStatusLabel(st, lang string) string { return pick(taskStatusLabels[st], lang) }

// MaxTaskWD is the longest deadline a meeting decision may get.
const MaxTaskWD = 60

// Clue is a clue of misconduct handed over from an appeal.
type Clue struct {
	ID           int64      `json:"id"`
	AppealID     int64      `json:"appeal_id"`
	AppealNumber string     `json:"appeal_number"`
	AppealTitle  string     `json:"appeal_title"`
	OfficeDeptID int64      `json:"office_dept_id,omitempty" doc:"the receiving department; 0: the supervisors (纪检监察) only"`
	OfficeName   string     `json:"office_name,omitempty"`
	Summary      string     `json:"summary" doc:"what is handed over"`
	HandedBy     int64      `json:"handed_by,omitempty"`
	HandedByName string     `json:"handed_by_name"`
	HandedAt     time.Time  `json:"handed_at"`
	Disclosed    bool       `json:"disclosed" doc:"the office allowed the enterprise to be told"`
	DisclosedAt  *time.Time `json:"disclosed_at,omitempty"`
}

// ClueInput hands a clue over.
type ClueInput struct {
	OfficeDeptID int64  `json:"office_dept_id,omitempty" doc:"the receiving department (optional; the supervisors always receive it)"`
	Summary      string `json:"summary" doc:"the clue: who, what, the evidence"`
}

const clueCols = `c.id, c.appeal_id, a.number, a.title, COALESCE(c.office_dept_id, 0), c.summary, COALESCE(c.handed_by, 0), c.handed_by_name,
	c.handed_at, c.disclosed, c.disclosed_at`

func scanClues(rows db.Rows) ([]Clue, error) {
	defer rows.Close()
	var out []Clue
	for rows.Next() {
		var c Clue
		if err := rows.Scan(&c.ID, &c.AppealID, &c.AppealNumber, &c.AppealTitle, &c.OfficeDeptID, &c.Summary, &c.HandedBy, &c.HandedByName,
			&c.HandedAt, &c.Disclosed, &c.DisclosedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// readsClue reports whether actor may read clue c: the supervisors, staff
// of the receiving department and the person who handed it over.
func readsClue(actor *auth.Actor, r roles, c *Clue) bool {
	return r.supervisor || actor.Has(auth.DeptStaff, auth.DeptAdmin) && inScope(actor, c.OfficeDeptID) || c.HandedBy != 0 && c.HandedBy == actor.UserID
}

func (s *Service) clueNames(ctx context.Context, list []Clue) error {
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].OfficeDeptID
	}
	names, err := s.Accounts.DepartmentRefs(ctx, ids)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].OfficeName = names[list[i].OfficeDeptID].Name
	}
	return nil
}

// HandOverClue hands a clue of misconduct from appeal id to the discipline
// inspection office: staff who see the appeal (the office, supervisors,
// the departments handling it); enterprises may not.
func (s *Service) HandOverClue(ctx context.Context, id int64, in ClueInput) (*Clue, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := auth.From(ctx)
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	if !r.dispatcher && !r.supervisor && !actor.Has(auth.DeptStaff, auth.DeptAdmin) {
		return nil, errForbidden()
	}
	var v yserr.Validation
	in.Summary = strings.TrimSpace(in.Summary)
	textField(&v, "summary", in.Summary, MaxNote, "线索内容", "clue")
	if in.OfficeDeptID != 0 {
		if refs, err := s.Accounts.DepartmentRefs(ctx, []int64{in.OfficeDeptID}); err != nil {
			return nil, err
		} else if _, ok := refs[in.OfficeDeptID]; !ok {
			v.Add("office_dept_id", "接收部门不存在", "the receiving department does not exist")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	name := actor.Name
	if name == "" {
		name = actor.Username
	}
	now := s.now()
	var cid int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.W(ctx).QueryRow(ctx, `INSERT INTO appeal_clues (appeal_id, office_dept_id, summary, handed_by, handed_by_name, handed_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, a.ID, nullID(in.OfficeDeptID), in.Summary, nullID(actor.UserID), name, now).Scan(&cid); err != nil {
			return err
		}
		// The timeline entry carries no content: the record is the clue row.
		if err := s.event(ctx, a.ID, string(actClueHandover), a.State, a.State, "", false, now); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "appeal.clue.handover", "appeal_clue", strconv.FormatInt(cid, 10), nil,
			map[string]any{"appeal_id": a.ID, "office_dept_id": in.OfficeDeptID, "summary": in.Summary}, ""); err != nil {
			return err
		}
		return s.notifyClue(ctx, a, cid, in.OfficeDeptID)
	})
	if err != nil {
		return nil, err
	}
	return s.Clue(ctx, cid)
}

// Clue returns one clue the caller may read.
func (s *Service) Clue(ctx context.Context, id int64) (*Clue, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	list, err := s.cluesWhere(ctx, "c.id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || !readsClue(actor, r, &list[0]) {
		return nil, yserr.ErrNotFound("线索", "clue")
	}
	if err := s.clueNames(ctx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// Clues lists the clues handed over from appeal id that the caller may
// read (none for everyone else, including the enterprise).
func (s *Service) Clues(ctx context.Context, id int64) ([]Clue, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := auth.From(ctx)
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT `+clueCols+` FROM appeal_clues c JOIN appeals a ON a.id = c.appeal_id
		WHERE c.appeal_id = $1 ORDER BY c.id`, a.ID)
	if err != nil {
		return nil, err
	}
	all, err := scanClues(rows)
	if err != nil {
		return nil, err
	}
	var out []Clue
	for _, c := range all {
		if readsClue(actor, r, &c) {
			out = append(out, c)
		}
	}
	return out, s.clueNames(ctx, out)
}

// ClueInbox lists the clues the caller may read, newest first: all for
// supervisors; for department staff those their departments received or
// they handed over.
func (s *Service) ClueInbox(ctx context.Context) ([]Clue, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + clueCols + ` FROM appeal_clues c JOIN appeals a ON a.id = c.appeal_id`
	var args []any
	if !r.supervisor {
		args = append(args, actor.UserID)
		if actor.Has(auth.Enterprise) && !actor.Has(auth.DeptStaff, auth.DeptAdmin) {
			return nil, errForbidden()
		}
		where := `c.handed_by = $1`
		if actor.Has(auth.DeptStaff, auth.DeptAdmin) && len(actor.DeptScope) > 0 {
			where += ` OR c.office_dept_id IN (` + placeholders(2, len(actor.DeptScope)) + `)`
			for _, d := range actor.DeptScope {
				args = append(args, d)
			}
		}
		q += ` WHERE ` + where
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+` ORDER BY c.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	list, err := scanClues(rows)
	if err != nil {
		return nil, err
	}
	return list, s.clueNames(ctx, list)
}

// DiscloseClue lets the enterprise know that its appeal's clue was handed
// to the discipline inspection office: supervisors or the receiving
// department only; once.
func (s *Service) DiscloseClue(ctx context.Context, id int64) (*Clue, error) {
	c, err := s.Clue(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := auth.From(ctx)
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	if !r.supervisor && !(actor.Has(auth.DeptStaff, auth.DeptAdmin) && inScope(actor, c.OfficeDeptID)) {
		return nil, errForbidden()
	}
	if c.Disclosed {
		return nil, yserr.New(yserr.Conflict, "已告知企业，无需重复操作", "the enterprise was already told")
	}
	now := s.now()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeal_clues SET disclosed = TRUE, disclosed_at = $1, updated_at = $1 WHERE id = $2 AND disclosed = FALSE`, now, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.New(yserr.Conflict, "已告知企业，无需重复操作", "the enterprise was already told")
		}
		a, err := s.load(ctx, c.AppealID)
		if err != nil {
			return err
		}
		note := "本诉求反映的问题线索已移交纪检监察机关处理 / the clue in this appeal was handed to the discipline inspection office"
		if err := s.event(ctx, a.ID, string(actClueDisclose), a.State, a.State, note, true, now); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "appeal.clue.disclose", "appeal_clue", strconv.FormatInt(id, 10),
			map[string]any{"disclosed": false}, map[string]any{"disclosed": true}, ""); err != nil {
			return err
		}
		return s.notifyProgress(ctx, a, note)
	})
	if err != nil {
		return nil, err
	}
	return s.Clue(ctx, id)
}

// hideClueEvents drops the hand-over entries of appeal id's timeline that
// actor may not see (every clue of the appeal unreadable to it).
// cluesWhere loads the clues matching where (one condition on c, the clue,
// with one argument).
func (s *Service) cluesWhere(ctx context.Context, where string, arg any) ([]Clue, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT `+clueCols+` FROM appeal_clues c JOIN appeals a ON a.id = c.appeal_id WHERE `+where, arg)
	if err != nil {
		return nil, err
	}
	return scanClues(rows)
}

func (s *Service) hideClueEvents(ctx context.Context, actor *auth.Actor, r roles, id int64, list []Event) ([]Event, error) {
	has := false
	for _, e := range list {
		has = has || e.Action == string(actClueHandover)
	}
	if !has || r.supervisor {
		return list, nil
	}
	clues, err := s.cluesWhere(ctx, "c.appeal_id = $1", id)
	if err != nil {
		return nil, err
	}
	reads := false
	for _, c := range clues {
		reads = reads || readsClue(actor, r, &c)
	}
	if reads {
		return list, nil
	}
	out := list[:0]
	for _, e := range list {
		if e.Action != string(actClueHandover) {
			out = append(out, e)
		}
	}
	return out, nil
}

// placeholders returns "$from, $from+1, ..." for n parameters.
func placeholders(from, n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(ph, ", ")
}

// Meeting is a joint meeting (联席会议).
type Meeting struct {
	ID        int64          `json:"id"`
	Title     string         `json:"title"`
	HeldOn    string         `json:"held_on" doc:"YYYY-MM-DD"`
	Chair     string         `json:"chair"`
	Minutes   string         `json:"minutes,omitempty" doc:"not shown to enterprises"`
	CreatedAt time.Time      `json:"created_at"`
	Depts     []MeetingDept  `json:"depts" doc:"the attending departments"`
	Appeals   []LinkedAppeal `json:"appeals" doc:"the appeals the meeting took"`
	Tasks     []MeetingTask  `json:"tasks" doc:"the decisions, each a task of its owner department"`
}

// MeetingDept is an attending department.
type MeetingDept struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// MeetingTask is a meeting decision to carry out.
type MeetingTask struct {
	ID           int64      `json:"id"`
	MeetingID    int64      `json:"meeting_id"`
	MeetingTitle string     `json:"meeting_title"`
	Decision     string     `json:"decision"`
	DeptID       int64      `json:"dept_id" doc:"the owner department"`
	DeptName     string     `json:"dept_name"`
	DueWD        int        `json:"due_wd" doc:"working days from the meeting date"`
	Due          time.Time  `json:"due" doc:"end of the due_wd-th working day after the meeting date (platform calendar)"`
	Status       string     `json:"status" enum:"open,closed"`
	Result       string     `json:"result,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	Version      int        `json:"version"`
	Overdue      bool       `json:"overdue" doc:"open past its deadline, or closed late"`
}

// MeetingInput records a joint meeting.
type MeetingInput struct {
	Title     string          `json:"title"`
	HeldOn    string          `json:"held_on" doc:"YYYY-MM-DD"`
	Chair     string          `json:"chair"`
	Minutes   string          `json:"minutes"`
	DeptIDs   []int64         `json:"dept_ids" doc:"the attending departments"`
	Appeals   []string        `json:"appeals" doc:"numbers of the appeals the meeting took (YS-2026-000123)"`
	Decisions []DecisionInput `json:"decisions"`
}

// DecisionInput is one decision of a meeting.
type DecisionInput struct {
	Decision string `json:"decision"`
	DeptID   int64  `json:"dept_id" doc:"the owner department"`
	DueWD    int    `json:"due_wd" doc:"working days from the meeting date, 1-60"`
}

// TaskClose closes a meeting task.
type TaskClose struct {
	Result  string `json:"result"`
	Version int    `json:"version,omitempty" doc:"the version the caller saw; 0 skips the check"`
}

// CreateMeeting records a joint meeting (dispatchers only): links the
// appeals (a public timeline entry on each) and turns the decisions into
// tasks due the given working days after the meeting date.
func (s *Service) CreateMeeting(ctx context.Context, in MeetingInput) (*Meeting, error) {
	actor, r, err := s.officeOrDept(ctx)
	if err != nil {
		return nil, err
	}
	if !r.dispatcher {
		return nil, errForbidden()
	}
	var v yserr.Validation
	in.Title, in.Chair, in.Minutes = strings.TrimSpace(in.Title), strings.TrimSpace(in.Chair), strings.TrimSpace(in.Minutes)
	textField(&v, "title", in.Title, MaxTitle, "会议名称", "title")
	textField(&v, "chair", in.Chair, 50, "主持人", "chair")
	if len([]rune(in.Minutes)) > MaxDescription {
		v.Add("minutes", "会议纪要过长（最多"+itoa(MaxDescription)+"字）", "minutes too long (at most "+itoa(MaxDescription)+" characters)")
	}
	held, err := calendar.ParseDate(strings.TrimSpace(in.HeldOn))
	if err != nil {
		v.Add("held_on", "会议日期格式应为 YYYY-MM-DD", "the meeting date must be YYYY-MM-DD")
	} else if held.After(calendar.FromTime(s.now(), shanghai)) {
		v.Add("held_on", "会议日期不能晚于今天", "the meeting date cannot be in the future")
	}
	deptIDs := dedupe(in.DeptIDs)
	all := append([]int64{}, deptIDs...)
	for _, d := range in.Decisions {
		all = append(all, d.DeptID)
	}
	refs, err := s.Accounts.DepartmentRefs(ctx, all)
	if err != nil {
		return nil, err
	}
	if len(deptIDs) == 0 {
		v.Add("dept_ids", "请选择参会部门", "choose the attending departments")
	}
	for _, d := range deptIDs {
		if _, ok := refs[d]; !ok {
			v.Add("dept_ids", "参会部门不存在："+strconv.FormatInt(d, 10), "no such department: "+strconv.FormatInt(d, 10))
		}
	}
	var appeals []*Appeal
	seen := map[int64]bool{}
	for _, num := range in.Appeals {
		num = strings.TrimSpace(num)
		if num == "" {
			continue
		}
		a, err := s.GetByNumber(ctx, num)
		if yserr.Is(err, yserr.NotFound) {
			v.Add("appeals", "诉求编号不存在："+num, "no such appeal: "+num)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !seen[a.ID] {
			seen[a.ID] = true
			appeals = append(appeals, a)
		}
	}
	if len(appeals) == 0 && !v.Has("appeals") {
		v.Add("appeals", "请填写会议研究的诉求编号", "give the numbers of the appeals the meeting took")
	}
	for i, d := range in.Decisions {
		row := "decisions[" + itoa(i) + "]"
		zh := "第" + itoa(i+1) + "项决定："
		en := "decision " + itoa(i+1) + ": "
		in.Decisions[i].Decision = strings.TrimSpace(d.Decision)
		textField(&v, row+".decision", in.Decisions[i].Decision, MaxNote, zh+"内容", en+"text")
		if _, ok := refs[d.DeptID]; !ok {
			v.Add(row+".dept_id", zh+"请选择责任部门", en+"choose the owner department")
		}
		if d.DueWD < 1 || d.DueWD > MaxTaskWD {
			v.Add(row+".due_wd", zh+"办理时限须为 1-"+itoa(MaxTaskWD)+" 个工作日", en+"the deadline must be 1-"+itoa(MaxTaskWD)+" working days")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.W(ctx).QueryRow(ctx, `INSERT INTO appeal_meetings (title, held_on, chair, minutes, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, in.Title, held.String(), in.Chair, in.Minutes, nullID(actor.UserID), now).Scan(&id); err != nil {
			return err
		}
		for _, d := range deptIDs {
			if _, err := s.DB.W(ctx).Exec(ctx, `INSERT INTO appeal_meeting_depts (meeting_id, dept_id) VALUES ($1, $2)`, id, d); err != nil {
				return err
			}
		}
		note := "联席会议「" + in.Title + "」（" + held.String() + "）研究了本诉求 / taken by the joint meeting"
		for _, a := range appeals {
			if _, err := s.DB.W(ctx).Exec(ctx, `INSERT INTO appeal_meeting_appeals (meeting_id, appeal_id) VALUES ($1, $2)`, id, a.ID); err != nil {
				return err
			}
			if err := s.event(ctx, a.ID, string(actMeeting), a.State, a.State, note, true, now); err != nil {
				return err
			}
		}
		for _, d := range in.Decisions {
			due := endOfDay(cal.AddWorkdays(held, d.DueWD))
			t := taskRef{meetingID: id, deptID: d.DeptID, meeting: in.Title, decision: d.Decision, due: due}
			if err := s.DB.W(ctx).QueryRow(ctx, `INSERT INTO appeal_meeting_tasks (meeting_id, decision, dept_id, due_wd, due, status, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, id, d.Decision, d.DeptID, d.DueWD, due, TaskOpen, now).Scan(&t.id); err != nil {
				return err
			}
			if err := s.notifyTask(ctx, MsgMeetingTask, t); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "appeal.meeting.create", "appeal_meeting", strconv.FormatInt(id, 10), nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Meeting(ctx, id)
}

func dedupe(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id != 0 && !contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// meetingScope is the SQL condition (on meeting m) and its arguments,
// from parameter $from, that limit department staff to the meetings their
// departments attended or own a task of; "" for the office and supervisors.
func meetingScope(actor *auth.Actor, r roles, from int) (string, []any) {
	if r.dispatcher || r.supervisor {
		return "", nil
	}
	scope := actor.DeptScope
	if len(scope) == 0 {
		return "1 = 0", nil
	}
	ph := placeholders(from, len(scope))
	args := make([]any, len(scope))
	for i, d := range scope {
		args[i] = d
	}
	return `(EXISTS (SELECT 1 FROM appeal_meeting_depts md WHERE md.meeting_id = m.id AND md.dept_id IN (` + ph + `))
		OR EXISTS (SELECT 1 FROM appeal_meeting_tasks mt WHERE mt.meeting_id = m.id AND mt.dept_id IN (` + ph + `)))`, args
}

// Meetings lists the joint meetings the caller may see, newest first.
func (s *Service) Meetings(ctx context.Context) ([]Meeting, error) {
	actor, r, err := s.officeOrDept(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT m.id FROM appeal_meetings m`
	cond, args := meetingScope(actor, r, 1)
	if cond != "" {
		q += ` WHERE ` + cond
	}
	ids, err := s.ids(ctx, q+` ORDER BY m.held_on DESC, m.id DESC LIMIT 200`, args...)
	if err != nil {
		return nil, err
	}
	return s.meetings(ctx, ids, true)
}

func (s *Service) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Meeting returns one joint meeting the caller may see.
func (s *Service) Meeting(ctx context.Context, id int64) (*Meeting, error) {
	actor, r, err := s.officeOrDept(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := meetingScope(actor, r, 2)
	q := `SELECT m.id FROM appeal_meetings m WHERE m.id = $1`
	if cond != "" {
		q += ` AND ` + cond
	}
	ids, err := s.ids(ctx, q, append([]any{id}, args...)...)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, yserr.ErrNotFound("联席会议", "joint meeting")
	}
	list, err := s.meetings(ctx, ids, true)
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// meetings loads the meetings with the ids, in that order, with their
// departments, appeals and tasks.
func (s *Service) meetings(ctx context.Context, ids []int64, minutes bool) ([]Meeting, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := `(` + placeholders(1, len(ids)) + `)`
	byID := map[int64]*Meeting{}
	out := make([]Meeting, 0, len(ids))
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, title, held_on, chair, minutes, created_at FROM appeal_meetings WHERE id IN `+in, args...)
	if err != nil {
		return nil, err
	}
	found := map[int64]Meeting{}
	for rows.Next() {
		var m Meeting
		if err := rows.Scan(&m.ID, &m.Title, &m.HeldOn, &m.Chair, &m.Minutes, &m.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		if !minutes {
			m.Minutes = ""
		}
		found[m.ID] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if m, ok := found[id]; ok {
			out = append(out, m)
		}
	}
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	var deptIDs []int64
	rows, err = s.DB.Q(ctx).Query(ctx, `SELECT meeting_id, dept_id FROM appeal_meeting_depts WHERE meeting_id IN `+in+` ORDER BY dept_id`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var mid, d int64
		if err := rows.Scan(&mid, &d); err != nil {
			rows.Close()
			return nil, err
		}
		byID[mid].Depts = append(byID[mid].Depts, MeetingDept{ID: d})
		deptIDs = append(deptIDs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.DB.Q(ctx).Query(ctx, `SELECT ma.meeting_id, a.id, a.number, a.title, a.state FROM appeal_meeting_appeals ma
		JOIN appeals a ON a.id = ma.appeal_id WHERE ma.meeting_id IN `+in+` ORDER BY a.id`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var mid int64
		var l LinkedAppeal
		var st string
		if err := rows.Scan(&mid, &l.ID, &l.Number, &l.Title, &st); err != nil {
			rows.Close()
			return nil, err
		}
		l.State = State(st)
		byID[mid].Appeals = append(byID[mid].Appeals, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	tasks, err := s.tasks(ctx, `t.meeting_id IN `+in+` ORDER BY t.id`, args...)
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		byID[t.MeetingID].Tasks = append(byID[t.MeetingID].Tasks, t)
	}
	names, err := s.Accounts.DepartmentRefs(ctx, deptIDs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for j := range out[i].Depts {
			out[i].Depts[j].Name = names[out[i].Depts[j].ID].Name
		}
	}
	return out, nil
}

// tasks loads the meeting tasks matching where (on t, with m the meeting).
func (s *Service) tasks(ctx context.Context, where string, args ...any) ([]MeetingTask, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT t.id, t.meeting_id, m.title, t.decision, t.dept_id, t.due_wd, t.due, t.status, t.result, t.closed_at, t.version
		FROM appeal_meeting_tasks t JOIN appeal_meetings m ON m.id = t.meeting_id WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []MeetingTask
	for rows.Next() {
		var t MeetingTask
		if err := rows.Scan(&t.ID, &t.MeetingID, &t.MeetingTitle, &t.Decision, &t.DeptID, &t.DueWD, &t.Due, &t.Status, &t.Result, &t.ClosedAt, &t.Version); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]int64, len(out))
	for i := range out {
		ids[i] = out[i].DeptID
	}
	names, err := s.Accounts.DepartmentRefs(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range out {
		t := &out[i]
		t.DeptName = names[t.DeptID].Name
		if t.ClosedAt != nil {
			t.Overdue = t.ClosedAt.After(t.Due)
		} else {
			t.Overdue = now.After(t.Due)
		}
	}
	return out, nil
}

// MyTasks lists the open meeting tasks of the caller's departments,
// earliest deadline first (the home page's to-do card).
func (s *Service) MyTasks(ctx context.Context) ([]MeetingTask, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if !actor.Has(auth.DeptStaff, auth.DeptAdmin) || len(actor.DeptScope) == 0 {
		return nil, nil
	}
	args := []any{TaskOpen}
	for _, d := range actor.DeptScope {
		args = append(args, d)
	}
	return s.tasks(ctx, `t.status = $1 AND t.dept_id IN (`+placeholders(2, len(actor.DeptScope))+`) ORDER BY t.due, t.id LIMIT 50`, args...)
}

// CloseTask closes a meeting task with its result: staff of the owner
// department or dispatchers. The linked appeals' timelines record it.
func (s *Service) CloseTask(ctx context.Context, id int64, in TaskClose) (*MeetingTask, error) {
	actor, r, err := s.officeOrDept(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.tasks(ctx, `t.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, yserr.ErrNotFound("会议决定事项", "meeting task")
	}
	t := list[0]
	if !r.dispatcher && !inScope(actor, t.DeptID) {
		if _, err := s.Meeting(ctx, t.MeetingID); err != nil {
			return nil, err
		}
		return nil, errForbidden()
	}
	in.Result = strings.TrimSpace(in.Result)
	var v yserr.Validation
	textField(&v, "result", in.Result, MaxNote, "办理结果", "result")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if t.Status != TaskOpen {
		return nil, yserr.New(yserr.Conflict, "该决定事项已办结", "the task is already closed")
	}
	if in.Version != 0 && in.Version != t.Version {
		return nil, yserr.New(yserr.Conflict, "决定事项已被他人更新，请刷新后重试", "the task changed meanwhile: reload and try again")
	}
	now := s.now()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeal_meeting_tasks SET status = $1, result = $2, closed_by = $3, closed_at = $4, version = version + 1
			WHERE id = $5 AND version = $6 AND status = $7`, TaskClosed, in.Result, nullID(actor.UserID), now, id, t.Version, TaskOpen)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.New(yserr.Conflict, "决定事项已被他人更新，请刷新后重试", "the task changed meanwhile: reload and try again")
		}
		appealIDs, err := s.ids(ctx, `SELECT appeal_id FROM appeal_meeting_appeals WHERE meeting_id = $1 ORDER BY appeal_id`, t.MeetingID)
		if err != nil {
			return err
		}
		note := "联席会议决定事项「" + t.Decision + "」已办结（" + t.DeptName + "）：" + in.Result
		for _, aid := range appealIDs {
			a, err := s.load(ctx, aid)
			if err != nil {
				return err
			}
			if err := s.event(ctx, aid, string(actMeetingTask), a.State, a.State, note, false, now); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "appeal.meeting_task.close", "appeal_meeting_task", strconv.FormatInt(id, 10),
			map[string]any{"status": TaskOpen, "version": t.Version}, map[string]any{"status": TaskClosed, "version": t.Version + 1, "result": in.Result}, "")
	})
	if err != nil {
		return nil, err
	}
	list, err = s.tasks(ctx, `t.id = $1`, id)
	if err != nil {
		return nil, err
	}
	return &list[0], nil
}

// MeetingsOf lists the joint meetings that took appeal a (which the caller
// may see: Get) with their decisions; the minutes only for staff.
func (s *Service) MeetingsOf(ctx context.Context, a *Appeal) ([]Meeting, error) {
	actor := auth.From(ctx)
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, err
	}
	ids, err := s.ids(ctx, `SELECT m.id FROM appeal_meetings m JOIN appeal_meeting_appeals ma ON ma.meeting_id = m.id
		WHERE ma.appeal_id = $1 ORDER BY m.held_on, m.id`, a.ID)
	if err != nil {
		return nil, err
	}
	staff := r.dispatcher || r.supervisor || r.intake || actor.Has(auth.DeptStaff, auth.DeptAdmin)
	return s.meetings(ctx, ids, staff)
}
