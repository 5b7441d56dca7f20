package procure

import (
	"context"
	"fmt"
	"slices"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/draw"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
)

// Demo units: three purchasing units of the core demo and the finance bureau.
var demoUnits = []string{"XC-SJJ", "XC-SWJ", "WD-SJJ"}

// LoadDemo loads the procurement demo through the service (every rule
// applies): three units' intentions and plans with two poolable groups, one
// pooled project to three contracts, one open tender with SME deductions
// and comprehensive scoring, and one challenge answered.
func (s *Service) LoadDemo(ctx context.Context) error {
	sys := auth.WithActor(ctx, auth.System("demo"))
	fin, err := s.financeID(sys)
	if err != nil {
		return err
	}
	if fin == 0 {
		parent, err := s.Accounts.DepartmentByCode(sys, "XC")
		if err != nil {
			return err
		}
		d, err := s.Accounts.CreateDepartment(sys, account.DepartmentInput{ParentID: parent, Code: s.FinanceDept, Name: "许昌市财政局", NameEN: "Xuchang Finance Bureau", Kind: "bureau", RegionCode: "411000"})
		if err != nil {
			return fmt.Errorf("procure demo: finance bureau: %w", err)
		}
		fin = d.ID
	}
	staff := func(id int64) context.Context {
		return auth.WithActor(ctx, &auth.Actor{Username: "demo", Name: "demo", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: id, DeptScope: []int64{id}, Via: "demo"})
	}
	units := make([]int64, len(demoUnits))
	for i, code := range demoUnits {
		if units[i], err = s.Accounts.DepartmentByCode(sys, code); err != nil {
			return err
		}
		if units[i] == 0 {
			return fmt.Errorf("procure demo: unit %s missing", code)
		}
	}
	today := s.today()
	start := today.AddDays(s.IntentionDays + 10).String()
	for i, t := range []string{"办公计算机采购", "便携式计算机采购", "执法记录设备采购"} {
		if _, err := s.PublishIntention(staff(units[i]), IntentionInput{Title: t, CategoryCode: "A02010104", BudgetYuan: "200000", StartOn: start}); err != nil {
			return fmt.Errorf("procure demo: intention: %w", err)
		}
	}
	desk := "CPU 不低于i5；内存16GB；硬盘512GB SSD；显示器23.8英寸"
	laptop := "CPU 不低于i7；内存16GB；硬盘1TB SSD；屏幕14英寸"
	plans := []struct {
		unit           int
		cat, spec      string
		qty            int64
		budget, wanted string
	}{
		{0, "A02010104", desk, 40, "220000", today.AddDays(45).String()},
		{1, "A02010104", "内存16GB；CPU 不低于i5；显示器23.8英寸；硬盘512GB SSD", 25, "137500", today.AddDays(50).String()},
		{2, "A02010104", desk, 30, "165000", today.AddDays(60).String()},
		{0, "A02010105", laptop, 10, "85000", today.AddDays(40).String()},
		{2, "A02010105", laptop, 6, "51000", today.AddDays(55).String()},
		{1, "C21040000", "办公楼物业管理服务；建筑面积2.1万平方米；服务期三年", 1, "3200000", today.AddDays(45).String()},
	}
	for _, p := range plans {
		if _, err := s.SubmitPlan(staff(units[p.unit]), PlanInput{CategoryCode: p.cat, Spec: p.spec, Quantity: p.qty, Unit: "台", BudgetYuan: p.budget, WantedOn: p.wanted}); err != nil {
			return fmt.Errorf("procure demo: plan: %w", err)
		}
	}
	finCtx := staff(fin)
	props, err := s.Proposals(finCtx)
	if err != nil {
		return err
	}
	if len(props) != 2 {
		return fmt.Errorf("procure demo: %d pooling proposals, want 2", len(props))
	}
	var desktopPool *Pool
	for _, pr := range props {
		pool, err := s.CreatePool(finCtx, PoolInput{PlanIDs: pr.PlanIDs})
		if err != nil {
			return fmt.Errorf("procure demo: pool: %w", err)
		}
		for _, m := range pool.Members {
			if _, err := s.ConfirmPool(staff(m.DepartmentID), pool.ID, ConfirmInput{PlanID: m.PlanID, Confirm: true}); err != nil {
				return fmt.Errorf("procure demo: confirm: %w", err)
			}
		}
		if pool.CategoryCode == "A02010104" {
			desktopPool = pool
		}
	}
	if _, err := s.SetLead(finCtx, desktopPool.ID, LeadInput{LeadDepartmentID: units[0], Coordination: "财政局政府采购科（召集）、市场监管局办公室、税务局办公室、魏都区市场监管局办公室"}); err != nil {
		return fmt.Errorf("procure demo: lead: %w", err)
	}
	pooled, err := s.CreateProject(staff(units[0]), ProjectInput{Title: "2026年度市直单位办公计算机拼单采购", Method: "inquiry", PoolID: desktopPool.ID,
		SetAsideInput: SetAsideInput{Decision: SetAsideFull}, EvalMethod: EvalLowestPrice, CommitmentAllowed: true})
	if err != nil {
		return fmt.Errorf("procure demo: pooled project: %w", err)
	}
	tender, err := s.CreateProject(staff(units[1]), ProjectInput{Title: "税务局办公楼物业管理服务（三年）", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "3200000",
		SetAsideInput: SetAsideInput{Decision: SetAsidePartial, SharePct: 30, SmallMicroPct: 60}, EvalMethod: EvalComprehensive, PriceWeight: 30,
		DeductionPct: 10, ConsortiumPct: 4, CommitmentAllowed: true})
	if err != nil {
		return fmt.Errorf("procure demo: open tender: %w", err)
	}
	// Suppliers: entities with a size class that pass the credit check.
	refs, err := s.Entities.RefsAfter(sys, 0, 60)
	if err != nil {
		return err
	}
	var small, any []*entity.Entity
	for _, r := range refs {
		e, err := s.Entities.Get(sys, r.ID)
		if err != nil || e.SizeClass == "" {
			continue
		}
		if e.SizeClass == "small" || e.SizeClass == "micro" {
			small = append(small, e)
		} else if e.SizeClass == "medium" {
			any = append(any, e)
		}
	}
	bid := func(p *Project, e *entity.Entity, price string, commit bool) (*Bid, error) {
		ent := auth.WithActor(ctx, &auth.Actor{Username: "demo-supplier", Roles: []auth.Role{auth.Enterprise}, EntityID: e.ID, Via: "demo"})
		return s.Register(ent, p.ID, RegisterInput{PriceYuan: price, SizeDeclared: string(e.SizeClass), Commit: commit})
	}
	pool := append(append([]*entity.Entity{}, small...), any...)
	var tenderBids []*Bid
	placed := 0
	prices := []string{"488000", "476500", "492300"}
	tenderPrices := []string{"2860000", "2750000", "2990000"}
	var used []int64
	for _, e := range pool {
		if placed == 3 {
			break
		}
		if _, err := bid(pooled, e, prices[placed], placed == 0); err != nil {
			continue // refused by the credit check: the next supplier
		}
		used = append(used, e.ID)
		placed++
	}
	if placed < 3 {
		return fmt.Errorf("procure demo: only %d suppliers passed the credit check", placed)
	}
	for _, e := range pool {
		if len(tenderBids) == 3 {
			break
		}
		b, err := bid(tender, e, tenderPrices[len(tenderBids)], false)
		if err != nil {
			continue
		}
		tenderBids = append(tenderBids, b)
	}
	if len(tenderBids) < 3 {
		return fmt.Errorf("procure demo: only %d tender bids", len(tenderBids))
	}
	unit0, unit1 := staff(units[0]), staff(units[1])
	if _, err := s.EvaluateBids(unit0, pooled.ID, ScoreInput{}); err != nil {
		return fmt.Errorf("procure demo: evaluate pooled: %w", err)
	}
	if _, err := s.Award(unit0, pooled.ID); err != nil {
		return fmt.Errorf("procure demo: award pooled: %w", err)
	}
	tech := []float64{62.5, 58, 65}
	var pts []TechPoints
	for i, b := range tenderBids {
		pts = append(pts, TechPoints{BidID: b.ID, Points: tech[i]})
	}
	members, err := s.demoCommittee(sys, unit1, tender)
	if err != nil {
		return err
	}
	in := ScoreInput{Tech: pts}
	if len(members) > 0 {
		// Each drawn expert's sheet: around the committee's mean, which
		// stays the technical score above.
		// Members with an expert account score and lock their own sheets
		// by code (the default indicator); the unit types the others'.
		in.Tech = nil
		codes, err := s.bidCodes(sys, tender.ID)
		if err != nil {
			return err
		}
		for i, m := range members {
			off := (float64(i) - float64(len(members)-1)/2) * 0.5
			if m.Online {
				var pts []SheetPoint
				for j, b := range tenderBids {
					pts = append(pts, SheetPoint{Code: codes[b.ID], Indicator: "tech", Points: tech[j] + off})
				}
				ex := auth.WithActor(ctx, &auth.Actor{UserID: m.userID, Username: "demo-expert", Roles: []auth.Role{auth.Expert}, Via: "demo"})
				if _, err := s.SaveSheet(ex, tender.ID, SheetInput{Points: pts, Lock: true}); err != nil {
					return fmt.Errorf("procure demo: expert sheet: %w", err)
				}
				continue
			}
			sh := ExpertSheet{Expert: m.Alias}
			for j, b := range tenderBids {
				sh.Tech = append(sh.Tech, TechPoints{BidID: b.ID, Points: tech[j] + off})
			}
			in.Sheets = append(in.Sheets, sh)
		}
	}
	if _, err := s.EvaluateBids(unit1, tender.ID, in); err != nil {
		return fmt.Errorf("procure demo: evaluate tender: %w", err)
	}
	// A challenge on the tender, answered by the unit.
	ch := auth.WithActor(ctx, &auth.Actor{Username: "demo-supplier", Roles: []auth.Role{auth.Enterprise}, EntityID: tenderBids[1].EntityID, Via: "demo"})
	c, err := s.FileChallenge(ch, tender.ID, ChallengeInput{KnownOn: today.String(), Text: "评分标准中“类似业绩”一项要求同一城市业绩，限制了外地供应商，请予澄清。"})
	if err != nil {
		return fmt.Errorf("procure demo: challenge: %w", err)
	}
	if _, err := s.AnswerChallenge(unit1, c.ID, TextInput{Text: "经复核，“类似业绩”不限地域，任何地区的同类物业服务业绩均予认可，评审时已按此执行。"}); err != nil {
		return fmt.Errorf("procure demo: answer: %w", err)
	}
	if _, err := s.Award(unit1, tender.ID); err != nil {
		return fmt.Errorf("procure demo: award tender: %w", err)
	}
	// The pooled contracts signed and published by each unit.
	list, err := s.Contracts(sys, pooled.ID)
	if err != nil {
		return err
	}
	for _, c := range list {
		for _, step := range []string{"sign", "publish"} {
			if _, err := s.AdvanceContract(staff(c.DepartmentID), c.ID, ContractStep{Step: step}); err != nil {
				return fmt.Errorf("procure demo: contract %s: %w", step, err)
			}
		}
	}
	if err := s.demoRatings(ctx, unit1, tender, refs, tenderBids); err != nil {
		return err
	}
	var firms []*entity.Entity // two of the pooled project's suppliers (they passed the credit check)
	for _, e := range pool {
		if len(firms) < 2 && slices.Contains(used, e.ID) {
			firms = append(firms, e)
		}
	}
	return s.demoLots(ctx, staff(units[2]), firms)
}

