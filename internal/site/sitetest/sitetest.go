// Package sitetest runs HTTP scenario tests against the complete server on
// a fresh database (SQLite or PostgreSQL) per test.
//
//	env := sitetest.New(t, db.SQLite)
//	admin := env.Login(t, "admin")            // a browser-like client with a session
//	resp := admin.PostForm(t, "/admin/users", url.Values{...})  // CSRF token added
//	tok := env.Token(t, "admin")              // an API token
//	env.API(t, tok, "GET", "/api/v1/me", nil) // JSON in, JSON out
//
// Seed gives every test the same small world: departments of Xuchang, one
// user per role (password sitetest.Password) and two market entities.
package sitetest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/app"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/config"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/entity"
	"yingshang/internal/module"
	"yingshang/internal/modules"
	"yingshang/internal/secret"
	"yingshang/internal/server"
	"yingshang/internal/site"
)

// Password is every seeded user's password.
const Password = "Test-passw0rd"

// Env is one running server on its own database.
type Env struct {
	App     *app.App
	Modules *modules.Set
	Server  *server.Server
	HTTP    *httptest.Server
	Clock   *clock.Fake
	// Seeded ids.
	Depts    map[string]int64 // by code: XC, XC-YSJ (office), XC-SJJ, XC-SWJ, WD (魏都区), WD-SJJ
	Users    map[string]int64 // by username: admin, supervisor, sjj-admin, sjj-staff, swj-staff, wd-staff, ent
	Entities map[string]int64 // by USCC
}

// Seeded market entities.
const (
	USCCA = "91411002MA9XK1QR11" // 许昌瑞丰商贸有限公司 (魏都区), bound to user "ent"
	USCCB = "91411082MA9XP2Q93Q" // 长葛市恒达机械制造有限公司
)

// Assemble builds the application and every module on d, as the server
// does (config for tests, a fresh key, the official calendar, the job queue
// initialised but not started), with the clock pinned at 2026-11-23 09:00
// Asia/Shanghai.
func Assemble(t testing.TB, d *db.DB) (*app.App, *modules.Set, *clock.Fake) {
	t.Helper()
	return AssembleWith(t, d, nil)
}

// AssembleWith is Assemble with a change to the test configuration (e.g.
// cfg.Modules) before anything is built.
func AssembleWith(t testing.TB, d *db.DB, configure func(cfg *config.Config)) (*app.App, *modules.Set, *clock.Fake) {
	t.Helper()
	return assemble(t, d, modules.All, configure)
}

func assemble(t testing.TB, d *db.DB, list []module.Info, configure func(cfg *config.Config)) (*app.App, *modules.Set, *clock.Fake) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := &config.Config{Addr: "127.0.0.1:0", DataDir: dir, Env: "development", SecureCookies: "false", UploadLimit: 20 << 20,
		LogFormat: "text", LogLevel: "warn", LoginMaxFailures: 5, LoginLockout: 15 * time.Minute, PublicRateLimit: 10000,
		SMSDriver: "log", SMSLogFile: filepath.Join(dir, "sms.log"), BaseURL: "http://yingshang.test", Modules: "all"}
	if configure != nil {
		configure(cfg)
	}
	fake := clock.NewFixed(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))
	keys, err := secret.Parse("k1:" + secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.Assemble(cfg, log, "test", fake, d, keys)
	if err != nil {
		t.Fatal(err)
	}
	a.Jobs.Test = true
	if _, err := a.Calendar.LoadOfficial(ctx); err != nil {
		t.Fatal(err)
	}
	mods, err := modules.BuildFrom(a, list)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Jobs.Init(); err != nil {
		t.Fatal(err)
	}
	return a, mods, fake
}

// New starts a server with the full site on a fresh database of engine e.
// The clock is pinned at 2026-11-23 09:00 Asia/Shanghai and can be moved.
func New(t testing.TB, e db.Dialect) *Env {
	t.Helper()
	return NewWith(t, e, nil)
}

