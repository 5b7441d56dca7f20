package accounts_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"yingshang/internal/account"
	"yingshang/internal/site/sitetest"
)

// The callers of the matrix; wd-admin is the department admin in scope of
// WD-SJJ (which manages USCCA), sjj-admin the one of another department.
var callers = []string{"anonymous", "ent", "sjj-staff", "sjj-admin", "supervisor", "admin", "wd-admin"}

// newPending registers an applicant for uscc whose phone does not match,
// and returns the pending binding's id.
func newPending(t *testing.T, env *sitetest.Env, reg *account.Registrar, uscc string, n *int) int64 {
	t.Helper()
	*n++
	phone := fmt.Sprintf("1360000%04d", *n)
	in := account.RegistrationInput{USCC: uscc, Name: "申请人", Phone: phone, Username: "applicant" + strconv.Itoa(*n)}
	if _, err := reg.SendCode(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	in.Code, in.Password, in.Confirm = lastCode(t, env, phone), sitetest.Password, sitetest.Password
	res, err := reg.Register(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return res.Binding.ID
}

func TestAuthorisationMatrix(t *testing.T) {
	engines(t, func(t *testing.T, env *sitetest.Env) {
		wdAdmin(t, env)
		reg := &account.Registrar{Accounts: env.App.Accounts, Entities: env.App.Entities, Notify: env.App.Notify}
		tokens := map[string]string{"anonymous": ""}
		for _, c := range callers[1:] {
			tokens[c] = env.Token(t, c)
		}
		n := 0
		dept := func(code string) int64 { return env.Depts[code] }
		type op struct {
			name   string
			req    func(caller string) (method, path string, body any)
			expect map[string]int
		}
		ops := []op{
			{"department create below WD-SJJ", func(c string) (string, string, any) {
				return "POST", "/api/v1/departments", account.DepartmentInput{ParentID: dept("WD-SJJ"), Code: "D-" + c, Name: "科室 " + c, Kind: "office"}
			}, map[string]int{"anonymous": 401, "ent": 403, "sjj-staff": 403, "sjj-admin": 400, "supervisor": 403, "admin": 201, "wd-admin": 201}},
			{"user create in WD-SJJ", func(c string) (string, string, any) {
				return "POST", "/api/v1/users", map[string]any{"username": "wd-u-" + c, "display_name": "人员", "password": sitetest.Password,
					"department_id": dept("WD-SJJ"), "roles": []string{"dept_staff"}}
			}, map[string]int{"anonymous": 401, "ent": 403, "sjj-staff": 403, "sjj-admin": 403, "supervisor": 403, "admin": 201, "wd-admin": 201}},
			{"user create in XC-SJJ", func(c string) (string, string, any) {
				return "POST", "/api/v1/users", map[string]any{"username": "xc-u-" + c, "display_name": "人员", "password": sitetest.Password,
					"department_id": dept("XC-SJJ"), "roles": []string{"dept_staff"}}
			}, map[string]int{"anonymous": 401, "ent": 403, "sjj-staff": 403, "sjj-admin": 201, "supervisor": 403, "admin": 201, "wd-admin": 403}},
			{"platform admin create by dept admin", func(c string) (string, string, any) {
				return "POST", "/api/v1/users", map[string]any{"username": "pa-" + c, "display_name": "人员", "password": sitetest.Password,
					"department_id": dept("WD-SJJ"), "roles": []string{"platform_admin"}}
			}, map[string]int{"anonymous": 401, "ent": 403, "sjj-staff": 403, "sjj-admin": 403, "supervisor": 403, "admin": 201, "wd-admin": 403}},
			{"token create for self", func(c string) (string, string, any) {
				return "POST", "/api/v1/tokens", map[string]any{"name": "self"}
			}, map[string]int{"anonymous": 401, "ent": 201, "sjj-staff": 201, "sjj-admin": 201, "supervisor": 201, "admin": 201, "wd-admin": 201}},
			{"token create for another", func(c string) (string, string, any) {
				return "POST", "/api/v1/tokens", map[string]any{"name": "other", "user_id": env.Users["swj-staff"]}
			}, map[string]int{"anonymous": 401, "ent": 403, "sjj-staff": 403, "sjj-admin": 403, "supervisor": 403, "admin": 201, "wd-admin": 403}},
			{"token revoke own", func(c string) (string, string, any) {
				if c == "anonymous" {
					return "DELETE", "/api/v1/tokens/1", nil
				}
				_, tok, err := env.App.Accounts.CreateToken(sitetest.System(), env.Users[c], "mine", nil)
				if err != nil {
					t.Fatal(err)
				}
				return "DELETE", "/api/v1/tokens/" + strconv.FormatInt(tok.ID, 10), nil
			}, map[string]int{"anonymous": 401, "ent": 204, "sjj-staff": 204, "sjj-admin": 204, "supervisor": 204, "admin": 204, "wd-admin": 204}},
			{"token revoke another's", func(c string) (string, string, any) {
				_, tok, err := env.App.Accounts.CreateToken(sitetest.System(), env.Users["swj-staff"], "victim", nil)
				if err != nil {
					t.Fatal(err)
				}
				return "DELETE", "/api/v1/tokens/" + strconv.FormatInt(tok.ID, 10), nil
			}, map[string]int{"anonymous": 401, "ent": 404, "sjj-staff": 404, "sjj-admin": 404, "supervisor": 404, "admin": 204, "wd-admin": 404}},
			{"binding approve, entity of WD-SJJ", func(c string) (string, string, any) {
				return "POST", "/api/v1/bindings/" + strconv.FormatInt(newPending(t, env, reg, sitetest.USCCA, &n), 10) + "/approve", nil
			}, map[string]int{"anonymous": 401, "ent": 403, "sjj-staff": 403, "sjj-admin": 404, "supervisor": 403, "admin": 200, "wd-admin": 200}},
			{"binding approve, entity of XC-SJJ", func(c string) (string, string, any) {
				return "POST", "/api/v1/bindings/" + strconv.FormatInt(newPending(t, env, reg, sitetest.USCCB, &n), 10) + "/approve", nil
			}, map[string]int{"anonymous": 401, "ent": 403, "sjj-staff": 403, "sjj-admin": 200, "supervisor": 403, "admin": 200, "wd-admin": 404}},
			{"binding reject, entity of WD-SJJ", func(c string) (string, string, any) {
				return "POST", "/api/v1/bindings/" + strconv.FormatInt(newPending(t, env, reg, sitetest.USCCA, &n), 10) + "/reject", map[string]string{"reason": "材料不全"}
			}, map[string]int{"anonymous": 401, "ent": 403, "sjj-staff": 403, "sjj-admin": 404, "supervisor": 403, "admin": 200, "wd-admin": 200}},
			{"binding list", func(c string) (string, string, any) {
				return "GET", "/api/v1/bindings", nil
			}, map[string]int{"anonymous": 401, "ent": 403, "sjj-staff": 403, "sjj-admin": 200, "supervisor": 403, "admin": 200, "wd-admin": 200}},
			{"user list", func(c string) (string, string, any) {
				return "GET", "/api/v1/users", nil
			}, map[string]int{"anonymous": 401, "ent": 403, "sjj-staff": 403, "sjj-admin": 200, "supervisor": 200, "admin": 200, "wd-admin": 200}},
		}
		var failures []string
		for _, o := range ops {
			for _, c := range callers {
				method, path, body := o.req(c)
				r := env.API(t, tokens[c], method, path, body)
				if r.StatusCode != o.expect[c] {
					failures = append(failures, fmt.Sprintf("%s as %s: %d, want %d: %s", o.name, c, r.StatusCode, o.expect[c], strings.TrimSpace(r.Body)))
				}
			}
		}
		// The pages: anonymous callers are sent to sign in.
		pages := map[string]map[string]int{
			"/admin/departments": {"anonymous": 303, "ent": 403, "sjj-staff": 403, "sjj-admin": 200, "supervisor": 403, "admin": 200, "wd-admin": 200},
			"/admin/users":       {"anonymous": 303, "ent": 403, "sjj-staff": 403, "sjj-admin": 200, "supervisor": 403, "admin": 200, "wd-admin": 200},
			"/admin/bindings":    {"anonymous": 303, "ent": 403, "sjj-staff": 403, "sjj-admin": 200, "supervisor": 403, "admin": 200, "wd-admin": 200},
			"/admin/tokens":      {"anonymous": 303, "ent": 200, "sjj-staff": 200, "sjj-admin": 200, "supervisor": 200, "admin": 200, "wd-admin": 200},
			"/register/status":   {"anonymous": 303, "ent": 200, "sjj-staff": 200, "sjj-admin": 200, "supervisor": 200, "admin": 200, "wd-admin": 200},
			"/register":          {"anonymous": 200, "ent": 303, "sjj-staff": 200, "sjj-admin": 200, "supervisor": 200, "admin": 200, "wd-admin": 200},
		}
		for _, c := range callers {
			client := env.Anonymous()
			if c != "anonymous" {
				client = env.Login(t, c)
			}
			for path, expect := range pages {
				if r := client.Get(t, path); r.StatusCode != expect[c] {
					failures = append(failures, fmt.Sprintf("page %s as %s: %d, want %d", path, c, r.StatusCode, expect[c]))
				}
			}
		}
		if len(failures) > 0 {
			t.Fatalf("%d unexpected statuses:\n%s", len(failures), strings.Join(failures, "\n"))
		}
		if r := env.API(t, "", "GET", "/api/v1/departments", nil); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous department list: %d", r.StatusCode)
		}
	})
}
