package procure_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"yingshang/internal/bideval"
	"yingshang/internal/draw"
	"yingshang/internal/modules"
	"yingshang/internal/procure"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

var cst = time.FixedZone("CST", 8*3600)

// The blind flag at creation: only 公开招标 and 竞争性磋商 with comprehensive
// scoring, never with lots; refused naming the field blind.
func TestBlindFlag(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		base := func(method, eval string, lots []procure.Lot) procure.ProjectInput {
			return procure.ProjectInput{Title: "物业服务", Method: method, CategoryCode: "C21040000", BudgetYuan: "3200000", EvalMethod: eval, PriceWeight: 30,
				DeductionPct: 10, ConsortiumPct: 4, SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60}, Lots: lots, Blind: true}
		}
		for _, in := range []procure.ProjectInput{
			base("inquiry", procure.EvalComprehensive, nil),
			base("competitive_negotiation", procure.EvalComprehensive, nil),
			base("open_tender", procure.EvalLowestPrice, nil),
			base("open_tender", procure.EvalComprehensive, []procure.Lot{{No: 1, Title: "一包", BudgetFen: 160000000}, {No: 2, Title: "二包", BudgetFen: 160000000}}),
		} {
			_, err := x.svc.CreateProject(x.swj, in)
			wantErr(t, err, yserr.Invalid, "blind")
		}
		for _, m := range []string{"open_tender", "competitive_consultation"} {
			p, err := x.svc.CreateProject(x.swj, base(m, procure.EvalComprehensive, nil))
			ok(t, err)
			if !p.Blind {
				t.Fatalf("%s: the flag is not stored", m)
			}
			// No lots on a blind project.
			_, err = x.svc.SetLots(x.swj, p.ID, []procure.Lot{{No: 1, Title: "一包", BudgetFen: 160000000}, {No: 2, Title: "二包", BudgetFen: 160000000}})
			wantErr(t, err, yserr.Invalid, "lots")
		}
	})
}

