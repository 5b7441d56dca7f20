package license_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/license"
)

// TestScanFastPathSameAsBatch runs the same licences through two months
// of daily scans twice on PostgreSQL, once with the one-statement batch
// (scanBatchPG) and once statement by statement (the batch SQLite runs),
// with batches of 7 licences so that scans span many batches, and
// compares the summaries and every row the scans write: stage rows,
// follow-up lists, licence statuses, notifications, delivery jobs and
// audit events. A third run has the fast path's batches run 3 at a time
// (smaller batches, one per worker, when a day has few licences): the
// same summaries, stage rows, follow-up rows, statuses, holder messages
// and lapse events, in another order of ids (what depends on where
// batches begin and end is left out: the departments' notices and the
// scan events count per batch, and the jobs name notification ids).
func TestScanFastPathSameAsBatch(t *testing.T) {
	defer license.SetScanBatchSize(7)()
	var dumps [3]string
	for i, fast := range []bool{true, false, true} {
		restore, workers := license.SetScanFastPath(fast), license.SetScanWorkers(1+2*(i/2))
		dumps[i] = scanScenario(t, dbtest.New(t, db.Postgres))
		restore()
		workers()
	}
	sorted := func(dump string) string {
		var keep []string
		for line := range strings.SplitSeq(dump, "\n") {
			perBatch := strings.HasPrefix(line, "job ") || strings.HasPrefix(line, "audit license.scan ") ||
				strings.HasPrefix(line, "notification license.followup ")
			if !perBatch {
				keep = append(keep, line)
			}
		}
		slices.Sort(keep)
		return strings.Join(keep, "\n")
	}
	if sorted(dumps[2]) != sorted(dumps[1]) {
		t.Errorf("3 batches at a time wrote other rows than one batch at a time")
	}
	if dumps[0] != dumps[1] {
		a, b := strings.Split(dumps[0], "\n"), strings.Split(dumps[1], "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("line %d differs:\nfast:   %s\nbatch:  %s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("fast path wrote %d lines, the statement-by-statement batch %d", len(a), len(b))
	}
	for _, want := range []string{"stage remind_30", "stage remind_7", "stage followup", "stage lapsed", "notification license.reminder inapp",
		"notification license.reminder sms", "notification license.expired", "notification license.followup inapp", "audit license.lapsed", "audit license.scan", "job "} {
		if !strings.Contains(dumps[0], want) {
			t.Errorf("the scenario wrote no %q: it does not cover that case", want)
		}
	}
}

// scanScenario loads licences of both departments (people with phones,
// an entity with an enterprise account, an entity without account or
// phone, holders closing down), scans every day from 2026-11-01 to
// 2027-01-05 (twice a day), renews and answers some licences midway, and
// returns every row the scans wrote, one per line.
func scanScenario(t *testing.T, d *db.DB) string {
	e := newEnv(t, d, at("2026-11-01", 9, 30))
	first := calendar.MustParseDate("2026-11-03")
	var a, b []license.LicenseInput
	for i := range 60 {
		exp := first.AddDays(i).String()
		switch i % 4 {
		case 0:
			a = append(a, e.person(fmt.Sprintf("P%03d", i), exp))
		case 1:
			a = append(a, e.lic(fmt.Sprintf("E%03d", i), exp))
		case 2:
			l := e.lic(fmt.Sprintf("N%03d", i), exp)
			l.HolderName, l.HolderCode, l.Phone = "许昌市示例药房有限公司", e.uscc2, ""
			a = append(a, l)
		default:
			l := e.person(fmt.Sprintf("B%03d", i), exp)
			l.TypeCode = "YP-LS"
			b = append(b, l)
		}
	}
	e.add(a...)
	rep, err := e.s.Add(e.admin(e.deptB, e.adminB), e.deptB, b, "")
	if err != nil || rep.Bad > 0 {
		t.Fatalf("department B licences: %v %+v", err, rep)
	}
	ctx := context.Background()
	var out strings.Builder
	for day := calendar.MustParseDate("2026-11-01"); !day.After(calendar.MustParseDate("2027-01-05")); day = day.AddDays(1) {
		y, m, dd := day.Date()
		e.clk.Set(time.Date(y, m, dd, 9, 30, 0, 0, calendar.Shanghai))
		switch day.String() {
		case "2026-11-20": // renewed and closing holders from now on
			for _, q := range []string{"UPDATE licenses SET status = 'renewed' WHERE number IN ('P024', 'E025', 'B027')",
				"UPDATE licenses SET holder_answer = 'closing' WHERE number IN ('P028', 'E029', 'N030')"} {
				if _, err := d.W(ctx).Exec(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
		}
		for range 2 {
			fmt.Fprintf(&out, "scan %s %v\n", day, e.scan())
		}
	}
	dump := func(label, q string) {
		rows, err := d.Q(ctx).Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "%s %s\n", label, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	dump("stage", `SELECT r.stage || ' ' || l.number || ' ' || r.scan_day || ' ' || r.messages || ' ' || r.created_at
		FROM license_reminders r JOIN licenses l ON l.id = r.license_id ORDER BY l.number, r.stage`)
	dump("followup", `SELECT l.number || ' ' || f.department_id || ' ' || f.listed_on || ' ' || f.status || ' ' || f.created_at
		FROM license_followups f JOIN licenses l ON l.id = f.license_id ORDER BY l.number`)
	dump("licence", `SELECT number || ' ' || status || ' ' || updated_at FROM licenses ORDER BY number`)
	dump("notification", `SELECT concat_ws(' ', msg_type, channel, user_id, webhook_id, address_mask, lang, subject, body, data, status,
		last_error, object_type, object_id, created_at, sent_at, delivered_at, link) FROM notifications ORDER BY id`)
	dump("job", `SELECT kind || ' ' || args::text || ' ' || max_attempts FROM river_job ORDER BY id`)
	dump("audit", `SELECT concat_ws(' ', action, object_type, object_id, at, actor_name, before_digest, after_digest, detail, state_digest)
		FROM audit_events WHERE action LIKE 'license.%' ORDER BY seq`)
	return out.String()
}
