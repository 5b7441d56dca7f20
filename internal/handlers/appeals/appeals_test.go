package appeals_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"yingshang/internal/modules"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"yingshang/internal/appeal"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

var engines = []db.Dialect{db.SQLite, db.Postgres}

// seedAppeal submits an appeal as "ent" through the API and returns it.
func seedAppeal(t *testing.T, env *sitetest.Env, tok string) appeal.Appeal {
	t.Helper()
	resp := env.API(t, tok, "POST", "/api/v1/appeals", map[string]any{"kind": "help", "topic": "开办企业",
		"title": "分公司登记咨询", "description": "请问设立分公司需要哪些材料？", "publishable": true})
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	var a appeal.Appeal
	resp.JSON(t, &a)
	return a
}

// TestAuthorisationMatrix: role x endpoint -> status.
func TestAuthorisationMatrix(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			toks := map[string]string{"": ""}
			for _, u := range []string{"admin", "supervisor", "sjj-admin", "sjj-staff", "swj-staff", "wd-staff", "ent"} {
				toks[u] = env.Token(t, u)
			}
			a := seedAppeal(t, env, toks["ent"])
			get := fmt.Sprintf("/api/v1/appeals/%d", a.ID)
			cases := []struct {
				method, path string
				body         any
				want         map[string]int
			}{
				{"GET", get, nil, map[string]int{"": 401, "admin": 200, "supervisor": 200, "sjj-admin": 404, "sjj-staff": 404, "wd-staff": 404, "ent": 200}},
				{"GET", get + "/timeline", nil, map[string]int{"": 401, "admin": 200, "supervisor": 200, "sjj-staff": 404, "ent": 200}},
				{"GET", "/api/v1/appeals/stats", nil, map[string]int{"": 401, "admin": 200, "supervisor": 200, "sjj-staff": 200, "ent": 403}},
				{"GET", "/api/v1/appeals/alerts", nil, map[string]int{"": 401, "admin": 200, "supervisor": 200, "sjj-staff": 403, "ent": 403}},
				{"GET", "/api/v1/appeals?queue=dispatch", nil, map[string]int{"": 401, "admin": 200, "supervisor": 403, "sjj-staff": 403, "ent": 403}},
				{"PUT", "/api/v1/appeals/settings", map[string]any{"warn_half_days": 1}, map[string]int{"": 401, "admin": 200, "supervisor": 403, "sjj-admin": 403, "ent": 403}},
				{"POST", "/api/v1/appeals/routes", map[string]any{"topic": "纳税", "dept_id": env.Depts["XC-SWJ"]}, map[string]int{"": 401, "admin": 201, "sjj-staff": 403, "ent": 403}},
				{"POST", get + "/transitions", map[string]any{"action": "accept"}, map[string]int{"": 401, "supervisor": 403, "sjj-staff": 404, "ent": 403, "admin": 200}},
				{"POST", "/api/v1/appeals", map[string]any{"uscc": sitetest.USCCB, "kind": "consult", "topic": "纳税", "title": "t", "description": "d"},
					map[string]int{"": 401, "sjj-staff": 403, "supervisor": 403, "admin": 201}},
				{"GET", "/api/v1/public/appeal-cases", nil, map[string]int{"": 200, "ent": 200}},
				{"GET", "/api/v1/appeals/transitions", nil, map[string]int{"": 200}},
			}
			for _, c := range cases {
				for user, want := range c.want {
					resp := env.API(t, toks[user], c.method, c.path, c.body)
					if resp.StatusCode != want {
						t.Errorf("%s %s as %q: %d, want %d (%s)", c.method, c.path, user, resp.StatusCode, want, resp.Body)
					}
				}
			}
			// After assignment the lead department sees it, others still not.
			env.API(t, toks["admin"], "POST", get+"/transitions", map[string]any{"action": "assign", "dept_id": env.Depts["XC-SJJ"]})
			for user, want := range map[string]int{"sjj-staff": 200, "sjj-admin": 200, "swj-staff": 404, "wd-staff": 404} {
				if resp := env.API(t, toks[user], "GET", get, nil); resp.StatusCode != want {
					t.Errorf("after assign, %s: %d want %d", user, resp.StatusCode, want)
				}
			}
			// Stale version: 409.
			resp := env.API(t, toks["sjj-staff"], "POST", get+"/transitions", map[string]any{"action": "claim", "version": 1})
			if resp.StatusCode != 409 {
				t.Errorf("stale claim: %d %s", resp.StatusCode, resp.Body)
			}
			// HTML pages.
			for user, paths := range map[string]map[string]int{
				"ent":        {"/appeals?queue=mine": 200, "/appeals/new": 200, fmt.Sprintf("/appeals/%d", a.ID): 200, "/appeals/dashboard": 403, "/appeals/alerts": 403},
				"supervisor": {"/appeals": 200, "/appeals/dashboard": 200, "/appeals/alerts": 200, fmt.Sprintf("/appeals/%d", a.ID): 200},
				"wd-staff":   {"/appeals": 200, fmt.Sprintf("/appeals/%d", a.ID): 404},
			} {
				c := env.Login(t, user)
				for p, want := range paths {
					if r := c.Get(t, p); r.StatusCode != want {
						t.Errorf("GET %s as %s: %d want %d", p, user, r.StatusCode, want)
					}
				}
			}
			if r := env.Anonymous().Get(t, "/appeals/new?uscc="+sitetest.USCCA); r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "/login?next=") {
				t.Errorf("anonymous new appeal: %d %s", r.StatusCode, r.Header.Get("Location"))
			}
		})
	}
}

