package appeal_test

import (
	"strconv"
	"testing"

	"yingshang/internal/appeal"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// progressTo counts the progress messages (appeal.progress, in-app) sent
// to the enterprise user about appeal id.
func (f *fixture) progressTo(t *testing.T, id int64) int {
	t.Helper()
	sys := sitetest.System()
	var n int
	if err := f.env.App.DB.Q(sys).QueryRow(sys, `SELECT COUNT(*) FROM notifications WHERE msg_type = $1 AND object_id = $2
		AND channel = 'inapp' AND user_id = $3`, appeal.MsgProgress, strconv.FormatInt(id, 10), f.env.Users["ent"]).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) terms(t *testing.T, user string, id int64) *appeal.Terms {
	t.Helper()
	tm, err := f.svc.Terms(f.ctx[user], id)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestSeedClocksAcrossHoliday checks Xinyang's 1日响应、3日反馈、限期办结,
// the per-topic reply clock and the individual-issue rule across National
// Day 2026 (1-7 Oct off, Sat 10 Oct worked, Sun 11 Oct not), counted by
// hand:
//
//	submitted Wed 30 Sep 16:00
//	response (1 WD):   Thu 8 Oct
//	feedback (3 WD):   8, 9, 10 -> Sat 10 Oct
//	help reply (5 WD): 8, 9, 10, 12, 13 -> Tue 13 Oct (commitment max)
//	individual (15 WD): 8, 9, 10, 12-16, 19-23, 26, 27 -> Tue 27 Oct
//	topic 获得电力 at 3 WD: Sat 10 Oct
func TestSeedClocksAcrossHoliday(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			st, err := f.svc.Settings(f.ctx["admin"])
			if err != nil {
				t.Fatal(err)
			}
			bad := st
			bad.TopicReplyWD = map[string]int{"不存在的领域": 3}
			if err := f.svc.SaveSettings(f.ctx["admin"], bad); !yserr.Is(err, yserr.Invalid) {
				t.Fatalf("unknown topic in topic_reply_wd: %v", err)
			}
			st.TopicReplyWD = map[string]int{"获得电力": 3}
			if err := f.svc.SaveSettings(f.ctx["admin"], st); err != nil {
				t.Fatal(err)
			}
			f.env.Clock.Set(sh("2026-09-30 16:00"))
			power, err := f.svc.Create(f.ctx["ent"], appeal.Input{Kind: appeal.Help, Topic: "获得电力", Title: "厂区临时用电接入",
				Description: "新厂房需要临时用电，申请后一直没有回复。"})
			if err != nil {
				t.Fatal(err)
			}
			if got := dueDay(power.ReplyDue); got != "2026-10-10 23:59" {
				t.Errorf("topic 获得电力 at 3 WD: reply due %s, want 2026-10-10 23:59", got)
			}
			a := f.submit(t, appeal.Help)
			if got := dueDay(a.FirstResponseDue); got != "2026-10-08 23:59" {
				t.Errorf("response due %s", got)
			}
			if got := dueDay(a.ReplyDue); got != "2026-10-13 23:59" {
				t.Errorf("help reply due %s", got)
			}
			if got := dueDay(f.terms(t, "ent", a.ID).FeedbackDue); got != "2026-10-10 23:59" {
				t.Errorf("feedback due (before any step) %s, want 2026-10-10 23:59", got)
			}
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAccept})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAssign, DeptID: f.env.Depts["XC-SJJ"]})
			// A commitment after the type's maximum is refused, naming the field.
			_, err = f.svc.Transition(f.ctx["sjj-staff"], a.ID, appeal.Act{Action: appeal.ActClaim, ResolveBy: "2026-10-14"})
			if ye := yserr.As(err); ye == nil || ye.Code != yserr.Invalid || ye.Field != "resolve_by" {
				t.Fatalf("commitment after the deadline: %v", err)
			}
			if got, _ := f.svc.Get(f.ctx["admin"], a.ID); got.State != appeal.Assigned {
				t.Fatalf("refused claim changed the state: %s", got.State)
			}
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActClaim, ResolveBy: "2026-10-12"})
			tm := f.terms(t, "ent", a.ID)
			if got := dueDay(tm.ResolveBy); got != "2026-10-12 23:59" {
				t.Fatalf("committed resolution %s", got)
			}
			if got := dueDay(tm.FeedbackDue); got != "2026-10-10 23:59" {
				t.Fatalf("feedback due %s", got)
			}
			// Classed individual: 15 WD from the clock start.
			f.refuse(t, "ent", a.ID, appeal.Act{Action: appeal.ActClassify, IssueClass: appeal.IssueIndividual}, yserr.Forbidden)
			got := f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActClassify, IssueClass: appeal.IssueIndividual})
			if d := dueDay(got.ReplyDue); d != "2026-10-27 23:59" {
				t.Fatalf("individual issue: reply due %s, want 2026-10-27 23:59", d)
			}
			// The scan warns on the feedback clock at 12:00 of its deadline day.
			sys := sitetest.System()
			f.env.Clock.Set(sh("2026-10-10 12:30"))
			res, err := f.svc.Scan(sys)
			if err != nil {
				t.Fatal(err)
			}
			if res.Alerts["feedback/1"] != 1 || res.Alerts["resolve/1"] != 0 {
				t.Fatalf("scan on Sat 10 Oct 12:30: %v", res.Alerts)
			}
			if res, _ := f.svc.Scan(sys); res.Alerts["feedback/1"] != 0 {
				t.Fatalf("second scan sent again: %v", res.Alerts)
			}
			f.refuse(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActFeedback}, yserr.Invalid)
			mark := f.progressTo(t, a.ID)
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActFeedback, Note: "已联系登记窗口，材料齐全，预计周一办结。"})
			if n := f.progressTo(t, a.ID); n != mark+1 {
				t.Fatalf("enterprise progress messages %d, want %d", n, mark+1)
			}
			if tm := f.terms(t, "ent", a.ID); tm.FeedbackAt == nil {
				t.Fatal("feedback not recorded")
			}
			// The commitment: warning at 12:00 on Mon 12 Oct, overdue on Tue 13.
			f.env.Clock.Set(sh("2026-10-12 13:00"))
			if res, _ := f.svc.Scan(sys); res.Alerts["resolve/1"] != 1 || res.Alerts["feedback/2"] != 0 {
				t.Fatalf("scan on Mon 12 Oct 13:00: %v", res.Alerts)
			}
			f.env.Clock.Set(sh("2026-10-13 09:00"))
			if res, _ := f.svc.Scan(sys); res.Alerts["resolve/2"] != 1 {
				t.Fatalf("scan on Tue 13 Oct 09:00: %v", res.Alerts)
			}
			alerts, err := f.svc.Alerts(f.ctx["admin"], 1, 50)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, al := range alerts {
				if al.AppealID == a.ID {
					seen[al.Clock+"/"+strconv.Itoa(al.Level)] = true
				}
			}
			if !seen["feedback/1"] || !seen["resolve/1"] || !seen["resolve/2"] {
				t.Fatalf("alerts list: %v", seen)
			}
			// The reply ends the commitment; the enterprise sees the new steps.
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActReply, Note: "已办结。"})
			if tm := f.terms(t, "ent", a.ID); tm.ResolvedAt == nil {
				t.Fatal("reply did not end the commitment")
			}
			f.env.Clock.Set(sh("2026-10-20 09:00"))
			if res, _ := f.svc.Scan(sys); res.Alerts["resolve/3"] != 0 {
				t.Fatalf("a replied appeal escalated: %v", res.Alerts)
			}
			tl, err := f.svc.Timeline(f.ctx["ent"], a.ID)
			if err != nil {
				t.Fatal(err)
			}
			acts := map[string]bool{}
			for _, ev := range tl {
				acts[ev.Action] = true
			}
			if !acts["feedback"] || !acts["classify"] || acts["alert"] {
				t.Fatalf("enterprise timeline: %v", acts)
			}
		})
	}
}

