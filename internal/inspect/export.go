package inspect

import (
	"context"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

// Exception is one quiet-day exception: a non-routine plan, its reason
// and kind, the department, who recorded it and who filed (approved) it.
type Exception struct {
	PlanID       int64      `json:"plan_id"`
	PlanCode     string     `json:"plan_code"`
	PlanTitle    string     `json:"plan_title"`
	DepartmentID int64      `json:"department_id"`
	Department   string     `json:"department"`
	Kind         string     `json:"kind" enum:"safety,environment,complaint,assigned"`
	ReasonText   string     `json:"reason"`
	StartsOn     string     `json:"starts_on"`
	RecordedBy   string     `json:"recorded_by"`
	RecordedAt   time.Time  `json:"recorded_at"`
	ApprovedBy   string     `json:"approved_by,omitempty" doc:"who filed (备案) the plan; empty until filed"`
	ApprovedAt   *time.Time `json:"approved_at,omitempty"`
}

func checkMonth(month string) error {
	if _, err := calendar.ParseDate(month + "-01"); err != nil || len(month) != 7 {
		return yserr.Field("month", "月份格式应为 YYYY-MM", "the month must be YYYY-MM")
	}
	return nil
}

// Exceptions lists a month's quiet-day exceptions (plans starting in the
// month), for the office (platform admins) and supervisors.
func (s *Service) Exceptions(ctx context.Context, month string) ([]Exception, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor); err != nil {
		return nil, err
	}
	if err := checkMonth(month); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT x.plan_id, p.code, p.title, x.department_id, x.kind, x.reason, x.starts_on, COALESCE(x.recorded_by, 0),
		x.recorded_at, COALESCE(x.approved_by, 0), x.approved_at FROM inspect_exceptions x JOIN inspect_plans p ON p.id = x.plan_id
		WHERE x.month = $1 ORDER BY x.starts_on, x.plan_id`, month)
	if err != nil {
		return nil, err
	}
	out := []Exception{}
	var users, depts []int64
	rec, appr := map[int]int64{}, map[int]int64{}
	for rows.Next() {
		var e Exception
		var by, ap int64
		if err := rows.Scan(&e.PlanID, &e.PlanCode, &e.PlanTitle, &e.DepartmentID, &e.Kind, &e.ReasonText, &e.StartsOn, &by, &e.RecordedAt, &ap, &e.ApprovedAt); err != nil {
			rows.Close()
			return nil, err
		}
		rec[len(out)], appr[len(out)] = by, ap
		users = append(users, by, ap)
		depts = append(depts, e.DepartmentID)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	un, err := s.Accounts.UserRefs(ctx, users)
	if err != nil {
		return nil, err
	}
	dn, err := s.Accounts.DepartmentRefs(ctx, depts)
	if err != nil {
		return nil, err
	}
	name := func(id int64) string {
		if u, ok := un[id]; ok {
			if u.DisplayName != "" {
				return u.DisplayName
			}
			return u.Username
		}
		return ""
	}
	for i := range out {
		out[i].Department = dn[out[i].DepartmentID].Name
		out[i].RecordedBy, out[i].ApprovedBy = name(rec[i]), name(appr[i])
	}
	return out, nil
}

// sheet writes one .xlsx sheet with a header in the user's language.
type sheet struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

func newSheet(name string, head []any) (*sheet, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := sw.SetColWidth(1, len(head), 18); err != nil {
		f.Close()
		return nil, err
	}
	x := &sheet{f: f, sw: sw}
	return x, x.add(head...)
}

func (x *sheet) add(cells ...any) error {
	x.row++
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	return x.sw.SetRow(cell, cells)
}

func (x *sheet) finish(w io.Writer) error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(w)
}

// pick returns the header in the language ("en" or Chinese).
func pick(lang string, zh, en []string) []any {
	h := zh
	if lang == "en" {
		h = en
	}
	out := make([]any, len(h))
	for i, s := range h {
		out[i] = s
	}
	return out
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(calendar.Shanghai).Format("2006-01-02 15:04")
}

// Labeller names a code in the user's language (the handlers' label table).
type Labeller func(code string) string

// ExportExceptions writes a month's quiet-day exceptions as .xlsx.
func (s *Service) ExportExceptions(ctx context.Context, month, lang string, l Labeller, w io.Writer) error {
	list, err := s.Exceptions(ctx, month)
	if err != nil {
		return err
	}
	x, err := newSheet(month, pick(lang, []string{"计划编号", "计划名称", "部门", "例外类型", "理由", "开始日期", "登记人", "登记时间", "备案（批准）人", "备案时间"},
		[]string{"Plan", "Title", "Department", "Kind", "Reason", "Starts on", "Recorded by", "Recorded at", "Approved (filed) by", "Approved at"}))
	if err != nil {
		return err
	}
	for _, e := range list {
		kind := e.Kind
		if kind == "assigned" {
			kind = "assigned_ex"
		}
		if err := x.add(e.PlanCode, e.PlanTitle, e.Department, l(kind), e.ReasonText, e.StartsOn, e.RecordedBy, fmtTime(&e.RecordedAt), e.ApprovedBy, fmtTime(e.ApprovedAt)); err != nil {
			x.f.Close()
			return err
		}
	}
	return x.finish(w)
}

// ExportPlans writes the plans the caller may see as .xlsx.
func (s *Service) ExportPlans(ctx context.Context, lang string, l Labeller, w io.Writer) error {
	list, err := s.Plans(ctx)
	if err != nil {
		return err
	}
	x, err := newSheet("plans", pick(lang, []string{"计划编号", "计划名称", "牵头部门", "联合", "日常", "例外类型", "开始日期", "结束日期", "抽查比例（‰）", "每组人数", "状态", "备案号", "抽取编号"},
		[]string{"Code", "Title", "Lead department", "Joint", "Routine", "Exception", "Starts on", "Ends on", "Ratios (‰)", "Team size", "Status", "Filing no.", "Draw"}))
	if err != nil {
		return err
	}
	ids := []int64{}
	for _, p := range list {
		ids = append(ids, p.DepartmentID)
	}
	dn, err := s.Accounts.DepartmentRefs(ctx, ids)
	if err != nil {
		x.f.Close()
		return err
	}
	yes := func(b bool) string { return map[bool]string{true: l("yes"), false: l("no")}[b] }
	for _, p := range list {
		ex := ""
		if p.ExceptionKind != "" {
			k := p.ExceptionKind
			if k == "assigned" {
				k = "assigned_ex"
			}
			ex = l(k)
		}
		if err := x.add(p.Code, p.Title, dn[p.DepartmentID].Name, yes(p.Joint), yes(p.Routine), ex, p.StartsOn, p.EndsOn, FormatRatios(p.Ratios), p.TeamSize,
			l(p.Status), p.FilingNo, p.DrawID); err != nil {
			x.f.Close()
			return err
		}
	}
	return x.finish(w)
}

// ExportTasks writes the tasks the caller may see (of one plan when
// planID is set) as .xlsx: with results=false one row per task; with
// results=true one row per item result.
func (s *Service) ExportTasks(ctx context.Context, planID int64, results bool, lang string, l Labeller, w io.Writer) error {
	list, err := s.Tasks(ctx, TaskFilter{PlanID: planID, All: true})
	if err != nil {
		return err
	}
	var x *sheet
	if results {
		x, err = newSheet("results", pick(lang, []string{"任务编号", "计划编号", "统一社会信用代码", "企业名称", "事项编号", "检查事项", "检查结果", "说明", "整改期限", "首违不罚", "整改材料", "逾期", "信用记录", "未扫码", "记录时间"},
			[]string{"Task", "Plan", "USCC", "Entity", "Item code", "Item", "Outcome", "Note", "Rectify by", "First offence", "Proof", "Overdue", "Credit record", "Without scan", "Recorded at"}))
	} else {
		x, err = newSheet("tasks", pick(lang, []string{"任务编号", "计划编号", "统一社会信用代码", "企业名称", "信用类别", "检查人员", "状态", "扫码时间", "未扫码", "办结日期", "公示期限", "发现问题", "企业评价"},
			[]string{"Task", "Plan", "USCC", "Entity", "Class", "Inspectors", "Status", "Scanned at", "Unscanned", "Ended on", "Publish by", "Problem", "Rating"}))
	}
	if err != nil {
		return err
	}
	yes := func(b bool) string { return map[bool]string{true: l("yes"), false: l("no")}[b] }
	for _, t := range list {
		if !results {
			var team string
			for i, m := range t.Inspectors {
				if i > 0 {
					team += ", "
				}
				team += m.Name + "（" + m.CertNo + "）"
			}
			if err := x.add(t.ID, t.PlanCode, t.USCC, t.EntityName, t.Class, team, l(t.Status), fmtTime(t.ScannedAt), yes(t.Unscanned), t.EndedOn, t.PublishBy,
				yes(t.Problem), t.Rating); err != nil {
				x.f.Close()
				return err
			}
			continue
		}
		for _, r := range t.Results {
			var code, name string
			for _, it := range t.Items {
				if it.ID == r.ItemID {
					code, name = it.Code, it.Name
				}
			}
			proof := ""
			if r.ProofStatus != "" {
				proof = l("proof_" + r.ProofStatus)
			}
			var cr any
			if r.CreditRecordID != 0 {
				cr = r.CreditRecordID
			}
			if err := x.add(t.ID, t.PlanCode, t.USCC, t.EntityName, code, name, l(r.Outcome), r.Note, r.RectifyBy, yes(r.FirstOffence), proof, yes(r.Overdue), cr,
				yes(r.WithoutScan), fmtTime(&r.RecordedAt)); err != nil {
				x.f.Close()
				return err
			}
		}
	}
	return x.finish(w)
}
