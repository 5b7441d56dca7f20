package procure

import (
	"context"
	"fmt"
	"strings"

	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// checkCategory validates a catalogue code.
func checkCategory(v *yserr.Validation, code string) {
	if KindOf(code) == "" {
		v.Add("category_code", "品目编码应为政府采购品目分类目录编码（A货物、B工程、C服务，如 A02010104）", "the category must be a procurement catalogue code (A goods, B works, C services, e.g. A02010104)")
	}
}

// PublishIntention publishes an intention of the caller's unit. The start
// must be at least IntentionDays after today.
func (s *Service) PublishIntention(ctx context.Context, in IntentionInput) (*Intention, error) {
	a, err := unitActor(ctx)
	if err != nil {
		return nil, err
	}
	in.Title, in.CategoryCode = strings.TrimSpace(in.Title), strings.ToUpper(strings.TrimSpace(in.CategoryCode))
	var v yserr.Validation
	if in.Title == "" {
		v.Add("title", "请填写采购项目名称", "enter the title")
	}
	checkCategory(&v, in.CategoryCode)
	budget, ok := ParseYuan(in.BudgetYuan)
	if !ok || budget == 0 {
		v.Add("budget_yuan", "预算金额应为正数（元，最多两位小数）", "the budget must be a positive amount in yuan (at most 2 decimals)")
	}
	today := s.today()
	if d, err := calendar.ParseDate(in.StartOn); err != nil {
		v.Add("start_on", "预计采购时间格式应为 YYYY-MM-DD", "the start date must be YYYY-MM-DD")
	} else if d.Sub(today) < s.IntentionDays {
		earliest := today.AddDays(s.IntentionDays)
		v.Add("start_on", fmt.Sprintf("采购意向须在采购活动开始前至少%d日公开（最早 %s）", s.IntentionDays, earliest),
			fmt.Sprintf("an intention must be published at least %d days before the procurement starts (earliest %s)", s.IntentionDays, earliest))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if a.DepartmentID == 0 {
		return nil, yserr.Field("department_id", "账户未归属采购单位", "the account belongs to no purchasing unit")
	}
	it := &Intention{DepartmentID: a.DepartmentID, Title: in.Title, CategoryCode: in.CategoryCode, BudgetFen: budget, StartOn: in.StartOn, PublishedOn: today.String(), Note: strings.TrimSpace(in.Note)}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO procure_intentions (department_id, title, category_code, budget_fen, start_on, published_on, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, it.DepartmentID, it.Title, it.CategoryCode, it.BudgetFen, it.StartOn, it.PublishedOn, it.Note, userID(a), s.now()).Scan(&it.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "procure.intention.publish", "procure_intention", idStr(it.ID), nil, it, "")
	})
	if err != nil {
		return nil, err
	}
	it.Department = s.deptNames(ctx, []int64{it.DepartmentID})[it.DepartmentID]
	return it, nil
}

