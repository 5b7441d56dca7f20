package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// Sample types of a small entity API.
type sampleEntity struct {
	ID        int64     `json:"id" doc:"编号 / ID" example:"42"`
	Name      string    `json:"name" doc:"名称 / Name"`
	FoundedOn string    `json:"founded_on,omitempty" format:"date"`
	Size      string    `json:"size" enum:"micro,small,medium,large"`
	UpdatedAt time.Time `json:"updated_at"`
}

type sampleEntityInput struct {
	Name      string  `json:"name"`
	FoundedOn *string `json:"founded_on" format:"date"`
}

type sampleListQuery struct {
	Q      string   `query:"q" doc:"名称关键字 / Name keyword"`
	Size   []string `query:"size" enum:"micro,small,medium,large"`
	Page   int      `query:"page"`
	Region string   `query:"region,required"`
}

type sampleGetQuery struct {
	Code string `path:"code" doc:"统一社会信用代码 / Unified social credit code"`
}

type sampleImportForm struct {
	Sheet string `json:"sheet,omitempty" doc:"工作表名 / Sheet name"`
}

type sampleImportResult struct {
	Created int `json:"created"`
}

// sampleOps are the operations of the sample registry.
var sampleOps = []Op{
	{Method: "GET", Path: "/api/v1/entities", ID: "listEntities", Summary: "经营主体列表 / List entities",
		Tags: []string{"entities"}, Auth: AuthUser, Query: sampleListQuery{}, Resp: Page[sampleEntity]{}},
	{Method: "GET", Path: "/api/v1/entities/{id}", ID: "getEntity", Tags: []string{"entities"},
		Auth: AuthUser, Resp: sampleEntity{}},
	{Method: "GET", Path: "/api/v1/public/entities/{code}", ID: "getPublicEntity", Auth: AuthPublic,
		Query: sampleGetQuery{}, Resp: sampleEntity{}},
	{Method: "POST", Path: "/api/v1/entities", ID: "createEntity", Auth: "dept_admin,platform_admin",
		Body: sampleEntityInput{}, Resp: sampleEntity{}, Status: http.StatusCreated},
	{Method: "DELETE", Path: "/api/v1/entities/{id}", ID: "deleteEntity", Auth: "platform_admin",
		Status: http.StatusNoContent, Errors: []int{http.StatusTooManyRequests}},
	{Method: "GET", Path: "/api/v1/entities/export", ID: "exportEntities", Auth: AuthUser,
		RespContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{Method: "POST", Path: "/api/v1/entities/import", ID: "importEntities", Auth: "dept_admin",
		Multipart: true, Body: sampleImportForm{}, Resp: sampleImportResult{}},
	{Method: "GET", Path: "/api/v1/files/{path...}", ID: "getFile", Auth: AuthPublic,
		RespContentType: "image/png"},
}

func sampleRegistry(t *testing.T) (*Registry, *http.ServeMux) {
	t.Helper()
	reg := NewRegistry("Yingshang API", "1.0.0")
	reg.Description = "营商平台接口 / Yingshang platform API"
	reg.DescribeTag("entities", "经营主体 / Market entities")
	mux := http.NewServeMux()
	for _, op := range sampleOps {
		reg.Handle(mux, op, func(w http.ResponseWriter, r *http.Request) error {
			WriteJSON(w, op.Status, op.Resp)
			return nil
		})
	}
	return reg, mux
}

// sampleDocument returns the sample document as generic JSON.
func sampleDocument(t *testing.T) (map[string]any, []byte) {
	t.Helper()
	reg, _ := sampleRegistry(t)
	data, err := json.Marshal(reg.Document())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc, data
}

// at follows a path of keys (and array indexes as ints) in generic JSON.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: %v is not an object", path, v)
			}
			if v, ok = m[k]; !ok {
				t.Fatalf("at %v: no key %q in %v", path, k, m)
			}
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("at %v: no index %d in %v", path, k, v)
			}
			v = a[k]
		}
	}
	return v
}

func jsonEqual(t *testing.T, got any, want string) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(g, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatalf("bad want %s: %v", want, err)
	}
	ga, _ := json.Marshal(a)
	gb, _ := json.Marshal(b)
	if string(ga) != string(gb) {
		t.Errorf("got  %s\nwant %s", ga, gb)
	}
}

