package procure_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"yingshang/internal/draw"
	"yingshang/internal/procure"
	"yingshang/internal/yserr"
)

// Experts score each lot: a project with two lots and a drawn committee (4
// members with accounts, 1 without). Every member with an account gets
// exactly one scoring-open message; each scores each lot on its own locked
// sheet (the bids on the lot by code only, a comment per indicator in the
// receipt); the lot's evaluation takes the mean of the five sheets
// (hand-computed), closes that lot's sheets only; after the award the
// points, comments and per-lot receipts are public and recompute.
func TestExpertsScoreLots(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		pl := newPool(t, x, 6, 0, nil)
		for i := range 2 {
			e, err := pl.draw.CreateExpert(pl.sysCtx, draw.ExpertInput{Name: fmt.Sprintf("经济专家%02d", i), Specialties: []string{"E01"}, EmployerName: "单位",
				Region: "411002", Title: "高级会计师"})
			ok(t, err)
			pl.econ = append(pl.econ, e.ID)
		}
		p, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "办公区物业及食堂服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "3500000",
			EvalMethod: procure.EvalComprehensive, PriceWeight: 30, DeductionPct: 10, ConsortiumPct: 4,
			SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60},
			Lots:          []procure.Lot{{Title: "物业服务", BudgetFen: 200000000}, {Title: "食堂服务", BudgetFen: 150000000}}})
		ok(t, err)
		_, err = s.SetIndicators(x.swj, p.ID, procure.IndicatorsInput{Indicators: []procure.ScoreIndicator{
			{Code: "plan", NameZH: "服务方案", NameEN: "Service plan", Max: 40}, {Code: "team", NameZH: "人员配备", NameEN: "Staffing", Max: 30}}})
		ok(t, err)
		small, err := s.Register(ent(x.small), p.ID, procure.RegisterInput{SizeDeclared: "small",
			Lots: []procure.LotBid{{LotNo: 1, PriceYuan: "1900000"}, {LotNo: 2, PriceYuan: "1400000"}}})
		ok(t, err)
		large, err := s.Register(ent(x.large), p.ID, procure.RegisterInput{SizeDeclared: "large", Lots: []procure.LotBid{{LotNo: 1, PriceYuan: "1800000"}}})
		ok(t, err)
		micro, err := s.Register(ent(x.micro), p.ID, procure.RegisterInput{SizeDeclared: "micro", Lots: []procure.LotBid{{LotNo: 2, PriceYuan: "1380000"}}})
		ok(t, err)
		pl.drawn(t, x, x.swj, p.ID)

		full, err := s.Committee(x.sup, p.ID)
		ok(t, err)
		var online []procure.CommitteeMember
		var offline string
		memberCtx := map[string]context.Context{}
		for _, m := range full.Members {
			if m.Online {
				online = append(online, m)
				memberCtx[m.Alias] = expertCtx(pl.users[m.ExpertID])
			} else {
				offline = m.Alias
			}
		}
		if len(online) != 4 || offline == "" {
			t.Fatalf("committee %+v", full.Members)
		}
		var outsider int64
		for id, u := range pl.users {
			if !slices.ContainsFunc(full.Members, func(m procure.CommitteeMember) bool { return m.ExpertID == id }) {
				outsider = u
			}
		}

		// One scoring-open message to each member with an account, none to
		// anyone else; telling the committee again sends nothing.
		ns := x.App.Notify
		count := func() map[int64]int {
			msgs, err := ns.ObjectMessages(context.Background(), "procure_project", fmt.Sprint(p.ID))
			ok(t, err)
			out := map[int64]int{}
			for _, n := range msgs {
				if n.Type == procure.MsgScoringOpen {
					if n.Channel != "inapp" || n.Link != "/procure/scoring" || !strings.Contains(n.Body, p.Code) {
						t.Fatalf("scoring-open message %+v", n)
					}
					out[n.UserID]++
				}
			}
			return out
		}
		ok(t, procure.NotifyScoringOpenForTest(s, context.Background(), p.ID))
		got := count()
		if len(got) != 4 {
			t.Fatalf("scoring-open messages %v, want one to each of the 4 members with an account", got)
		}
		for _, m := range online {
			if got[pl.users[m.ExpertID]] != 1 {
				t.Fatalf("member %s got %d messages, want 1 (%v)", m.Alias, got[pl.users[m.ExpertID]], got)
			}
		}

		// Who sees which sheet: members each lot's, not the project's; an
		// outsider, a supplier and the unit none.
		first := memberCtx[online[0].Alias]
		_, err = s.MySheet(first, p.ID)
		wantErr(t, err, yserr.Conflict, "")
		_, err = s.MyLotSheet(expertCtx(outsider), p.ID, 1)
		wantErr(t, err, yserr.Forbidden, "")
		_, err = s.MyLotSheet(ent(x.small), p.ID, 1)
		wantErr(t, err, yserr.Forbidden, "")
		_, err = s.MyLotSheet(x.swj, p.ID, 1)
		wantErr(t, err, yserr.Forbidden, "")
		_, err = s.MyLotSheet(first, p.ID, 3)
		wantErr(t, err, yserr.NotFound, "")
		mine, err := s.MyCommittees(first)
		ok(t, err)
		if len(mine) != 1 || mine[0].ID != p.ID {
			t.Fatalf("the member's committees %+v", mine)
		}
		theirs, err := s.MyCommittees(expertCtx(outsider))
		ok(t, err)
		if len(theirs) != 0 {
			t.Fatalf("the outsider's committees %+v", theirs)
		}

		// Each lot's sheet has the codes of the bids on it.
		sh1, err := s.MyLotSheet(first, p.ID, 1)
		ok(t, err)
		sh2, err := s.MyLotSheet(first, p.ID, 2)
		ok(t, err)
		codeOf := func(bid int64) string {
			for _, c := range []string{"T01", "T02", "T03"} {
				if id, err := procure.BidOfCodeForTest(s, context.Background(), p.ID, c); err == nil && id == bid {
					return c
				}
			}
			t.Fatalf("bid %d has no code", bid)
			return ""
		}
		want1, want2 := []string{codeOf(small.ID), codeOf(large.ID)}, []string{codeOf(small.ID), codeOf(micro.ID)}
		slices.Sort(want1)
		slices.Sort(want2)
		if !slices.Equal(sh1.Codes, want1) || !slices.Equal(sh2.Codes, want2) || sh1.LotNo != 1 || sh1.LotTitle != "物业服务" || !sh1.Open {
			t.Fatalf("lot sheets %+v / %+v, want codes %v and %v", sh1, sh2, want1, want2)
		}
		_, err = s.SaveLotSheet(first, p.ID, 1, procure.SheetInput{Points: []procure.SheetPoint{{Code: codeOf(micro.ID), Indicator: "plan", Points: 30}}})
		wantErr(t, err, yserr.Invalid, "points."+codeOf(micro.ID)+".plan")
		_, err = s.SaveLotSheet(first, p.ID, 1, procure.SheetInput{Points: []procure.SheetPoint{{Code: want1[0], Indicator: "plan", Points: 30, Comment: strings.Repeat("长", 501)}}})
		wantErr(t, err, yserr.Invalid, "comments."+want1[0]+".plan")

		// Lot 1: members 0..3 give the first code 60, 62, 64, 66 and the
		// second 65, with a comment on each plan; the member without an
		// account is typed 68 and 65: means 64 and 65.
		sheet1 := func(i int) []procure.SheetPoint {
			return []procure.SheetPoint{{Code: want1[0], Indicator: "plan", Points: float64(34 + i), Comment: fmt.Sprintf("方案较完整 %d", i)}, {Code: want1[0], Indicator: "team", Points: float64(26 + i)},
				{Code: want1[1], Indicator: "plan", Points: 36.5, Comment: "方案详实"}, {Code: want1[1], Indicator: "team", Points: 28.5}}
		}
		receipts := map[string]string{}
		for i, m := range online {
			got, err := s.SaveLotSheet(memberCtx[m.Alias], p.ID, 1, procure.SheetInput{Points: sheet1(i), Lock: true})
			ok(t, err)
			if got.Status != procure.SheetLocked || got.SHA256 != procure.SheetHash(sheet1(i)) || got.Comment(want1[0], "plan") != fmt.Sprintf("方案较完整 %d", i) {
				t.Fatalf("locked lot sheet %d: %+v", i, got)
			}
			receipts[m.Alias] = got.SHA256
			if i == 0 {
				// The lot's sheets are separate: lot 2 is still empty, and
				// the evaluation of lot 1 waits for the other three.
				if st, err := s.LotSheetStates(x.swj, p.ID, 2); err != nil || slices.ContainsFunc(st, func(x procure.SheetState) bool { return x.Status != procure.SheetNone }) {
					t.Fatalf("lot 2 states %+v %v", st, err)
				}
				_, err = s.EvaluateLot(x.swj, p.ID, 1, procure.ScoreInput{})
				wantErr(t, err, yserr.Conflict, "")
			}
		}
		_, err = s.LotSheetStates(x.sjj, p.ID, 1)
		wantErr(t, err, yserr.NotFound, "")
		a1, b1 := bidOfCode(t, x, p.ID, want1[0], small.ID, large.ID), bidOfCode(t, x, p.ID, want1[1], small.ID, large.ID)
		_, err = s.EvaluateLot(x.swj, p.ID, 1, procure.ScoreInput{Tech: []procure.TechPoints{{BidID: a1, Points: 70}, {BidID: b1, Points: 70}}})
		wantErr(t, err, yserr.Invalid, "sheets")
		typed := procure.ExpertSheet{Expert: offline, Tech: []procure.TechPoints{{BidID: a1, Points: 68}, {BidID: b1, Points: 65}}}
		r1, err := s.EvaluateLot(x.swj, p.ID, 1, procure.ScoreInput{Sheets: []procure.ExpertSheet{typed}})
		ok(t, err)
		// Small: 1,900,000 × 0.9 = 1,710,000 (lowest): price score 30; large
		// 1,710,000 ÷ 1,800,000 × 30 = 28.5.
		res := map[int64]procure.LotResult{}
		for _, r := range r1 {
			res[r.BidID] = r
		}
		tech := map[int64]float64{a1: 64, b1: 65}
		price := map[int64]float64{small.ID: 30, large.ID: 28.5}
		for id, r := range res {
			if r.TechScore != tech[id] || r.PriceScore != price[id] || r.TotalScore != tech[id]+price[id] {
				t.Fatalf("lot 1 bid %d: %+v, want technical %g and price %g", id, r, tech[id], price[id])
			}
		}
		// Lot 1 is evaluated: its sheets close, lot 2's stay open.
		_, err = s.SaveLotSheet(memberCtx[online[1].Alias], p.ID, 1, procure.SheetInput{Points: sheet1(1)})
		wantErr(t, err, yserr.Conflict, "")
		mine, err = s.MyCommittees(first)
		ok(t, err)
		if len(mine) != 1 {
			t.Fatalf("with lot 2 open the project is still listed: %+v", mine)
		}

		// Lot 2: every member 30 + 20 and 35 + 25; typed 55 and 60: means
		// 51 and 60.
		a2, b2 := bidOfCode(t, x, p.ID, want2[0], small.ID, micro.ID), bidOfCode(t, x, p.ID, want2[1], small.ID, micro.ID)
		sheet2 := []procure.SheetPoint{{Code: want2[0], Indicator: "plan", Points: 30}, {Code: want2[0], Indicator: "team", Points: 20, Comment: "人员偏少"},
			{Code: want2[1], Indicator: "plan", Points: 35}, {Code: want2[1], Indicator: "team", Points: 25}}
		for _, m := range online {
			_, err := s.SaveLotSheet(memberCtx[m.Alias], p.ID, 2, procure.SheetInput{Points: sheet2, Lock: true})
			ok(t, err)
		}
		r2, err := s.EvaluateLot(x.swj, p.ID, 2, procure.ScoreInput{Sheets: []procure.ExpertSheet{{Expert: offline, Tech: []procure.TechPoints{{BidID: a2, Points: 55}, {BidID: b2, Points: 60}}}}})
		ok(t, err)
		for _, r := range r2 {
			if w := map[int64]float64{a2: 51, b2: 60}[r.BidID]; r.TechScore != w {
				t.Fatalf("lot 2 bid %d: technical %g, want %g", r.BidID, r.TechScore, w)
			}
		}
		_, err = s.AwardLot(x.swj, p.ID, 1)
		ok(t, err)
		_, err = s.AwardLot(x.swj, p.ID, 2)
		ok(t, err)

		// Published: each member's points per lot and bid, the comments,
		// and a receipt per lot that the published entries recompute.
		pub, err := s.Committee(context.Background(), p.ID)
		ok(t, err)
		for _, m := range pub.Members {
			if len(m.Scores) != 4 || m.Name == "" {
				t.Fatalf("published member %+v", m)
			}
			if !m.Online {
				continue
			}
			byLot := map[int][]procure.SheetPoint{}
			for _, sc := range m.Scores {
				byLot[sc.LotNo] = append(byLot[sc.LotNo], sc.Indicators...)
			}
			if len(m.LotReceipts) != 2 || m.SHA256 != "" {
				t.Fatalf("published receipts of %s: %+v", m.Alias, m)
			}
			for _, rc := range m.LotReceipts {
				if procure.SheetHash(byLot[rc.LotNo]) != rc.SHA256 {
					t.Fatalf("the published entries of %s on lot %d do not give the receipt", m.Alias, rc.LotNo)
				}
				if rc.LotNo == 1 && rc.SHA256 != receipts[m.Alias] {
					t.Fatalf("lot 1 receipt of %s changed", m.Alias)
				}
			}
			if !slices.ContainsFunc(byLot[2], func(x procure.SheetPoint) bool { return x.Comment == "人员偏少" }) {
				t.Fatalf("lot 2 comments not published: %+v", byLot[2])
			}
		}
		// After the award nothing is left to score.
		mine, err = s.MyCommittees(first)
		ok(t, err)
		if len(mine) != 0 {
			t.Fatalf("awarded project still listed %+v", mine)
		}
	})
}
