package credit_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"yingshang/internal/modules"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// each runs fn on a seeded site environment on SQLite and PostgreSQL.
func each(t *testing.T, fn func(t *testing.T, env *sitetest.Env, svc *credit.Service)) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			fn(t, env, modules.Get[*credit.Service](env.Modules))
		})
	}
}

func staffCtx(env *sitetest.Env, user, dept string) context.Context {
	d := env.Depts[dept]
	return auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users[user], Username: user, Roles: []auth.Role{auth.DeptStaff},
		DepartmentID: d, DeptScope: []int64{d}, Via: "session"})
}

func entCtx(env *sitetest.Env, entity int64) context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users["ent"], Username: "ent", Roles: []auth.Role{auth.Enterprise}, EntityID: entity, Via: "session"})
}

func fatal(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code yserr.Code, field string) {
	t.Helper()
	if !yserr.Is(err, code) {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if field != "" {
		e := yserr.As(err)
		found := e.Field == field
		for _, f := range e.Fields {
			found = found || f.Field == field
		}
		if !found {
			t.Fatalf("want error on field %s, got %+v", field, e)
		}
	}
}

func TestAddMonthsClampsToMonthEnd(t *testing.T) {
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-30", 3, "2027-02-28"}, {"2027-11-30", 3, "2028-02-29"}, {"2028-01-31", 1, "2028-02-29"},
		{"2026-12-31", 2, "2027-02-28"}, {"2026-08-31", 1, "2026-09-30"}, {"2026-01-15", 36, "2029-01-15"},
		{"2024-02-29", 12, "2025-02-28"}, {"2026-06-15", 0, "2026-06-15"},
	} {
		if got := credit.AddMonths(calendar.MustParseDate(c.from), c.n).String(); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
}

func TestPeriodTable(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		ctx := context.Background()
		for _, c := range []struct {
			decided, class, sector string
			min, max, regime       string
			publish                bool
		}{
			{"2026-11-30", "general", "", "2027-02-28", "2027-11-30", "order36", true},
			{"2026-04-01", "serious", "", "2027-04-01", "2029-04-01", "order36", true},
			{"2026-04-01", "minor", "", "2026-04-01", "2026-07-01", "order36", false},
			{"2026-05-31", "general", "", "2026-08-31", "2027-05-31", "order36", true},
			{"2026-06-15", "general", "fire", "2026-09-15", "2027-06-15", "order36", true},
			{"2026-03-31", "general", "", "2026-06-30", "2029-03-31", "order58", true},
			{"2026-03-31", "minor", "", "2026-06-30", "2029-03-31", "order58", true},
			{"2025-11-30", "general", "fire", "2026-11-30", "2028-11-30", "order58", true},
			{"2025-08-31", "serious", "special_equipment", "2026-08-31", "2028-08-31", "order58", true},
			{"2025-05-31", "general", "work_safety", "2026-05-31", "2028-05-31", "order58", true},
		} {
			p, err := svc.Periods(ctx, calendar.MustParseDate(c.decided), c.class, c.sector)
			fatal(t, err)
			if p.MinEnd != c.min || p.MaxEnd != c.max || p.Rule.Regime != c.regime || p.Publish != c.publish {
				t.Errorf("%s %s %s: got min %s max %s %s publish %v; want min %s max %s %s publish %v",
					c.decided, c.class, c.sector, p.MinEnd, p.MaxEnd, p.Rule.Regime, p.Publish, c.min, c.max, c.regime, c.publish)
			}
		}
	})
}

// penaltyNo numbers the decisions of penalty (a decision number is
// recorded once per entity and kind).
var penaltyNo atomic.Int64

func penalty(entity int64, decided, class string, ps ...credit.Penalty) credit.Input {
	if len(ps) == 0 {
		ps = []credit.Penalty{{Type: "fine", Amount: 20000}}
	}
	return credit.Input{EntityID: entity, Kind: credit.KindPenalty, Content: credit.Content{DecisionNo: fmt.Sprintf("许市监罚〔2026〕%d号", penaltyNo.Add(1)), DecidedOn: decided,
		LegalBasis: "《食品安全法》第一百二十六条", Penalties: ps, Class: class}}
}

