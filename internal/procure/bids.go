package procure

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

// Bid is a supplier's registration and bid on a project.
type Bid struct {
	ID            int64   `json:"id"`
	ProjectID     int64   `json:"project_id"`
	EntityID      int64   `json:"entity_id"`
	Entity        string  `json:"entity"`
	USCC          string  `json:"uscc"`
	CreditResult  string  `json:"credit_result" enum:"pass,pass_with_conditions"`
	CreditCheckID int64   `json:"credit_check_id"`
	CommitmentID  int64   `json:"commitment_id,omitempty" doc:"the commitment that replaced certificates (credit module)"`
	SizeDeclared  string  `json:"size_declared" enum:"micro,small,medium,large"`
	SizeRegistry  string  `json:"size_registry"`
	BidKind       string  `json:"bid_kind" enum:"single,consortium"`
	PriceFen      int64   `json:"price_fen"`
	TechScore     float64 `json:"tech_score"`
	DeductionPct  int     `json:"deduction_pct"`
	EvaluatedFen  int64   `json:"evaluated_fen"`
	PriceScore    float64 `json:"price_score"`
	TotalScore    float64 `json:"total_score"`
	Rank          int     `json:"rank"`
	BlindCode     string  `json:"blind_code,omitempty" doc:"a blind project: the bid's code in the double-blind evaluation, known from procure's evaluation after the unmasking"`
}

// RegisterInput is a supplier's registration with its bid price and SME
// declaration (中小企业声明函).
type RegisterInput struct {
	PriceYuan    string `json:"price_yuan" doc:"the bid price in yuan"`
	SizeDeclared string `json:"size_declared" enum:"micro,small,medium,large" doc:"the size class the supplier declares"`
	BidKind      string `json:"bid_kind,omitempty" enum:"single,consortium" doc:"consortium: a consortium or subcontracting with small/micro firms"`
	Commit       bool   `json:"commit" doc:"sign a commitment instead of certificates (where the project allows)"`
	// Lots prices the lots bid on (a project with lots; price_yuan is then
	// their sum and may be left empty).
	Lots []LotBid `json:"lots,omitempty" doc:"a project with lots: the lots bid on, each with its price"`
	// ProjectManager is declared to bideval on a blind project (its leak
	// check looks for the name in the technical part).
	ProjectManager string `json:"project_manager,omitempty" doc:"a blind project: the project manager's name (the leak check looks for it in the technical part)"`
}

// ErrCreditDenied is the refusal of a supplier the credit check denies; its
// message carries the check's reasons (the record and its end date).
func creditDenied(res *credit.CheckResult) error {
	var zh, en []string
	for _, l := range res.Reasons {
		zh, en = append(zh, l.ZH), append(en, l.EN)
	}
	return yserr.New(yserr.Conflict, "信用核查未通过，不得参与本项目："+strings.Join(zh, "；"), "the credit check refuses this supplier: "+strings.Join(en, "; "))
}

