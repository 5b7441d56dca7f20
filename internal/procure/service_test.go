package procure_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/modules"
	"yingshang/internal/procure"
	"yingshang/internal/refdata"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

type env struct {
	*sitetest.Env
	svc                      *procure.Service
	sjj, swj, wd, fin, sup   context.Context
	small, micro, large, bad int64
}

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err error, code yserr.Code, field string) {
	t.Helper()
	if !yserr.Is(err, code) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if field == "" {
		return
	}
	e := yserr.As(err)
	if e.Field == field {
		return
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("want an error on %s, got %+v", field, e)
}

func staff(id int64) context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: 0, Username: "t", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: id, DeptScope: []int64{id}, Via: "session"})
}

func ent(id int64) context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{Username: "e", Roles: []auth.Role{auth.Enterprise}, EntityID: id, Via: "session"})
}

func uscc(t *testing.T, n int) string {
	first := fmt.Sprintf("91411002MA%07d", n)
	c, err := ident.USCCCheckChar(first)
	ok(t, err)
	return first + string(c)
}

func newEnv(t *testing.T, e db.Dialect) *env {
	x := &env{Env: sitetest.New(t, e)}
	x.svc = modules.Get[*procure.Service](x.Modules)
	sys := sitetest.System()
	d, err := x.App.Accounts.CreateDepartment(sys, account.DepartmentInput{ParentID: x.Depts["XC"], Code: "XC-CZJ", Name: "许昌市财政局", Kind: "bureau", RegionCode: "411000"})
	ok(t, err)
	x.Depts["XC-CZJ"] = d.ID
	x.sjj, x.swj, x.wd, x.fin = staff(x.Depts["XC-SJJ"]), staff(x.Depts["XC-SWJ"]), staff(x.Depts["WD-SJJ"]), staff(d.ID)
	x.sup = auth.WithActor(context.Background(), &auth.Actor{Username: "s", Roles: []auth.Role{auth.Supervisor}, Via: "session"})
	mk := func(n int, name string, size refdata.Size) int64 {
		in := entity.Input{USCC: uscc(t, n), Name: name, Type: "有限责任公司", LegalRepName: "张伟", RegionCode: "411002", IndustryCode: "5191",
			FoundedOn: "2015-03-01", DepartmentID: x.Depts["WD-SJJ"], SizeClass: size}
		en, err := x.App.Entities.Create(sys, in)
		ok(t, err)
		return en.ID
	}
	x.small = mk(1, "许昌博远办公设备有限公司", refdata.SizeSmall)
	x.micro = mk(2, "许昌立信电脑销售有限公司", refdata.SizeMicro)
	x.large = mk(3, "河南中原信息技术集团有限公司", refdata.SizeLarge)
	x.bad = mk(4, "许昌鑫达商贸有限公司", refdata.SizeSmall)
	_, err = modules.Get[*credit.Service](x.Modules).Create(sys, credit.Input{EntityID: x.bad, DepartmentID: x.Depts["XC-SJJ"], Kind: credit.KindSeriousList,
		Content: credit.Content{DecisionNo: "许发改信用〔2026〕7号", DecidedOn: "2026-11-01", LegalBasis: "失信行为纠正后的信用信息修复管理办法"}})
	ok(t, err)
	return x
}

func each(t *testing.T, fn func(t *testing.T, x *env)) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) { fn(t, newEnv(t, e)) })
	}
}