func TestRecordValidation(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		ctx := staffCtx(env, "sjj-staff", "XC-SJJ")
		a := env.Entities[sitetest.USCCA]
		in := penalty(a, "2026-11-20", "general")
		in.DecisionNo = ""
		_, err := svc.Create(ctx, in)
		wantCode(t, err, yserr.Invalid, "decision_no")
		in = penalty(a, "", "general")
		_, err = svc.Create(ctx, in)
		wantCode(t, err, yserr.Invalid, "decided_on")
		_, err = svc.Create(ctx, penalty(a, "2026-11-24", "general"))
		wantCode(t, err, yserr.Invalid, "decided_on")
		_, err = svc.Create(ctx, penalty(a, "2026-11-20", "general", credit.Penalty{Type: "warning", Amount: 500}))
		wantCode(t, err, yserr.Invalid, "penalties[0]")
		_, err = svc.Create(ctx, penalty(a, "2026-11-20", "general", credit.Penalty{Type: "fine"}))
		wantCode(t, err, yserr.Invalid, "penalties[0]")
		fatal(t, svc.SetDeptClasses(sitetest.System(), env.Depts["XC-SJJ"], map[string]string{"general": "x", "serious": "y"}))
		_, err = svc.Create(ctx, penalty(a, "2026-11-20", "minor", credit.Penalty{Type: "warning"}))
		wantCode(t, err, yserr.Invalid, "class")
		// Another department's record is refused; nothing was written.
		in = penalty(a, "2026-11-20", "general")
		in.DepartmentID = env.Depts["XC-SWJ"]
		_, err = svc.Create(ctx, in)
		wantCode(t, err, yserr.Forbidden, "")
		_, total, err := svc.List(ctx, credit.Filter{EntityID: a})
		fatal(t, err)
		if total != 0 {
			t.Fatalf("refused records were written: %d", total)
		}
		// A correction is a new version with a reason.
		r, err := svc.Create(ctx, penalty(a, "2026-11-20", "general"))
		fatal(t, err)
		c := r.Content
		c.Penalties = []credit.Penalty{{Type: "fine", Amount: 15000}}
		_, err = svc.Correct(ctx, r.ID, c, "")
		wantCode(t, err, yserr.Invalid, "reason")
		r2, err := svc.Correct(ctx, r.ID, c, "金额录入错误")
		fatal(t, err)
		vs, err := svc.Versions(ctx, r.ID)
		fatal(t, err)
		if r2.Version != 2 || len(vs) != 2 || vs[0].Content.Penalties[0].Amount != 20000 || vs[1].Reason != "金额录入错误" {
			t.Fatalf("versions: %+v", vs)
		}
	})
}