// Register registers the caller's entity on an open project: the credit
// check (scene procurement) runs first and a denial is refused with its
// reasons; the SME declaration must match the registry's size class (or,
// when the registry has none, the industry thresholds for the figures it
// holds); on a project reserved in full only SMEs may register; a
// commitment instead of certificates is signed in the credit module when
// the project allows it and the check did not attach conditions.
func (s *Service) Register(ctx context.Context, projectID int64, in RegisterInput) (*Bid, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	if a.EntityID == 0 {
		return nil, yserr.Field("entity_id", "账户尚未绑定企业", "the account is bound to no entity")
	}
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if p.Status != ProjectOpen || (p.DrawProjectID != 0 && !p.Blind) {
		return nil, conflict("项目已截止报名", "the project no longer takes registrations")
	}
	if p.Blind && (p.DrawProjectID == 0 || s.Bideval == nil) {
		return nil, conflict("双盲评审的招标公告尚未发布，暂不能报名", "the double-blind tender notice is not published yet: no registration")
	}
	if p.Blind && strings.TrimSpace(in.PriceYuan) != "" {
		return nil, blindPriceRefusal()
	}
	var v yserr.Validation
	lotPrice, lotSum, err := lotPrices(p, in.Lots, in.SizeDeclared)
	if err != nil {
		return nil, err
	}
	price, ok := ParseYuan(in.PriceYuan)
	if lotPrice != nil {
		price, ok = lotSum, true
	}
	if p.Blind {
		price, ok = 0, true
	} else if !ok || price == 0 {
		v.Add("price_yuan", "报价应为正数（元，最多两位小数）", "the price must be a positive amount in yuan (at most 2 decimals)")
	}
	if !slices.Contains([]string{"micro", "small", "medium", "large"}, in.SizeDeclared) {
		v.Add("size_declared", "请声明企业规模", "declare the size class")
	}
	if in.BidKind == "" {
		in.BidKind = BidSingle
	}
	if in.BidKind != BidSingle && in.BidKind != BidConsortium {
		v.Add("bid_kind", "未知的投标形式", "unknown bid kind")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	sys := auth.WithActor(ctx, auth.System("procure"))
	e, err := s.Entities.Get(sys, a.EntityID)
	if err != nil {
		return nil, err
	}
	registry := string(e.SizeClass)
	if registry == "" && e.Employees != nil && e.RevenueWan != nil {
		assets := 0.0
		if e.AssetsWan != nil {
			assets = *e.AssetsWan
		}
		if sz, err := refdata.ClassifySize(e.IndustryCode, *e.Employees, *e.RevenueWan, assets); err == nil {
			registry = string(sz)
		}
	}
	if registry == "" {
		return nil, yserr.Field("size_declared", "登记信息中没有企业规模或划型指标，无法核验中小企业声明函，请先更新企业信息",
			"the registry holds no size class or figures to check the SME declaration against: update the entity first")
	}
	if registry != in.SizeDeclared {
		return nil, yserr.Field("size_declared", fmt.Sprintf("声明的企业规模（%s）与登记信息按行业划型标准（%s）不符", SizeLabel(in.SizeDeclared, "zh"), SizeLabel(registry, "zh")),
			fmt.Sprintf("the declared size (%s) differs from the registry's class under the industry thresholds (%s)", in.SizeDeclared, registry))
	}
	if p.SetAside == SetAsideFull && registry == "large" {
		return nil, yserr.Field("size_declared", "本项目专门面向中小企业采购，大型企业不得参加", "this project is reserved for SMEs: large enterprises may not take part")
	}
	res, err := s.Credit.Check(sys, credit.CheckInput{EntityID: a.EntityID, Scene: "procurement", Purpose: "procure:" + p.Code})
	if err != nil {
		return nil, err
	}
	if res.Result == credit.ResultDeny {
		return nil, creditDenied(res)
	}
	if in.Commit && (!p.CommitmentAllowed || res.Result == credit.ResultConditions) {
		return nil, yserr.Field("commit", "本项目或该供应商的信用状况不适用承诺代替证明，请提交证明材料", "a commitment cannot replace certificates on this project or for this supplier: submit the certificates")
	}
	b := &Bid{ProjectID: p.ID, EntityID: e.ID, Entity: e.Name, USCC: e.USCC, CreditResult: res.Result, CreditCheckID: res.ID, SizeDeclared: in.SizeDeclared,
		SizeRegistry: registry, BidKind: in.BidKind, PriceFen: price}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if in.Commit {
			c, err := s.Credit.Sign(auth.WithActor(ctx, auth.System("procure")), credit.CommitmentInput{EntityID: e.ID, DepartmentID: p.DepartmentID, Kind: "instead_of_certificate", Process: "procure:" + p.Code,
				Text: "本单位承诺所报资格条件属实，以承诺代替证明材料；如有不实，愿承担相应责任并记入信用记录。"})
			if err != nil {
				return err
			}
			b.CommitmentID = c.ID
		}
		err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO procure_bids (project_id, entity_id, credit_result, credit_check_id, commitment_id, size_declared, size_registry, bid_kind, price_fen, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, b.ProjectID, b.EntityID, b.CreditResult, b.CreditCheckID, b.CommitmentID, b.SizeDeclared,
			b.SizeRegistry, b.BidKind, b.PriceFen, userID(a), s.now()).Scan(&b.ID)
		if err != nil {
			if db.IsUnique(err) {
				return conflict("本单位已报名该项目", "your entity is registered on this project already")
			}
			return err
		}
		if p.Blind {
			if err := s.registerBlind(ctx, p, in.ProjectManager); err != nil {
				return err
			}
		}
		for _, l := range p.Lots {
			if pr, ok := lotPrice[l.No]; ok {
				if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO procure_bid_lots (bid_id, project_id, lot_no, price_fen) VALUES ($1, $2, $3, $4)", b.ID, p.ID, l.No, pr); err != nil {
					return err
				}
			}
		}
		return s.Audit.Record(ctx, "procure.bid.register", "procure_bid", idStr(b.ID), nil, map[string]any{"bid": b, "lots": in.Lots}, "")
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

const bidCols = `id, project_id, entity_id, credit_result, credit_check_id, commitment_id, size_declared, size_registry, bid_kind, price_fen, tech_score,
	deduction_pct, evaluated_fen, price_score, total_score, rank, blind_code`

func (s *Service) bids(ctx context.Context, cond string, args ...any) ([]Bid, error) {
	out, ids, err := s.bidRows(ctx, cond, args...)
	if err != nil {
		return nil, err
	}
	refs, err := s.Entities.Refs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Entity, out[i].USCC = refs[out[i].EntityID].Name, refs[out[i].EntityID].USCC
	}
	return out, nil
}