// A blind open tender from the notice to the award, through bideval: the
// notice registers bideval's project (20 days at least; 10 for a
// consultation), the suppliers register in procure (credit gate) and upload
// in bideval, the committee is drawn, the centre draws the codes, the
// experts score by code, the centre unmasks; procure then applies its own
// price score with the small/micro deduction, and its ranking (not
// bideval's) decides the award. Before the unmasking no procure read shows
// a code or a technical score of a supplier.
func TestBlindOpenTender(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		be := modules.Get[*bideval.Service](x.Modules)
		pl := newPool(t, x, 6, 2, nil)
		centre := staff(pl.centre)
		sys := sitetest.System()

		p, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "办公楼物业服务（双盲）", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "3200000",
			EvalMethod: procure.EvalComprehensive, PriceWeight: 30, DeductionPct: 10, ConsortiumPct: 4, Blind: true,
			SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60}})
		ok(t, err)
		_, err = s.SetIndicators(x.swj, p.ID, procure.IndicatorsInput{Indicators: []procure.ScoreIndicator{
			{Code: "plan", NameZH: "服务方案", NameEN: "Service plan", Max: 40}, {Code: "team", NameZH: "人员配备", NameEN: "Staffing", Max: 30}}})
		ok(t, err)

		// No registration before the notice.
		_, err = s.Register(ent(x.small), p.ID, procure.RegisterInput{SizeDeclared: "small"})
		wantErr(t, err, yserr.Conflict, "")

		now := x.Clock.Now().In(cst)
		at := func(days int) string { return now.AddDate(0, 0, days).Format("2006-01-02") + "T09:30" }
		notice := procure.BlindNoticeInput{PurchaserUSCC: pl.purchUS, Specialties: []string{"C08"}, DeadlineAt: at(19)}
		_, err = s.PublishBlindNotice(x.sjj, p.ID, notice)
		wantErr(t, err, yserr.NotFound, "")
		_, err = s.PublishBlindNotice(ent(x.small), p.ID, notice)
		wantErr(t, err, yserr.Forbidden, "")
		_, err = s.PublishBlindNotice(x.swj, p.ID, procure.BlindNoticeInput{DeadlineAt: "tomorrow"})
		wantErr(t, err, yserr.Invalid, "purchaser_uscc")
		// 政府采购法 Art. 35: at least 20 days from the notice to the deadline.
		_, err = s.PublishBlindNotice(x.swj, p.ID, notice)
		wantErr(t, err, yserr.Invalid, "deadline_at")
		notice.DeadlineAt = at(21)
		bs, err := s.PublishBlindNotice(x.swj, p.ID, notice)
		ok(t, err)
		if bs.Procedure != bideval.ProcGovOpen || bs.Status != bideval.StatusOpen || bs.Unmasked {
			t.Fatalf("blind state %+v", bs)
		}
		_, err = s.PublishBlindNotice(x.swj, p.ID, notice)
		wantErr(t, err, yserr.Conflict, "")
		st, err := be.Settings(sys, bs.DrawProjectID)
		ok(t, err)
		if st.PriceMax != 30 || len(st.Criteria) != 2 || st.Criteria[0].Key != "plan" || st.Criteria[1].Max != 30 || st.Procedure != bideval.ProcGovOpen {
			t.Fatalf("bideval settings %+v", st)
		}
		// The indicators are fixed with the notice.
		_, err = s.SetIndicators(x.swj, p.ID, procure.IndicatorsInput{Indicators: []procure.ScoreIndicator{{Code: "tech", NameZH: "技术", NameEN: "Tech", Max: 70}}})
		wantErr(t, err, yserr.Conflict, "")

		// The price is sealed in bideval, not typed in procure; the credit
		// gate still refuses a serious-list supplier.
		_, err = s.Register(ent(x.small), p.ID, procure.RegisterInput{SizeDeclared: "small", PriceYuan: "3000000"})
		wantErr(t, err, yserr.Invalid, "price_yuan")
		_, err = s.Register(ent(x.bad), p.ID, procure.RegisterInput{SizeDeclared: "small"})
		wantErr(t, err, yserr.Conflict, "")
		if _, err := be.MyBid(ent(x.bad), bs.DrawProjectID); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("a supplier refused by the credit gate is registered in bideval: %v", err)
		}
		// Nor can it register in bideval directly: procure admits the bidders.
		_, err = be.Register(ent(x.bad), bs.DrawProjectID, bideval.RegisterInput{})
		wantErr(t, err, yserr.Conflict, "")
		if !strings.Contains(yserr.As(err).ZH, "政府采购") {
			t.Fatalf("direct registration refused with %v", err)
		}
		prices := map[int64]string{x.small: "3000000", x.micro: "3100000", x.large: "2800000"}
		label := map[int64]string{x.small: "S", x.micro: "M", x.large: "L"}
		sizes := map[int64]string{x.small: "small", x.micro: "micro", x.large: "large"}
		for _, e := range []int64{x.small, x.micro, x.large} {
			b, err := s.Register(ent(e), p.ID, procure.RegisterInput{SizeDeclared: sizes[e], ProjectManager: "周立新"})
			ok(t, err)
			if b.PriceFen != 0 {
				t.Fatalf("procure stored a price before the evaluation: %+v", b)
			}
			// Registered in bideval too; the parts go there, with receipts.
			_, err = be.Upload(ent(e), bs.DrawProjectID, bideval.PartTechnical, "tech.txt", []byte("物业服务方案 "+label[e]), "")
			ok(t, err)
			f, err := be.Upload(ent(e), bs.DrawProjectID, bideval.PartCommercial, "price.txt", []byte("报价函"), prices[e])
			ok(t, err)
			if len(f.SHA256) != 64 {
				t.Fatalf("receipt %+v", f)
			}
		}

		// The committee, drawn by the draw module on bideval's project.
		_, err = s.CommitCommittee(x.swj, p.ID, procure.CommitteeInput{})
		ok(t, err)
		x.Clock.Advance(time.Minute)
		_, err = s.RunCommittee(x.swj, p.ID, draw.DrawInput{WitnessName: "见证员王芳", WitnessValue: "472915"})
		ok(t, err)
		ok(t, pl.draw.DemoAnswers(context.Background(), bs.DrawProjectID))

		// After the deadline the centre draws the codes (sealed).
		x.Clock.Set(now.AddDate(0, 0, 21).Add(2 * time.Hour))
		_, err = s.Register(ent(x.bad), p.ID, procure.RegisterInput{SizeDeclared: "small"})
		wantErr(t, err, yserr.Conflict, "")
		_, err = be.CommitCodes(centre, bs.DrawProjectID)
		ok(t, err)
		x.Clock.Advance(time.Minute)
		ok(t, be.RunCodes(centre, bs.DrawProjectID, draw.DrawInput{WitnessName: "见证人", WitnessValue: "271828"}))
		sup := x.sup
		full, err := s.Committee(sup, p.ID)
		ok(t, err)
		if len(full.Members) != 5 {
			t.Fatalf("committee %+v", full.Members)
		}
		// A member finds nothing to score in procure: the sheets are bideval's.
		first := expertCtx(pl.users[full.Members[0].ExpertID])
		_, err = s.MySheet(first, p.ID)
		wantErr(t, err, yserr.Conflict, "")
		mine, err := s.MyCommittees(first)
		ok(t, err)
		if len(mine) != 0 {
			t.Fatalf("procure lists a blind project for scoring: %+v", mine)
		}
		codes, err := be.Codes(first, bs.DrawProjectID)
		ok(t, err)
		if len(codes) != 3 {
			t.Fatalf("codes %+v", codes)
		}

		// Secrecy before the unmasking: no procure read holds a code or a
		// technical score of a supplier.
		secret := func(when string) {
			t.Helper()
			var reads []any
			for _, ctx := range []context.Context{x.swj, x.fin, sup} {
				bids, err := s.Bids(ctx, p.ID)
				ok(t, err)
				c, err := s.Committee(ctx, p.ID)
				ok(t, err)
				reads = append(reads, bids, c)
			}
			my, err := s.MyBids(ent(x.small))
			ok(t, err)
			pr, err := s.Project(x.swj, p.ID)
			ok(t, err)
			pub, err := s.PublicResults(context.Background(), p.ID)
			ok(t, err)
			bl, err := s.Blind(context.Background(), p.ID)
			ok(t, err)
			reads = append(reads, my, pr, pub, bl)
			raw, _ := json.Marshal(reads)
			for _, c := range codes {
				if strings.Contains(string(raw), `"`+c.Code+`"`) {
					t.Fatalf("%s: a procure read shows the code %s: %s", when, c.Code, raw)
				}
			}
			if strings.Contains(string(raw), `"blind_code"`) || strings.Contains(string(raw), `"tech_score":6`) {
				t.Fatalf("%s: a procure read shows a code or a technical score: %s", when, raw)
			}
		}
		secret("codes drawn")
		_, err = s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{})
		wantErr(t, err, yserr.Conflict, "")
		_, err = be.TechnicalScores(sys, bs.DrawProjectID)
		wantErr(t, err, yserr.Conflict, "")

		// The experts score by code, reading each technical part. Totals:
		// S 64..68 (mean 66), M 60, L 65 from every member.
		for i, m := range full.Members {
			ctx := expertCtx(pl.users[m.ExpertID])
			var in bideval.SheetInput
			for _, c := range codes {
				_, _, data, err := be.TechnicalByCode(ctx, bs.DrawProjectID, c.Code)
				ok(t, err)
				pts := map[string][2]float64{"S": {float64(34 + i), 30}, "M": {32, 28}, "L": {37, 28}}[string(data[len(data)-1:])]
				in.Scores = append(in.Scores, bideval.Score{Code: c.Code, Criterion: "plan", Points: pts[0], Comment: "方案评价"},
					bideval.Score{Code: c.Code, Criterion: "team", Points: pts[1], Comment: "人员评价"})
			}
			in.Lock = true
			_, err := be.SaveSheet(ctx, bs.DrawProjectID, in)
			ok(t, err)
		}
		secret("sheets locked")
		_, err = be.Unmask(centre, bs.DrawProjectID)
		ok(t, err)
		res, err := be.Results(centre, bs.DrawProjectID)
		ok(t, err)
		// bideval's own ranking (lowest price, no deduction): L 65 + 30 =
		// 95 before S 66 + 28 = 94; procure's decides.
		if res.Rows[0].USCC != uscc(t, 3) || res.Rows[0].Total != 95 {
			t.Fatalf("bideval's ranking %+v", res.Rows)
		}
		scores, err := be.TechnicalScores(sys, bs.DrawProjectID)
		ok(t, err)
		_, err = be.TechnicalScores(x.swj, bs.DrawProjectID)
		wantErr(t, err, yserr.Forbidden, "")

		bids, err := s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{})
		ok(t, err)
		// Hand-computed (MoF Order 87, small/micro deduction 10%):
		// evaluated prices S 2,700,000, M 2,790,000, L 2,800,000; benchmark
		// 2,700,000; price scores S 30, M 2.7/2.79×30 = 29.03, L 2.7/2.8×30
		// = 28.93; totals S 66 + 30 = 96, L 65 + 28.93 = 93.93, M 60 + 29.03
		// = 89.03.
		want := map[int64]struct {
			rank            int
			price, ev       int64
			tech, ps, total float64
		}{
			x.small: {1, 300000000, 270000000, 66, 30, 96},
			x.large: {2, 280000000, 280000000, 65, 28.93, 93.93},
			x.micro: {3, 310000000, 279000000, 60, 29.03, 89.03},
		}
		for _, b := range bids {
			w := want[b.EntityID]
			if b.Rank != w.rank || b.PriceFen != w.price || b.EvaluatedFen != w.ev || b.TechScore != w.tech || b.PriceScore != w.ps || b.TotalScore != w.total {
				t.Fatalf("bid of %s: %+v, want %+v", b.Entity, b, w)
			}
			i := slices.IndexFunc(scores, func(sc bideval.BidderScore) bool { return sc.USCC == b.USCC })
			if i < 0 || b.BlindCode != scores[i].Code {
				t.Fatalf("bid of %s has code %q, bideval %+v", b.Entity, b.BlindCode, scores)
			}
		}
		won, err := s.Award(x.swj, p.ID)
		ok(t, err)
		if won.AwardFen != 300000000 || bids[0].EntityID != x.small || won.WinnerBidID != bids[0].ID {
			t.Fatalf("award %+v", won)
		}
		var n int
		ok(t, x.App.DB.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_events WHERE action = 'procure.blind.notice'").Scan(&n))
		if n != 1 {
			t.Fatalf("%d notice audit events", n)
		}

		// 竞争性磋商: 10 days.
		c, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "信息系统运维（双盲磋商）", Method: "competitive_consultation", CategoryCode: "C16070000",
			BudgetYuan: "900000", EvalMethod: procure.EvalComprehensive, PriceWeight: 30, Blind: true,
			SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsideFull}})
		ok(t, err)
		now = x.Clock.Now().In(cst)
		in := procure.BlindNoticeInput{PurchaserUSCC: pl.purchUS, Specialties: []string{"C08"}, DeadlineAt: now.AddDate(0, 0, 9).Format("2006-01-02T15:04")}
		_, err = s.PublishBlindNotice(x.swj, c.ID, in)
		wantErr(t, err, yserr.Invalid, "deadline_at")
		in.DeadlineAt = now.AddDate(0, 0, 10).Add(time.Hour).Format("2006-01-02T15:04")
		cs, err := s.PublishBlindNotice(x.swj, c.ID, in)
		ok(t, err)
		if cs.Procedure != bideval.ProcGovConsultation {
			t.Fatalf("consultation %+v", cs)
		}
	})
}
