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

// TestScanNextDueSameAsFullRead scans random licences of both types over
// four and a half months (National Day and New Year holidays included,
// some days skipped so that the next scan catches up) and, before every
// scan, compares the stages due found by the read of next_due with those
// found by the straightforward read of every active licence within the
// first reminder window: the same licences with the same stages, every
// day. Along the way the stage windows of a type are widened and then
// narrowed, holders are renewed by an import of their newer licence,
// revoked, answer that they close down and then that they are renewing,
// and licences expiring soon or already expired are imported late; some
// licences start without next_due (rows from before migration 0004).
func TestScanNextDueSameAsFullRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		defer license.SetScanBatchSize(9)()
		ctx := context.Background()
		e := newEnv(t, d, at("2026-09-01", 9, 30))
		start, end := calendar.MustParseDate("2026-09-01"), calendar.MustParseDate("2027-01-15")
		randExp := func(from calendar.Date, span int) string { return from.AddDays(e.rnd.IntN(span)).String() }
		var a, b []license.LicenseInput
		for i := range 160 {
			l := e.person(fmt.Sprintf("R%03d", i), randExp(start.AddDays(-3), 140))
			if i%3 == 0 {
				l.TypeCode = "YP-LS"
				b = append(b, l)
			} else {
				a = append(a, l)
			}
		}
		a = append(a, e.lic("ENT-A", "2026-12-02"))
		ent := e.lic("ENT-B", "2026-12-09")
		ent.TypeCode = "YP-LS"
		b = append(b, ent)
		e.add(a...)
		addB := func(rows ...license.LicenseInput) {
			t.Helper()
			if rep, err := e.s.Add(e.admin(e.deptB, e.adminB), e.deptB, rows, ""); err != nil || rep.Bad > 0 {
				t.Fatalf("department B licences: %v %+v", err, rep)
			}
		}
		addB(b...)
		// Rows written before migration 0004 (marked '' by it, and so by
		// migration 0006 in license_due): the first scan computes their day.
		due := func(id int64, day string) {
			t.Helper()
			if _, err := d.W(ctx).Exec(ctx, "INSERT INTO license_due (license_id, next_due) VALUES ($1, $2)", id, day); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 25 {
			id := e.exec(`INSERT INTO licenses (type_id, department_id, number, holder_name, issued_on, expires_on, status, created_at, updated_at)
				VALUES ($1, $2, $3, '持证人', '2021-01-01', $4, 'active', $5, $5)`, e.typeA.ID, e.deptA, fmt.Sprintf("OLD%02d", i), randExp(start.AddDays(-5), 90), e.clk.Now())
			due(id, "")
		}
		// Rows imported before migration 0005, with the first day a stage
		// can be due whenever that is (now NULL when the read by expiry
		// finds it): the scan still reads them by that day.
		for i := range 25 {
			exp := calendar.MustParseDate(randExp(start.AddDays(-5), 120))
			id := e.exec(`INSERT INTO licenses (type_id, department_id, number, holder_name, issued_on, expires_on, status, created_at, updated_at)
				VALUES ($1, $2, $3, '持证人', '2021-01-01', $4, 'active', $5, $5)`, e.typeA.ID, e.deptA, fmt.Sprintf("LEG%02d", i), exp.String(), e.clk.Now())
			if next := license.LegacyNextDue(e.typeA, exp, start.AddDays(-e.rnd.IntN(20))); next != nil {
				due(id, *next)
			}
		}
		setWindows := func(r1, r2, f, lapse int) {
			t.Helper()
			ty := e.typeA
			_, err := e.s.SaveType(e.admin(e.deptA, e.adminA), ty.ID, license.TypeInput{Code: ty.Code, Name: ty.Name, ValidityMonths: ty.ValidityMonths,
				ChannelsOnline: ty.ChannelsOnline, ChannelsOffline: ty.ChannelsOffline, Materials: ty.Materials, Phone: ty.Phone, Active: true,
				Remind1Days: r1, Remind2Days: r2, FollowupDays: f, LapseDays: lapse})
			if err != nil {
				t.Fatal(err)
			}
		}
		total := license.Summary{}
		compared := 0
		for day := start; !day.After(end); day = day.AddDays(1) {
			y, m, dd := day.Date()
			e.clk.Set(time.Date(y, m, dd, 9, 30, 0, 0, calendar.Shanghai))
			switch day.String() {
			case "2026-10-15": // wider windows for type A
				setWindows(45, 10, 5, 2)
			case "2026-11-02": // renewals by import (older licences renewed), revocations
				var newer []license.LicenseInput
				for _, l := range a[10:16] {
					l.Number, l.ExpiresOn = l.Number+"-N", randExp(day, 60)
					newer = append(newer, l)
				}
				e.add(newer...)
				for _, n := range []string{"R022", "R023"} {
					if err := e.s.SetStatus(e.admin(e.deptA, e.adminA), e.licenseID(n), "revoked", "test"); err != nil {
						t.Fatal(err)
					}
				}
			case "2026-11-10", "2026-11-25": // closing down, then renewing after all
				answer := map[string]string{"2026-11-10": license.AnswerClosing, "2026-11-25": license.AnswerRenewing}[day.String()]
				for _, n := range []string{"ENT-A", "ENT-B"} {
					if err := e.s.Answer(e.ent(), e.licenseID(n), answer); err != nil {
						t.Fatal(err)
					}
				}
			case "2026-12-01": // late imports: expiring soon, or already expired
				var late []license.LicenseInput
				for i := range 20 {
					late = append(late, e.person(fmt.Sprintf("L%03d", i), randExp(day.AddDays(-15), 45)))
				}
				e.add(late...)
			case "2026-12-05": // narrower windows again
				setWindows(30, 7, 3, 0)
			}
			if e.rnd.IntN(6) == 0 {
				continue // no scan today: the next one catches up
			}
			full, err := e.s.ScanCandidates(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			byDue, err := e.s.ScanCandidates(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.EqualFunc(full, byDue, slices.Equal) {
				for _, id := range slices.Sorted(maps.Keys(full)) {
					if !slices.Equal(full[id], byDue[id]) {
						t.Errorf("%s: licence %d: full read %v, next_due %v", day, id, full[id], byDue[id])
					}
				}
				for id, st := range byDue {
					if _, ok := full[id]; !ok {
						t.Errorf("%s: licence %d: full read nothing, next_due %v", day, id, st)
					}
				}
				t.FailNow()
			}
			compared += len(full)
			for k, v := range e.scan() {
				total[k] += v
			}
		}
		for _, st := range license.Stages {
			if total[st] == 0 {
				t.Errorf("no %s stage in the scenario: %v", st, total)
			}
		}
		if compared < 300 {
			t.Errorf("only %d licence-days compared", compared)
		}
		// Closed licences have no next due day.
		if n := e.count("SELECT COUNT(*) FROM license_due d JOIN licenses l ON l.id = d.license_id WHERE l.status <> 'active'"); n != 0 {
			t.Errorf("%d closed licences with a next due day", n)
		}
		if n := e.count("SELECT COUNT(*) FROM licenses WHERE status <> 'active'"); n < 150 {
			t.Errorf("only %d licences closed by the end", n)
		}
	})
}
