package procure

// Bids through bideval's double-blind flow (双盲评审, issue 16).
//
// A project created with the blind flag (公开招标 or 竞争性磋商, comprehensive
// scoring, no lots, not pooled) is evaluated by module bideval, through its
// Go API only (never its tables):
//
//  1. At the tender notice (PublishBlindNotice) procure registers the draw
//     module's project (the purchasing unit's credit code as the tenderer,
//     the expert specialties, the committee size, the opening at the bid
//     deadline) and bideval's settings: procedure gov_open (公开招标, at
//     least 20 days from the notice to the deadline, 政府采购法 Art. 35) or
//     gov_consultation (竞争性磋商, at least 10 days, 财库〔2014〕214号), the
//     project's scoring indicators as the criteria, its price weight.
//  2. A supplier registers in procure (SME declaration, credit gate,
//     commitment) and, in the same transaction, in bideval; it uploads its
//     technical part and its commercial part with the price there (receipts
//     with SHA-256). Procure stores no price until the evaluation.
//  3. The committee is drawn by the draw module on that project
//     (CommitCommittee/RunCommittee); the trading centre draws the codes,
//     the experts score by code and lock, the centre unmasks (bideval).
//  4. After the unmasking the unit runs procure's evaluation: procure takes
//     each bidder's technical score and price by credit code
//     (bideval.TechnicalScores) and applies its own price score with the
//     SME price deduction (MoF Order 87 Art. 55; 财库〔2022〕19号), which
//     bideval does not know; procure's ranking decides the award.
//
// Before the unmasking procure holds no code, no technical score and no
// price of any supplier, so no procure page or API can show them.

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"yingshang/internal/bideval"
	"yingshang/internal/draw"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// BlindMethods are the procurement methods that may go through the
// double-blind flow, with bideval's procedure for each.
var BlindMethods = map[string]string{"open_tender": bideval.ProcGovOpen, "competitive_consultation": bideval.ProcGovConsultation}

// checkBlind checks the blind flag of a new project (errors name blind).
func (s *Service) checkBlind(v *yserr.Validation, in ProjectInput) {
	switch {
	case s.Bideval == nil:
		v.Add("blind", "未启用双盲评标模块，不能采用双盲评审", "the double-blind evaluation module (bideval) is not enabled")
	case BlindMethods[in.Method] == "":
		v.Add("blind", "双盲评审仅适用于公开招标和竞争性磋商", "double-blind evaluation applies to open tender and competitive consultation only")
	case in.EvalMethod != EvalComprehensive:
		v.Add("blind", "双盲评审须采用综合评分法", "double-blind evaluation needs comprehensive scoring")
	case len(in.Lots) > 0:
		v.Add("blind", "分包采购的项目不能采用双盲评审", "a project with lots cannot use double-blind evaluation")
	case in.PoolID != 0:
		v.Add("blind", "拼单采购项目不能采用双盲评审", "a pooled project cannot use double-blind evaluation")
	}
}

// BlindNoticeInput is the tender notice of a blind project.
type BlindNoticeInput struct {
	PurchaserUSCC string   `json:"purchaser_uscc" doc:"the purchasing unit's unified social credit code (the tenderer; experts employed by it or related to it are avoided)"`
	Specialties   []string `json:"specialties" doc:"technical specialty codes of the expert pool"`
	DeadlineAt    string   `json:"deadline_at" doc:"bid deadline and opening, YYYY-MM-DDTHH:MM (Asia/Shanghai) or RFC 3339: at least 20 days after the notice for open tender, 10 for competitive consultation"`
	Rule          string   `json:"rule,omitempty" enum:"mean,trimmed_mean" doc:"how the members' technical totals are aggregated (default mean)"`
}

// BlindState is what the project page shows of a blind project's
// double-blind evaluation: public tender-document facts only.
type BlindState struct {
	DrawProjectID int64      `json:"draw_project_id"`
	Procedure     string     `json:"procedure" enum:"gov_open,gov_consultation"`
	NoticeAt      *time.Time `json:"notice_at,omitempty"`
	DeadlineAt    time.Time  `json:"deadline_at"`
	Status        string     `json:"status" doc:"bideval's status: open, closed, scoring, unmasked, publicity, awarded, failed"`
	Unmasked      bool       `json:"unmasked"`
}

var criterionKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// blindCriteria turns the project's scoring indicators into bideval's
// criteria (a key must start with a letter there: "i" is put before one
// that does not).
func blindCriteria(inds []ScoreIndicator) []bideval.Criterion {
	out := make([]bideval.Criterion, len(inds))
	for i, x := range inds {
		key := x.Code
		if !criterionKey.MatchString(key) {
			key = "i" + key
		}
		out[i] = bideval.Criterion{Key: key, NameZH: x.NameZH, NameEN: x.NameEN, Max: x.Max}
	}
	return out
}

