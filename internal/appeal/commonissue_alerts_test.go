package appeal_test

import (
	"context"
	"testing"

	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

// TestCommonIssueFixAlerts (issue 18 item 3): the fix clock of a common
// issue warns the responsible department and the office once when five
// calendar days (the default) are left and alerts them once when it is
// overdue; a fixed issue sends nothing; the lead is configurable, 0 turns
// the warning off. Dates by hand: plan Mon 23 Nov 2026 09:00, 30 calendar
// days -> due Wed 23 Dec 23:59; the five last days are Sat 19 to Wed 23
// Dec (weekends count: the clock is in calendar days).
//
//	Fri 18 Dec 23:30   six days left                   -> nothing
//	Sat 19 Dec 00:10   five days left                  -> warning, once
//	Wed 23 Dec 23:00   due today                       -> no overdue yet
//	Thu 24 Dec 00:10   deadline passed, still fixing   -> overdue, once
//
// With common_warn_days = 0 a second issue planned Mon 30 Nov 10:00 (due
// Wed 30 Dec) is not warned on Tue 29 Dec but alerted on Thu 31 Dec; a
// third, fixed before its deadline, never alerts.
func TestCommonIssueFixAlerts(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			sys := auth.WithActor(context.Background(), auth.System("test"))
			sjj := f.env.Depts["XC-SJJ"]
			f.env.Clock.Set(sh("2026-11-23 09:00"))
			open := func(title string) *appeal.CommonIssue {
				t.Helper()
				ci, err := f.svc.CreateCommonIssue(f.ctx["admin"], appeal.CommonIssueInput{Title: title, Cause: "流程未接入信息共享", Topic: "开办企业", DeptID: sjj})
				if err != nil {
					t.Fatal(err)
				}
				ci, err = f.svc.StepCommonIssue(f.ctx["sjj-staff"], ci.ID, appeal.CommonIssueStep{Step: appeal.StepPlan, Note: "一个月内完成整改。"})
				if err != nil {
					t.Fatal(err)
				}
				return ci
			}
			ci := open("刻章环节重复提交营业执照复印件")
			if dueDay(ci.FixDue) != "2026-12-23 23:59" {
				t.Fatalf("fix due %s", dueDay(ci.FixDue))
			}
			scan := func(at string) *appeal.ScanResult {
				t.Helper()
				f.env.Clock.Set(sh(at))
				res, err := f.svc.Scan(sys)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			told := func(typ string, want map[string]int) {
				t.Helper()
				for user, n := range want {
					if got := f.msgs(t, typ, user); got != n {
						t.Errorf("%s: %s got %d, want %d", typ, user, got, n)
					}
				}
			}
			none := map[string]int{"sjj-staff": 0, "sjj-admin": 0, "admin": 0}
			once := map[string]int{"sjj-staff": 1, "sjj-admin": 1, "admin": 1, "swj-staff": 0, "ent": 0, "supervisor": 0}

			// The alerts page's section lists what the warning covers.
			listed := func(want string) {
				t.Helper()
				list, err := f.svc.FixClockIssues(f.ctx["admin"], 50)
				if err != nil {
					t.Fatal(err)
				}
				got := "absent"
				for _, c := range list {
					if c.ID == ci.ID {
						got = map[bool]string{false: "due soon", true: "overdue"}[c.Overdue]
						if c.DeptName == "" {
							t.Errorf("listed issue %+v", c)
						}
					}
				}
				if got != want {
					t.Errorf("fix clocks at %s: %s, want %s", f.env.Clock.Now().In(calendar.Shanghai).Format("01-02 15:04"), got, want)
				}
			}
			if _, err := f.svc.FixClockIssues(f.ctx["ent"], 50); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("an enterprise read the fix clocks: %v", err)
			}

			scan("2026-12-18 23:30")
			told(appeal.MsgCommonFixWarning, none)
			listed("absent")
			if res := scan("2026-12-19 00:10"); res.Alerts["common_fix/warning"] != 1 {
				t.Fatalf("19 Dec: %v", res.Alerts)
			}
			scan("2026-12-19 08:00")
			told(appeal.MsgCommonFixWarning, once)
			listed("due soon")
			if l := f.msgLink(t, appeal.MsgCommonFixWarning, "sjj-staff"); l != "/appeal-issues/"+itoa(ci.ID) {
				t.Errorf("warning link %q", l)
			}
			scan("2026-12-23 23:00")
			told(appeal.MsgCommonFixOverdue, none)
			if res := scan("2026-12-24 00:10"); res.Alerts["common_fix/overdue"] != 1 {
				t.Fatalf("24 Dec: %v", res.Alerts)
			}
			scan("2026-12-24 00:20")
			told(appeal.MsgCommonFixOverdue, once)
			listed("overdue")
			told(appeal.MsgCommonFixWarning, once)

			// The lead is a setting: out of range is refused naming the field.
			st, err := f.svc.Settings(f.ctx["admin"])
			if err != nil {
				t.Fatal(err)
			}
			if st.CommonWarnDays != 5 {
				t.Fatalf("default warning lead %d, want 5", st.CommonWarnDays)
			}
			st.CommonWarnDays = -1
			if err := f.svc.SaveSettings(f.ctx["admin"], st); yserr.As(err) == nil || yserr.As(err).Field != "common_warn_days" {
				t.Fatalf("negative lead: %v", err)
			}
			st.CommonWarnDays = 0
			if err := f.svc.SaveSettings(f.ctx["admin"], st); err != nil {
				t.Fatal(err)
			}
			f.env.Clock.Set(sh("2026-11-30 10:00"))
			quiet, fixed := open("银行开户重复提交章程"), open("税务登记重复采集股东信息")
			if dueDay(quiet.FixDue) != "2026-12-30 23:59" {
				t.Fatalf("second fix due %s", dueDay(quiet.FixDue))
			}
			f.env.Clock.Set(sh("2026-12-28 10:00"))
			if _, err := f.svc.StepCommonIssue(f.ctx["sjj-staff"], fixed.ID, appeal.CommonIssueStep{Step: appeal.StepFixed, Note: "已直接调取登记信息。"}); err != nil {
				t.Fatal(err)
			}
			if res := scan("2026-12-29 10:00"); res.Alerts["common_fix/warning"] != 0 {
				t.Fatalf("warned with the lead off: %v", res.Alerts)
			}
			scan("2026-12-31 10:00")
			scan("2027-01-05 10:00")
			told(appeal.MsgCommonFixOverdue, map[string]int{"sjj-staff": 2, "sjj-admin": 2, "admin": 2})
			told(appeal.MsgCommonFixWarning, once)
		})
	}
}
