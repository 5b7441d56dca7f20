package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"yingshang/internal/yserr"
)

// problemFor renders err for a request to path with the Accept-Language.
func problemFor(t *testing.T, err error, path, acceptLang string) (*httptest.ResponseRecorder, Problem) {
	t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if acceptLang != "" {
		r.Header.Set("Accept-Language", acceptLang)
	}
	w := httptest.NewRecorder()
	WriteProblem(w, r, err)
	return w, decodeProblem(t, w)
}

func decodeProblem(t *testing.T, w *httptest.ResponseRecorder) Problem {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, body %s", ct, w.Body)
	}
	var p Problem
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if p.Status != w.Code {
		t.Errorf("status member %d != HTTP status %d", p.Status, w.Code)
	}
	return p
}

func TestProblemPerCode(t *testing.T) {
	cases := []struct {
		code   yserr.Code
		status int
		title  string
	}{
		{yserr.Invalid, 400, "Invalid request"},
		{yserr.Unauthorized, 401, "Unauthorized"},
		{yserr.Forbidden, 403, "Forbidden"},
		{yserr.NotFound, 404, "Not found"},
		{yserr.Conflict, 409, "Conflict"},
		{yserr.TooLarge, 413, "Request too large"},
		{yserr.TooMany, 429, "Too many requests"},
		{yserr.Unavailable, 503, "Service unavailable"},
	}
	for _, c := range cases {
		t.Run(string(c.code), func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", yserr.New(c.code, "中文说明", "English text"))
			w, p := problemFor(t, err, "/api/v1/things/7", "en-US,en;q=0.9")
			if w.Code != c.status {
				t.Errorf("status = %d, want %d", w.Code, c.status)
			}
			want := Problem{Type: "/problems/" + string(c.code), Title: c.title, Status: c.status,
				Detail: "English text", Instance: "/api/v1/things/7", Code: c.code}
			if fmt.Sprint(p) != fmt.Sprint(want) {
				t.Errorf("problem = %+v\nwant      %+v", p, want)
			}
			if got := w.Header().Get("WWW-Authenticate"); (got != "") != (c.status == 401) {
				t.Errorf("WWW-Authenticate = %q for %d", got, c.status)
			}
			if w.Header().Get("Content-Language") != "en" {
				t.Errorf("Content-Language = %q", w.Header().Get("Content-Language"))
			}
		})
	}
}

func TestProblemChineseByDefault(t *testing.T) {
	_, p := problemFor(t, yserr.ErrNotFound("经营主体", "market entity"), "/x", "")
	if p.Detail != "未找到经营主体" || p.Title != "资源不存在" {
		t.Errorf("problem = %+v", p)
	}
	_, p = problemFor(t, yserr.ErrNotFound("经营主体", "market entity"), "/x", "fr-FR,en;q=0.5")
	if p.Detail != "market entity not found" {
		t.Errorf("English listed after an unsupported language: %+v", p)
	}
}

func TestProblemFieldErrors(t *testing.T) {
	var v yserr.Validation
	v.Add("name", "必填", "is required")
	v.Add("founded_on", "日期格式不正确", "is not a date")
	_, p := problemFor(t, v.Err(), "/api/v1/entities", "en")
	if p.Field != "name" || p.Code != yserr.Invalid || p.Detail != "is required (2 errors in total)" {
		t.Errorf("problem = %+v", p)
	}
	want := []yserr.FieldError{{Field: "name", ZH: "必填", EN: "is required"}, {Field: "founded_on", ZH: "日期格式不正确", EN: "is not a date"}}
	if fmt.Sprint(p.Errors) != fmt.Sprint(want) {
		t.Errorf("errors = %v, want %v", p.Errors, want)
	}

	// A field set on an error built without the list still lists it.
	e := yserr.New(yserr.Conflict, "代码已被使用", "the code is taken")
	e.Field = "code"
	_, p = problemFor(t, e, "/x", "zh-CN")
	if len(p.Errors) != 1 || p.Errors[0] != (yserr.FieldError{Field: "code", ZH: "代码已被使用", EN: "the code is taken"}) {
		t.Errorf("errors = %v", p.Errors)
	}
}

// bilingualErr mimics the identifier validators' errors.
type bilingualErr struct{}

