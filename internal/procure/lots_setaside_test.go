package procure_test

import (
	"strings"
	"testing"

	"yingshang/internal/procure"
	"yingshang/internal/yserr"
)

// Per-lot set-aside (财库〔2020〕46号 Art. 8: a lot may be reserved in full
// for SMEs): each lot's decision checked against the thresholds of the
// project's kind and budget, the project's share reached through its lots,
// the lot's own deductions used in its evaluation (hand-computed), large
// firms kept off a lot reserved in full, and the lots changed on the
// project page's form before any registration.
func TestLotSetAside(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		base := func(lots ...procure.Lot) procure.ProjectInput {
			return procure.ProjectInput{Title: "办公区物业及食堂服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "5000000",
				EvalMethod: procure.EvalComprehensive, PriceWeight: 30, DeductionPct: 10, ConsortiumPct: 4,
				SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60}, Lots: lots}
		}
		none := func(title, yuan string) procure.Lot {
			return procure.Lot{Title: title, LotTerms: procure.LotTerms{BudgetYuan: yuan, SetAside: procure.SetAsideNone, SetAsideReason: "insufficient", DeductionPct: 15, ConsortiumPct: 5}}
		}
		full := func(title, yuan string) procure.Lot {
			return procure.Lot{Title: title, LotTerms: procure.LotTerms{BudgetYuan: yuan, SetAside: procure.SetAsideFull, Quantity: 1}}
		}
		// 4,000,000 not reserved + 1,000,000 in full: 1,000,000 ÷ 5,000,000
		// = 20% reserved, below the project's 30%.
		_, err := s.CreateProject(x.swj, base(none("物业服务", "4000000"), full("食堂服务", "1000000")))
		wantErr(t, err, yserr.Invalid, "lots")
		if zh, _ := yserr.Texts(err); !strings.Contains(zh, "20.0%") || !strings.Contains(zh, "1,000,000") && !strings.Contains(zh, "1000000") {
			t.Fatalf("the refusal should give the reserved amount and share: %s", zh)
		}
		// A partial lot below the national 30% share.
		low := procure.Lot{Title: "物业服务", LotTerms: procure.LotTerms{BudgetYuan: "4000000", SetAside: procure.SetAsidePartial, SetAsideShare: 25, SmallMicroShare: 60}}
		_, err = s.CreateProject(x.swj, base(low, full("食堂服务", "1000000")))
		wantErr(t, err, yserr.Invalid, "lots.1.set_aside_share")
		// A lot reserved in full has no price deduction.
		bad := full("食堂服务", "1000000")
		bad.DeductionPct = 10
		_, err = s.CreateProject(x.swj, base(none("物业服务", "4000000"), bad))
		wantErr(t, err, yserr.Invalid, "lots.2.deduction_pct")
		// A project reserved in full (1,800,000 yuan of services is at most
		// 2 million): no lot may be left out.
		small := base(full("物业服务", "1000000"), none("食堂服务", "800000"))
		small.BudgetYuan, small.SetAsideInput, small.DeductionPct, small.ConsortiumPct = "1800000", procure.SetAsideInput{Decision: procure.SetAsideFull}, 0, 0
		_, err = s.CreateProject(x.swj, small)
		wantErr(t, err, yserr.Invalid, "lots.2.set_aside")
		// A partial lot at 1,800,000 yuan: the threshold is the project's.
		small.Lots = []procure.Lot{full("物业服务", "1000000"), {Title: "食堂服务", LotTerms: procure.LotTerms{BudgetYuan: "800000", SetAside: procure.SetAsidePartial, SetAsideShare: 40, SmallMicroShare: 70}}}
		_, err = s.CreateProject(x.swj, small)
		wantErr(t, err, yserr.Invalid, "lots.2.set_aside")
		// Budgets that do not add up; a missing title.
		_, err = s.CreateProject(x.swj, base(none("物业服务", "3000000"), full("", "1000000")))
		wantErr(t, err, yserr.Invalid, "lots.2.title")
		_, err = s.CreateProject(x.swj, base(none("物业服务", "3000000"), full("食堂服务", "1000000")))
		wantErr(t, err, yserr.Invalid, "lots")

		// 3,000,000 not reserved (deductions 15% / 5%) + 2,000,000 in full:
		// 40% reserved.
		p, err := s.CreateProject(x.swj, base(none("物业服务", "3000000"), full("食堂服务", "2000000")))
		ok(t, err)
		l1, l2 := p.Lots[0], p.Lots[1]
		if l1.No != 1 || l1.BudgetFen != 300000000 || l1.SetAside != procure.SetAsideNone || l1.DeductionPct != 15 || l1.ConsortiumPct != 5 ||
			l2.SetAside != procure.SetAsideFull || l2.DeductionPct != 0 || l2.BudgetFen != 200000000 || l2.Quantity != 1 {
			t.Fatalf("lots stored %+v", p.Lots)
		}
		_, err = s.Register(ent(x.large), p.ID, procure.RegisterInput{SizeDeclared: "large", Lots: []procure.LotBid{{LotNo: 2, PriceYuan: "1800000"}}})
		wantErr(t, err, yserr.Invalid, "lots")
		large, err := s.Register(ent(x.large), p.ID, procure.RegisterInput{SizeDeclared: "large", Lots: []procure.LotBid{{LotNo: 1, PriceYuan: "2800000"}}})
		ok(t, err)
		sm, err := s.Register(ent(x.small), p.ID, procure.RegisterInput{SizeDeclared: "small",
			Lots: []procure.LotBid{{LotNo: 1, PriceYuan: "2950000"}, {LotNo: 2, PriceYuan: "1900000"}}})
		ok(t, err)
		mi, err := s.Register(ent(x.micro), p.ID, procure.RegisterInput{SizeDeclared: "micro", Lots: []procure.LotBid{{LotNo: 2, PriceYuan: "1850000"}}})
		ok(t, err)
		_, err = s.SetLots(x.swj, p.ID, []procure.Lot{full("全部服务", "5000000")})
		wantErr(t, err, yserr.Conflict, "")

		// Lot 1, the lot's 15%: small 2,950,000 × 0.85 = 2,507,500 (lowest):
		// 30 + 60 = 90; large 2,800,000: 2,507,500 ÷ 2,800,000 × 30 =
		// 26.87, + 65 = 91.87.
		r1, err := s.EvaluateLot(x.swj, p.ID, 1, procure.ScoreInput{Tech: []procure.TechPoints{{BidID: sm.ID, Points: 60}, {BidID: large.ID, Points: 65}}})
		ok(t, err)
		if len(r1) != 2 || r1[0].BidID != large.ID || r1[0].PriceScore != 26.87 || r1[0].TotalScore != 91.87 ||
			r1[1].DeductionPct != 15 || r1[1].EvaluatedFen != 250750000 || r1[1].TotalScore != 90 {
			t.Fatalf("lot 1 %+v", r1)
		}
		// Lot 2, reserved in full, no deduction: micro 1,850,000 (lowest):
		// 30 + 60 = 90; small 1,900,000: 1,850,000 ÷ 1,900,000 × 30 = 29.21,
		// + 62 = 91.21.
		r2, err := s.EvaluateLot(x.swj, p.ID, 2, procure.ScoreInput{Tech: []procure.TechPoints{{BidID: sm.ID, Points: 62}, {BidID: mi.ID, Points: 60}}})
		ok(t, err)
		if len(r2) != 2 || r2[0].BidID != sm.ID || r2[0].PriceScore != 29.21 || r2[0].TotalScore != 91.21 || r2[0].DeductionPct != 0 ||
			r2[1].EvaluatedFen != 185000000 || r2[1].DeductionPct != 0 || r2[1].TotalScore != 90 {
			t.Fatalf("lot 2 %+v", r2)
		}

		// The lots form: another unit cannot; the unit can before any
		// registration (lots default to the project's decision).
		q, err := s.CreateProject(x.swj, base(none("物业服务", "3000000"), full("食堂服务", "2000000")))
		ok(t, err)
		_, err = s.SetLots(x.sjj, q.ID, nil)
		wantErr(t, err, yserr.NotFound, "")
		q, err = s.SetLots(x.swj, q.ID, []procure.Lot{{Title: "物业", LotTerms: procure.LotTerms{BudgetYuan: "2500000", Spec: "面积 12000㎡"}},
			{Title: "食堂", LotTerms: procure.LotTerms{BudgetYuan: "2500000"}}})
		ok(t, err)
		if len(q.Lots) != 2 || q.Lots[0].SetAside != procure.SetAsidePartial || q.Lots[0].SetAsideShare != 30 || q.Lots[0].DeductionPct != 10 || q.Lots[0].Spec != "面积 12000㎡" {
			t.Fatalf("lots after the form %+v", q.Lots)
		}
		q, err = s.SetLots(x.swj, q.ID, nil)
		ok(t, err)
		if len(q.Lots) != 0 {
			t.Fatalf("lots removed: %+v", q.Lots)
		}
	})
}
