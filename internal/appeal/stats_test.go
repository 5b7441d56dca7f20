package appeal_test

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"yingshang/internal/modules"

	"yingshang/internal/appeal"
	"yingshang/internal/site/sitetest"
)

// statsRow is a varied appeal for the dashboard tests: every type, topic,
// state, three lead departments and none, submission times that fall on
// either side of a month's end in Asia/Shanghai, answered and rated ones,
// reopened ones, deadlines past and future.
func statsRow(depts []any) func(i int) []any {
	states := []string{"submitted", "accepted", "rejected", "assigned", "in_progress", "waiting_enterprise", "replied", "rated",
		"reopened", "escalated", "followed_up", "closed", "merged"}
	kinds := []string{"consult", "help", "complaint", "suggestion", "praise"}
	topics := appeal.DefaultSettings().Topics
	// 2025-12-31 16:30 UTC is 2026-01-01 00:30 in Shanghai.
	base := time.Date(2025, 12, 31, 16, 30, 0, 0, time.UTC)
	return func(i int) []any {
		sub := base.Add(time.Duration(i) * 7 * time.Hour).Add(time.Duration(i%13) * time.Minute)
		st := states[i%len(states)]
		var onTime, wd any
		rating := ""
		switch st {
		case "replied", "rated", "followed_up", "closed":
			onTime, wd = i%3 != 0, i%11
			if st != "replied" {
				rating = []string{"satisfied", "basic", "unsatisfied", ""}[i%4]
			}
		}
		fr, reply, fu := sub.Add(24*time.Hour), sub.Add(time.Duration(i%10)*24*time.Hour), sub.Add(time.Duration(3+i%5)*24*time.Hour)
		return []any{fmt.Sprintf("T-%d", i), 2026, "web", kinds[i%len(kinds)], topics[(i/5)%len(topics)], fmt.Sprintf("标题%d", i%3),
			"内容", st, 1, depts[i%len(depts)], sub, sub, fr, reply, fu, onTime, wd, rating, (i % 7) / 6, sub, sub, 0, 0, 0}
	}
}

// normStats orders the parts whose order the old queries left to the
// database (equal counts) and treats a missing list as an empty one.
func normStats(s *appeal.Stats) {
	for _, l := range []*[]appeal.Count{&s.ByKind, &s.ByTopic, &s.ByDept} {
		if *l == nil {
			*l = []appeal.Count{}
		}
		slices.SortFunc(*l, func(a, b appeal.Count) int {
			if a.N != b.N {
				return cmp.Compare(b.N, a.N)
			}
			return strings.Compare(a.Key, b.Key)
		})
	}
}

// TestStatsSameAsBefore: the grouped query gives exactly the figures of
// the computation it replaced, for several filters and callers, on both
// engines.
func TestStatsSameAsBefore(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			d := f.env.Depts
			bulkInsert(t, f.env.App.DB, 1500, statsRow([]any{d["XC-SJJ"], d["XC-SWJ"], nil, d["WD-SJJ"]}))
			// Now is in the middle of the submissions: some deadlines past, some ahead.
			f.env.Clock.Set(time.Date(2026, 4, 20, 3, 0, 0, 0, time.UTC))
			filters := []appeal.Filter{{}, {Kind: "help"}, {Topic: "纳税"}, {DeptID: d["XC-SJJ"]}, {From: "2026-02-01", To: "2026-03-31"},
				{Q: "标题1"}, {Kind: "complaint", From: "2026-03-01"}, {Kind: "consult", Topic: "融资", DeptID: d["XC-SWJ"]}}
			for _, user := range []string{"admin", "supervisor", "sjj-staff"} {
				for _, flt := range filters {
					for _, lang := range []string{"zh", "en"} {
						want, err := f.svc.StatsBefore(f.ctx[user], flt, lang)
						if err != nil {
							t.Fatal(err)
						}
						got, err := f.svc.Stats(f.ctx[user], flt, lang)
						if err != nil {
							t.Fatal(err)
						}
						normStats(want)
						normStats(got)
						if !reflect.DeepEqual(got, want) {
							t.Errorf("%s %+v %s:\n got  %+v\n want %+v", user, flt, lang, got, want)
						}
					}
				}
			}
			all, err := f.svc.Stats(f.ctx["admin"], appeal.Filter{}, "zh")
			if err != nil {
				t.Fatal(err)
			}
			// The data really exercise every figure.
			if all.Total != 1500 || all.OverdueCount == 0 || len(all.Overdue) != 20 || all.Reopened == 0 || all.AvgHandlingWD == nil ||
				len(all.ByDept) != 4 || len(all.ByMonth) < 5*12 || all.SatisfiedRate == 0 || all.OnTimeRate == 0 {
				t.Fatalf("fixture too thin: %+v", all)
			}
			// The month is Shanghai's: 2025-12-31 16:30 UTC counts in January.
			if all.ByMonth[0].Month != "2026-01" {
				t.Fatalf("first month %s", all.ByMonth[0].Month)
			}
			if _, err := f.svc.Stats(f.ctx["ent"], appeal.Filter{}, "zh"); err == nil {
				t.Fatal("an enterprise read the dashboard")
			}
		})
	}
}

// TestStatsSystem is the dashboard as the platform sees it (no filter).
func TestStatsSystem(t *testing.T) {
	env := sitetest.New(t, engines[0])
	bulkInsert(t, env.App.DB, 50, statsRow([]any{nil}))
	st, err := modules.Get[*appeal.Service](env.Modules).Stats(sitetest.System(), appeal.Filter{}, "en")
	if err != nil || st.Total != 50 || st.ByDept[0].Label != "not assigned" {
		t.Fatalf("%+v %v", st, err)
	}
}
