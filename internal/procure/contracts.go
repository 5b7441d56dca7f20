package procure

import (
	"context"
	"fmt"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Contract is a unit's contract with the winning supplier.
type Contract struct {
	ID           int64  `json:"id"`
	ProjectID    int64  `json:"project_id"`
	ProjectCode  string `json:"project_code"`
	ProjectTitle string `json:"project_title"`
	DepartmentID int64  `json:"department_id"`
	Department   string `json:"department"`
	EntityID     int64  `json:"entity_id"`
	Entity       string `json:"entity"`
	PlanID       int64  `json:"plan_id,omitempty"`
	Quantity     int64  `json:"quantity,omitempty"`
	BudgetFen    int64  `json:"budget_fen"`
	AmountFen    int64  `json:"amount_fen"`
	SavingsFen   int64  `json:"savings_fen"`
	SME          bool   `json:"sme"`
	SmallMicro   bool   `json:"small_micro"`
	DueOn        string `json:"due_on" doc:"sign by: 30 days after the award (Art. 46)"`
	SignedOn     string `json:"signed_on,omitempty"`
	PublishDueOn string `json:"publish_due_on,omitempty" doc:"2 working days after signing (regulation Art. 50)"`
	PublishedOn  string `json:"published_on,omitempty"`
	AcceptedOn   string `json:"accepted_on,omitempty"`
	PayDueOn     string `json:"pay_due_on,omitempty" doc:"SMEs: 30 days after acceptance"`
	PaidOn       string `json:"paid_on,omitempty"`
	PaidFen      int64  `json:"paid_fen,omitempty"`
	LotNo        int    `json:"lot_no,omitempty" doc:"the lot of a project with lots"`
	Version      int    `json:"version"`
}

// Award confirms the first-ranked bid (staff of the project's unit) and
// makes the contracts to sign: one per confirmed unit of a pooled project,
// with its own quantity, budget and share of the award (Split), else one.
func (s *Service) Award(ctx context.Context, projectID int64) (*Project, error) {
	_, p, err := s.projectForStaff(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if p.Status != ProjectEvaluated {
		return nil, conflict("须先完成评审", "evaluate the bids first")
	}
	if len(p.Lots) > 0 {
		return nil, conflict("本项目分包采购，请逐包确定成交", "this project has lots: award each lot")
	}
	bids, err := s.bids(ctx, "project_id = $1 AND rank = 1", p.ID)
	if err != nil {
		return nil, err
	}
	if len(bids) != 1 {
		return nil, conflict("没有排名第一的投标", "no first-ranked bid")
	}
	win := bids[0]
	today := s.today()
	type part struct {
		dept, plan, qty, budget int64
	}
	var parts []part
	if p.PoolID != 0 {
		pool, err := s.Pool(auth.WithActor(ctx, auth.System("procure")), p.PoolID)
		if err != nil {
			return nil, err
		}
		for _, m := range pool.Members {
			if m.Status == "confirmed" {
				parts = append(parts, part{m.DepartmentID, m.PlanID, m.Quantity, m.BudgetFen})
			}
		}
	} else {
		parts = []part{{dept: p.DepartmentID, budget: p.BudgetFen}}
	}
	qty := make([]int64, len(parts))
	for i, pt := range parts {
		qty[i] = pt.qty
		if len(parts) == 1 {
			qty[i] = 1
		}
	}
	amounts := Split(win.PriceFen, qty)
	sme := win.SizeRegistry != "large"
	sm := win.SizeRegistry == "small" || win.SizeRegistry == "micro"
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		n, err := q.Exec(ctx, `UPDATE procure_projects SET status = 'awarded', award_on = $1, winner_bid_id = $2, award_fen = $3, version = version + 1
			WHERE id = $4 AND version = $5`, today.String(), win.ID, win.PriceFen, p.ID, p.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("项目已被修改，请刷新", "the project changed meanwhile: reload")
		}
		if p.DrawProjectID != 0 && s.Draw != nil {
			// The committee's names are published with the result.
			if err := s.Draw.MarkAwarded(ctx, p.DrawProjectID); err != nil {
				return err
			}
		}
		for i, pt := range parts {
			var plan any
			if pt.plan != 0 {
				plan = pt.plan
			}
			if _, err := q.Exec(ctx, `INSERT INTO procure_contracts (project_id, department_id, entity_id, plan_id, quantity, budget_fen, amount_fen, sme, small_micro, due_on, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, p.ID, pt.dept, win.EntityID, plan, pt.qty, pt.budget, amounts[i], sme, sm,
				ContractDue(today).String(), s.now()); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "procure.project.award", "procure_project", idStr(p.ID), nil, map[string]any{"bid": win.ID, "award_fen": win.PriceFen, "contracts": len(parts)}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Project(ctx, p.ID)
}

const contractCols = `c.id, c.project_id, p.code, p.title, c.department_id, c.entity_id, COALESCE(c.plan_id, 0), c.quantity, c.budget_fen, c.amount_fen, c.sme, c.small_micro,
	c.due_on, c.signed_on, c.publish_due_on, c.published_on, c.accepted_on, c.pay_due_on, c.paid_on, c.paid_fen, c.version, c.lot_no`

func (s *Service) contracts(ctx context.Context, cond string, limit int, args ...any) ([]Contract, error) {
	out, depts, ents, err := s.contractRows(ctx, cond, limit, args...)
	if err != nil {
		return nil, err
	}
	names := s.deptNames(ctx, depts)
	refs, err := s.Entities.Refs(ctx, ents)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Department, out[i].Entity = names[out[i].DepartmentID], refs[out[i].EntityID].Name
	}
	return out, nil
}

// contractRows reads contracts without naming their departments and
// entities; it returns the ids to name.
func (s *Service) contractRows(ctx context.Context, cond string, limit int, args ...any) (out []Contract, depts, ents []int64, err error) {
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf("SELECT %s FROM procure_contracts c JOIN procure_projects p ON p.id = c.project_id WHERE %s ORDER BY c.id DESC LIMIT %d", contractCols, cond, limit), args...)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	out = []Contract{}
	for rows.Next() {
		var c Contract
		if err := rows.Scan(&c.ID, &c.ProjectID, &c.ProjectCode, &c.ProjectTitle, &c.DepartmentID, &c.EntityID, &c.PlanID, &c.Quantity, &c.BudgetFen, &c.AmountFen, &c.SME, &c.SmallMicro,
			&c.DueOn, &c.SignedOn, &c.PublishDueOn, &c.PublishedOn, &c.AcceptedOn, &c.PayDueOn, &c.PaidOn, &c.PaidFen, &c.Version, &c.LotNo); err != nil {
			return nil, nil, nil, err
		}
		c.SavingsFen = c.BudgetFen - c.AmountFen
		out = append(out, c)
		depts, ents = append(depts, c.DepartmentID), append(ents, c.EntityID)
	}
	return out, depts, ents, rows.Err()
}

// Contracts lists the contracts the caller may see: its unit's (finance
// bureau, readers: all; a supplier: its own).
func (s *Service) Contracts(ctx context.Context, projectID int64) ([]Contract, error) {
	a := auth.From(ctx)
	if a == nil {
		return nil, yserr.ErrUnauthorized()
	}
	var cond string
	var args []any
	if a.Has(auth.Enterprise) && !a.Has(auth.DeptAdmin, auth.DeptStaff, auth.PlatformAdmin, auth.Supervisor) {
		cond, args = "c.entity_id = $1", []any{a.EntityID}
	} else {
		var err error
		if cond, args, err = s.deptCond(ctx, a, "c.department_id", nil); err != nil {
			return nil, err
		}
	}
	if projectID != 0 {
		args = append(args, projectID)
		cond += fmt.Sprintf(" AND c.project_id = $%d", len(args))
	}
	return s.contracts(ctx, cond, 500, args...)
}

// PublishedContracts lists the published contracts (public), of one
// project when projectID is not 0.
func (s *Service) PublishedContracts(ctx context.Context, projectID int64, limit int) ([]Contract, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	if projectID != 0 {
		return s.contracts(ctx, "c.published_on <> '' AND c.project_id = $1", limit, projectID)
	}
	return s.contracts(ctx, "c.published_on <> ''", limit)
}

// ContractStep is one step of a contract's life.
type ContractStep struct {
	Step     string `json:"step" enum:"sign,publish,accept,pay"`
	On       string `json:"on,omitempty" doc:"YYYY-MM-DD, default today; never in the future"`
	PaidYuan string `json:"paid_yuan,omitempty" doc:"pay: the amount paid"`
}

// AdvanceContract records signing, publication, acceptance (履约验收) or
// payment (staff of the contract's unit), in that order. Signing sets the
// publication deadline (2 working days); acceptance of an SME's contract
// sets the payment deadline (30 days).
func (s *Service) AdvanceContract(ctx context.Context, id int64, in ContractStep) (*Contract, error) {
	a, err := unitActor(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.contracts(ctx, "c.id = $1", 1, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || !a.InScope(list[0].DepartmentID) {
		return nil, notFound("合同", "contract")
	}
	c := list[0]
	day := s.today()
	if in.On != "" {
		d, err := calendar.ParseDate(in.On)
		if err != nil || d.After(day) {
			return nil, yserr.Field("on", "日期格式应为 YYYY-MM-DD，且不晚于今天", "the date must be YYYY-MM-DD and not after today")
		}
		day = d
	}
	cal, err := s.cal(ctx)
	if err != nil {
		return nil, err
	}
	var set string
	var args []any
	switch in.Step {
	case "sign":
		if c.SignedOn != "" {
			return nil, conflict("合同已签订", "the contract is signed already")
		}
		set, args = "signed_on = $1, publish_due_on = $2", []any{day.String(), PublishDue(cal, day).String()}
	case "publish":
		if c.SignedOn == "" || c.PublishedOn != "" {
			return nil, conflict("合同须已签订且尚未公告", "the contract must be signed and not yet published")
		}
		set, args = "published_on = $1", []any{day.String()}
	case "accept":
		if c.SignedOn == "" || c.AcceptedOn != "" {
			return nil, conflict("合同须已签订且尚未验收", "the contract must be signed and not yet accepted")
		}
		due := ""
		if c.SME {
			due = PayDue(day).String()
		}
		set, args = "accepted_on = $1, pay_due_on = $2", []any{day.String(), due}
	case "pay":
		if c.AcceptedOn == "" || c.PaidOn != "" {
			return nil, conflict("合同须已验收且尚未付款", "the contract must be accepted and not yet paid")
		}
		paid, ok := ParseYuan(in.PaidYuan)
		if !ok || paid == 0 || paid > c.AmountFen {
			return nil, yserr.Field("paid_yuan", "付款金额应为正数且不超过合同金额", "the payment must be positive and at most the contract amount")
		}
		set, args = "paid_on = $1, paid_fen = $2", []any{day.String(), paid}
	default:
		return nil, yserr.Field("step", "未知的步骤", "unknown step")
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		args = append(args, c.ID, c.Version)
		n, err := s.DB.Q(ctx).Exec(ctx, fmt.Sprintf("UPDATE procure_contracts SET %s, version = version + 1 WHERE id = $%d AND version = $%d", set, len(args)-1, len(args)), args...)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("合同已被修改，请刷新", "the contract changed meanwhile: reload")
		}
		return s.Audit.Record(ctx, "procure.contract."+in.Step, "procure_contract", idStr(c.ID), nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	list, err = s.contracts(ctx, "c.id = $1", 1, id)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

// Overdue is one item past its statutory deadline.
type Overdue struct {
	Kind       string `json:"kind" enum:"contract_sign,contract_publish,sme_payment,challenge_answer,complaint_decision"`
	ObjectID   int64  `json:"object_id"`
	ProjectID  int64  `json:"project_id"`
	Project    string `json:"project"`
	Department string `json:"department"`
	DueOn      string `json:"due_on"`
	DaysLate   int    `json:"days_late"`
}

var overdueLabels = map[string][2]string{"contract_sign": {"合同未在中标通知后30日内签订", "contract not signed within 30 days of the award"},
	"contract_publish":   {"合同未在签订后2个工作日内公告", "contract not published within 2 working days of signing"},
	"sme_payment":        {"未在验收后30日内向中小企业付款", "SME not paid within 30 days of acceptance"},
	"challenge_answer":   {"质疑未在7个工作日内答复", "challenge not answered within 7 working days"},
	"complaint_decision": {"投诉未在30个工作日内处理", "complaint not decided within 30 working days"}}

// OverdueLabel names an overdue kind.
func OverdueLabel(k, lang string) string { return pick(overdueLabels, k, lang) }

// OverdueItems lists what is past its deadline today in the caller's scope
// (the dashboard): unsigned and unpublished contracts, unpaid SMEs,
// unanswered challenges, undecided complaints.
func (s *Service) OverdueItems(ctx context.Context) ([]Overdue, error) {
	a, err := unitOrReader(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today().String()
	cond, args, err := s.deptCond(ctx, a, "c.department_id", []any{today})
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT c.id, c.project_id, p.title, c.department_id,
		CASE WHEN c.signed_on = '' AND c.due_on < $1 THEN 'contract_sign'
		     WHEN c.signed_on <> '' AND c.published_on = '' AND c.publish_due_on < $1 THEN 'contract_publish'
		     ELSE 'sme_payment' END,
		CASE WHEN c.signed_on = '' THEN c.due_on WHEN c.published_on = '' THEN c.publish_due_on ELSE c.pay_due_on END
		FROM procure_contracts c JOIN procure_projects p ON p.id = c.project_id
		WHERE `+cond+` AND ((c.signed_on = '' AND c.due_on < $1) OR (c.signed_on <> '' AND c.published_on = '' AND c.publish_due_on < $1)
		   OR (c.pay_due_on <> '' AND c.paid_on = '' AND c.pay_due_on < $1)) ORDER BY c.id LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	out := []Overdue{}
	var depts []int64
	collect := func(rows db.Rows) error {
		defer rows.Close()
		for rows.Next() {
			var o Overdue
			var dept int64
			if err := rows.Scan(&o.ObjectID, &o.ProjectID, &o.Project, &dept, &o.Kind, &o.DueOn); err != nil {
				return err
			}
			if d, err := calendar.ParseDate(o.DueOn); err == nil {
				o.DaysLate = s.today().Sub(d)
			}
			o.Department = fmt.Sprint(dept)
			depts = append(depts, dept)
			out = append(out, o)
		}
		return rows.Err()
	}
	if err := collect(rows); err != nil {
		return nil, err
	}
	cond, args, err = s.deptCond(ctx, a, "p.department_id", []any{today})
	if err != nil {
		return nil, err
	}
	rows, err = s.DB.Q(ctx).Query(ctx, `SELECT h.id, h.project_id, p.title, p.department_id,
		CASE WHEN h.status = 'filed' THEN 'challenge_answer' ELSE 'complaint_decision' END,
		CASE WHEN h.status = 'filed' THEN h.answer_due_on ELSE h.decision_due_on END
		FROM procure_challenges h JOIN procure_projects p ON p.id = h.project_id
		WHERE `+cond+` AND ((h.status = 'filed' AND h.answer_due_on < $1) OR (h.status = 'complained' AND h.decision_due_on < $1)) ORDER BY h.id LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	if err := collect(rows); err != nil {
		return nil, err
	}
	names := s.deptNames(ctx, depts)
	for i := range out {
		out[i].Department = names[depts[i]]
	}
	return out, nil
}

// UnitFigures are one unit's figures for one year: budgets, awards, savings
// and the share of contract amounts won by SMEs and small/micro firms.
type UnitFigures struct {
	DepartmentID  int64   `json:"department_id"`
	Department    string  `json:"department"`
	Year          string  `json:"year"`
	Contracts     int64   `json:"contracts"`
	BudgetFen     int64   `json:"budget_fen"`
	AmountFen     int64   `json:"amount_fen"`
	SavingsFen    int64   `json:"savings_fen"`
	SavingsPct    float64 `json:"savings_pct"`
	SMEFen        int64   `json:"sme_fen"`
	SMEPct        float64 `json:"sme_pct"`
	SmallMicroFen int64   `json:"small_micro_fen"`
}

// Figures gives savings and the SME share per unit and year of award, in
// the caller's scope (public: every unit, they are published figures).
func (s *Service) Figures(ctx context.Context) ([]UnitFigures, error) {
	a := auth.From(ctx)
	cond, args := "(1 = 1)", []any{}
	if a != nil && !a.Has(auth.Enterprise) {
		var err error
		if cond, args, err = s.deptCond(ctx, a, "c.department_id", nil); err != nil {
			return nil, err
		}
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT c.department_id, SUBSTR(p.award_on, 1, 4), COUNT(*), SUM(c.budget_fen), SUM(c.amount_fen),
		SUM(CASE WHEN c.sme THEN c.amount_fen ELSE 0 END), SUM(CASE WHEN c.small_micro THEN c.amount_fen ELSE 0 END)
		FROM procure_contracts c JOIN procure_projects p ON p.id = c.project_id WHERE `+cond+`
		GROUP BY c.department_id, SUBSTR(p.award_on, 1, 4) ORDER BY 2 DESC, 1`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []UnitFigures{}
	var depts []int64
	for rows.Next() {
		var f UnitFigures
		if err := rows.Scan(&f.DepartmentID, &f.Year, &f.Contracts, &f.BudgetFen, &f.AmountFen, &f.SMEFen, &f.SmallMicroFen); err != nil {
			return nil, err
		}
		f.SavingsFen = f.BudgetFen - f.AmountFen
		if f.BudgetFen > 0 {
			f.SavingsPct = round2(float64(f.SavingsFen) * 100 / float64(f.BudgetFen))
		}
		if f.AmountFen > 0 {
			f.SMEPct = round2(float64(f.SMEFen) * 100 / float64(f.AmountFen))
		}
		out = append(out, f)
		depts = append(depts, f.DepartmentID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names := s.deptNames(ctx, depts)
	for i := range out {
		out[i].Department = names[out[i].DepartmentID]
	}
	return out, nil
}