// TestFromQRPage: the public 一企一码 page offers the appeal form for its
// entity; a visitor who is not signed in is sent to sign in and comes back
// to the form, which then records the channel 扫码; a signed-in account of
// another business is told to sign in with this business's account.
func TestFromQRPage(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	anon := env.Anonymous()
	page := anon.Get(t, "/e/"+sitetest.USCCA)
	want := `href="/appeals/new?uscc=` + sitetest.USCCA + `" data-testid="public-appeal"`
	if page.StatusCode != 200 || !strings.Contains(page.Body, want) {
		t.Fatalf("QR page (%d) lacks %s", page.StatusCode, want)
	}
	r := anon.Get(t, "/appeals/new?uscc="+sitetest.USCCA)
	next, err := url.Parse(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || err != nil || next.Path != "/login" {
		t.Fatalf("not signed in: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	login := anon.Get(t, next.String())
	if !strings.Contains(login.Body, `name="next" value="/appeals/new?uscc=`+sitetest.USCCA+`"`) {
		t.Fatalf("the login form lost where to go back to:\n%s", login.Body)
	}
	r = anon.PostForm(t, "/login", url.Values{"username": {"ent"}, "password": {sitetest.Password}, "next": {next.Query().Get("next")}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/appeals/new?uscc="+sitetest.USCCA {
		t.Fatalf("sign in: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	form := anon.Get(t, r.Header.Get("Location"))
	if form.StatusCode != 200 || !strings.Contains(form.Body, sitetest.USCCA) || !strings.Contains(form.Body, `name="from_qr" value="1"`) {
		t.Fatalf("form after sign-in: %d\n%s", form.StatusCode, form.Body)
	}
	// Intake staff opening the same link get the intake form with the code
	// filled in and choose the channel themselves.
	admin := env.Login(t, "admin")
	form = admin.Get(t, "/appeals/new?uscc="+sitetest.USCCB)
	if form.StatusCode != 200 || !strings.Contains(form.Body, `value="`+sitetest.USCCB+`"`) || strings.Contains(form.Body, "from_qr") {
		t.Fatalf("intake form from the QR link: %d", form.StatusCode)
	}
	// Another business's account is refused with a reason.
	if r := env.Login(t, "ent").Get(t, "/appeals/new?uscc="+sitetest.USCCB); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "请用该企业的账户登录") {
		t.Fatalf("other business: %d", r.StatusCode)
	}
}

// TestPagesClosedLoop drives the HTML forms through the loop, with an
// attachment checked by content.
func TestPagesClosedLoop(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	ent := env.Login(t, "ent")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"kind": "complaint", "topic": "执法检查", "title": "重复检查", "description": "一个月内被检查三次。", "publishable": "on", "from_qr": "1", "_csrf": ent.CSRF} {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "photo.png")
	_, _ = fw.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"))
	_ = mw.Close()
	r := ent.PostMultipart(t, "/appeals/new", mw.FormDataContentType(), &body)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.StatusCode, r.Body)
	}
	loc := r.Header.Get("Location")
	page := ent.Get(t, loc)
	if !strings.Contains(page.Body, "YS-2026-000001") || !strings.Contains(page.Body, "photo.png") || !strings.Contains(page.Body, "扫码提交") {
		t.Fatalf("detail page lacks number, file or channel:\n%s", page.Body)
	}
	// The attachment downloads from the file store with its type, nosniff
	// and an RFC 6266 name; another enterprise cannot fetch it.
	atts, err := modules.Get[*appeal.Service](env.Modules).Attachments(sitetest.System(), appealIDFrom(t, loc))
	if err != nil || len(atts) != 1 {
		t.Fatalf("attachments: %v %d", err, len(atts))
	}
	dl := ent.Get(t, fmt.Sprintf("/appeals/files/%d", atts[0].ID))
	if dl.StatusCode != 200 || dl.Header.Get("Content-Type") != "image/png" || dl.Header.Get("X-Content-Type-Options") != "nosniff" ||
		dl.Header.Get("Content-Disposition") != `inline; filename="photo.png"; filename*=UTF-8''photo.png` || !strings.HasPrefix(dl.Body, "\x89PNG") {
		t.Fatalf("download: %d %v", dl.StatusCode, dl.Header)
	}
	if r := env.Login(t, "wd-staff").Get(t, fmt.Sprintf("/appeals/files/%d", atts[0].ID)); r.StatusCode != http.StatusNotFound {
		t.Fatalf("out-of-scope download: %d", r.StatusCode)
	}
	// A forbidden type is refused with the field, nothing stored.
	body.Reset()
	mw = multipart.NewWriter(&body)
	_ = mw.WriteField("_csrf", ent.CSRF)
	fw, _ = mw.CreateFormFile("file", "evil.png")
	_, _ = fw.Write([]byte("<html><script>alert(1)</script></html>"))
	_ = mw.Close()
	if r := ent.PostMultipart(t, loc+"/attach", mw.FormDataContentType(), &body); r.StatusCode != 400 {
		t.Fatalf("html attachment: %d", r.StatusCode)
	}
	admin, staff := env.Login(t, "admin"), env.Login(t, "sjj-staff")
	act := func(c *sitetest.Client, form url.Values, wantState string) {
		t.Helper()
		r := c.PostForm(t, loc+"/act", form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("%v: %d %s", form, r.StatusCode, r.Body)
		}
		if p := admin.Get(t, loc); !strings.Contains(p.Body, `data-testid="appeal-state">`+wantState) {
			t.Fatalf("%v: state is not %s", form, wantState)
		}
	}
	act(admin, url.Values{"action": {"accept"}}, "已受理")
	act(admin, url.Values{"action": {"assign"}, "dept_id": {fmt.Sprint(env.Depts["XC-SJJ"])}}, "已交办")
	act(staff, url.Values{"action": {"claim"}}, "办理中")
	// A reply without text re-renders the form with the field error.
	if r := staff.PostForm(t, loc+"/act", url.Values{"action": {"reply"}}); r.StatusCode != 400 || !strings.Contains(r.Body, "请填写答复内容") {
		t.Fatalf("empty reply: %d", r.StatusCode)
	}
	act(staff, url.Values{"action": {"reply"}, "note": {"已推行综合查一次。"}}, "已答复")
	act(ent, url.Values{"action": {"rate"}, "rating": {"unsatisfied"}}, "已评价")
	act(ent, url.Values{"action": {"reopen"}}, "已重办")
	if r := ent.PostForm(t, loc+"/act", url.Values{"action": {"reopen"}}); r.StatusCode != 409 {
		t.Fatalf("reopen from reopened: %d", r.StatusCode)
	}
	xl := admin.Get(t, "/appeals/export.xlsx")
	if xl.StatusCode != 200 || !strings.HasPrefix(xl.Body, "PK") {
		t.Fatalf("export: %d", xl.StatusCode)
	}
	if d := admin.Get(t, "/appeals/dashboard"); d.StatusCode != 200 || !strings.Contains(d.Body, `data-testid="stat-total">1<`) {
		t.Fatalf("dashboard: %d", d.StatusCode)
	}
}

func compileSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	out := map[string]*jsonschema.Schema{}
	files, _ := filepath.Glob("testdata/open311/*.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id := "open311/" + filepath.Base(f)
		if err := c.AddResource(id, doc); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		id := "open311/" + filepath.Base(f)
		s, err := c.Compile(id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = s
	}
	return out
}

func validate(t *testing.T, schemas map[string]*jsonschema.Schema, name, body string) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", name, err, body)
	}
	if err := schemas[name].Validate(inst); err != nil {
		t.Fatalf("%s does not follow the schema: %v\n%s", name, err, body)
	}
}

