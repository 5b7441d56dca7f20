package inspect

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/filestore"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// Task statuses.
const (
	TaskAssigned = "assigned" // 待检查
	TaskEntered  = "entered"  // 已扫码入企
	TaskClosed   = "closed"   // 已办结
)

// Task is one enterprise's check under a plan (one visit for every
// participating department).
type Task struct {
	ID           int64        `json:"id"`
	PlanID       int64        `json:"plan_id"`
	PlanCode     string       `json:"plan_code"`
	PlanTitle    string       `json:"plan_title"`
	Departments  []int64      `json:"departments"`
	EntityID     int64        `json:"entity_id"`
	EntityName   string       `json:"entity_name"`
	USCC         string       `json:"uscc"`
	Class        string       `json:"class" enum:"A,B,C,D"`
	Routine      bool         `json:"routine"`
	Status       string       `json:"status" enum:"assigned,entered,closed"`
	ScannedAt    *time.Time   `json:"scanned_at,omitempty"`
	Unscanned    bool         `json:"unscanned" doc:"a result was recorded before any scan (flagged to supervisors)"`
	EndedOn      string       `json:"ended_on,omitempty"`
	PublishBy    string       `json:"publish_by,omitempty" doc:"publicity deadline: ended_on + N working days"`
	Problem      bool         `json:"problem"`
	ConfirmedAt  *time.Time   `json:"confirmed_at,omitempty"`
	Confirmation string       `json:"confirmation,omitempty"`
	Rating       int          `json:"rating,omitempty"`
	Inspectors   []TeamMember `json:"inspectors"`
	Items        []Item       `json:"items"`
	Results      []Result     `json:"results"`
	Scans        []Scan       `json:"scans"`
	Files        []TaskFile   `json:"files"`
	Version      int          `json:"version"`
}

// TeamMember is an inspector on a task.
type TeamMember struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	CertNo string `json:"cert_no"`
	Seq    int    `json:"seq"`
}

// Scan is a scan of the enterprise's code before entry.
type Scan struct {
	InspectorID int64     `json:"inspector_id"`
	At          time.Time `json:"at"`
	Latitude    string    `json:"latitude,omitempty"`
	Longitude   string    `json:"longitude,omitempty"`
}

// Result is the result of one check item.
type Result struct {
	ID             int64      `json:"id"`
	ItemID         int64      `json:"item_id"`
	Outcome        string     `json:"outcome" enum:"ok,problem,rectify,case"`
	Note           string     `json:"note,omitempty"`
	RectifyBy      string     `json:"rectify_by,omitempty"`
	RectifiedAt    *time.Time `json:"rectified_at,omitempty"`
	ProofFileID    int64      `json:"proof_file_id,omitempty"`
	FirstOffence   bool       `json:"first_offence" doc:"首违不罚: no penalty if corrected by rectify_by"`
	CreditRecordID int64      `json:"credit_record_id,omitempty"`
	WithoutScan    bool       `json:"without_scan"`
	ProofStatus    string     `json:"proof_status,omitempty" enum:",submitted,accepted,returned" doc:"the department's review of the rectification proof"`
	ProofNote      string     `json:"proof_note,omitempty" doc:"why the proof was returned"`
	Overdue        bool       `json:"overdue" doc:"a 首违不罚 deadline passed without accepted rectification: the department is told to open a case"`
	RecordedAt     time.Time  `json:"recorded_at"`
}

// TaskFile is a photo or document of a task (file store).
type TaskFile struct {
	ID     int64  `json:"id"`
	FileID int64  `json:"file_id"`
	Kind   string `json:"kind" enum:"photo,document,proof"`
	Name   string `json:"name"`
}

const taskCols = `id, plan_id, entity_id, uscc, class, routine, status, scanned_at, unscanned, ended_on, publish_by, problem, confirmed_at, confirmation, rating, version`

func scanTask(r db.Row) (*Task, error) {
	var t Task
	err := r.Scan(&t.ID, &t.PlanID, &t.EntityID, &t.USCC, &t.Class, &t.Routine, &t.Status, &t.ScannedAt, &t.Unscanned, &t.EndedOn, &t.PublishBy,
		&t.Problem, &t.ConfirmedAt, &t.Confirmation, &t.Rating, &t.Version)
	return &t, err
}