// PublishBlindNotice publishes the tender notice of a blind project (staff
// of the project's unit; open, no supplier yet, once): it registers the
// draw module's project and bideval's settings, in one transaction. The
// indicators are fixed from then on. bideval refuses a deadline before the
// legal minimum with the earliest allowed time (field deadline_at).
func (s *Service) PublishBlindNotice(ctx context.Context, projectID int64, in BlindNoticeInput) (*BlindState, error) {
	_, p, err := s.projectForStaff(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if !p.Blind {
		return nil, conflict("本项目未采用双盲评审", "this project does not use double-blind evaluation")
	}
	if s.Bideval == nil || s.Draw == nil {
		return nil, conflict("未启用双盲评标模块", "the double-blind evaluation module is not enabled")
	}
	if p.Status != ProjectOpen || p.DrawProjectID != 0 {
		return nil, conflict("招标公告已发布", "the tender notice is published already")
	}
	var v yserr.Validation
	in.PurchaserUSCC = ident.NormalizeUSCC(in.PurchaserUSCC)
	if ident.ValidateUSCC(in.PurchaserUSCC) != nil {
		v.Add("purchaser_uscc", "采购人统一社会信用代码无效", "the purchasing unit's credit code is invalid")
	}
	specs := specialtyCodes(in.Specialties)
	if len(specs) == 0 {
		v.Add("specialties", "请填写评审专家的专业代码", "enter the experts' specialty codes")
	}
	deadline, err := parseEvalTime(strings.TrimSpace(in.DeadlineAt))
	if err != nil {
		v.Add("deadline_at", "投标截止时间格式应为 YYYY-MM-DDTHH:MM", "the bid deadline must be YYYY-MM-DDTHH:MM")
	}
	if in.Rule == "" {
		in.Rule = bideval.RuleMean
	}
	if in.Rule != bideval.RuleMean && in.Rule != bideval.RuleTrimmedMean {
		v.Add("rule", "汇总规则须为 mean（算术平均）或 trimmed_mean（去掉最高最低后平均）", "the rule must be mean or trimmed_mean")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	inds, err := s.indicators(ctx, p)
	if err != nil {
		return nil, err
	}
	proc := BlindMethods[p.Method]
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		sc := s.sysCtx(ctx)
		d, err := s.Draw.CreateProject(sc, draw.ProjectInput{Name: p.Code + " " + p.Title, Kind: p.Kind, BudgetYuan: max(1, p.BudgetFen/100), Specialties: specs,
			TendererUSCC: in.PurchaserUSCC, OpeningAt: deadline.Format(time.RFC3339), Committee: p.CommitteeSize})
		if err != nil {
			return err
		}
		if _, err := s.Bideval.SetSettings(sc, d.ID, bideval.SettingsInput{DeadlineAt: deadline.Format(time.RFC3339), Procedure: proc,
			Criteria: blindCriteria(inds), Rule: in.Rule, PriceMax: float64(p.PriceWeight), AdmittedBy: "procure"}); err != nil {
			return err
		}
		n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE procure_projects SET draw_project_id = $1, version = version + 1 WHERE id = $2 AND version = $3 AND draw_project_id IS NULL",
			d.ID, p.ID, p.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("项目已被修改，请刷新", "the project changed meanwhile: reload")
		}
		return s.Audit.Record(ctx, "procure.blind.notice", "procure_project", idStr(p.ID), nil,
			map[string]any{"draw_project": d.ID, "procedure": proc, "deadline_at": deadline, "rule": in.Rule, "price_weight": p.PriceWeight, "indicators": inds, "specialties": specs}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Blind(ctx, p.ID)
}

// specialtyCodes splits and normalises specialty codes.
func specialtyCodes(in []string) []string {
	var specs []string
	for _, c := range in {
		for _, x := range strings.FieldsFunc(c, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == ';' }) {
			if x = strings.ToUpper(strings.TrimSpace(x)); x != "" && !slices.Contains(specs, x) {
				specs = append(specs, x)
			}
		}
	}
	return specs
}

// Blind returns a blind project's double-blind state (nil before the
// notice or for other projects): the settings are tender documents, public
// like the project.
func (s *Service) Blind(ctx context.Context, projectID int64) (*BlindState, error) {
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if !p.Blind || p.DrawProjectID == 0 || s.Bideval == nil {
		return nil, nil
	}
	st, err := s.Bideval.Settings(s.sysCtx(ctx), p.DrawProjectID)
	if err != nil {
		return nil, err
	}
	un := st.Status == bideval.StatusUnmasked || st.Status == bideval.StatusPublicity || st.Status == bideval.StatusAwarded
	return &BlindState{DrawProjectID: p.DrawProjectID, Procedure: st.Procedure, NoticeAt: st.NoticeAt, DeadlineAt: st.DeadlineAt, Status: st.Status, Unmasked: un}, nil
}

// registerBlind registers the supplier in bideval too (in the caller's
// transaction, as the supplier): it uploads its parts there. bideval
// refuses a registration after the deadline, naming it.
func (s *Service) registerBlind(ctx context.Context, p *Project, manager string) error {
	_, err := s.Bideval.RegisterAdmitted(ctx, p.DrawProjectID, bideval.RegisterInput{ProjectManager: manager}, "procure")
	return err
}

// evaluateBlind is procure's evaluation of a blind project after bideval's
// unmasking: the technical score and the price of each bidder by credit
// code, procure's price score with the SME deduction, procure's ranking.
// A supplier registered in procure whose bid got no code in bideval (a part
// missing at the deadline) is not ranked; a bidder in bideval that is not
// registered in procure (it passed no credit gate) is not taken.
func (s *Service) evaluateBlind(ctx context.Context, p *Project) ([]Bid, error) {
	if s.Bideval == nil || p.DrawProjectID == 0 {
		return nil, conflict("双盲评审的招标公告尚未发布", "the double-blind tender notice is not published")
	}
	scores, err := s.Bideval.TechnicalScores(s.sysCtx(ctx), p.DrawProjectID)
	if err != nil {
		return nil, err
	}
	bids, err := s.bids(ctx, "project_id = $1", p.ID)
	if err != nil {
		return nil, err
	}
	byUSCC := map[string]bideval.BidderScore{}
	for _, sc := range scores {
		byUSCC[sc.USCC] = sc
	}
	var inputs []BidInput
	codes := map[int64]string{}
	var excluded []int64
	for _, b := range bids {
		sc, ok := byUSCC[b.USCC]
		if !ok {
			excluded = append(excluded, b.ID)
			continue
		}
		sm := b.SizeRegistry == "small" || b.SizeRegistry == "micro"
		inputs = append(inputs, BidInput{ID: b.ID, PriceFen: sc.PriceFen, Tech: sc.Technical, SmallOrMicro: sm, Kind: b.BidKind})
		codes[b.ID] = sc.Code
	}
	if len(inputs) == 0 {
		return nil, conflict("双盲评审中没有本项目报名供应商的有效投标", "the double-blind evaluation has no valid bid of a supplier registered here")
	}
	scored := Evaluate(p.EvalMethod, p.PriceWeight, p.DeductionPct, p.ConsortiumPct, inputs)
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.Q(ctx)
		for i, sc := range scored {
			if _, err := q.Exec(ctx, `UPDATE procure_bids SET price_fen = $1, tech_score = $2, deduction_pct = $3, evaluated_fen = $4, price_score = $5, total_score = $6,
				rank = $7, blind_code = $8 WHERE id = $9`, inputs[i].PriceFen, inputs[i].Tech, sc.DeductionPct, sc.EvaluatedFen, sc.PriceScore, sc.Total, sc.Rank,
				codes[sc.ID], sc.ID); err != nil {
				return err
			}
		}
		for _, id := range excluded {
			if _, err := q.Exec(ctx, `UPDATE procure_bids SET tech_score = 0, deduction_pct = 0, evaluated_fen = 0, price_score = 0, total_score = 0, rank = 0,
				blind_code = '' WHERE id = $1`, id); err != nil {
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
		return s.Audit.Record(ctx, "procure.project.evaluate", "procure_project", idStr(p.ID), nil,
			map[string]any{"blind": true, "draw_project": p.DrawProjectID, "scored": scored, "codes": codes, "not_ranked": excluded}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.bids(ctx, "project_id = $1", p.ID)
}

// blindRefusal is the refusal of procure's own expert sheets on a blind
// project (the experts score in bideval).
func blindRefusal() error {
	return conflict("本项目采用双盲评审，专家在双盲评标模块中按暗标编码评分", "this project uses double-blind evaluation: the experts score by code in the double-blind module")
}

// blindPriceRefusal: the price of a blind bid is sealed in bideval's
// commercial part.
func blindPriceRefusal() error {
	return yserr.Field("price_yuan", fmt.Sprintf("本项目采用双盲评审，报价随商务标在双盲评标模块中提交（%s）", "/bideval"),
		"this project uses double-blind evaluation: the price goes with the commercial part in the double-blind module (/bideval)")
}

// commitBlindCommittee commits the expert draw of a blind project on the
// draw module's project registered at the notice (its bidders are the ones
// bideval registered). procure draws no codes of its own: bideval's codes
// draw does that after the deadline.
func (s *Service) commitBlindCommittee(ctx context.Context, p *Project) (*Committee, error) {
	if p.DrawProjectID == 0 {
		return nil, conflict("双盲评审的招标公告尚未发布", "the double-blind tender notice is not published")
	}
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		d, err := s.Draw.CommitExperts(s.sysCtx(ctx), p.DrawProjectID, draw.ExpertDrawInput{Reserves: 2})
		if err != nil {
			return err
		}
		return s.Audit.Record(ctx, "procure.committee.commit", "procure_project", idStr(p.ID), nil,
			map[string]any{"draw_project": p.DrawProjectID, "draw": d.ID, "committee": p.CommitteeSize, "blind": true}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Committee(ctx, p.ID)
}
