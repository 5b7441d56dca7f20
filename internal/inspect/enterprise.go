package inspect

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// AppealTopic is the appeal topic of a complaint about an inspection.
const AppealTopic = "执法检查"

// Rating is the enterprise's rating of a visit: one per task and entity,
// seen by the enterprise, the participating departments and supervisors.
type Rating struct {
	TaskID  int64     `json:"task_id"`
	Rating  int       `json:"rating" doc:"1-5"`
	Comment string    `json:"comment,omitempty"`
	RatedAt time.Time `json:"rated_at"`
}

// RatingInput rates a visit.
type RatingInput struct {
	Rating  int    `json:"rating" doc:"1-5"`
	Comment string `json:"comment,omitempty" doc:"at most 500 characters"`
}

// Complaint links a task to the appeal the enterprise filed about it.
type Complaint struct {
	ID           int64     `json:"id"`
	TaskID       int64     `json:"task_id"`
	AppealID     int64     `json:"appeal_id"`
	AppealNumber string    `json:"appeal_number"`
	FiledAt      time.Time `json:"filed_at"`
}

// ComplaintInput is the enterprise's complaint about a visit.
type ComplaintInput struct {
	Text    string `json:"text" doc:"what went wrong (at most 2000 characters)"`
	Contact string `json:"contact_pref,omitempty" enum:",inapp,phone,sms"`
}

// ownVisit loads a task for a user of the inspected entity (NotFound for
// everyone else, so ids cannot be probed).
func (s *Service) ownVisit(ctx context.Context, taskID int64) (*auth.Actor, *Task, *Plan, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, nil, nil, err
	}
	t, p, err := s.loadTask(ctx, taskID)
	if err != nil {
		return nil, nil, nil, err
	}
	if a.EntityID == 0 || a.EntityID != t.EntityID {
		return nil, nil, nil, yserr.ErrNotFound("检查任务", "inspection task")
	}
	return a, t, p, nil
}

// Rate stores (or replaces) the inspected enterprise's rating of a visit
// once the inspectors have entered; it is audited.
func (s *Service) Rate(ctx context.Context, taskID int64, in RatingInput) (*Rating, error) {
	var out *Rating
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		a, t, _, err := s.ownVisit(ctx, taskID)
		if err != nil {
			return err
		}
		if t.Status == TaskAssigned && len(t.Results) == 0 {
			return yserr.New(yserr.Conflict, "检查尚未开始，暂不能评价", "the check has not started; it cannot be rated yet")
		}
		var v yserr.Validation
		if in.Rating < 1 || in.Rating > 5 {
			v.Add("rating", "评价须为 1-5 星", "the rating must be 1-5")
		}
		in.Comment = strings.TrimSpace(in.Comment)
		if utf8.RuneCountInString(in.Comment) > 500 {
			v.Add("comment", "评价意见不超过 500 字", "the comment is at most 500 characters")
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := s.now()
		if err := s.saveRating(ctx, t, a.UserID, in, now); err != nil {
			return err
		}
		out = &Rating{TaskID: taskID, Rating: in.Rating, Comment: in.Comment, RatedAt: now}
		return s.Audit.Record(ctx, "inspect.task.rate", "inspect_task", idText(taskID), nil, map[string]any{"rating": in.Rating, "comment": in.Comment}, "")
	})
	return out, err
}

// saveRating stores or replaces the rating of the task by its entity.
func (s *Service) saveRating(ctx context.Context, t *Task, userID int64, in RatingInput, now time.Time) error {
	taskID := t.ID
	{
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_ratings SET rating = $1, comment = $2, rated_by = $3, rated_at = $4 WHERE task_id = $5 AND entity_id = $6",
			in.Rating, in.Comment, userID, now, taskID, t.EntityID)
		if err != nil {
			return err
		}
		if n == 0 {
			if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO inspect_ratings (task_id, entity_id, rating, comment, rated_by, rated_at) VALUES ($1,$2,$3,$4,$5,$6)",
				taskID, t.EntityID, in.Rating, in.Comment, userID, now); err != nil {
				return err
			}
		}
		_, err = s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_tasks SET rating = $1, version = version + 1 WHERE id = $2", in.Rating, taskID)
		return err
	}
}