func TestRepairFlow(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		ent := entCtx(env, a)
		r, err := svc.Create(sjj, penalty(a, "2026-11-20", "general"))
		fatal(t, err)
		if r.Status != credit.StatusPublished || r.MinEnd != "2027-02-20" || r.MaxEnd != "2027-11-20" {
			t.Fatalf("record: %+v", r)
		}
		// 两书同达: the notice was delivered in-app and by SMS.
		n, err := svc.LatestNotice(ent, r.ID)
		fatal(t, err)
		if n.EarliestOn != "2027-02-20" || n.DeliveredAt == nil || len(n.Delivery) != 2 {
			t.Fatalf("notice: %+v", n)
		}
		var inbox int
		fatal(t, env.App.DB.Q(ent).QueryRow(ent, "SELECT COUNT(*) FROM notifications WHERE msg_type = 'credit.repair_notice' AND user_id = $1", env.Users["ent"]).Scan(&inbox))
		if inbox != 2 {
			t.Fatalf("notice notifications: %d", inbox)
		}
		if pdf := credit.NoticePDF(n, "http://x"); !strings.HasPrefix(string(pdf), "%PDF-1.7") {
			t.Fatal("notice PDF")
		}
		g, err := svc.GradeOf(ent, a)
		fatal(t, err)
		if g.Grade != "B" || !strings.Contains(g.Explanation.ZH, "一般失信") {
			t.Fatalf("grade with a general penalty: %+v", g)
		}
		proof := []credit.Upload{{Name: "receipt.pdf", Data: credit.NewPDF("receipt").Bytes()}}
		good := credit.ApplyInput{Statement: "罚款已缴清", SignCommitment: true, Files: proof}
		_, err = svc.Apply(ent, r.ID, good)
		wantCode(t, err, yserr.Invalid, "record")
		if !strings.Contains(yserr.As(err).ZH, "2027-02-20") {
			t.Fatalf("refusal should name the earliest date: %v", yserr.As(err).ZH)
		}
		env.Clock.Set(time.Date(2027, 2, 22, 2, 0, 0, 0, time.UTC))
		_, err = svc.Apply(entCtx(env, b), r.ID, good)
		wantCode(t, err, yserr.NotFound, "")
		_, err = svc.Apply(ent, r.ID, credit.ApplyInput{Statement: "x", Files: proof})
		wantCode(t, err, yserr.Invalid, "sign_commitment")
		_, err = svc.Apply(ent, r.ID, credit.ApplyInput{Statement: "x", SignCommitment: true})
		wantCode(t, err, yserr.Invalid, "files")
		_, err = svc.Apply(ent, r.ID, credit.ApplyInput{Statement: "x", SignCommitment: true, Files: []credit.Upload{{Name: "a.exe", Data: []byte("MZ\x90\x00")}}})
		wantCode(t, err, yserr.Invalid, "files")
		p1, err := svc.Apply(ent, r.ID, good)
		fatal(t, err)
		if p1.Status != credit.RepairSubmitted || len(p1.Files) != 1 || p1.DueAt == nil {
			t.Fatalf("application: %+v", p1)
		}
		// 2027-02-22 is a Monday: three working days end on Thursday.
		if got := p1.DueAt.In(calendar.Shanghai).Format("2006-01-02"); got != "2027-02-25" {
			t.Fatalf("due %s", got)
		}
		_, err = svc.Apply(ent, r.ID, good)
		wantCode(t, err, yserr.Conflict, "")
		_, err = svc.Review(staffCtx(env, "swj-staff", "XC-SWJ"), p1.ID, credit.ReviewInput{Decision: "approve"})
		wantCode(t, err, yserr.NotFound, "")
		_, err = svc.Review(sjj, p1.ID, credit.ReviewInput{Decision: "reject"})
		wantCode(t, err, yserr.Invalid, "reason")
		p1, err = svc.Review(sjj, p1.ID, credit.ReviewInput{Decision: "reject", Reason: "缴款凭证不清晰"})
		fatal(t, err)
		if p1.Status != credit.RepairRejected {
			t.Fatalf("rejected: %+v", p1)
		}
		// Resubmission; more material stops the clock.
		p2, err := svc.Apply(ent, r.ID, good)
		fatal(t, err)
		if p2.ResubmissionOf != p1.ID {
			t.Fatalf("resubmission_of %d, want %d", p2.ResubmissionOf, p1.ID)
		}
		p2, err = svc.Review(sjj, p2.ID, credit.ReviewInput{Decision: "more_info", Reason: "请补充整改报告"})
		fatal(t, err)
		if p2.Status != credit.RepairMoreInfo || p2.PausedAt == nil {
			t.Fatalf("more info: %+v", p2)
		}
		env.Clock.Set(time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC))
		p2, err = svc.Supplement(ent, p2.ID, credit.ApplyInput{Statement: "整改报告见附件", Files: proof})
		fatal(t, err)
		if p2.Status != credit.RepairSubmitted || len(p2.Files) != 2 || p2.DueAt.In(calendar.Shanghai).Format("2006-01-02") != "2027-03-04" {
			t.Fatalf("supplement: %+v due %v", p2, p2.DueAt)
		}
		p2, err = svc.Review(sjj, p2.ID, credit.ReviewInput{Decision: "approve"})
		fatal(t, err)
		r, err = svc.Get(sjj, r.ID)
		fatal(t, err)
		if p2.Status != credit.RepairApproved || r.Status != credit.StatusRepaired {
			t.Fatalf("approved: %+v %+v", p2, r)
		}
		_, err = svc.Review(sjj, p2.ID, credit.ReviewInput{Decision: "approve"})
		wantCode(t, err, yserr.Conflict, "")
		// Stop publishing, sharing, using.
		pub, err := svc.Public(context.Background(), sitetest.USCCA)
		fatal(t, err)
		if len(pub.Records) != 0 {
			t.Fatalf("public page shows a repaired record: %+v", pub.Records)
		}
		g, err = svc.GradeOf(ent, a)
		fatal(t, err)
		hist, err := svc.GradeHistory(ent, a)
		fatal(t, err)
		if g.Grade != "A" || len(hist) != 2 || hist[0].Previous != "B" || hist[1].Grade != "B" {
			t.Fatalf("grade after repair %+v history %+v", g, hist)
		}
		res, err := svc.Check(sjj, credit.CheckInput{EntityID: a, Scene: "honours", Purpose: "2027年度评优"})
		fatal(t, err)
		if res.Result != credit.ResultPass {
			t.Fatalf("check after repair: %+v", res)
		}
		// The deep check: every repair write above recorded its event, and
		// a decision changed behind the application's back is named.
		repairIssues := func(ctx context.Context) []string {
			sup := auth.WithActor(ctx, &auth.Actor{UserID: 1, Username: "sup", Roles: []auth.Role{auth.Supervisor}})
			st, err := env.App.Audit.CheckState(sup)
			fatal(t, err)
			var out []string
			for _, is := range st.Issues {
				if is.Kind == "credit_repair" {
					out = append(out, is.Problem+" "+is.ID)
				}
			}
			return out
		}
		if got := repairIssues(context.Background()); len(got) != 0 {
			t.Fatalf("deep check after the repair flow: %v", got)
		}
		errRollback := fmt.Errorf("roll back")
		err = env.App.DB.WithTx(context.Background(), func(ctx context.Context) error {
			if _, err := env.App.DB.Q(ctx).Exec(ctx, "UPDATE credit_repairs SET status = 'approved' WHERE id = $1", p1.ID); err != nil {
				return err
			}
			if got, want := fmt.Sprint(repairIssues(ctx)), fmt.Sprintf("[changed %d]", p1.ID); got != want {
				t.Errorf("deep check after editing repair %d: %s, want %s", p1.ID, got, want)
			}
			return errRollback
		})
		if err != errRollback {
			t.Fatal(err)
		}
	})
}

