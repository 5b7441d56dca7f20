package procure

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Pool statuses.
const (
	PoolConfirming = "confirming"
	PoolConfirmed  = "confirmed"
	PoolProject    = "project"
	PoolCancelled  = "cancelled"
)

// Pool is a pooling group (拼单采购组).
type Pool struct {
	ID               int64        `json:"id"`
	CategoryCode     string       `json:"category_code"`
	SpecKey          string       `json:"spec_key"`
	Spec             string       `json:"spec"`
	From             string       `json:"period_from"`
	To               string       `json:"period_to"`
	Status           string       `json:"status" enum:"confirming,confirmed,project,cancelled"`
	LeadDepartmentID int64        `json:"lead_department_id,omitempty"`
	LeadDepartment   string       `json:"lead_department,omitempty"`
	Coordination     string       `json:"coordination,omitempty"`
	ProjectID        int64        `json:"project_id,omitempty"`
	Members          []PoolMember `json:"members"`
	Quantity         int64        `json:"quantity" doc:"confirmed lines"`
	BudgetFen        int64        `json:"budget_fen" doc:"confirmed lines"`
	Version          int          `json:"version"`
}

// PoolMember is one unit's line in a group.
type PoolMember struct {
	PlanID       int64  `json:"plan_id"`
	DepartmentID int64  `json:"department_id"`
	Department   string `json:"department"`
	Status       string `json:"status" enum:"pending,confirmed,declined"`
	Quantity     int64  `json:"quantity"`
	BudgetFen    int64  `json:"budget_fen"`
	Spec         string `json:"spec"`
}

// PoolInput makes a group from a proposal's plan lines.
type PoolInput struct {
	PlanIDs []int64 `json:"plan_ids"`
}