// loadTask reads a task with its plan facts (no access check).
func (s *Service) loadTask(ctx context.Context, id int64) (*Task, *Plan, error) {
	t, err := scanTask(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+taskCols+" FROM inspect_tasks WHERE id = $1", id))
	if db.IsNoRows(err) {
		return nil, nil, yserr.ErrNotFound("检查任务", "inspection task")
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := s.loadPlan(ctx, t.PlanID)
	if err != nil {
		return nil, nil, err
	}
	t.PlanCode, t.PlanTitle, t.Departments = p.Code, p.Title, p.Departments
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT i.id, i.name, i.cert_no, ti.seq FROM inspect_task_inspectors ti
		JOIN inspect_inspectors i ON i.id = ti.inspector_id WHERE ti.task_id = $1 ORDER BY ti.seq`, id)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var m TeamMember
		if err := rows.Scan(&m.ID, &m.Name, &m.CertNo, &m.Seq); err != nil {
			rows.Close()
			return nil, nil, err
		}
		t.Inspectors = append(t.Inspectors, m)
	}
	rows.Close()
	items, err := s.itemsByID(ctx, p.Items)
	if err != nil {
		return nil, nil, err
	}
	for _, iid := range p.Items {
		t.Items = append(t.Items, items[iid])
	}
	rows, err = s.DB.Q(ctx).Query(ctx, `SELECT id, item_id, outcome, note, rectify_by, rectified_at, COALESCE(proof_file_id, 0), first_offence,
		COALESCE(credit_record_id, 0), without_scan, recorded_at, proof_status, proof_note, overdue FROM inspect_results WHERE task_id = $1 ORDER BY item_id`, id)
	if err != nil {
		return nil, nil, err
	}
	t.Results = []Result{}
	for rows.Next() {
		var r Result
		if err := rows.Scan(&r.ID, &r.ItemID, &r.Outcome, &r.Note, &r.RectifyBy, &r.RectifiedAt, &r.ProofFileID, &r.FirstOffence,
			&r.CreditRecordID, &r.WithoutScan, &r.RecordedAt, &r.ProofStatus, &r.ProofNote, &r.Overdue); err != nil {
			rows.Close()
			return nil, nil, err
		}
		t.Results = append(t.Results, r)
	}
	rows.Close()
	rows, err = s.DB.Q(ctx).Query(ctx, "SELECT inspector_id, scanned_at, latitude, longitude FROM inspect_scans WHERE task_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, nil, err
	}
	t.Scans = []Scan{}
	for rows.Next() {
		var sc Scan
		if err := rows.Scan(&sc.InspectorID, &sc.At, &sc.Latitude, &sc.Longitude); err != nil {
			rows.Close()
			return nil, nil, err
		}
		t.Scans = append(t.Scans, sc)
	}
	rows.Close()
	rows, err = s.DB.Q(ctx).Query(ctx, "SELECT id, file_id, kind FROM inspect_files WHERE task_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, nil, err
	}
	t.Files = []TaskFile{}
	for rows.Next() {
		var f TaskFile
		if err := rows.Scan(&f.ID, &f.FileID, &f.Kind); err != nil {
			rows.Close()
			return nil, nil, err
		}
		t.Files = append(t.Files, f)
	}
	rows.Close()
	for i, f := range t.Files {
		if st, err := s.Files.Stat(ctx, "inspect", f.FileID); err == nil {
			t.Files[i].Name = st.Name
		}
	}
	if refs, err := s.Entities.Refs(ctx, []int64{t.EntityID}); err == nil {
		t.EntityName = refs[t.EntityID].Name
	}
	return t, p, nil
}

// onTeam reports whether the actor is an inspector on the task.
func onTeam(in *Inspector, t *Task) bool {
	return in != nil && slices.ContainsFunc(t.Inspectors, func(m TeamMember) bool { return m.ID == in.ID })
}

// Task returns a task the caller may see: its inspectors, staff of a
// participating department, platform admins and supervisors, and the
// enterprise itself (NotFound for everyone else).
func (s *Service) Task(ctx context.Context, id int64) (*Task, error) {
	t, p, err := s.loadTask(ctx, id)
	if err != nil {
		return nil, err
	}
	a := auth.From(ctx)
	if sees(a, p) || a != nil && a.Has(auth.Enterprise) && a.EntityID == t.EntityID {
		return t, nil
	}
	if in, _ := s.inspectorOf(ctx); onTeam(in, t) {
		return t, nil
	}
	return nil, yserr.ErrNotFound("检查任务", "inspection task")
}

// TaskFilter selects tasks.
type TaskFilter struct {
	PlanID int64
	Mine   bool // the signed-in inspector's open tasks
	Status string
	All    bool // every task (exports); otherwise the latest 200
}

// Tasks lists the tasks the caller may see (scoped in SQL): an inspector's
// own, a department's plans', an enterprise's own visits, everything for
// platform admins and supervisors.
func (s *Service) Tasks(ctx context.Context, f TaskFilter) ([]Task, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	args := s.DB.Dialect.Args()
	conds := []string{}
	switch {
	case f.Mine:
		in, err := s.inspectorOf(ctx)
		if err != nil {
			return []Task{}, nil
		}
		conds = append(conds, "id IN (SELECT task_id FROM inspect_task_inspectors WHERE inspector_id = "+args.Add(in.ID)+")")
	case a.Has(auth.Enterprise):
		conds = append(conds, "entity_id = "+args.Add(a.EntityID))
	case a.IsSystem() || a.Has(auth.PlatformAdmin, auth.Supervisor):
	case a.Has(auth.DeptAdmin, auth.DeptStaff) && len(a.DeptScope) > 0:
		conds = append(conds, "plan_id IN (SELECT plan_id FROM inspect_plan_departments WHERE department_id IN "+args.In(db.InValues(a.DeptScope)...)+")")
	default:
		return []Task{}, nil
	}
	if f.PlanID != 0 {
		conds = append(conds, "plan_id = "+args.Add(f.PlanID))
	}
	if f.Status != "" {
		conds = append(conds, "status = "+args.Add(f.Status))
	}
	where := "1=1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	limit := " LIMIT 200"
	if f.All {
		limit = ""
	}
	return s.tasksWhere(ctx, "SELECT id FROM inspect_tasks WHERE "+where+" ORDER BY id DESC"+limit, args.List()...)
}

// ScanInput is what the phone read from the enterprise's code.
type ScanInput struct {
	Code      string `json:"code" doc:"the QR code's content (BASE_URL/e/{uscc}) or the credit code"`
	Latitude  string `json:"latitude,omitempty"`
	Longitude string `json:"longitude,omitempty"`
}

// CodeUSCC extracts the credit code from a scanned 一企一码 (the URL of the
// entity's public page, BASE_URL/e/{uscc}) or a typed credit code.
func CodeUSCC(code string) string {
	code = strings.TrimSpace(code)
	if u, err := url.Parse(code); err == nil && u.Path != "" {
		if i := strings.LastIndex(u.Path, "/e/"); i >= 0 {
			code = strings.Trim(u.Path[i+3:], "/")
			if j := strings.Index(code, "/"); j >= 0 {
				code = code[:j]
			}
		}
	}
	return ident.NormalizeUSCC(code)
}

// quietRefusal refuses a routine task on a quiet day.
func (s *Service) quietRefusal(t *Task) error {
	if !t.Routine || !s.Settings.Quiet.IsQuiet(s.today()) {
		return nil
	}
	return yserr.Newf(yserr.Conflict, "今天是企业宁静日（每月 %s），日常检查不得入企；安全、环保、投诉举报和上级交办须另立例外计划",
		"today is a quiet day (each month: %s): routine checks cannot start; safety, environment, complaint or assigned checks need an exception plan", s.Settings.Quiet.Text)
}

// inspectorTask loads a task for one of its inspectors at work on it: a
// task of another team is not found, a closed one is refused with closed,
// and a quiet day refuses routine work.
func (s *Service) inspectorTask(ctx context.Context, taskID int64, closed error) (*Task, *Inspector, error) {
	t, _, err := s.loadTask(ctx, taskID)
	if err != nil {
		return nil, nil, err
	}
	me, err := s.inspectorOf(ctx)
	if err != nil || !onTeam(me, t) {
		return nil, nil, yserr.ErrNotFound("检查任务", "inspection task")
	}
	if t.Status == TaskClosed {
		return nil, nil, closed
	}
	if err := s.quietRefusal(t); err != nil {
		return nil, nil, err
	}
	return t, me, nil
}

// ScanEntry records the scan before entry by an inspector of the task. A
// code of another enterprise is refused (and audited).
func (s *Service) ScanEntry(ctx context.Context, taskID int64, in ScanInput) (*Task, error) {
	var out *Task
	var refused error
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		t, me, err := s.inspectorTask(ctx, taskID, yserr.New(yserr.Conflict, "任务已办结", "the task is closed"))
		if err != nil {
			return err
		}
		if got := CodeUSCC(in.Code); got != t.USCC {
			refused = yserr.Newf(yserr.Conflict, "扫描的企业码（%s）不是本任务的检查对象，已拒绝并记录", "the scanned code (%s) is not this task's enterprise; refused and recorded", got)
			return s.Audit.Record(ctx, "inspect.scan.refused", "inspect_task", idText(taskID), nil, map[string]any{"scanned": got, "inspector_id": me.ID}, "")
		}
		now := s.now()
		if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO inspect_scans (task_id, inspector_id, scanned_at, latitude, longitude) VALUES ($1,$2,$3,$4,$5)",
			taskID, me.ID, now, strings.TrimSpace(in.Latitude), strings.TrimSpace(in.Longitude)); err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE inspect_tasks SET status = CASE WHEN status = 'assigned' THEN 'entered' ELSE status END,
			scanned_at = COALESCE(scanned_at, $1), version = version + 1 WHERE id = $2`, now, taskID); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "inspect.scan", "inspect_task", idText(taskID), nil, map[string]any{"inspector_id": me.ID, "at": now,
			"latitude": in.Latitude, "longitude": in.Longitude}, ""); err != nil {
			return err
		}
		out, _, err = s.loadTask(ctx, taskID)
		return err
	})
	if err == nil && refused != nil {
		return nil, refused
	}
	return out, err
}

