package policy_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/workflow"
	"yingshang/internal/yserr"
)

func dueOf(x *policy.Application) string {
	if x.Due == nil {
		return ""
	}
	return x.Due.In(calendar.Shanghai).Format(time.DateOnly)
}

func auditActions(t *testing.T, env *sitetest.Env, id int64) []string {
	t.Helper()
	ev, err := env.App.Audit.ForObject(sitetest.System(), "policy_application", strconv.FormatInt(id, 10))
	fatal(t, err)
	var out []string
	for _, e := range ev {
		out = append(out, e.Action)
	}
	return out
}

// TestApplicationChanges: extension of a step's time limit by the
// reviewing department's head (once, at most the step's limit, not when
// overdue; the new due date counted by hand across the National Day
// holiday and its make-up Saturday), reassignment of a pending task by
// the office, and withdrawal by the enterprise (the clock stops, the
// reviewers are told; it may apply again); each audited.
func TestApplicationChanges(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *policy.Service) {
		// Monday 2026-09-28 10:00 Shanghai. Holiday Oct 1-7; Oct 10 (Sat) is worked.
		env.Clock.Set(time.Date(2026, 9, 28, 10, 0, 0, 0, calendar.Shanghai))
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		head := deptCtx(env, "sjj-admin", "XC-SJJ", auth.DeptAdmin)
		swjHead := deptCtx(env, "swj-staff", "XC-SWJ", auth.DeptAdmin)
		swj := staffCtx(env, "swj-staff", "XC-SWJ")
		wd := deptCtx(env, "wd-staff", "WD-SJJ", auth.DeptStaff)
		office := auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users["admin"], Username: "admin", Roles: []auth.Role{auth.PlatformAdmin}, Via: "session"})
		a := env.Entities[sitetest.USCCA]
		ent := entCtx(env, a)
		setRD(t, svc, a, 120)
		mk := func(title string) *policy.Policy {
			p, err := svc.Create(sjj, reviewPolicy(title))
			fatal(t, err)
			_, err = svc.Publish(sjj, p.ID)
			fatal(t, err)
			_, err = svc.SetReview(sjj, p.ID, policy.ReviewDef{Materials: []policy.Material{{Key: "audit", Name: "专项审计报告", Required: true}},
				Steps: []policy.ReviewStep{
					{Name: "受理初审", Departments: []int64{env.Depts["XC-SJJ"]}, Days: 3},
					{Name: "税务核验", Departments: []int64{env.Depts["XC-SWJ"]}, Days: 3},
				}})
			fatal(t, err)
			return p
		}
		p, p2 := mk("研发费用后补助（延期与改派）"), mk("研发费用后补助（撤回）")
		x, err := svc.Apply(ent, p.ID, []policy.Upload{pdf("audit", "审计报告.pdf")})
		fatal(t, err)
		// 3 working days from Mon Sep 28: Sep 29, Sep 30, (Oct 1-7 holiday) Oct 8.
		if dueOf(x) != "2026-10-08" {
			t.Fatalf("due at submission: %s", dueOf(x))
		}

		// ---- extension ----
		env.Clock.Set(time.Date(2026, 9, 30, 16, 0, 0, 0, calendar.Shanghai))
		ext := policy.Extension{Days: 3, Reason: "需向省厅核实研发项目备案", Rev: x.Rev}
		for _, c := range []struct {
			name string
			ctx  context.Context
			code yserr.Code
		}{{"staff, not head", sjj, yserr.Forbidden}, {"head of a later step's department", swjHead, yserr.Forbidden},
			{"enterprise", ent, yserr.Forbidden}, {"office", office, yserr.Forbidden}} {
			if _, err := svc.Extend(c.ctx, x.ID, ext); !yserr.Is(err, c.code) {
				t.Errorf("extension by %s: %v", c.name, err)
			}
		}
		if x, _ := svc.Application(sjj, x.ID); x.CanExtend {
			t.Errorf("staff offered the extension")
		}
		for _, bad := range []struct {
			e     policy.Extension
			field string
		}{{policy.Extension{Days: 0, Reason: "r"}, "days"}, {policy.Extension{Days: 4, Reason: "r"}, "days"}, {policy.Extension{Days: 2, Reason: "  "}, "reason"}} {
			if _, err := svc.Extend(head, x.ID, bad.e); yserr.As(err) == nil || yserr.As(err).Field != bad.field {
				t.Errorf("extension %+v: %v", bad.e, err)
			}
		}
		if _, err := svc.Extend(head, x.ID, policy.Extension{Days: 3, Reason: "r", Rev: x.Rev + 7}); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("stale rev: %v", err)
		}
		if h, _ := svc.Application(head, x.ID); !h.CanExtend {
			t.Errorf("the head is not offered the extension")
		}
		x, err = svc.Extend(head, x.ID, ext)
		fatal(t, err)
		// 3 + 3 = 6 working days from Sep 28: Sep 29, Sep 30, Oct 8, Oct 9, Oct 10 (make-up Saturday), Oct 12 (Monday).
		if dueOf(x) != "2026-10-12" || x.ExtensionDays != 3 || x.ExtendedStep == nil || *x.ExtendedStep != 0 {
			t.Fatalf("extended: due %s, %+v", dueOf(x), x)
		}
		// From Wed Sep 30: Oct 8, 9, 10, 12 are left.
		if x.DaysLeft != 4 {
			t.Errorf("days left after the extension: %d", x.DaysLeft)
		}
		if _, err := svc.Extend(head, x.ID, policy.Extension{Days: 1, Reason: "再延一次"}); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("second extension: %v", err)
		}
		// From a page left open before the first (a stale rev): the
		// refusal says why, not only that the application changed.
		if _, err := svc.Extend(head, x.ID, policy.Extension{Days: 1, Reason: "再延一次", Rev: x.Rev - 1}); !yserr.Is(err, yserr.Conflict) ||
			!strings.Contains(yserr.As(err).ZH, "已延长过一次") {
			t.Errorf("second extension from a stale page: %v", err)
		}
		// The enterprise was told: submission and extension.
		if st := stagesOf(t, env, "policy_application", x.ID); st["inapp"] != 2 || st["sms"] != 2 {
			t.Errorf("enterprise notices: %v", st)
		}
		// The enterprise sees the extension in its timeline.
		if y, _ := svc.Application(ent, x.ID); !slices.ContainsFunc(y.Timeline, func(e workflow.Entry) bool {
			return e.Action == "extend" && strings.Contains(e.Note, "2026-10-12")
		}) {
			t.Errorf("enterprise timeline: %+v", y.Timeline)
		}
		// Step 1 approved on Oct 9: step 2 starts without the extension: Oct 10, 12, 13.
		env.Clock.Set(time.Date(2026, 10, 9, 9, 0, 0, 0, calendar.Shanghai))
		x, err = svc.Decide(sjj, x.ID, policy.Decision{Action: policy.ActApprove, Rev: x.Rev}, nil)
		fatal(t, err)
		if x.Step != 1 || dueOf(x) != "2026-10-13" {
			t.Fatalf("step 2: step %d due %s", x.Step, dueOf(x))
		}

		// ---- reassignment (step 2: SWJ -> WD-SJJ) ----
		re := policy.Reassignment{From: env.Depts["XC-SWJ"], To: env.Depts["WD-SJJ"], Reason: "该企业研发费用由区级部门核验", Rev: x.Rev}
		for _, c := range []context.Context{swj, head, ent} {
			if _, err := svc.Reassign(c, x.ID, re); !yserr.Is(err, yserr.Forbidden) && !yserr.Is(err, yserr.NotFound) {
				t.Errorf("reassignment by a non-office caller: %v", err)
			}
		}
		for _, bad := range []struct {
			r     policy.Reassignment
			field string
		}{
			{policy.Reassignment{From: env.Depts["XC-SJJ"], To: env.Depts["WD-SJJ"], Reason: "r"}, "from_department_id"},
			{policy.Reassignment{From: env.Depts["XC-SWJ"], To: env.Depts["XC-SWJ"], Reason: "r"}, "to_department_id"},
			{policy.Reassignment{From: env.Depts["XC-SWJ"], To: 999999, Reason: "r"}, "to_department_id"},
			{policy.Reassignment{From: env.Depts["XC-SWJ"], To: env.Depts["WD-SJJ"]}, "reason"},
		} {
			if _, err := svc.Reassign(office, x.ID, bad.r); yserr.As(err) == nil || yserr.As(err).Field != bad.field {
				t.Errorf("reassignment %+v: %v", bad.r, err)
			}
		}
		x, err = svc.Reassign(office, x.ID, re)
		fatal(t, err)
		if !slices.Equal(x.Steps[1].Departments, []int64{env.Depts["WD-SJJ"]}) || x.Steps[1].Names[0] == "" || dueOf(x) != "2026-10-13" {
			t.Fatalf("reassigned: %+v due %s", x.Steps[1], dueOf(x))
		}
		if q, _ := svc.ReviewQueue(swj); len(q) != 0 {
			t.Errorf("SWJ queue after the reassignment: %d", len(q))
		}
		if q, _ := svc.ReviewQueue(wd); len(q) != 1 || q[0].ID != x.ID {
			t.Errorf("WD-SJJ queue after the reassignment: %+v", q)
		}
		// Both departments were told (swj-staff and wd-staff: one user each); the enterprise was not.
		if st := stagesOf(t, env, "policy_application_staff", x.ID); st["inapp"] != 2 || st["sms"] != 2 {
			t.Errorf("reassignment notices: %v", st)
		}
		// The department that gave the task up is pointed at its queue (it can no longer open the application).
		msgs, err := env.App.Notify.ObjectMessages(sitetest.System(), "policy_application_staff", strconv.FormatInt(x.ID, 10))
		fatal(t, err)
		links := map[int64]string{}
		for _, m := range msgs {
			if m.Channel == "inapp" {
				links[m.UserID] = m.Link
			}
		}
		if links[env.Users["swj-staff"]] != "/policy-review" || links[env.Users["wd-staff"]] != "/policy-applications/"+strconv.FormatInt(x.ID, 10) {
			t.Errorf("reassignment links: %v", links)
		}
		if _, err := svc.Application(swj, x.ID); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("SWJ reads the application after giving it up: %v", err)
		}
		if st := stagesOf(t, env, "policy_application", x.ID); st["inapp"] != 3 {
			t.Errorf("enterprise notices after step 1 and the reassignment: %v", st)
		}
		// The reassignment is staff-only in the timeline.
		if y, _ := svc.Application(ent, x.ID); slices.ContainsFunc(y.Timeline, func(e workflow.Entry) bool { return e.Action == "reassign" }) {
			t.Errorf("the enterprise sees the reassignment")
		}
		x, err = svc.Decide(wd, x.ID, policy.Decision{Action: policy.ActApprove, Rev: x.Rev}, nil)
		fatal(t, err)
		if x.State != policy.AppApproved || x.AmountFen != 12_000_000 {
			t.Fatalf("approved after the reassignment: %s %d", x.State, x.AmountFen)
		}
		// A decided application is not withdrawn, extended or reassigned.
		if _, err := svc.Decide(ent, x.ID, policy.Decision{Action: policy.ActWithdraw, Note: "不要了"}, nil); err == nil {
			t.Errorf("withdrawal of an approved application succeeded")
		}
		if _, err := svc.Reassign(office, x.ID, re); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("reassignment of an approved application: %v", err)
		}
		want := "policy.application.submit,policy.application.extend,policy.application.approve,policy.application.reassign,policy.application.approve"
		if got := strings.Join(auditActions(t, env, x.ID), ","); got != want {
			t.Errorf("audit: %s", got)
		}

		// ---- withdrawal, and no extension once overdue ----
		env.Clock.Set(time.Date(2026, 9, 28, 11, 0, 0, 0, calendar.Shanghai))
		y, err := svc.Apply(ent, p2.ID, []policy.Upload{pdf("audit", "审计报告.pdf")})
		fatal(t, err)
		env.Clock.Set(time.Date(2026, 10, 9, 10, 0, 0, 0, calendar.Shanghai))
		if y, _ = svc.Application(head, y.ID); y.Alert != "overdue" || y.CanExtend {
			t.Fatalf("Oct 9: alert %q, can extend %v", y.Alert, y.CanExtend)
		}
		if _, err := svc.Extend(head, y.ID, policy.Extension{Days: 1, Reason: "补救"}); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("extension when overdue: %v", err)
		}
		if _, err := svc.Decide(ent, y.ID, policy.Decision{Action: policy.ActWithdraw}, nil); yserr.As(err) == nil || yserr.As(err).Field != "note" {
			t.Errorf("withdrawal without a reason: %v", err)
		}
		if _, err := svc.Decide(sjj, y.ID, policy.Decision{Action: policy.ActWithdraw, Note: "x"}, nil); !yserr.Is(err, yserr.Forbidden) {
			t.Errorf("withdrawal by a reviewer: %v", err)
		}
		if _, err := svc.Decide(entCtx(env, env.Entities[sitetest.USCCB]), y.ID, policy.Decision{Action: policy.ActWithdraw, Note: "x"}, nil); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("withdrawal by another enterprise: %v", err)
		}
		y, err = svc.Decide(ent, y.ID, policy.Decision{Action: policy.ActWithdraw, Note: "审计报告年度有误，撤回", Rev: y.Rev}, nil)
		fatal(t, err)
		// Closed: no clock, no alert, out of the queue.
		if y.State != policy.AppWithdrawn || y.ClosedAt == nil || y.Due != nil || y.Alert != "" || y.Reason != "审计报告年度有误，撤回" || y.GrantID != nil {
			t.Fatalf("withdrawn: %+v", y)
		}
		if q, _ := svc.ReviewQueue(sjj); len(q) != 0 {
			t.Errorf("SJJ queue after the withdrawal: %d", len(q))
		}
		if n, err := svc.AlertApplications(sitetest.System()); err != nil || n != 0 {
			t.Errorf("alerts after the withdrawal: %d %v", n, err)
		}
		// The reviewers of the step (sjj-admin and sjj-staff) were told.
		if st := stagesOf(t, env, "policy_application_staff", y.ID); st["inapp"] != 2 || st["sms"] != 2 {
			t.Errorf("withdrawal notices: %v", st)
		}
		if _, err := svc.Decide(sjj, y.ID, policy.Decision{Action: policy.ActApprove}, nil); err == nil {
			t.Errorf("approval after the withdrawal succeeded")
		}
		if got := strings.Join(auditActions(t, env, y.ID), ","); got != "policy.application.submit,policy.application.withdraw" {
			t.Errorf("withdrawal audit: %s", got)
		}
		// The enterprise applies again: the same record starts afresh at step 1
		// (3 working days from Fri Oct 9: Oct 10, the make-up Saturday, 12, 13).
		z, err := svc.Apply(ent, p2.ID, []policy.Upload{pdf("audit", "审计报告（更正）.pdf")})
		fatal(t, err)
		if z.ID != y.ID || z.State != policy.AppReviewing || z.Step != 0 || z.Reason != "" || z.ClosedAt != nil || dueOf(z) != "2026-10-13" || len(z.Files) != 2 {
			t.Fatalf("applied again: %+v due %s", z, dueOf(z))
		}
		var acts []string
		for _, e := range z.Timeline {
			acts = append(acts, e.Action)
		}
		if strings.Join(acts, ",") != "submit,withdraw,submit" {
			t.Errorf("timeline after applying again: %v", acts)
		}
		if q, _ := svc.ReviewQueue(sjj); len(q) != 1 || q[0].ID != z.ID {
			t.Errorf("SJJ queue after applying again: %d", len(q))
		}
		if _, err := svc.Apply(ent, p2.ID, []policy.Upload{pdf("audit", "a.pdf")}); !yserr.Is(err, yserr.Conflict) {
			t.Errorf("a third application: %v", err)
		}
	})
}
