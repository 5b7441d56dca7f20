package licenses_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"yingshang/internal/modules"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/license"
	"yingshang/internal/site/sitetest"
)

// setup creates a catalogue entry for XC-SJJ and imports two licences by
// API: L1 for the bound enterprise (USCCA), L2 for USCCB.
func setup(t *testing.T, env *sitetest.Env) string {
	t.Helper()
	tok := env.Token(t, "sjj-admin")
	r := env.API(t, tok, "POST", "/api/v1/license-types", license.TypeInput{Code: "SP-JY", Name: "食品经营许可证", ChannelsOffline: "市民之家", Materials: "申请书", Active: true})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create type: %d %s", r.StatusCode, r.Body)
	}
	in := map[string]any{"licenses": []license.LicenseInput{
		{TypeCode: "SP-JY", Number: "L1", HolderName: "许昌瑞丰商贸有限公司", HolderCode: sitetest.USCCA, Phone: "13800001111", IssuedOn: "2021-12-23", ExpiresOn: "2026-12-23"},
		{TypeCode: "SP-JY", Number: "L2", HolderName: "长葛市恒达机械制造有限公司", HolderCode: sitetest.USCCB, Phone: "13800002222", IssuedOn: "2021-12-26", ExpiresOn: "2026-12-26"},
	}}
	r = env.API(t, tok, "POST", "/api/v1/licenses/import", in)
	var rep license.ImportReport
	r.JSON(t, &rep)
	if r.StatusCode != 200 || rep.Created != 2 {
		t.Fatalf("import: %d %s", r.StatusCode, r.Body)
	}
	return tok
}

