package procure_test

import (
	"slices"
	"testing"

	"yingshang/internal/procure"
)

// A project of two lots with different winners: the award release lists
// each lot's award (its winner and its price, relatedLots), the bids per
// lot, and each lot's published contract points at its lot's award; the
// lots carry their own set-aside and deductions. Valid against the
// official OCDS 1.1.5 schemas, plain and with the extension.
func TestOCDSLots(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		p, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "办公区物业及食堂服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "5000000",
			EvalMethod: procure.EvalLowestPrice, DeductionPct: 10, ConsortiumPct: 4,
			SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60},
			Lots: []procure.Lot{
				{Title: "物业服务", LotTerms: procure.LotTerms{BudgetYuan: "3000000", Spec: "面积12000平方米", SetAside: procure.SetAsideNone, SetAsideReason: "insufficient", DeductionPct: 15, ConsortiumPct: 5}},
				{Title: "食堂服务", LotTerms: procure.LotTerms{BudgetYuan: "2000000", Quantity: 2, SetAside: procure.SetAsideFull}}}})
		ok(t, err)
		_, err = s.Register(ent(x.large), p.ID, procure.RegisterInput{SizeDeclared: "large", Lots: []procure.LotBid{{LotNo: 1, PriceYuan: "2800000"}}})
		ok(t, err)
		_, err = s.Register(ent(x.small), p.ID, procure.RegisterInput{SizeDeclared: "small", Lots: []procure.LotBid{{LotNo: 1, PriceYuan: "2950000"}, {LotNo: 2, PriceYuan: "1900000"}}})
		ok(t, err)
		_, err = s.Register(ent(x.micro), p.ID, procure.RegisterInput{SizeDeclared: "micro", Lots: []procure.LotBid{{LotNo: 2, PriceYuan: "1850000"}}})
		ok(t, err)
		// Lowest evaluated price: lot 1 small 2,950,000 × 0.85 = 2,507,500
		// beats large 2,800,000; lot 2 (no deduction) micro 1,850,000.
		for _, l := range []int{1, 2} {
			_, err = s.EvaluateLot(x.swj, p.ID, l, procure.ScoreInput{})
			ok(t, err)
			_, err = s.AwardLot(x.swj, p.ID, l)
			ok(t, err)
		}
		cs, err := s.Contracts(x.swj, p.ID)
		ok(t, err)
		for _, c := range cs {
			_, err = s.AdvanceContract(x.swj, c.ID, procure.ContractStep{Step: "sign"})
			ok(t, err)
			_, err = s.AdvanceContract(x.swj, c.ID, procure.ContractStep{Step: "publish"})
			ok(t, err)
		}
		anon := t.Context()
		ocid := s.OCID(p)
		pkg, err := s.OCDSReleases(anon, procure.OCDSPage{OCID: ocid, Base: "https://ys.example.gov.cn"})
		ok(t, err)
		recs, err := s.OCDSRecords(anon, procure.OCDSPage{OCID: ocid, Base: "https://ys.example.gov.cn"})
		ok(t, err)
		for _, ext := range []bool{false, true} {
			rel, rec := ocdsSchemas(t, ext)
			validateOCDS(t, rel, "release package", pkg)
			validateOCDS(t, rec, "record package", recs)
		}
		byTag := map[string]procure.Release{}
		for _, r := range pkg.Releases {
			byTag[r.Tag[0]] = r
		}
		tender := byTag["tender"].Tender
		if len(tender.Lots) != 2 || tender.Lots[0].LocalRules.SetAside.Decision != "none" || tender.Lots[0].LocalRules.PriceDeduction.SmallMicroPercent != 15 ||
			tender.Lots[1].LocalRules.SetAside.Decision != "full" || tender.Lots[1].LocalRules.PriceDeduction.SmallMicroPercent != 0 || tender.Lots[0].Description != "面积12000平方米" {
			t.Fatalf("tender lots %+v", tender.Lots)
		}
		if len(tender.Items) != 2 || tender.Items[0].RelatedLot != "1" || tender.Items[1].RelatedLot != "2" || tender.Items[1].Quantity != 2 {
			t.Fatalf("tender items %+v", tender.Items)
		}
		aw := byTag["award"]
		smRef, miRef := "CN-USCC-"+uscc(t, 1), "CN-USCC-"+uscc(t, 2)
		if len(aw.Awards) != 2 {
			t.Fatalf("awards %+v", aw.Awards)
		}
		a1, a2 := aw.Awards[0], aw.Awards[1]
		if !slices.Equal(a1.RelatedLots, []string{"1"}) || a1.Value.Amount != 2950000 || a1.Suppliers[0].ID != smRef ||
			!slices.Equal(a2.RelatedLots, []string{"2"}) || a2.Value.Amount != 1850000 || a2.Suppliers[0].ID != miRef {
			t.Fatalf("awards per lot %+v / %+v", a1, a2)
		}
		if p, err = s.Project(anon, p.ID); err != nil || p.AwardFen != 480000000 {
			t.Fatalf("project award %+v %v", p, err)
		}
		if aw.Bids == nil || len(aw.Bids.Details) != 4 {
			t.Fatalf("bids %+v", aw.Bids)
		}
		perLot := map[string]int{}
		for _, b := range aw.Bids.Details {
			perLot[b.RelatedLots[0]]++
		}
		if perLot["1"] != 2 || perLot["2"] != 2 {
			t.Fatalf("bids per lot %v", perLot)
		}
		suppliers := 0
		for _, pt := range aw.Parties {
			if slices.Contains(pt.Roles, "supplier") {
				suppliers++
			}
		}
		if suppliers != 2 {
			t.Fatalf("%d parties with the role supplier, want the two lot winners: %+v", suppliers, aw.Parties)
		}
		ct := byTag["contract"]
		if len(ct.Contracts) != 2 {
			t.Fatalf("contracts %+v", ct.Contracts)
		}
		for _, c := range ct.Contracts {
			want := map[string]string{"1": a1.ID, "2": a2.ID}
			if len(c.RelatedLots) != 1 || c.AwardID != want[c.RelatedLots[0]] || len(c.Items) != 1 || c.Items[0].RelatedLot != c.RelatedLots[0] {
				t.Fatalf("contract %+v", c)
			}
		}
		comp := recs.Records[0].CompiledRelease
		if len(comp.Awards) != 2 || comp.Bids == nil || len(comp.Contracts) != 2 {
			t.Fatalf("compiled release %+v", comp)
		}
	})
}