// demoLots: a project of two lots reserved for SMEs, two suppliers bidding
// on both, each lot evaluated (lowest price) and awarded on its own, one
// contract per lot and winner.
func (s *Service) demoLots(ctx, unit context.Context, firms []*entity.Entity) error {
	p, err := s.CreateProject(unit, ProjectInput{Title: "执法记录仪及数据采集站采购（两个包）", Method: "inquiry", CategoryCode: "A02091001", BudgetYuan: "200000",
		SetAsideInput: SetAsideInput{Decision: SetAsideFull}, EvalMethod: EvalLowestPrice, CommitmentAllowed: true,
		Lots: []Lot{{Title: "执法记录仪", BudgetFen: 12000000}, {Title: "数据采集工作站", BudgetFen: 8000000}}})
	if err != nil {
		return fmt.Errorf("procure demo: lots project: %w", err)
	}
	prices := [][2]string{{"112800", "76500"}, {"109600", "77900"}}
	for i, e := range firms {
		ent := auth.WithActor(ctx, &auth.Actor{Username: "demo-supplier", Roles: []auth.Role{auth.Enterprise}, EntityID: e.ID, Via: "demo"})
		if _, err := s.Register(ent, p.ID, RegisterInput{SizeDeclared: string(e.SizeClass), Lots: []LotBid{{LotNo: 1, PriceYuan: prices[i][0]}, {LotNo: 2, PriceYuan: prices[i][1]}}}); err != nil {
			return fmt.Errorf("procure demo: lots bid: %w", err)
		}
	}
	for _, l := range []int{1, 2} {
		if _, err := s.EvaluateLot(unit, p.ID, l, ScoreInput{}); err != nil {
			return fmt.Errorf("procure demo: evaluate lot %d: %w", l, err)
		}
		if _, err := s.AwardLot(unit, p.ID, l); err != nil {
			return fmt.Errorf("procure demo: award lot %d: %w", l, err)
		}
	}
	return nil
}

