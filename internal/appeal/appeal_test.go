package appeal_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"yingshang/internal/modules"

	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

var engines = []db.Dialect{db.SQLite, db.Postgres}

type fixture struct {
	env *sitetest.Env
	svc *appeal.Service
	ctx map[string]context.Context
}

func newFixture(t *testing.T, e db.Dialect) *fixture {
	t.Helper()
	env := sitetest.New(t, e)
	f := &fixture{env: env, svc: modules.Get[*appeal.Service](env.Modules), ctx: map[string]context.Context{}}
	for u := range env.Users {
		a, err := env.App.Accounts.TokenActor(context.Background(), env.Token(t, u))
		if err != nil {
			t.Fatal(err)
		}
		f.ctx[u] = auth.WithActor(context.Background(), a)
	}
	return f
}

func (f *fixture) submit(t *testing.T, kind appeal.Kind) *appeal.Appeal {
	t.Helper()
	a, err := f.svc.Create(f.ctx["ent"], appeal.Input{Kind: kind, Topic: "开办企业", Title: "营业执照变更咨询",
		Description: "想了解经营范围变更需要哪些材料，多久能办好。", Publishable: true})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) do(t *testing.T, user string, id int64, act appeal.Act) *appeal.Appeal {
	t.Helper()
	a, err := f.svc.Transition(f.ctx[user], id, act)
	if err != nil {
		t.Fatalf("%s %s: %v", user, act.Action, err)
	}
	return a
}

func (f *fixture) refuse(t *testing.T, user string, id int64, act appeal.Act, code yserr.Code) {
	t.Helper()
	before, _ := f.svc.Get(sitetest.System(), id)
	_, err := f.svc.Transition(f.ctx[user], id, act)
	if !yserr.Is(err, code) {
		t.Fatalf("%s %s from %s: got %v, want %s", user, act.Action, before.State, err, code)
	}
	after, _ := f.svc.Get(sitetest.System(), id)
	if after.Version != before.Version || after.State != before.State {
		t.Fatalf("refused %s still changed the appeal: %s v%d -> %s v%d", act.Action, before.State, before.Version, after.State, after.Version)
	}
}

