package calendarh

import (
	"fmt"
	"time"

	"yingshang/internal/calendar"
)

// month is one month of the year grid, in weeks from Monday to Sunday.
type month struct {
	Name  string
	Weeks [][7]cell
}

// cell is one day of the grid; Day 0 is padding before the 1st or after
// the last day.
type cell struct {
	Day   int
	Date  string
	Class string // wd (working day), we (weekend), hol (holiday), adj (adjusted working day), plus " today"
	Mark  string // 休 on holidays, 班 on adjusted working days
	Name  string // the festival name, on the first day of its period
	Title string // the explanation, for the tooltip and screen readers
}

var (
	monthsEN   = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	weekdaysZH = [7]string{"一", "二", "三", "四", "五", "六", "日"}
	weekdaysEN = [7]string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}
	weekdayZH  = map[time.Weekday]string{time.Monday: "星期一", time.Tuesday: "星期二", time.Wednesday: "星期三",
		time.Thursday: "星期四", time.Friday: "星期五", time.Saturday: "星期六", time.Sunday: "星期日"}
)

// weekdayName is a date's day of the week in the language.
func weekdayName(d calendar.Date, lang string) string {
	if lang == "en" {
		return d.Weekday().String()
	}
	return weekdayZH[d.Weekday()]
}

// weekdayHeads are the column heads of the grid, Monday first.
func weekdayHeads(lang string) [7]string {
	if lang == "en" {
		return weekdaysEN
	}
	return weekdaysZH
}

// Kinds of day as Calendar.Explain names them, in both languages.
var kindNames = map[string][2]string{
	calendar.DayWorkday:         {"工作日", "working day"},
	calendar.DayWeekend:         {"周末休息日", "weekend"},
	calendar.DayHoliday:         {"节假日", "holiday"},
	calendar.DayAdjustedWorkday: {"调休上班", "adjusted working day"},
}

func kindName(kind, lang string) string {
	n := kindNames[kind]
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// explain is a sentence on why a day is or is not a working day.
func explain(cal *calendar.Calendar, d calendar.Date, lang string) string {
	kind, name := cal.Explain(d)
	text := kindName(kind, lang)
	if name != "" {
		text += "（" + name + "）"
		if lang == "en" {
			text = kindName(kind, lang) + " (" + name + ")"
		}
	}
	return d.String() + " " + weekdayName(d, lang) + " · " + text
}

// yearGrid lays out the twelve months of year.
func yearGrid(cal *calendar.Calendar, year int, today calendar.Date, lang string) []month {
	out := make([]month, 12)
	for m := range 12 {
		out[m] = monthGrid(cal, calendar.NewDate(year, time.Month(m+1), 1), today, lang)
	}
	return out
}

func monthGrid(cal *calendar.Calendar, first calendar.Date, today calendar.Date, lang string) month {
	mo := month{Name: fmt.Sprintf("%d月", int(first.Month()))}
	if lang == "en" {
		mo.Name = monthsEN[first.Month()-1]
	}
	col := (int(first.Weekday()) + 6) % 7 // Monday = 0
	var week [7]cell
	for d := first; d.Month() == first.Month(); d = d.AddDays(1) {
		week[col] = dayCell(cal, d, today, lang)
		col++
		if col == 7 {
			mo.Weeks = append(mo.Weeks, week)
			week, col = [7]cell{}, 0
		}
	}
	if col > 0 {
		mo.Weeks = append(mo.Weeks, week)
	}
	return mo
}

func dayCell(cal *calendar.Calendar, d calendar.Date, today calendar.Date, lang string) cell {
	c := cell{Day: d.Day(), Date: d.String(), Title: explain(cal, d, lang)}
	kind, name := cal.Explain(d)
	switch kind {
	case calendar.DayHoliday:
		c.Class, c.Mark = "hol", "休"
		if prevKind, prevName := cal.Explain(d.AddDays(-1)); prevKind != calendar.DayHoliday || prevName != name {
			c.Name = name
		}
	case calendar.DayAdjustedWorkday:
		c.Class, c.Mark = "adj", "班"
	case calendar.DayWeekend:
		c.Class = "we"
	default:
		c.Class = "wd"
	}
	if d == today {
		c.Class += " today"
	}
	return c
}