// ResultInput is one item's result.
type ResultInput struct {
	ItemID    int64  `json:"item_id"`
	Outcome   string `json:"outcome" enum:"ok,problem,rectify,case"`
	Note      string `json:"note,omitempty"`
	RectifyBy string `json:"rectify_by,omitempty" doc:"YYYY-MM-DD, for rectify (default: the 首违不罚 deadline for first-offence items)"`
	// Penalty, for outcome case: the decision that becomes a credit record.
	Penalty *PenaltyInput `json:"penalty,omitempty"`
}

// PenaltyInput is an administrative penalty decided on a finding.
type PenaltyInput struct {
	DecisionNo string  `json:"decision_no"`
	Type       string  `json:"type" enum:"warning,criticism,fine,confiscation,suspension,revocation,restriction"`
	Amount     float64 `json:"amount,omitempty"`
	Class      string  `json:"class" enum:"minor,general,serious"`
	Facts      string  `json:"facts,omitempty"`
}

// RecordResult records an item's result by an inspector of the task. A
// result before any scan is flagged. A first minor violation of an item on
// the 首违不罚 list is ordered to rectify within the deadline and recorded
// with no penalty; a penalty becomes a credit record (credit module).
func (s *Service) RecordResult(ctx context.Context, taskID int64, in ResultInput) (*Task, error) {
	var out *Task
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		t, me, err := s.inspectorTask(ctx, taskID, yserr.New(yserr.Conflict, "任务已办结，不能再记录结果", "the task is closed; no more results"))
		if err != nil {
			return err
		}
		i := slices.IndexFunc(t.Items, func(it Item) bool { return it.ID == in.ItemID })
		if i < 0 {
			return yserr.Field("item_id", "该事项不在本计划中", "this item is not in the plan")
		}
		item := t.Items[i]
		var v yserr.Validation
		if !slices.Contains(Outcomes, in.Outcome) {
			v.Add("outcome", "检查结果应为未发现问题、发现问题、责令限期整改或立案查处", "the outcome must be ok, problem, rectify or case")
		}
		first := false
		if in.Outcome == OutcomeRectify || in.Outcome == OutcomeCase && item.FirstOffence {
			prior, err := s.priorFindings(ctx, t.EntityID, item.ID, taskID)
			if err != nil {
				return err
			}
			first = item.FirstOffence && prior == 0
		}
		if first {
			// 首违不罚: rectify by the deadline, no penalty.
			in.Outcome, in.Penalty = OutcomeRectify, nil
			if in.RectifyBy == "" {
				in.RectifyBy = s.today().AddDays(s.Settings.FirstOffenceDays).String()
			}
		}
		if in.Outcome == OutcomeRectify {
			d, err := calendar.ParseDate(in.RectifyBy)
			if err != nil || !d.After(s.today()) {
				v.Add("rectify_by", "请填写今天之后的整改期限（YYYY-MM-DD）", "enter a rectification deadline after today (YYYY-MM-DD)")
			}
		} else {
			in.RectifyBy = ""
		}
		if in.Outcome == OutcomeCase && in.Penalty == nil {
			v.Add("penalty", "立案查处须填写处罚决定", "a case needs the penalty decision")
		}
		if err := v.Err(); err != nil {
			return err
		}
		var recID any
		if in.Penalty != nil && in.Outcome == OutcomeCase {
			rec, err := s.createPenalty(ctx, t, item, *in.Penalty, in.Note)
			if err != nil {
				return err
			}
			recID = rec
		}
		noScan := t.ScannedAt == nil
		now := s.now()
		n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE inspect_results SET outcome = $1, note = $2, rectify_by = $3, first_offence = $4,
			credit_record_id = COALESCE($5, credit_record_id), inspector_id = $6, without_scan = $7, recorded_at = $8 WHERE task_id = $9 AND item_id = $10`,
			in.Outcome, strings.TrimSpace(in.Note), in.RectifyBy, first, recID, me.ID, noScan, now, taskID, item.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO inspect_results (task_id, item_id, outcome, note, rectify_by, first_offence, credit_record_id,
				inspector_id, without_scan, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, taskID, item.ID, in.Outcome, strings.TrimSpace(in.Note),
				in.RectifyBy, first, recID, me.ID, noScan, now); err != nil {
				return err
			}
		}
		if noScan {
			if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_tasks SET unscanned = TRUE, version = version + 1 WHERE id = $1", taskID); err != nil {
				return err
			}
		}
		detail := ""
		if first {
			detail = "首违不罚 / first offence: no penalty if rectified by " + in.RectifyBy
		}
		if noScan {
			detail = strings.TrimSpace(detail + " 未扫码 / without scan")
		}
		if err := s.Audit.Record(ctx, "inspect.result", "inspect_task", idText(taskID), nil, map[string]any{"item_id": item.ID, "outcome": in.Outcome,
			"first_offence": first, "credit_record_id": recID, "without_scan": noScan}, detail); err != nil {
			return err
		}
		out, _, err = s.loadTask(ctx, taskID)
		if err != nil || in.Outcome != OutcomeRectify {
			return err
		}
		// The enterprise is told of the deadline (once per deadline).
		for _, r := range out.Results {
			if r.ItemID == item.ID {
				if ok, err := s.notice(ctx, "rectify_notice", idText(r.ID)+":"+r.RectifyBy); err != nil || !ok {
					return err
				}
				return s.tellEntity(ctx, out, msgRectify, s.resultData(out, r.ID), "")
			}
		}
		return nil
	})
	return out, err
}

// createPenalty records a penalty decided on an item's finding as a
// credit record of the item's department (credit module; it serves the
// repair notice, 两书同达) and returns its id.
func (s *Service) createPenalty(ctx context.Context, t *Task, item Item, p PenaltyInput, note string) (int64, error) {
	pen := credit.Penalty{Type: p.Type, Amount: p.Amount}
	rec, err := s.Credit.Create(ctx, credit.Input{EntityID: t.EntityID, DepartmentID: item.DepartmentID, Kind: credit.KindPenalty,
		Content: credit.Content{DecisionNo: p.DecisionNo, DecidedOn: s.today().String(), Title: item.Name, LegalBasis: item.LegalBasis,
			Facts: strings.TrimSpace(p.Facts + " " + note), Penalties: []credit.Penalty{pen}, Class: p.Class}})
	if err != nil {
		return 0, err
	}
	return rec.ID, nil
}

// priorFindings counts the entity's earlier findings on the item.
func (s *Service) priorFindings(ctx context.Context, entityID, itemID, taskID int64) (int, error) {
	var n int
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM inspect_results r JOIN inspect_tasks t ON t.id = r.task_id
		WHERE t.entity_id = $1 AND r.item_id = $2 AND r.task_id <> $3 AND r.outcome <> 'ok'`, entityID, itemID, taskID).Scan(&n)
	return n, err
}

