package credit_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
	"unicode"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

func officeAdminCtx(env *sitetest.Env) context.Context {
	return auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users["admin"], Username: "admin", Roles: []auth.Role{auth.PlatformAdmin},
		DepartmentID: env.Depts["XC-YSJ"], Via: "session"})
}

// officeStaff adds a staff member of the 营商局 (the credit office and a
// hall window in these tests) and returns its context.
func officeStaff(t *testing.T, env *sitetest.Env) context.Context {
	t.Helper()
	u, err := env.App.Accounts.CreateUser(sitetest.System(), account.UserInput{Username: "ysj-window", DisplayName: "营商局窗口", Password: sitetest.Password,
		DepartmentID: env.Depts["XC-YSJ"], Roles: []auth.Role{auth.DeptStaff}, Phone: "13700000001"})
	fatal(t, err)
	env.Users["ysj-window"] = u.ID
	return staffCtx(env, "ysj-window", "XC-YSJ")
}

func auditCount(t *testing.T, env *sitetest.Env, action string) int {
	t.Helper()
	sys := sitetest.System()
	var n int
	fatal(t, env.App.DB.Q(sys).QueryRow(sys, "SELECT COUNT(*) FROM audit_events WHERE action = $1", action).Scan(&n))
	return n
}

func msgCount(t *testing.T, env *sitetest.Env, typ string, user int64) int {
	t.Helper()
	sys := sitetest.System()
	var n int
	fatal(t, env.App.DB.Q(sys).QueryRow(sys, "SELECT COUNT(*) FROM notifications WHERE msg_type = $1 AND user_id = $2", typ, user).Scan(&n))
	return n
}

