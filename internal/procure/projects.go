package procure

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/scope"
	"yingshang/internal/yserr"
)

// Project statuses.
const (
	ProjectOpen      = "open"
	ProjectEvaluated = "evaluated"
	ProjectAwarded   = "awarded"
)

// Lot is one lot (标段/包) of a project: what it buys and its own SME
// set-aside decision and price deductions (lots.go; the project's when not
// given).
type Lot struct {
	No        int    `json:"no"`
	Title     string `json:"title"`
	BudgetFen int64  `json:"budget_fen"`
	LotTerms
}

// Project is a procurement project.
type Project struct {
	ID                int64  `json:"id"`
	Code              string `json:"code"`
	DepartmentID      int64  `json:"department_id"`
	Department        string `json:"department"`
	Title             string `json:"title"`
	Method            string `json:"method"`
	Kind              string `json:"kind"`
	CategoryCode      string `json:"category_code"`
	BudgetFen         int64  `json:"budget_fen"`
	SetAside          string `json:"set_aside"`
	SetAsideShare     int    `json:"set_aside_share,omitempty"`
	SmallMicroShare   int    `json:"small_micro_share,omitempty"`
	SetAsideReason    string `json:"set_aside_reason,omitempty"`
	EvalMethod        string `json:"eval_method"`
	PriceWeight       int    `json:"price_weight,omitempty"`
	DeductionPct      int    `json:"deduction_pct"`
	ConsortiumPct     int    `json:"consortium_pct"`
	CommitmentAllowed bool   `json:"commitment_allowed"`
	CommitteeSize     int    `json:"committee_size"`
	PoolID            int64  `json:"pool_id,omitempty"`
	DrawProjectID     int64  `json:"draw_project_id,omitempty" doc:"the draw module's project of the evaluation committee (a blind project: also bideval's evaluation)"`
	Blind             bool   `json:"blind" doc:"bids go through bideval's double-blind flow (blind.go)"`
	Lots              []Lot  `json:"lots"`
	Status            string `json:"status" enum:"open,evaluated,awarded"`
	AwardOn           string `json:"award_on,omitempty"`
	WinnerBidID       int64  `json:"winner_bid_id,omitempty"`
	AwardFen          int64  `json:"award_fen,omitempty"`
	SavingsFen        int64  `json:"savings_fen,omitempty" doc:"budget − award, after the award"`
	Version           int    `json:"version"`
}

// ProjectInput is a new project. For a pooled project give pool_id: the
// caller must be the group's lead unit, and category and budget come from
// the group's confirmed lines.
type ProjectInput struct {
	Title        string `json:"title"`
	Method       string `json:"method" enum:"open_tender,invited_tender,competitive_negotiation,competitive_consultation,inquiry,single_source,framework"`
	CategoryCode string `json:"category_code,omitempty"`
	BudgetYuan   string `json:"budget_yuan,omitempty"`
	PoolID       int64  `json:"pool_id,omitempty"`
	SetAsideInput
	EvalMethod        string `json:"eval_method" enum:"lowest_price,comprehensive"`
	PriceWeight       int    `json:"price_weight,omitempty" doc:"comprehensive scoring: price points of 100 (goods >= 30, services >= 10)"`
	DeductionPct      int    `json:"deduction_pct,omitempty" doc:"small/micro price deduction 10-20 (0 when reserved in full)"`
	ConsortiumPct     int    `json:"consortium_pct,omitempty" doc:"consortium/subcontracting deduction 4-6 (0 when reserved in full)"`
	CommitmentAllowed bool   `json:"commitment_allowed" doc:"a signed commitment replaces certificates"`
	CommitteeSize     int    `json:"committee_size,omitempty" doc:"odd, >= 5 (>= 7 at a budget of 10 million yuan); default the minimum"`
	Lots              []Lot  `json:"lots,omitempty"`
	Blind             bool   `json:"blind,omitempty" doc:"double-blind evaluation through module bideval: 公开招标 or 竞争性磋商 with comprehensive scoring, no lots, not pooled"`
}

const projectCols = `id, code, department_id, title, method, kind, category_code, budget_fen, set_aside, set_aside_share, small_micro_share, set_aside_reason,
	eval_method, price_weight, deduction_pct, consortium_pct, commitment_allowed, committee_size, COALESCE(pool_id, 0), lots_json, status, award_on,
	COALESCE(winner_bid_id, 0), award_fen, version, COALESCE(draw_project_id, 0), blind`

