package appeal_test

import (
	"fmt"
	"testing"
	"time"

	"yingshang/internal/appeal"
)

// TestDashboardFigures checks the on-time rate and the average handling
// time against figures worked out by hand on six appeals (now is 20 April
// 2026):
//
//	1 closed, replied on time, 4 working days     (help)
//	2 closed, replied late, 8 working days        (help)
//	3 replied (not closed) on time, 2 working days (help)
//	4 in progress, reply due 10 April: late, open  (consult)
//	5 in progress, reply due 30 April: not yet due (consult)
//	6 waiting for the enterprise, due 10 April: clock stopped, not late (consult)
//
// On time: 2 of (3 replied + 1 overdue open) = 50%; average handling time
// over the closed ones: (4 + 8) / 2 = 6 working days. For the consults
// alone: 0 of 1 on time, and no closed appeal, so no average (shown "—").
func TestDashboardFigures(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			dept := f.env.Depts["XC-SJJ"]
			now := time.Date(2026, 4, 20, 3, 0, 0, 0, time.UTC)
			past, future := time.Date(2026, 4, 10, 15, 59, 0, 0, time.UTC), time.Date(2026, 4, 30, 15, 59, 0, 0, time.UTC)
			sub := time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC)
			type row struct {
				state, kind string
				due         time.Time
				onTime, wd  any
			}
			data := []row{{"closed", "help", past, true, 4}, {"closed", "help", past, false, 8}, {"replied", "help", past, true, 2},
				{"in_progress", "consult", past, nil, nil}, {"in_progress", "consult", future, nil, nil}, {"waiting_enterprise", "consult", past, nil, nil}}
			bulkInsert(t, f.env.App.DB, len(data), func(i int) []any {
				r := data[i]
				return []any{fmt.Sprintf("F-%d", i), 2026, "web", r.kind, "开办企业", "标题", "内容", r.state, 1, dept, sub, sub,
					sub.Add(24 * time.Hour), r.due, nil, r.onTime, r.wd, "", 0, sub, sub, 0, 0, 0}
			})
			f.env.Clock.Set(now)
			all, err := f.svc.Stats(f.ctx["admin"], appeal.Filter{}, "zh")
			if err != nil {
				t.Fatal(err)
			}
			if all.Replied != 3 || all.OnTime != 2 || all.LateOpen != 1 || all.OnTimeRate != 0.5 {
				t.Errorf("on time: %d of %d replied + %d late open = %v, want 2 of 3 + 1 = 0.5", all.OnTime, all.Replied, all.LateOpen, all.OnTimeRate)
			}
			if all.Closed != 2 || all.AvgHandlingWD == nil || *all.AvgHandlingWD != 6 {
				t.Errorf("average handling: %v over %d closed, want 6 over 2", all.AvgHandlingWD, all.Closed)
			}
			consult, err := f.svc.Stats(f.ctx["admin"], appeal.Filter{Kind: "consult"}, "zh")
			if err != nil {
				t.Fatal(err)
			}
			if consult.Replied != 0 || consult.LateOpen != 1 || consult.OnTimeRate != 0 || consult.AvgHandlingWD != nil || consult.Closed != 0 {
				t.Errorf("consults: %+v", consult)
			}
		})
	}
}
