package appeal_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"

	"yingshang/internal/appeal"
)

var shanghai = time.FixedZone("CST", 8*3600)

// rollupRows reads the dashboard rollup (keys that still count, their
// shards added up) of table appeal_stats_days (col day) or
// appeal_stats_months (col month).
func rollupRows(t *testing.T, f *fixture, table, col string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := f.env.App.DB.Q(ctx).Query(ctx, `SELECT `+col+`, kind, topic, dept_id, state, SUM(n), SUM(replied), SUM(on_time), SUM(wd_sum),
		SUM(wd_n), SUM(rated), SUM(satisfied), SUM(reopened)
		FROM `+table+` GROUP BY `+col+`, kind, topic, dept_id, state HAVING SUM(n) <> 0 ORDER BY `+col+`, kind, topic, dept_id, state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var day, kind, topic, state string
		var dept int64
		var v [8]int64
		if err := rows.Scan(&day, &kind, &topic, &dept, &state, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(day, kind, topic, dept, state, v))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// rollupMatchesBackfill fails when the rollup the writes kept differs from
// the one RebuildRollup computes from the appeals (which it leaves in
// place).
func rollupMatchesBackfill(t *testing.T, f *fixture, stage string) {
	t.Helper()
	kept := [][]string{rollupRows(t, f, "appeal_stats_days", "day"), rollupRows(t, f, "appeal_stats_months", "month"), dueRows(t, f)}
	if err := f.svc.RebuildRollup(context.Background()); err != nil {
		t.Fatal(err)
	}
	back := [][]string{rollupRows(t, f, "appeal_stats_days", "day"), rollupRows(t, f, "appeal_stats_months", "month"), dueRows(t, f)}
	for i, name := range []string{"days", "months", "due"} {
		if !reflect.DeepEqual(kept[i], back[i]) {
			t.Fatalf("%s: %s rollup kept by the writes differs from the backfill:\n kept    %v\n rebuilt %v", stage, name, kept[i], back[i])
		}
	}
}

// dueRows reads the rows of the time-dependent figures that still count.
func dueRows(t *testing.T, f *fixture) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := f.env.App.DB.Q(ctx).Query(ctx, `SELECT what, due_day, kind, topic, dept_id, SUM(n) FROM appeal_stats_due
		GROUP BY what, due_day, kind, topic, dept_id HAVING SUM(n) <> 0 ORDER BY what, due_day, kind, topic, dept_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var what, day, kind, topic string
		var dept, n int64
		if err := rows.Scan(&what, &day, &kind, &topic, &dept, &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(what, day, kind, topic, dept, n))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no open appeal with a running clock: the time-dependent rollup is not exercised")
	}
	return out
}

