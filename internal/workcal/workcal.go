// Package workcal stores the platform's working-day calendar (工作日历):
// the official holidays and adjusted working days, plus the platform
// admin's edits and imports for new years. Every deadline in every module
// is counted with Service.Calendar.
//
// The official data (package calendar's holidays.json) is loaded into the
// calendar_days table on first start with source "official"; admin edits
// have source "admin" or "import" and are never overwritten by a later
// official load. A new year needs no release: import its notice as JSON or
// CSV from the admin page or `yingshang calendar import FILE`.
package workcal

import (
	"context"
	"fmt"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Service reads and edits the calendar.
type Service struct {
	DB    *db.DB
	Audit *audit.Log
	Clock clock.Clock

	cache db.Lazy[*db.Cache[struct{}, *calendar.Calendar]] // the current calendar (Calendar)
}

// topicCalendar is the change topic of the stored days (db.Changes): an
// edit on one instance reaches every other instance's deadlines within the
// change poll (before, each instance kept its calendar until a restart).
const topicCalendar = "workcal.days"

// Day is one stored override.
type Day struct {
	Date   calendar.Date `json:"date"`
	Kind   calendar.Kind `json:"kind" enum:"holiday,workday"`
	Name   string        `json:"name,omitempty"`
	Source string        `json:"source" enum:"official,admin,import"`
}

// LoadOfficial inserts the official days that are not stored yet. It runs
// at start-up and after migrations; existing rows are left alone.
func (s *Service) LoadOfficial(ctx context.Context) (int, error) {
	list, err := calendar.LoadOfficial()
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		now := s.Clock.Now()
		for _, o := range list {
			c, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO calendar_days (day, kind, name, source, updated_at) VALUES ($1,$2,$3,'official',$4)
				ON CONFLICT (day) DO NOTHING`, o.Date.String(), string(o.Kind), o.Name, now)
			if err != nil {
				return err
			}
			n += int(c)
		}
		if n > 0 {
			if err := s.DB.Changed(ctx, topicCalendar); err != nil {
				return err
			}
			ctx = auth.WithActor(ctx, auth.System("calendar"))
			return s.Audit.Record(ctx, "calendar.load_official", "calendar", "official", nil, n, fmt.Sprintf("%d official days loaded", n))
		}
		return nil
	})
	return n, err
}

// Calendar returns the current calendar (cached until the next edit, on
// any instance: db.Changes).
func (s *Service) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	cache := s.cache.Get(func() *db.Cache[struct{}, *calendar.Calendar] {
		return db.NewCache[struct{}, *calendar.Calendar](s.DB, 1, topicCalendar)
	})
	return cache.Get(ctx, struct{}{}, func() (*calendar.Calendar, error) {
		days, err := s.list(ctx, 0)
		if err != nil {
			return nil, err
		}
		ov := make([]calendar.Override, len(days))
		for i, d := range days {
			ov[i] = calendar.Override{Date: d.Date, Kind: d.Kind, Name: d.Name}
		}
		return calendar.New(ov), nil
	})
}

// List returns the stored days of a year (all years for 0). Anyone signed
// in may read the calendar.
func (s *Service) List(ctx context.Context, year int) ([]Day, error) {
	if _, err := auth.Require(ctx); err != nil {
		return nil, err
	}
	return s.list(ctx, year)
}

func (s *Service) list(ctx context.Context, year int) ([]Day, error) {
	q := "SELECT day, kind, name, source FROM calendar_days"
	var args []any
	if year != 0 {
		q += " WHERE day >= $1 AND day <= $2"
		args = append(args, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year))
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" ORDER BY day", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Day
	for rows.Next() {
		var d Day
		var day, kind string
		if err := rows.Scan(&day, &kind, &d.Name, &d.Source); err != nil {
			return nil, err
		}
		if d.Date, err = calendar.ParseDate(day); err != nil {
			return nil, fmt.Errorf("calendar_days row %q: %w", day, err)
		}
		d.Kind = calendar.Kind(kind)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Set stores one day as a holiday or an adjusted working day (platform admin).
func (s *Service) Set(ctx context.Context, d Day) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	return s.save(ctx, []calendar.Override{{Date: d.Date, Kind: d.Kind, Name: d.Name}}, "admin")
}

// Import stores many days (a year's notice) in one transaction.
func (s *Service) Import(ctx context.Context, list []calendar.Override) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	if len(list) == 0 {
		return yserr.Field("file", "文件中没有日期", "the file has no dates")
	}
	return s.save(ctx, list, "import")
}

func (s *Service) save(ctx context.Context, list []calendar.Override, source string) error {
	var v yserr.Validation
	for i, o := range list {
		if o.Date.IsZero() {
			v.Add(fmt.Sprintf("days[%d].date", i), "日期无效", "invalid date")
		}
		if !o.Kind.Valid() {
			v.Add(fmt.Sprintf("days[%d].kind", i), "类型须为 holiday（放假）或 workday（调休上班）", "kind must be holiday or workday")
		} else if o.Kind == calendar.Workday && !o.Date.IsWeekend() {
			v.Add(fmt.Sprintf("days[%d].kind", i), o.Date.String()+" 不是周末，无需设为调休上班", o.Date.String()+" is not a weekend day: it is a working day already")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		now := s.Clock.Now()
		for _, o := range list {
			if _, err := s.DB.Q(ctx).Exec(ctx, `INSERT INTO calendar_days (day, kind, name, source, updated_at, updated_by) VALUES ($1,$2,$3,$4,$5,$6)
				ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, source = excluded.source,
				updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
				o.Date.String(), string(o.Kind), o.Name, source, now, actorID(ctx)); err != nil {
				return err
			}
		}
		if err := s.DB.Changed(ctx, topicCalendar); err != nil {
			return err
		}
		detail := fmt.Sprintf("%d days", len(list))
		return s.Audit.Record(ctx, "calendar."+source, "calendar", list[0].Date.String(), nil, list, detail)
	})
}

// Delete removes a stored day, so it follows the weekday/weekend rule again.
func (s *Service) Delete(ctx context.Context, d calendar.Date) error {
	if _, err := auth.Require(ctx, auth.PlatformAdmin); err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM calendar_days WHERE day = $1", d.String())
		if err != nil {
			return err
		}
		if n == 0 {
			return yserr.ErrNotFound("该日期的设置", "calendar entry")
		}
		if err := s.DB.Changed(ctx, topicCalendar); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "calendar.delete", "calendar", d.String(), d, nil, "")
	})
}

func actorID(ctx context.Context) any {
	if a := auth.From(ctx); a != nil && a.UserID != 0 {
		return a.UserID
	}
	return nil
}