// TestCommonIssue walks Luohe's 诉求 → 整改 → 提升 for a common issue with
// two linked appeals.
func TestCommonIssue(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			in := appeal.CommonIssueInput{Title: "刻章环节重复提交营业执照复印件", Cause: "公安刻章备案流程未接入电子营业执照",
				Topic: "开办企业", DeptID: f.env.Depts["XC-SJJ"]}
			if _, err := f.svc.CreateCommonIssue(f.ctx["sjj-staff"], in); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("department opened a common issue: %v", err)
			}
			if _, err := f.svc.CommonIssues(f.ctx["ent"]); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("enterprise listed common issues: %v", err)
			}
			if _, err := f.svc.CreateCommonIssue(f.ctx["admin"], appeal.CommonIssueInput{Topic: "开办企业"}); !yserr.Is(err, yserr.Invalid) {
				t.Fatalf("empty common issue: %v", err)
			}
			ci, err := f.svc.CreateCommonIssue(f.ctx["admin"], in)
			if err != nil {
				t.Fatal(err)
			}
			a, b := f.submit(t, appeal.Help), f.submit(t, appeal.Complaint)
			for _, x := range []*appeal.Appeal{a, b} {
				f.do(t, "admin", x.ID, appeal.Act{Action: appeal.ActAccept})
			}
			_, err = f.svc.Transition(f.ctx["admin"], a.ID, appeal.Act{Action: appeal.ActClassify, IssueClass: appeal.IssueCommon})
			if ye := yserr.As(err); ye == nil || ye.Field != "common_issue_id" {
				t.Fatalf("common without an issue: %v", err)
			}
			for _, x := range []*appeal.Appeal{a, b} {
				f.do(t, "admin", x.ID, appeal.Act{Action: appeal.ActClassify, IssueClass: appeal.IssueCommon, CommonIssueID: ci.ID, Note: "多家企业反映"})
			}
			if _, err := f.svc.StepCommonIssue(f.ctx["admin"], ci.ID, appeal.CommonIssueStep{Step: appeal.StepFixed, Note: "已整改"}); !yserr.Is(err, yserr.Conflict) {
				t.Fatalf("fixed before a plan: %v", err)
			}
			plan := appeal.CommonIssueStep{Step: appeal.StepPlan, Note: "与公安局协调，刻章备案直接调取电子营业执照。"}
			if _, err := f.svc.StepCommonIssue(f.ctx["swj-staff"], ci.ID, plan); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("another department planned the fix: %v", err)
			}
			// Mon 23 Nov 09:00 + 30 calendar days: end of Wed 23 Dec.
			got, err := f.svc.StepCommonIssue(f.ctx["sjj-staff"], ci.ID, plan)
			if err != nil {
				t.Fatal(err)
			}
			if got.Stage != appeal.StageFixing || dueDay(got.FixDue) != "2026-12-23 23:59" || got.Appeals != 2 {
				t.Fatalf("after the plan: %s %s %d", got.Stage, dueDay(got.FixDue), got.Appeals)
			}
			f.env.Clock.Set(sh("2026-12-24 10:00"))
			if list, err := f.svc.CommonIssues(f.ctx["supervisor"]); err != nil || len(list) != 1 || !list[0].Overdue {
				t.Fatalf("overdue fix not shown: %+v %v", list, err)
			}
			if _, err := f.svc.StepCommonIssue(f.ctx["sjj-staff"], ci.ID, appeal.CommonIssueStep{Step: appeal.StepFixed, Note: "刻章备案已直接调取电子营业执照。", Version: 1}); !yserr.Is(err, yserr.Conflict) {
				t.Fatalf("stale version: %v", err)
			}
			markA, markB := f.progressTo(t, a.ID), f.progressTo(t, b.ID)
			if _, err := f.svc.StepCommonIssue(f.ctx["sjj-staff"], ci.ID, appeal.CommonIssueStep{Step: appeal.StepFixed, Note: "刻章备案已直接调取电子营业执照。"}); err != nil {
				t.Fatal(err)
			}
			for _, x := range []*appeal.Appeal{a, b} {
				if n := f.progressTo(t, x.ID); n != map[int64]int{a.ID: markA, b.ID: markB}[x.ID]+1 {
					t.Errorf("appeal %d: enterprise told %d times", x.ID, n)
				}
				tl, _ := f.svc.Timeline(f.ctx["ent"], x.ID)
				if last := tl[len(tl)-1]; last.Action != "common_fixed" {
					t.Errorf("appeal %d: last public step %s", x.ID, last.Action)
				}
				if tm := f.terms(t, "ent", x.ID); tm.IssueClass != appeal.IssueCommon || tm.CommonIssueStage != appeal.StageFixed {
					t.Errorf("appeal %d terms: %+v", x.ID, tm)
				}
			}
			got, err = f.svc.StepCommonIssue(f.ctx["admin"], ci.ID, appeal.CommonIssueStep{Step: appeal.StepImproved, Note: "全市推行刻章免提交纸质材料。"})
			if err != nil || got.Stage != appeal.StageImproved || !got.Overdue {
				t.Fatalf("improved: %+v %v", got, err)
			}
			c := f.submit(t, appeal.Help)
			f.do(t, "admin", c.ID, appeal.Act{Action: appeal.ActAccept})
			f.refuse(t, "admin", c.ID, appeal.Act{Action: appeal.ActClassify, IssueClass: appeal.IssueCommon, CommonIssueID: ci.ID}, yserr.Invalid)
			evs, err := f.env.App.Audit.ForObject(sitetest.System(), "appeal_common_issue", strconv.FormatInt(ci.ID, 10))
			if err != nil || len(evs) != 4 {
				t.Fatalf("audit events of the common issue: %d, %v", len(evs), err)
			}
		})
	}
}

