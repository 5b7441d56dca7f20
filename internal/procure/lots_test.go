package procure_test

import (
	"context"
	"testing"

	"yingshang/internal/procure"
	"yingshang/internal/yserr"
)

// Lots: suppliers register for one or more lots, each lot is evaluated and
// awarded on its own with hand-computed scores (price score = lowest
// evaluated price ÷ evaluated price × 30, small/micro deduction 10%), a
// contract per lot and winner, the project awarded with its last lot.
func TestLotsAwardedPerLot(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		p, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "办公区物业及食堂服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "3500000",
			EvalMethod: procure.EvalComprehensive, PriceWeight: 30, DeductionPct: 10, ConsortiumPct: 4,
			SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60},
			Lots:          []procure.Lot{{Title: "物业服务", BudgetFen: 200000000}, {Title: "食堂服务", BudgetFen: 150000000}}})
		ok(t, err)
		_, err = s.Register(ent(x.small), p.ID, procure.RegisterInput{PriceYuan: "1900000", SizeDeclared: "small"})
		wantErr(t, err, yserr.Invalid, "lots")
		_, err = s.Register(ent(x.small), p.ID, procure.RegisterInput{SizeDeclared: "small", Lots: []procure.LotBid{{LotNo: 3, PriceYuan: "1"}}})
		wantErr(t, err, yserr.Invalid, "lots")
		small, err := s.Register(ent(x.small), p.ID, procure.RegisterInput{SizeDeclared: "small",
			Lots: []procure.LotBid{{LotNo: 1, PriceYuan: "1900000"}, {LotNo: 2, PriceYuan: "1400000"}}})
		ok(t, err)
		if small.PriceFen != 330000000 {
			t.Fatalf("the registration's price is %d, want the lots' sum", small.PriceFen)
		}
		large, err := s.Register(ent(x.large), p.ID, procure.RegisterInput{SizeDeclared: "large", Lots: []procure.LotBid{{LotNo: 1, PriceYuan: "1800000"}}})
		ok(t, err)
		micro, err := s.Register(ent(x.micro), p.ID, procure.RegisterInput{SizeDeclared: "micro", Lots: []procure.LotBid{{LotNo: 2, PriceYuan: "1380000"}}})
		ok(t, err)

		_, err = s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{})
		wantErr(t, err, yserr.Conflict, "")
		_, err = s.EvaluateLot(x.sjj, p.ID, 1, procure.ScoreInput{})
		wantErr(t, err, yserr.NotFound, "")
		_, err = s.EvaluateLot(x.swj, p.ID, 1, procure.ScoreInput{Tech: []procure.TechPoints{{BidID: small.ID, Points: 60}}})
		wantErr(t, err, yserr.Invalid, "tech")
		_, err = s.AwardLot(x.swj, p.ID, 1)
		wantErr(t, err, yserr.Conflict, "")

		// Lot 1: small 1,900,000 × 0.9 = 1,710,000 (lowest): 30 + 60 = 90;
		// large 1,800,000: 1,710,000 ÷ 1,800,000 × 30 = 28.5, + 65 = 93.5.
		r1, err := s.EvaluateLot(x.swj, p.ID, 1, procure.ScoreInput{Tech: []procure.TechPoints{{BidID: small.ID, Points: 60}, {BidID: large.ID, Points: 65}}})
		ok(t, err)
		if len(r1) != 2 || r1[0].BidID != large.ID || r1[0].PriceScore != 28.5 || r1[0].TotalScore != 93.5 || r1[0].Rank != 1 ||
			r1[1].EvaluatedFen != 171000000 || r1[1].DeductionPct != 10 || r1[1].PriceScore != 30 || r1[1].TotalScore != 90 {
			t.Fatalf("lot 1 %+v", r1)
		}
		// Lot 2: micro 1,380,000 × 0.9 = 1,242,000 (lowest): 30 + 60 = 90;
		// small 1,400,000 × 0.9 = 1,260,000: 1,242,000 ÷ 1,260,000 × 30 =
		// 29.57, + 64 = 93.57.
		r2, err := s.EvaluateLot(x.swj, p.ID, 2, procure.ScoreInput{Tech: []procure.TechPoints{{BidID: small.ID, Points: 64}, {BidID: micro.ID, Points: 60}}})
		ok(t, err)
		if len(r2) != 2 || r2[0].BidID != small.ID || r2[0].PriceScore != 29.57 || r2[0].TotalScore != 93.57 || r2[1].TotalScore != 90 || r2[1].EvaluatedFen != 124200000 {
			t.Fatalf("lot 2 %+v", r2)
		}
		// Suppliers see their own lots only; the public nothing before the award.
		mine, err := s.LotResults(ent(x.micro), p.ID)
		ok(t, err)
		if len(mine) != 1 || mine[0].BidID != micro.ID {
			t.Fatalf("the micro firm sees %+v", mine)
		}
		_, err = s.Award(x.swj, p.ID)
		wantErr(t, err, yserr.Conflict, "")
		q, err := s.AwardLot(x.swj, p.ID, 1)
		ok(t, err)
		if q.Status != procure.ProjectEvaluated {
			t.Fatalf("one lot of two awarded: status %s", q.Status)
		}
		_, err = s.AwardLot(x.swj, p.ID, 1)
		wantErr(t, err, yserr.Conflict, "")
		_, err = s.EvaluateLot(x.swj, p.ID, 1, procure.ScoreInput{Tech: []procure.TechPoints{{BidID: small.ID, Points: 60}, {BidID: large.ID, Points: 65}}})
		wantErr(t, err, yserr.Conflict, "")
		q, err = s.AwardLot(x.swj, p.ID, 2)
		ok(t, err)
		if q.Status != procure.ProjectAwarded || q.AwardFen != 320000000 || q.SavingsFen != 30000000 {
			t.Fatalf("after the last lot %+v", q)
		}
		cs, err := s.Contracts(x.swj, p.ID)
		ok(t, err)
		got := map[int]procure.Contract{}
		for _, c := range cs {
			got[c.LotNo] = c
		}
		if len(cs) != 2 || got[1].EntityID != x.large || got[1].AmountFen != 180000000 || got[1].BudgetFen != 200000000 || got[1].SME ||
			got[2].EntityID != x.small || got[2].AmountFen != 140000000 || got[2].BudgetFen != 150000000 || !got[2].SmallMicro {
			t.Fatalf("contracts %+v", cs)
		}
		pub, err := s.LotResults(context.Background(), p.ID)
		ok(t, err)
		if len(pub) != 4 || !pub[0].Awarded || pub[1].Awarded || !pub[2].Awarded {
			t.Fatalf("public lot results %+v", pub)
		}
	})
}
