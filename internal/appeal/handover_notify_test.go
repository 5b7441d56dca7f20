package appeal_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"yingshang/internal/appeal"
	"yingshang/internal/auth"
)

func (f *fixture) msgs(t *testing.T, typ, user string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := f.env.App.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM notifications WHERE msg_type = $1 AND user_id = $2 AND channel = 'inapp'", typ, f.env.Users[user]).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) msgLink(t *testing.T, typ, user string) string {
	t.Helper()
	ctx := context.Background()
	var link string
	if err := f.env.App.DB.Q(ctx).QueryRow(ctx, "SELECT link FROM notifications WHERE msg_type = $1 AND user_id = $2 AND channel = 'inapp' ORDER BY id DESC LIMIT 1", typ, f.env.Users[user]).Scan(&link); err != nil {
		t.Fatal(err)
	}
	return link
}

// TestHandoverNotifications (issue 18 item 5): the discipline inspection
// office and the receiving department are told of a clue (not the
// sender); a joint meeting's task is sent to its owner department, which
// is warned once when the deadline is within a working day and alerted
// once when it passed. Dates by hand across National Day 2026 (1-7 Oct off,
// Sat 10 Oct worked): meeting Wed 30 Sep; 3 WD due Sat 10 Oct 23:59, 5 WD
// due Tue 13 Oct 23:59.
//
//	Fri 2 Oct (holiday)  nothing due within a working day   -> no warning
//	Fri 9 Oct 10:00      the next working day is Sat 10 Oct  -> warn the 3 WD task
//	Mon 12 Oct 10:00     within a working day: 13 Oct        -> warn the 5 WD task
//	Wed 14 Oct 09:00     13 Oct passed, task open            -> overdue alert once
func TestHandoverNotifications(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			sys := auth.WithActor(context.Background(), auth.System("test"))
			f.env.Clock.Set(sh("2026-09-30 10:00"))
			a, b := f.submit(t, appeal.Complaint), f.submit(t, appeal.Help)
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAccept})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAssign, DeptID: f.env.Depts["XC-SJJ"]})

			if _, err := f.svc.HandOverClue(f.ctx["sjj-staff"], a.ID, appeal.ClueInput{Summary: "窗口人员索要“加急费”，附转账截图。"}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.HandOverClue(f.ctx["supervisor"], a.ID, appeal.ClueInput{Summary: "另有企业反映同一问题。", OfficeDeptID: f.env.Depts["XC-SWJ"]}); err != nil {
				t.Fatal(err)
			}
			for user, want := range map[string]int{"supervisor": 1, "swj-staff": 1, "sjj-staff": 0, "ent": 0, "wd-staff": 0} {
				if got := f.msgs(t, appeal.MsgClueReceived, user); got != want {
					t.Errorf("%s told of %d clues, want %d", user, got, want)
				}
			}
			if l := f.msgLink(t, appeal.MsgClueReceived, "swj-staff"); l != "/appeal-clues" {
				t.Errorf("clue link %q", l)
			}

			sjj, swj := f.env.Depts["XC-SJJ"], f.env.Depts["XC-SWJ"]
			f.env.Clock.Set(sh("2026-09-30 17:00"))
			m, err := f.svc.CreateMeeting(f.ctx["admin"], appeal.MeetingInput{Title: "涉企诉求联席会议（第4次）", HeldOn: "2026-09-30", Chair: "陈静",
				DeptIDs: []int64{sjj, swj}, Appeals: []string{a.Number, b.Number},
				Decisions: []appeal.DecisionInput{{Decision: "市监局公开变更登记材料清单", DeptID: sjj, DueWD: 3},
					{Decision: "税务局核实退税延迟", DeptID: swj, DueWD: 5}}})
			if err != nil {
				t.Fatal(err)
			}
			for user, want := range map[string]int{"sjj-staff": 1, "sjj-admin": 1, "swj-staff": 1, "wd-staff": 0, "admin": 0} {
				if got := f.msgs(t, appeal.MsgMeetingTask, user); got != want {
					t.Errorf("%s got %d task messages, want %d", user, got, want)
				}
			}
			if l := f.msgLink(t, appeal.MsgMeetingTask, "swj-staff"); l != "/appeal-meetings/"+itoa(m.ID) {
				t.Errorf("task link %q", l)
			}
			scan := func(at string) {
				t.Helper()
				f.env.Clock.Set(sh(at))
				if _, err := f.svc.Scan(sys); err != nil {
					t.Fatal(err)
				}
			}
			warned := func(user string) int { return f.msgs(t, appeal.MsgTaskWarning, user) }
			scan("2026-10-02 10:00")
			if warned("sjj-staff")+warned("swj-staff") != 0 {
				t.Fatal("warned during the holiday, days before the deadlines")
			}
			scan("2026-10-09 10:00")
			scan("2026-10-09 10:10")
			if warned("sjj-staff") != 1 || warned("swj-staff") != 0 {
				t.Fatalf("9 Oct: sjj warned %d, swj %d; want 1, 0", warned("sjj-staff"), warned("swj-staff"))
			}
			if _, err := f.svc.CloseTask(f.ctx["sjj-staff"], m.Tasks[0].ID, appeal.TaskClose{Result: "清单已公开"}); err != nil {
				t.Fatal(err)
			}
			scan("2026-10-12 10:00")
			if warned("swj-staff") != 1 || f.msgs(t, appeal.MsgTaskOverdue, "admin") != 0 {
				t.Fatalf("12 Oct: swj warned %d", warned("swj-staff"))
			}
			scan("2026-10-14 09:00")
			scan("2026-10-14 09:10")
			if got := f.msgs(t, appeal.MsgTaskOverdue, "admin"); got != 1 {
				t.Fatalf("overdue alerts to the dispatcher: %d, want 1", got)
			}
			if warned("swj-staff") != 1 || warned("sjj-staff") != 1 || f.msgs(t, appeal.MsgTaskOverdue, "sjj-admin") != 0 {
				t.Fatal("a warning repeated, or the closed task alerted")
			}

			// The audit deep check covers clues and meetings: nothing to report
			// after the application's writes; an edit behind its back is named.
			sup := auth.WithActor(context.Background(), &auth.Actor{UserID: f.env.Users["supervisor"], Username: "supervisor", Roles: []auth.Role{auth.Supervisor}})
			issues := func(ctx context.Context) []string {
				res, err := f.env.App.Audit.CheckState(auth.WithActor(ctx, auth.From(sup)))
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, is := range res.Issues {
					if strings.HasPrefix(is.Kind, "appeal_") {
						out = append(out, is.Problem+" "+is.Kind+" "+is.ID)
					}
				}
				return out
			}
			if got := issues(context.Background()); len(got) != 0 {
				t.Fatalf("deep check after the hand-overs: %v", got)
			}
			rollback := errors.New("roll back")
			for _, c := range []struct{ sql, want string }{
				{"UPDATE appeal_clues SET disclosed = TRUE", "[changed appeal_clue 1 changed appeal_clue 2]"},
				{"DELETE FROM appeal_meeting_appeals WHERE appeal_id = " + itoa(b.ID), "[changed appeal_meeting " + itoa(m.ID) + "]"},
			} {
				err := f.env.App.DB.WithTx(context.Background(), func(ctx context.Context) error {
					if _, err := f.env.App.DB.W(ctx).Exec(ctx, c.sql); err != nil {
						return err
					}
					if got := fmt.Sprint(issues(ctx)); got != c.want {
						t.Errorf("after %s: %s, want %s", c.sql, got, c.want)
					}
					return rollback
				})
				if !errors.Is(err, rollback) {
					t.Fatal(err)
				}
			}
		})
	}
}
