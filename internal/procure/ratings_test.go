package procure_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"yingshang/internal/credit"
	"yingshang/internal/entity"
	"yingshang/internal/modules"
	"yingshang/internal/procure"
	"yingshang/internal/refdata"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// awarded makes an awarded lowest-price project of the tax bureau won by
// the small supplier.
func awarded(t *testing.T, x *env) *procure.Project {
	t.Helper()
	s := x.svc
	p, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "打印复印设备", Method: "inquiry", CategoryCode: "A02021000", BudgetYuan: "300000",
		EvalMethod: procure.EvalLowestPrice, SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsideFull}})
	ok(t, err)
	_, err = s.Register(ent(x.small), p.ID, procure.RegisterInput{PriceYuan: "268000", SizeDeclared: "small"})
	ok(t, err)
	_, err = s.Register(ent(x.micro), p.ID, procure.RegisterInput{PriceYuan: "275000", SizeDeclared: "micro"})
	ok(t, err)
	_, err = s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{})
	ok(t, err)
	p, err = s.Award(x.swj, p.ID)
	ok(t, err)
	return p
}

// The four-party mutual rating: who may rate whom, every indicator within
// its maximum, once per pair, the score as a share of the maximum, the
// credit module's procurement-sector inputs, the public list.
func TestMutualRating(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		cr := modules.Get[*credit.Service](x.Modules)
		agency, err := x.App.Entities.Create(sitetest.System(), entity.Input{USCC: uscc(t, 9), Name: "河南正信招标代理有限公司", Type: "有限责任公司", LegalRepName: "李娜",
			RegionCode: "411002", IndustryCode: "7241", FoundedOn: "2012-06-01", DepartmentID: x.Depts["WD-SJJ"], SizeClass: refdata.SizeSmall})
		ok(t, err)

		p, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "办公家具", Method: "inquiry", CategoryCode: "A05010000", BudgetYuan: "200000",
			EvalMethod: procure.EvalLowestPrice, SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsideFull}})
		ok(t, err)
		_, err = s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: map[string]int{}})
		wantErr(t, err, yserr.Conflict, "")

		p = awarded(t, x)
		full := map[string]int{"C02": 8, "D01": 18, "D02": 9, "D03": 7}
		// Only the project's parties rate: another unit, the losing bidder, a supervisor.
		_, err = s.Rate(x.sjj, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: full})
		wantErr(t, err, yserr.Forbidden, "")
		_, err = s.Rate(ent(x.micro), p.ID, procure.RatingInput{Ratee: procure.PartyPurchaser, Points: map[string]int{"C01": 1}})
		wantErr(t, err, yserr.Forbidden, "")
		_, err = s.Rate(x.sup, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: full})
		wantErr(t, err, yserr.Forbidden, "")

		// Every indicator of the pair, within its maximum, no foreign ones.
		_, err = s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: map[string]int{"C02": 8, "D01": 18, "D02": 9}})
		wantErr(t, err, yserr.Invalid, "points.D03")
		_, err = s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: map[string]int{"C02": 8, "D01": 21, "D02": 9, "D03": 7}})
		wantErr(t, err, yserr.Invalid, "points.D01")
		_, err = s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: map[string]int{"C02": 8, "D01": 18, "D02": 9, "D03": 7, "E01": 5}})
		wantErr(t, err, yserr.Invalid, "points.E01")
		_, err = s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartyAgency, Points: map[string]int{"A02": 5}})
		wantErr(t, err, yserr.Invalid, "ratee") // no agency named yet
		_, err = s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartyPurchaser, Points: map[string]int{}})
		wantErr(t, err, yserr.Invalid, "ratee")

		r, err := s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: full, Comment: "交付及时，售后响应略慢"})
		ok(t, err)
		// 8 + 18 + 9 + 7 = 42 of 10 + 20 + 10 + 10 = 50: 84.0.
		if r.Points != 42 || r.MaxPoints != 50 || r.Score != 84 || r.Ratee != "许昌博远办公设备有限公司" || r.Rater != "国家税务总局许昌市税务局" || len(r.Details) != 4 {
			t.Fatalf("rating %+v", r)
		}
		_, err = s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: full})
		wantErr(t, err, yserr.Conflict, "")

		// The agency: named by the project's unit only.
		_, err = s.SetAgency(x.sjj, p.ID, procure.AgencyInput{USCC: uscc(t, 9)})
		wantErr(t, err, yserr.NotFound, "")
		_, err = s.SetAgency(x.swj, p.ID, procure.AgencyInput{USCC: uscc(t, 77)})
		wantErr(t, err, yserr.Invalid, "uscc")
		_, err = s.SetAgency(x.swj, p.ID, procure.AgencyInput{USCC: uscc(t, 9)})
		ok(t, err)

		tasks, err := s.RatingTasks(ent(x.small), p.ID)
		ok(t, err)
		if len(tasks) != 2 || tasks[0].Ratee != procure.PartyPurchaser || tasks[1].Ratee != procure.PartyAgency || tasks[1].RateeName != "河南正信招标代理有限公司" {
			t.Fatalf("supplier's tasks %+v", tasks)
		}
		_, err = s.Rate(ent(agency.ID), p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: map[string]int{"B03": 9, "B04": 10}})
		ok(t, err)
		_, err = s.Rate(ent(x.small), p.ID, procure.RatingInput{Ratee: procure.PartyPurchaser, Points: map[string]int{"C01": 10, "C03": 10, "D04": 8, "E01": 15}})
		ok(t, err)
		_, err = s.Rate(ent(x.small), p.ID, procure.RatingInput{Ratee: procure.PartyAgency, Points: map[string]int{"A03": 10, "B02": 9, "E02": 8}})
		ok(t, err)
		tasks, err = s.RatingTasks(ent(x.small), p.ID)
		ok(t, err)
		if len(tasks) != 0 {
			t.Fatalf("the supplier has rated all, still %+v", tasks)
		}
		_, err = s.SetAgency(x.swj, p.ID, procure.AgencyInput{USCC: uscc(t, 1)})
		wantErr(t, err, yserr.Conflict, "")

		// Credit holds the supplier's two ratings (84.0 and 95.0) and the
		// agency's one (27 of 30: 90.0); the purchaser is no entity.
		sums, err := cr.ProcureSummaries(context.Background(), []int64{x.small, agency.ID, x.large})
		ok(t, err)
		if sums[x.small].Ratings != 2 || sums[x.small].Average != 89.5 || sums[agency.ID].Ratings != 1 || sums[agency.ID].Average != 90 || sums[x.large].Ratings != 0 {
			t.Fatalf("credit inputs %+v", sums)
		}
		// A source is counted once.
		err = cr.AddProcureInput(sitetest.System(), credit.ProcureInput{EntityID: x.small, Role: "supplier", Score: 50, Source: fmt.Sprintf("procure_rating:%d", r.ID), RatedOn: "2026-12-01"})
		wantErr(t, err, yserr.Conflict, "")

		// Public: every rating with its points, without login.
		list, err := s.Ratings(context.Background(), p.ID)
		ok(t, err)
		if len(list) != 4 || list[0].Score != 84 || list[0].Details[0].Code != "C02" || list[0].Details[0].Points != 8 || list[3].Ratee != "河南正信招标代理有限公司" {
			t.Fatalf("public ratings %+v", list)
		}
	})
}

