package draw

// The room booking calendar (评标场地预约日历): which rooms are booked on
// which days, by which project and in which role. Bookings are made only
// by the venue draw (CommitVenues), never by hand, so the calendar is a
// view; it lets the centre see the load of its venues ahead of a session
// and check that no room is double-booked.

import (
	"context"
	"fmt"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

// MaxCalendarDays bounds one calendar page.
const MaxCalendarDays = 31

// CalendarBooking is one booking in a calendar cell.
type CalendarBooking struct {
	ProjectID   int64     `json:"project_id"`
	ProjectCode string    `json:"project_code"`
	ProjectName string    `json:"project_name"`
	Role        string    `json:"role" enum:"main,secondary"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
}

// CalendarRoom is one room's row: a cell per day.
type CalendarRoom struct {
	Room RoomInfo            `json:"room"`
	Days [][]CalendarBooking `json:"days" doc:"one list per day of the calendar, in order"`
	// Booked is the number of bookings in the period.
	Booked int `json:"booked"`
}

// RoomCalendar is the bookings of every room over consecutive days
// (Asia/Shanghai).
type RoomCalendar struct {
	From  string         `json:"from" doc:"first day, YYYY-MM-DD"`
	Days  []string       `json:"days" doc:"the days, YYYY-MM-DD"`
	Rooms []CalendarRoom `json:"rooms"`
}

// RoomCalendar returns the bookings of every room on days days from from
// (centre staff, admins and supervisors).
func (s *Service) RoomCalendar(ctx context.Context, from calendar.Date, days int) (*RoomCalendar, error) {
	if _, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor); err != nil {
		return nil, err
	}
	if days < 1 || days > MaxCalendarDays {
		return nil, yserr.Field("days", fmt.Sprintf("天数须在 1 到 %d 之间", MaxCalendarDays), fmt.Sprintf("days must be 1 to %d", MaxCalendarDays))
	}
	rooms, err := s.Rooms(ctx)
	if err != nil {
		return nil, err
	}
	cal := &RoomCalendar{From: from.String(), Rooms: make([]CalendarRoom, len(rooms))}
	index := map[int64]int{}
	for i, r := range rooms {
		cal.Rooms[i] = CalendarRoom{Room: r, Days: make([][]CalendarBooking, days)}
		index[r.ID] = i
	}
	for i := 0; i < days; i++ {
		cal.Days = append(cal.Days, from.AddDays(i).String())
	}
	start, end := from.Time(calendar.Shanghai), from.AddDays(days).Time(calendar.Shanghai)
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT b.room_id, b.role, b.starts_at, b.ends_at, p.id, p.code, p.name
		FROM draw_bookings b JOIN draw_projects p ON p.id = b.project_id
		WHERE b.starts_at < $1 AND b.ends_at > $2 ORDER BY b.starts_at, b.id`, end, start)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var roomID int64
		var b CalendarBooking
		if err := rows.Scan(&roomID, &b.Role, &b.StartsAt, &b.EndsAt, &b.ProjectID, &b.ProjectCode, &b.ProjectName); err != nil {
			return nil, err
		}
		i, ok := index[roomID]
		if !ok {
			continue
		}
		day := calendar.FromTime(b.StartsAt, calendar.Shanghai).Sub(from)
		if day < 0 {
			day = 0 // began before the period and runs into it
		}
		if day >= days {
			continue
		}
		cal.Rooms[i].Days[day] = append(cal.Rooms[i].Days[day], b)
		cal.Rooms[i].Booked++
	}
	return cal, rows.Err()
}
