package appeal

// Common issues (共性问题, Luohe's 诉求 → 整改 → 提升): an issue many
// enterprises meet because a rule or a process is at fault. The office
// opens one, links appeals to it (the classify step), the responsible
// department gives a fix plan, which starts a fix clock of CommonFixDays
// (30) calendar days, then reports it fixed, which tells every linked
// appeal's enterprise, and finally records the improvement (the rule or
// process changed for everyone).
//
// Error contract as for appeals: enterprises and callers outside the
// office and departments get Forbidden; a step from the wrong stage or on
// a stale version is Conflict; bad input is Invalid naming the field.

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

// Common-issue stages.
const (
	StageAppeal   = "appeal"   // 诉求: appeals are being collected
	StageFixing   = "fixing"   // 整改: a fix plan runs against its clock
	StageFixed    = "fixed"    // 已整改: the linked enterprises were told
	StageImproved = "improved" // 提升: the rule or process changed
)

// CommonStages lists the stages in order.
var CommonStages = []string{StageAppeal, StageFixing, StageFixed, StageImproved}

var stageLabels = map[string][2]string{StageAppeal: {"诉求汇集", "collecting appeals"}, StageFixing: {"整改中", "being fixed"},
	StageFixed: {"已整改", "fixed"}, StageImproved: {"已提升", "improved"}}

// StageLabel names a common-issue stage in lang.
func StageLabel(st, lang string) string { return pick(stageLabels[st], lang) }

// Common-issue steps.
const (
	StepPlan     = "plan"     // give the fix plan: the fix clock starts
	StepFixed    = "fixed"    // report the fix: the linked enterprises are told
	StepImproved = "improved" // record the improvement
)

var stepLabels = map[string][2]string{StepPlan: {"制定整改方案", "give the fix plan"}, StepFixed: {"整改完成", "report it fixed"},
	StepImproved: {"记录提升成效", "record the improvement"}}

// StepLabel names a common-issue step in lang.
func StepLabel(st, lang string) string { return pick(stepLabels[st], lang) }

// stepFrom is the stage each step starts from and the stage it leads to.
var stepFrom = map[string][2]string{StepPlan: {StageAppeal, StageFixing}, StepFixed: {StageFixing, StageFixed}, StepImproved: {StageFixed, StageImproved}}

// CommonIssue is a common issue with its fix.
type CommonIssue struct {
	ID           int64          `json:"id"`
	Title        string         `json:"title"`
	Cause        string         `json:"cause" doc:"the rule or process at fault"`
	Topic        string         `json:"topic"`
	DeptID       int64          `json:"dept_id,omitempty" doc:"the department responsible for the fix"`
	DeptName     string         `json:"dept_name,omitempty"`
	Stage        string         `json:"stage" enum:"appeal,fixing,fixed,improved"`
	Version      int            `json:"version"`
	FixPlan      string         `json:"fix_plan,omitempty"`
	FixStartedAt *time.Time     `json:"fix_started_at,omitempty"`
	FixDue       *time.Time     `json:"fix_due,omitempty" doc:"end of the CommonFixDays-th calendar day after the plan"`
	FixedAt      *time.Time     `json:"fixed_at,omitempty"`
	FixNote      string         `json:"fix_note,omitempty"`
	Improvement  string         `json:"improvement,omitempty"`
	ImprovedAt   *time.Time     `json:"improved_at,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	Appeals      int            `json:"appeals" doc:"linked appeals"`
	Overdue      bool           `json:"overdue" doc:"being fixed and past its fix deadline, or fixed late"`
	Linked       []LinkedAppeal `json:"linked,omitempty"`
}

// LinkedAppeal is an appeal linked to a common issue.
type LinkedAppeal struct {
	ID     int64  `json:"id"`
	Number string `json:"number"`
	Title  string `json:"title"`
	State  State  `json:"state"`
}

// CommonIssueInput opens a common issue.
type CommonIssueInput struct {
	Title  string `json:"title"`
	Cause  string `json:"cause" doc:"the rule or process at fault"`
	Topic  string `json:"topic"`
	DeptID int64  `json:"dept_id" doc:"the department responsible for the fix"`
}

// CommonIssueStep is one step of a common issue.
type CommonIssueStep struct {
	Step    string `json:"step" enum:"plan,fixed,improved"`
	Note    string `json:"note" doc:"the fix plan, the fix or the improvement"`
	Version int    `json:"version,omitempty" doc:"the version the caller saw; 0 skips the check"`
}

const commonCols = `id, title, cause, topic, COALESCE(dept_id, 0), stage, version, fix_plan, fix_started_at, fix_due, fixed_at, fix_note,
	improvement, improved_at, created_at`

func scanCommon(r db.Row) (*CommonIssue, error) {
	var c CommonIssue
	err := r.Scan(&c.ID, &c.Title, &c.Cause, &c.Topic, &c.DeptID, &c.Stage, &c.Version, &c.FixPlan, &c.FixStartedAt, &c.FixDue,
		&c.FixedAt, &c.FixNote, &c.Improvement, &c.ImprovedAt, &c.CreatedAt)
	return &c, err
}

func (s *Service) loadCommonIssue(ctx context.Context, id int64) (*CommonIssue, error) {
	c, err := scanCommon(s.DB.W(ctx).QueryRow(ctx, `SELECT `+commonCols+` FROM appeal_common_issues WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("共性问题", "common issue")
	}
	return c, err
}

