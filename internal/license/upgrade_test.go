package license_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/license"
)

// dueRows reads license_due (licence id -> next_due).
func dueRows(t *testing.T, d *db.DB) map[int64]string {
	t.Helper()
	rows, err := d.Q(context.Background()).Query(context.Background(), "SELECT license_id, next_due FROM license_due")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var next string
		if err := rows.Scan(&id, &next); err != nil {
			t.Fatal(err)
		}
		out[id] = next
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUpgradeMovesNextDue puts a database with licences in every state
// (days computed, a stage done, lapsed, closed, marked by a holder's
// answer) back as migration 0004 left it (the day on licenses.next_due, no
// license_due), applies migration 0005 again and checks that license_due
// holds the same days and the marked licence stays marked; then, day by
// day, that the scan's read of license_due finds what the full read finds.
func TestUpgradeMovesNextDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		start := calendar.MustParseDate("2026-09-01")
		e := newEnv(t, d, at(start.String(), 9, 30))
		var rows []license.LicenseInput
		for i := range 40 {
			rows = append(rows, e.person(fmt.Sprintf("U%03d", i), start.AddDays(-3+2*i).String()))
		}
		rows = append(rows, e.lic("ENT-U", "2026-09-20"))
		e.add(rows...)
		e.scan()
		if err := e.s.Answer(e.ent(), e.licenseID("ENT-U"), license.AnswerRenewing); err != nil {
			t.Fatal(err)
		}
		if err := e.s.SetStatus(e.admin(e.deptA, e.adminA), e.licenseID("U039"), license.StatusRevoked, ""); err != nil {
			t.Fatal(err)
		}
		want := dueRows(t, d)
		if len(want) < 30 || e.count("SELECT COUNT(*) FROM licenses WHERE status = 'lapsed'") == 0 {
			t.Fatalf("scenario: %d license_due rows, %d lapsed", len(want), e.count("SELECT COUNT(*) FROM licenses WHERE status = 'lapsed'"))
		}
		marked := e.count("SELECT COUNT(*) FROM licenses WHERE next_due = ''")
		if marked != 1 {
			t.Fatalf("%d marked licences, want 1", marked)
		}
		for _, q := range []string{
			"UPDATE licenses SET next_due = (SELECT d.next_due FROM license_due d WHERE d.license_id = licenses.id) WHERE id IN (SELECT license_id FROM license_due)",
			"DROP TABLE license_due",
			"DELETE FROM schema_versions WHERE component = 'license' AND version = 5",
		} {
			if _, err := d.W(ctx).Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		applied, err := d.Migrate(ctx, e.clk.Now(), dbtest.Sources())
		if err != nil || len(applied) != 1 {
			t.Fatalf("migrate: %v %v", applied, err)
		}
		if got := dueRows(t, d); !maps.Equal(got, want) {
			t.Fatalf("after the upgrade license_due has %d rows, before %d: %v, want %v", len(got), len(want), got, want)
		}
		if n := e.count("SELECT COUNT(*) FROM licenses WHERE next_due = ''"); n != marked {
			t.Fatalf("%d marked licences after the upgrade, want %d", n, marked)
		}
		for day := start.AddDays(1); !day.After(start.AddDays(90)); day = day.AddDays(1) {
			y, m, dd := day.Date()
			e.clk.Set(time.Date(y, m, dd, 9, 30, 0, 0, calendar.Shanghai))
			full, err := e.s.ScanCandidates(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			byDue, err := e.s.ScanCandidates(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.EqualFunc(full, byDue, slices.Equal) {
				t.Fatalf("%s: full read %v, license_due %v", day, full, byDue)
			}
			e.scan()
		}
		if n := e.count("SELECT COUNT(*) FROM license_due"); n != 0 {
			t.Errorf("%d license_due rows after every licence expired", n)
		}
	})
}
