package appeal_test

import (
	"context"
	"testing"

	"yingshang/internal/appeal"
	"yingshang/internal/yserr"
)

func hasAction(list []appeal.Event, action string) bool {
	for _, e := range list {
		if e.Action == action {
			return true
		}
	}
	return false
}

func (f *fixture) timeline(t *testing.T, user string, id int64) []appeal.Event {
	t.Helper()
	tl, err := f.svc.Timeline(f.ctx[user], id)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// TestClueHandover: a clue of misconduct handed from an appeal to the
// discipline inspection office is read by the supervisors and the sender
// only, hidden from the enterprise and from the co-handling department
// (its timeline entry too) until the office allows the enterprise to be
// told; every step is audited.
func TestClueHandover(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			a := f.submit(t, appeal.Complaint)
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAccept})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAssign, DeptID: f.env.Depts["XC-SJJ"], CoDepts: []int64{f.env.Depts["XC-SWJ"]}})
			in := appeal.ClueInput{Summary: "企业反映某窗口工作人员以“加急费”名义索要费用，附转账截图。"}
			if _, err := f.svc.HandOverClue(f.ctx["ent"], a.ID, in); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("enterprise hands over a clue: %v", err)
			}
			if _, err := f.svc.HandOverClue(f.ctx["sjj-staff"], a.ID, appeal.ClueInput{}); yserr.As(err) == nil || yserr.As(err).Field != "summary" {
				t.Fatalf("empty clue: %v", err)
			}
			if _, err := f.svc.HandOverClue(f.ctx["wd-staff"], a.ID, in); !yserr.Is(err, yserr.NotFound) {
				t.Fatalf("a department that does not see the appeal: %v", err)
			}
			c, err := f.svc.HandOverClue(f.ctx["sjj-staff"], a.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			if c.AppealNumber != a.Number || c.Disclosed || c.HandedByName == "" {
				t.Fatalf("clue %+v", c)
			}
			for user, want := range map[string]int{"supervisor": 1, "sjj-staff": 1, "swj-staff": 0, "ent": 0, "admin": 0} {
				list, err := f.svc.Clues(f.ctx[user], a.ID)
				if err != nil || len(list) != want {
					t.Errorf("%s reads %d clues (%v), want %d", user, len(list), err, want)
				}
			}
			if _, err := f.svc.Clue(f.ctx["swj-staff"], c.ID); !yserr.Is(err, yserr.NotFound) {
				t.Fatalf("co-handler reads the clue: %v", err)
			}
			if box, err := f.svc.ClueInbox(f.ctx["supervisor"]); err != nil || len(box) != 1 {
				t.Fatalf("supervisor inbox: %d %v", len(box), err)
			}
			if box, err := f.svc.ClueInbox(f.ctx["swj-staff"]); err != nil || len(box) != 0 {
				t.Fatalf("swj inbox: %d %v", len(box), err)
			}
			for user, want := range map[string]bool{"supervisor": true, "sjj-staff": true, "swj-staff": false, "ent": false} {
				if got := hasAction(f.timeline(t, user, a.ID), "clue_handover"); got != want {
					t.Errorf("%s sees the hand-over in the timeline: %v, want %v", user, got, want)
				}
			}
			if got := appeal.ActionLabel("clue_handover", "zh"); got != "移交纪检监察机关（问题线索）" {
				t.Errorf("label %q", got)
			}
			// Only the office (supervisors or the receiving department) tells the enterprise.
			if _, err := f.svc.DiscloseClue(f.ctx["sjj-staff"], c.ID); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("sender discloses: %v", err)
			}
			before := f.progressTo(t, a.ID)
			if c, err = f.svc.DiscloseClue(f.ctx["supervisor"], c.ID); err != nil || !c.Disclosed {
				t.Fatalf("disclose: %v", err)
			}
			if _, err := f.svc.DiscloseClue(f.ctx["supervisor"], c.ID); !yserr.Is(err, yserr.Conflict) {
				t.Fatalf("disclose twice: %v", err)
			}
			if f.progressTo(t, a.ID) != before+1 {
				t.Fatal("the enterprise was not told")
			}
			etl := f.timeline(t, "ent", a.ID)
			if !hasAction(etl, "clue_disclosed") || hasAction(etl, "clue_handover") {
				t.Fatalf("enterprise timeline after disclosure: %+v", etl)
			}
			// A clue for a receiving department: its staff read it and may disclose.
			c2, err := f.svc.HandOverClue(f.ctx["admin"], a.ID, appeal.ClueInput{Summary: "同一窗口另有两家企业反映类似问题。", OfficeDeptID: f.env.Depts["XC-SWJ"]})
			if err != nil {
				t.Fatal(err)
			}
			if list, err := f.svc.Clues(f.ctx["swj-staff"], a.ID); err != nil || len(list) != 1 || list[0].ID != c2.ID || list[0].OfficeName == "" {
				t.Fatalf("receiving department reads %+v %v", list, err)
			}
			if !hasAction(f.timeline(t, "swj-staff", a.ID), "clue_handover") {
				t.Fatal("receiving department does not see the hand-over")
			}
			evs, err := f.env.App.Audit.ForObject(context.Background(), "appeal_clue", itoa(c.ID))
			if err != nil || len(evs) != 2 {
				t.Fatalf("audit of the clue: %d %v", len(evs), err)
			}
		})
	}
}