// NewWith is New with a change to the test configuration (see AssembleWith).
func NewWith(t testing.TB, e db.Dialect, configure func(cfg *config.Config)) *Env {
	t.Helper()
	return NewWithModules(t, e, modules.All, configure)
}

// NewWithModules is NewWith on a given list of modules (the example
// module's test adds itself to modules.All).
func NewWithModules(t testing.TB, e db.Dialect, list []module.Info, configure func(cfg *config.Config)) *Env {
	t.Helper()
	a, mods, fake := assemble(t, dbtest.New(t, e), list, configure)
	srv, err := site.New(a, mods)
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{App: a, Modules: mods, Server: srv, Clock: fake, Depts: map[string]int64{}, Users: map[string]int64{}, Entities: map[string]int64{}}
	env.seed(t)
	env.HTTP = httptest.NewServer(srv.Handler())
	t.Cleanup(env.HTTP.Close)
	return env
}

type testWriter struct{ t testing.TB }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// StartJobs runs the job queue for tests that need deliveries.
func (env *Env) StartJobs(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := env.App.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = env.App.Jobs.Stop(sctx)
		cancel()
	})
}

// System returns a context acting as the platform itself.
func System() context.Context { return auth.WithActor(context.Background(), auth.System("test")) }

func (env *Env) seed(t testing.TB) {
	t.Helper()
	ctx := System()
	acc := env.App.Accounts
	dept := func(parent, code, name, kind, region string) {
		d, err := acc.CreateDepartment(ctx, account.DepartmentInput{ParentID: env.Depts[parent], Code: code, Name: name, Kind: kind, RegionCode: region})
		if err != nil {
			t.Fatal(err)
		}
		env.Depts[code] = d.ID
	}
	dept("", "XC", "许昌市人民政府", "city", "411000")
	dept("XC", "XC-YSJ", "许昌市营商环境和企业服务局", "office", "411000")
	dept("XC", "XC-SJJ", "许昌市市场监督管理局", "bureau", "411000")
	dept("XC", "XC-SWJ", "国家税务总局许昌市税务局", "bureau", "411000")
	dept("XC", "WD", "魏都区人民政府", "county", "411002")
	dept("WD", "WD-SJJ", "魏都区市场监督管理局", "bureau", "411002")
	ents := []entity.Input{
		{USCC: USCCA, Name: "许昌瑞丰商贸有限公司", Type: "有限责任公司", LegalRepName: "王建国", LegalRepID: "41100219850312001X",
			RegionCode: "411002", IndustryCode: "5191", FoundedOn: "2016-05-18", Phone: "13937451234", DepartmentID: env.Depts["WD-SJJ"], Tags: []string{"专精特新"}},
		{USCC: USCCB, Name: "长葛市恒达机械制造有限公司", Type: "有限责任公司", LegalRepName: "李秀英", LegalRepID: "41108219781123004X",
			RegionCode: "411082", IndustryCode: "3431", FoundedOn: "2009-03-02", Phone: "13803745678", DepartmentID: env.Depts["XC-SJJ"]},
	}
	for _, in := range ents {
		e, err := env.App.Entities.Create(ctx, in)
		if err != nil {
			t.Fatalf("seed entity %s: %v", in.USCC, err)
		}
		env.Entities[in.USCC] = e.ID
	}
	user := func(username, name string, dept string, ent string, roles ...auth.Role) {
		u, err := acc.CreateUser(ctx, account.UserInput{Username: username, DisplayName: name, Password: Password,
			DepartmentID: env.Depts[dept], EntityID: env.Entities[ent], Roles: roles, Phone: "13700000000"})
		if err != nil {
			t.Fatalf("seed user %s: %v", username, err)
		}
		env.Users[username] = u.ID
	}
	user("admin", "平台管理员", "XC-YSJ", "", auth.PlatformAdmin)
	user("supervisor", "纪检监督员", "", "", auth.Supervisor)
	user("sjj-admin", "市监局管理员", "XC-SJJ", "", auth.DeptAdmin)
	user("sjj-staff", "市监局工作人员", "XC-SJJ", "", auth.DeptStaff)
	user("swj-staff", "税务局工作人员", "XC-SWJ", "", auth.DeptStaff)
	user("wd-staff", "魏都区市监局工作人员", "WD-SJJ", "", auth.DeptStaff)
	user("ent", "王建国", "", USCCA, auth.Enterprise)
}