// From plans to pooled contracts: intentions, plans and their scope,
// proposals, a group confirmed by its units, the lead unit's project, the
// credit gate, the SME declaration, evaluation, award and one contract per
// unit with its own quantity and amount.
func TestPlansToPooledContracts(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		today := calendar.FromTime(x.Clock.Now(), calendar.Shanghai)
		_, err := s.PublishIntention(x.sjj, procure.IntentionInput{Title: "办公计算机", CategoryCode: "A02010104", BudgetYuan: "200000", StartOn: today.AddDays(29).String()})
		wantErr(t, err, yserr.Invalid, "start_on")
		_, err = s.PublishIntention(x.sjj, procure.IntentionInput{Title: "办公计算机", CategoryCode: "A02010104", BudgetYuan: "200000", StartOn: today.AddDays(30).String()})
		ok(t, err)

		want := today.AddDays(40).String()
		plan := func(ctx context.Context, cat, spec string, qty int64, budget string) *procure.Plan {
			p, err := s.SubmitPlan(ctx, procure.PlanInput{CategoryCode: cat, Spec: spec, Quantity: qty, Unit: "台", BudgetYuan: budget, WantedOn: want})
			ok(t, err)
			return p
		}
		p1 := plan(x.sjj, "A02010104", "CPU i5；内存16GB", 40, "220000")
		p2 := plan(x.swj, "A02010104", "内存16GB；CPU i5", 25, "137500")
		p3 := plan(x.wd, "A02010104", "cpu i5; 内存16gb", 30, "165000")
		p4 := plan(x.wd, "A02010105", "CPU i5；内存16GB", 6, "51000")
		_, err = s.SubmitPlan(x.sjj, procure.PlanInput{CategoryCode: "电脑", Spec: "x", Quantity: 1, BudgetYuan: "1", WantedOn: want})
		wantErr(t, err, yserr.Invalid, "category_code")

		// A unit sees its own plans, the finance bureau all, suppliers none.
		mine, err := s.Plans(x.sjj, procure.PlanFilter{})
		ok(t, err)
		if len(mine) != 1 || mine[0].ID != p1.ID {
			t.Fatalf("the unit sees %+v", mine)
		}
		all, err := s.Plans(x.fin, procure.PlanFilter{})
		ok(t, err)
		if len(all) != 4 {
			t.Fatalf("the finance bureau sees %d plans, want 4", len(all))
		}
		sup, err := s.Plans(x.sup, procure.PlanFilter{})
		ok(t, err)
		if len(sup) != 4 {
			t.Fatalf("supervisor sees %d", len(sup))
		}
		_, err = s.Plans(ent(x.small), procure.PlanFilter{})
		wantErr(t, err, yserr.Forbidden, "")

		_, err = s.Proposals(x.sjj)
		wantErr(t, err, yserr.Forbidden, "")
		props, err := s.Proposals(x.fin)
		ok(t, err)
		if len(props) != 1 || len(props[0].PlanIDs) != 3 || props[0].Category != "A02010104" {
			t.Fatalf("proposals %+v", props)
		}
		_, err = s.CreatePool(x.fin, procure.PoolInput{PlanIDs: []int64{p1.ID, p4.ID}})
		wantErr(t, err, yserr.Invalid, "plan_ids")
		_, err = s.CreatePool(x.sjj, procure.PoolInput{PlanIDs: props[0].PlanIDs})
		wantErr(t, err, yserr.Forbidden, "")
		pool, err := s.CreatePool(x.fin, procure.PoolInput{PlanIDs: props[0].PlanIDs})
		ok(t, err)
		if pool.Status != procure.PoolConfirming || len(pool.Members) != 3 {
			t.Fatalf("pool %+v", pool)
		}
		// Another unit cannot answer for a line; each unit answers its own.
		_, err = s.ConfirmPool(x.wd, pool.ID, procure.ConfirmInput{PlanID: p1.ID, Confirm: true})
		wantErr(t, err, yserr.NotFound, "")
		for _, c := range []struct {
			ctx  context.Context
			plan int64
		}{{x.sjj, p1.ID}, {x.swj, p2.ID}, {x.wd, p3.ID}} {
			pool, err = s.ConfirmPool(c.ctx, pool.ID, procure.ConfirmInput{PlanID: c.plan, Confirm: true})
			ok(t, err)
		}
		if pool.Status != procure.PoolConfirmed || pool.Quantity != 95 || pool.BudgetFen != 522_500_00 {
			t.Fatalf("confirmed pool %+v", pool)
		}
		_, err = s.SetLead(x.fin, pool.ID, procure.LeadInput{LeadDepartmentID: x.Depts["XC-YSJ"], Coordination: "协调小组"})
		wantErr(t, err, yserr.Invalid, "lead_department_id")
		_, err = s.SetLead(x.fin, pool.ID, procure.LeadInput{LeadDepartmentID: x.Depts["XC-SJJ"], Coordination: "财政局采购科、三单位办公室"})
		ok(t, err)

		in := procure.ProjectInput{Title: "办公计算机拼单采购", Method: "inquiry", PoolID: pool.ID, EvalMethod: procure.EvalLowestPrice, CommitmentAllowed: true}
		_, err = s.CreateProject(x.swj, withSetAside(in, procure.SetAsideFull))
		wantErr(t, err, yserr.Forbidden, "")
		_, err = s.CreateProject(x.sjj, in)
		wantErr(t, err, yserr.Invalid, "set_aside")
		_, err = s.CreateProject(x.sjj, withSetAside(in, procure.SetAsidePartial))
		wantErr(t, err, yserr.Invalid, "set_aside")
		p, err := s.CreateProject(x.sjj, withSetAside(in, procure.SetAsideFull))
		ok(t, err)
		if p.BudgetFen != 522_500_00 || p.CommitteeSize != 5 || p.Kind != procure.KindGoods {
			t.Fatalf("project %+v", p)
		}

		// Credit gate, SME declaration, reservation.
		_, err = s.Register(ent(x.bad), p.ID, procure.RegisterInput{PriceYuan: "450000", SizeDeclared: "small"})
		wantErr(t, err, yserr.Conflict, "")
		if !strings.Contains(yserr.As(err).ZH, "严重失信") {
			t.Fatalf("refusal without the record: %v", yserr.As(err).ZH)
		}
		_, err = s.Register(ent(x.small), p.ID, procure.RegisterInput{PriceYuan: "480000", SizeDeclared: "micro"})
		wantErr(t, err, yserr.Invalid, "size_declared")
		_, err = s.Register(ent(x.large), p.ID, procure.RegisterInput{PriceYuan: "430000", SizeDeclared: "large"})
		wantErr(t, err, yserr.Invalid, "size_declared")
		b1, err := s.Register(ent(x.small), p.ID, procure.RegisterInput{PriceYuan: "476500", SizeDeclared: "small", Commit: true})
		ok(t, err)
		if b1.CommitmentID == 0 || b1.CreditResult != credit.ResultPass {
			t.Fatalf("bid %+v", b1)
		}
		_, err = s.Register(ent(x.micro), p.ID, procure.RegisterInput{PriceYuan: "488000", SizeDeclared: "micro"})
		ok(t, err)
		_, err = s.Register(ent(x.micro), p.ID, procure.RegisterInput{PriceYuan: "488000", SizeDeclared: "micro"})
		wantErr(t, err, yserr.Conflict, "")
		// Suppliers see only their own bids.
		own, err := s.Bids(ent(x.micro), p.ID)
		ok(t, err)
		if len(own) != 1 || own[0].EntityID != x.micro {
			t.Fatalf("supplier sees %+v", own)
		}
		_, err = s.Bids(x.wd, p.ID)
		wantErr(t, err, yserr.NotFound, "")
		_, err = s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{})
		wantErr(t, err, yserr.NotFound, "")
		ranked, err := s.EvaluateBids(x.sjj, p.ID, procure.ScoreInput{})
		ok(t, err)
		if ranked[0].EntityID != x.small || ranked[0].Rank != 1 || ranked[0].DeductionPct != 0 {
			t.Fatalf("ranked %+v", ranked)
		}
		res, err := s.PublicResults(context.Background(), p.ID)
		ok(t, err)
		if len(res) != 0 {
			t.Fatal("results published before the award")
		}
		p, err = s.Award(x.sjj, p.ID)
		ok(t, err)
		if p.AwardFen != 476_500_00 || p.SavingsFen != 46_000_00 {
			t.Fatalf("award %+v", p)
		}
		res, err = s.PublicResults(context.Background(), p.ID)
		ok(t, err)
		if len(res) != 2 {
			t.Fatalf("public results %+v", res)
		}
		cs, err := s.Contracts(x.fin, p.ID)
		ok(t, err)
		if len(cs) != 3 {
			t.Fatalf("%d contracts, want one per unit", len(cs))
		}
		var sum int64
		byDept := map[int64]procure.Contract{}
		for _, c := range cs {
			sum += c.AmountFen
			byDept[c.DepartmentID] = c
		}
		if sum != p.AwardFen || byDept[x.Depts["XC-SWJ"]].Quantity != 25 || byDept[x.Depts["XC-SWJ"]].AmountFen != 12_539_473 {
			t.Fatalf("contracts %+v", cs)
		}
		mineC, err := s.Contracts(x.wd, 0)
		ok(t, err)
		if len(mineC) != 1 || mineC[0].Quantity != 30 {
			t.Fatalf("the unit's contracts %+v", mineC)
		}
		supC, err := s.Contracts(ent(x.small), 0)
		ok(t, err)
		if len(supC) != 3 {
			t.Fatalf("the supplier's contracts %+v", supC)
		}
		// Overdue: 31 days later nothing is signed.
		x.Clock.Advance(31 * 24 * time.Hour)
		od, err := s.OverdueItems(x.fin)
		ok(t, err)
		if len(od) != 3 || od[0].Kind != "contract_sign" {
			t.Fatalf("overdue %+v", od)
		}
		c, err := s.AdvanceContract(x.wd, byDept[x.Depts["WD-SJJ"]].ID, procure.ContractStep{Step: "sign"})
		ok(t, err)
		_, err = s.AdvanceContract(x.wd, byDept[x.Depts["XC-SJJ"]].ID, procure.ContractStep{Step: "sign"})
		wantErr(t, err, yserr.NotFound, "")
		c, err = s.AdvanceContract(x.wd, c.ID, procure.ContractStep{Step: "accept"})
		ok(t, err)
		if c.PayDueOn == "" || !c.SME {
			t.Fatalf("SME contract without a payment deadline: %+v", c)
		}
		figs, err := s.Figures(context.Background())
		ok(t, err)
		if len(figs) != 3 || figs[0].SMEPct != 100 {
			t.Fatalf("figures %+v", figs)
		}
	})
}