func TestClosedLoop(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			a := f.submit(t, appeal.Help)
			if !strings.HasPrefix(a.Number, "YS-2026-") || a.State != appeal.Submitted {
				t.Fatalf("new appeal: %s %s", a.Number, a.State)
			}
			b := f.submit(t, appeal.Consult)
			if a.Number != "YS-2026-000001" || b.Number != "YS-2026-000002" {
				t.Fatalf("numbers %s, %s", a.Number, b.Number)
			}
			sjj, swj := f.env.Depts["XC-SJJ"], f.env.Depts["XC-SWJ"]
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAccept})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAssign, DeptID: sjj, CoDepts: []int64{swj}})
			// A department that is neither lead nor co-handler does not see it.
			if _, err := f.svc.Get(f.ctx["wd-staff"], a.ID); !yserr.Is(err, yserr.NotFound) {
				t.Fatalf("wd-staff sees the appeal: %v", err)
			}
			f.refuse(t, "swj-staff", a.ID, appeal.Act{Action: appeal.ActClaim}, yserr.Forbidden)
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActClaim})
			f.refuse(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActReply, Note: "答复"}, yserr.Conflict) // co-handler missing
			f.do(t, "swj-staff", a.ID, appeal.Act{Action: appeal.ActCoNote, Note: "税务登记信息同步变更，无需另行办理。"})
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActRequestInfo, Note: "请补充股东会决议"})
			f.refuse(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActReply, Note: "答复"}, yserr.Conflict)
			f.do(t, "ent", a.ID, appeal.Act{Action: appeal.ActSupplyInfo, Note: "已上传股东会决议"})
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActReply, Note: "材料齐全，当日可办结。"})
			f.do(t, "ent", a.ID, appeal.Act{Action: appeal.ActRate, Rating: appeal.Unsatisfied, Note: "时间太长"})
			got := f.do(t, "ent", a.ID, appeal.Act{Action: appeal.ActReopen})
			if got.State != appeal.Reopened || got.ReopenCount != 1 || got.LeadDeptID != sjj {
				t.Fatalf("reopened: %+v", got)
			}
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActClaim})
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActReply, Note: "已安排专人上门指导。"})
			f.do(t, "ent", a.ID, appeal.Act{Action: appeal.ActRate, Rating: appeal.Unsatisfied})
			f.refuse(t, "ent", a.ID, appeal.Act{Action: appeal.ActReopen}, yserr.Conflict) // only once
			f.do(t, "ent", a.ID, appeal.Act{Action: appeal.ActEscalate})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAssign, DeptID: sjj})
			f.do(t, "sjj-admin", a.ID, appeal.Act{Action: appeal.ActClaim})
			f.do(t, "sjj-admin", a.ID, appeal.Act{Action: appeal.ActReply, Note: "局长接听，现场办结。"})
			f.do(t, "ent", a.ID, appeal.Act{Action: appeal.ActRate, Rating: appeal.Satisfied})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActFollowUp, Note: "电话回访满意"})
			got = f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActClose})
			if got.State != appeal.Closed || got.ClosedAt == nil || got.SupervisionLevel != 1 {
				t.Fatalf("closed: %+v", got)
			}
			tl, err := f.svc.Timeline(f.ctx["admin"], a.ID)
			if err != nil || len(tl) != 20 {
				t.Fatalf("timeline: %d events, %v", len(tl), err)
			}
			etl, _ := f.svc.Timeline(f.ctx["ent"], a.ID)
			for _, ev := range etl {
				if !ev.Public || ev.Action == "co_note" {
					t.Fatalf("enterprise sees internal step %+v", ev)
				}
			}
			evs, err := f.env.App.Audit.ForObject(context.Background(), "appeal", itoa(a.ID))
			if err != nil || len(evs) != 20 {
				t.Fatalf("audit events: %d, %v", len(evs), err)
			}
			// Typical case: personal data refused, anonymised text accepted.
			if _, err := f.svc.Publish(f.ctx["admin"], a.ID, appeal.CaseInput{Title: "变更登记", Summary: "联系电话 13937451234"}); !yserr.Is(err, yserr.Invalid) {
				t.Fatalf("phone number published: %v", err)
			}
			if _, err := f.svc.Publish(f.ctx["admin"], a.ID, appeal.CaseInput{Title: "变更登记", Summary: "许昌瑞丰商贸有限公司的诉求"}); !yserr.Is(err, yserr.Invalid) {
				t.Fatalf("entity name published: %v", err)
			}
			if _, err := f.svc.Publish(f.ctx["sjj-staff"], a.ID, appeal.CaseInput{Title: "变更登记", Summary: "某企业反映变更登记耗时。"}); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("department published: %v", err)
			}
			if _, err := f.svc.Publish(f.ctx["admin"], a.ID, appeal.CaseInput{Title: "变更登记", Summary: "某企业反映变更登记耗时，部门上门指导当日办结。"}); err != nil {
				t.Fatal(err)
			}
			if cs, err := f.svc.Cases(context.Background(), "开办企业", "上门", 10); err != nil || len(cs) != 1 {
				t.Fatalf("cases: %v %v", cs, err)
			}
			// The deep check: every step above recorded the appeal's state,
			// and a rating changed behind the application's back is named.
			if got := f.appealIssues(t, context.Background()); len(got) != 0 {
				t.Fatalf("deep check after the closed loop: %v", got)
			}
			errRollback := errors.New("roll back")
			err = f.env.App.DB.WithTx(context.Background(), func(ctx context.Context) error {
				if _, err := f.env.App.DB.Q(ctx).Exec(ctx, "UPDATE appeals SET rating = 'satisfied' WHERE id = $1", b.ID); err != nil {
					return err
				}
				if got, want := fmt.Sprint(f.appealIssues(t, ctx)), "[changed "+itoa(b.ID)+"]"; got != want {
					t.Errorf("deep check after editing appeal %d: %s, want %s", b.ID, got, want)
				}
				return errRollback
			})
			if err != errRollback {
				t.Fatal(err)
			}
		})
	}
}

