package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Plan statuses.
const (
	PlanDraft     = "draft"     // 草稿
	PlanSubmitted = "submitted" // 已报备
	PlanFiled     = "filed"     // 已备案
	PlanCommitted = "committed" // 名录已冻结，抽取已承诺
	PlanSampled   = "sampled"   // 已抽取，任务已派发
)

// Plan is an inspection plan (抽查计划): one department's, or a joint plan
// of several (综合查一次: one visit covers every department's items).
type Plan struct {
	ID              int64          `json:"id"`
	Code            string         `json:"code"`
	Title           string         `json:"title"`
	DepartmentID    int64          `json:"department_id" doc:"the lead department"`
	Departments     []int64        `json:"departments" doc:"every participating department, the lead first"`
	Joint           bool           `json:"joint"`
	Routine         bool           `json:"routine" doc:"routine (日常) tasks respect quiet days and the yearly cap"`
	ExceptionKind   string         `json:"exception_kind,omitempty" enum:",safety,environment,complaint,assigned"`
	ExceptionReason string         `json:"exception_reason,omitempty"`
	StartsOn        string         `json:"starts_on"`
	EndsOn          string         `json:"ends_on"`
	Regions         []string       `json:"regions" doc:"target filter: region code prefixes"`
	Industries      []string       `json:"industries" doc:"target filter: industry code prefixes"`
	Ratios          map[string]int `json:"ratios" doc:"sampling ratio per credit class, per mille"`
	TeamSize        int            `json:"team_size"`
	Items           []int64        `json:"items"`
	Status          string         `json:"status" enum:"draft,submitted,filed,committed,sampled"`
	FilingNo        string         `json:"filing_no,omitempty"`
	FiledAt         *time.Time     `json:"filed_at,omitempty"`
	DrawID          int64          `json:"draw_id,omitempty"`
	Strata          []Stratum      `json:"strata,omitempty" doc:"per-class sizes and counts, fixed at commitment"`
	Version         int            `json:"version"`
}

// Stratum is one credit class of a plan's frozen target directory.
type Stratum struct {
	Class    string `json:"class"`
	Size     int    `json:"size"`
	Permille int    `json:"permille"`
	Count    int    `json:"count"`
}

// PlanInput is a new plan.
type PlanInput struct {
	Code            string   `json:"code"`
	Title           string   `json:"title"`
	Departments     []int64  `json:"departments,omitempty" doc:"other participating departments (a joint plan)"`
	Items           []int64  `json:"items"`
	Routine         *bool    `json:"routine,omitempty" doc:"default true"`
	ExceptionKind   string   `json:"exception_kind,omitempty" enum:",safety,environment,complaint,assigned" doc:"a non-routine plan's reason class; required when not routine"`
	ExceptionReason string   `json:"exception_reason,omitempty"`
	StartsOn        string   `json:"starts_on" doc:"YYYY-MM-DD"`
	EndsOn          string   `json:"ends_on" doc:"YYYY-MM-DD"`
	Regions         []string `json:"regions,omitempty"`
	Industries      []string `json:"industries,omitempty"`
	Ratios          string   `json:"ratios,omitempty" doc:"A:20,B:50,C:200,D:500 per mille; default the module setting"`
	TeamSize        int      `json:"team_size,omitempty" doc:"inspectors per task, at least 2; default the module setting"`
}

var planCodeRe = regexp.MustCompile(`^[A-Za-z0-9-]{3,40}$`)