// TestStatsRollupRandom: on random data moved by random transitions
// (intake through the service, every action by every kind of user, the
// clock running between steps so that replies fall on time and late),
// the dashboard answered from the rollup gives exactly the figures of the
// straightforward computation, for several filters and callers, on both
// engines; and the rollup kept up by the write paths equals the one the
// backfill computes from the appeals table.
func TestStatsRollupRandom(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			// A fixed seed (the clock is fake, so the walk is the same on
			// every run); YINGSHANG_TEST_SEED tries others.
			seed := uint64(1)
			if v, err := strconv.ParseUint(os.Getenv("YINGSHANG_TEST_SEED"), 10, 64); err == nil {
				seed = v
			}
			t.Logf("seed %d", seed)
			rng := rand.New(rand.NewPCG(seed, 17))
			f := newFixture(t, e)
			d := f.env.Depts
			depts := []int64{d["XC-SJJ"], d["XC-SWJ"], d["WD-SJJ"]}
			bulkInsert(t, f.env.App.DB, 400, statsRow([]any{d["XC-SJJ"], d["XC-SWJ"], nil, d["WD-SJJ"]}))
			f.env.Clock.Set(time.Date(2026, 4, 20, 3, 0, 0, 0, time.UTC))
			users := []string{"admin", "supervisor", "sjj-staff", "swj-staff", "wd-staff", "ent"}
			filters := []appeal.Filter{{}, {Kind: "help"}, {Topic: "纳税"}, {DeptID: d["XC-SJJ"]}, {From: "2026-02-01", To: "2026-04-20"},
				{Kind: "complaint", From: "2026-03-01"}, {Kind: "consult", Topic: "融资", DeptID: d["XC-SWJ"]}, {To: "2026-04-19"}, {Q: "标题1"},
				// Periods of whole months, partial months on either side, within one month, open-ended.
				{From: "2026-01-01", To: "2026-03-31"}, {From: "2026-03-15", To: "2026-03-20"}, {From: "2026-02-10", Kind: "help"},
				{From: "2026-04-01"}, {To: "2026-02-28"}, {From: "2026-03-31", To: "2026-04-01"}}
			compareFor := func(stage string, users []string, filters []appeal.Filter) {
				t.Helper()
				for _, user := range users {
					for _, flt := range filters {
						want, err := f.svc.StatsBefore(f.ctx[user], flt, "zh")
						if err != nil {
							t.Fatal(err)
						}
						got, err := f.svc.Stats(f.ctx[user], flt, "zh")
						if err != nil {
							t.Fatal(err)
						}
						normStats(want)
						normStats(got)
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("%s: %s %+v:\n got  %+v\n want %+v", stage, user, flt, got, want)
						}
					}
				}
			}
			compare := func(stage string) {
				t.Helper()
				compareFor(stage, []string{"admin", "supervisor", "sjj-staff", "wd-staff"}, filters)
			}
			compare("backfill")
			// Hour by hour over two days, deadlines pass during the day
			// (counted from the appeals) and then belong to a past day
			// (counted from the rollup).
			overdueSeen := false
			for range 48 {
				f.env.Clock.Advance(time.Hour)
				compareFor("hourly", []string{"admin"}, []appeal.Filter{{}, {Kind: "help"}})
				if st, err := f.svc.Stats(f.ctx["admin"], appeal.Filter{}, "zh"); err != nil {
					t.Fatal(err)
				} else if st.OverdueCount > 0 && st.LateOpen > 0 {
					overdueSeen = true
				}
			}
			if !overdueSeen {
				t.Fatal("no overdue and late appeals in the hourly steps: the time-dependent figures are not exercised")
			}
			topics := appeal.DefaultSettings().Topics
			kinds := []appeal.Kind{appeal.Consult, appeal.Help, appeal.Complaint, appeal.Suggestion, appeal.Praise}
			var ids []int64
			for i := range 40 {
				a, err := f.svc.Create(f.ctx["ent"], appeal.Input{Kind: kinds[rng.IntN(len(kinds))], Topic: topics[rng.IntN(len(topics))],
					Title: fmt.Sprintf("标题%d", i%3), Description: "随机诉求，检查看板汇总。"})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, a.ID)
				f.env.Clock.Advance(time.Duration(rng.IntN(600)) * time.Minute)
			}
			// Each step takes a random appeal and tries every action by
			// every user in a random order until one is allowed; the
			// actions that move an appeal forward come several times, so
			// that the walk reaches replies, ratings and closing before
			// rejections and merges end most appeals.
			actions := []appeal.Action{appeal.ActAccept, appeal.ActReject, appeal.ActMerge, appeal.ActAssign, appeal.ActReturn, appeal.ActClaim,
				appeal.ActRequestInfo, appeal.ActSupplyInfo, appeal.ActRequestExt, appeal.ActDecideExt, appeal.ActReply, appeal.ActRate,
				appeal.ActReopen, appeal.ActEscalate, appeal.ActFollowUp, appeal.ActClose, appeal.ActSupervise}
			for range 4 {
				actions = append(actions, appeal.ActAccept, appeal.ActAssign, appeal.ActClaim, appeal.ActReply, appeal.ActRate, appeal.ActFollowUp, appeal.ActClose)
			}
			type try struct {
				user string
				act  appeal.Action
			}
			var tries []try
			for _, u := range users {
				for _, a := range actions {
					tries = append(tries, try{u, a})
				}
			}
			done := map[appeal.Action]int{}
			for range 200 {
				id := ids[rng.IntN(len(ids))]
				rng.Shuffle(len(tries), func(i, j int) { tries[i], tries[j] = tries[j], tries[i] })
				for _, tr := range tries {
					act := appeal.Act{Action: tr.act, Note: "说明", DeptID: depts[rng.IntN(len(depts))],
						Days: 1 + rng.IntN(5), Approve: rng.IntN(2) == 0, Rating: []string{"satisfied", "basic", "unsatisfied"}[rng.IntN(3)],
						TargetID: ids[rng.IntN(len(ids))], ResolveBy: f.env.Clock.Now().In(shanghai).Format("2006-01-02")}
					if _, err := f.svc.Transition(f.ctx[tr.user], id, act); err == nil {
						done[act.Action]++
						break
					}
				}
				f.env.Clock.Advance(time.Duration(rng.IntN(8*60)) * time.Minute)
			}
			t.Logf("transitions: %v", done)
			for _, a := range []appeal.Action{appeal.ActAssign, appeal.ActClaim, appeal.ActReply, appeal.ActRate, appeal.ActClose} {
				if done[a] == 0 {
					t.Fatalf("no %s in the random walk: %v", a, done)
				}
			}
			compare("transitions")
			rollupMatchesBackfill(t, f, "random walk")
			compare("rebuilt")
			// The time-dependent figures as days pass (deadlines move from
			// today's part to the rollup's days before).
			for range 6 {
				f.env.Clock.Advance(time.Duration(7+rng.IntN(30)) * time.Hour)
				compare("later")
			}
		})
	}
}