// appealIssues runs the audit deep check and returns its findings on
// appeals, as "problem id".
func (f *fixture) appealIssues(t *testing.T, ctx context.Context) []string {
	t.Helper()
	sup := auth.WithActor(ctx, &auth.Actor{UserID: 1, Username: "sup", Roles: []auth.Role{auth.Supervisor}})
	res, err := f.env.App.Audit.CheckState(sup)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, is := range res.Issues {
		if is.Kind == "appeal" {
			out = append(out, is.Problem+" "+is.ID)
		}
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRefusals walks an appeal through its states and, in each, tries every
// action that the table does not allow from it: each is refused with
// Conflict (wrong state) and nothing changes; wrong parties get Forbidden.
func TestRefusals(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			a := f.submit(t, appeal.Help)
			sjj := f.env.Depts["XC-SJJ"]
			path := []struct {
				user string
				act  appeal.Act
			}{
				{"admin", appeal.Act{Action: appeal.ActAccept}},
				{"admin", appeal.Act{Action: appeal.ActAssign, DeptID: sjj}},
				{"sjj-staff", appeal.Act{Action: appeal.ActClaim}},
				{"sjj-staff", appeal.Act{Action: appeal.ActRequestInfo, Note: "补充"}},
				{"ent", appeal.Act{Action: appeal.ActSupplyInfo, Note: "已补充"}},
				{"sjj-staff", appeal.Act{Action: appeal.ActReply, Note: "答复"}},
				{"ent", appeal.Act{Action: appeal.ActRate, Rating: appeal.Basic}},
				{"admin", appeal.Act{Action: appeal.ActFollowUp, Note: "回访"}},
				{"admin", appeal.Act{Action: appeal.ActClose}},
			}
			// who may act, per action, for the Forbidden check
			wrong := map[appeal.Action]string{appeal.ActAccept: "supervisor", appeal.ActAssign: "ent", appeal.ActClaim: "admin",
				appeal.ActRequestInfo: "ent", appeal.ActSupplyInfo: "sjj-staff", appeal.ActReply: "ent", appeal.ActRate: "sjj-staff",
				appeal.ActFollowUp: "sjj-staff", appeal.ActClose: "sjj-staff"}
			table := appeal.Table()
			for _, step := range append(path, path[len(path)-1]) {
				cur, _ := f.svc.Get(sitetest.System(), a.ID)
				for _, r := range table {
					allowed := false
					for _, s := range r.From {
						allowed = allowed || s == cur.State
					}
					if allowed {
						continue
					}
					// the office may try anything: the state decides
					f.refuse(t, "admin", a.ID, appeal.Act{Action: r.Action, Note: "x", DeptID: sjj, Days: 1, Rating: appeal.Basic, TargetID: 1}, refusalCode(r, cur.State))
				}
				if cur.State == appeal.Closed {
					break
				}
				if u, ok := wrong[step.act.Action]; ok {
					f.refuse(t, u, a.ID, step.act, yserr.Forbidden)
				}
				f.do(t, step.user, a.ID, step.act)
			}
			// Stale version: Conflict.
			b := f.submit(t, appeal.Consult)
			f.refuse(t, "admin", b.ID, appeal.Act{Action: appeal.ActAccept, Version: b.Version + 1}, yserr.Conflict)
			// Missing reason and bad input: Invalid, nothing written.
			f.refuse(t, "admin", b.ID, appeal.Act{Action: appeal.ActReject}, yserr.Invalid)
			f.refuse(t, "admin", b.ID, appeal.Act{Action: "fly"}, yserr.Invalid)
			// An enterprise never sees another's appeals.
			if _, err := f.svc.Create(f.ctx["ent"], appeal.Input{USCC: sitetest.USCCB, Kind: appeal.Help, Topic: "其他", Title: "x", Description: "y"}); !yserr.Is(err, yserr.Invalid) {
				t.Fatalf("submitted for another entity: %v", err)
			}
			if _, err := f.svc.Create(f.ctx["ent"], appeal.Input{Kind: "bad", Topic: "?", Title: "", Description: strings.Repeat("长", appeal.MaxDescription+1)}); err == nil {
				t.Fatal("bad input accepted")
			} else if ye := yserr.As(err); len(ye.Fields) < 4 {
				t.Fatalf("field errors: %+v", ye.Fields)
			}
		})
	}
}

