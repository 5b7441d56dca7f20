package procure_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/draw"
	"yingshang/internal/procure"
	"yingshang/internal/yserr"
)

// Experts score in the platform: the unit sets the indicators; the drawn
// members with expert accounts see the bids by code only, save, lock (the
// receipt is the hash of the points); the member without an account has
// the sheet typed by the unit; the evaluation takes the locked sheets
// (mean, then MoF Order 87's price score with the small/micro deduction).
func TestExpertsScoreOnline(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		// 6 technical experts with accounts, 2 economic ones without: a
		// committee of 5 has 4 technical members (online) and 1 economic
		// member (offline).
		pl := newPool(t, x, 6, 0, nil)
		for i := range 2 {
			e, err := pl.draw.CreateExpert(pl.sysCtx, draw.ExpertInput{Name: fmt.Sprintf("经济专家%02d", i), Specialties: []string{"E01"}, EmployerName: "单位",
				Region: "411002", Title: "高级会计师"})
			ok(t, err)
			pl.econ = append(pl.econ, e.ID)
		}
		p, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "办公楼物业服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "3200000",
			EvalMethod: procure.EvalComprehensive, PriceWeight: 30, DeductionPct: 10, ConsortiumPct: 4,
			SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60}})
		ok(t, err)

		// Indicators: their maxima must add up to 70; codes a-z0-9_.
		inds := []procure.ScoreIndicator{{Code: "plan", NameZH: "服务方案", NameEN: "Service plan", Max: 40}, {Code: "team", NameZH: "人员配备", NameEN: "Staffing", Max: 30}}
		_, err = s.SetIndicators(x.swj, p.ID, procure.IndicatorsInput{Indicators: inds[:1]})
		wantErr(t, err, yserr.Invalid, "indicators")
		_, err = s.SetIndicators(x.swj, p.ID, procure.IndicatorsInput{Indicators: []procure.ScoreIndicator{{Code: "Plan!", NameZH: "方案", NameEN: "Plan", Max: 70}}})
		wantErr(t, err, yserr.Invalid, "indicators.1")
		_, err = s.SetIndicators(x.sjj, p.ID, procure.IndicatorsInput{Indicators: inds})
		wantErr(t, err, yserr.NotFound, "")
		_, err = s.SetIndicators(ent(x.small), p.ID, procure.IndicatorsInput{Indicators: inds})
		wantErr(t, err, yserr.Forbidden, "")
		_, err = s.SetIndicators(x.swj, p.ID, procure.IndicatorsInput{Indicators: inds})
		ok(t, err)

		b1, err := s.Register(ent(x.small), p.ID, procure.RegisterInput{PriceYuan: "3000000", SizeDeclared: "small"})
		ok(t, err)
		b2, err := s.Register(ent(x.large), p.ID, procure.RegisterInput{PriceYuan: "2800000", SizeDeclared: "large"})
		ok(t, err)
		// No committee yet: no expert has a sheet.
		_, err = s.MySheet(expertCtx(pl.users[pl.tech[0]]), p.ID)
		wantErr(t, err, yserr.Forbidden, "")

		_, err = s.CommitCommittee(x.swj, p.ID, procure.CommitteeInput{PurchaserUSCC: pl.purchUS, Specialties: []string{"C08"}, EvaluationAt: pl.evalAt})
		ok(t, err)
		_, err = s.RunCommittee(x.swj, p.ID, draw.DrawInput{WitnessName: "见证员王芳", WitnessValue: "472915"})
		ok(t, err)
		c, err := s.Committee(x.swj, p.ID)
		ok(t, err)
		var online, offline []procure.CommitteeMember
		for _, m := range c.Members {
			if m.Online {
				online = append(online, m)
			} else {
				offline = append(offline, m)
			}
		}
		if len(online) != 4 || len(offline) != 1 {
			t.Fatalf("%d members online and %d offline, want 4 and 1: %+v", len(online), len(offline), c.Members)
		}
		sup := auth.WithActor(context.Background(), &auth.Actor{Username: "s", Roles: []auth.Role{auth.Supervisor}, Via: "session"})
		full, err := s.Committee(sup, p.ID)
		ok(t, err)
		memberCtx := map[string]context.Context{}
		var outsider int64
		for _, m := range full.Members {
			if m.Online {
				memberCtx[m.Alias] = expertCtx(pl.users[m.ExpertID])
			}
		}
		for id, u := range pl.users {
			if !slices.ContainsFunc(full.Members, func(m procure.CommitteeMember) bool { return m.ExpertID == id }) {
				outsider = u
			}
		}
		// Who may open a sheet: a drawn member with an account; not another
		// expert, a supplier, or the unit.
		_, err = s.MySheet(expertCtx(outsider), p.ID)
		wantErr(t, err, yserr.Forbidden, "")
		_, err = s.MySheet(ent(x.small), p.ID)
		wantErr(t, err, yserr.Forbidden, "")
		_, err = s.MySheet(x.swj, p.ID)
		wantErr(t, err, yserr.Forbidden, "")

		first := memberCtx[online[0].Alias]
		sh, err := s.MySheet(first, p.ID)
		ok(t, err)
		if !slices.Equal(sh.Codes, []string{"T01", "T02"}) || sh.Status != procure.SheetNone || len(sh.Indicators) != 2 || sh.Alias != online[0].Alias || !sh.Open {
			t.Fatalf("the sheet %+v", sh)
		}
		// The bids by code only: no supplier, no price.
		raw, _ := json.Marshal(sh)
		for _, leak := range []string{b1.Entity, b2.Entity, b1.USCC, "3000000", "price"} {
			if strings.Contains(string(raw), leak) {
				t.Fatalf("the expert's sheet shows %q: %s", leak, raw)
			}
		}
		_, err = s.SaveSheet(first, p.ID, procure.SheetInput{Points: []procure.SheetPoint{{Code: "T01", Indicator: "plan", Points: 41}}})
		wantErr(t, err, yserr.Invalid, "points.T01.plan")
		_, err = s.SaveSheet(first, p.ID, procure.SheetInput{Points: []procure.SheetPoint{{Code: "T09", Indicator: "plan", Points: 1}}})
		wantErr(t, err, yserr.Invalid, "points.T09.plan")
		_, err = s.SaveSheet(first, p.ID, procure.SheetInput{Points: []procure.SheetPoint{{Code: "T01", Indicator: "plan", Points: 1.005}}})
		wantErr(t, err, yserr.Invalid, "points.T01.plan")
		_, err = s.SaveSheet(first, p.ID, procure.SheetInput{Points: []procure.SheetPoint{{Code: "T01", Indicator: "plan", Points: 30}}, Lock: true})
		wantErr(t, err, yserr.Invalid, "points")
		draft, err := s.SaveSheet(first, p.ID, procure.SheetInput{Points: []procure.SheetPoint{{Code: "t01", Indicator: "plan", Points: 30}}})
		ok(t, err)
		if draft.Status != procure.SheetDraft || draft.Point("T01", "plan") != "30" || draft.SHA256 != "" {
			t.Fatalf("draft %+v", draft)
		}
		// Indicators are fixed once a sheet is saved.
		_, err = s.SetIndicators(x.swj, p.ID, procure.IndicatorsInput{Indicators: inds})
		wantErr(t, err, yserr.Conflict, "")

		// Members 0..3 give T01 60, 62, 64, 66 and T02 65 (plan + team).
		sheet := func(i int) []procure.SheetPoint {
			return []procure.SheetPoint{{Code: "T01", Indicator: "plan", Points: float64(34 + i)}, {Code: "T01", Indicator: "team", Points: float64(26 + i)},
				{Code: "T02", Indicator: "plan", Points: 36.5}, {Code: "T02", Indicator: "team", Points: 28.5}}
		}
		var receipts []string
		for i, m := range online {
			locked, err := s.SaveSheet(memberCtx[m.Alias], p.ID, procure.SheetInput{Points: sheet(i), Lock: true})
			ok(t, err)
			if locked.Status != procure.SheetLocked || locked.SHA256 != procure.SheetHash(sheet(i)) || locked.Open || len(locked.Totals) != 2 ||
				locked.Totals[0].Points != float64(60+2*i) || locked.Totals[1].Points != 65 {
				t.Fatalf("locked sheet %d: %+v", i, locked)
			}
			receipts = append(receipts, locked.SHA256)
			if i == 2 {
				// Three of four locked: the evaluation waits for the fourth.
				_, err = s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{})
				wantErr(t, err, yserr.Conflict, "")
			}
		}
		_, err = s.SaveSheet(first, p.ID, procure.SheetInput{Points: sheet(0), Lock: true})
		wantErr(t, err, yserr.Conflict, "")

		// The unit sees the states and receipts, never the points.
		states, err := s.SheetStates(x.swj, p.ID)
		ok(t, err)
		nLocked := 0
		for _, st := range states {
			if st.Status == procure.SheetLocked && st.Online && st.SHA256 != "" {
				nLocked++
			}
		}
		if len(states) != 5 || nLocked != 4 {
			t.Fatalf("sheet states %+v", states)
		}
		_, err = s.SheetStates(x.sjj, p.ID)
		wantErr(t, err, yserr.NotFound, "")
		_, err = s.SheetStates(ent(x.small), p.ID)
		wantErr(t, err, yserr.Forbidden, "")

		// The unit types the offline member's sheet only (by bid id). The
		// codes were drawn at random: the test reads which bid is T01 to
		// hand-compute the scores.
		code1 := bidOfCode(t, x, p.ID, "T01", b1.ID, b2.ID)
		other := b2.ID
		if code1 == b2.ID {
			other = b1.ID
		}
		typed := procure.ExpertSheet{Expert: offline[0].Alias, Tech: []procure.TechPoints{{BidID: code1, Points: 68}, {BidID: other, Points: 65}}}
		_, err = s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{})
		wantErr(t, err, yserr.Invalid, "sheets")
		_, err = s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{Sheets: []procure.ExpertSheet{typed, {Expert: online[0].Alias, Tech: typed.Tech}}})
		wantErr(t, err, yserr.Invalid, "sheets")
		bids, err := s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{Sheets: []procure.ExpertSheet{typed}})
		ok(t, err)
		// T01: (60+62+64+66+68)/5 = 64; T02: 65. When T01 is the small
		// firm: evaluated 3,000,000 × 0.9 = 2,700,000, price score 30, total
		// 94; the large firm 2,700,000 ÷ 2,800,000 × 30 = 28.93, total
		// 93.93. When T01 is the large firm: large 64 + 28.93 = 92.93,
		// small 65 + 30 = 95.
		got := map[int64]procure.Bid{}
		for _, b := range bids {
			got[b.ID] = b
		}
		want := map[int64][2]float64{b1.ID: {64, 94}, b2.ID: {65, 93.93}}
		if code1 == b2.ID {
			want = map[int64][2]float64{b1.ID: {65, 95}, b2.ID: {64, 92.93}}
		}
		for id, w := range want {
			if g := got[id]; g.TechScore != w[0] || g.TotalScore != w[1] {
				t.Fatalf("bid %d: %+v, want technical %g and total %g", id, g, w[0], w[1])
			}
		}
		if got[b1.ID].PriceScore != 30 || got[b2.ID].PriceScore != 28.93 || got[b1.ID].Rank != 1 {
			t.Fatalf("price scores %+v", got)
		}
		// Evaluated: the sheets and indicators are closed.
		_, err = s.SaveSheet(memberCtx[online[1].Alias], p.ID, procure.SheetInput{Points: sheet(1)})
		wantErr(t, err, yserr.Conflict, "")
		_, err = s.Award(x.swj, p.ID)
		ok(t, err)
		pub, err := s.Committee(context.Background(), p.ID)
		ok(t, err)
		// After the award every member's name and points are public; the
		// online sheets with their codes and points per indicator, so that
		// anyone recomputes each receipt.
		var verified []string
		for _, m := range pub.Members {
			if len(m.Scores) != 2 || m.Name == "" {
				t.Fatalf("published member %+v", m)
			}
			if !m.Online {
				if m.SHA256 != "" || m.Scores[0].Indicators != nil {
					t.Fatalf("a typed sheet with a receipt %+v", m)
				}
				continue
			}
			var pts []procure.SheetPoint
			for _, sc := range m.Scores {
				if sc.Code == "" || len(sc.Indicators) != 2 {
					t.Fatalf("published online sheet %+v", m)
				}
				pts = append(pts, sc.Indicators...)
			}
			if procure.SheetHash(pts) != m.SHA256 {
				t.Fatalf("the published points of %s do not give the receipt", m.Alias)
			}
			verified = append(verified, m.SHA256)
		}
		slices.Sort(verified)
		slices.Sort(receipts)
		if !slices.Equal(verified, receipts) {
			t.Fatalf("published receipts %v, the experts got %v", verified, receipts)
		}
	})
}

// bidOfCode returns the bid that carries a code (one of ids).
func bidOfCode(t *testing.T, x *env, projectID int64, code string, ids ...int64) int64 {
	t.Helper()
	id, err := procure.BidOfCodeForTest(x.svc, context.Background(), projectID, code)
	ok(t, err)
	if !slices.Contains(ids, id) {
		t.Fatalf("code %s is bid %d, not one of %v", code, id, ids)
	}
	return id
}
