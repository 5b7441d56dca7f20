package calendarh

import (
	"strconv"
	"strings"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

// maxDays bounds the N of "add N working days" (about 14 years).
const maxDays = 3650

// AddResult is the n-th working day after a date and its deadline.
type AddResult struct {
	From     calendar.Date `json:"from"`
	Days     int           `json:"days" doc:"工作日数，负数表示往前数 / Working days; negative counts backwards"`
	Date     calendar.Date `json:"date" doc:"第 N 个工作日（起始日不计） / The N-th working day after from (from itself is not counted)"`
	Deadline time.Time     `json:"deadline" doc:"该日结束时刻（Asia/Shanghai 23:59:59.999999999） / The end of that day in Asia/Shanghai"`
	HasData  bool          `json:"has_data" doc:"所涉年份均有节假日数据；否则只按周末计算 / Both years have holiday data; otherwise only weekends were days off"`
}

// BetweenResult counts the working days d with from < d <= to.
type BetweenResult struct {
	From        calendar.Date `json:"from"`
	To          calendar.Date `json:"to"`
	WorkingDays int           `json:"working_days" doc:"from 之后（不含）至 to（含）的工作日数；to 早于 from 时为负 / Working days after from up to and including to; negative when to is before from"`
}

// CheckResult says whether a date is a working day and why.
type CheckResult struct {
	Date       calendar.Date `json:"date"`
	WorkingDay bool          `json:"working_day"`
	Kind       string        `json:"kind" enum:"workday,weekend,holiday,adjusted_workday" doc:"workday 普通工作日，weekend 周末，holiday 节假日，adjusted_workday 调休上班 / An ordinary working day, a weekend day, a holiday, or a weekend day worked (调休)"`
	Name       string        `json:"name,omitempty" doc:"节日名称 / The festival's name"`
	HasData    bool          `json:"has_data" doc:"该年份有节假日数据 / The year has holiday data"`
}

func addDays(cal *calendar.Calendar, from calendar.Date, days int) AddResult {
	d := cal.AddWorkdays(from, days)
	return AddResult{From: from, Days: days, Date: d, Deadline: cal.Deadline(from.Time(calendar.Shanghai), days),
		HasData: cal.HasYear(from.Year()) && cal.HasYear(d.Year())}
}

func between(cal *calendar.Calendar, from, to calendar.Date) BetweenResult {
	return BetweenResult{From: from, To: to, WorkingDays: cal.WorkdaysBetween(from, to)}
}

func check(cal *calendar.Calendar, d calendar.Date) CheckResult {
	kind, name := cal.Explain(d)
	return CheckResult{Date: d, WorkingDay: cal.IsWorkday(d), Kind: kind, Name: name, HasData: cal.HasYear(d.Year())}
}

func checkDays(v *yserr.Validation, field string, days int) {
	if days < -maxDays || days > maxDays {
		v.Add(field, "工作日数须在 -3650 到 3650 之间", "the number of working days must be from -3650 to 3650")
	}
}

// formDate reads a date field of a form, recording a field error.
func formDate(v *yserr.Validation, field, s string) calendar.Date {
	s = strings.TrimSpace(s)
	if s == "" {
		v.Add(field, "请填写日期", "a date is required")
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		v.Add(field, "日期格式须为 YYYY-MM-DD", "the date must be YYYY-MM-DD")
	}
	return d
}

// formInt reads a whole number field of a form, recording a field error.
func formInt(v *yserr.Validation, field, s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		v.Add(field, "请填写整数", "a whole number is required")
	}
	return n
}