// officeOrDept lets in dispatchers, supervisors and department staff: the
// people who work on common issues (none of it is personal data).
func (s *Service) officeOrDept(ctx context.Context) (*auth.Actor, roles, error) {
	actor, err := auth.Require(ctx)
	if err != nil {
		return nil, roles{}, err
	}
	r, err := s.roleSet(ctx, actor)
	if err != nil {
		return nil, r, err
	}
	if !r.dispatcher && !r.supervisor && !actor.Has(auth.DeptStaff, auth.DeptAdmin) {
		return nil, r, errForbidden()
	}
	return actor, r, nil
}

// CreateCommonIssue opens a common issue (dispatchers only).
func (s *Service) CreateCommonIssue(ctx context.Context, in CommonIssueInput) (*CommonIssue, error) {
	_, r, err := s.officeOrDept(ctx)
	if err != nil {
		return nil, err
	}
	if !r.dispatcher {
		return nil, errForbidden()
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	var v yserr.Validation
	in.Title, in.Cause = strings.TrimSpace(in.Title), strings.TrimSpace(in.Cause)
	textField(&v, "title", in.Title, MaxTitle, "共性问题名称", "title")
	textField(&v, "cause", in.Cause, MaxNote, "问题成因（哪项规定或流程）", "cause")
	if !contains(st.Topics, in.Topic) {
		v.Add("topic", "请选择诉求领域", "choose a topic")
	}
	if in.DeptID == 0 {
		v.Add("dept_id", "请选择负责整改的部门", "choose the department responsible for the fix")
	} else if refs, err := s.Accounts.DepartmentRefs(ctx, []int64{in.DeptID}); err != nil {
		return nil, err
	} else if _, ok := refs[in.DeptID]; !ok {
		v.Add("dept_id", "负责整改的部门不存在", "the department does not exist")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.W(ctx).QueryRow(ctx, `INSERT INTO appeal_common_issues (title, cause, topic, dept_id, stage, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, in.Title, in.Cause, in.Topic, in.DeptID, StageAppeal, nullID(auth.From(ctx).UserID), now).Scan(&id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "appeal.common_issue.create", "appeal_common_issue", strconv.FormatInt(id, 10), nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.CommonIssue(ctx, id)
}

// CommonIssues lists the common issues, newest first, with their linked
// appeal counts.
func (s *Service) CommonIssues(ctx context.Context) ([]CommonIssue, error) {
	if _, _, err := s.officeOrDept(ctx); err != nil {
		return nil, err
	}
	return s.listCommon(ctx, "1=1 ORDER BY c.id DESC LIMIT 500")
}

// listCommon reads the common issues matching tail (a WHERE condition with
// its ORDER BY and LIMIT, over alias c) with their linked appeal counts,
// department names and overdue flags.
func (s *Service) listCommon(ctx context.Context, tail string, args ...any) ([]CommonIssue, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT `+commonCols+`, (SELECT COUNT(*) FROM appeal_terms t WHERE t.common_issue_id = c.id)
		FROM appeal_common_issues c WHERE `+tail, args...)
	if err != nil {
		return nil, err
	}
	var out []CommonIssue
	for rows.Next() {
		var c CommonIssue
		if err := rows.Scan(&c.ID, &c.Title, &c.Cause, &c.Topic, &c.DeptID, &c.Stage, &c.Version, &c.FixPlan, &c.FixStartedAt, &c.FixDue,
			&c.FixedAt, &c.FixNote, &c.Improvement, &c.ImprovedAt, &c.CreatedAt, &c.Appeals); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.commonNames(ctx, out)
}

func (s *Service) commonNames(ctx context.Context, list []CommonIssue) error {
	ids := make([]int64, len(list))
	for i := range list {
		ids[i] = list[i].DeptID
	}
	names, err := s.Accounts.DepartmentRefs(ctx, ids)
	if err != nil {
		return err
	}
	now := s.now()
	for i := range list {
		c := &list[i]
		c.DeptName = names[c.DeptID].Name
		switch {
		case c.FixDue == nil:
		case c.FixedAt != nil:
			c.Overdue = c.FixedAt.After(*c.FixDue)
		default:
			c.Overdue = now.After(*c.FixDue)
		}
	}
	return nil
}

// CommonIssue returns one common issue with its linked appeals.
func (s *Service) CommonIssue(ctx context.Context, id int64) (*CommonIssue, error) {
	if _, _, err := s.officeOrDept(ctx); err != nil {
		return nil, err
	}
	c, err := s.loadCommonIssue(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT a.id, a.number, a.title, a.state FROM appeal_terms t JOIN appeals a ON a.id = t.appeal_id
		WHERE t.common_issue_id = $1 ORDER BY a.id`, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var l LinkedAppeal
		var st string
		if err := rows.Scan(&l.ID, &l.Number, &l.Title, &st); err != nil {
			rows.Close()
			return nil, err
		}
		l.State = State(st)
		c.Linked = append(c.Linked, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.Appeals = len(c.Linked)
	list := []CommonIssue{*c}
	if err := s.commonNames(ctx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// StepCommonIssue takes one step of a common issue: dispatchers, or staff
// of the department responsible for the fix. Reporting it fixed adds a
// public timeline entry to every linked appeal and tells its enterprise.
func (s *Service) StepCommonIssue(ctx context.Context, id int64, in CommonIssueStep) (*CommonIssue, error) {
	actor, r, err := s.officeOrDept(ctx)
	if err != nil {
		return nil, err
	}
	ft, ok := stepFrom[in.Step]
	if !ok {
		return nil, yserr.Field("step", "未知步骤："+in.Step, "unknown step: "+in.Step)
	}
	in.Note = strings.TrimSpace(in.Note)
	var v yserr.Validation
	textField(&v, "note", in.Note, MaxNote, StepLabel(in.Step, "zh")+"内容", StepLabel(in.Step, "en")+" text")
	if err := v.Err(); err != nil {
		return nil, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.loadCommonIssue(ctx, id)
		if err != nil {
			return err
		}
		if !r.dispatcher && !inScope(actor, c.DeptID) {
			return errForbidden()
		}
		if c.Stage != ft[0] {
			return yserr.New(yserr.Conflict, "共性问题当前为「"+StageLabel(c.Stage, "zh")+"」，不能"+StepLabel(in.Step, "zh"),
				"the common issue is "+StageLabel(c.Stage, "en")+": cannot "+StepLabel(in.Step, "en"))
		}
		if in.Version != 0 && in.Version != c.Version {
			return yserr.New(yserr.Conflict, "共性问题已被他人更新，请刷新后重试", "the common issue changed meanwhile: reload and try again")
		}
		before := *c
		now := s.now()
		c.Stage = ft[1]
		switch in.Step {
		case StepPlan:
			due := endOfDay(calendar.FromTime(now, shanghai).AddDays(st.CommonFixDays))
			c.FixPlan, c.FixStartedAt, c.FixDue = in.Note, &now, &due
		case StepFixed:
			c.FixNote, c.FixedAt = in.Note, &now
		case StepImproved:
			c.Improvement, c.ImprovedAt = in.Note, &now
		}
		n, err := s.DB.W(ctx).Exec(ctx, `UPDATE appeal_common_issues SET stage = $1, version = version + 1, fix_plan = $2, fix_started_at = $3,
			fix_due = $4, fixed_at = $5, fix_note = $6, improvement = $7, improved_at = $8, updated_at = $9 WHERE id = $10 AND version = $11`,
			c.Stage, c.FixPlan, c.FixStartedAt, c.FixDue, c.FixedAt, c.FixNote, c.Improvement, c.ImprovedAt, now, id, before.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.New(yserr.Conflict, "共性问题已被他人更新，请刷新后重试", "the common issue changed meanwhile: reload and try again")
		}
		if err := s.Audit.Record(ctx, "appeal.common_issue."+in.Step, "appeal_common_issue", strconv.FormatInt(id, 10),
			map[string]any{"stage": before.Stage, "version": before.Version}, map[string]any{"stage": c.Stage, "version": before.Version + 1, "fix_due": c.FixDue}, in.Note); err != nil {
			return err
		}
		if in.Step == StepFixed {
			return s.tellLinked(ctx, c, now)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.CommonIssue(ctx, id)
}

// tellLinked adds the fix to the timeline of every linked appeal and tells
// its enterprise.
func (s *Service) tellLinked(ctx context.Context, c *CommonIssue, now time.Time) error {
	rows, err := s.DB.W(ctx).Query(ctx, `SELECT appeal_id FROM appeal_terms WHERE common_issue_id = $1 ORDER BY appeal_id`, c.ID)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	note := "共性问题「" + c.Title + "」已整改 / common issue fixed: " + c.FixNote
	for _, id := range ids {
		a, err := s.load(ctx, id)
		if err != nil {
			return err
		}
		if err := s.event(ctx, id, string(actCommonFixed), a.State, a.State, note, true, now); err != nil {
			return err
		}
		if err := s.notifyProgress(ctx, a, note); err != nil {
			return err
		}
	}
	return nil
}