// A city loads its own template (Xuchang's 12 nodes × 106 indicators):
// the finance bureau only, errors naming the row, then in force.
func TestRatingTemplateImport(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		def, err := s.ActiveTemplate(x.swj)
		ok(t, err)
		if def.Code != procure.DefaultTemplateCode || def.Nodes != 5 || len(def.Indicators) != 23 {
			t.Fatalf("default template %s: %d nodes, %d indicators", def.Code, def.Nodes, len(def.Indicators))
		}
		pairs := [][2]string{{"purchaser", "supplier"}, {"purchaser", "agency"}, {"supplier", "purchaser"}, {"supplier", "agency"}, {"agency", "purchaser"}, {"agency", "supplier"}}
		var b strings.Builder
		b.WriteString("node_no,node_zh,node_en,code,indicator_zh,indicator_en,rater,ratee,max_points\n")
		for i := range 106 {
			node := i%12 + 1
			pr := pairs[i%len(pairs)]
			fmt.Fprintf(&b, "%d,环节%d,,X%03d,指标%d,,%s,%s,%d\n", node, node, i+1, i+1, pr[0], pr[1], 5+i%6)
		}
		in := procure.TemplateInput{Code: "xuchang-12x106", Name: "许昌市四方互评指标"}
		_, err = s.ImportTemplate(x.swj, in, strings.NewReader(b.String()))
		wantErr(t, err, yserr.Forbidden, "")
		bad := strings.Replace(b.String(), "X005,指标5,,agency,purchaser,9", "X005,指标5,,agency,agency,9", 1)
		_, err = s.ImportTemplate(x.fin, in, strings.NewReader(bad))
		wantErr(t, err, yserr.Invalid, "row 6 rater")
		bad = strings.Replace(b.String(), "X007,", "X001,", 1)
		_, err = s.ImportTemplate(x.fin, in, strings.NewReader(bad))
		wantErr(t, err, yserr.Invalid, "row 8 code")
		tpl, err := s.ImportTemplate(x.fin, in, strings.NewReader(b.String()))
		ok(t, err)
		if tpl.Code != in.Code || tpl.Nodes != 12 || len(tpl.Indicators) != 106 || tpl.Indicators[0].Name("en") != "指标1" {
			t.Fatalf("imported %s: %d nodes, %d indicators", tpl.Code, tpl.Nodes, len(tpl.Indicators))
		}
		_, err = s.ImportTemplate(x.fin, in, strings.NewReader(b.String()))
		wantErr(t, err, yserr.Invalid, "code")

		// The purchaser now rates the supplier on the new template's 18 indicators of that pair.
		p := awarded(t, x)
		pts := map[string]int{}
		for _, i := range tpl.For("purchaser", "supplier") {
			pts[i.Code] = i.MaxPoints
		}
		r, err := s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: pts})
		ok(t, err)
		if len(pts) != 18 || r.Score != 100 || len(r.Details) != 18 {
			t.Fatalf("rating on the imported template: %d indicators, %+v", len(pts), r)
		}
	})
}