// RatingOf returns a task's rating (nil when none) for a caller who may
// see the task.
func (s *Service) RatingOf(ctx context.Context, taskID int64) (*Rating, error) {
	if _, err := s.Task(ctx, taskID); err != nil {
		return nil, err
	}
	var r Rating
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT task_id, rating, comment, rated_at FROM inspect_ratings WHERE task_id = $1", taskID).
		Scan(&r.TaskID, &r.Rating, &r.Comment, &r.RatedAt)
	if err != nil {
		if db.IsNoRows(err) {
			return nil, nil
		}
		return nil, err
	}
	return &r, nil
}

// Complain files the inspected enterprise's complaint about a visit as an
// appeal of topic 执法检查 through the appeal module's Go API (the appeal's
// tables are the appeal module's; its clocks and routing apply). The
// appeal's description names the task, the plan, the departments and the
// date; the link is kept on the inspect side.
func (s *Service) Complain(ctx context.Context, taskID int64, in ComplaintInput) (*Complaint, error) {
	var ap *appeal.Service
	if s.Appeals != nil {
		ap = s.Appeals()
	}
	if ap == nil {
		return nil, yserr.New(yserr.Conflict, "诉求模块未启用，暂不能在线投诉", "the appeal module is off: complaints cannot be filed online")
	}
	in.Text = strings.TrimSpace(in.Text)
	if in.Text == "" || utf8.RuneCountInString(in.Text) > 2000 {
		return nil, yserr.Field("text", "请填写投诉内容（不超过 2000 字）", "write the complaint (at most 2000 characters)")
	}
	var out *Complaint
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		a, t, p, err := s.ownVisit(ctx, taskID)
		if err != nil {
			return err
		}
		names, err := s.Accounts.DepartmentRefs(ctx, p.Departments)
		if err != nil {
			return err
		}
		var depts []string
		for _, d := range p.Departments {
			depts = append(depts, names[d].Name)
		}
		date := t.EndedOn
		if t.ScannedAt != nil {
			date = t.ScannedAt.In(calendar.Shanghai).Format("2006-01-02")
		} else if date == "" {
			date = p.StartsOn
		}
		title := fmt.Sprintf("对检查任务 %d（%s）的投诉", t.ID, p.Code)
		desc := in.Text + fmt.Sprintf("\n\n检查任务 Task：%d\n抽查计划 Plan：%s %s\n检查部门 Departments：%s\n检查日期 Date：%s\n%s/inspect/tasks/%d",
			t.ID, p.Code, p.Title, strings.Join(depts, "、"), date, strings.TrimRight(s.BaseURL, "/"), t.ID)
		created, err := ap.Create(ctx, appeal.Input{USCC: t.USCC, Channel: "web", Kind: appeal.Complaint, Topic: AppealTopic, Title: title,
			Description: desc, ContactPref: in.Contact})
		if err != nil {
			return err
		}
		out = &Complaint{TaskID: taskID, AppealID: created.ID, AppealNumber: created.Number, FiledAt: s.now()}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO inspect_complaints (task_id, entity_id, appeal_id, appeal_number, filed_by, filed_at)
			VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`, taskID, t.EntityID, created.ID, created.Number, a.UserID, out.FiledAt).Scan(&out.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "inspect.task.complain", "inspect_task", idText(taskID), nil, map[string]any{"appeal_id": created.ID, "appeal_number": created.Number}, "")
	})
	return out, err
}

// Complaints lists a task's complaints for a caller who may see the task.
func (s *Service) Complaints(ctx context.Context, taskID int64) ([]Complaint, error) {
	if _, err := s.Task(ctx, taskID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id, task_id, appeal_id, appeal_number, filed_at FROM inspect_complaints WHERE task_id = $1 ORDER BY id", taskID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Complaint{}
	for rows.Next() {
		var c Complaint
		if err := rows.Scan(&c.ID, &c.TaskID, &c.AppealID, &c.AppealNumber, &c.FiledAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Proof review statuses of a result under rectification.
const (
	ProofSubmitted = "submitted" // 整改材料待审核
	ProofAccepted  = "accepted"  // 整改通过
	ProofReturned  = "returned"  // 整改材料退回
)

// ProofReview is the department's decision on rectification proof.
type ProofReview struct {
	Accept bool   `json:"accept"`
	Note   string `json:"note,omitempty" doc:"required when returning the proof"`
}

// ReviewProof accepts or returns the enterprise's rectification proof of a
// result: staff of the department whose item it is (or a platform admin).
// Accepted proof ends the rectification (a 首违不罚 finding then stays
// without penalty); returned proof is told to the enterprise, which
// submits again before the deadline.
func (s *Service) ReviewProof(ctx context.Context, taskID, resultID int64, in ProofReview) (*Task, error) {
	var out *Task
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		t, _, err := s.loadTask(ctx, taskID)
		if err != nil {
			return err
		}
		j := slices.IndexFunc(t.Results, func(r Result) bool { return r.ID == resultID })
		if j < 0 {
			return yserr.ErrNotFound("检查结果", "result")
		}
		r := t.Results[j]
		it := slices.IndexFunc(t.Items, func(i Item) bool { return i.ID == r.ItemID })
		if it < 0 {
			return yserr.ErrNotFound("检查结果", "result")
		}
		if _, err := staffOf(ctx, t.Items[it].DepartmentID, "检查结果", "result"); err != nil {
			return err
		}
		if r.Outcome != OutcomeRectify || r.ProofStatus != ProofSubmitted {
			return yserr.New(yserr.Conflict, "该事项没有待审核的整改材料", "this item has no rectification proof to review")
		}
		in.Note = strings.TrimSpace(in.Note)
		status := ProofAccepted
		if !in.Accept {
			status = ProofReturned
			if in.Note == "" {
				return yserr.Field("note", "退回整改材料须说明理由", "say why the proof is returned")
			}
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_results SET proof_status = $1, proof_note = $2 WHERE id = $3", status, in.Note, resultID); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "inspect.proof."+map[bool]string{true: "accept", false: "return"}[in.Accept], "inspect_task", idText(taskID),
			map[string]string{"proof_status": r.ProofStatus}, map[string]any{"result_id": resultID, "proof_status": status, "note": in.Note}, in.Note); err != nil {
			return err
		}
		if err := s.tellEntity(ctx, t, msgProof, map[string]any{"task": t.ID, "item": t.Items[it].Name, "status": proofLabel[status][0],
			"status_en": proofLabel[status][1], "note": in.Note, "deadline": r.RectifyBy}, "proof:"+idText(resultID)+":"+s.now().Format(time.RFC3339Nano)); err != nil {
			return err
		}
		out, _, err = s.loadTask(ctx, taskID)
		return err
	})
	return out, err
}

var proofLabel = map[string][2]string{ProofAccepted: {"已通过审核", "accepted"}, ProofReturned: {"被退回，请重新提交", "returned; please submit again"}}

// PenaltyForOverdue records the penalty decided on a 首违不罚 finding whose
// deadline passed without accepted rectification (marked overdue by the
// daily job): staff of the item's department; the penalty becomes a credit
// record through the credit module's API, as a case recorded on the
// phone does, and the result becomes a case.
func (s *Service) PenaltyForOverdue(ctx context.Context, taskID, resultID int64, in PenaltyInput) (*Task, error) {
	var out *Task
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		t, _, err := s.loadTask(ctx, taskID)
		if err != nil {
			return err
		}
		j := slices.IndexFunc(t.Results, func(r Result) bool { return r.ID == resultID })
		if j < 0 {
			return yserr.ErrNotFound("检查结果", "result")
		}
		r := t.Results[j]
		item := t.Items[slices.IndexFunc(t.Items, func(i Item) bool { return i.ID == r.ItemID })]
		if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff); err != nil {
			return err
		}
		if _, err := staffOf(ctx, item.DepartmentID, "检查结果", "result"); err != nil {
			return err
		}
		if !r.Overdue || r.CreditRecordID != 0 {
			return yserr.New(yserr.Conflict, "只有逾期未整改的首违不罚事项可以转为处罚", "only a first-offence finding overdue without rectification can become a penalty")
		}
		if strings.TrimSpace(in.DecisionNo) == "" {
			return yserr.Field("decision_no", "请填写处罚决定书文号", "enter the penalty decision number")
		}
		rec, err := s.createPenalty(ctx, t, item, in, r.Note)
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_results SET outcome = 'case', credit_record_id = $1 WHERE id = $2", rec, resultID); err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_tasks SET problem = TRUE, version = version + 1 WHERE id = $1", taskID); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "inspect.rectify.penalty", "inspect_task", idText(taskID), nil,
			map[string]any{"result_id": resultID, "credit_record_id": rec, "decision_no": in.DecisionNo}, ""); err != nil {
			return err
		}
		out, _, err = s.loadTask(ctx, taskID)
		return err
	})
	return out, err
}