func withSetAside(in procure.ProjectInput, d string) procure.ProjectInput {
	in.SetAsideInput = procure.SetAsideInput{Decision: d}
	if d == procure.SetAsidePartial {
		in.SharePct, in.SmallMicroPct = 40, 60
	}
	return in
}

// Comprehensive scoring with the small/micro deduction through the service,
// and a challenge refused after its window, answered, complained about.
func TestTenderDeductionAndChallenges(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		in := procure.ProjectInput{Title: "物业管理服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "3200000", EvalMethod: procure.EvalComprehensive,
			PriceWeight: 9, DeductionPct: 10, ConsortiumPct: 4, SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60}}
		_, err := s.CreateProject(x.swj, in)
		wantErr(t, err, yserr.Invalid, "price_weight")
		in.PriceWeight, in.DeductionPct = 30, 25
		_, err = s.CreateProject(x.swj, in)
		wantErr(t, err, yserr.Invalid, "deduction_pct")
		in.DeductionPct, in.CommitteeSize = 10, 4
		_, err = s.CreateProject(x.swj, in)
		wantErr(t, err, yserr.Invalid, "committee_size")
		in.CommitteeSize = 0
		p, err := s.CreateProject(x.swj, in)
		ok(t, err)
		bs, err := s.Register(ent(x.small), p.ID, procure.RegisterInput{PriceYuan: "1000000", SizeDeclared: "small"})
		ok(t, err)
		bl, err := s.Register(ent(x.large), p.ID, procure.RegisterInput{PriceYuan: "950000", SizeDeclared: "large"})
		ok(t, err)
		bc, err := s.Register(ent(x.micro), p.ID, procure.RegisterInput{PriceYuan: "1000000", SizeDeclared: "micro", BidKind: procure.BidConsortium})
		ok(t, err)
		_, err = s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{Tech: []procure.TechPoints{{BidID: bs.ID, Points: 50}}})
		wantErr(t, err, yserr.Invalid, "tech")
		ranked, err := s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{Tech: []procure.TechPoints{{BidID: bs.ID, Points: 50}, {BidID: bl.ID, Points: 55}, {BidID: bc.ID, Points: 52}}})
		ok(t, err)
		// Hand-computed in TestEvaluateHandComputed: B 83.42, C 80.13, A 80.00.
		if ranked[0].ID != bl.ID || ranked[0].TotalScore != 83.42 || ranked[1].ID != bc.ID || ranked[1].PriceScore != 28.13 || ranked[2].EvaluatedFen != 900_000_00 {
			t.Fatalf("ranked %+v", ranked)
		}

		today := calendar.FromTime(x.Clock.Now(), calendar.Shanghai)
		cal := calendar.Official()
		old := cal.AddWorkdays(today, -8)
		_, err = s.FileChallenge(ent(x.small), p.ID, procure.ChallengeInput{KnownOn: old.String(), Text: "评分标准有倾向性"})
		wantErr(t, err, yserr.Invalid, "known_on")
		if !strings.Contains(yserr.As(err).EN, old.String()) {
			t.Fatalf("refusal without the dates: %s", yserr.As(err).EN)
		}
		c, err := s.FileChallenge(ent(x.small), p.ID, procure.ChallengeInput{KnownOn: cal.AddWorkdays(today, -7).String(), Text: "评分标准有倾向性"})
		ok(t, err)
		if c.AnswerDueOn != cal.AddWorkdays(today, 7).String() {
			t.Fatalf("answer due %s", c.AnswerDueOn)
		}
		_, err = s.AnswerChallenge(x.sjj, c.ID, procure.TextInput{Text: "x"})
		wantErr(t, err, yserr.NotFound, "")
		x.Clock.Advance(14 * 24 * time.Hour)
		od, err := s.OverdueItems(x.swj)
		ok(t, err)
		if len(od) != 1 || od[0].Kind != "challenge_answer" {
			t.Fatalf("overdue %+v", od)
		}
		c, err = s.AnswerChallenge(x.swj, c.ID, procure.TextInput{Text: "评分标准不限地域，已澄清"})
		ok(t, err)
		_, err = s.Complain(ent(x.micro), c.ID, procure.TextInput{Text: "x"})
		wantErr(t, err, yserr.NotFound, "")
		c, err = s.Complain(ent(x.small), c.ID, procure.TextInput{Text: "答复未解决问题"})
		ok(t, err)
		_, err = s.DecideComplaint(x.swj, c.ID, procure.TextInput{Text: "驳回"})
		wantErr(t, err, yserr.Forbidden, "")
		c, err = s.DecideComplaint(x.fin, c.ID, procure.TextInput{Text: "投诉缺乏事实依据，驳回"})
		ok(t, err)
		pub, err := s.PublicChallenges(context.Background())
		ok(t, err)
		if len(pub) != 1 || pub[0].Status != procure.ChallengeDecided {
			t.Fatalf("public challenges %+v", pub)
		}
	})
}