// A rating of a supplier reaches the credit grade models (issue 18 item
// 9) through credit's one input path, in the rating's transaction. The
// machinery demo model, configured here for the suppliers' sector (51),
// weighs the procurement rating 25: before any rating the supplier scores
// 50 + 75×0.25 + 80×0.25 = 88.75 (A); a rating of 0 points gives
// 50 + 0 + 20 = 70 (B), with the project named as the reason.
func TestRatingReachesGradeModel(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		cr := modules.Get[*credit.Service](x.Modules)
		m := credit.DemoGradeModels()[1]
		m.Sectors = "51"
		_, err := cr.SaveGradeModel(sitetest.System(), m)
		ok(t, err)
		g, err := cr.ModelGradeOf(x.swj, x.small)
		ok(t, err)
		if g == nil || g.Score != 88.75 || g.Level != "A" {
			t.Fatalf("before the rating: %+v", g)
		}
		p := awarded(t, x)
		zero := map[string]int{"C02": 0, "D01": 0, "D02": 0, "D03": 0}
		r, err := x.svc.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: zero})
		ok(t, err)
		if r.Score != 0 {
			t.Fatalf("rating %+v", r)
		}
		g, err = cr.ModelGradeOf(x.swj, x.small)
		ok(t, err)
		var line credit.IndicatorScore
		for _, l := range g.Breakdown {
			if l.Code == credit.IndicatorProcureRating {
				line = l
			}
		}
		if g.Score != 70 || g.Level != "B" || line.Source != "procure" || line.Value != 0 || line.Weight != 25 || !strings.Contains(line.Reason, p.Code) {
			t.Fatalf("after the rating: %+v", g)
		}
		hist, err := cr.ModelGradeHistory(x.swj, x.small)
		ok(t, err)
		if len(hist) == 0 || hist[0].Level != "B" || hist[0].Cause != "input procurement_rating from procure" {
			t.Fatalf("history %+v", hist)
		}
		// The summaries of procurement inputs still count the rating.
		sums, err := cr.ProcureSummaries(context.Background(), []int64{x.small})
		ok(t, err)
		if sums[x.small].Ratings != 1 || sums[x.small].Average != 0 {
			t.Fatalf("summaries %+v", sums)
		}
	})
}