// refusalCode: actions the office may never take are Forbidden (the party
// check comes first); the rest are refused for the state.
func refusalCode(r appeal.RuleDoc, _ appeal.State) yserr.Code {
	for _, p := range r.Who {
		if p == appeal.PDispatcher || p == appeal.PIntake {
			return yserr.Conflict
		}
	}
	return yserr.Forbidden
}

func TestIntakeAndDuplicates(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			if _, err := f.svc.Create(f.ctx["sjj-staff"], appeal.Input{USCC: sitetest.USCCB, Kind: appeal.Help, Topic: "其他", Title: "x", Description: "y"}); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("non-intake staff registered an appeal: %v", err)
			}
			if _, err := f.svc.Create(f.ctx["admin"], appeal.Input{USCC: "91411002MA9XK1QR99", Kind: appeal.Help, Topic: "其他", Title: "x", Description: "y"}); !yserr.Is(err, yserr.Invalid) {
				t.Fatalf("unknown entity code: %v", err)
			}
			p, err := f.svc.Create(f.ctx["admin"], appeal.Input{PersonName: "张先生", PersonPhone: "13812345678", Channel: "hotline12345",
				Kind: appeal.Consult, Topic: "开办企业", Title: "个体户注册咨询", Description: "想开一家小吃店，需要办什么证？"})
			if err != nil || p.EntityID != 0 || p.PersonPhone != "138****5678" || p.Channel != "hotline12345" {
				t.Fatalf("person appeal: %+v %v", p, err)
			}
			a := f.submit(t, appeal.Help)
			f.env.Clock.Advance(24 * time.Hour)
			b, err := f.svc.Create(f.ctx["ent"], appeal.Input{Kind: appeal.Help, Topic: "开办企业", Title: "营业执照变更咨询",
				Description: "想了解经营范围变更需要哪些材料，多久能办好？"})
			if err != nil {
				t.Fatal(err)
			}
			dups, err := f.svc.Duplicates(sitetest.System(), b)
			if err != nil || len(dups) != 1 || dups[0].ID != a.ID || dups[0].Similarity < 0.6 {
				t.Fatalf("duplicates: %+v %v", dups, err)
			}
			f.do(t, "admin", b.ID, appeal.Act{Action: appeal.ActMerge, TargetID: a.ID})
			got, _ := f.svc.Get(f.ctx["ent"], b.ID)
			if got.State != appeal.Merged || got.MergedInto != a.ID {
				t.Fatalf("merged: %+v", got)
			}
			if _, err := f.svc.AddRoute(f.ctx["admin"], appeal.Route{Topic: "开办企业", RegionPrefix: "4110", DeptID: f.env.Depts["XC-SJJ"]}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.AddRoute(f.ctx["admin"], appeal.Route{Topic: "开办企业", RegionPrefix: "411002", DeptID: f.env.Depts["WD-SJJ"]}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.AddRoute(f.ctx["sjj-staff"], appeal.Route{DeptID: 1}); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("staff added a route: %v", err)
			}
			if d, _ := f.svc.ProposeDept(sitetest.System(), a); d != f.env.Depts["WD-SJJ"] {
				t.Fatalf("proposed %d, want WD-SJJ (longest region prefix)", d)
			}
		})
	}
}

func TestConcurrentClaim(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			a := f.submit(t, appeal.Help)
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAccept})
			a = f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAssign, DeptID: f.env.Depts["XC-SJJ"]})
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, u := range []string{"sjj-staff", "sjj-admin"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = f.svc.Transition(f.ctx[u], a.ID, appeal.Act{Action: appeal.ActClaim, Version: a.Version})
				}()
			}
			wg.Wait()
			ok, conflicts := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case yserr.Is(err, yserr.Conflict):
					conflicts++
				default:
					t.Fatalf("claim: %v", err)
				}
			}
			if ok != 1 || conflicts != 1 {
				t.Fatalf("ok %d, conflicts %d", ok, conflicts)
			}
		})
	}
}