func TestGradesAndChecks(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		a := env.Entities[sitetest.USCCA]
		sys := sitetest.System()
		in := credit.Input{EntityID: a, DepartmentID: env.Depts["XC-SJJ"], Kind: credit.KindSeriousList,
			Content: credit.Content{DecisionNo: "许发改信用〔2026〕1号", DecidedOn: "2026-11-01", LegalBasis: "名单管理办法"}}
		entry, err := svc.Create(sys, in)
		fatal(t, err)
		g, err := svc.GradeOf(sys, a)
		fatal(t, err)
		if g.Grade != "D" || g.Colour != "grey" || !strings.Contains(g.Explanation.ZH, "严重失信主体名单") || g.Explanation.Facts.SeriousList != 1 {
			t.Fatalf("serious list grade: %+v", g)
		}
		for scene, want := range map[string]string{"procurement": credit.ResultDeny, "licensing": credit.ResultConditions, "honours": credit.ResultDeny} {
			res, err := svc.Check(staffCtx(env, "sjj-staff", "XC-SJJ"), credit.CheckInput{USCC: sitetest.USCCA, Scene: scene, Purpose: "XCCG-2026-1"})
			fatal(t, err)
			if res.Result != want || len(res.Reasons) == 0 {
				t.Errorf("%s: %+v, want %s", scene, res, want)
			}
		}
		_, err = svc.Check(staffCtx(env, "sjj-staff", "XC-SJJ"), credit.CheckInput{USCC: sitetest.USCCA, Scene: "procurement"})
		wantCode(t, err, yserr.Invalid, "purpose")
		_, err = svc.Check(entCtx(env, a), credit.CheckInput{USCC: sitetest.USCCA, Scene: "procurement", Purpose: "x"})
		wantCode(t, err, yserr.Forbidden, "")
		stats, err := svc.CheckStats(sys)
		fatal(t, err)
		if stats[0].Scene != "procurement" || stats[0].Checks != 1 || stats[0].Deny != 1 {
			t.Fatalf("stats: %+v", stats)
		}
		// Removal from the list: grade back to A, with a tax grade C it is B.
		_, err = svc.Create(sys, credit.Input{EntityID: a, DepartmentID: env.Depts["XC-SJJ"], Kind: credit.KindRemoval,
			Content: credit.Content{DecidedOn: "2026-11-22", RemovesID: entry.ID}})
		fatal(t, err)
		_, err = svc.Create(sys, credit.Input{EntityID: a, DepartmentID: env.Depts["XC-SWJ"], Kind: credit.KindTaxGrade, Content: credit.Content{DecidedOn: "2026-11-22", TaxGrade: "C"}})
		fatal(t, err)
		g, err = svc.GradeOf(sys, a)
		fatal(t, err)
		if g.Grade != "B" || !strings.Contains(g.Explanation.ZH, "纳税信用级别为C级") {
			t.Fatalf("after removal: %+v", g)
		}
		// A newer tax grade replaces the old one.
		_, err = svc.Create(sys, credit.Input{EntityID: a, DepartmentID: env.Depts["XC-SWJ"], Kind: credit.KindTaxGrade, Content: credit.Content{DecidedOn: "2026-11-23", TaxGrade: "A"}})
		fatal(t, err)
		g, err = svc.GradeOf(sys, a)
		fatal(t, err)
		if g.Grade != "A" {
			t.Fatalf("after tax grade A: %+v", g)
		}
		n, err := svc.RecomputeAll(sys)
		fatal(t, err)
		if n != len(env.Entities)-1 {
			t.Fatalf("recompute all stored %d new grades, want %d", n, len(env.Entities)-1)
		}
	})
}