// bidRows reads bids without naming their entities; it returns the
// entity ids to name (the OCDS export names a page's bids and contracts in
// one look-up).
func (s *Service) bidRows(ctx context.Context, cond string, args ...any) ([]Bid, []int64, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT "+bidCols+" FROM procure_bids WHERE "+cond+" ORDER BY CASE WHEN rank = 0 THEN 1 ELSE 0 END, rank, id", args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := []Bid{}
	var ids []int64
	for rows.Next() {
		var b Bid
		if err := rows.Scan(&b.ID, &b.ProjectID, &b.EntityID, &b.CreditResult, &b.CreditCheckID, &b.CommitmentID, &b.SizeDeclared, &b.SizeRegistry, &b.BidKind,
			&b.PriceFen, &b.TechScore, &b.DeductionPct, &b.EvaluatedFen, &b.PriceScore, &b.TotalScore, &b.Rank, &b.BlindCode); err != nil {
			return nil, nil, err
		}
		out = append(out, b)
		ids = append(ids, b.EntityID)
	}
	return out, ids, rows.Err()
}

// Bids lists a project's bids: the project's unit, the finance bureau and
// readers see all; a supplier only its own; the public the ranked results
// after the award (PublicResults).
func (s *Service) Bids(ctx context.Context, projectID int64) ([]Bid, error) {
	a := auth.From(ctx)
	if a == nil {
		return nil, yserr.ErrUnauthorized()
	}
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if a.Has(auth.Enterprise) && !a.Has(auth.DeptAdmin, auth.DeptStaff, auth.PlatformAdmin, auth.Supervisor) {
		return s.bids(ctx, "project_id = $1 AND entity_id = $2", p.ID, a.EntityID)
	}
	fin, err := s.IsFinance(ctx, a)
	if err != nil {
		return nil, err
	}
	if !fin && !a.InScope(p.DepartmentID) && !a.Has(auth.Supervisor) {
		return nil, notFound("采购项目", "project")
	}
	return s.bids(ctx, "project_id = $1", p.ID)
}

// MyBids lists the caller's entity's bids (enterprise).
func (s *Service) MyBids(ctx context.Context) ([]Bid, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	return s.bids(ctx, "entity_id = $1", a.EntityID)
}

// PublicResults is a project's ranked bids with score details, published
// after the award (empty before).
func (s *Service) PublicResults(ctx context.Context, projectID int64) ([]Bid, error) {
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if p.Status != ProjectAwarded {
		return []Bid{}, nil
	}
	return s.bids(ctx, "project_id = $1", p.ID)
}

// ScoreInput gives the committee's technical points per bid (comprehensive
// scoring; the committee's averaged sheet).
type ScoreInput struct {
	Tech []TechPoints `json:"tech,omitempty" doc:"comprehensive scoring without a drawn committee: every bid's technical and other points (0 .. 100 − price weight)"`
	// Sheets are the drawn committee's sheets, one per member without an
	// expert account (members with one score in the platform themselves).
	Sheets []ExpertSheet `json:"sheets,omitempty" doc:"comprehensive scoring with a committee drawn by the draw module: the points for every bid of every member who does not score in the platform (online: false); the locked sheets of the others are taken as they are; the technical score is the mean of all"`
}