func sh(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func dueDay(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.In(calendar.Shanghai).Format("2006-01-02 15:04")
}

// TestSLA checks deadlines across the 2026 Spring Festival and National Day
// holidays and their adjusted working Saturdays, with the clock stopped.
func TestSLA(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			cases := []struct {
				at    string
				kind  appeal.Kind
				reply string
				first string
			}{
				// Fri before the Spring Festival: Sat 14 Feb is worked, then 15-23 off.
				{"2026-02-13 10:00", appeal.Help, "2026-02-27 23:59", "2026-02-14 23:59"},
				{"2026-02-14 10:00", appeal.Consult, "2026-02-24 23:59", "2026-02-24 23:59"},
				// National Day: Oct 8, 9, 10 (Saturday worked), 12, 13.
				{"2026-09-30 16:00", appeal.Complaint, "2026-10-13 23:59", "2026-10-08 23:59"},
				{"2026-09-30 16:00", appeal.Suggestion, "2026-10-20 23:59", "2026-10-08 23:59"},
				{"2026-09-30 16:00", appeal.Praise, "none", "2026-10-08 23:59"},
			}
			for _, c := range cases {
				f.env.Clock.Set(sh(c.at))
				a := f.submit(t, c.kind)
				if got := dueDay(a.ReplyDue); got != c.reply {
					t.Errorf("%s %s: reply due %s, want %s", c.at, c.kind, got, c.reply)
				}
				if got := dueDay(a.FirstResponseDue); got != c.first {
					t.Errorf("%s %s: first response due %s, want %s", c.at, c.kind, got, c.first)
				}
			}
			// Clock stopped over National Day: submitted Mon 28 Sep, 5 WD
			// would end Sat 10 Oct (worked); waiting from Tue 29 Sep 15:00
			// to Fri 9 Oct 10:00 touches 4 working days (29, 30 Sep, 8, 9
			// Oct), so the reply is due 9 WD after 28 Sep: Thu 15 Oct.
			f.env.Clock.Set(sh("2026-09-28 09:00"))
			a := f.submit(t, appeal.Help)
			if got := dueDay(a.ReplyDue); got != "2026-10-10 23:59" {
				t.Fatalf("before the pause: %s", got)
			}
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAccept})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAssign, DeptID: f.env.Depts["XC-SJJ"]})
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActClaim})
			f.env.Clock.Set(sh("2026-09-29 15:00"))
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActRequestInfo, Note: "请补充"})
			f.env.Clock.Set(sh("2026-10-09 10:00"))
			got := f.do(t, "ent", a.ID, appeal.Act{Action: appeal.ActSupplyInfo, Note: "补充完毕"})
			if d := dueDay(got.ReplyDue); d != "2026-10-15 23:59" {
				t.Fatalf("after the pause: reply due %s, want 2026-10-15 23:59", d)
			}
			// An approved extension of 2 working days: Oct 17 is a Saturday -> Mon 19.
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActRequestExt, Days: 2, Note: "需现场核查"})
			f.refuse(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActDecideExt, Approve: true}, yserr.Forbidden)
			got = f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActDecideExt, Approve: true})
			if d := dueDay(got.ReplyDue); d != "2026-10-19 23:59" || got.ExtensionDays != 2 {
				t.Fatalf("after the extension: %s (%d days)", d, got.ExtensionDays)
			}
			f.env.Clock.Set(sh("2026-10-12 11:00"))
			got = f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActReply, Note: "已办结"})
			if got.ReplyOnTime == nil || !*got.ReplyOnTime || got.HandlingWorkdays == nil || *got.HandlingWorkdays != 6 {
				t.Fatalf("reply on time %v, handling %v", got.ReplyOnTime, got.HandlingWorkdays)
			}
			if d := dueDay(got.FollowupDue); d != "2026-10-15 23:59" {
				t.Fatalf("follow-up due %s", d)
			}
		})
	}
}