func TestExpiryAndPublicPages(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		a := env.Entities[sitetest.USCCA]
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		old, err := svc.Create(sjj, penalty(a, "2026-01-10", "general"))
		fatal(t, err)
		minor, err := svc.Create(sjj, penalty(a, "2026-11-01", "minor", credit.Penalty{Type: "warning"}))
		fatal(t, err)
		if old.MaxEnd != "2029-01-10" || minor.Status != credit.StatusUnpublished {
			t.Fatalf("old %+v minor %+v", old, minor)
		}
		pub, err := svc.Public(context.Background(), sitetest.USCCA)
		fatal(t, err)
		if len(pub.Records) != 1 || pub.Records[0].ID != old.ID {
			t.Fatalf("public page should show only the published record: %+v", pub.Records)
		}
		hits, err := svc.PublicSearch(context.Background(), sitetest.USCCA)
		fatal(t, err)
		if len(hits) != 1 || hits[0].Published != 1 {
			t.Fatalf("search: %+v", hits)
		}
		env.Clock.Set(time.Date(2029, 1, 9, 2, 0, 0, 0, time.UTC))
		n, err := svc.Expire(sitetest.System())
		fatal(t, err)
		m, err := svc.Get(sjj, minor.ID)
		fatal(t, err)
		// Only the minor record's window (max 2027-02-01) has ended.
		if n != 1 || m.Status != credit.StatusExpired {
			t.Fatalf("expired %d records a day early (minor %s)", n, m.Status)
		}
		env.Clock.Set(time.Date(2029, 1, 10, 2, 0, 0, 0, time.UTC))
		n, err = svc.Expire(sitetest.System())
		fatal(t, err)
		r, err := svc.Get(sjj, old.ID)
		fatal(t, err)
		if n != 1 || r.Status != credit.StatusExpired {
			t.Fatalf("expired %d, status %s", n, r.Status)
		}
		pub, err = svc.Public(context.Background(), sitetest.USCCA)
		fatal(t, err)
		res, err := svc.Check(sjj, credit.CheckInput{EntityID: a, Scene: "honours", Purpose: "x"})
		fatal(t, err)
		if len(pub.Records) != 0 || res.Result != credit.ResultPass {
			t.Fatalf("expired record still used: public %+v check %+v", pub.Records, res)
		}
		_, err = svc.Apply(entCtx(env, a), old.ID, credit.ApplyInput{Statement: "x", SignCommitment: true})
		wantCode(t, err, yserr.Conflict, "")
		// The report leaves out expired records and can be verified.
		v, pdf, err := svc.Report(entCtx(env, a), a)
		fatal(t, err)
		if v.Records != 0 || !strings.HasPrefix(string(pdf), "%PDF") {
			t.Fatalf("report %+v", v)
		}
		got, err := svc.Verify(context.Background(), strings.ToLower(v.Code))
		fatal(t, err)
		if got.Digest != v.Digest || got.USCC != sitetest.USCCA {
			t.Fatalf("verify %+v", got)
		}
		_, _, err = svc.Report(entCtx(env, a), env.Entities[sitetest.USCCB])
		wantCode(t, err, yserr.NotFound, "")
	})
}

func TestCommitmentBreachBecomesRecord(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		a := env.Entities[sitetest.USCCA]
		c, err := svc.Sign(entCtx(env, a), credit.CommitmentInput{DepartmentID: env.Depts["XC-SJJ"], Kind: "missing_material", Process: "许可变更",
			Text: "20个工作日内补交材料", DeadlineOn: "2026-12-20"})
		fatal(t, err)
		list, err := svc.Commitments(staffCtx(env, "sjj-staff", "XC-SJJ"), "open")
		fatal(t, err)
		if len(list) != 1 || list[0].DeadlineOn != "2026-12-20" {
			t.Fatalf("list %+v", list)
		}
		_, err = svc.Resolve(staffCtx(env, "swj-staff", "XC-SWJ"), c.ID, true, "逾期未补交")
		wantCode(t, err, yserr.Forbidden, "")
		c, err = svc.Resolve(staffCtx(env, "sjj-staff", "XC-SJJ"), c.ID, true, "逾期未补交")
		fatal(t, err)
		r, err := svc.Get(sitetest.System(), c.RecordID)
		fatal(t, err)
		if c.Status != "breached" || r.Kind != credit.KindBreach || r.Status != credit.StatusPublished {
			t.Fatalf("breach: %+v %+v", c, r)
		}
	})
}