// TestAssistedRepair (issue 18 item 6): a hall window registered as a
// service point applies on the enterprise's behalf with its signed
// authorisation; the enterprise confirms; the application then goes to
// the department with "代办 by <point>" in its history.
func TestAssistedRepair(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		window := officeStaff(t, env)
		env.Clock.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, calendar.Shanghai))
		rec, err := svc.Create(sjj, penalty(a, "2026-08-01", "general"))
		fatal(t, err)
		auth := &credit.Upload{Name: "授权委托书.pdf", Data: credit.NewPDF("授权委托书").Bytes()}
		in := credit.AssistedInput{RecordID: rec.ID, Statement: "已缴纳罚款并完成整改", Authorisation: auth}

		// Not a service point yet: refused.
		_, err = svc.ApplyAssisted(window, in)
		wantCode(t, err, yserr.Forbidden, "")
		_, err = svc.SetServicePoint(window, credit.ServicePoint{DepartmentID: env.Depts["XC-YSJ"], Kind: "hall", Label: "许昌市政务服务中心信用窗口", Active: true})
		wantCode(t, err, yserr.Forbidden, "")
		_, err = svc.SetServicePoint(officeAdminCtx(env), credit.ServicePoint{DepartmentID: env.Depts["XC-YSJ"], Kind: "hall", Label: "许昌市政务服务中心信用窗口", Active: true})
		fatal(t, err)
		_, err = svc.ApplyAssisted(staffCtx(env, "swj-staff", "XC-SWJ"), in)
		wantCode(t, err, yserr.Forbidden, "")
		// The authorisation is checked by content: a text file named .pdf is refused.
		_, err = svc.ApplyAssisted(window, credit.AssistedInput{RecordID: rec.ID, Statement: "x", Authorisation: &credit.Upload{Name: "授权.pdf", Data: []byte("not a pdf at all")}})
		wantCode(t, err, yserr.Invalid, "authorisation")
		_, err = svc.ApplyAssisted(window, credit.AssistedInput{RecordID: rec.ID, Statement: "x"})
		wantCode(t, err, yserr.Invalid, "authorisation")

		x, err := svc.ApplyAssisted(window, in)
		fatal(t, err)
		if x.Status != credit.AssistedPending || x.PointLabel != "许昌市政务服务中心信用窗口" || x.AuthType != "application/pdf" {
			t.Fatalf("assisted: %+v", x)
		}
		if n := msgCount(t, env, credit.TypeAssistedConfirm, env.Users["ent"]); n != 2 {
			t.Fatalf("enterprise messages: %d", n)
		}
		_, err = svc.ApplyAssisted(window, in)
		wantCode(t, err, yserr.Invalid, "record_id")
		// Nothing goes to review before the enterprise confirms.
		if ps, err := svc.Repairs(sjj, credit.RepairFilter{RecordID: rec.ID}); err != nil || len(ps) != 0 {
			t.Fatalf("repairs before confirmation: %v %v", ps, err)
		}
		// The enterprise sees it on its list; another enterprise does not.
		if l, err := svc.AssistedList(entCtx(env, a), credit.AssistedPending); err != nil || len(l) != 1 {
			t.Fatalf("enterprise list: %v %v", l, err)
		}
		_, err = svc.AnswerAssisted(entCtx(env, b), x.ID, credit.AnswerInput{Confirm: true, SignCommitment: true})
		wantCode(t, err, yserr.NotFound, "")
		_, err = svc.AnswerAssisted(entCtx(env, a), x.ID, credit.AnswerInput{Confirm: true})
		wantCode(t, err, yserr.Invalid, "sign_commitment")

		x, err = svc.AnswerAssisted(entCtx(env, a), x.ID, credit.AnswerInput{Confirm: true, SignCommitment: true})
		fatal(t, err)
		if x.Status != credit.AssistedConfirmed || x.RepairID == 0 {
			t.Fatalf("confirmed: %+v", x)
		}
		rp, err := svc.GetRepair(sjj, x.RepairID)
		fatal(t, err)
		if rp.Status != credit.RepairSubmitted || !strings.Contains(rp.Statement, "代办 by 许昌市政务服务中心信用窗口") || len(rp.Files) != 1 || rp.Files[0].Name != "授权委托书.pdf" {
			t.Fatalf("repair: %+v", rp)
		}
		steps, err := svc.Steps(entCtx(env, a), rp.ID)
		fatal(t, err)
		if len(steps) != 2 || steps[0].Stage != credit.StageAssisted || steps[0].Note != "代办 by 许昌市政务服务中心信用窗口" || steps[1].Stage != credit.StageDecide {
			t.Fatalf("steps: %+v", steps)
		}
		_, err = svc.AnswerAssisted(entCtx(env, a), x.ID, credit.AnswerInput{Confirm: true, SignCommitment: true})
		wantCode(t, err, yserr.Conflict, "")
		_, err = svc.Review(sjj, rp.ID, credit.ReviewInput{Decision: "approve"})
		fatal(t, err)
		r, err := svc.Get(sjj, rec.ID)
		fatal(t, err)
		if r.Status != credit.StatusRepaired {
			t.Fatalf("record after review: %s", r.Status)
		}

		// A refusal needs a reason and closes the application.
		rec2, err := svc.Create(sjj, penalty(a, "2026-07-01", "general"))
		fatal(t, err)
		x2, err := svc.ApplyAssisted(window, credit.AssistedInput{RecordID: rec2.ID, Statement: "代为申请", Authorisation: auth})
		fatal(t, err)
		_, err = svc.AnswerAssisted(entCtx(env, a), x2.ID, credit.AnswerInput{})
		wantCode(t, err, yserr.Invalid, "note")
		x2, err = svc.AnswerAssisted(entCtx(env, a), x2.ID, credit.AnswerInput{Note: "本单位将自行申请"})
		fatal(t, err)
		if x2.Status != credit.AssistedRejected || x2.RepairID != 0 {
			t.Fatalf("refused: %+v", x2)
		}
		for _, act := range []string{"credit.assisted_apply", "credit.assisted_confirmed", "credit.assisted_rejected", "credit.service_point_set"} {
			if auditCount(t, env, act) == 0 {
				t.Errorf("no audit event %s", act)
			}
		}
	})
}

