package procure_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/draw"
	"yingshang/internal/ident"
	"yingshang/internal/modules"
	"yingshang/internal/procure"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// purchaserUSCC is the purchasing unit's credit code in these tests
// (government bodies' codes start with 11).
func purchaserUSCC(t *testing.T) string {
	first := "11411000MB1234567"
	c, err := ident.USCCCheckChar(first)
	ok(t, err)
	return first + string(c)
}

// committeeEnv adds the trading centre (owner of draw projects) and an
// expert pool: technical experts of specialty C08 and economic ones of E01;
// tech employed[i] gives the employer of technical expert i ("" none).
type pool struct {
	draw    *draw.Service
	tech    []int64
	econ    []int64
	names   map[int64]string
	users   map[int64]int64 // expert id -> user id
	centre  int64
	sysCtx  context.Context
	evalAt  string
	purchUS string
}

func newPool(t *testing.T, x *env, tech, econ int, employers map[int]string) *pool {
	t.Helper()
	sys := sitetest.System()
	d, err := x.App.Accounts.CreateDepartment(sys, account.DepartmentInput{ParentID: x.Depts["XC"], Code: "XC-JYZX", Name: "许昌市公共资源交易中心", Kind: "office", RegionCode: "411000"})
	ok(t, err)
	p := &pool{draw: modules.Get[*draw.Service](x.Modules), names: map[int64]string{}, users: map[int64]int64{}, centre: d.ID, sysCtx: sys, purchUS: purchaserUSCC(t)}
	p.evalAt = x.Clock.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 3).Format("2006-01-02") + "T09:00"
	mk := func(i int, spec, employer string) int64 {
		name := fmt.Sprintf("专家%s%02d", spec, i)
		u, err := x.App.Accounts.CreateUser(sys, account.UserInput{Username: fmt.Sprintf("exp%s%02d", spec, i), DisplayName: name, Password: "Expert-pass-2026!", Roles: []auth.Role{auth.Expert}})
		ok(t, err)
		e, err := p.draw.CreateExpert(sys, draw.ExpertInput{Name: name, Username: u.Username, Specialties: []string{spec}, EmployerUSCC: employer, EmployerName: "单位",
			Region: "411002", Title: "高级工程师"})
		ok(t, err)
		p.names[e.ID], p.users[e.ID] = name, u.ID
		return e.ID
	}
	for i := range tech {
		p.tech = append(p.tech, mk(i, "C08", employers[i]))
	}
	for i := range econ {
		p.econ = append(p.econ, mk(i, "E01", ""))
	}
	return p
}

// drawn commits and runs the committee of a project.
func (pl *pool) drawn(t *testing.T, x *env, ctx context.Context, id int64) *procure.Committee {
	t.Helper()
	_, err := x.svc.CommitCommittee(ctx, id, procure.CommitteeInput{PurchaserUSCC: pl.purchUS, Specialties: []string{"C08"}, EvaluationAt: pl.evalAt})
	ok(t, err)
	c, err := x.svc.RunCommittee(ctx, id, draw.DrawInput{WitnessName: "见证员王芳", WitnessValue: "472915"})
	ok(t, err)
	return c
}

func expertCtx(userID int64) context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: userID, Username: "x", Roles: []auth.Role{auth.Expert}, Via: "session"})
}

// Committee sizes by budget: 5 below 10,000,000 yuan, 7 from exactly
// 10,000,000; even or smaller sizes refused naming committee_size; the draw
// module's committee has the project's size.
func TestCommitteeSizeByBudget(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		mk := func(budget string, size int) (*procure.Project, error) {
			return s.CreateProject(x.swj, procure.ProjectInput{Title: "物业管理服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: budget,
				EvalMethod: procure.EvalLowestPrice, CommitteeSize: size, DeductionPct: 10, ConsortiumPct: 4,
				SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsideNone, Exception: "insufficient"}})
		}
		below, err := mk("9999999.99", 0)
		ok(t, err)
		at, err := mk("10000000", 0)
		ok(t, err)
		if below.CommitteeSize != 5 || at.CommitteeSize != 7 {
			t.Fatalf("committee sizes %d and %d, want 5 and 7", below.CommitteeSize, at.CommitteeSize)
		}
		_, err = mk("10000000", 5)
		wantErr(t, err, yserr.Invalid, "committee_size")
		_, err = mk("9999999.99", 6)
		wantErr(t, err, yserr.Invalid, "committee_size")
		_, err = mk("10000000", 9)
		ok(t, err)

		pl := newPool(t, x, 8, 3, nil)
		_, err = s.Register(ent(x.small), at.ID, procure.RegisterInput{PriceYuan: "9800000", SizeDeclared: "small"})
		ok(t, err)
		c := pl.drawn(t, x, x.swj, at.ID)
		if len(c.Members) != 7 || c.Size != 7 {
			t.Fatalf("a committee of %d members (size %d), want 7", len(c.Members), c.Size)
		}
		groups := map[string]int{}
		for _, m := range c.Members {
			groups[m.Group]++
		}
		// Two thirds (rounded up) technical: 5 + 2.
		if groups["technical"] != 5 || groups["economic"] != 2 {
			t.Fatalf("groups %v", groups)
		}
	})
}