func (bilingualErr) Error() string     { return "bad check digit" }
func (bilingualErr) MessageZH() string { return "校验码错误" }
func (bilingualErr) MessageEN() string { return "bad check digit" }

func TestProblemBilingualError(t *testing.T) {
	w, p := problemFor(t, bilingualErr{}, "/x", "")
	if w.Code != 400 || p.Detail != "校验码错误" || p.Code != yserr.Invalid {
		t.Errorf("%d %+v", w.Code, p)
	}
}

func captureLog(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}

func TestProblemInternalHidesText(t *testing.T) {
	logs := captureLog(t)
	r := httptest.NewRequest("POST", "/api/v1/entities?lang=en", nil)
	w := httptest.NewRecorder()
	w.Header().Set("X-Request-ID", "req-123")
	WriteProblem(w, r, errors.New("pq: password authentication failed for user admin"))
	p := decodeProblem(t, w)
	if w.Code != 500 || p.Code != yserr.Internal || p.Type != "/problems/internal" || p.RequestID != "req-123" {
		t.Errorf("problem = %+v", p)
	}
	if strings.Contains(w.Body.String(), "password") {
		t.Errorf("internal text leaked: %s", w.Body)
	}
	if p.Detail != "An internal error occurred; please try again later (request id req-123)" {
		t.Errorf("detail = %q", p.Detail)
	}
	log := logs.String()
	for _, want := range []string{`"request_id":"req-123"`, "password authentication failed", `"path":"/api/v1/entities"`, `"level":"ERROR"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s: %s", want, log)
		}
	}
}

func TestProblemInternalYserrAndUnknownCode(t *testing.T) {
	captureLog(t)
	for _, err := range []error{
		yserr.New(yserr.Internal, "数据库连接串 secret", "db dsn secret"),
		yserr.New(yserr.Code("weird"), "奇怪 secret", "weird secret"),
	} {
		w, p := problemFor(t, err, "/x", "")
		if w.Code != 500 || p.Code != yserr.Internal || strings.Contains(w.Body.String(), "secret") {
			t.Errorf("%v: %d %s", err, w.Code, w.Body)
		}
		if p.Detail != "系统内部错误，请稍后重试" {
			t.Errorf("detail = %q", p.Detail)
		}
	}
}

func TestProblemRequestID(t *testing.T) {
	r := httptest.NewRequest("GET", "/x", nil)
	w := httptest.NewRecorder()
	w.Header().Set("X-Request-ID", "abc")
	WriteProblem(w, r, yserr.ErrForbidden())
	if p := decodeProblem(t, w); p.RequestID != "abc" {
		t.Errorf("request_id = %q", p.RequestID)
	}
}

func TestWriteStatus(t *testing.T) {
	r := httptest.NewRequest("PUT", "/api/v1/nothing", nil)
	r.Header.Set("Accept-Language", "en")
	w := httptest.NewRecorder()
	WriteStatus(w, r, http.StatusNotFound)
	p := decodeProblem(t, w)
	want := Problem{Type: "about:blank", Title: "Not Found", Status: 404, Detail: "No such API endpoint",
		Instance: "/api/v1/nothing", Code: yserr.NotFound}
	if fmt.Sprint(p) != fmt.Sprint(want) {
		t.Errorf("problem = %+v", p)
	}
	w = httptest.NewRecorder()
	WriteStatus(w, r, http.StatusMethodNotAllowed)
	if p := decodeProblem(t, w); p.Title != "Method Not Allowed" || p.Code != "" || p.Type != "about:blank" {
		t.Errorf("problem = %+v", p)
	}
}

func TestWriteJSON(t *testing.T) {
	w := httptest.NewRecorder()
	WriteJSON(w, http.StatusCreated, map[string]int{"id": 7})
	if w.Code != 201 || w.Header().Get("Content-Type") != "application/json" || w.Body.String() != `{"id":7}` {
		t.Errorf("%d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	w = httptest.NewRecorder()
	WriteJSON(w, http.StatusNoContent, nil)
	if w.Code != 204 || w.Body.Len() != 0 {
		t.Errorf("%d %q", w.Code, w.Body)
	}
	captureLog(t)
	w = httptest.NewRecorder()
	WriteJSON(w, http.StatusOK, map[string]any{"f": func() {}})
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"status":500`) {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}