// CreatePool makes a pooling group of open plan lines (finance bureau).
// The lines must share the category code and the specification key and be
// wanted within PoolWindowDays, from at least two units: plans of different
// categories are never merged. The lines wait for their units' confirmation.
func (s *Service) CreatePool(ctx context.Context, in PoolInput) (*Pool, error) {
	a, err := s.financeActor(ctx)
	if err != nil {
		return nil, err
	}
	ids := slices.Compact(slices.Sorted(slices.Values(in.PlanIDs)))
	if len(ids) < 2 {
		return nil, yserr.Field("plan_ids", "拼单至少需要两个单位的计划", "a pooling group needs plans of at least two units")
	}
	var pool *Pool
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		args := s.DB.Dialect.Args()
		cond := args.In(db.InValues(ids)...)
		rows, err := q.Query(ctx, "SELECT "+planCols+" FROM procure_plans p WHERE p.id IN "+cond+" ORDER BY p.wanted_on, p.id", args.List()...)
		if err != nil {
			return err
		}
		var plans []Plan
		for rows.Next() {
			p, err := scanPlan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			plans = append(plans, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(plans) != len(ids) {
			return yserr.Field("plan_ids", "部分采购计划不存在", "some plans do not exist")
		}
		first := plans[0]
		depts := map[int64]bool{}
		for _, p := range plans {
			if p.CategoryCode != first.CategoryCode {
				return yserr.Field("plan_ids", fmt.Sprintf("不同品目的计划不能拼单（%s 与 %s）", first.CategoryCode, p.CategoryCode),
					fmt.Sprintf("plans of different categories are never pooled (%s and %s)", first.CategoryCode, p.CategoryCode))
			}
			if p.SpecKey != first.SpecKey {
				return yserr.Field("plan_ids", fmt.Sprintf("计划 %d 的规格与计划 %d 不一致，不能拼单", p.ID, first.ID),
					fmt.Sprintf("plan %d has another specification than plan %d", p.ID, first.ID))
			}
			if p.Status != PlanOpen {
				return yserr.New(yserr.Conflict, fmt.Sprintf("计划 %d 已在拼单或立项中", p.ID), fmt.Sprintf("plan %d is already pooled or in a project", p.ID))
			}
			depts[p.DepartmentID] = true
		}
		last := plans[len(plans)-1]
		if span, _ := daysBetween(first.WantedOn, last.WantedOn); span > s.PoolWindowDays {
			return yserr.Field("plan_ids", fmt.Sprintf("需求时间跨度 %d 天，超过拼单周期 %d 天", span, s.PoolWindowDays),
				fmt.Sprintf("the wanted dates span %d days, more than the pooling period of %d", span, s.PoolWindowDays))
		}
		if len(depts) < 2 {
			return yserr.Field("plan_ids", "拼单至少需要两个单位的计划", "a pooling group needs plans of at least two units")
		}
		pool = &Pool{CategoryCode: first.CategoryCode, SpecKey: first.SpecKey, Spec: first.Spec, From: first.WantedOn, To: last.WantedOn, Status: PoolConfirming, Version: 1}
		if err := q.QueryRow(ctx, `INSERT INTO procure_pools (category_code, spec_key, spec, period_from, period_to, status, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, 'confirming', $6, $7) RETURNING id`, pool.CategoryCode, pool.SpecKey, pool.Spec, pool.From, pool.To, userID(a), s.now()).Scan(&pool.ID); err != nil {
			return err
		}
		for _, p := range plans {
			if _, err := q.Exec(ctx, "INSERT INTO procure_pool_members (pool_id, plan_id, department_id, status) VALUES ($1, $2, $3, 'pending')", pool.ID, p.ID, p.DepartmentID); err != nil {
				return err
			}
			n, err := q.Exec(ctx, "UPDATE procure_plans SET status = 'pooling', pool_id = $1, version = version + 1 WHERE id = $2 AND status = 'open'", pool.ID, p.ID)
			if err != nil {
				return err
			}
			if n == 0 {
				return yserr.New(yserr.Conflict, fmt.Sprintf("计划 %d 已被他人纳入拼单", p.ID), fmt.Sprintf("plan %d was pooled meanwhile", p.ID))
			}
		}
		return s.Audit.Record(ctx, "procure.pool.create", "procure_pool", idStr(pool.ID), nil, map[string]any{"plans": ids, "category": pool.CategoryCode, "spec_key": pool.SpecKey}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Pool(ctx, pool.ID)
}

func daysBetween(a, b string) (int, error) {
	x, err := parseDate(a)
	if err != nil {
		return 0, err
	}
	y, err := parseDate(b)
	if err != nil {
		return 0, err
	}
	return y.Sub(x), nil
}

// Pool returns a group: the finance bureau and readers see every group; a
// unit sees the groups it has a line in.
func (s *Service) Pool(ctx context.Context, id int64) (*Pool, error) {
	a, err := unitOrReader(ctx)
	if err != nil {
		return nil, err
	}
	p := &Pool{}
	err = s.DB.Q(ctx).QueryRow(ctx, `SELECT id, category_code, spec_key, spec, period_from, period_to, status, COALESCE(lead_department_id, 0), coordination, COALESCE(project_id, 0), version
		FROM procure_pools WHERE id = $1`, id).Scan(&p.ID, &p.CategoryCode, &p.SpecKey, &p.Spec, &p.From, &p.To, &p.Status, &p.LeadDepartmentID, &p.Coordination, &p.ProjectID, &p.Version)
	if db.IsNoRows(err) {
		return nil, notFound("拼单组", "pooling group")
	}
	if err != nil {
		return nil, err
	}
	if err := s.loadMembers(ctx, []*Pool{p}); err != nil {
		return nil, err
	}
	fin, err := s.IsFinance(ctx, a)
	if err != nil {
		return nil, err
	}
	if !fin && !a.Has(auth.Supervisor) && !slices.ContainsFunc(p.Members, func(m PoolMember) bool { return a.InScope(m.DepartmentID) }) {
		return nil, notFound("拼单组", "pooling group")
	}
	return p, nil
}

func (s *Service) loadMembers(ctx context.Context, pools []*Pool) error {
	if len(pools) == 0 {
		return nil
	}
	by := map[int64]*Pool{}
	ids := make([]int64, 0, len(pools))
	for _, p := range pools {
		by[p.ID] = p
		ids = append(ids, p.ID)
	}
	args := s.DB.Dialect.Args()
	cond := args.In(db.InValues(ids)...)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT m.pool_id, m.plan_id, m.department_id, m.status, p.quantity, p.budget_fen, p.spec
		FROM procure_pool_members m JOIN procure_plans p ON p.id = m.plan_id WHERE m.pool_id IN `+cond+` ORDER BY m.pool_id, m.plan_id`, args.List()...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var depts []int64
	for rows.Next() {
		var pid int64
		var m PoolMember
		if err := rows.Scan(&pid, &m.PlanID, &m.DepartmentID, &m.Status, &m.Quantity, &m.BudgetFen, &m.Spec); err != nil {
			return err
		}
		p := by[pid]
		p.Members = append(p.Members, m)
		if m.Status == "confirmed" {
			p.Quantity += m.Quantity
			p.BudgetFen += m.BudgetFen
		}
		depts = append(depts, m.DepartmentID)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range pools {
		depts = append(depts, p.LeadDepartmentID)
	}
	names := s.deptNames(ctx, depts)
	for _, p := range pools {
		for i := range p.Members {
			p.Members[i].Department = names[p.Members[i].DepartmentID]
		}
		p.LeadDepartment = names[p.LeadDepartmentID]
	}
	return nil
}

// Pools lists the groups the caller may see, newest first (a unit: those
// with a line of its scope).
func (s *Service) Pools(ctx context.Context) ([]Pool, error) {
	a, err := unitOrReader(ctx)
	if err != nil {
		return nil, err
	}
	fin, err := s.IsFinance(ctx, a)
	if err != nil {
		return nil, err
	}
	cond, args := "(1 = 1)", []any{}
	if !fin && !a.Has(auth.Supervisor) {
		var c string
		c, args, err = s.deptCond(ctx, a, "m.department_id", nil)
		if err != nil {
			return nil, err
		}
		cond = "id IN (SELECT m.pool_id FROM procure_pool_members m WHERE " + c + ")"
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, category_code, spec_key, spec, period_from, period_to, status, COALESCE(lead_department_id, 0), coordination, COALESCE(project_id, 0), version
		FROM procure_pools WHERE `+cond+" ORDER BY id DESC LIMIT 200", args...)
	if err != nil {
		return nil, err
	}
	var list []*Pool
	for rows.Next() {
		p := &Pool{}
		if err := rows.Scan(&p.ID, &p.CategoryCode, &p.SpecKey, &p.Spec, &p.From, &p.To, &p.Status, &p.LeadDepartmentID, &p.Coordination, &p.ProjectID, &p.Version); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.loadMembers(ctx, list); err != nil {
		return nil, err
	}
	out := make([]Pool, len(list))
	for i, p := range list {
		out[i] = *p
	}
	return out, nil
}

// ConfirmInput is a unit's answer for its line of a group.
type ConfirmInput struct {
	PlanID  int64 `json:"plan_id"`
	Confirm bool  `json:"confirm" doc:"true: the need is real and joins the group; false: it leaves"`
}

// ConfirmPool records a unit's answer for its line (staff of the plan's
// department scope). Once every line is answered the group is confirmed
// when two or more units stay, else cancelled; declined lines are open again.
func (s *Service) ConfirmPool(ctx context.Context, poolID int64, in ConfirmInput) (*Pool, error) {
	a, err := unitActor(ctx)
	if err != nil {
		return nil, err
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		var dept int64
		var mst, pst string
		err := q.QueryRow(ctx, `SELECT m.department_id, m.status, p.status FROM procure_pool_members m JOIN procure_pools p ON p.id = m.pool_id
			WHERE m.pool_id = $1 AND m.plan_id = $2`, poolID, in.PlanID).Scan(&dept, &mst, &pst)
		if db.IsNoRows(err) || err == nil && !a.InScope(dept) {
			return notFound("拼单计划", "pooled plan")
		}
		if err != nil {
			return err
		}
		if pst != PoolConfirming || mst != "pending" {
			return conflict("该计划已确认或拼单组已不在确认阶段", "this line was answered already or the group is past confirmation")
		}
		st := "declined"
		if in.Confirm {
			st = "confirmed"
		}
		if _, err := q.Exec(ctx, "UPDATE procure_pool_members SET status = $1, decided_by = $2, decided_at = $3 WHERE pool_id = $4 AND plan_id = $5", st, userID(a), s.now(), poolID, in.PlanID); err != nil {
			return err
		}
		if !in.Confirm {
			if _, err := q.Exec(ctx, "UPDATE procure_plans SET status = 'open', pool_id = NULL, version = version + 1 WHERE id = $1", in.PlanID); err != nil {
				return err
			}
		}
		var pending, units int64
		if err := q.QueryRow(ctx, `SELECT COUNT(CASE WHEN status = 'pending' THEN 1 END), COUNT(DISTINCT CASE WHEN status = 'confirmed' THEN department_id END)
			FROM procure_pool_members WHERE pool_id = $1`, poolID).Scan(&pending, &units); err != nil {
			return err
		}
		if pending == 0 {
			next := PoolConfirmed
			if units < 2 {
				next = PoolCancelled
				if _, err := q.Exec(ctx, `UPDATE procure_plans SET status = 'open', pool_id = NULL, version = version + 1 WHERE pool_id = $1`, poolID); err != nil {
					return err
				}
			} else if _, err := q.Exec(ctx, `UPDATE procure_plans SET status = 'pooled', version = version + 1 WHERE pool_id = $1`, poolID); err != nil {
				return err
			}
			if _, err := q.Exec(ctx, "UPDATE procure_pools SET status = $1, version = version + 1 WHERE id = $2", next, poolID); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "procure.pool.confirm", "procure_pool", idStr(poolID), nil, map[string]any{"plan_id": in.PlanID, "status": st}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Pool(ctx, poolID)
}

// LeadInput names a group's lead unit and coordination group.
type LeadInput struct {
	LeadDepartmentID int64  `json:"lead_department_id" doc:"one of the confirmed units"`
	Coordination     string `json:"coordination" doc:"the coordination group (协调小组): members and roles"`
}

// SetLead names the lead unit of a confirmed group (finance bureau); the
// lead unit then writes the one procurement file (CreateProject with the
// group).
func (s *Service) SetLead(ctx context.Context, poolID int64, in LeadInput) (*Pool, error) {
	if _, err := s.financeActor(ctx); err != nil {
		return nil, err
	}
	p, err := s.Pool(ctx, poolID)
	if err != nil {
		return nil, err
	}
	if p.Status != PoolConfirmed {
		return nil, conflict("拼单组须先经各单位确认", "the group must be confirmed by its units first")
	}
	if !slices.ContainsFunc(p.Members, func(m PoolMember) bool { return m.Status == "confirmed" && m.DepartmentID == in.LeadDepartmentID }) {
		return nil, yserr.Field("lead_department_id", "牵头单位须为已确认的参与单位之一", "the lead unit must be one of the confirmed units")
	}
	in.Coordination = strings.TrimSpace(in.Coordination)
	if in.Coordination == "" {
		return nil, yserr.Field("coordination", "请填写协调小组", "name the coordination group")
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE procure_pools SET lead_department_id = $1, coordination = $2, version = version + 1 WHERE id = $3 AND version = $4",
			in.LeadDepartmentID, in.Coordination, poolID, p.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("拼单组已被修改，请刷新", "the group changed meanwhile: reload")
		}
		return s.Audit.Record(ctx, "procure.pool.lead", "procure_pool", idStr(poolID), nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Pool(ctx, poolID)
}