// CreatePlan drafts a plan for the caller's department (department staff
// and admins). Quiet days: a routine plan must start outside the monthly
// window; an exception needs its kind and reason and is audited.
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (*Plan, error) {
	a, err := auth.Require(ctx, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	if a.DepartmentID == 0 {
		return nil, yserr.ErrForbidden()
	}
	p := &Plan{Code: strings.TrimSpace(in.Code), Title: strings.TrimSpace(in.Title), DepartmentID: a.DepartmentID, Routine: in.Routine == nil || *in.Routine,
		ExceptionKind: in.ExceptionKind, ExceptionReason: strings.TrimSpace(in.ExceptionReason), StartsOn: in.StartsOn, EndsOn: in.EndsOn,
		Regions: splitList(strings.Join(in.Regions, ",")), Industries: splitList(strings.Join(in.Industries, ",")), TeamSize: in.TeamSize,
		Status: PlanDraft, Version: 1}
	p.Departments = []int64{a.DepartmentID}
	for _, d := range in.Departments {
		if d != 0 && !slices.Contains(p.Departments, d) {
			p.Departments = append(p.Departments, d)
		}
	}
	p.Joint = len(p.Departments) > 1
	var v yserr.Validation
	if !planCodeRe.MatchString(p.Code) {
		v.Add("code", "计划编号须为 3-40 位字母、数字或连字符", "the plan code must be 3-40 letters, digits or hyphens")
	}
	if p.Title == "" {
		v.Add("title", "请填写计划名称", "enter the plan's title")
	}
	start, err1 := calendar.ParseDate(in.StartsOn)
	end, err2 := calendar.ParseDate(in.EndsOn)
	if err1 != nil {
		v.Add("starts_on", "开始日期格式应为 YYYY-MM-DD", "the start date must be YYYY-MM-DD")
	}
	if err2 != nil {
		v.Add("ends_on", "结束日期格式应为 YYYY-MM-DD", "the end date must be YYYY-MM-DD")
	} else if err1 == nil && end.Before(start) {
		v.Add("ends_on", "结束日期不能早于开始日期", "the end date cannot be before the start date")
	}
	if err1 == nil && start.Before(s.today()) {
		v.Add("starts_on", "开始日期不能早于今天", "the start date cannot be before today")
	}
	ratios := in.Ratios
	if strings.TrimSpace(ratios) == "" {
		p.Ratios = s.Settings.Ratios
	} else if p.Ratios, err = ParseRatios(ratios); err != nil {
		v.AddErr("ratios", err)
	}
	if p.TeamSize == 0 {
		p.TeamSize = s.Settings.TeamSize
	}
	if p.TeamSize < 2 || p.TeamSize > 6 {
		v.Add("team_size", "每项任务须有 2-6 名执法人员（行政处罚法第四十二条：不少于两人）", "a task needs 2-6 inspectors (Administrative Penalty Law Art. 42: at least two)")
	}
	for _, r := range p.Regions {
		if !regionRe.MatchString(r) {
			v.Add("regions", "行政区划代码前缀须为 2-6 位数字："+r, "region prefixes must be 2-6 digits: "+r)
			break
		}
	}
	for _, r := range p.Industries {
		if !industryRe.MatchString(r) {
			v.Add("industries", "行业代码前缀格式不正确："+r, "bad industry code prefix: "+r)
			break
		}
	}
	if p.Routine {
		p.ExceptionKind, p.ExceptionReason = "", ""
		if err1 == nil && s.Settings.Quiet.IsQuiet(start) {
			v.Add("starts_on", fmt.Sprintf("%s 在企业宁静日（每月 %s）内，日常检查不得安排；如属安全、环保、投诉举报或上级交办，请按例外登记并说明理由", start, s.Settings.Quiet.Text),
				fmt.Sprintf("%s is a quiet day (each month: %s): routine inspections cannot be scheduled; safety, environment, complaint or assigned checks are exceptions with a reason", start, s.Settings.Quiet.Text))
		}
	} else {
		if !slices.Contains(ExceptionKinds, p.ExceptionKind) {
			v.Add("exception_kind", "非日常检查须选择例外类型：安全、环保、投诉举报或上级交办", "a non-routine plan needs an exception kind: safety, environment, complaint or assigned")
		}
		if len([]rune(p.ExceptionReason)) < 4 {
			v.Add("exception_reason", "请说明例外理由", "give the exception's reason")
		}
	}
	if len(in.Items) == 0 {
		v.Add("items", "请选择检查事项", "choose the check items")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	items, err := s.itemsByID(ctx, in.Items)
	if err != nil {
		return nil, err
	}
	for _, id := range in.Items {
		it, ok := items[id]
		if !ok || !slices.Contains(p.Departments, it.DepartmentID) {
			return nil, yserr.Field("items", fmt.Sprintf("检查事项 %d 不属于参与部门", id), fmt.Sprintf("check item %d is not a participating department's", id))
		}
		if !slices.Contains(p.Items, id) {
			p.Items = append(p.Items, id)
		}
	}
	for _, d := range p.Departments[1:] {
		if !slices.ContainsFunc(p.Items, func(id int64) bool { return items[id].DepartmentID == d }) {
			return nil, yserr.Field("items", fmt.Sprintf("联合计划须包含每个参与部门的事项（部门 %d 没有）", d), fmt.Sprintf("a joint plan needs items of every participating department (department %d has none)", d))
		}
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO inspect_plans (code, title, department_id, joint, routine, exception_kind, exception_reason,
			starts_on, ends_on, regions, industries, ratios, team_size, status, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) RETURNING id`, p.Code, p.Title, p.DepartmentID, p.Joint, p.Routine,
			p.ExceptionKind, p.ExceptionReason, p.StartsOn, p.EndsOn, joinList(p.Regions), joinList(p.Industries), FormatRatios(p.Ratios),
			p.TeamSize, p.Status, a.UserID, s.now()).Scan(&p.ID)
		if db.IsUnique(err) {
			return yserr.Field("code", "计划编号已存在", "a plan with this code exists")
		}
		if err != nil {
			return err
		}
		for _, d := range p.Departments {
			if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO inspect_plan_departments (plan_id, department_id) VALUES ($1, $2)", p.ID, d); err != nil {
				if db.IsForeignKey(err) {
					return yserr.Field("departments", "参与部门不存在", "no such participating department")
				}
				return err
			}
		}
		for _, id := range p.Items {
			if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO inspect_plan_items (plan_id, item_id) VALUES ($1, $2)", p.ID, id); err != nil {
				return err
			}
		}
		if !p.Routine {
			if err := s.Audit.Record(ctx, "inspect.quiet.exception", "inspect_plan", idText(p.ID), nil,
				map[string]string{"kind": p.ExceptionKind, "reason": p.ExceptionReason, "starts_on": p.StartsOn}, p.ExceptionReason); err != nil {
				return err
			}
			if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO inspect_exceptions (plan_id, department_id, kind, reason, starts_on, month, recorded_by, recorded_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, p.ID, p.DepartmentID, p.ExceptionKind, p.ExceptionReason, p.StartsOn, p.StartsOn[:7], a.UserID, s.now()); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "inspect.plan.create", "inspect_plan", idText(p.ID), nil, p, "")
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) itemsByID(ctx context.Context, ids []int64) (map[int64]Item, error) {
	out := map[int64]Item{}
	if len(ids) == 0 {
		return out, nil
	}
	args := s.DB.Dialect.Args()
	list, err := s.itemsWhere(ctx, "active AND id IN "+args.In(db.InValues(ids)...), args.List()...)
	for _, it := range list {
		out[it.ID] = it
	}
	return out, err
}

const planCols = `id, code, title, department_id, joint, routine, exception_kind, exception_reason, starts_on, ends_on, regions, industries,
	ratios, team_size, status, filing_no, filed_at, COALESCE(draw_id, 0), strata, version`

func (s *Service) scanPlan(ctx context.Context, r db.Row) (*Plan, error) {
	var p Plan
	var regions, inds, ratios, strata string
	if err := r.Scan(&p.ID, &p.Code, &p.Title, &p.DepartmentID, &p.Joint, &p.Routine, &p.ExceptionKind, &p.ExceptionReason, &p.StartsOn, &p.EndsOn,
		&regions, &inds, &ratios, &p.TeamSize, &p.Status, &p.FilingNo, &p.FiledAt, &p.DrawID, &strata, &p.Version); err != nil {
		return nil, err
	}
	p.Regions, p.Industries = splitList(regions), splitList(inds)
	p.Ratios, _ = ParseRatios(ratios)
	if strata != "" {
		if err := json.Unmarshal([]byte(strata), &p.Strata); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// loadPlan reads a plan with its departments and items (no access check).
func (s *Service) loadPlan(ctx context.Context, id int64) (*Plan, error) {
	p, err := s.scanPlan(ctx, s.DB.Q(ctx).QueryRow(ctx, "SELECT "+planCols+" FROM inspect_plans WHERE id = $1", id))
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("抽查计划", "inspection plan")
	}
	if err != nil {
		return nil, err
	}
	p.Departments = []int64{p.DepartmentID}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT department_id FROM inspect_plan_departments WHERE plan_id = $1 ORDER BY department_id", id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d int64
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return nil, err
		}
		if d != p.DepartmentID {
			p.Departments = append(p.Departments, d)
		}
	}
	rows.Close()
	rows, err = s.DB.Q(ctx).Query(ctx, "SELECT item_id FROM inspect_plan_items WHERE plan_id = $1 ORDER BY item_id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i int64
		if err := rows.Scan(&i); err != nil {
			return nil, err
		}
		p.Items = append(p.Items, i)
	}
	return p, rows.Err()
}

// sees reports whether the actor may read the plan: platform admins and
// supervisors every plan, staff the plans of a department in their scope
// (the lead or, for a joint plan, any participant).
func sees(a *auth.Actor, p *Plan) bool {
	if a == nil {
		return false
	}
	if a.IsSystem() || a.Has(auth.PlatformAdmin, auth.Supervisor) {
		return true
	}
	if !a.Has(auth.DeptAdmin, auth.DeptStaff) {
		return false
	}
	return slices.ContainsFunc(p.Departments, a.InScope)
}

// Plan returns a plan the caller may see (NotFound otherwise).
func (s *Service) Plan(ctx context.Context, id int64) (*Plan, error) {
	p, err := s.loadPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if !sees(auth.From(ctx), p) {
		return nil, yserr.ErrNotFound("抽查计划", "inspection plan")
	}
	return p, nil
}

// Plans lists the plans the caller may see, newest first (scoped in SQL).
func (s *Service) Plans(ctx context.Context) ([]Plan, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.Supervisor, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	args := s.DB.Dialect.Args()
	where := "1=1"
	if !a.IsSystem() && !a.Has(auth.PlatformAdmin, auth.Supervisor) {
		if len(a.DeptScope) == 0 {
			return []Plan{}, nil
		}
		where = "id IN (SELECT plan_id FROM inspect_plan_departments WHERE department_id IN " + args.In(db.InValues(a.DeptScope)...) + ")"
	}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+planCols+" FROM inspect_plans WHERE "+where+" ORDER BY id DESC LIMIT 200", args.List()...)
	if err != nil {
		return nil, err
	}
	var out []Plan
	for rows.Next() {
		p, err := s.scanPlan(ctx, rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, *p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		full, err := s.loadPlan(ctx, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Departments, out[i].Items = full.Departments, full.Items
	}
	if out == nil {
		out = []Plan{}
	}
	return out, nil
}

// SubmitPlan sends a draft to the coordinating office for filing (staff of
// the lead department).
func (s *Service) SubmitPlan(ctx context.Context, id int64) (*Plan, error) {
	return s.movePlan(ctx, id, PlanDraft, PlanSubmitted, "inspect.plan.submit", func(a *auth.Actor, p *Plan) error {
		if !a.Has(auth.DeptAdmin, auth.DeptStaff) || !a.InScope(p.DepartmentID) {
			return yserr.New(yserr.Forbidden, "只有牵头部门可以报备计划", "only the lead department submits the plan")
		}
		return nil
	}, "")
}

// FilePlan records the coordinating office's filing (备案) with its number
// (platform admins: the business-environment office).
func (s *Service) FilePlan(ctx context.Context, id int64, filingNo string) (*Plan, error) {
	filingNo = strings.TrimSpace(filingNo)
	if filingNo == "" {
		return nil, yserr.Field("filing_no", "请填写备案号", "enter the filing number")
	}
	return s.movePlan(ctx, id, PlanSubmitted, PlanFiled, "inspect.plan.file", func(a *auth.Actor, p *Plan) error {
		if !a.IsSystem() && !a.Has(auth.PlatformAdmin) {
			return yserr.New(yserr.Forbidden, "计划由营商环境主管部门备案", "plans are filed by the business-environment office")
		}
		return nil
	}, filingNo)
}

func (s *Service) movePlan(ctx context.Context, id int64, from, to, action string, may func(*auth.Actor, *Plan) error, filingNo string) (*Plan, error) {
	var out *Plan
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.Plan(ctx, id)
		if err != nil {
			return err
		}
		if err := may(auth.From(ctx), p); err != nil {
			return err
		}
		if p.Status != from {
			return yserr.Newf(yserr.Conflict, "计划状态为 %s，不能执行该操作", "the plan is %s; this step is not possible", p.Status)
		}
		q := "UPDATE inspect_plans SET status = $1, version = version + 1 WHERE id = $2 AND status = $3"
		args := []any{to, id, from}
		if filingNo != "" {
			q = "UPDATE inspect_plans SET status = $1, version = version + 1, filing_no = $4, filed_at = $5, filed_by = $6 WHERE id = $2 AND status = $3"
			args = append(args, filingNo, s.now(), auth.From(ctx).UserID)
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, q, args...); err != nil {
			return err
		}
		if filingNo != "" {
			// Filing approves a quiet-day exception.
			if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE inspect_exceptions SET approved_by = $1, approved_at = $2 WHERE plan_id = $3",
				auth.From(ctx).UserID, s.now(), id); err != nil {
				return err
			}
		}
		if err := s.Audit.Record(ctx, action, "inspect_plan", idText(id), map[string]string{"status": from}, map[string]string{"status": to, "filing_no": filingNo}, ""); err != nil {
			return err
		}
		out, err = s.loadPlan(ctx, id)
		return err
	})
	return out, err
}
