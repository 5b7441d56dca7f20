package calendarh_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

var engines = []db.Dialect{db.SQLite, db.Postgres}

type addResult struct {
	Date     string `json:"date"`
	Deadline string `json:"deadline"`
	HasData  bool   `json:"has_data"`
}

func add(t *testing.T, env *sitetest.Env, tok, from, days string) addResult {
	t.Helper()
	r := env.API(t, tok, "GET", "/api/v1/calendar/add?from="+from+"&days="+days, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("add: %d %s", r.StatusCode, r.Body)
	}
	var res addResult
	r.JSON(t, &res)
	return res
}

func TestCalendarMathsAndEditing(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			staff, admin := env.Token(t, "sjj-staff"), env.Token(t, "admin")

			// Oct 8, Oct 9, Oct 10 (a worked Saturday), Oct 12, Oct 13.
			res := add(t, env, staff, "2026-09-30", "5")
			if res.Date != "2026-10-13" || res.Deadline != "2026-10-13T23:59:59.999999999+08:00" || !res.HasData {
				t.Fatalf("2026-09-30 + 5: %+v", res)
			}
			r := env.API(t, staff, "GET", "/api/v1/calendar/between?from=2026-09-30&to=2026-10-13", nil)
			if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"working_days":5`) {
				t.Fatalf("between: %d %s", r.StatusCode, r.Body)
			}
			r = env.API(t, staff, "GET", "/api/v1/calendar/check?date=2026-10-10", nil)
			for _, want := range []string{`"working_day":true`, `"kind":"adjusted_workday"`, `"name":"国庆节"`} {
				if !strings.Contains(r.Body, want) {
					t.Fatalf("check 2026-10-10: %s", r.Body)
				}
			}
			r = env.API(t, staff, "GET", "/api/v1/calendar/check?date=2026-10-01", nil)
			if !strings.Contains(r.Body, `"working_day":false`) || !strings.Contains(r.Body, `"kind":"holiday"`) {
				t.Fatalf("check 2026-10-01: %s", r.Body)
			}

			// Staff may compute but not edit.
			if r := env.API(t, staff, "PUT", "/api/v1/calendar/days/2026-10-12", map[string]string{"kind": "holiday", "name": "测试"}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("staff edit: %d", r.StatusCode)
			}
			c := env.Login(t, "sjj-staff")
			if r := c.PostForm(t, "/admin/calendar/days", url.Values{"date": {"2026-10-12"}, "kind": {"holiday"}}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("staff form edit: %d", r.StatusCode)
			}
			if r := c.PostForm(t, "/admin/calendar/days/2026-10-10/delete", url.Values{}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("staff delete: %d", r.StatusCode)
			}

			// Editing a day changes the answer; removing it restores it.
			r = env.API(t, admin, "PUT", "/api/v1/calendar/days/2026-10-12", map[string]string{"kind": "holiday", "name": "临时放假"})
			if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"source":"admin"`) {
				t.Fatalf("admin edit: %d %s", r.StatusCode, r.Body)
			}
			if res := add(t, env, staff, "2026-09-30", "5"); res.Date != "2026-10-14" {
				t.Fatalf("after the edit: %+v", res)
			}
			r = env.API(t, staff, "GET", "/api/v1/calendar/days?year=2026", nil)
			if !strings.Contains(r.Body, `{"date":"2026-10-12","kind":"holiday","name":"临时放假","source":"admin"}`) || !strings.Contains(r.Body, `"has_data":true`) {
				t.Fatalf("days: %s", r.Body)
			}
			if r := env.API(t, admin, "DELETE", "/api/v1/calendar/days/2026-10-12", nil); r.StatusCode != http.StatusNoContent {
				t.Fatalf("delete: %d", r.StatusCode)
			}
			if res := add(t, env, staff, "2026-09-30", "5"); res.Date != "2026-10-13" {
				t.Fatalf("after the removal: %+v", res)
			}
			if r := env.API(t, admin, "DELETE", "/api/v1/calendar/days/2026-10-12", nil); r.StatusCode != http.StatusNotFound {
				t.Fatalf("delete again: %d", r.StatusCode)
			}
			// A weekday cannot be an adjusted working day.
			r = env.API(t, admin, "PUT", "/api/v1/calendar/days/2026-10-14", map[string]string{"kind": "workday"})
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"kind"`) {
				t.Fatalf("workday on a Wednesday: %d %s", r.StatusCode, r.Body)
			}
		})
	}
}

func TestCalendarAPIInput(t *testing.T) {
	env := sitetest.New(t, engines[0])
	tok := env.Token(t, "ent")
	for path, want := range map[string]int{
		"/api/v1/calendar/add?from=2026-09-30&days=5":     http.StatusOK,
		"/api/v1/calendar/add?from=2026-02-30&days=5":     http.StatusBadRequest,
		"/api/v1/calendar/add?from=2026-09-30":            http.StatusBadRequest,
		"/api/v1/calendar/add?from=2026-09-30&days=99999": http.StatusBadRequest,
		"/api/v1/calendar/between?from=2026-09-30":        http.StatusBadRequest,
		"/api/v1/calendar/check?date=tomorrow":            http.StatusBadRequest,
		"/api/v1/calendar/days?year=20260":                http.StatusBadRequest,
	} {
		if r := env.API(t, tok, "GET", path, nil); r.StatusCode != want {
			t.Errorf("%s: %d, want %d: %s", path, r.StatusCode, want, r.Body)
		}
	}
	if r := env.API(t, "", "GET", "/api/v1/calendar/add?from=2026-09-30&days=5", nil); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", r.StatusCode)
	}
	// Backwards, and across a year without data.
	if res := add(t, env, tok, "2026-10-08", "-1"); res.Date != "2026-09-30" {
		t.Errorf("2026-10-08 - 1: %+v", res)
	}
	if res := add(t, env, tok, "2031-01-02", "1"); res.HasData {
		t.Errorf("2031 has no data: %+v", res)
	}
}

func TestCalendarPage(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			staff := env.Login(t, "sjj-staff")
			page := staff.Get(t, "/admin/calendar?year=2026")
			if page.StatusCode != http.StatusOK {
				t.Fatalf("staff page: %d", page.StatusCode)
			}
			for _, want := range []string{`data-testid="year-grid"`, `class="c hol" title="2026-10-01 星期四 · 节假日（国庆节）"`, `<span class="fn">国庆节</span>`,
				`class="c adj"`, `data-date="2026-10-10"><span class="d">10</span><span class="mk" aria-hidden="true">班</span>`, "12月", "2027 →", `data-date="2026-11-23"`} {
				if !strings.Contains(page.Body, want) {
					t.Fatalf("page lacks %q", want)
				}
			}
			if strings.Contains(page.Body, `data-testid="set-day"`) || strings.Contains(page.Body, `data-testid="import"`) {
				t.Fatal("staff sees the edit forms")
			}
			if !strings.Contains(page.Body, "c wd today") {
				t.Fatal("today (2026-11-23) is not marked")
			}
			// The calculator.
			calc := staff.Get(t, "/admin/calendar?year=2026&add_from=2026-09-30&add_days=5&btw_from=2026-09-30&btw_to=2026-10-13&check_date=2026-10-10")
			for _, want := range []string{"<strong>2026-10-13</strong> 星期二", "2026-10-13 23:59:59", "<strong>5</strong>", "是工作日", "调休上班（国庆节）"} {
				if !strings.Contains(calc.Body, want) {
					t.Fatalf("calculator lacks %q:\n%s", want, calc.Body)
				}
			}
			if r := staff.Get(t, "/admin/calendar?add_from=2026-13-01&add_days=x"); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `id="add_from-err"`) {
				t.Fatalf("bad calculator input: %d", r.StatusCode)
			}
			if r := staff.Get(t, "/admin/calendar?year=abc"); r.StatusCode != http.StatusBadRequest {
				t.Fatalf("bad year: %d", r.StatusCode)
			}
			if r := staff.Get(t, "/admin/calendar?year=2031"); !strings.Contains(r.Body, `data-testid="no-data"`) {
				t.Fatal("no warning for a year without data")
			}
			if r := env.Anonymous().Get(t, "/admin/calendar"); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("anonymous: %d", r.StatusCode)
			}

			// The admin sets a day through the form.
			admin := env.Login(t, "admin")
			if page := admin.Get(t, "/admin/calendar?year=2026"); !strings.Contains(page.Body, `data-testid="set-day"`) {
				t.Fatal("the admin has no form")
			}
			r := admin.PostForm(t, "/admin/calendar/days", url.Values{"date": {"2026-10-14"}, "kind": {"workday"}, "year": {"2026"}})
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `id="kind-err"`) || !strings.Contains(r.Body, "不是周末") {
				t.Fatalf("workday on a Wednesday: %d", r.StatusCode)
			}
			r = admin.PostForm(t, "/admin/calendar/days", url.Values{"date": {"2026-12-31"}, "kind": {"holiday"}, "name": {"跨年"}, "year": {"2026"}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/calendar?year=2026#days" {
				t.Fatalf("set: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
			page = admin.Get(t, "/admin/calendar?year=2026")
			if !strings.Contains(page.Body, "已保存 2026-12-31") || !strings.Contains(page.Body, `<span class="fn">跨年</span>`) || !strings.Contains(page.Body, "管理员") {
				t.Fatal("the saved day is not shown")
			}
			if r := admin.PostForm(t, "/admin/calendar/days/2026-12-31/delete", url.Values{}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("delete: %d", r.StatusCode)
			}
			if page := admin.Get(t, "/admin/calendar?year=2026"); strings.Contains(page.Body, "跨年") {
				t.Fatal("the removed day is still shown")
			}
		})
	}
}

// upload posts a file (and fields) to the import form.
func upload(t *testing.T, c *sitetest.Client, name, content string) *sitetest.Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("year", "2027")
	f, _ := w.CreateFormFile("file", name)
	_, _ = f.Write([]byte(content))
	_ = w.Close()
	return c.PostMultipart(t, "/admin/calendar/import", w.FormDataContentType(), &b)
}

func TestCalendarImport(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			admin := env.Login(t, "admin")
			badCSV := "date,kind,name\n2027-02-06,holiday,春节\n2027-02-30,holiday,春节\n"
			r := upload(t, admin, "2027.csv", badCSV)
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "第 3 行有误") || !strings.Contains(r.Body, `data-testid="import-error"`) {
				t.Fatalf("bad CSV: %d\n%s", r.StatusCode, r.Body)
			}
			badJSON := "{\n  \"years\": [{\n    \"year\": 2027,\n    \"holidays\": [\n      {\"name\": \"春节\", \"from\": \"2027-02-06\", \"to\": \"2027-02-12\"},\n" +
				"      {\"name\": \"清明节\", \"from\": \"2027-04-31\"}\n    ],\n    \"workdays\": []\n  }]\n}\n"
			r = upload(t, admin, "2027.json", badJSON)
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "第 6 行有误") || !strings.Contains(r.Body, "清明节") {
				t.Fatalf("bad JSON: %d\n%s", r.StatusCode, r.Body)
			}
			tok := env.Token(t, "admin")
			if r := env.API(t, tok, "POST", "/api/v1/calendar/import", badJSON); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "line 6") {
				t.Fatalf("bad JSON by API: %d %s", r.StatusCode, r.Body)
			}
			// Nothing was stored.
			if r := env.API(t, tok, "GET", "/api/v1/calendar/days?year=2027", nil); !strings.Contains(r.Body, `"days":[]`) || !strings.Contains(r.Body, `"has_data":false`) {
				t.Fatalf("after the bad imports: %s", r.Body)
			}

			good := "date,kind,name\n2027-02-06,holiday,春节\n2027-02-08,holiday,春节\n2027-02-20,workday,春节\n"
			r = upload(t, admin, "2027.csv", good)
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/admin/calendar?year=2027#days" {
				t.Fatalf("import: %d %s", r.StatusCode, r.Body)
			}
			page := admin.Get(t, "/admin/calendar?year=2027")
			if !strings.Contains(page.Body, "已导入 3 天（2027-02-06 至 2027-02-20）") || !strings.Contains(page.Body, "导入") || strings.Contains(page.Body, `data-testid="no-data"`) {
				t.Fatalf("after import:\n%s", page.Body)
			}
			if res := add(t, env, tok, "2027-02-05", "1"); res.Date != "2027-02-09" {
				t.Fatalf("2027-02-05 + 1 after import: %+v", res)
			}
			// The API takes JSON and CSV bodies.
			js := `{"years":[{"year":2028,"holidays":[{"name":"元旦","from":"2028-01-01","to":"2028-01-03"}],"workdays":[]}]}`
			r = env.API(t, tok, "POST", "/api/v1/calendar/import", js)
			if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, `"imported":3`) {
				t.Fatalf("JSON import: %d %s", r.StatusCode, r.Body)
			}
			if r := env.API(t, env.Token(t, "sjj-staff"), "POST", "/api/v1/calendar/import", js); r.StatusCode != http.StatusForbidden {
				t.Fatalf("staff import: %d", r.StatusCode)
			}
			if r := upload(t, env.Login(t, "sjj-staff"), "2027.csv", good); r.StatusCode != http.StatusForbidden {
				t.Fatalf("staff form import: %d", r.StatusCode)
			}
		})
	}
}