// Avoidance: experts employed by the purchasing unit or by a registered
// supplier are never drawn; registration closes with the committee draw;
// a pool too small after avoidance is refused with the rule.
func TestCommitteeAvoidance(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		small, err := x.App.Entities.Get(sitetest.System(), x.small)
		ok(t, err)
		// Technical experts 0-1 work for the purchasing unit, 2-3 for the
		// bidder: 4 of the 8 remain, the 4 technical seats of a committee of 5.
		purch := purchaserUSCC(t)
		pl := newPool(t, x, 8, 2, map[int]string{0: purch, 1: purch, 2: small.USCC, 3: small.USCC})
		p, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "办公楼物业服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "3200000",
			EvalMethod: procure.EvalLowestPrice, DeductionPct: 10, ConsortiumPct: 4, SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60}})
		ok(t, err)
		_, err = s.Register(ent(x.small), p.ID, procure.RegisterInput{PriceYuan: "3000000", SizeDeclared: "small"})
		ok(t, err)
		// Another unit's staff cannot draw this project's committee.
		_, err = s.CommitCommittee(x.sjj, p.ID, procure.CommitteeInput{PurchaserUSCC: purch, Specialties: []string{"C08"}, EvaluationAt: pl.evalAt})
		wantErr(t, err, yserr.NotFound, "")
		_, err = s.CommitCommittee(x.swj, p.ID, procure.CommitteeInput{PurchaserUSCC: "123", Specialties: nil, EvaluationAt: "tomorrow"})
		wantErr(t, err, yserr.Invalid, "purchaser_uscc")
		wantErr(t, err, yserr.Invalid, "specialties")
		wantErr(t, err, yserr.Invalid, "evaluation_at")
		c := pl.drawn(t, x, x.swj, p.ID)
		if len(c.Members) != 5 {
			t.Fatalf("%d members", len(c.Members))
		}
		avoided := pl.tech[:4]
		sup := auth.WithActor(context.Background(), &auth.Actor{Username: "s", Roles: []auth.Role{auth.Supervisor}, Via: "session"})
		c, err = s.Committee(sup, p.ID)
		ok(t, err)
		for _, m := range c.Members {
			if slices.Contains(avoided, m.ExpertID) {
				t.Fatalf("expert %s (%d) works for the purchaser or the bidder and was drawn", m.Name, m.ExpertID)
			}
		}
		// Registration is closed once the committee is drawn.
		_, err = s.Register(ent(x.micro), p.ID, procure.RegisterInput{PriceYuan: "3100000", SizeDeclared: "micro"})
		wantErr(t, err, yserr.Conflict, "")

		// A second project where avoidance leaves 3 technical experts for
		// 4 seats: refused, nothing drawn.
		q, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "食堂服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "3200000",
			EvalMethod: procure.EvalLowestPrice, DeductionPct: 10, ConsortiumPct: 4, SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60}})
		ok(t, err)
		_, err = s.Register(ent(x.small), q.ID, procure.RegisterInput{PriceYuan: "3000000", SizeDeclared: "small"})
		ok(t, err)
		// Experts 0-3 are avoided and 4-7 were drawn for the same
		// purchasing unit within the window: no technical expert is left.
		_, err = s.CommitCommittee(x.swj, q.ID, procure.CommitteeInput{PurchaserUSCC: purch, Specialties: []string{"C08"}, EvaluationAt: pl.evalAt})
		wantErr(t, err, yserr.Conflict, "")
		q, err = s.Project(x.swj, q.ID)
		ok(t, err)
		if q.DrawProjectID != 0 {
			t.Fatal("a refused draw left a draw project behind")
		}
	})
}

