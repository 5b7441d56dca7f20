package credit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// TestRepairReminders: the enterprise is told once when the minimum
// publicity period ends, and once more when its obligations are recorded
// as performed. Dates checked by hand: a general penalty (Order 36:
// minimum 3 months) decided 2026-08-31 has its minimum end on 2026-11-30
// (30 November: there is no 31st, the day is clamped); the scan works in
// Asia/Shanghai dates, so 2026-11-29 23:30 in Shanghai is still too early
// and 00:10 on the 30th (16:10 UTC on the 29th) is due. One decided
// 2026-11-20 ends on 2027-02-20.
func TestRepairReminders(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		a := env.Entities[sitetest.USCCA]
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		sys := auth.WithActor(context.Background(), auth.System("test"))
		env.Clock.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, calendar.Shanghai))
		r1, err := svc.Create(sjj, penalty(a, "2026-08-31", "general"))
		fatal(t, err)
		r2, err := svc.Create(sjj, penalty(a, "2026-11-20", "general"))
		fatal(t, err)
		if r1.MinEnd != "2026-11-30" || r2.MinEnd != "2027-02-20" {
			t.Fatalf("minimum ends: %s %s", r1.MinEnd, r2.MinEnd)
		}
		count := func() int {
			var n int
			fatal(t, env.App.DB.Q(sys).QueryRow(sys, "SELECT COUNT(*) FROM notifications WHERE msg_type = $1 AND user_id = $2", credit.TypeRepairOpen, env.Users["ent"]).Scan(&n))
			return n
		}
		scan := func(want map[string]int) {
			t.Helper()
			got, err := svc.RemindRepairable(sys)
			fatal(t, err)
			if got[credit.RemindPeriod] != want[credit.RemindPeriod] || got[credit.RemindReady] != want[credit.RemindReady] {
				t.Fatalf("scan at %s: %v, want %v", env.Clock.Now().In(calendar.Shanghai), got, want)
			}
		}
		if _, err := svc.RemindRepairable(sjj); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("department staff ran the scan: %v", err)
		}
		env.Clock.Set(time.Date(2026, 11, 29, 23, 30, 0, 0, calendar.Shanghai))
		scan(map[string]int{})
		env.Clock.Set(time.Date(2026, 11, 29, 16, 10, 0, 0, time.UTC)) // 2026-11-30 00:10 Shanghai
		scan(map[string]int{credit.RemindPeriod: 1})
		if n := count(); n != 2 { // in-app and SMS to the bound account
			t.Fatalf("messages after the period: %d", n)
		}
		var body string
		fatal(t, env.App.DB.Q(sys).QueryRow(sys, "SELECT body FROM notifications WHERE msg_type = $1 AND channel = 'inapp'", credit.TypeRepairOpen).Scan(&body))
		if !strings.Contains(body, fmt.Sprintf("/credit/records/%d/apply", r1.ID)) || !strings.Contains(body, "2026-11-30") || !strings.Contains(body, "上传履行义务的证明") {
			t.Fatalf("reminder text: %s", body)
		}
		scan(map[string]int{}) // once only
		// The department records the fine as paid: one more reminder, no proof needed.
		fatal(t, svc.SetObligations(sjj, r1.ID, true, "罚款已缴纳"))
		scan(map[string]int{credit.RemindReady: 1})
		scan(map[string]int{})
		if n := count(); n != 4 {
			t.Fatalf("messages after the obligations: %d", n)
		}
		// Marking them unmet and met again does not repeat anything.
		fatal(t, svc.SetObligations(sjj, r1.ID, false, ""))
		scan(map[string]int{})
		fatal(t, svc.SetObligations(sjj, r1.ID, true, "罚款已缴纳"))
		scan(map[string]int{})
		// r2: not before its own minimum end.
		env.Clock.Set(time.Date(2027, 2, 19, 12, 0, 0, 0, calendar.Shanghai))
		scan(map[string]int{})
		env.Clock.Set(time.Date(2027, 2, 20, 9, 0, 0, 0, calendar.Shanghai))
		scan(map[string]int{credit.RemindPeriod: 1})
		var stages int
		fatal(t, env.App.DB.Q(sys).QueryRow(sys, "SELECT COUNT(*) FROM credit_repair_reminders").Scan(&stages))
		if stages != 3 {
			t.Fatalf("reminder rows: %d", stages)
		}
	})
}

// TestRepairRemindersConcurrent: two scans at once send each reminder once.
func TestRepairRemindersConcurrent(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		a, b := env.Entities[sitetest.USCCA], env.Entities[sitetest.USCCB]
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		sys := auth.WithActor(context.Background(), auth.System("test"))
		env.Clock.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, calendar.Shanghai))
		for _, e := range []int64{a, b, a} {
			_, err := svc.Create(sjj, penalty(e, "2026-08-20", "general"))
			fatal(t, err)
		}
		env.Clock.Set(time.Date(2026, 11, 20, 9, 0, 0, 0, calendar.Shanghai).AddDate(0, 0, 1))
		type res struct {
			got map[string]int
			err error
		}
		ch := make(chan res, 2)
		for range 2 {
			go func() {
				got, err := svc.RemindRepairable(sys)
				ch <- res{got, err}
			}()
		}
		total := 0
		for range 2 {
			r := <-ch
			fatal(t, r.err)
			total += r.got[credit.RemindPeriod]
		}
		var rows int
		fatal(t, env.App.DB.Q(sys).QueryRow(sys, "SELECT COUNT(*) FROM credit_repair_reminders").Scan(&rows))
		if total != 3 || rows != 3 {
			t.Fatalf("reminded %d, rows %d, want 3 and 3", total, rows)
		}
	})
}