// TestStagedReview (issue 18 item 8): penalties routed through a first
// review; the office sends the application to 信用中国（河南）, an external
// step of 10 working days. Hand-computed across the National Day holiday
// (2026-10-01..07 off, Saturday 10-10 worked): passed on Wednesday
// 2026-09-30, the 10 working days are Oct 8, 9, 10, 12, 13, 14, 15, 16, 19
// and 20, so the step is due at the end of 2026-10-20. The warning (two
// working days ahead) is not due on Thursday 10-15 (two days later is
// 10-19) and is due on Friday 10-16 (10-20), once.
func TestStagedReview(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		a := env.Entities[sitetest.USCCA]
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		office := officeStaff(t, env)
		svc.CreditOfficeCode = "XC-YSJ"
		t.Cleanup(func() { svc.CreditOfficeCode = "" })
		sys := sitetest.System()
		env.Clock.Set(time.Date(2026, 9, 29, 10, 0, 0, 0, calendar.Shanghai))
		// Routes are the credit office's (or platform admins') to set.
		_, err := svc.SetRoute(sjj, credit.Route{Kind: credit.KindPenalty, FirstReview: true})
		wantCode(t, err, yserr.Forbidden, "")
		_, err = svc.SetRoute(office, credit.Route{Kind: credit.KindPenalty, FirstReview: true, ExternalDays: 10})
		fatal(t, err)
		rec, err := svc.Create(sjj, penalty(a, "2026-06-01", "general"))
		fatal(t, err)
		rp, err := svc.Apply(entCtx(env, a), rec.ID, credit.ApplyInput{Statement: "已缴纳罚款", SignCommitment: true,
			Files: []credit.Upload{{Name: "缴款凭证.pdf", Data: credit.NewPDF("缴款凭证").Bytes()}}})
		fatal(t, err)
		bar, err := svc.StepBar(entCtx(env, a), rp.ID)
		fatal(t, err)
		if len(bar) != 4 || bar[1].Stage != credit.StageFirstReview || bar[1].State != "current" || bar[2].Stage != credit.StageDecide || bar[2].State != "todo" {
			t.Fatalf("bar at first review: %+v", bar)
		}
		// The department cannot decide before the first review; staff of
		// another department cannot do the first review.
		_, err = svc.Review(sjj, rp.ID, credit.ReviewInput{Decision: "approve"})
		wantCode(t, err, yserr.Conflict, "")
		_, err = svc.FirstReview(sjj, rp.ID, credit.FirstReviewInput{Decision: "pass"})
		wantCode(t, err, yserr.Forbidden, "")
		_, err = svc.FirstReview(office, rp.ID, credit.FirstReviewInput{Decision: "pass", Route: "external"})
		wantCode(t, err, yserr.Invalid, "external_body")

		env.Clock.Set(time.Date(2026, 9, 30, 15, 0, 0, 0, calendar.Shanghai))
		_, err = svc.FirstReview(office, rp.ID, credit.FirstReviewInput{Decision: "pass", Route: "external", ExternalBody: "信用中国（河南）"})
		fatal(t, err)
		steps, err := svc.Steps(office, rp.ID)
		fatal(t, err)
		ext := steps[len(steps)-1]
		if ext.Stage != credit.StageExternal || ext.Body != "信用中国（河南）" || ext.DueAt == nil ||
			calendar.FromTime(*ext.DueAt, calendar.Shanghai).String() != "2026-10-20" {
			t.Fatalf("external step: %+v", ext)
		}
		_, err = svc.Review(sjj, rp.ID, credit.ReviewInput{Decision: "approve"})
		wantCode(t, err, yserr.Conflict, "")

		env.Clock.Set(time.Date(2026, 10, 15, 10, 0, 0, 0, calendar.Shanghai))
		if n, err := svc.WarnSteps(sys); err != nil || n != 0 {
			t.Fatalf("warned on 10-15: %d %v", n, err)
		}
		env.Clock.Set(time.Date(2026, 10, 16, 10, 0, 0, 0, calendar.Shanghai))
		if n, err := svc.WarnSteps(sys); err != nil || n != 1 {
			t.Fatalf("warned on 10-16: %d %v", n, err)
		}
		if n, err := svc.WarnSteps(sys); err != nil || n != 0 {
			t.Fatalf("warned twice: %d %v", n, err)
		}
		if n := msgCount(t, env, credit.TypeStepDue, env.Users["ysj-window"]); n != 1 {
			t.Fatalf("office messages: %d", n)
		}
		steps, err = svc.Steps(office, rp.ID)
		fatal(t, err)
		if l := steps[len(steps)-1].LeftDays; l != 2 { // Oct 19 and Oct 20
			t.Fatalf("working days left on 10-16: %d", l)
		}

		// The outcome comes back on 10-21, a day late: recorded, the record repaired.
		env.Clock.Set(time.Date(2026, 10, 21, 9, 0, 0, 0, calendar.Shanghai))
		if steps, _ = svc.Steps(office, rp.ID); !steps[len(steps)-1].Overdue {
			t.Fatalf("external step not overdue on 10-21: %+v", steps[len(steps)-1])
		}
		_, err = svc.RecordExternal(office, rp.ID, credit.ExternalInput{Outcome: "approve"})
		wantCode(t, err, yserr.Invalid, "note")
		rp, err = svc.RecordExternal(office, rp.ID, credit.ExternalInput{Outcome: "approve", Note: "信用中国（河南）修复决定 豫信修〔2026〕1021号"})
		fatal(t, err)
		if rp.Status != credit.RepairApproved {
			t.Fatalf("after the external outcome: %s", rp.Status)
		}
		r, err := svc.Get(sjj, rec.ID)
		fatal(t, err)
		if r.Status != credit.StatusRepaired {
			t.Fatalf("record: %s", r.Status)
		}
		bar, err = svc.StepBar(entCtx(env, a), rp.ID)
		fatal(t, err)
		last := bar[len(bar)-1]
		if last.Stage != credit.StageDone || last.State != "done" || last.Outcome != credit.RepairApproved || bar[len(bar)-2].Stage != credit.StageExternal {
			t.Fatalf("bar at the end: %+v", bar)
		}

		// Without a route the department decides at once; a first review
		// that passes to the department gives it a fresh deadline.
		_, err = svc.SetRoute(officeAdminCtx(env), credit.Route{Kind: credit.KindPenalty, FirstReview: false})
		fatal(t, err)
		rec2, err := svc.Create(sjj, penalty(a, "2026-06-02", "general"))
		fatal(t, err)
		rp2, err := svc.Apply(entCtx(env, a), rec2.ID, credit.ApplyInput{Statement: "已缴纳罚款", SignCommitment: true,
			Files: []credit.Upload{{Name: "缴款凭证.pdf", Data: credit.NewPDF("缴款凭证").Bytes()}}})
		fatal(t, err)
		if steps, _ := svc.Steps(sjj, rp2.ID); len(steps) != 1 || steps[0].Stage != credit.StageDecide {
			t.Fatalf("direct route: %+v", steps)
		}
		_, err = svc.FirstReview(office, rp2.ID, credit.FirstReviewInput{Decision: "pass"})
		wantCode(t, err, yserr.Conflict, "")
		if auditCount(t, env, "credit.repair_first_review") != 1 || auditCount(t, env, "credit.repair_external") != 1 || auditCount(t, env, "credit.repair_step_warn") != 1 {
			t.Fatal("audit events of the staged review missing")
		}
	})
}