func TestDocumentValidates(t *testing.T) {
	doc, data := sampleDocument(t)
	if err := ValidateDocument(data); err != nil {
		t.Fatalf("sample document is invalid: %v\n%s", err, data)
	}
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v", doc["openapi"])
	}
	jsonEqual(t, doc["info"], `{"title":"Yingshang API","version":"1.0.0","description":"营商平台接口 / Yingshang platform API"}`)
	jsonEqual(t, doc["tags"], `[{"name":"entities","description":"经营主体 / Market entities"}]`)
	jsonEqual(t, doc["security"], `[{"bearerAuth":[]},{"cookieAuth":[]}]`)
	jsonEqual(t, doc["servers"], `[{"url":"/","description":"本服务 / This server"}]`)
	// Only the problem responses some operation refers to (linters flag
	// unused components): 429 is listed by deleteEntity, 503 by none.
	responses := at(t, doc, "components", "responses").(map[string]any)
	if responses["TooManyRequests"] == nil || responses["Unavailable"] != nil {
		t.Errorf("components/responses = %v", slices.Sorted(maps.Keys(responses)))
	}
	jsonEqual(t, at(t, doc, "components", "securitySchemes", "cookieAuth"),
		`{"type":"apiKey","in":"cookie","name":"ys_session","description":"浏览器登录会话 / Browser sign-in session"}`)
	if got := at(t, doc, "components", "securitySchemes", "bearerAuth", "bearerFormat"); got != "ys_..." {
		t.Errorf("bearerFormat = %v", got)
	}
}

func TestDocumentLicense(t *testing.T) {
	reg := NewRegistry("t", "1")
	reg.License = "MIT"
	jsonEqual(t, reg.Document()["info"], `{"title":"t","version":"1","license":{"name":"MIT","identifier":"MIT"}}`)
}

func TestDocumentPaths(t *testing.T) {
	doc, _ := sampleDocument(t)
	paths := doc["paths"].(map[string]any)
	var got []string
	for p := range paths {
		got = append(got, p)
	}
	for _, want := range []string{"/api/v1/entities", "/api/v1/entities/{id}", "/api/v1/files/{path}",
		"/api/v1/public/entities/{code}", "/api/v1/entities/export", "/api/v1/entities/import"} {
		if paths[want] == nil {
			t.Errorf("missing path %s in %v", want, got)
		}
	}
	if len(paths) != 6 {
		t.Errorf("%d paths, want 6: %v", len(paths), got)
	}
	item := paths["/api/v1/entities/{id}"].(map[string]any)
	if item["get"] == nil || item["delete"] == nil {
		t.Errorf("GET and DELETE share the path item: %v", item)
	}
}

func TestDocumentParameters(t *testing.T) {
	doc, _ := sampleDocument(t)
	list := at(t, doc, "paths", "/api/v1/entities", "get", "parameters")
	jsonEqual(t, list, `[
		{"name":"q","in":"query","description":"名称关键字 / Name keyword","schema":{"type":"string"}},
		{"name":"size","in":"query","schema":{"type":"array","items":{"type":"string","enum":["micro","small","medium","large"]}}},
		{"name":"page","in":"query","schema":{"type":"integer","format":"int64"}},
		{"name":"region","in":"query","required":true,"schema":{"type":"string"}}
	]`)
	jsonEqual(t, at(t, doc, "paths", "/api/v1/entities/{id}", "get", "parameters"),
		`[{"name":"id","in":"path","required":true,"schema":{"type":"integer","format":"int64","minimum":1}}]`)
	jsonEqual(t, at(t, doc, "paths", "/api/v1/public/entities/{code}", "get", "parameters"),
		`[{"name":"code","in":"path","required":true,"description":"统一社会信用代码 / Unified social credit code","schema":{"type":"string"}}]`)
	jsonEqual(t, at(t, doc, "paths", "/api/v1/files/{path}", "get", "parameters"),
		`[{"name":"path","in":"path","required":true,"schema":{"type":"string"}}]`)
}