// TestOnSpot: Xiangcheng's on-the-spot resolution, by the office on a new
// appeal and by the lead department on an assigned one; still rated and
// followed up.
func TestOnSpot(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			a := f.submit(t, appeal.Consult)
			f.refuse(t, "ent", a.ID, appeal.Act{Action: appeal.ActOnSpot, Note: "自己解决"}, yserr.Forbidden)
			f.refuse(t, "admin", a.ID, appeal.Act{Action: appeal.ActOnSpot}, yserr.Invalid)
			got := f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActOnSpot, Note: "现场讲解经营范围变更材料清单，企业当场确认。"})
			if got.State != appeal.Replied || got.Reply == "" || got.ReplyOnTime == nil || !*got.ReplyOnTime || got.FirstResponseAt == nil {
				t.Fatalf("on the spot: %+v", got)
			}
			if tm := f.terms(t, "ent", a.ID); !tm.OnSpot || tm.ResolvedAt == nil || tm.FeedbackAt == nil {
				t.Fatalf("terms: %+v", tm)
			}
			f.do(t, "ent", a.ID, appeal.Act{Action: appeal.ActRate, Rating: appeal.Satisfied})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActFollowUp, Note: "电话回访满意"})
			if got := f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActClose}); got.State != appeal.Closed {
				t.Fatalf("closed: %s", got.State)
			}
			b := f.submit(t, appeal.Help)
			f.do(t, "admin", b.ID, appeal.Act{Action: appeal.ActAccept})
			f.do(t, "admin", b.ID, appeal.Act{Action: appeal.ActAssign, DeptID: f.env.Depts["XC-SJJ"]})
			f.refuse(t, "wd-staff", b.ID, appeal.Act{Action: appeal.ActOnSpot, Note: "x"}, yserr.NotFound)
			got = f.do(t, "sjj-staff", b.ID, appeal.Act{Action: appeal.ActOnSpot, Note: "窗口当场办理变更登记。"})
			if got.State != appeal.Replied || got.HandlerID != f.env.Users["sjj-staff"] || got.LeadDeptID != f.env.Depts["XC-SJJ"] {
				t.Fatalf("lead on the spot: %+v", got)
			}
			if got := f.appealIssues(t, sitetest.System()); len(got) != 0 {
				t.Fatalf("deep check: %v", got)
			}
		})
	}
}