func scanProject(r db.Row) (*Project, error) {
	var p Project
	var lots string
	err := r.Scan(&p.ID, &p.Code, &p.DepartmentID, &p.Title, &p.Method, &p.Kind, &p.CategoryCode, &p.BudgetFen, &p.SetAside, &p.SetAsideShare, &p.SmallMicroShare,
		&p.SetAsideReason, &p.EvalMethod, &p.PriceWeight, &p.DeductionPct, &p.ConsortiumPct, &p.CommitmentAllowed, &p.CommitteeSize, &p.PoolID, &lots, &p.Status,
		&p.AwardOn, &p.WinnerBidID, &p.AwardFen, &p.Version, &p.DrawProjectID, &p.Blind)
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(lots), &p.Lots)
	defaultLotTerms(&p)
	if p.Status == ProjectAwarded {
		p.SavingsFen = p.BudgetFen - p.AwardFen
	}
	return &p, nil
}

// CreateProject creates a project of the caller's unit (for a pooled
// project, the lead unit's). The set-aside decision is mandatory and checked
// against the rules; the evaluation settings, the price deduction and the
// committee size against the law. One transaction.
func (s *Service) CreateProject(ctx context.Context, in ProjectInput) (*Project, error) {
	a, err := unitActor(ctx)
	if err != nil {
		return nil, err
	}
	in.Title, in.CategoryCode = strings.TrimSpace(in.Title), strings.ToUpper(strings.TrimSpace(in.CategoryCode))
	var pool *Pool
	dept := a.DepartmentID
	var budget int64
	if in.PoolID != 0 {
		pool, err = s.Pool(ctx, in.PoolID)
		if err != nil {
			return nil, err
		}
		if pool.Status != PoolConfirmed || pool.LeadDepartmentID == 0 {
			return nil, yserr.Field("pool_id", "拼单组须经各单位确认并由财政部门指定牵头单位", "the group must be confirmed and have a lead unit named by the finance bureau")
		}
		if !a.InScope(pool.LeadDepartmentID) {
			return nil, yserr.New(yserr.Forbidden, "仅牵头单位可编制拼单项目的采购文件", "only the lead unit writes the pooled project's file")
		}
		dept, in.CategoryCode, budget = pool.LeadDepartmentID, pool.CategoryCode, pool.BudgetFen
	}
	var v yserr.Validation
	if in.Title == "" {
		v.Add("title", "请填写项目名称", "enter the title")
	}
	if !slices.Contains(Methods, in.Method) {
		v.Add("method", "请选择采购方式", "choose the procurement method")
	}
	checkCategory(&v, in.CategoryCode)
	if pool == nil {
		b, ok := ParseYuan(in.BudgetYuan)
		if !ok || b == 0 {
			v.Add("budget_yuan", "预算金额应为正数（元，最多两位小数）", "the budget must be a positive amount in yuan (at most 2 decimals)")
		}
		budget = b
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	kind := KindOf(in.CategoryCode)
	if in.Method == "framework" && in.Decision == "" {
		in.Decision, in.Exception = SetAsideNone, "framework"
	}
	if err := CheckSetAside(s.SetAside, kind, budget, in.SetAsideInput); err != nil {
		return nil, err
	}
	if in.Decision != SetAsidePartial {
		in.SharePct, in.SmallMicroPct = 0, 0
	}
	if in.Decision != SetAsideNone {
		in.Exception = ""
	}
	switch in.EvalMethod {
	case EvalLowestPrice:
		in.PriceWeight = 0
	case EvalComprehensive:
		if min := MinPriceWeight(kind); in.PriceWeight < min || in.PriceWeight > 100 {
			v.Add("price_weight", fmt.Sprintf("综合评分法的价格分值占总分值的比重不得低于%d%%（财政部令第87号第五十五条）", min),
				fmt.Sprintf("the price weight of comprehensive scoring must be at least %d%% (MoF Order 87 Art. 55)", min))
		}
	default:
		v.Add("eval_method", "请选择评审方法", "choose the evaluation method")
	}
	if err := CheckDeduction(in.Decision, in.DeductionPct, in.ConsortiumPct); err != nil {
		v.AddErr("deduction_pct", err)
	}
	if in.CommitteeSize == 0 {
		in.CommitteeSize = CommitteeSize(budget)
	}
	if err := CheckCommittee(budget, in.CommitteeSize); err != nil {
		v.AddErr("committee_size", err)
	}
	if in.Blind {
		s.checkBlind(&v, in)
	}
	if len(in.Lots) > 0 {
		checkLots(&v, s.SetAside, kind, budget, in.SetAsideInput, in.DeductionPct, in.ConsortiumPct, in.Lots)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if dept == 0 {
		return nil, yserr.Field("department_id", "账户未归属采购单位", "the account belongs to no purchasing unit")
	}
	if in.Lots == nil {
		in.Lots = []Lot{}
	}
	lots, _ := json.Marshal(in.Lots)
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		var n int64
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM procure_projects").Scan(&n); err != nil {
			return err
		}
		code := fmt.Sprintf("ZC-%d-%05d", s.today().Year(), n+1)
		var poolID any
		if pool != nil {
			poolID = pool.ID
		}
		if err := q.QueryRow(ctx, `INSERT INTO procure_projects (code, department_id, title, method, kind, category_code, budget_fen, set_aside, set_aside_share,
			small_micro_share, set_aside_reason, eval_method, price_weight, deduction_pct, consortium_pct, commitment_allowed, committee_size, pool_id, lots_json,
			created_by, created_at, blind) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING id`,
			code, dept, in.Title, in.Method, kind, in.CategoryCode, budget, in.Decision, in.SharePct, in.SmallMicroPct, in.Exception, in.EvalMethod,
			in.PriceWeight, in.DeductionPct, in.ConsortiumPct, in.CommitmentAllowed, in.CommitteeSize, poolID, string(lots), userID(a), s.now(), in.Blind).Scan(&id); err != nil {
			return err
		}
		if pool != nil {
			n, err := q.Exec(ctx, "UPDATE procure_pools SET status = 'project', project_id = $1, version = version + 1 WHERE id = $2 AND status = 'confirmed'", id, pool.ID)
			if err != nil {
				return err
			}
			if n == 0 {
				return conflict("拼单组已立项", "the group has a project already")
			}
			if _, err := q.Exec(ctx, `UPDATE procure_plans SET status = 'project', project_id = $1, version = version + 1
				WHERE pool_id = $2 AND status = 'pooled'`, id, pool.ID); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "procure.project.create", "procure_project", idStr(id), nil, in, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Project(ctx, id)
}

// Project returns a project: staff in the department scope, the finance
// bureau, readers; an enterprise and the public see projects as announced
// (every project is public once created).
func (s *Service) Project(ctx context.Context, id int64) (*Project, error) {
	p, err := scanProject(s.DB.Q(ctx).QueryRow(ctx, "SELECT "+projectCols+" FROM procure_projects WHERE id = $1", id))
	if db.IsNoRows(err) {
		return nil, notFound("采购项目", "project")
	}
	if err != nil {
		return nil, err
	}
	p.Department = s.deptNames(ctx, []int64{p.DepartmentID})[p.DepartmentID]
	return p, nil
}

// Projects lists projects newest first: mine=true limits them to the
// caller's department scope (the finance bureau and readers: all).
func (s *Service) Projects(ctx context.Context, mine bool, limit int) ([]Project, error) {
	cond, args := "(1 = 1)", []any{}
	if mine {
		a, err := unitOrReader(ctx)
		if err != nil {
			return nil, err
		}
		if cond, args, err = s.deptCond(ctx, a, "department_id", nil); err != nil {
			return nil, err
		}
	}
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf("SELECT %s FROM procure_projects WHERE %s ORDER BY id DESC LIMIT %d", projectCols, cond, limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Project{}
	var ids []int64
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
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

// projectForStaff loads a project the caller's unit may change: staff in
// the project department's scope (NotFound otherwise).
func (s *Service) projectForStaff(ctx context.Context, id int64) (*auth.Actor, *Project, error) {
	a, err := unitActor(ctx)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Project(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !a.InScope(p.DepartmentID) && !scope.All(a) {
		return nil, nil, notFound("采购项目", "project")
	}
	return a, p, nil
}
