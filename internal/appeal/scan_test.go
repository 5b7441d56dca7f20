package appeal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"yingshang/internal/appeal"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// alertCols reads the three alert columns of an appeal.
func alertCols(t *testing.T, f *fixture, id int64) [3]int {
	t.Helper()
	var c [3]int
	sys := sitetest.System()
	if err := f.env.App.DB.Q(sys).QueryRow(sys, `SELECT fr_alert, reply_alert, fu_alert FROM appeals WHERE id = $1`, id).
		Scan(&c[0], &c[1], &c[2]); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestScanReadsWhatIsDue: appeals whose clocks stopped are marked as
// having nothing to send (by the transition, or once by the scan for rows
// written before), so a scan reads only the appeals due.
func TestScanReadsWhatIsDue(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
			f.env.Clock.Set(now)
			// 2,000 closed appeals written the old way (alert columns 0,
			// deadlines long past) and 1,000 open ones due in the future.
			states := []string{"closed", "rejected", "merged", "replied"}
			bulkInsert(t, f.env.App.DB, 3000, func(i int) []any {
				st, due := states[i%4], now.Add(-time.Duration(1+i%300)*24*time.Hour)
				if i >= 2000 {
					st, due = "in_progress", now.Add(time.Duration(3+i%300)*24*time.Hour)
				}
				return []any{fmt.Sprintf("S-%d", i), 2026, "web", "help", "纳税", "t", "d", st, 1, f.env.Depts["XC-SJJ"],
					due, due, due, due, due, nil, nil, "", 0, due, due, 0, 0, 0}
			})
			sys := sitetest.System()
			res, err := f.svc.Scan(sys)
			if err != nil {
				t.Fatal(err)
			}
			// Every closed appeal is read once per clock whose deadline
			// passed: first response and reply for all 2,000, follow-up for
			// the 1,500 not replied (the 500 replied still await theirs:
			// their follow-up deadline passed, so they are overdue).
			if res.Settled != 2000+2000+1500 || len(res.Alerts) == 0 {
				t.Fatalf("first scan: %+v", res)
			}
			res, err = f.svc.Scan(sys)
			if err != nil {
				t.Fatal(err)
			}
			if res.Examined != 0 || res.Settled != 0 {
				t.Fatalf("second scan read %d appeals: %+v", res.Examined, res)
			}
		})
	}
}

// TestScanPlans: the scan's queries use the partial indexes on both engines.
func TestScanPlans(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			d := env.App.DB
			ctx := context.Background()
			for clock, index := range map[string]string{"first_response": "appeals_fr_due", "reply": "appeals_reply_due", "followup": "appeals_fu_due"} {
				q := appeal.DueSQL(clock)
				var plan []string
				err := d.WithTx(ctx, func(ctx context.Context) error {
					explain := "EXPLAIN QUERY PLAN " + q
					if e == db.Postgres {
						// Usable at all, whatever the table's size: the
						// query must imply the index's predicate.
						if _, err := d.W(ctx).Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
							return err
						}
						explain = "EXPLAIN " + q
					}
					rows, err := d.W(ctx).Query(ctx, explain, time.Now())
					if err != nil {
						return err
					}
					defer rows.Close()
					for rows.Next() {
						vals := make([]any, 4)
						ptrs := make([]any, 4)
						for i := range vals {
							ptrs[i] = &vals[i]
						}
						if e == db.Postgres {
							ptrs = ptrs[:1]
						}
						if err := rows.Scan(ptrs...); err != nil {
							return err
						}
						// SQLite: id, parent, notused, detail; PostgreSQL: one line.
						plan = append(plan, fmt.Sprint(vals[len(ptrs)-1]))
					}
					return rows.Err()
				})
				if err != nil {
					t.Fatal(err)
				}
				p := strings.Join(plan, "\n")
				t.Logf("%s:\n%s", clock, p)
				if !strings.Contains(p, index) {
					t.Errorf("%s does not use %s:\n%s", clock, index, p)
				}
			}
		})
	}
}

// TestAlertsAcrossStops: a clock that stops keeps nothing to send, and
// when it runs again with the same deadline it resumes at the level
// already sent, so nothing is sent twice and nothing is missed.
func TestAlertsAcrossStops(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			sys := sitetest.System()
			f.env.Clock.Set(sh("2026-12-01 09:00")) // Tue: first response due Wed 2 Dec end
			a := f.submit(t, appeal.Help)
			if c := alertCols(t, f, a.ID); c != [3]int{0, 3, 3} {
				t.Fatalf("new appeal: %v", c)
			}
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAccept})
			f.do(t, "admin", a.ID, appeal.Act{Action: appeal.ActAssign, DeptID: f.env.Depts["XC-SJJ"]})
			if c := alertCols(t, f, a.ID); c != [3]int{0, 0, 3} {
				t.Fatalf("assigned: %v", c)
			}
			f.env.Clock.Set(sh("2026-12-02 13:00"))
			if _, err := f.svc.Scan(sys); err != nil {
				t.Fatal(err)
			}
			if c := alertCols(t, f, a.ID); c[0] != appeal.LevelWarning {
				t.Fatalf("after the warning: %v", c)
			}
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActClaim})
			if c := alertCols(t, f, a.ID); c[0] != 3 {
				t.Fatalf("claimed: the first-response clock stopped but has %v", c)
			}
			// Returned as wrongly assigned: the first-response clock runs
			// again, with the warning already sent.
			f.do(t, "sjj-staff", a.ID, appeal.Act{Action: appeal.ActReturn, Note: "不属于本部门职责"})
			if c := alertCols(t, f, a.ID); c[0] != appeal.LevelWarning {
				t.Fatalf("returned: %v", c)
			}
			f.env.Clock.Set(sh("2026-12-03 10:00"))
			res, err := f.svc.Scan(sys)
			if err != nil {
				t.Fatal(err)
			}
			if res.Alerts["first_response/2"] != 1 || res.Alerts["first_response/1"] != 0 {
				t.Fatalf("overdue after the return: %+v", res)
			}
		})
	}
}

// TestStatsDuePlans: the dashboard's count of the deadlines passed today
// reads a range of each partial index on the open appeals' deadlines,
// never the whole appeals table (at a million appeals the open ones alone
// took 50-200 ms to count).
func TestStatsDuePlans(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			d := env.App.DB
			ctx := context.Background()
			q, args := appeal.DueTodaySQL(time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC))
			var plan []string
			err := d.WithTx(ctx, func(ctx context.Context) error {
				explain := "EXPLAIN QUERY PLAN " + q
				if e == db.Postgres {
					if _, err := d.W(ctx).Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
						return err
					}
					explain = "EXPLAIN " + q
				}
				rows, err := d.W(ctx).Query(ctx, explain, args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					vals := make([]any, 4)
					ptrs := make([]any, 4)
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if e == db.Postgres {
						ptrs = ptrs[:1]
					}
					if err := rows.Scan(ptrs...); err != nil {
						return err
					}
					plan = append(plan, fmt.Sprint(vals[len(ptrs)-1]))
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			p := strings.Join(plan, "\n")
			t.Logf("plan:\n%s", p)
			for _, index := range []string{"appeals_open_fr_due", "appeals_open_reply_due", "appeals_open_fu_due"} {
				if !strings.Contains(p, index) {
					t.Errorf("does not use %s:\n%s", index, p)
				}
			}
			for _, line := range plan {
				if strings.HasPrefix(line, "SCAN a") || strings.HasPrefix(line, "Seq Scan on appeals") {
					t.Errorf("scans the appeals table:\n%s", p)
				}
			}
		})
	}
}