// CloseTask ends a task once every item has a result; the publicity
// deadline is the end date plus the configured working days.
func (s *Service) CloseTask(ctx context.Context, taskID int64) (*Task, error) {
	var out *Task
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		t, _, err := s.loadTask(ctx, taskID)
		if err != nil {
			return err
		}
		me, err := s.inspectorOf(ctx)
		if err != nil || !onTeam(me, t) {
			return yserr.ErrNotFound("检查任务", "inspection task")
		}
		if t.Status == TaskClosed {
			return yserr.New(yserr.Conflict, "任务已办结", "the task is closed")
		}
		var missing []string
		var missingEN []string
		problem := false
		for _, it := range t.Items {
			j := slices.IndexFunc(t.Results, func(r Result) bool { return r.ItemID == it.ID })
			if j < 0 {
				missing = append(missing, it.Code+" "+it.Name)
				missingEN = append(missingEN, it.Code)
			} else if t.Results[j].Outcome != OutcomeOK {
				problem = true
			}
		}
		if len(missing) > 0 {
			return yserr.New(yserr.Conflict, fmt.Sprintf("还有 %d 个事项没有检查结果：%s", len(missing), strings.Join(missing, "；")),
				fmt.Sprintf("%d items have no result yet: %s", len(missing), strings.Join(missingEN, ", ")))
		}
		end := s.today()
		by, err := s.publishBy(ctx, end)
		if err != nil {
			return err
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE inspect_tasks SET status = 'closed', ended_on = $1, publish_by = $2, problem = $3, version = version + 1
			WHERE id = $4`, end.String(), by.String(), problem, taskID); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "inspect.task.close", "inspect_task", idText(taskID), map[string]string{"status": t.Status},
			map[string]any{"status": TaskClosed, "ended_on": end.String(), "publish_by": by.String(), "problem": problem}, ""); err != nil {
			return err
		}
		// The task's result is an input of the entity's credit grade
		// (issue 18 item 9), in this transaction.
		value, reason := InspectionValue(t)
		if _, err := s.Credit.RecordModuleInput(ctx, credit.GradeInput{EntityID: t.EntityID, Indicator: credit.IndicatorInspection, Value: value,
			Source: "inspect", Reason: reason}); err != nil {
			return err
		}
		out, _, err = s.loadTask(ctx, taskID)
		return err
	})
	return out, err
}

// publishBy is the publicity deadline: end plus PublishDays working days
// of the platform calendar.
func (s *Service) publishBy(ctx context.Context, end calendar.Date) (calendar.Date, error) {
	cal, err := s.Calendar.Calendar(ctx)
	if err != nil {
		return calendar.Date{}, err
	}
	return cal.AddWorkdays(end, s.Settings.PublishDays), nil
}

// ConfirmInput is the enterprise's confirmation: online by the enterprise
// user, or signed on the inspector's phone (the signer's name).
type ConfirmInput struct {
	Text   string `json:"text" doc:"the enterprise's statement (确认意见)"`
	Signer string `json:"signer,omitempty" doc:"name of the person who signed on the inspector's phone"`
	Rating int    `json:"rating,omitempty" doc:"1-5, the enterprise's rating of the visit"`
}

// Confirm records the enterprise's confirmation (and rating): the
// enterprise user online, or an inspector of the task with the signer's
// name.
func (s *Service) Confirm(ctx context.Context, taskID int64, in ConfirmInput) (*Task, error) {
	var out *Task
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		t, _, err := s.loadTask(ctx, taskID)
		if err != nil {
			return err
		}
		a := auth.From(ctx)
		text := strings.TrimSpace(in.Text)
		switch {
		case a != nil && a.Has(auth.Enterprise) && a.EntityID == t.EntityID:
		default:
			me, err := s.inspectorOf(ctx)
			if err != nil || !onTeam(me, t) {
				return yserr.ErrNotFound("检查任务", "inspection task")
			}
			if strings.TrimSpace(in.Signer) == "" {
				return yserr.Field("signer", "请填写在手机上签字确认的企业人员姓名", "enter the name of the enterprise's signer")
			}
			text = strings.TrimSpace(text + " —— " + strings.TrimSpace(in.Signer) + "（现场签字 / signed on site）")
			in.Rating = 0
		}
		if text == "" {
			return yserr.Field("text", "请填写确认意见", "enter the confirmation")
		}
		if in.Rating < 0 || in.Rating > 5 {
			return yserr.Field("rating", "评价须为 1-5 星", "the rating must be 1-5")
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, `UPDATE inspect_tasks SET confirmed_at = $1, confirmation = $2,
			rating = CASE WHEN $3 > 0 THEN $3 ELSE rating END, version = version + 1 WHERE id = $4`, s.now(), text, in.Rating, taskID); err != nil {
			return err
		}
		if in.Rating > 0 {
			// The rating given with the confirmation is the enterprise's rating of the visit.
			if err := s.saveRating(ctx, t, a.UserID, RatingInput{Rating: in.Rating}, s.now()); err != nil {
				return err
			}
		}
		if err := s.Audit.Record(ctx, "inspect.task.confirm", "inspect_task", idText(taskID), nil, map[string]any{"text": text, "rating": in.Rating}, ""); err != nil {
			return err
		}
		out, _, err = s.loadTask(ctx, taskID)
		return err
	})
	return out, err
}

var fileOptions = filestore.Options{MaxBytes: 10 << 20, Allowed: []string{"image/jpeg", "image/png", "image/webp", "application/pdf"}, Encrypt: true}

// AddFile stores a photo or document of the task (inspectors of the task)
// or, kind "proof" with resultID, the enterprise's rectification proof.
func (s *Service) AddFile(ctx context.Context, taskID, resultID int64, kind, name, contentType string, r io.Reader) (*TaskFile, error) {
	if !slices.Contains([]string{"photo", "document", "proof"}, kind) {
		return nil, yserr.Field("kind", "文件类别应为照片、文书或整改证明", "the kind must be photo, document or proof")
	}
	up, err := s.Files.Check(name, contentType, r, fileOptions)
	if err != nil {
		return nil, err
	}
	var out *TaskFile
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		t, _, err := s.loadTask(ctx, taskID)
		if err != nil {
			return err
		}
		a := auth.From(ctx)
		if kind == "proof" {
			if a == nil || !a.Has(auth.Enterprise) || a.EntityID != t.EntityID {
				return yserr.ErrNotFound("检查任务", "inspection task")
			}
			j := slices.IndexFunc(t.Results, func(r Result) bool { return r.ID == resultID && r.Outcome == OutcomeRectify })
			if j < 0 {
				return yserr.Field("result_id", "请选择需要整改的事项", "choose an item under rectification")
			}
			if t.Results[j].ProofStatus == ProofAccepted {
				return yserr.New(yserr.Conflict, "该事项的整改已通过审核", "this item's rectification was already accepted")
			}
		} else if me, err := s.inspectorOf(ctx); err != nil || !onTeam(me, t) {
			return yserr.ErrNotFound("检查任务", "inspection task")
		}
		f, err := s.Files.Save(ctx, "inspect", up)
		if err != nil {
			return err
		}
		out = &TaskFile{FileID: f.ID, Kind: kind, Name: f.Name}
		if err := s.DB.Q(ctx).QueryRow(ctx, "INSERT INTO inspect_files (task_id, file_id, kind, added_by, added_at) VALUES ($1,$2,$3,$4,$5) RETURNING id",
			taskID, f.ID, kind, a.UserID, s.now()).Scan(&out.ID); err != nil {
			return err
		}
		if kind == "proof" {
			if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_results SET proof_file_id = $1, rectified_at = $2, proof_status = 'submitted', proof_note = '' WHERE id = $3",
				f.ID, s.now(), resultID); err != nil {
				return err
			}
			if err := s.tellDepartment(ctx, t, resultID, msgProofSubmitted, "proof_submitted:"+idText(f.ID)); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "inspect.file.add", "inspect_task", idText(taskID), nil, map[string]any{"file_id": f.ID, "kind": kind, "result_id": resultID}, f.Name)
	})
	return out, err
}

// File opens a task's file for a caller who may see the task.
func (s *Service) File(ctx context.Context, taskID, fileID int64) (*filestore.File, io.ReadCloser, error) {
	t, err := s.Task(ctx, taskID)
	if err != nil {
		return nil, nil, err
	}
	if !slices.ContainsFunc(t.Files, func(f TaskFile) bool { return f.FileID == fileID }) {
		return nil, nil, yserr.ErrNotFound("文件", "file")
	}
	return s.Files.Open(ctx, "inspect", fileID)
}

// Unscanned lists the month's tasks with a result recorded before any scan
// (YYYY-MM), for supervisors and platform admins.
func (s *Service) Unscanned(ctx context.Context, month string) ([]Task, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor); err != nil {
		return nil, err
	}
	from, err := calendar.ParseDate(month + "-01")
	if err != nil {
		return nil, yserr.Field("month", "月份格式应为 YYYY-MM", "the month must be YYYY-MM")
	}
	y, m, _ := from.Date()
	next := calendar.NewDate(y, m+1, 1)
	if m == 12 {
		next = calendar.NewDate(y+1, 1, 1)
	}
	return s.tasksWhere(ctx, `SELECT DISTINCT task_id FROM inspect_results WHERE without_scan AND recorded_at >= $1 AND recorded_at < $2 ORDER BY task_id`,
		from.Time(calendar.Shanghai).UTC(), next.Time(calendar.Shanghai).UTC())
}

// tasksWhere loads the tasks whose ids query returns, in its order.
func (s *Service) tasksWhere(ctx context.Context, query string, args ...any) ([]Task, error) {
	ids, err := db.Int64s(ctx, s.DB.Q(ctx), query, args...)
	if err != nil {
		return nil, err
	}
	out := []Task{}
	for _, id := range ids {
		t, _, err := s.loadTask(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, nil
}

// InspectionValue is a closed task's value for the credit grade's
// inspection indicator (0-100) and the reason shown with it: 100 when no
// problem was found, 60 when problems were found (to be rectified), 30
// when a case was opened; the reason names the plan and the task.
func InspectionValue(t *Task) (float64, string) {
	worst := OutcomeOK
	n := 0
	for _, r := range t.Results {
		switch r.Outcome {
		case OutcomeOK:
			continue
		case OutcomeCase:
			worst = OutcomeCase
		default:
			if worst != OutcomeCase {
				worst = OutcomeProblem
			}
		}
		n++
	}
	where := fmt.Sprintf("双随机抽查 %s 任务 %d", t.PlanCode, t.ID)
	whereEN := fmt.Sprintf("random inspection %s task %d", t.PlanCode, t.ID)
	switch worst {
	case OutcomeCase:
		return 30, fmt.Sprintf("%s：%d 个事项发现问题，已立案查处 / %s: problems in %d items, a case opened", where, n, whereEN, n)
	case OutcomeProblem:
		return 60, fmt.Sprintf("%s：%d 个事项发现问题 / %s: problems found in %d items", where, n, whereEN, n)
	}
	return 100, fmt.Sprintf("%s：未发现问题 / %s: no problem found", where, whereEN)
}
