package license_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/license"
)

func official(t *testing.T) *calendar.Calendar {
	list, err := calendar.LoadOfficial()
	if err != nil {
		t.Fatal(err)
	}
	return calendar.New(list)
}

func TestDueStages(t *testing.T) {
	cal := official(t)
	exp := calendar.MustParseDate("2026-12-31") // Thursday
	rule := license.DefaultRule()
	cases := []struct {
		name    string
		today   string
		done    []string
		closing bool
		want    []string
	}{
		{"too early", "2026-11-30", nil, false, nil},
		{"day 30", "2026-12-01", nil, false, []string{license.StageRemind1}},
		{"missed 30 is sent on day 25", "2026-12-06", nil, false, []string{license.StageRemind1}},
		{"30 already done", "2026-12-06", []string{license.StageRemind1}, false, nil},
		{"missed 30 not sent once day 7 is due", "2026-12-24", nil, false, []string{license.StageRemind2}},
		{"day 4 still sends 7", "2026-12-27", []string{license.StageRemind1}, false, []string{license.StageRemind2}},
		{"missed 7 not sent after day 3", "2026-12-28", []string{license.StageRemind1}, false, []string{license.StageFollowup}},
		{"closing holders get no reminders", "2026-12-24", nil, true, nil},
		{"expiry day lapses", "2026-12-31", []string{license.StageRemind1, license.StageRemind2, license.StageFollowup}, false, []string{license.StageLapsed}},
		{"after expiry no follow-up, lapse", "2027-01-05", nil, false, []string{license.StageLapsed}},
	}
	for _, c := range cases {
		got := rule.DueStages(cal, calendar.MustParseDate(c.today), exp, c.done, c.closing)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	// Expiry on Tuesday 2026-10-06 (National Day holiday): day -3 is
	// Saturday 2026-10-03, also a holiday; the list is due on the last
	// working day before, Wednesday 2026-09-30.
	exp = calendar.MustParseDate("2026-10-06")
	if got := rule.DueStages(cal, calendar.MustParseDate("2026-09-29"), exp, []string{license.StageRemind1, license.StageRemind2}, false); len(got) != 0 {
		t.Errorf("2026-09-29: %v", got)
	}
	if got := rule.DueStages(cal, calendar.MustParseDate("2026-09-30"), exp, []string{license.StageRemind1, license.StageRemind2}, false); !slices.Equal(got, []string{license.StageFollowup}) {
		t.Errorf("2026-09-30: %v", got)
	}
}

// TestScanFullYear scans once a day (twice, to check idempotence) from
// December 2025 to January 2027 over licences expiring every third day of
// 2026, holidays included: every licence gets every stage exactly once,
// on the right day, and follow-up lists only on working days.
func TestScanFullYear(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2025-12-01", 9, 30))
		cal := official(t)
		var rows []license.LicenseInput
		first := calendar.MustParseDate("2026-01-02")
		for i := 0; i < 122; i++ {
			rows = append(rows, e.person(fmt.Sprintf("Y%03d", i), first.AddDays(3*i).String()))
		}
		e.add(rows...)
		total := license.Summary{}
		for day := calendar.MustParseDate("2025-12-01"); !day.After(calendar.MustParseDate("2027-01-10")); day = day.AddDays(1) {
			y, m, dd := day.Date()
			e.clk.Set(time.Date(y, m, dd, 8, 59, 0, 0, calendar.Shanghai))
			if sum := e.scan(); sum[license.StageRemind1]+sum[license.StageRemind2]+sum[license.StageFollowup]+sum[license.StageLapsed] != 0 {
				t.Fatalf("%s 08:59: acted before the send time: %v", day, sum)
			}
			e.clk.Set(time.Date(y, m, dd, 9, 0, 0, 0, calendar.Shanghai))
			for k, v := range e.scan() {
				total[k] += v
			}
			if again := e.scan(); again[license.StageRemind1]+again[license.StageRemind2]+again[license.StageFollowup]+again[license.StageLapsed] != 0 {
				t.Fatalf("%s: second scan acted: %v", day, again)
			}
		}
		for _, st := range license.Stages {
			if total[st] != 122 {
				t.Errorf("stage %s: %d licences, want 122", st, total[st])
			}
		}
		for i := 0; i < 122; i++ {
			exp := first.AddDays(3 * i)
			got := e.stages(e.licenseID(fmt.Sprintf("Y%03d", i)))
			want := map[string]string{
				license.StageRemind1:  exp.AddDays(-30).String(),
				license.StageRemind2:  exp.AddDays(-7).String(),
				license.StageFollowup: cal.LastWorkdayOnOrBefore(exp.AddDays(-3)).String(),
				license.StageLapsed:   exp.String(),
			}
			for st, day := range want {
				if got[st] != day {
					t.Errorf("licence expiring %s: %s on %s, want %s", exp, st, got[st], day)
				}
			}
			if !cal.IsWorkday(calendar.MustParseDate(got[license.StageFollowup])) {
				t.Errorf("licence expiring %s: follow-up listed on a day off %s", exp, got[license.StageFollowup])
			}
		}
		// Every reminder and the last notice reached the holder by SMS; people have no in-app inbox.
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE object_type = 'license' AND channel = 'sms'"); n != 3*122 {
			t.Errorf("SMS messages: %d, want %d", n, 3*122)
		}
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE object_type = 'license' AND channel = 'inapp'"); n != 0 {
			t.Errorf("in-app messages: %d, want 0", n)
		}
		if n := e.count("SELECT COUNT(*) FROM licenses WHERE status = 'lapsed'"); n != 122 {
			t.Errorf("lapsed: %d", n)
		}
	})
}