// Intentions lists published intentions, newest first (public).
func (s *Service) Intentions(ctx context.Context, limit int) ([]Intention, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf(`SELECT id, department_id, title, category_code, budget_fen, start_on, published_on, note
		FROM procure_intentions ORDER BY id DESC LIMIT %d`, limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Intention{}
	var ids []int64
	for rows.Next() {
		var it Intention
		if err := rows.Scan(&it.ID, &it.DepartmentID, &it.Title, &it.CategoryCode, &it.BudgetFen, &it.StartOn, &it.PublishedOn, &it.Note); err != nil {
			return nil, err
		}
		out = append(out, it)
		ids = append(ids, it.DepartmentID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names := s.deptNames(ctx, ids)
	for i := range out {
		out[i].Department = names[out[i].DepartmentID]
	}
	return out, nil
}

// SubmitPlan adds a plan line of the caller's unit.
func (s *Service) SubmitPlan(ctx context.Context, in PlanInput) (*Plan, error) {
	a, err := unitActor(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.validatePlan(in)
	if err != nil {
		return nil, err
	}
	if a.DepartmentID == 0 {
		return nil, yserr.Field("department_id", "账户未归属采购单位", "the account belongs to no purchasing unit")
	}
	p.DepartmentID = a.DepartmentID
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.insertPlan(ctx, p, userID(a)); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "procure.plan.submit", "procure_plan", idStr(p.ID), nil, p, "")
	})
	if err != nil {
		return nil, err
	}
	p.Department = s.deptNames(ctx, []int64{p.DepartmentID})[p.DepartmentID]
	return p, nil
}

func (s *Service) validatePlan(in PlanInput) (*Plan, error) {
	in.CategoryCode = strings.ToUpper(strings.TrimSpace(in.CategoryCode))
	in.Spec, in.Unit = strings.TrimSpace(in.Spec), strings.TrimSpace(in.Unit)
	var v yserr.Validation
	checkCategory(&v, in.CategoryCode)
	key := NormalizeSpec(in.Spec)
	if key == "" {
		v.Add("spec", "请填写规格要求", "enter the specification")
	}
	if in.Quantity <= 0 || in.Quantity > 1_000_000_000 {
		v.Add("quantity", "数量应为正整数", "the quantity must be a positive whole number")
	}
	budget, ok := ParseYuan(in.BudgetYuan)
	if !ok || budget == 0 {
		v.Add("budget_yuan", "预算金额应为正数（元，最多两位小数）", "the budget must be a positive amount in yuan (at most 2 decimals)")
	}
	d, err := calendar.ParseDate(in.WantedOn)
	if err != nil {
		v.Add("wanted_on", "需求时间格式应为 YYYY-MM-DD", "the wanted date must be YYYY-MM-DD")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &Plan{Year: d.Year(), CategoryCode: in.CategoryCode, Spec: in.Spec, SpecKey: key, Quantity: in.Quantity, Unit: in.Unit,
		BudgetFen: budget, WantedOn: d.String(), Status: PlanOpen, Version: 1}, nil
}

func (s *Service) insertPlan(ctx context.Context, p *Plan, by any) error {
	return s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO procure_plans (department_id, year, category_code, spec, spec_key, quantity, unit, budget_fen, wanted_on, status, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11) RETURNING id`, p.DepartmentID, p.Year, p.CategoryCode, p.Spec, p.SpecKey, p.Quantity, p.Unit, p.BudgetFen, p.WantedOn, by, s.now()).Scan(&p.ID)
}

const planCols = "p.id, p.department_id, p.year, p.category_code, p.spec, p.spec_key, p.quantity, p.unit, p.budget_fen, p.wanted_on, p.status, COALESCE(p.pool_id, 0), COALESCE(p.project_id, 0), p.version"

func scanPlan(r db.Row) (Plan, error) {
	var p Plan
	err := r.Scan(&p.ID, &p.DepartmentID, &p.Year, &p.CategoryCode, &p.Spec, &p.SpecKey, &p.Quantity, &p.Unit, &p.BudgetFen, &p.WantedOn, &p.Status, &p.PoolID, &p.ProjectID, &p.Version)
	return p, err
}

// PlanFilter narrows the plan list.
type PlanFilter struct {
	Status   string `query:"status" doc:"open, pooling, pooled or project"`
	Category string `query:"category" doc:"category code prefix"`
	Limit    int    `query:"limit" doc:"at most 500 (default 200)"`
}

// Plans lists the plans the caller may see, newest first: a unit its own
// (its department scope), the finance bureau, admins and supervisors all.
// Enterprises see none. The scope is in the query, before the LIMIT.
func (s *Service) Plans(ctx context.Context, f PlanFilter) ([]Plan, error) {
	a, err := unitOrReader(ctx)
	if err != nil {
		return nil, err
	}
	cond, args, err := s.deptCond(ctx, a, "p.department_id", nil)
	if err != nil {
		return nil, err
	}
	if f.Status != "" {
		args = append(args, f.Status)
		cond += fmt.Sprintf(" AND p.status = $%d", len(args))
	}
	if f.Category != "" {
		args = append(args, strings.ToUpper(f.Category)+"%")
		cond += fmt.Sprintf(" AND p.category_code LIKE $%d", len(args))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf("SELECT %s FROM procure_plans p WHERE %s ORDER BY p.id DESC LIMIT %d", planCols, cond, f.Limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Plan{}
	var ids []int64
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
		ids = append(ids, p.DepartmentID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names := s.deptNames(ctx, ids)
	for i := range out {
		out[i].Department = names[out[i].DepartmentID]
	}
	return out, nil
}

// plan loads a plan the caller may see (NotFound otherwise).
func (s *Service) plan(ctx context.Context, id int64) (*Plan, error) {
	a, err := unitOrReader(ctx)
	if err != nil {
		return nil, err
	}
	cond, args, err := s.deptCond(ctx, a, "p.department_id", []any{id})
	if err != nil {
		return nil, err
	}
	p, err := scanPlan(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+planCols+" FROM procure_plans p WHERE p.id = $1 AND "+cond, args...))
	if db.IsNoRows(err) {
		return nil, notFound("采购计划", "plan")
	}
	return &p, err
}

// Proposals are the pooling groups the open plans allow (finance bureau):
// lines of one category and specification key wanted within
// PoolWindowDays, from at least two units. Read in one ordered scan.
func (s *Service) Proposals(ctx context.Context) ([]Proposal, error) {
	if _, err := s.financeActor(ctx); err != nil {
		return nil, err
	}
	p := &Proposer{WindowDays: s.PoolWindowDays}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, department_id, category_code, spec_key, wanted_on, quantity, budget_fen FROM procure_plans
		WHERE status = 'open' ORDER BY category_code, spec_key, wanted_on, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l PlanLine
		if err := rows.Scan(&l.ID, &l.DepartmentID, &l.Category, &l.SpecKey, &l.WantedOn, &l.Quantity, &l.BudgetFen); err != nil {
			return nil, err
		}
		p.Add(l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return p.Done(), nil
}