func scanAt(t *testing.T, env *sitetest.Env, day string) license.Summary {
	t.Helper()
	d := calendar.MustParseDate(day)
	y, m, dd := d.Date()
	env.Clock.Set(time.Date(y, m, dd, 9, 5, 0, 0, calendar.Shanghai))
	sum, err := modules.Get[*license.Service](env.Modules).Scan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestLicenseFlow(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			setup(t, env)
			if sum := scanAt(t, env, "2026-11-23"); sum[license.StageRemind1] != 1 {
				t.Fatalf("first scan: %v", sum)
			}
			ent := env.Login(t, "ent")
			r := ent.Get(t, "/my/licenses")
			if r.StatusCode != 200 || !strings.Contains(r.Body, `<span class="mono small">L1</span>`) || strings.Contains(r.Body, `<span class="mono small">L2</span>`) || !strings.Contains(r.Body, "剩 30 天") {
				t.Fatalf("my licences: %d\n%s", r.StatusCode, r.Body)
			}
			id1, id2 := lookup(t, env, "L1"), lookup(t, env, "L2")
			if r := ent.PostForm(t, fmt.Sprintf("/my/licenses/%d/answer", id1), url.Values{"answer": {"renewing"}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("answer: %d %s", r.StatusCode, r.Body)
			}
			if r := ent.PostForm(t, fmt.Sprintf("/my/licenses/%d/answer", id2), url.Values{"answer": {"renewed"}}); r.StatusCode != http.StatusNotFound {
				t.Fatalf("answer for another holder: %d", r.StatusCode)
			}
			// Day -3 of L2 (2026-12-23) is a Wednesday: listed that day; L1 expires that day and lapses.
			scanAt(t, env, "2026-12-16")
			if sum := scanAt(t, env, "2026-12-23"); sum[license.StageFollowup] != 1 || sum[license.StageLapsed] != 1 {
				t.Fatalf("follow-up scan: %v", sum)
			}
			staff := env.Login(t, "sjj-staff")
			r = staff.Get(t, "/licenses/followups")
			if r.StatusCode != 200 || !strings.Contains(r.Body, "13800002222") {
				t.Fatalf("staff follow-ups: %d\n%s", r.StatusCode, r.Body)
			}
			admin := env.Login(t, "sjj-admin")
			if r := admin.Get(t, "/licenses/followups"); !strings.Contains(r.Body, "138****2222") || strings.Contains(r.Body, "13800002222") {
				t.Fatalf("admin sees unmasked phone:\n%s", r.Body)
			}
			r = staff.PostForm(t, fmt.Sprintf("/licenses/%d/contacts", id2), url.Values{"method": {"call"}, "outcome": {"renewing"}, "note": {"已电话告知"}, "back": {"/licenses/followups"}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/licenses/followups" {
				t.Fatalf("record call: %d %s", r.StatusCode, r.Body)
			}
			if r := staff.PostForm(t, fmt.Sprintf("/licenses/%d/contacts", id2), url.Values{"method": {"fax"}}); r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusBadRequest {
				t.Fatalf("bad contact form: %d", r.StatusCode)
			}
			// Importing the renewed licence of L2 by ledger file moves the renewal rate.
			dash := env.Login(t, "admin")
			if r := dash.Get(t, "/licenses/dashboard"); !strings.Contains(r.Body, `data-testid="stat-rate">0.0%<`) {
				t.Fatalf("dashboard before: %s", r.Body)
			}
			body, ct := ledger(t, []any{"SP-JY", "L2-2031", "长葛市恒达机械制造有限公司", sitetest.USCCB, "13800002222", "2026-12-23", "2031-12-22", "否", "否"})
			r = admin.PostMultipart(t, "/licenses/import", ct, body)
			if r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="import-renewed">1<`) {
				t.Fatalf("ledger import: %d\n%s", r.StatusCode, r.Body)
			}
			if r := dash.Get(t, "/licenses/dashboard"); !strings.Contains(r.Body, `data-testid="stat-rate">50.0%<`) {
				t.Fatalf("dashboard after: %s", r.Body)
			}
			for _, p := range []string{"/licenses", fmt.Sprintf("/licenses/%d", id2), "/licenses/catalogue", "/licenses/catalogue/new", "/licenses/import"} {
				if r := admin.Get(t, p); r.StatusCode != 200 {
					t.Errorf("GET %s: %d", p, r.StatusCode)
				}
			}
		})
	}
}

func lookup(t *testing.T, env *sitetest.Env, number string) int64 {
	t.Helper()
	var id int64
	if err := env.App.DB.Q(context.Background()).QueryRow(context.Background(), "SELECT id FROM licenses WHERE number = $1", number).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func ledger(t *testing.T, rows ...[]any) (*bytes.Buffer, string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	_ = f.SetSheetName("Sheet1", license.SheetName)
	head := []any{}
	for _, c := range license.Columns {
		head = append(head, c.Header)
	}
	_ = f.SetSheetRow(license.SheetName, "A1", &head)
	for i, r := range rows {
		_ = f.SetSheetRow(license.SheetName, fmt.Sprintf("A%d", i+2), &r)
	}
	var x bytes.Buffer
	if err := f.Write(&x); err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("mode", "all_or_nothing")
	fw, _ := mw.CreateFormFile("file", "ledger.xlsx")
	_, _ = fw.Write(x.Bytes())
	_ = mw.Close()
	return &body, mw.FormDataContentType()
}

// TestAuthorisationMatrix checks who may call what (role x endpoint).
func TestAuthorisationMatrix(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	setup(t, env)
	id := lookup(t, env, "L2")
	cases := []struct {
		path string
		want map[string]int
	}{
		{"/licenses", map[string]int{"admin": 200, "supervisor": 200, "sjj-admin": 200, "sjj-staff": 200, "swj-staff": 200, "ent": 403}},
		{fmt.Sprintf("/licenses/%d", id), map[string]int{"admin": 200, "supervisor": 200, "sjj-admin": 200, "sjj-staff": 200, "swj-staff": 404, "wd-staff": 404, "ent": 403}},
		{"/licenses/followups", map[string]int{"admin": 200, "supervisor": 403, "sjj-staff": 200, "swj-staff": 200, "ent": 403}},
		{"/licenses/import", map[string]int{"admin": 200, "sjj-admin": 200, "sjj-staff": 403, "ent": 403}},
		{"/licenses/dashboard", map[string]int{"admin": 200, "supervisor": 200, "sjj-admin": 200, "sjj-staff": 403, "ent": 403}},
		{"/my/licenses", map[string]int{"ent": 200, "sjj-staff": 403}},
	}
	for _, c := range cases {
		for user, want := range c.want {
			if r := env.Login(t, user).Get(t, c.path); r.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", user, c.path, r.StatusCode, want)
			}
		}
	}
	api := []struct {
		method, path string
		body         any
		want         map[string]int
	}{
		{"GET", "/api/v1/licenses", nil, map[string]int{"swj-staff": 200, "ent": 200}},
		{"GET", fmt.Sprintf("/api/v1/licenses/%d", id), nil, map[string]int{"sjj-staff": 200, "swj-staff": 404, "ent": 404}},
		{"POST", fmt.Sprintf("/api/v1/licenses/%d/status", id), StatusBody{"revoked"}, map[string]int{"swj-staff": 404, "ent": 403, "supervisor": 403}},
		{"POST", "/api/v1/licenses/import", map[string]any{"licenses": []any{}}, map[string]int{"sjj-staff": 403, "ent": 403, "sjj-admin": 200}},
		{"GET", "/api/v1/license-stats", nil, map[string]int{"sjj-staff": 403, "supervisor": 200}},
		{"GET", "/api/v1/license-followups", nil, map[string]int{"ent": 403, "sjj-staff": 200}},
	}
	for _, c := range api {
		for user, want := range c.want {
			if r := env.API(t, env.Token(t, user), c.method, c.path, c.body); r.StatusCode != want {
				t.Errorf("%s %s %s: %d, want %d (%s)", user, c.method, c.path, r.StatusCode, want, r.Body)
			}
		}
	}
	// Department staff in scope see the unmasked phone by API; others in scope (admin) masked.
	var l license.License
	env.API(t, env.Token(t, "sjj-staff"), "GET", fmt.Sprintf("/api/v1/licenses/%d", id), nil).JSON(t, &l)
	if l.Phone != "13800002222" {
		t.Errorf("staff phone %q", l.Phone)
	}
	env.API(t, env.Token(t, "sjj-admin"), "GET", fmt.Sprintf("/api/v1/licenses/%d", id), nil).JSON(t, &l)
	if l.Phone != "138****2222" {
		t.Errorf("admin phone %q", l.Phone)
	}
}

// StatusBody is a status change.
type StatusBody struct {
	Status string `json:"status"`
}
