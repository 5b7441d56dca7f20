package procure

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Lots (标段/包): on a project with lots a supplier's registration (the
// credit check and the SME declaration, once) bids on one or more lots,
// each with its own price; every lot is evaluated and awarded on its own
// (the project's method, price weight and deductions apply per lot), with
// one contract per lot and winner. The project is awarded when its last
// lot is; its award amount is the lots' sum. A project without lots is one
// lot and keeps EvaluateBids and Award (migration 4).

// LotTerms are what a lot buys and its SME rules: its own set-aside
// decision (财库〔2020〕46号 Art. 8: a lot may be reserved in full for SMEs,
// 设置采购包专门面向中小企业采购) and price deductions. Left empty they are
// the project's; a lot not reserved in full without deduction rates takes
// the project's rates.
type LotTerms struct {
	BudgetYuan      string `json:"budget_yuan,omitempty" doc:"input: the lot's budget in yuan (instead of budget_fen)"`
	Quantity        int64  `json:"quantity,omitempty" doc:"how many units the lot buys (0: not counted)"`
	Spec            string `json:"spec,omitempty" doc:"specification of what the lot buys"`
	SetAside        string `json:"set_aside,omitempty" enum:"full,partial,none" doc:"the lot's set-aside decision (default: the project's)"`
	SetAsideShare   int    `json:"set_aside_share,omitempty" doc:"partial: percent of the lot's budget reserved"`
	SmallMicroShare int    `json:"small_micro_share,omitempty" doc:"partial: percent of the reserved share for small and micro enterprises"`
	SetAsideReason  string `json:"set_aside_reason,omitempty" doc:"none: the exception of 财库〔2020〕46号 Art. 6"`
	DeductionPct    int    `json:"deduction_pct" doc:"small/micro price deduction on the lot (10-20; 0 when reserved in full)"`
	ConsortiumPct   int    `json:"consortium_pct" doc:"consortium/subcontracting deduction on the lot (4-6; 0 when reserved in full)"`
}

// setAsideInput is the lot's decision as the rules check it.
func (t LotTerms) setAsideInput() SetAsideInput {
	return SetAsideInput{Decision: t.SetAside, SharePct: t.SetAsideShare, SmallMicroPct: t.SmallMicroShare, Exception: t.SetAsideReason}
}

// defaultLotTerms gives lots stored without their own decision (before
// session 7) the project's decision and rates.
func defaultLotTerms(p *Project) {
	for i := range p.Lots {
		l := &p.Lots[i]
		if l.SetAside == "" {
			l.SetAside, l.SetAsideShare, l.SmallMicroShare, l.SetAsideReason = p.SetAside, p.SetAsideShare, p.SmallMicroShare, p.SetAsideReason
			l.DeductionPct, l.ConsortiumPct = p.DeductionPct, p.ConsortiumPct
		}
	}
}

