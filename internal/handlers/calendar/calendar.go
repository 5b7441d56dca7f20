// Package calendarh serves the working-day calendar (工作日历) on the web
// and in the JSON API: a year at a glance with holidays and adjusted
// working days (调休), the stored days with their source, editing and
// importing a year's official notice, and the working-day arithmetic that
// every deadline on the platform uses (add N working days, working days
// between two dates, is a date a working day and why).
//
// Any signed-in user may view the calendar and compute with it; the
// workcal service refuses edits by anyone but a platform admin.
package calendarh

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/server"
	"yingshang/internal/web"
	"yingshang/internal/workcal"
	"yingshang/internal/yserr"
)

const viewCalendar = "calendar/calendar"

type handlers struct{ s *server.Server }

// Mount registers the pages and API operations of the area.
func Mount(s *server.Server) {
	h := &handlers{s: s}
	s.UsesViews(viewCalendar)
	s.SignedIn("GET /admin/calendar", h.page)
	s.SignedIn("POST /admin/calendar/days", h.setDay)
	s.SignedIn("POST /admin/calendar/days/{date}/delete", h.deleteDay)
	s.SignedIn("POST /admin/calendar/import", h.importFile)
	h.mountAPI()
}

// pageData is what calendar/calendar renders.
type pageData struct {
	Year, Prev, Next int
	Years            []int
	HasData          bool
	Months           []month
	Weekdays         [7]string
	Days             []dayRow
	CanEdit          bool
	Calc             calcView

	cal *calendar.Calendar
}

// dayRow is a stored day in the list.
type dayRow struct {
	workcal.Day
	Weekday, KindName, SourceName string
}

// calcView holds the calculator's answers.
type calcView struct {
	Add        *AddResult
	AddWeekday string
	Between    *BetweenResult
	Check      *CheckResult
	CheckText  string
}

var sourceNames = map[string][2]string{
	"official": {"官方", "official"},
	"admin":    {"管理员", "admin"},
	"import":   {"导入", "import"},
}

func pick(m map[string][2]string, k, lang string) string {
	n, ok := m[k]
	switch {
	case !ok:
		return k
	case lang == "en":
		return n[1]
	}
	return n[0]
}

