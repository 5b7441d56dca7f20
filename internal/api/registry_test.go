package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

// serve runs one request through mux with an optional actor in the context.
func serve(mux http.Handler, method, target string, actor *auth.Actor) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	if actor != nil {
		r = r.WithContext(auth.WithActor(r.Context(), actor))
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	return w
}

var staff = &auth.Actor{UserID: 1, Username: "staff", Roles: []auth.Role{auth.DeptStaff}, Via: "session"}

func TestHandleRendersErrors(t *testing.T) {
	reg := NewRegistry("t", "1")
	mux := http.NewServeMux()
	reg.Handle(mux, Op{Method: "GET", Path: "/api/v1/entities/{id}", ID: "getEntity", Auth: AuthPublic, Resp: sampleEntity{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := PathInt64(r, "id")
			if err != nil {
				return err
			}
			if id != 1 {
				return yserr.ErrNotFound("经营主体", "market entity")
			}
			WriteJSON(w, http.StatusOK, sampleEntity{ID: 1, Name: "许昌"})
			return nil
		})

	w := serve(mux, "GET", "/api/v1/entities/2?lang=en", nil)
	p := decodeProblem(t, w)
	if w.Code != 404 || p.Code != yserr.NotFound || p.Detail != "market entity not found" || p.Instance != "/api/v1/entities/2" {
		t.Errorf("%d %+v", w.Code, p)
	}
	w = serve(mux, "GET", "/api/v1/entities/abc", nil)
	if p := decodeProblem(t, w); w.Code != 400 || p.Field != "id" || p.Detail != "必须是正整数" {
		t.Errorf("%d %+v", w.Code, p)
	}
	w = serve(mux, "GET", "/api/v1/entities/1", nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"name":"许昌"`) {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}

func TestHandleEnforcesAuth(t *testing.T) {
	reg := NewRegistry("t", "1")
	mux := http.NewServeMux()
	ok := func(w http.ResponseWriter, r *http.Request) error { WriteJSON(w, 200, "ok"); return nil }
	reg.Handle(mux, Op{Method: "GET", Path: "/user", ID: "u", Auth: AuthUser}, ok)
	reg.Handle(mux, Op{Method: "GET", Path: "/admin", ID: "a", Auth: "dept_admin, platform_admin"}, ok)
	reg.Handle(mux, Op{Method: "GET", Path: "/public", ID: "p", Auth: AuthPublic}, ok)

	cases := []struct {
		path   string
		actor  *auth.Actor
		status int
	}{
		{"/public", nil, 200},
		{"/user", nil, 401},
		{"/user", staff, 200},
		{"/admin", nil, 401},
		{"/admin", staff, 403},
		{"/admin", &auth.Actor{UserID: 2, Roles: []auth.Role{auth.PlatformAdmin}}, 200},
		{"/admin", auth.System("jobs"), 200},
	}
	for _, c := range cases {
		w := serve(mux, "GET", c.path, c.actor)
		if w.Code != c.status {
			t.Errorf("%s as %v: %d, want %d (%s)", c.path, c.actor, w.Code, c.status, w.Body)
		}
		if c.status == 401 && w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", c.path)
		}
	}
}

func TestHandlePanicAndLateError(t *testing.T) {
	logs := captureLog(t)
	reg := NewRegistry("t", "1")
	mux := http.NewServeMux()
	reg.Handle(mux, Op{Method: "POST", Path: "/boom", ID: "boom", Auth: AuthPublic},
		func(w http.ResponseWriter, r *http.Request) error { panic("secret state") })
	reg.Handle(mux, Op{Method: "POST", Path: "/late", ID: "late", Auth: AuthPublic},
		func(w http.ResponseWriter, r *http.Request) error {
			WriteJSON(w, http.StatusAccepted, map[string]int{"n": 1})
			return errors.New("failed while streaming")
		})

	w := serve(mux, "POST", "/boom", nil)
	if p := decodeProblem(t, w); w.Code != 500 || p.Code != yserr.Internal || strings.Contains(w.Body.String(), "secret") {
		t.Errorf("%d %s", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "panic in boom: secret state") {
		t.Errorf("panic not logged: %s", logs)
	}
	w = serve(mux, "POST", "/late", nil)
	if w.Code != 202 || w.Body.String() != `{"n":1}` {
		t.Errorf("the written response was changed: %d %s", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "failed while streaming") {
		t.Errorf("late error not logged: %s", logs)
	}
}

// collidingQuery has a query parameter that clients would name like the
// path parameter dept_id.
type collidingQuery struct {
	DeptID string `query:"deptId"`
}

func TestHandleRefusesBadOps(t *testing.T) {
	valid := Op{Method: "GET", Path: "/api/v1/things/{id}", ID: "getThing", Auth: AuthUser}
	cases := []struct {
		name string
		op   Op
		want string
	}{
		{"duplicate id", Op{Method: "GET", Path: "/other", ID: "getThing", Auth: AuthUser}, "duplicate operationId"},
		{"id differing in case", Op{Method: "GET", Path: "/other", ID: "GetThing", Auth: AuthUser}, `duplicate operationId "GetThing" (already registered as "getThing")`},
		{"duplicate route", Op{Method: "GET", Path: "/api/v1/things/{id}", ID: "x", Auth: AuthUser}, "already registered"},
		{"same route other name", Op{Method: "GET", Path: "/api/v1/things/{thing}", ID: "x", Auth: AuthUser}, "already registered"},
		{"other parameter name", Op{Method: "DELETE", Path: "/api/v1/things/{thing}", ID: "x", Auth: AuthUser}, "names its parameters differently"},
		{"bad method", Op{Method: "get", Path: "/x", ID: "x", Auth: AuthUser}, "method must be"},
		{"relative path", Op{Method: "GET", Path: "x", ID: "x", Auth: AuthUser}, "must start with /"},
		{"no id", Op{Method: "GET", Path: "/x", Auth: AuthUser}, "ID must be"},
		{"no auth", Op{Method: "GET", Path: "/x", ID: "x"}, "Auth must be"},
		{"bad roles", Op{Method: "GET", Path: "/x", ID: "x", Auth: "dept_admin,,"}, "bad role list"},
		{"bad status", Op{Method: "GET", Path: "/x", ID: "x", Auth: AuthUser, Status: 302}, "not a success status"},
		{"204 with body", Op{Method: "GET", Path: "/x", ID: "x", Auth: AuthUser, Status: 204, Resp: sampleEntity{}}, "204"},
		{"query not struct", Op{Method: "GET", Path: "/x", ID: "x", Auth: AuthUser, Query: 3}, "Query must be a struct"},
		{"path tag not in path", Op{Method: "GET", Path: "/x", ID: "x", Auth: AuthUser, Query: sampleGetQuery{}}, `path parameter "code"`},
		{"type without schema", Op{Method: "GET", Path: "/x", ID: "x", Auth: AuthUser, Resp: make(chan int)}, "no JSON Schema for Go type chan int"},
		{"parameters colliding", Op{Method: "GET", Path: "/x/{dept_id}", ID: "x", Auth: AuthUser, Query: collidingQuery{}}, `parameters "dept_id" and "deptId"`},
		{"unknown error status", Op{Method: "GET", Path: "/x", ID: "x", Auth: AuthUser, Errors: []int{418}}, "418"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reg := NewRegistry("t", "1")
			reg.Handle(http.NewServeMux(), valid, func(http.ResponseWriter, *http.Request) error { return nil })
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, c.want) {
					t.Errorf("panic %q, want it to mention %q", msg, c.want)
				}
				if len(reg.Ops()) != 1 {
					t.Errorf("the bad op was recorded: %v", reg.Ops())
				}
			}()
			reg.Handle(http.NewServeMux(), c.op, func(http.ResponseWriter, *http.Request) error { return nil })
		})
	}
}

func TestOpsAndServeDocument(t *testing.T) {
	reg, mux := sampleRegistry(t)
	ops := reg.Ops()
	if len(ops) != len(sampleOps) || ops[0].ID != "listEntities" || ops[1].Status != 200 || ops[3].Status != 201 {
		t.Errorf("ops = %+v", ops)
	}
	ops[0].ID = "changed"
	if reg.Ops()[0].ID != "listEntities" {
		t.Error("Ops returned the registry's own slice")
	}

	mux.HandleFunc("GET /api/openapi.json", reg.ServeDocument)
	w := serve(mux, "GET", "/api/openapi.json", nil)
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %q", w.Code, w.Header().Get("Content-Type"))
	}
	if err := ValidateDocument(w.Body.Bytes()); err != nil {
		t.Fatal(err)
	}
	// Registering after the document was served refreshes it.
	reg.Handle(mux, Op{Method: "GET", Path: "/api/v1/late", ID: "lateOp", Auth: AuthUser},
		func(http.ResponseWriter, *http.Request) error { return nil })
	w = serve(mux, "GET", "/api/openapi.json", nil)
	if !strings.Contains(w.Body.String(), `"lateOp"`) {
		t.Error("the served document is stale")
	}
}

// TestSampleOpsExercised shows the pattern other packages use with Ops:
// every registered operation answers through the mux.
func TestSampleOpsExercised(t *testing.T) {
	reg, mux := sampleRegistry(t)
	admin := &auth.Actor{UserID: 9, Roles: []auth.Role{auth.PlatformAdmin, auth.DeptAdmin}}
	for _, op := range reg.Ops() {
		path := strings.NewReplacer("{id}", "1", "{code}", "X", "{path...}", "a/b.png").Replace(op.Path)
		w := serve(mux, op.Method, path, admin)
		if w.Code != op.Status {
			t.Errorf("%s %s: %d, want %d", op.Method, path, w.Code, op.Status)
		}
	}
}

func TestPatternPaths(t *testing.T) {
	cases := map[string][3]string{ // pattern -> document path, shape, params
		"/api/v1/entities/{$}":            {"/api/v1/entities/", "/api/v1/entities/{$}", "[]"},
		"/api/v1/files/{path...}":         {"/api/v1/files/{path}", "/api/v1/files/{}", "[path]"},
		"/api/v1/a/{id}/b/{b_id}":         {"/api/v1/a/{id}/b/{b_id}", "/api/v1/a/{}/b/{}", "[id b_id]"},
		"/api/v1/entities/{id}/{rest...}": {"/api/v1/entities/{id}/{rest}", "/api/v1/entities/{}/{}", "[id rest]"},
	}
	for pattern, want := range cases {
		got := [3]string{docPath(pattern), pathShape(pattern), fmt.Sprint(pathParams(pattern))}
		if got != want {
			t.Errorf("%s: %q, want %q", pattern, got, want)
		}
	}
}

func TestHandleKeepsResponseController(t *testing.T) {
	reg := NewRegistry("t", "1")
	mux := http.NewServeMux()
	reg.Handle(mux, Op{Method: "GET", Path: "/stream/{$}", ID: "stream", Auth: AuthPublic},
		func(w http.ResponseWriter, r *http.Request) error {
			_, _ = w.Write([]byte("part"))
			return http.NewResponseController(w).Flush()
		})
	w := serve(mux, "GET", "/stream/", nil)
	if !w.Flushed || w.Body.String() != "part" {
		t.Errorf("flushed %v, body %q", w.Flushed, w.Body)
	}
}