// TechPoints is one bid's technical and other points.
type TechPoints struct {
	BidID  int64   `json:"bid_id"`
	Points float64 `json:"points"`
}

// EvaluateBids records the committee's technical points, applies the price
// deduction and the evaluation method, and stores every bid's scores and
// rank (staff of the project's unit). At least one bid is needed.
func (s *Service) EvaluateBids(ctx context.Context, projectID int64, in ScoreInput) ([]Bid, error) {
	_, p, err := s.projectForStaff(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if p.Status != ProjectOpen && p.Status != ProjectEvaluated {
		return nil, conflict("项目已确定成交，不能重新评审", "the project is awarded: no new evaluation")
	}
	if len(p.Lots) > 0 {
		return nil, conflict("本项目分包采购，请逐包评审", "this project has lots: evaluate each lot")
	}
	if p.Blind {
		return s.evaluateBlind(ctx, p)
	}
	bids, err := s.bids(ctx, "project_id = $1", p.ID)
	if err != nil {
		return nil, err
	}
	if len(bids) == 0 {
		return nil, conflict("没有报名的供应商", "no supplier registered")
	}
	maxTech := float64(100 - p.PriceWeight)
	ids := make([]int64, len(bids))
	for i, b := range bids {
		ids[i] = b.ID
	}
	sheets, err := s.committeeTech(ctx, p, 0, ids, &in, maxTech)
	if err != nil {
		return nil, err
	}
	inputs := make([]BidInput, len(bids))
	for i, b := range bids {
		j := slices.IndexFunc(in.Tech, func(x TechPoints) bool { return x.BidID == b.ID })
		t := 0.0
		if j >= 0 {
			t = in.Tech[j].Points
		}
		if p.EvalMethod == EvalComprehensive {
			if j < 0 || t < 0 || t > maxTech {
				return nil, yserr.Field("tech", fmt.Sprintf("投标 %d 的技术及其他得分须在0-%g之间", b.ID, maxTech), fmt.Sprintf("bid %d needs technical points between 0 and %g", b.ID, maxTech))
			}
		}
		sm := b.SizeRegistry == "small" || b.SizeRegistry == "micro"
		inputs[i] = BidInput{ID: b.ID, PriceFen: b.PriceFen, Tech: t, SmallOrMicro: sm, Kind: b.BidKind}
	}
	scored := Evaluate(p.EvalMethod, p.PriceWeight, p.DeductionPct, p.ConsortiumPct, inputs)
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		if sheets != nil {
			if _, err := q.Exec(ctx, "DELETE FROM procure_expert_scores WHERE project_id = $1", p.ID); err != nil {
				return err
			}
			for expert, sheet := range sheets {
				for bid, pts := range sheet {
					if _, err := q.Exec(ctx, "INSERT INTO procure_expert_scores (project_id, bid_id, expert_id, points) VALUES ($1, $2, $3, $4)",
						p.ID, bid, expert, pts); err != nil {
						return err
					}
				}
			}
		}
		for i, sc := range scored {
			if _, err := q.Exec(ctx, `UPDATE procure_bids SET tech_score = $1, deduction_pct = $2, evaluated_fen = $3, price_score = $4, total_score = $5, rank = $6 WHERE id = $7`,
				inputs[i].Tech, sc.DeductionPct, sc.EvaluatedFen, sc.PriceScore, sc.Total, sc.Rank, sc.ID); err != nil {
				return err
			}
		}
		n, err := q.Exec(ctx, "UPDATE procure_projects SET status = 'evaluated', version = version + 1 WHERE id = $1 AND version = $2", p.ID, p.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("项目已被修改，请刷新", "the project changed meanwhile: reload")
		}
		return s.Audit.Record(ctx, "procure.project.evaluate", "procure_project", idStr(p.ID), nil, scored, "")
	})
	if err != nil {
		return nil, err
	}
	return s.bids(ctx, "project_id = $1", p.ID)
}