// pageYear reads ?year= (or a form's year), defaulting to this year.
func (h *handlers) pageYear(r *http.Request) (int, error) {
	s := r.FormValue("year")
	if s == "" {
		return calendar.FromTime(h.s.App.Clock.Now(), calendar.Shanghai).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 1970 || y > 2200 {
		return 0, yserr.Field("year", "年份须在 1970 到 2200 之间", "the year must be from 1970 to 2200")
	}
	return y, nil
}

// view builds the page for year.
func (h *handlers) view(r *http.Request, year int) (*web.View, *pageData, error) {
	ctx := r.Context()
	days, err := h.s.App.Calendar.List(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	cal, err := h.s.App.Calendar.Calendar(ctx)
	if err != nil {
		return nil, nil, err
	}
	v := h.s.View(r, "")
	v.Title = v.T("工作日历", "Working-day calendar") + " " + strconv.Itoa(year)
	today := calendar.FromTime(h.s.App.Clock.Now(), calendar.Shanghai)
	d := &pageData{cal: cal, Year: year, Prev: year - 1, Next: year + 1, Years: cal.Years(), HasData: cal.HasYear(year),
		Months: yearGrid(cal, year, today, v.Lang), Weekdays: weekdayHeads(v.Lang),
		CanEdit: auth.From(ctx).Has(auth.PlatformAdmin)}
	for _, day := range days {
		d.Days = append(d.Days, dayRow{Day: day, Weekday: weekdayName(day.Date, v.Lang),
			KindName: kindLabel(day.Kind, v.Lang), SourceName: pick(sourceNames, day.Source, v.Lang)})
	}
	v.Data = d
	return v, d, nil
}

func kindLabel(k calendar.Kind, lang string) string {
	if k == calendar.Workday {
		return kindName(calendar.DayAdjustedWorkday, lang)
	}
	return kindName(calendar.DayHoliday, lang)
}

func (h *handlers) page(w http.ResponseWriter, r *http.Request) error {
	year, err := h.pageYear(r)
	if err != nil {
		return err
	}
	v, d, err := h.view(r, year)
	if err != nil {
		return err
	}
	if err := d.Calc.compute(d.cal, r, v.Lang); err != nil {
		_ = r.ParseForm()
		return h.s.FormError(w, r, viewCalendar, v, err)
	}
	return h.s.Render(w, r, http.StatusOK, viewCalendar, v)
}

// compute answers the calculator forms present in the query.
func (c *calcView) compute(cal *calendar.Calendar, r *http.Request, lang string) error {
	q := r.URL.Query()
	var v yserr.Validation
	if q.Has("add_from") {
		from := formDate(&v, "add_from", q.Get("add_from"))
		days := formInt(&v, "add_days", q.Get("add_days"))
		checkDays(&v, "add_days", days)
		if !v.Has("add_from") && !v.Has("add_days") {
			res := addDays(cal, from, days)
			c.Add, c.AddWeekday = &res, weekdayName(res.Date, lang)
		}
	}
	if q.Has("btw_from") {
		from, to := formDate(&v, "btw_from", q.Get("btw_from")), formDate(&v, "btw_to", q.Get("btw_to"))
		if !v.Has("btw_from") && !v.Has("btw_to") {
			res := between(cal, from, to)
			c.Between = &res
		}
	}
	if q.Has("check_date") {
		if d := formDate(&v, "check_date", q.Get("check_date")); !v.Has("check_date") {
			res := check(cal, d)
			c.Check, c.CheckText = &res, explain(cal, d, lang)
		}
	}
	return v.Err()
}

// formFail re-renders the page for the year of the form with err.
func (h *handlers) formFail(w http.ResponseWriter, r *http.Request, ferr error) error {
	year, err := h.pageYear(r)
	if err != nil {
		year = calendar.FromTime(h.s.App.Clock.Now(), calendar.Shanghai).Year()
	}
	v, _, err := h.view(r, year)
	if err != nil {
		return err
	}
	return h.s.FormError(w, r, viewCalendar, v, ferr)
}

func yearURL(year int, anchor string) string {
	return "/admin/calendar?year=" + strconv.Itoa(year) + anchor
}

// dayInput checks a day set from the form or the API. The service checks
// the kind against the day of the week.
func dayInput(date calendar.Date, kind, name string) (workcal.Day, error) {
	var v yserr.Validation
	d := workcal.Day{Date: date, Kind: calendar.Kind(strings.TrimSpace(kind)), Name: strings.TrimSpace(name)}
	if !d.Kind.Valid() {
		v.Add("kind", "类型须为 holiday（放假）或 workday（调休上班）", "kind must be holiday or workday")
	}
	if utf8.RuneCountInString(d.Name) > 64 {
		v.Add("name", "名称最多 64 字", "the name has at most 64 characters")
	}
	return d, v.Err()
}

// plainFields renames the service's list fields ("days[0].kind") to the
// form's ("kind").
func plainFields(err error) error {
	e := yserr.As(err)
	if e.Code != yserr.Invalid {
		return err
	}
	out := *e
	out.Field = plainField(e.Field)
	out.Fields = make([]yserr.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		f.Field = plainField(f.Field)
		out.Fields[i] = f
	}
	return &out
}

func plainField(f string) string {
	if _, rest, ok := strings.Cut(f, "]."); ok && strings.HasPrefix(f, "days[") {
		return rest
	}
	return f
}

func (h *handlers) setDay(w http.ResponseWriter, r *http.Request) error {
	var v yserr.Validation
	date := formDate(&v, "date", r.PostFormValue("date"))
	if err := v.Err(); err != nil {
		return h.formFail(w, r, err)
	}
	day, err := dayInput(date, r.PostFormValue("kind"), r.PostFormValue("name"))
	if err == nil {
		err = h.s.App.Calendar.Set(r.Context(), day)
	}
	if err != nil {
		return h.formFail(w, r, plainFields(err))
	}
	vw := h.s.View(r, "")
	return h.s.Redirect(w, r, yearURL(date.Year(), "#days"), vw.T("已保存 ", "Saved ")+date.String()+" · "+kindLabel(day.Kind, vw.Lang))
}

func (h *handlers) deleteDay(w http.ResponseWriter, r *http.Request) error {
	date, err := calendar.ParseDate(r.PathValue("date"))
	if err != nil {
		return yserr.Field("date", "日期格式须为 YYYY-MM-DD", "the date must be YYYY-MM-DD")
	}
	if err := h.s.App.Calendar.Delete(r.Context(), date); err != nil {
		return err
	}
	vw := h.s.View(r, "")
	return h.s.Redirect(w, r, yearURL(date.Year(), "#days"), vw.T("已删除 ", "Removed ")+date.String()+vw.T("，该日恢复按星期计算", ": it follows the day of the week again"))
}
