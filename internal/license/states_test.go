package license_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/license"
)

// TestLicenceStates checks that every way the application writes a licence
// (the import, a renewal by import, the daily scan lapsing it) records a
// per-licence event whose state matches the row, so the audit deep check of
// licences is clean after real work and names a row edited behind its back.
func TestLicenceStates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-03-02", 9, 30))
		st := &audit.States{}
		e.s.Audit.States = st
		e.s.RegisterStates(st)
		ctx := context.Background()
		sup := auth.WithActor(ctx, &auth.Actor{UserID: 1, Username: "sup", Roles: []auth.Role{auth.Supervisor}})
		check := func() audit.StateResult {
			t.Helper()
			res, err := e.s.Audit.CheckState(sup)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		// 40 licences: one, then 38 people in one import (one bulk write
		// of events), then a licence renewing the first.
		e.add(e.lic("OLD-1", "2026-03-20"))
		var people []license.LicenseInput
		for i := 0; i < 38; i++ {
			people = append(people, e.person(fmt.Sprintf("P%03d", i), "2026-03-10"))
		}
		e.add(people...)
		e.add(e.lic("NEW-1", "2031-03-20"))
		if n := e.count("SELECT COUNT(*) FROM audit_events WHERE object_type = 'license' AND action = 'license.create'"); n != 40 {
			t.Fatalf("license.create events: %d, want 40", n)
		}
		if n := e.count("SELECT COUNT(*) FROM licenses WHERE status = 'renewed'"); n != 1 {
			t.Fatalf("renewed: %d", n)
		}
		if res := check(); !res.OK || res.Objects != 40 {
			t.Fatalf("after import: %d objects, issues %+v", res.Objects, res.Issues)
		}
		// The scan lapses the 38 person licences the day they expire.
		for day := calendar.MustParseDate("2026-03-02"); !day.After(calendar.MustParseDate("2026-03-12")); day = day.AddDays(1) {
			y, m, dd := day.Date()
			e.clk.Set(time.Date(y, m, dd, 9, 0, 0, 0, calendar.Shanghai))
			e.scan()
		}
		if n := e.count("SELECT COUNT(*) FROM licenses WHERE status = 'lapsed'"); n != 38 {
			t.Fatalf("lapsed: %d, want 38", n)
		}
		if n := e.count("SELECT COUNT(*) FROM audit_events WHERE action = 'license.lapsed'"); n != 38 {
			t.Fatalf("license.lapsed events: %d, want 38", n)
		}
		if res := check(); !res.OK {
			t.Fatalf("after the scan: %+v", res.Issues)
		}
		// An insider revives a lapsed licence: named.
		id := e.licenseID("P007")
		e.exec("UPDATE licenses SET status = 'active', expires_on = '2030-01-01' WHERE id = $1", id)
		res := check()
		if res.OK || len(res.Issues) != 1 || res.Issues[0].ID != fmt.Sprint(id) || res.Issues[0].Problem != "changed" {
			t.Fatalf("after an edit: %+v", res.Issues)
		}
	})
}
