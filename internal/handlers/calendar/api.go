package calendarh

import (
	"net/http"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/workcal"
	"yingshang/internal/yserr"
)

// YearQuery selects a year.
type YearQuery struct {
	Year int `query:"year" doc:"年份，缺省为今年 / The year; default: this year" example:"2026"`
}

// DaysResponse lists a year's stored days.
type DaysResponse struct {
	Year    int           `json:"year"`
	HasData bool          `json:"has_data" doc:"该年有节假日数据 / The year has holiday data"`
	Days    []workcal.Day `json:"days" doc:"与普通周一至周五规则不同或带节日名称的日期 / Days that differ from the Monday-to-Friday rule or carry a festival name"`
}

// DatePath names a day.
type DatePath struct {
	Date calendar.Date `path:"date" doc:"日期 YYYY-MM-DD / The date, YYYY-MM-DD"`
}

// DayInput sets a day.
type DayInput struct {
	Kind calendar.Kind `json:"kind" enum:"holiday,workday" doc:"holiday 放假；workday 调休上班（须为周六或周日） / holiday: a day off; workday: a Saturday or Sunday worked"`
	Name string        `json:"name,omitempty" doc:"节日名称，最多 64 字 / The festival's name, at most 64 characters" example:"国庆节"`
}

// AddQuery asks for the n-th working day after a date.
type AddQuery struct {
	From calendar.Date `query:"from,required" doc:"起始日（不计入） / The start date (not counted)"`
	Days int           `query:"days,required" doc:"工作日数，-3650 到 3650 / Working days, -3650 to 3650" example:"5"`
}

// BetweenQuery asks for the working days between two dates.
type BetweenQuery struct {
	From calendar.Date `query:"from,required"`
	To   calendar.Date `query:"to,required"`
}

// CheckQuery asks about one date.
type CheckQuery struct {
	Date calendar.Date `query:"date,required"`
}

func (h *handlers) mountAPI() {
	reg, mux := h.s.API, h.s.Mux
	tags := []string{"calendar"}
	reg.DescribeTag("calendar", "工作日历：法定节假日与调休、工作日计算（Asia/Shanghai） / Working-day calendar: official holidays and adjusted working days, working-day arithmetic (Asia/Shanghai)")
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/calendar/days", ID: "listCalendarDays", Tags: tags, Auth: api.AuthUser,
		Summary: "某年的节假日与调休 / A year's holidays and adjusted working days", Query: YearQuery{}, Resp: DaysResponse{}}, h.apiDays)
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/calendar/days/{date}", ID: "setCalendarDay", Tags: tags, Auth: "platform_admin",
		Summary: "设置某日 / Set a day", Description: "Stores the day as a holiday or an adjusted working day (source admin), replacing what was stored.",
		Query: DatePath{}, Body: DayInput{}, Resp: workcal.Day{}}, h.apiSetDay)
	reg.Handle(mux, api.Op{Method: "DELETE", Path: "/api/v1/calendar/days/{date}", ID: "deleteCalendarDay", Tags: tags, Auth: "platform_admin",
		Summary: "删除某日设置 / Remove a stored day", Description: "The day follows the Monday-to-Friday rule again.",
		Query: DatePath{}, Status: http.StatusNoContent}, h.apiDeleteDay)
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/calendar/import", ID: "importCalendar", Tags: tags, Auth: "platform_admin",
		Summary: "导入节假日安排 / Import a holiday schedule",
		Description: "The body is a schedule in the JSON format of the official data (documented below), or CSV (Content-Type text/csv) with the header date,kind,name, " +
			"or a multipart/form-data upload of either as the part \"file\". All days are stored in one transaction (source import), or none: an error names the line.",
		Body: Schedule{}, Resp: ImportResult{}}, h.apiImport)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/calendar/add", ID: "addWorkingDays", Tags: tags, Auth: api.AuthUser,
		Summary:     "加 N 个工作日 / Add working days",
		Description: "The days-th working day after from (from itself is not counted), and the deadline at the end of that day in Asia/Shanghai. 2026-09-30 + 5 is 2026-10-13.",
		Query:       AddQuery{}, Resp: AddResult{}}, h.apiAdd)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/calendar/between", ID: "workingDaysBetween", Tags: tags, Auth: api.AuthUser,
		Summary: "两日之间的工作日数 / Working days between two dates", Query: BetweenQuery{}, Resp: BetweenResult{}}, h.apiBetween)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/calendar/check", ID: "checkWorkingDay", Tags: tags, Auth: api.AuthUser,
		Summary: "是否工作日 / Is a date a working day", Query: CheckQuery{}, Resp: CheckResult{}}, h.apiCheck)
}

func (h *handlers) apiDays(w http.ResponseWriter, r *http.Request) error {
	if err := api.DecodeQuery(r, &YearQuery{}); err != nil {
		return err
	}
	year, err := h.pageYear(r)
	if err != nil {
		return err
	}
	days, err := h.s.App.Calendar.List(r.Context(), year)
	if err != nil {
		return err
	}
	cal, err := h.s.App.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	if days == nil {
		days = []workcal.Day{}
	}
	api.WriteJSON(w, http.StatusOK, DaysResponse{Year: year, HasData: cal.HasYear(year), Days: days})
	return nil
}

func (h *handlers) apiSetDay(w http.ResponseWriter, r *http.Request) error {
	var p DatePath
	if err := api.DecodeQuery(r, &p); err != nil {
		return err
	}
	var in DayInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	day, err := dayInput(p.Date, string(in.Kind), in.Name)
	if err != nil {
		return err
	}
	if err := h.s.App.Calendar.Set(r.Context(), day); err != nil {
		return plainFields(err)
	}
	day.Source = "admin"
	api.WriteJSON(w, http.StatusOK, day)
	return nil
}

func (h *handlers) apiDeleteDay(w http.ResponseWriter, r *http.Request) error {
	var p DatePath
	if err := api.DecodeQuery(r, &p); err != nil {
		return err
	}
	if err := h.s.App.Calendar.Delete(r.Context(), p.Date); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handlers) apiImport(w http.ResponseWriter, r *http.Request) error {
	data, err := readSchedule(w, r)
	if err != nil {
		return err
	}
	res, err := h.importSchedule(r.Context(), data)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, res)
	return nil
}

// calendar returns the current calendar for a signed-in caller.
func (h *handlers) calendar(r *http.Request) (*calendar.Calendar, error) {
	if _, err := auth.Require(r.Context()); err != nil {
		return nil, err
	}
	return h.s.App.Calendar.Calendar(r.Context())
}

func (h *handlers) apiAdd(w http.ResponseWriter, r *http.Request) error {
	var q AddQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	var v yserr.Validation
	checkDays(&v, "days", q.Days)
	if err := v.Err(); err != nil {
		return err
	}
	cal, err := h.calendar(r)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, addDays(cal, q.From, q.Days))
	return nil
}

func (h *handlers) apiBetween(w http.ResponseWriter, r *http.Request) error {
	var q BetweenQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	cal, err := h.calendar(r)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, between(cal, q.From, q.To))
	return nil
}

func (h *handlers) apiCheck(w http.ResponseWriter, r *http.Request) error {
	var q CheckQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	cal, err := h.calendar(r)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, check(cal, q.Date))
	return nil
}