// TestCommitmentsListsPublicity (issue 18 item 11).
func TestCommitmentsListsPublicity(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		wd := staffCtx(env, "wd-staff", "WD-SJJ")
		office := officeStaff(t, env)
		svc.CreditOfficeCode = "XC-YSJ"
		t.Cleanup(func() { svc.CreditOfficeCode = "" })

		// 双公示 timeliness, hand-computed across the National Day holiday.
		// 2026-09-30 + 7 working days = 10-15 (Oct 8, 9, 10 worked Saturday,
		// 12, 13, 14, 15); 2026-09-29 + 7 = 10-14; 2026-10-09 + 7 = 10-19
		// (Oct 10, 12, 13, 14, 15, 16, 19).
		at := func(y int, m time.Month, d, h, min int) {
			env.Clock.Set(time.Date(y, m, d, h, min, 0, 0, calendar.Shanghai))
		}
		at(2026, 10, 15, 10, 0)
		_, err := svc.Create(sjj, penalty(b, "2026-09-30", "general")) // on time, the last day
		fatal(t, err)
		at(2026, 10, 14, 23, 30)
		_, err = svc.Create(sjj, credit.Input{EntityID: a, Kind: credit.KindLicence, Content: credit.Content{DecisionNo: "许市监许〔2026〕0929号", DecidedOn: "2026-09-29", Title: "食品经营许可证"}})
		fatal(t, err) // on time: 23:30 in Shanghai is still 10-14
		at(2026, 10, 16, 9, 0)
		_, err = svc.Create(sjj, penalty(b, "2026-09-30", "minor", credit.Penalty{Type: "warning"})) // late by a day
		fatal(t, err)
		at(2026, 10, 20, 9, 0)
		_, err = svc.Create(wd, penalty(a, "2026-10-09", "general")) // late: due 10-19
		fatal(t, err)
		rep, err := svc.Publicity(officeAdminCtx(env), credit.PublicityQuery{From: "2026-09", To: "2026-10"})
		fatal(t, err)
		if len(rep.Rows) != 2 {
			t.Fatalf("rows: %+v", rep.Rows)
		}
		sep, oct := rep.Rows[0], rep.Rows[1]
		if sep.Month != "2026-09" || sep.DepartmentID != env.Depts["XC-SJJ"] || sep.Decisions != 3 || sep.OnTime != 2 || math.Abs(sep.Rate-2.0/3.0) > 1e-9 {
			t.Fatalf("September XC-SJJ: %+v", sep)
		}
		if oct.Month != "2026-10" || oct.DepartmentID != env.Depts["WD-SJJ"] || oct.Decisions != 1 || oct.OnTime != 0 || oct.Rate != 0 {
			t.Fatalf("October WD-SJJ: %+v", oct)
		}
		if rep.Total.Decisions != 4 || rep.Total.OnTime != 2 || len(rep.Late) != 2 || rep.Late[0].DueOn != "2026-10-15" || rep.Late[0].PublishedOn != "2026-10-16" || rep.Late[1].DueOn != "2026-10-19" {
			t.Fatalf("total and late: %+v %+v", rep.Total, rep.Late)
		}
		own, err := svc.Publicity(sjj, credit.PublicityQuery{From: "2026-09", To: "2026-10"})
		fatal(t, err)
		if len(own.Rows) != 1 || own.Rows[0].DepartmentID != env.Depts["XC-SJJ"] {
			t.Fatalf("department staff see: %+v", own.Rows)
		}
		_, err = svc.Publicity(entCtx(env, a), credit.PublicityQuery{})
		wantCode(t, err, yserr.Forbidden, "")

		// Public commitments; a broken one becomes a credit record.
		ent := entCtx(env, a)
		c1, err := svc.Sign(ent, credit.CommitmentInput{DepartmentID: env.Depts["XC-SJJ"], Kind: "missing_material", Process: "license:2026-0101", Text: "承诺30日内补齐消防验收材料", DeadlineOn: "2026-11-20"})
		fatal(t, err)
		c2, err := svc.Sign(ent, credit.CommitmentInput{DepartmentID: env.Depts["XC-SJJ"], Kind: "instead_of_certificate", Process: "license:2026-0102", Text: "承诺无违法犯罪记录"})
		fatal(t, err)
		_, err = svc.Resolve(sjj, c1.ID, true, "逾期未补齐消防验收材料")
		fatal(t, err)
		_, err = svc.Resolve(sjj, c2.ID, false, "")
		fatal(t, err)
		pub, total, err := svc.PublicCommitments(context.Background(), "", 1, 50)
		fatal(t, err)
		if total != 2 || len(pub) != 2 || pub[0].Status != "fulfilled" || pub[1].Status != "breached" || pub[1].USCC != sitetest.USCCA || pub[1].DepartmentName == "" {
			t.Fatalf("public commitments: %d %+v", total, pub)
		}
		if credit.PublicCommitmentLabel("breached", "en") != "broken" || credit.PublicCommitmentLabel("open", "zh") != "履约中" {
			t.Fatal("public commitment labels")
		}
		broken, err := svc.Commitments(sjj, "breached")
		fatal(t, err)
		if len(broken) != 1 || broken[0].RecordID == 0 {
			t.Fatalf("breach record: %+v", broken)
		}
		r, err := svc.Get(sjj, broken[0].RecordID)
		fatal(t, err)
		if r.Kind != credit.KindBreach || !r.Negative {
			t.Fatalf("breach record: %+v", r)
		}

		// 红黑榜: candidates from the grades, confirmed by the office.
		_, err = svc.Create(sjj, penalty(b, "2026-10-10", "serious", credit.Penalty{Type: "fine", Amount: 300000}))
		fatal(t, err)
		gb, err := svc.GradeOf(sjj, b)
		fatal(t, err)
		_, err = svc.DraftList(sjj, credit.ListInput{Kind: "black", Title: "黑榜", Criteria: "x", Grades: gb.Grade})
		wantCode(t, err, yserr.Forbidden, "")
		_, err = svc.DraftList(office, credit.ListInput{Kind: "black", Title: "2026年第四季度失信黑榜"})
		wantCode(t, err, yserr.Invalid, "criteria")
		black, err := svc.DraftList(office, credit.ListInput{Kind: "black", Title: "2026年第四季度失信黑榜", Criteria: "信用等级为" + gb.Grade + "级的市场主体", Grades: gb.Grade})
		fatal(t, err)
		found := false
		for _, e := range black.Entries {
			found = found || e.EntityID == b && e.Included && strings.Contains(e.Reason, "信用等级 "+gb.Grade) &&
				strings.HasPrefix(e.ReasonEN, "Credit grade "+gb.Grade) && !hasHan(e.ReasonEN)
		}
		if !found || black.Status != "draft" {
			t.Fatalf("black list candidates (grade %s): %+v", gb.Grade, black)
		}
		if _, err := svc.GetList(context.Background(), black.ID); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("draft visible to the public: %v", err)
		}
		if len(black.Entries) > 1 {
			for _, e := range black.Entries {
				if e.EntityID != b {
					_, err = svc.SetListEntry(office, black.ID, e.EntityID, false)
					fatal(t, err)
				}
			}
		}
		_, err = svc.SetListEntry(office, black.ID, 999999, false)
		wantCode(t, err, yserr.Invalid, "entity_id")
		_, err = svc.PublishList(office, black.ID)
		fatal(t, err)
		_, err = svc.SetListEntry(office, black.ID, b, false)
		wantCode(t, err, yserr.Conflict, "")
		pl, err := svc.GetList(context.Background(), black.ID)
		fatal(t, err)
		if pl.Status != "published" || len(pl.Entries) != 1 || pl.Entries[0].USCC != sitetest.USCCB || pl.Criteria == "" {
			t.Fatalf("public black list: %+v", pl)
		}
		if ls, err := svc.Lists(context.Background()); err != nil || len(ls) != 1 {
			t.Fatalf("public lists: %v %v", ls, err)
		}
		if auditCount(t, env, "credit.list_publish") != 1 {
			t.Fatal("no audit event for the publication")
		}
	})
}

// hasHan reports whether s has a Chinese character (an English text must not).
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
