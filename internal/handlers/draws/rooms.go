package draws

import (
	"net/http"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/calendar"
	"yingshang/internal/draw"
	"yingshang/internal/yserr"
)

const viewRooms = "draw/rooms"

// RoomCalendarQuery selects the days of the room booking calendar.
type RoomCalendarQuery struct {
	From string `query:"from" doc:"first day, YYYY-MM-DD; default: Monday of this week (Asia/Shanghai)"`
	Days int    `query:"days" doc:"number of days, 1-31; default 7"`
}

func (h *handlers) mountRooms() {
	h.s.UsesViews(viewRooms)
	h.s.Page("GET /draws/rooms", h.rooms, readers...)
	h.s.API.Handle(h.s.Mux, api.Op{Method: "GET", Path: "/api/v1/draw-rooms/calendar", ID: "getRoomCalendar", Tags: []string{"draw"},
		Auth:        "platform_admin,dept_admin,dept_staff,supervisor",
		Summary:     "评标场地预约日历 / Room booking calendar",
		Description: "Every room's bookings (made by the venue draws) per day, with the project and its role (main or secondary venue).",
		Query:       RoomCalendarQuery{}, Resp: draw.RoomCalendar{}}, h.apiRooms)
}

// calendarRange reads from and days, with the defaults.
func (h *handlers) calendarRange(r *http.Request) (calendar.Date, int, error) {
	q := r.URL.Query()
	today := calendar.FromTime(h.s.App.Clock.Now(), calendar.Shanghai)
	from := today.AddDays(-((int(today.Weekday()) + 6) % 7)) // Monday
	if s := q.Get("from"); s != "" {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return from, 0, yserr.Field("from", "日期格式应为 YYYY-MM-DD", "from must be a date YYYY-MM-DD")
		}
		from = d
	}
	days := 7
	if s := q.Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return from, 0, yserr.Field("days", "天数须为整数", "days must be a whole number")
		}
		days = n
	}
	return from, days, nil
}

// rooms: GET /draws/rooms, the booking calendar a week at a time.
func (h *handlers) rooms(w http.ResponseWriter, r *http.Request) error {
	from, days, err := h.calendarRange(r)
	if err != nil {
		return err
	}
	cal, err := h.svc.RoomCalendar(r.Context(), from, days)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("评标场地预约日历", "Room booking calendar")
	type day struct {
		Date    string
		Weekday string
		Today   bool
	}
	names := [2][7]string{{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}, {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}}
	lang := 0
	if v.Lang == "en" {
		lang = 1
	}
	today := calendar.FromTime(h.s.App.Clock.Now(), calendar.Shanghai)
	var ds []day
	for i := range cal.Days {
		d := from.AddDays(i)
		ds = append(ds, day{Date: d.String(), Weekday: names[lang][d.Weekday()], Today: d.Equal(today)})
	}
	v.Data = map[string]any{"Cal": cal, "Days": ds, "Prev": from.AddDays(-days).String(), "Next": from.AddDays(days).String(),
		"Span": days, "Last": from.AddDays(days - 1).String()}
	return h.s.Render(w, r, http.StatusOK, viewRooms, v)
}

func (h *handlers) apiRooms(w http.ResponseWriter, r *http.Request) error {
	from, days, err := h.calendarRange(r)
	if err != nil {
		return err
	}
	cal, err := h.svc.RoomCalendar(r.Context(), from, days)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, cal)
	return nil
}