func TestDocumentResponses(t *testing.T) {
	doc, _ := sampleDocument(t)
	statuses := func(path, method string) string {
		codes := maps.Keys(at(t, doc, "paths", path, method, "responses").(map[string]any))
		return strings.Join(slices.Sorted(codes), ",")
	}
	cases := []struct{ path, method, want string }{
		{"/api/v1/entities", "get", "200,400,401,403,500"},
		{"/api/v1/entities/{id}", "get", "200,400,401,403,404,500"},
		{"/api/v1/public/entities/{code}", "get", "200,400,404,500"}, // public: no 401/403
		{"/api/v1/entities", "post", "201,400,401,403,409,413,500"},
		{"/api/v1/entities/{id}", "delete", "204,400,401,403,404,409,429,500"},
		{"/api/v1/entities/export", "get", "200,401,403,500"},
	}
	for _, c := range cases {
		if got := statuses(c.path, c.method); got != c.want {
			t.Errorf("%s %s responses = %s, want %s", c.method, c.path, got, c.want)
		}
	}
	jsonEqual(t, at(t, doc, "paths", "/api/v1/entities/{id}", "get", "responses", "404"),
		`{"$ref":"#/components/responses/NotFound"}`)
	jsonEqual(t, at(t, doc, "paths", "/api/v1/entities/{id}", "get", "responses", "200"),
		`{"description":"OK","content":{"application/json":{"schema":{"$ref":"#/components/schemas/SampleEntity"}}}}`)
	jsonEqual(t, at(t, doc, "paths", "/api/v1/entities/{id}", "delete", "responses", "204"), `{"description":"No Content"}`)
	jsonEqual(t, at(t, doc, "paths", "/api/v1/entities/export", "get", "responses", "200", "content"),
		`{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":{"schema":{"type":"string","format":"binary"}}}`)
	jsonEqual(t, at(t, doc, "paths", "/api/v1/entities", "get", "responses", "200", "content", "application/json", "schema"),
		`{"$ref":"#/components/schemas/PageSampleEntity"}`)
	jsonEqual(t, at(t, doc, "components", "responses", "NotFound"),
		`{"description":"资源不存在 / Not found","content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}}`)
	if at(t, doc, "components", "responses", "Unauthorized", "headers", "WWW-Authenticate") == nil {
		t.Error("401 response lacks WWW-Authenticate")
	}
	problem := at(t, doc, "components", "schemas", "Problem", "properties").(map[string]any)
	for _, k := range []string{"type", "title", "status", "detail", "instance", "code", "field", "errors", "request_id"} {
		if problem[k] == nil {
			t.Errorf("Problem schema lacks %q", k)
		}
	}
	jsonEqual(t, at(t, doc, "components", "schemas", "Problem", "required"), `["type","title","status"]`)
}

func TestDocumentSecurityAndBodies(t *testing.T) {
	doc, _ := sampleDocument(t)
	jsonEqual(t, at(t, doc, "paths", "/api/v1/public/entities/{code}", "get", "security"), `[]`)
	if _, ok := at(t, doc, "paths", "/api/v1/entities", "get").(map[string]any)["security"]; ok {
		t.Error("a signed-in operation should inherit the document's security")
	}
	post := at(t, doc, "paths", "/api/v1/entities", "post").(map[string]any)
	jsonEqual(t, post["x-roles"], `["dept_admin","platform_admin"]`)
	if d, _ := post["description"].(string); !strings.Contains(d, "dept_admin,platform_admin") {
		t.Errorf("description does not name the roles: %q", d)
	}
	jsonEqual(t, post["requestBody"],
		`{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/SampleEntityInput"}}}}`)
	jsonEqual(t, at(t, doc, "paths", "/api/v1/entities/import", "post", "requestBody"), `{"required":true,"content":{"multipart/form-data":{"schema":{
		"type":"object",
		"properties":{
			"sheet":{"type":"string","description":"工作表名 / Sheet name"},
			"file":{"type":"string","format":"binary","description":"上传的文件 / The uploaded file"}},
		"required":["file"]}}}}`)
	jsonEqual(t, at(t, doc, "components", "schemas", "SampleEntityInput"), `{"type":"object",
		"properties":{"name":{"type":"string"},"founded_on":{"type":["string","null"],"format":"date"}},
		"required":["name","founded_on"]}`)
}