// checkLots checks and completes a project's lots (numbered from 1 in
// order): title, budget (budget_yuan when given), quantity; each lot's
// set-aside decision, the project's by default, checked against the rules
// of the project's kind and budget (the thresholds of 财库〔2020〕46号 apply
// to the project); its deductions as the law wants them for its decision.
// Then the lots against the project: the budgets add up to it; a project
// reserved in full has every lot reserved in full; a project with a
// reserved share reaches it through its lots (lots reserved in full count
// whole, partial lots their share). Errors name lots.<n>.<field>.
func checkLots(v *yserr.Validation, rules []SetAsideRule, kind string, budget int64, proj SetAsideInput, dedPct, consPct int, lots []Lot) {
	var sum, reserved int64 // reserved: Σ budget × percent reserved
	for i := range lots {
		l := &lots[i]
		n := i + 1
		l.No = n
		f := func(name string) string { return fmt.Sprintf("lots.%d.%s", n, name) }
		add := func(name string, err error) {
			if err == nil {
				return
			}
			zh, en := yserr.Texts(err)
			for _, fe := range fieldErrs(err) {
				v.Add(f(fe.Field), fmt.Sprintf("第%d包：%s", n, fe.ZH), fmt.Sprintf("lot %d: %s", n, fe.EN))
			}
			if len(fieldErrs(err)) == 0 {
				v.Add(f(name), fmt.Sprintf("第%d包：%s", n, zh), fmt.Sprintf("lot %d: %s", n, en))
			}
		}
		l.Title, l.Spec = strings.TrimSpace(l.Title), strings.TrimSpace(l.Spec)
		if l.Title == "" {
			v.Add(f("title"), fmt.Sprintf("第%d包：请填写包名称", n), fmt.Sprintf("lot %d: enter the title", n))
		}
		if l.BudgetYuan != "" {
			b, ok := ParseYuan(l.BudgetYuan)
			if !ok {
				b = 0
			}
			l.BudgetFen, l.BudgetYuan = b, ""
		}
		if l.BudgetFen <= 0 {
			v.Add(f("budget_yuan"), fmt.Sprintf("第%d包：预算应为正数（元，最多两位小数）", n), fmt.Sprintf("lot %d: the budget must be a positive amount in yuan (at most 2 decimals)", n))
		}
		if l.Quantity < 0 {
			v.Add(f("quantity"), fmt.Sprintf("第%d包：数量不能为负", n), fmt.Sprintf("lot %d: the quantity cannot be negative", n))
		}
		if l.SetAside == "" {
			l.SetAside, l.SetAsideShare, l.SmallMicroShare, l.SetAsideReason = proj.Decision, proj.SharePct, proj.SmallMicroPct, proj.Exception
		}
		if l.SetAside != SetAsidePartial {
			l.SetAsideShare, l.SmallMicroShare = 0, 0
		}
		if l.SetAside != SetAsideNone {
			l.SetAsideReason = ""
		}
		if l.SetAside != SetAsideFull && l.DeductionPct == 0 && l.ConsortiumPct == 0 {
			l.DeductionPct, l.ConsortiumPct = dedPct, consPct
		}
		if err := CheckSetAside(rules, kind, budget, l.setAsideInput()); err != nil {
			add("set_aside", err)
			continue
		}
		if err := CheckDeduction(l.SetAside, l.DeductionPct, l.ConsortiumPct); err != nil {
			add("deduction_pct", err)
		}
		if proj.Decision == SetAsideFull && l.SetAside != SetAsideFull {
			v.Add(f("set_aside"), fmt.Sprintf("第%d包：项目整体专门面向中小企业采购，各包均须专门面向中小企业", n),
				fmt.Sprintf("lot %d: the project is reserved in full for SMEs, so is every lot", n))
		}
		sum += l.BudgetFen
		switch l.SetAside {
		case SetAsideFull:
			reserved += l.BudgetFen * 100
		case SetAsidePartial:
			reserved += l.BudgetFen * int64(l.SetAsideShare)
		}
	}
	if v.Err() != nil {
		return
	}
	if sum != budget {
		v.Add("lots", fmt.Sprintf("各包预算之和（%s元）须等于项目预算（%s元）", Yuan(sum), Yuan(budget)),
			fmt.Sprintf("the lots' budgets (%s yuan) must add up to the project budget (%s yuan)", Yuan(sum), Yuan(budget)))
		return
	}
	if proj.Decision == SetAsidePartial && reserved < budget*int64(proj.SharePct) {
		pct := float64(reserved) / float64(budget)
		v.Add("lots", fmt.Sprintf("各包预留给中小企业的金额合计%s元，占项目预算%.1f%%，低于项目的预留比例%d%%（财库〔2020〕46号第八条）", Yuan(reserved/100), pct, proj.SharePct),
			fmt.Sprintf("the lots reserve %s yuan for SMEs, %.1f%% of the budget, below the project's share of %d%% (财库〔2020〕46号 Art. 8)", Yuan(reserved/100), pct, proj.SharePct))
	}
}

// fieldErrs returns the field errors an error carries (one for a plain
// field error).
func fieldErrs(err error) []yserr.FieldError {
	e := yserr.As(err)
	if e == nil {
		return nil
	}
	if len(e.Fields) > 0 {
		return e.Fields
	}
	if e.Field != "" {
		return []yserr.FieldError{{Field: e.Field, ZH: e.ZH, EN: e.EN}}
	}
	return nil
}