// Secrecy before the award, publication after; experts' sheets averaged
// into the technical score; experts rate and are rated; their ratings of
// the supplier reach the credit module's inputs.
func TestCommitteeSecrecyScoresAndRatings(t *testing.T) {
	each(t, func(t *testing.T, x *env) {
		s := x.svc
		pl := newPool(t, x, 6, 2, nil)
		p, err := s.CreateProject(x.swj, procure.ProjectInput{Title: "办公楼物业服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "3200000",
			EvalMethod: procure.EvalComprehensive, PriceWeight: 30, DeductionPct: 10, ConsortiumPct: 4,
			SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60}})
		ok(t, err)
		b1, err := s.Register(ent(x.small), p.ID, procure.RegisterInput{PriceYuan: "3000000", SizeDeclared: "small"})
		ok(t, err)
		b2, err := s.Register(ent(x.large), p.ID, procure.RegisterInput{PriceYuan: "2800000", SizeDeclared: "large"})
		ok(t, err)
		pl.drawn(t, x, x.swj, p.ID)

		// Before the award: the unit sees pseudonyms only, the public and
		// suppliers nothing.
		c, err := s.Committee(x.swj, p.ID)
		ok(t, err)
		if len(c.Members) != 5 || c.NamesShown {
			t.Fatalf("the unit sees %+v", c)
		}
		for _, m := range c.Members {
			if m.Name != "" || m.Alias == "" {
				t.Fatalf("the unit sees a member %+v", m)
			}
		}
		for _, ctx := range []context.Context{context.Background(), ent(x.small)} {
			pub, err := s.Committee(ctx, p.ID)
			ok(t, err)
			if len(pub.Members) != 0 || len(pub.Draws) != 0 {
				t.Fatalf("the committee shows before the award: %+v", pub)
			}
		}
		// No rating before the award, even for a member.
		first := c.Members[0]
		sup := auth.WithActor(context.Background(), &auth.Actor{Username: "s", Roles: []auth.Role{auth.Supervisor}, Via: "session"})
		full, err := s.Committee(sup, p.ID)
		ok(t, err)

		// Sheets: the 5 experts (all with accounts: they score in the
		// platform, on the default indicator "tech") give bid 1 (small) 60,
		// 62, 64, 66, 68 → mean 64; bid 2 (large) 65 each → 65.
		code1, code2 := "T01", "T02"
		if bidOfCode(t, x, p.ID, "T01", b1.ID, b2.ID) == b2.ID {
			code1, code2 = code2, code1
		}
		for i, m := range full.Members {
			_, err := s.SaveSheet(expertCtx(pl.users[m.ExpertID]), p.ID, procure.SheetInput{Lock: true, Points: []procure.SheetPoint{
				{Code: code1, Indicator: "tech", Points: float64(60 + 2*i)}, {Code: code2, Indicator: "tech", Points: 65}}})
			ok(t, err)
		}
		// The unit cannot type the sheet of a member who scored online.
		_, err = s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{Sheets: []procure.ExpertSheet{{Expert: first.Alias, Tech: []procure.TechPoints{{BidID: b1.ID, Points: 1}, {BidID: b2.ID, Points: 1}}}}})
		wantErr(t, err, yserr.Invalid, "sheets")
		bids, err := s.EvaluateBids(x.swj, p.ID, procure.ScoreInput{})
		ok(t, err)
		// Small firm: evaluated 3,000,000 × 0.9 = 2,700,000 = the lowest,
		// price score 30; large: 2,700,000 ÷ 2,800,000 × 30 = 28.93.
		// Totals 64 + 30 = 94 and 65 + 28.93 = 93.93: the small firm wins.
		got := map[int64]procure.Bid{}
		for _, b := range bids {
			got[b.ID] = b
		}
		if g := got[b1.ID]; g.TechScore != 64 || g.EvaluatedFen != 270000000 || g.PriceScore != 30 || g.TotalScore != 94 || g.Rank != 1 {
			t.Fatalf("bid 1 %+v", g)
		}
		if g := got[b2.ID]; g.TechScore != 65 || g.PriceScore != 28.93 || g.TotalScore != 93.93 || g.Rank != 2 {
			t.Fatalf("bid 2 %+v", g)
		}
		// Still secret after the evaluation, before the award.
		pub, err := s.Committee(context.Background(), p.ID)
		ok(t, err)
		if len(pub.Members) != 0 {
			t.Fatal("the committee shows before the award")
		}
		_, err = s.Award(x.swj, p.ID)
		ok(t, err)

		// After the award: names and score details public, and draw's own
		// secrecy lifted (the draw project is awarded).
		pub, err = s.Committee(context.Background(), p.ID)
		ok(t, err)
		if len(pub.Members) != 5 || !pub.NamesShown {
			t.Fatalf("after the award %+v", pub)
		}
		for i, m := range pub.Members {
			want := full.Members[i]
			if m.Name != pl.names[want.ExpertID] || m.Name == "" || len(m.Scores) != 2 {
				t.Fatalf("member %d: %+v (want %s)", i, m, pl.names[want.ExpertID])
			}
			for _, sc := range m.Scores {
				if sc.BidID == b1.ID && sc.Points != float64(60+2*i) {
					t.Fatalf("member %d gave bid 1 %g", i, sc.Points)
				}
			}
		}
		proj, err := s.Project(x.swj, p.ID)
		ok(t, err)
		dproj, err := pl.draw.LoadProject(pl.sysCtx, proj.DrawProjectID)
		ok(t, err)
		if dproj.Status != draw.ProjectAwarded {
			t.Fatalf("draw project status %s", dproj.Status)
		}

		// Ratings: a member rates the supplier (→ credit input) and is
		// rated by the purchaser; another user cannot act as an expert.
		me := expertCtx(pl.users[first.ExpertID])
		tasks, err := s.RatingTasks(me, p.ID)
		ok(t, err)
		if len(tasks) != 2 { // the purchaser and the supplier (no agency named)
			t.Fatalf("expert tasks %+v", tasks)
		}
		r, err := s.Rate(me, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: map[string]int{"B07": 9}})
		ok(t, err)
		if r.RaterParty != procure.PartyExpert || r.Rater != pl.names[first.ExpertID] || r.Score != 90 {
			t.Fatalf("expert rating %+v", r)
		}
		_, err = s.Rate(me, p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: map[string]int{"B07": 9}})
		wantErr(t, err, yserr.Conflict, "")
		var outsider int64
		for id, u := range pl.users {
			if !slices.ContainsFunc(full.Members, func(m procure.CommitteeMember) bool { return m.ExpertID == id }) {
				outsider = u
				break
			}
		}
		_, err = s.Rate(expertCtx(outsider), p.ID, procure.RatingInput{Ratee: procure.PartySupplier, Points: map[string]int{"B07": 9}})
		wantErr(t, err, yserr.Forbidden, "")
		sums, err := modules.Get[*credit.Service](x.Modules).ProcureSummaries(pl.sysCtx, []int64{x.small})
		ok(t, err)
		if sm := sums[x.small]; sm.Ratings != 1 || sm.Average != 90 {
			t.Fatalf("credit inputs %+v", sums)
		}

		tasks, err = s.RatingTasks(x.swj, p.ID)
		ok(t, err)
		n := 0
		for _, tk := range tasks {
			if tk.Ratee == procure.PartyExpert {
				n++
			}
		}
		if n != 5 {
			t.Fatalf("the purchaser has %d expert tasks, want 5", n)
		}
		_, err = s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartyExpert, RateeExpert: "E-0000000000", Points: map[string]int{"B09": 10}})
		wantErr(t, err, yserr.Invalid, "ratee_expert")
		r, err = s.Rate(x.swj, p.ID, procure.RatingInput{Ratee: procure.PartyExpert, RateeExpert: first.Alias, Points: map[string]int{"B09": 8}})
		ok(t, err)
		if r.Ratee != pl.names[first.ExpertID] || r.Score != 80 {
			t.Fatalf("rating of the expert %+v", r)
		}
		// Ratings of experts stay in procure: the credit inputs are unchanged.
		sums, err = modules.Get[*credit.Service](x.Modules).ProcureSummaries(pl.sysCtx, []int64{x.small})
		ok(t, err)
		if sums[x.small].Ratings != 1 {
			t.Fatalf("credit inputs %+v", sums)
		}
	})
}