// TestOpen311 checks every endpoint in JSON (against the schemas) and XML.
func TestOpen311(t *testing.T) {
	schemas := compileSchemas(t)
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			anon := env.Anonymous()
			get := func(p string, want int) string {
				t.Helper()
				r := anon.Get(t, p)
				if r.StatusCode != want {
					t.Fatalf("GET %s: %d %s", p, r.StatusCode, r.Body)
				}
				return r.Body
			}
			validate(t, schemas, "discovery", get("/open311/v2/discovery.json", 200))
			svcs := get("/open311/v2/services.json", 200)
			validate(t, schemas, "services", svcs)
			if !strings.Contains(svcs, `"service_code":"complaint-04"`) {
				t.Fatalf("services: %s", svcs)
			}
			validate(t, schemas, "service_definition", get("/open311/v2/services/help-01.json", 200))
			validate(t, schemas, "errors", get("/open311/v2/services/nope.json", 404))
			if x := get("/open311/v2/services.xml", 200); !strings.Contains(x, "<services><service><service_code>consult-01</service_code>") {
				t.Fatalf("services.xml: %s", x)
			}
			// POST needs a valid key.
			post := func(key string, form url.Values) *sitetest.Response {
				form.Set("api_key", key)
				req, _ := http.NewRequest("POST", env.HTTP.URL+"/open311/v2/requests.json", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var b bytes.Buffer
				_, _ = b.ReadFrom(resp.Body)
				return &sitetest.Response{StatusCode: resp.StatusCode, Body: b.String()}
			}
			form := url.Values{"service_code": {"complaint-04"}, "description": {"执法人员未出示证件。"}, "attribute[uscc]": {sitetest.USCCA},
				"attribute[publishable]": {"true"}}
			if r := post("bad-key", form); r.StatusCode != 403 {
				t.Fatalf("bad key: %d", r.StatusCode)
			} else {
				validate(t, schemas, "errors", r.Body)
			}
			if r := post(env.Token(t, "sjj-staff"), form); r.StatusCode != 403 {
				t.Fatalf("non-intake key: %d %s", r.StatusCode, r.Body)
			}
			r := post(env.Token(t, "admin"), form)
			if r.StatusCode != 201 {
				t.Fatalf("post: %d %s", r.StatusCode, r.Body)
			}
			validate(t, schemas, "post_response", r.Body)
			var created []map[string]string
			_ = json.Unmarshal([]byte(r.Body), &created)
			id := created[0]["service_request_id"]
			// Public view: publishable appeals, title only.
			list := get("/open311/v2/requests.json?status=open&service_code=complaint-04", 200)
			validate(t, schemas, "requests", list)
			if !strings.Contains(list, id) || !strings.Contains(list, `"expected_datetime"`) || !strings.Contains(list, `"state":"submitted"`) {
				t.Fatalf("requests.json: %s", list)
			}
			one := get("/open311/v2/requests/"+id+".json", 200)
			validate(t, schemas, "requests", one)
			if strings.Contains(one, sitetest.USCCA) || strings.Contains(one, "瑞丰") {
				t.Fatalf("public request shows the entity: %s", one)
			}
			validate(t, schemas, "requests", get("/open311/v2/requests.json?status=closed", 200))
			validate(t, schemas, "errors", get("/open311/v2/requests.json?status=maybe", 400))
			validate(t, schemas, "errors", get("/open311/v2/requests/YS-2026-999999.json", 404))
			validate(t, schemas, "tokens", get("/open311/v2/tokens/"+id+".json?api_key="+url.QueryEscape(env.Token(t, "admin")), 200))
			if x := get("/open311/v2/requests/"+id+".xml", 200); !strings.Contains(x, "<service_requests><request><service_request_id>"+id) ||
				!strings.Contains(x, "<extended_attributes><state>submitted</state>") {
				t.Fatalf("xml: %s", x)
			}
		})
	}
}

// appealIDFrom reads the id from an appeal page's address (/appeals/7).
func appealIDFrom(t *testing.T, loc string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(loc[strings.LastIndexByte(loc, '/')+1:], 10, 64)
	if err != nil {
		t.Fatalf("appeal address %q: %v", loc, err)
	}
	return id
}