// SetLots replaces a project's lots (staff of the project's unit) while it
// is open and before any supplier registered: the lots checked as at
// creation (checkLots); none makes it a project without lots. A pooled
// project has no lots (its contracts are split per unit). One transaction
// with its audit event.
func (s *Service) SetLots(ctx context.Context, projectID int64, lots []Lot) (*Project, error) {
	_, p, err := s.projectForStaff(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if p.Status != ProjectOpen || p.DrawProjectID != 0 {
		return nil, conflict("项目已截止报名，不能再改分包", "the project no longer takes registrations: its lots cannot change")
	}
	if p.Blind && len(lots) > 0 {
		return nil, yserr.Field("lots", "双盲评审的项目不分包", "a project with double-blind evaluation has no lots")
	}
	if p.PoolID != 0 && len(lots) > 0 {
		return nil, yserr.Field("lots", "拼单项目按单位签订合同，不分包", "a pooled project is split per unit, not into lots")
	}
	var v yserr.Validation
	if len(lots) > 0 {
		checkLots(&v, s.SetAside, p.Kind, p.BudgetFen, SetAsideInput{Decision: p.SetAside, SharePct: p.SetAsideShare, SmallMicroPct: p.SmallMicroShare, Exception: p.SetAsideReason},
			p.DeductionPct, p.ConsortiumPct, lots)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if lots == nil {
		lots = []Lot{}
	}
	data, _ := json.Marshal(lots)
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		var bids int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM procure_bids WHERE project_id = $1", p.ID).Scan(&bids); err != nil {
			return err
		}
		if bids > 0 {
			return conflict(fmt.Sprintf("已有%d家供应商报名，不能再改分包", bids), fmt.Sprintf("%d suppliers have registered: the lots cannot change", bids))
		}
		n, err := q.Exec(ctx, "UPDATE procure_projects SET lots_json = $1, version = version + 1 WHERE id = $2 AND version = $3 AND status = 'open'", string(data), p.ID, p.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("项目已被修改，请刷新", "the project changed meanwhile: reload")
		}
		return s.Audit.Record(ctx, "procure.lots.set", "procure_project", idStr(p.ID), p.Lots, lots, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Project(ctx, p.ID)
}

// LotBid is a supplier's price for one lot.
type LotBid struct {
	LotNo     int    `json:"lot_no"`
	PriceYuan string `json:"price_yuan" doc:"the bid price for the lot in yuan"`
}

// LotResult is one bid on one lot with its scores.
type LotResult struct {
	LotNo        int     `json:"lot_no"`
	BidID        int64   `json:"bid_id"`
	EntityID     int64   `json:"entity_id"`
	Entity       string  `json:"entity"`
	SizeRegistry string  `json:"size_registry"`
	BidKind      string  `json:"bid_kind"`
	PriceFen     int64   `json:"price_fen"`
	TechScore    float64 `json:"tech_score"`
	DeductionPct int     `json:"deduction_pct"`
	EvaluatedFen int64   `json:"evaluated_fen"`
	PriceScore   float64 `json:"price_score"`
	TotalScore   float64 `json:"total_score"`
	Rank         int     `json:"rank"`
	Awarded      bool    `json:"awarded"`
}

// lotPrices checks a registration's lot prices against the project: none
// on a project without lots; on one with lots at least one, each lot of
// the project once, every price positive. It returns the prices by lot and
// their sum.
func lotPrices(p *Project, in []LotBid, size string) (map[int]int64, int64, error) {
	if len(p.Lots) == 0 {
		if len(in) > 0 {
			return nil, 0, yserr.Field("lots", "本项目不分包", "this project has no lots")
		}
		return nil, 0, nil
	}
	if len(in) == 0 {
		return nil, 0, yserr.Field("lots", "本项目分包采购，请选择投标的包并报价", "this project has lots: choose the lots you bid on and price them")
	}
	out := map[int]int64{}
	var sum int64
	for _, l := range in {
		if !slices.ContainsFunc(p.Lots, func(x Lot) bool { return x.No == l.LotNo }) {
			return nil, 0, yserr.Field("lots", fmt.Sprintf("本项目没有第%d包", l.LotNo), fmt.Sprintf("this project has no lot %d", l.LotNo))
		}
		if _, dup := out[l.LotNo]; dup {
			return nil, 0, yserr.Field("lots", fmt.Sprintf("第%d包重复报价", l.LotNo), fmt.Sprintf("lot %d is priced twice", l.LotNo))
		}
		if lot, _ := lotOf(p, l.LotNo); lot.SetAside == SetAsideFull && size == "large" {
			return nil, 0, yserr.Field("lots", fmt.Sprintf("第%d包专门面向中小企业采购，大型企业不得投标", l.LotNo), fmt.Sprintf("lot %d is reserved for SMEs: large enterprises may not bid on it", l.LotNo))
		}
		price, ok := ParseYuan(l.PriceYuan)
		if !ok || price == 0 {
			return nil, 0, yserr.Field("lots", fmt.Sprintf("第%d包报价应为正数（元，最多两位小数）", l.LotNo), fmt.Sprintf("the price of lot %d must be a positive amount in yuan (at most 2 decimals)", l.LotNo))
		}
		out[l.LotNo] = price
		sum += price
	}
	return out, sum, nil
}

func lotOf(p *Project, no int) (Lot, error) {
	for _, l := range p.Lots {
		if l.No == no {
			return l, nil
		}
	}
	if len(p.Lots) == 0 {
		return Lot{}, conflict("本项目不分包", "this project has no lots")
	}
	return Lot{}, notFound("包", "lot")
}

// lotResults reads the bids on a project's lots (one lot when lotNo > 0),
// by lot, then rank (unranked last), then bid.
func (s *Service) lotResults(ctx context.Context, projectID int64, lotNo int, entityID int64) ([]LotResult, error) {
	cond, args := "l.project_id = $1", []any{projectID}
	if lotNo > 0 {
		args = append(args, lotNo)
		cond += fmt.Sprintf(" AND l.lot_no = $%d", len(args))
	}
	if entityID != 0 {
		args = append(args, entityID)
		cond += fmt.Sprintf(" AND b.entity_id = $%d", len(args))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT l.lot_no, l.bid_id, b.entity_id, b.size_registry, b.bid_kind, l.price_fen, l.tech_score, l.deduction_pct, l.evaluated_fen,
		l.price_score, l.total_score, l.rank, CASE WHEN a.bid_id = l.bid_id THEN 1 ELSE 0 END
		FROM procure_bid_lots l JOIN procure_bids b ON b.id = l.bid_id
		LEFT JOIN procure_lot_awards a ON a.project_id = l.project_id AND a.lot_no = l.lot_no
		WHERE `+cond+` ORDER BY l.lot_no, CASE WHEN l.rank = 0 THEN 1 ELSE 0 END, l.rank, l.bid_id`, args...)
	if err != nil {
		return nil, err
	}
	out := []LotResult{}
	var ids []int64
	for rows.Next() {
		var r LotResult
		var awarded int
		if err := rows.Scan(&r.LotNo, &r.BidID, &r.EntityID, &r.SizeRegistry, &r.BidKind, &r.PriceFen, &r.TechScore, &r.DeductionPct, &r.EvaluatedFen,
			&r.PriceScore, &r.TotalScore, &r.Rank, &awarded); err != nil {
			rows.Close()
			return nil, err
		}
		r.Awarded = awarded == 1
		out = append(out, r)
		ids = append(ids, r.EntityID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	refs, err := s.Entities.Refs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Entity = refs[out[i].EntityID].Name
	}
	return out, nil
}

// LotResults lists the bids on a project's lots with their scores: the
// project's unit, the finance bureau and supervisors always; a supplier
// its own; everyone after the award.
func (s *Service) LotResults(ctx context.Context, projectID int64) ([]LotResult, error) {
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if p.Status == ProjectAwarded {
		return s.lotResults(ctx, p.ID, 0, 0)
	}
	a := auth.From(ctx)
	if a == nil {
		return []LotResult{}, nil
	}
	fin, err := s.IsFinance(ctx, a)
	if err != nil {
		return nil, err
	}
	if fin || a.Has(auth.Supervisor) || (a.Has(auth.DeptAdmin, auth.DeptStaff) && a.InScope(p.DepartmentID)) {
		return s.lotResults(ctx, p.ID, 0, 0)
	}
	if a.Has(auth.Enterprise) && a.EntityID != 0 {
		return s.lotResults(ctx, p.ID, 0, a.EntityID)
	}
	return []LotResult{}, nil
}

// lotAwarded reports whether a lot is awarded.
func (s *Service) lotAwarded(ctx context.Context, projectID int64, lotNo int) (bool, error) {
	var n int
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM procure_lot_awards WHERE project_id = $1 AND lot_no = $2", projectID, lotNo).Scan(&n)
	return n > 0, err
}

// EvaluateLot evaluates one lot (staff of the project's unit): the
// project's method, price weight and deductions on the lot's bids, the
// technical points per bid for comprehensive scoring: with a drawn
// committee the mean of its members' sheets of the lot (locked online
// sheets, in.Sheets for the members without an account; stored per lot
// and published after the award), otherwise in.Tech. It closes
// registration (the project becomes evaluated) and the lot's sheets. A lot
// already awarded is refused.
func (s *Service) EvaluateLot(ctx context.Context, projectID int64, lotNo int, in ScoreInput) ([]LotResult, error) {
	_, p, err := s.projectForStaff(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if _, err := lotOf(p, lotNo); err != nil {
		return nil, err
	}
	if p.Status == ProjectAwarded {
		return nil, conflict("项目已确定成交，不能重新评审", "the project is awarded: no new evaluation")
	}
	if done, err := s.lotAwarded(ctx, p.ID, lotNo); err != nil || done {
		if err != nil {
			return nil, err
		}
		return nil, conflict(fmt.Sprintf("第%d包已确定成交，不能重新评审", lotNo), fmt.Sprintf("lot %d is awarded: no new evaluation", lotNo))
	}
	list, err := s.lotResults(ctx, p.ID, lotNo, 0)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, conflict(fmt.Sprintf("第%d包没有投标", lotNo), fmt.Sprintf("lot %d has no bids", lotNo))
	}
	maxTech := float64(100 - p.PriceWeight)
	// A drawn committee scores the lot: the technical score is the mean of
	// its members' sheets of the lot (the locked sheets of the members who
	// score in the platform, the unit's typed sheets of the others), never
	// points typed by the unit.
	ids := make([]int64, len(list))
	for i, r := range list {
		ids[i] = r.BidID
	}
	sheets, err := s.committeeTech(ctx, p, lotNo, ids, &in, maxTech)
	if err != nil {
		return nil, err
	}
	inputs := make([]BidInput, len(list))
	for i, r := range list {
		j := slices.IndexFunc(in.Tech, func(x TechPoints) bool { return x.BidID == r.BidID })
		t := 0.0
		if j >= 0 {
			t = in.Tech[j].Points
		}
		if p.EvalMethod == EvalComprehensive && (j < 0 || t < 0 || t > maxTech) {
			return nil, yserr.Field("tech", fmt.Sprintf("第%d包投标 %d 的技术及其他得分须在0-%g之间", lotNo, r.BidID, maxTech),
				fmt.Sprintf("bid %d on lot %d needs technical points between 0 and %g", r.BidID, lotNo, maxTech))
		}
		inputs[i] = BidInput{ID: r.BidID, PriceFen: r.PriceFen, Tech: t, SmallOrMicro: r.SizeRegistry == "small" || r.SizeRegistry == "micro", Kind: r.BidKind}
	}
	lot, _ := lotOf(p, lotNo)
	scored := Evaluate(p.EvalMethod, p.PriceWeight, lot.DeductionPct, lot.ConsortiumPct, inputs)
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		if sheets != nil {
			if _, err := q.Exec(ctx, "DELETE FROM procure_expert_scores WHERE project_id = $1 AND lot_no = $2", p.ID, lotNo); err != nil {
				return err
			}
			for expert, sheet := range sheets {
				for bid, pts := range sheet {
					if _, err := q.Exec(ctx, "INSERT INTO procure_expert_scores (project_id, lot_no, bid_id, expert_id, points) VALUES ($1, $2, $3, $4, $5)",
						p.ID, lotNo, bid, expert, pts); err != nil {
						return err
					}
				}
			}
		}
		for i, sc := range scored {
			if _, err := q.Exec(ctx, `UPDATE procure_bid_lots SET tech_score = $1, deduction_pct = $2, evaluated_fen = $3, price_score = $4, total_score = $5, rank = $6
				WHERE bid_id = $7 AND lot_no = $8`, inputs[i].Tech, sc.DeductionPct, sc.EvaluatedFen, sc.PriceScore, sc.Total, sc.Rank, sc.ID, lotNo); err != nil {
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
		return s.Audit.Record(ctx, "procure.lot.evaluate", "procure_project", idStr(p.ID), nil, map[string]any{"lot": lotNo, "scores": scored}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.lotResults(ctx, p.ID, lotNo, 0)
}

// AwardLot awards one evaluated lot to its first-ranked bid (staff of the
// project's unit) and makes the lot's contract: the lot's budget, the
// winner's price for the lot. With the last lot the project is awarded
// (award amount: the lots' sum; the committee published). Pooled projects
// have no lots here: their contracts are split per unit by Award.
func (s *Service) AwardLot(ctx context.Context, projectID int64, lotNo int) (*Project, error) {
	_, p, err := s.projectForStaff(ctx, projectID)
	if err != nil {
		return nil, err
	}
	lot, err := lotOf(p, lotNo)
	if err != nil {
		return nil, err
	}
	if p.PoolID != 0 {
		return nil, conflict("拼单项目按单位签订合同，不按包授予", "a pooled project is awarded per unit, not per lot")
	}
	if p.Status != ProjectEvaluated {
		return nil, conflict("须先完成评审", "evaluate the bids first")
	}
	list, err := s.lotResults(ctx, p.ID, lotNo, 0)
	if err != nil {
		return nil, err
	}
	var win *LotResult
	for i := range list {
		if list[i].Rank == 1 {
			win = &list[i]
		}
	}
	if win == nil {
		return nil, conflict(fmt.Sprintf("第%d包尚未评审", lotNo), fmt.Sprintf("lot %d is not evaluated", lotNo))
	}
	today := s.today()
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		if _, err := q.Exec(ctx, "INSERT INTO procure_lot_awards (project_id, lot_no, bid_id, award_fen, award_on) VALUES ($1, $2, $3, $4, $5)",
			p.ID, lotNo, win.BidID, win.PriceFen, today.String()); err != nil {
			if db.IsUnique(err) {
				return conflict(fmt.Sprintf("第%d包已确定成交", lotNo), fmt.Sprintf("lot %d is awarded already", lotNo))
			}
			return err
		}
		sme, sm := win.SizeRegistry != "large", win.SizeRegistry == "small" || win.SizeRegistry == "micro"
		if _, err := q.Exec(ctx, `INSERT INTO procure_contracts (project_id, department_id, entity_id, quantity, budget_fen, amount_fen, sme, small_micro, due_on, created_at, lot_no)
			VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $9, $10)`, p.ID, p.DepartmentID, win.EntityID, lot.BudgetFen, win.PriceFen, sme, sm,
			ContractDue(today).String(), s.now(), lotNo); err != nil {
			return err
		}
		var n int
		var sum int64
		if err := q.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(award_fen), 0) FROM procure_lot_awards WHERE project_id = $1", p.ID).Scan(&n, &sum); err != nil {
			return err
		}
		if n == len(p.Lots) {
			var first int64
			if err := q.QueryRow(ctx, "SELECT bid_id FROM procure_lot_awards WHERE project_id = $1 ORDER BY lot_no LIMIT 1", p.ID).Scan(&first); err != nil {
				return err
			}
			c, err := q.Exec(ctx, `UPDATE procure_projects SET status = 'awarded', award_on = $1, winner_bid_id = $2, award_fen = $3, version = version + 1
				WHERE id = $4 AND version = $5`, today.String(), first, sum, p.ID, p.Version)
			if err != nil {
				return err
			}
			if c == 0 {
				return conflict("项目已被修改，请刷新", "the project changed meanwhile: reload")
			}
			if p.DrawProjectID != 0 && s.Draw != nil {
				if err := s.Draw.MarkAwarded(ctx, p.DrawProjectID); err != nil {
					return err
				}
			}
		}
		return s.Audit.Record(ctx, "procure.lot.award", "procure_project", idStr(p.ID), nil, map[string]any{"lot": lotNo, "bid": win.BidID, "award_fen": win.PriceFen}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Project(ctx, p.ID)
}

// Labels of a lot and a lot's bid for the pages.
func (l Lot) Budget() string                    { return Yuan(l.BudgetFen) }
func (l Lot) SetAsideText(lang string) string   { return SetAsideLabel(l.SetAside, lang) }
func (l Lot) ReasonText(lang string) string     { return ExceptionLabel(l.SetAsideReason, lang) }
func (r LotResult) Price() string               { return Yuan(r.PriceFen) }
func (r LotResult) Evaluated() string           { return Yuan(r.EvaluatedFen) }
func (r LotResult) SizeText(lang string) string { return SizeLabel(r.SizeRegistry, lang) }