func TestWarnAt(t *testing.T) {
	cal := calendar.Official()
	due := sh("2026-10-12 00:00").Add(24*time.Hour - time.Nanosecond) // Mon 12 Oct end
	for k, want := range map[int]string{1: "2026-10-12 12:00", 2: "2026-10-12 00:00", 3: "2026-10-10 12:00", 4: "2026-10-10 00:00", 5: "2026-10-09 12:00"} {
		got, ok := appeal.WarnAt(cal, due, k)
		if !ok || got.In(calendar.Shanghai).Format("2006-01-02 15:04") != want {
			t.Errorf("k=%d: %s, want %s", k, got, want)
		}
	}
	if _, ok := appeal.WarnAt(cal, due, 0); ok {
		t.Error("k=0 warns")
	}
	if got := appeal.SecondLevelAt(cal, due, 1).In(calendar.Shanghai).Format("2006-01-02 15:04"); got != "2026-10-13 23:59" {
		t.Errorf("second level %s", got)
	}
	spans := [][2]time.Time{{sh("2026-09-29 15:00"), sh("2026-10-09 10:00")}, {sh("2026-10-09 11:00"), sh("2026-10-10 09:00")}}
	if n := appeal.PausedWorkdays(cal, spans); n != 5 {
		t.Errorf("paused working days %d, want 5 (29, 30 Sep, 8, 9, 10 Oct)", n)
	}
	if s := appeal.Similarity("营业执照变更咨询", "营业执照变更咨询"); s != 1 {
		t.Errorf("similarity of equal texts %v", s)
	}
	if s := appeal.Similarity("营业执照变更", "纳税申报期限"); s != 0 {
		t.Errorf("similarity of different texts %v", s)
	}
}

// TestScan produces a warning, an overdue alert and a second-level alert
// once each, with the clock moved forward.
func TestScan(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			f.env.Clock.Set(sh("2026-12-01 09:00")) // Tue
			a := f.submit(t, appeal.Consult)        // first response and reply due Wed 2 Dec end
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAccept})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAssign, DeptID: f.env.Depts["XC-SJJ"]})
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActClaim})
			sys := sitetest.System()
			count := func(typ string) int {
				var n int
				if err := f.env.App.DB.Q(sys).QueryRow(sys, `SELECT COUNT(*) FROM notifications WHERE msg_type = $1 AND channel = 'inapp'`, typ).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			steps := []struct {
				at   string
				typ  string
				want int
			}{
				{"2026-12-02 11:59", appeal.MsgWarning, 0},
				{"2026-12-02 12:00", appeal.MsgWarning, 2}, // handler + department admin
				{"2026-12-02 18:00", appeal.MsgWarning, 2}, // idempotent
				{"2026-12-03 00:01", appeal.MsgOverdue, 1}, // dispatcher (admin)
				{"2026-12-03 18:00", appeal.MsgOverdue, 1},
				{"2026-12-04 00:01", appeal.MsgSecondLevel, 1}, // supervisor
			}
			for _, s := range steps {
				f.env.Clock.Set(sh(s.at))
				if res, err := f.svc.Scan(sys); err != nil {
					t.Fatal(err)
				} else {
					t.Logf("%s: %+v", s.at, res)
				}
				if n := count(s.typ); n != s.want {
					t.Fatalf("%s: %d %s, want %d", s.at, n, s.typ, s.want)
				}
			}
			res, err := f.svc.Scan(sys)
			if err != nil || len(res.Alerts) != 0 {
				t.Fatalf("scan after all levels: %+v %v", res, err)
			}
			list, _, err := f.svc.List(f.ctx["admin"], appeal.Filter{Overdue: true})
			if err != nil || len(list) != 1 {
				t.Fatalf("overdue list %d %v", len(list), err)
			}
			if got := f.appealIssues(t, context.Background()); len(got) != 0 {
				t.Fatalf("deep check after the alerts: %v", got)
			}
		})
	}
}