// demoCommittee draws the open tender's committee through the draw module
// when the platform has a trading centre (the draw module's demo loads its
// expert pool): the property-services specialty B01, the tax bureau's
// credit code avoided. Without a trading centre it draws nothing.
func (s *Service) demoCommittee(sys, unit context.Context, tender *Project) ([]CommitteeMember, error) {
	if s.Draw == nil {
		return nil, nil
	}
	centre, err := s.Accounts.DepartmentByCode(sys, s.Draw.CentreDept)
	if err != nil || centre == 0 {
		return nil, err
	}
	first := "11411000MB1789630"
	c, err := ident.USCCCheckChar(first)
	if err != nil {
		return nil, err
	}
	at := s.Clock.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 2).Format("2006-01-02") + "T09:00"
	if _, err := s.CommitCommittee(unit, tender.ID, CommitteeInput{PurchaserUSCC: first + string(c), Specialties: []string{"B01"}, EvaluationAt: at, Region: "411000"}); err != nil {
		return nil, fmt.Errorf("procure demo: committee: %w", err)
	}
	com, err := s.RunCommittee(unit, tender.ID, draw.DrawInput{WitnessName: "见证员", WitnessValue: "318604"})
	if err != nil {
		return nil, fmt.Errorf("procure demo: committee draw: %w", err)
	}
	return com.Members, nil
}