// Client is a browser-like client with a cookie jar.
type Client struct {
	env  *Env
	HTTP *http.Client
	CSRF string
}

// Anonymous returns a client without a session.
func (env *Env) Anonymous() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{env: env, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// Login signs username in with Password and returns the client.
func (env *Env) Login(t testing.TB, username string) *Client {
	t.Helper()
	c := env.Anonymous()
	resp := c.PostForm(t, "/login", url.Values{"username": {username}, "password": {Password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d: %s", username, resp.StatusCode, resp.Body)
	}
	c.RefreshCSRF(t)
	return c
}

// RefreshCSRF reads the session's CSRF token from the dashboard (for a
// client that signed in some other way, such as by registering).
func (c *Client) RefreshCSRF(t testing.TB) {
	t.Helper()
	page := c.Get(t, "/")
	m := csrfRe.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no CSRF token on the dashboard (status %d)", page.StatusCode)
	}
	c.CSRF = m[1]
}

// Response is a read response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       string
}

// JSON decodes the body into v.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

func (c *Client) do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// Get fetches a path.
func (c *Client) Get(t testing.TB, path string) *Response {
	t.Helper()
	req, _ := http.NewRequest("GET", c.env.HTTP.URL+path, nil)
	return c.do(t, req)
}

// PostForm submits a form, adding the CSRF token.
func (c *Client) PostForm(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	if c.CSRF != "" && form.Get("_csrf") == "" {
		form.Set("_csrf", c.CSRF)
	}
	req, _ := http.NewRequest("POST", c.env.HTTP.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(t, req)
}

// PostMultipart uploads a body built by the caller (mime/multipart), adding the CSRF header.
func (c *Client) PostMultipart(t testing.TB, path, contentType string, body io.Reader) *Response {
	t.Helper()
	req, _ := http.NewRequest("POST", c.env.HTTP.URL+path, body)
	req.Header.Set("Content-Type", contentType)
	if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	return c.do(t, req)
}

// Token creates an API token acting as username.
func (env *Env) Token(t testing.TB, username string) string {
	t.Helper()
	raw, _, err := env.App.Accounts.CreateToken(System(), env.Users[username], "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// API calls the JSON API with a bearer token ("" for none); body is
// marshalled to JSON unless it is nil, a string or []byte.
func (env *Env) API(t testing.TB, token, method, path string, body any) *Response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, env.HTTP.URL+path, r)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return env.Anonymous().do(t, req)
}

var smsCodeRe = regexp.MustCompile(`(?:验证码为|verification code is )(\d{6})`)

// LastSMSCode returns the newest SMS verification code sent to phone, read
// from the outbox (the message body is stored; its data is not).
func (env *Env) LastSMSCode(t testing.TB, phone string) string {
	t.Helper()
	ctx := context.Background()
	rows, err := env.App.DB.Q(ctx).Query(ctx, "SELECT address_enc, body FROM notifications WHERE msg_type = 'account.sms_code' AND channel = 'sms' ORDER BY id DESC")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var enc []byte
		var body string
		if err := rows.Scan(&enc, &body); err != nil {
			t.Fatal(err)
		}
		if to, err := env.App.Keys.Decrypt(enc); err == nil && to == phone {
			m := smsCodeRe.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no code in %q", body)
			}
			return m[1]
		}
	}
	t.Fatalf("no SMS code was sent to %s", phone)
	return ""
}