func TestScanCatchUp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-11-20", 10, 0))
		e.add(e.person("C1", "2026-12-31"), e.person("C2", "2026-12-26"))
		if sum := e.scan(); sum[license.StageRemind1] != 0 {
			t.Fatalf("too early: %v", sum)
		}
		// Down until 2026-12-06: C1 (25 days left) still gets its 30-day
		// reminder; C2 (20 days) too.
		e.clk.Set(at("2026-12-06", 10, 0))
		if sum := e.scan(); sum[license.StageRemind1] != 2 || sum[license.StageRemind2] != 0 {
			t.Fatalf("day 25: %v", sum)
		}
		// Down again until 2026-12-29: C1 has 2 days left, past the 3-day
		// stage: no 7-day reminder, but the follow-up list. C2 expired on
		// 2026-12-26: lapsed, no follow-up.
		e.clk.Set(at("2026-12-29", 10, 0))
		sum := e.scan()
		want := license.Summary{license.StageRemind1: 0, license.StageRemind2: 0, license.StageFollowup: 1, license.StageLapsed: 1}
		for k, v := range want {
			if sum[k] != v {
				t.Errorf("after downtime: %s = %d, want %d (%v)", k, sum[k], v, sum)
			}
		}
		c1 := e.stages(e.licenseID("C1"))
		if _, ok := c1[license.StageRemind2]; ok || c1[license.StageFollowup] != "2026-12-29" {
			t.Errorf("C1 stages: %v", c1)
		}
		var status string
		if err := d.Q(context.Background()).QueryRow(context.Background(), "SELECT status FROM licenses WHERE number = 'C2'").Scan(&status); err != nil || status != "lapsed" {
			t.Errorf("C2 status %q %v", status, err)
		}
	})
}

func TestConcurrentScans(t *testing.T) {
	// Small batches, so that the two scans interleave many transactions.
	defer license.SetScanBatchSize(16)()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-12-01", 9, 0))
		var rows []license.LicenseInput
		for i := 0; i < 150; i++ {
			exp := []string{"2026-12-31", "2026-12-08", "2026-12-04", "2026-12-01"}[i%4]
			rows = append(rows, e.person(fmt.Sprintf("P%03d", i), exp))
		}
		e.add(rows...)
		var wg sync.WaitGroup
		sums := make([]license.Summary, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { sums[i], errs[i] = e.s.Scan(context.Background()) })
		}
		wg.Wait()
		total := license.Summary{}
		for i := range 2 {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			for k, v := range sums[i] {
				total[k] += v
			}
		}
		// 38 licences at 30 days, 38 at 7, 37 at 3 (listed on Tuesday
		// 2026-12-01), 37 expiring today.
		want := license.Summary{license.StageRemind1: 38, license.StageRemind2: 38, license.StageFollowup: 37, license.StageLapsed: 37}
		for k, v := range want {
			if total[k] != v {
				t.Errorf("%s: %d, want %d (%v + %v)", k, total[k], v, sums[0], sums[1])
			}
		}
		if n := e.count("SELECT COUNT(*) FROM license_reminders"); n != 150 {
			t.Errorf("reminder rows %d", n)
		}
		if n := e.count("SELECT COUNT(*) FROM notifications WHERE object_type = 'license' AND channel = 'sms'"); n != 38+38+37 {
			t.Errorf("sms rows %d, want %d", n, 38+38+37)
		}
	})
}
