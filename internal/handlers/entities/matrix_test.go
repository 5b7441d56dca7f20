package entities_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"yingshang/internal/site/sitetest"
)

// users in the order of the status columns below; "" is anonymous.
var matrixUsers = []string{"", "admin", "sjj-staff", "wd-staff", "supervisor", "ent"}

// TestAuthorisationMatrix checks every page and operation of the area for
// every role: the status each must get.
func TestAuthorisationMatrix(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		a, b := path(env, sitetest.USCCA, ""), path(env, sitetest.USCCB, "")
		pages := []struct {
			method, path string
			want         [6]int // anonymous, admin, sjj-staff, wd-staff, supervisor, ent
		}{
			{"GET", "/entities", [6]int{303, 200, 200, 200, 200, 403}},
			{"GET", a, [6]int{303, 200, 200, 200, 200, 303}},
			{"GET", b, [6]int{303, 200, 200, 200, 200, 404}},
			{"GET", "/entities/new", [6]int{303, 200, 200, 200, 403, 403}},
			{"POST", "/entities/new", [6]int{303, 400, 400, 400, 403, 403}},
			{"GET", b + "/edit", [6]int{303, 200, 200, 403, 403, 403}},
			{"POST", b + "/edit", [6]int{303, 400, 400, 403, 403, 403}},
			{"GET", "/entities/import", [6]int{303, 200, 200, 200, 403, 403}},
			{"POST", "/entities/import", [6]int{303, 400, 400, 400, 403, 403}},
			{"GET", "/entities/import/template.xlsx", [6]int{303, 200, 200, 200, 403, 403}},
			{"GET", "/entities/export?format=csv", [6]int{303, 200, 200, 200, 200, 403}},
			{"GET", "/my/entity", [6]int{303, 403, 403, 403, 403, 200}},
			{"GET", "/e/" + sitetest.USCCA, [6]int{200, 200, 200, 200, 200, 200}},
			{"GET", "/e/" + sitetest.USCCA + "/qr.png", [6]int{200, 200, 200, 200, 200, 200}},
			{"GET", "/e/" + sitetest.USCCA + "/print", [6]int{200, 200, 200, 200, 200, 200}},
		}
		apiA, apiB := apiPath(env, sitetest.USCCA), apiPath(env, sitetest.USCCB)
		ops := []struct {
			method, path string
			body         any
			want         [6]int
		}{
			{"GET", "/api/v1/entities", nil, [6]int{401, 200, 200, 200, 200, 200}},
			{"POST", "/api/v1/entities", "{}", [6]int{401, 400, 400, 400, 403, 403}},
			{"GET", apiA, nil, [6]int{401, 200, 200, 200, 200, 200}},
			{"GET", apiB, nil, [6]int{401, 200, 200, 200, 200, 404}},
			{"PUT", apiB, "{}", [6]int{401, 400, 400, 403, 403, 403}},
			{"GET", "/api/v1/entities/by-uscc/" + sitetest.USCCB, nil, [6]int{401, 200, 200, 200, 200, 404}},
			{"GET", "/api/v1/entities/by-uscc/" + sitetest.USCCA + "/qr.png", nil, [6]int{401, 200, 200, 200, 200, 200}},
			{"GET", "/api/v1/entities/export?format=csv", nil, [6]int{401, 200, 200, 200, 200, 200}},
			{"GET", "/api/v1/entities/import/template", nil, [6]int{401, 200, 200, 200, 403, 403}},
			{"POST", "/api/v1/entities/import", "multipart", [6]int{401, 400, 400, 400, 403, 403}},
		}
		for i, user := range matrixUsers {
			c, tok := env.Anonymous(), ""
			if user != "" {
				c, tok = env.Login(t, user), env.Token(t, user)
			}
			who := user
			if who == "" {
				who = "anonymous"
			}
			for _, p := range pages {
				var r *sitetest.Response
				switch {
				case p.method == "GET":
					r = c.Get(t, p.path)
				case p.path == "/entities/import":
					ct, body := multipartBody(t, "", nil, nil)
					r = c.PostMultipart(t, p.path, ct, body)
				default:
					r = c.PostForm(t, p.path, url.Values{})
				}
				if r.StatusCode != p.want[i] {
					t.Errorf("%s %s %s: %d, want %d", who, p.method, p.path, r.StatusCode, p.want[i])
				}
			}
			for _, op := range ops {
				var r *sitetest.Response
				if op.body == "multipart" {
					ct, body := multipartBody(t, "", nil, map[string]string{"mode": "valid_only"})
					r = rawAPI(t, env, tok, op.method, op.path, ct, body.String())
				} else {
					r = env.API(t, tok, op.method, op.path, op.body)
				}
				if r.StatusCode != op.want[i] {
					t.Errorf("%s %s %s: %d, want %d (%s)", who, op.method, op.path, r.StatusCode, op.want[i], short(r.Body))
				}
			}
		}
	})
}

func rawAPI(t testing.TB, env *sitetest.Env, token, method, path, contentType, body string) *sitetest.Response {
	t.Helper()
	if token != "" {
		return apiUpload(t, env, token, path, contentType, stringsReader(body))
	}
	resp, err := http.Post(env.HTTP.URL+path, contentType, stringsReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return &sitetest.Response{StatusCode: resp.StatusCode, Header: resp.Header}
}

func short(s string) string {
	if len(s) > 160 {
		return fmt.Sprintf("%s…", s[:160])
	}
	return s
}
