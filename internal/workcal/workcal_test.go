package workcal_test

import (
	"context"
	"testing"
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/workcal"
	"yingshang/internal/yserr"
)

func TestStoredCalendar(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := clock.NewFixed(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		s := &workcal.Service{DB: d, Audit: &audit.Log{DB: d, Clock: c}, Clock: c}
		ctx := context.Background()
		n, err := s.LoadOfficial(ctx)
		if err != nil || n == 0 {
			t.Fatalf("load official: %d %v", n, err)
		}
		if again, err := s.LoadOfficial(ctx); err != nil || again != 0 {
			t.Fatalf("second load inserted %d (%v)", again, err)
		}
		cal, err := s.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := cal.AddWorkdays(calendar.MustParseDate("2026-09-30"), 5); got.String() != "2026-10-13" {
			t.Fatalf("2026-09-30 + 5 working days = %s, want 2026-10-13", got)
		}
		admin := auth.WithActor(ctx, &auth.Actor{UserID: 0, Username: "admin", Roles: []auth.Role{auth.PlatformAdmin}})
		staff := auth.WithActor(ctx, &auth.Actor{UserID: 2, Username: "s", Roles: []auth.Role{auth.DeptStaff}})
		// A city-declared extra day off (e.g. a local festival) changes deadlines at once.
		if err := s.Set(staff, workcal.Day{Date: calendar.MustParseDate("2026-10-12"), Kind: calendar.Holiday}); !yserr.Is(err, yserr.Forbidden) {
			t.Fatalf("staff edited the calendar: %v", err)
		}
		if err := s.Set(admin, workcal.Day{Date: calendar.MustParseDate("2026-10-12"), Kind: calendar.Holiday, Name: "地方假日"}); err != nil {
			t.Fatal(err)
		}
		cal, _ = s.Calendar(ctx)
		if got := cal.AddWorkdays(calendar.MustParseDate("2026-09-30"), 5); got.String() != "2026-10-14" {
			t.Fatalf("after edit: %s, want 2026-10-14", got)
		}
		if err := s.Set(admin, workcal.Day{Date: calendar.MustParseDate("2026-10-13"), Kind: calendar.Workday}); !yserr.Is(err, yserr.Invalid) {
			t.Fatalf("weekday marked as adjusted workday: %v", err)
		}
		if err := s.Delete(admin, calendar.MustParseDate("2026-10-12")); err != nil {
			t.Fatal(err)
		}
		cal, _ = s.Calendar(ctx)
		if got := cal.AddWorkdays(calendar.MustParseDate("2026-09-30"), 5); got.String() != "2026-10-13" {
			t.Fatalf("after delete: %s", got)
		}
	})
}