// demoRatings names the tender's agency (a registered entity that did not
// bid) and has the three parties rate each other on the template in force.
func (s *Service) demoRatings(ctx, unit context.Context, tender *Project, refs []entity.Ref, bids []*Bid) error {
	var agency *entity.Ref
	for i, r := range refs {
		if !slices.ContainsFunc(bids, func(b *Bid) bool { return b.EntityID == r.ID }) {
			agency = &refs[i]
			break
		}
	}
	if agency == nil {
		return fmt.Errorf("procure demo: no entity left for the agency")
	}
	if _, err := s.SetAgency(unit, tender.ID, AgencyInput{USCC: agency.USCC}); err != nil {
		return fmt.Errorf("procure demo: agency: %w", err)
	}
	p, err := s.Project(unit, tender.ID)
	if err != nil {
		return err
	}
	var winner int64
	for _, b := range bids {
		if b.ID == p.WinnerBidID {
			winner = b.EntityID
		}
	}
	t, err := s.ActiveTemplate(unit)
	if err != nil {
		return err
	}
	as := map[string]context.Context{
		PartyPurchaser: unit,
		PartyAgency:    auth.WithActor(ctx, &auth.Actor{Username: "demo-agency", Roles: []auth.Role{auth.Enterprise}, EntityID: agency.ID, Via: "demo"}),
		PartySupplier:  auth.WithActor(ctx, &auth.Actor{Username: "demo-supplier", Roles: []auth.Role{auth.Enterprise}, EntityID: winner, Via: "demo"}),
	}
	members, err := s.members(unit, p)
	if err != nil {
		return err
	}
	n := 0
	for _, rater := range Parties {
		for _, ratee := range Parties {
			inds := t.For(rater, ratee)
			// The demo's experts have no user accounts: they are rated,
			// and do not rate.
			if rater == ratee || len(inds) == 0 || rater == PartyExpert {
				continue
			}
			targets := []string{""}
			if ratee == PartyExpert {
				targets = nil
				for _, m := range members {
					targets = append(targets, m.Alias)
				}
			}
			for _, who := range targets {
				pts := map[string]int{}
				for i, ind := range inds {
					pts[ind.Code] = ind.MaxPoints - (n+i)%3 // mostly full marks, a point or two off here and there
				}
				n++
				if _, err := s.Rate(as[rater], tender.ID, RatingInput{As: rater, Ratee: ratee, RateeExpert: who, Points: pts}); err != nil {
					return fmt.Errorf("procure demo: rating %s→%s: %w", rater, ratee, err)
				}
			}
		}
	}
	return nil
}