// TestJointMeeting: a joint meeting takes two appeals; its decisions
// become tasks due in working days from the meeting date across National
// Day 2026 (1-7 Oct off, Sat 10 Oct worked, Sun 11 Oct not), by hand:
//
//	meeting Wed 30 Sep 2026
//	3 WD: 8, 9, 10 Oct          -> Sat 10 Oct 23:59
//	5 WD: 8, 9, 10, 12, 13 Oct  -> Tue 13 Oct 23:59
//
// Owners see and close their own tasks; linked appeals show the meeting.
func TestJointMeeting(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			f.env.Clock.Set(sh("2026-09-30 10:00"))
			a, b := f.submit(t, appeal.Complaint), f.submit(t, appeal.Help)
			sjj, swj := f.env.Depts["XC-SJJ"], f.env.Depts["XC-SWJ"]
			f.env.Clock.Set(sh("2026-09-30 17:00"))
			in := appeal.MeetingInput{Title: "涉企诉求联席会议（第3次）", HeldOn: "2026-09-30", Chair: "陈静", Minutes: "会议研究了用电接入和执照变更两件诉求。",
				DeptIDs: []int64{sjj, swj}, Appeals: []string{a.Number, b.Number, a.Number},
				Decisions: []appeal.DecisionInput{{Decision: "市监局牵头梳理变更登记材料清单并公开", DeptID: sjj, DueWD: 3},
					{Decision: "税务局核实企业反映的退税延迟问题", DeptID: swj, DueWD: 5}}}
			if _, err := f.svc.CreateMeeting(f.ctx["sjj-staff"], in); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("department records a meeting: %v", err)
			}
			bad := in
			bad.Appeals = []string{"YS-2026-999999"}
			bad.Decisions = []appeal.DecisionInput{{Decision: "x", DeptID: sjj, DueWD: 0}}
			_, err := f.svc.CreateMeeting(f.ctx["admin"], bad)
			if ye := yserr.As(err); ye == nil || ye.Code != yserr.Invalid {
				t.Fatalf("bad meeting: %v", err)
			} else {
				fields := map[string]bool{}
				for _, fe := range ye.Fields {
					fields[fe.Field] = true
				}
				if !fields["appeals"] || !fields["decisions[0].due_wd"] {
					t.Fatalf("bad meeting fields: %+v", ye.Fields)
				}
			}
			m, err := f.svc.CreateMeeting(f.ctx["admin"], in)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Appeals) != 2 || len(m.Depts) != 2 || len(m.Tasks) != 2 {
				t.Fatalf("meeting %+v", m)
			}
			if got := dueDay(&m.Tasks[0].Due); got != "2026-10-10 23:59" {
				t.Errorf("3 WD task due %s, want 2026-10-10 23:59", got)
			}
			if got := dueDay(&m.Tasks[1].Due); got != "2026-10-13 23:59" {
				t.Errorf("5 WD task due %s, want 2026-10-13 23:59", got)
			}
			mine, err := f.svc.MyTasks(f.ctx["swj-staff"])
			if err != nil || len(mine) != 1 || mine[0].DeptID != swj {
				t.Fatalf("swj tasks %+v %v", mine, err)
			}
			if _, err := f.svc.Meeting(f.ctx["wd-staff"], m.ID); !yserr.Is(err, yserr.NotFound) {
				t.Fatalf("a department that did not attend reads the meeting: %v", err)
			}
			if _, err := f.svc.Meeting(f.ctx["ent"], m.ID); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("enterprise reads the meeting: %v", err)
			}
			if list, err := f.svc.Meetings(f.ctx["wd-staff"]); err != nil || len(list) != 0 {
				t.Fatalf("wd-staff lists %d meetings (%v)", len(list), err)
			}
			// The enterprise sees the meeting and its decisions on its appeal, not the minutes.
			ea, err := f.svc.Get(f.ctx["ent"], a.ID)
			if err != nil {
				t.Fatal(err)
			}
			of, err := f.svc.MeetingsOf(f.ctx["ent"], ea)
			if err != nil || len(of) != 1 || len(of[0].Tasks) != 2 || of[0].Minutes != "" {
				t.Fatalf("enterprise's view of the meeting %+v %v", of, err)
			}
			if !hasAction(f.timeline(t, "ent", b.ID), "joint_meeting") {
				t.Fatal("linked appeal's timeline lacks the meeting")
			}
			// Closing: the owner only, with a result, once.
			f.env.Clock.Set(sh("2026-10-09 10:00"))
			if _, err := f.svc.CloseTask(f.ctx["swj-staff"], m.Tasks[0].ID, appeal.TaskClose{Result: "已办"}); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("other department closes: %v", err)
			}
			if _, err := f.svc.CloseTask(f.ctx["sjj-staff"], m.Tasks[0].ID, appeal.TaskClose{}); yserr.As(err) == nil || yserr.As(err).Field != "result" {
				t.Fatalf("close without result: %v", err)
			}
			done, err := f.svc.CloseTask(f.ctx["sjj-staff"], m.Tasks[0].ID, appeal.TaskClose{Result: "材料清单已在政务服务网公开", Version: m.Tasks[0].Version})
			if err != nil || done.Status != appeal.TaskClosed || done.Overdue {
				t.Fatalf("close: %+v %v", done, err)
			}
			if _, err := f.svc.CloseTask(f.ctx["sjj-staff"], m.Tasks[0].ID, appeal.TaskClose{Result: "again"}); !yserr.Is(err, yserr.Conflict) {
				t.Fatalf("close twice: %v", err)
			}
			if mine, _ := f.svc.MyTasks(f.ctx["sjj-staff"]); len(mine) != 0 {
				t.Fatalf("closed task still on the to-do list: %+v", mine)
			}
			// Mon 12 Oct: the 13 Oct task is open, not yet overdue; on Wed 14 Oct it is.
			f.env.Clock.Set(sh("2026-10-14 09:00"))
			mine, _ = f.svc.MyTasks(f.ctx["swj-staff"])
			if len(mine) != 1 || !mine[0].Overdue {
				t.Fatalf("overdue on 14 Oct: %+v", mine)
			}
			for _, obj := range []struct{ typ, id string }{{"appeal_meeting", itoa(m.ID)}, {"appeal_meeting_task", itoa(m.Tasks[0].ID)}} {
				if evs, err := f.env.App.Audit.ForObject(context.Background(), obj.typ, obj.id); err != nil || len(evs) != 1 {
					t.Errorf("audit of %s: %d %v", obj.typ, len(evs), err)
				}
			}
		})
	}
}
