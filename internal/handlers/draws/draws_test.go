package draws_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"yingshang/internal/modules"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/handlers/draws"
	"yingshang/internal/site/sitetest"
)

// centre adds the trading centre and its staff member "jyzx-staff".
func centre(t *testing.T, env *sitetest.Env) {
	t.Helper()
	ctx := sitetest.System()
	d, err := env.App.Accounts.CreateDepartment(ctx, account.DepartmentInput{ParentID: env.Depts["XC"], Code: "XC-JYZX", Name: "许昌市公共资源交易中心", Kind: "bureau", RegionCode: "411000"})
	if err != nil {
		t.Fatal(err)
	}
	env.Depts["XC-JYZX"] = d.ID
	u, err := env.App.Accounts.CreateUser(ctx, account.UserInput{Username: "jyzx-staff", DisplayName: "交易中心工作人员", Password: sitetest.Password,
		DepartmentID: d.ID, Roles: []auth.Role{auth.DeptStaff}})
	if err != nil {
		t.Fatal(err)
	}
	env.Users["jyzx-staff"] = u.ID
}

var idRe = regexp.MustCompile(`/draws/projects/(\d+)`)

func TestExpertDrawScenario(t *testing.T) {
	for _, engine := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			env := sitetest.New(t, engine)
			centre(t, env)
			staffToken := env.Token(t, "jyzx-staff")
			for i := range 8 {
				spec := "A01"
				if i >= 6 {
					spec = "E01"
				}
				res := env.API(t, staffToken, "POST", "/api/v1/draw-experts", draw.ExpertInput{Name: fmt.Sprintf("专家%d", i), Specialties: []string{spec}, Phone: "1390000000" + fmt.Sprint(i)})
				if res.StatusCode != http.StatusCreated {
					t.Fatalf("create expert: %d %s", res.StatusCode, res.Body)
				}
			}
			// A suspended expert: excluded, with its reason shown as a label on the verify page.
			if res := env.API(t, staffToken, "POST", "/api/v1/draw-experts", draw.ExpertInput{Name: "停用专家", Specialties: []string{"A01"}, Status: "suspended"}); res.StatusCode != http.StatusCreated {
				t.Fatalf("create suspended expert: %d %s", res.StatusCode, res.Body)
			}
			ent := env.Login(t, "ent")
			res := ent.PostForm(t, "/draws/projects", url.Values{"name": {"道路改造工程"}, "kind": {"works"}, "budget_wan": {"300"},
				"specialties": {"A01"}, "tenderer_uscc": {sitetest.USCCB}, "opening_at": {"2026-12-20T09:00"}})
			if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
				t.Fatalf("registering for another tenderer: %d", res.StatusCode)
			}
			res = ent.PostForm(t, "/draws/projects", url.Values{"name": {"道路改造工程"}, "kind": {"works"}, "budget_wan": {"300"},
				"specialties": {"A01"}, "tenderer_uscc": {sitetest.USCCA}, "opening_at": {"2099-12-20T09:00"}})
			m := idRe.FindStringSubmatch(res.Header.Get("Location"))
			if res.StatusCode != http.StatusSeeOther || m == nil {
				t.Fatalf("register: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			pid := m[1]
			// The project list shows the status label and the budget in
			// 万元 as it was entered, never the raw code or bare yuan
			// digits (issue 13).
			if l := ent.Get(t, "/draws"); l.StatusCode != 200 || !strings.Contains(l.Body, "已登记") || !strings.Contains(l.Body, "预算（万元）") || !strings.Contains(l.Body, ">300<") ||
				strings.Contains(l.Body, ">registered<") || strings.Contains(l.Body, ">3000000<") {
				t.Fatalf("project list: %d\n%s", l.StatusCode, l.Body)
			}
			if pp := ent.Get(t, "/draws/projects/"+pid); pp.StatusCode != 200 || !strings.Contains(pp.Body, "<dd>300</dd>") || strings.Contains(pp.Body, ">3000000<") {
				t.Fatalf("project page budget: %d\n%s", pp.StatusCode, pp.Body)
			}
			staff := env.Login(t, "jyzx-staff")
			if res := staff.PostForm(t, "/draws/projects/"+pid+"/commit", url.Values{"purpose": {"experts"}, "reserves": {"1"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("commit: %d %s", res.StatusCode, res.Body)
			}
			var list struct {
				Items []draw.Draw `json:"items"`
				Total int64       `json:"total"`
			}
			env.API(t, "", "GET", "/api/v1/draws", nil).JSON(t, &list)
			if list.Total != 1 || list.Items[0].Status != "committed" {
				t.Fatalf("public list %+v", list)
			}
			did := fmt.Sprint(list.Items[0].ID)
			if res := staff.PostForm(t, "/draws/run/"+did, url.Values{"witness_name": {"王见证"}, "witness_value": {"123456"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("execute: %d %s", res.StatusCode, res.Body)
			}
			var rec draw.Record
			env.API(t, "", "GET", "/api/v1/draws/"+did+"/record", nil).JSON(t, &rec)
			if len(rec.Picks) != 7 || strings.Contains(env.API(t, "", "GET", "/api/v1/draws/"+did+"/record", nil).Body, "专家") {
				t.Fatalf("record picks %d or names leaked", len(rec.Picks))
			}
			if d := draw.Verify(&rec); len(d) != 0 {
				t.Fatalf("downloaded record does not verify: %v", d)
			}
			var vr draws.VerifyResult
			env.API(t, "", "GET", "/api/v1/draws/"+did+"/verify", nil).JSON(t, &vr)
			if !vr.OK {
				t.Fatalf("verify: %+v", vr)
			}
			page := env.Anonymous().Get(t, "/public/draws/"+did+"/verify")
			if page.StatusCode != 200 || !strings.Contains(page.Body, "验证通过") || !strings.Contains(page.Body, "123456") {
				t.Fatalf("verify page: %d", page.StatusCode)
			}
			if !strings.Contains(page.Body, ">非在库正常状态或受处罚</span>") || strings.Contains(page.Body, ">not_active<") {
				t.Fatalf("verify page shows no labelled exclusion reason:\n%s", page.Body)
			}
			// Sealed for the tenderer, names for staff and the supervisor.
			if p := ent.Get(t, "/draws/projects/"+pid); p.StatusCode != 200 || !strings.Contains(p.Body, `data-testid="sealed"`) || strings.Contains(p.Body, "专家0") && strings.Contains(p.Body, "专家1") && strings.Contains(p.Body, "专家2") {
				t.Fatalf("tenderer's project page: %d sealed=%v", p.StatusCode, strings.Contains(p.Body, "sealed"))
			}
			sup := env.Login(t, "supervisor")
			if p := sup.Get(t, "/public/draws/"+did+"/verify"); !strings.Contains(p.Body, `data-testid="pick-name">专家`) {
				t.Fatal("supervisor does not see names on the verify page")
			}
			if strings.Contains(page.Body, "pick-name") {
				t.Fatal("the public sees names on the verify page")
			}
			if p := sup.Get(t, "/draws/projects/"+pid); p.StatusCode != 200 || strings.Contains(p.Body, `data-testid="sealed"`) {
				t.Fatalf("supervisor's project page: %d", p.StatusCode)
			}
		})
	}
}

func TestAuthorisationMatrix(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	centre(t, env)
	p, err := modules.Get[*draw.Service](env.Modules).CreateProject(sitetest.System(), draw.ProjectInput{Name: "测试项目", Kind: "goods", BudgetYuan: 100000,
		Specialties: []string{"A01"}, TendererUSCC: sitetest.USCCA, OpeningAt: "2099-01-01T09:00"})
	if err != nil {
		t.Fatal(err)
	}
	pid := fmt.Sprint(p.ID)
	cases := []struct {
		user, method, path string
		want               int
	}{
		{"", "GET", "/api/v1/draws", 200},
		{"", "GET", "/api/v1/draw-experts", 401},
		{"ent", "GET", "/api/v1/draw-experts", 403},
		{"supervisor", "GET", "/api/v1/draw-experts", 200},
		{"jyzx-staff", "GET", "/api/v1/draw-experts", 200},
		{"ent", "POST", "/api/v1/draw-projects/" + pid + "/draws", 403},
		{"supervisor", "POST", "/api/v1/draw-projects/" + pid + "/draws", 403},
		{"sjj-staff", "POST", "/api/v1/draw-projects/" + pid + "/draws", 404},  // another department: as if it did not exist
		{"jyzx-staff", "POST", "/api/v1/draw-projects/" + pid + "/draws", 409}, // allowed, but the pool is empty
		{"ent", "GET", "/api/v1/draw-projects/" + pid, 200},
		{"swj-staff", "GET", "/api/v1/draw-projects/" + pid, 404},
		{"admin", "POST", "/api/v1/draw-projects/" + pid + "/draws", 409},
		// The pools are the centre's: by role and department.
		{"", "POST", "/api/v1/draw-experts", 401},
		{"ent", "POST", "/api/v1/draw-experts", 403},
		{"supervisor", "POST", "/api/v1/draw-experts", 403},
		{"sjj-admin", "POST", "/api/v1/draw-experts", 403},
		{"sjj-staff", "POST", "/api/v1/draw-experts", 403},
		{"wd-staff", "POST", "/api/v1/draw-experts", 403},
		{"jyzx-staff", "POST", "/api/v1/draw-experts", 201},
		{"admin", "POST", "/api/v1/draw-experts", 201},
		// Projects are registered by tenderers or by the centre.
		{"supervisor", "POST", "/api/v1/draw-projects", 403},
		{"swj-staff", "POST", "/api/v1/draw-projects", 403},
		{"jyzx-staff", "POST", "/api/v1/draw-projects", 201},
		{"ent", "POST", "/api/v1/draw-projects", 201},
		{"supervisor", "GET", "/api/v1/draw-projects/" + pid + "/experts", 200},
		{"", "POST", "/api/v1/draw-answers/00", 404},
	}
	for _, c := range cases {
		token := ""
		if c.user != "" {
			token = env.Token(t, c.user)
		}
		var body any
		switch {
		case strings.Contains(c.path, "answers"):
			body = map[string]any{"accept": true}
		case strings.HasSuffix(c.path, "/draw-experts"):
			body = draw.ExpertInput{Name: "专家" + c.user, Specialties: []string{"A01"}}
		case strings.HasSuffix(c.path, "/draw-projects"):
			body = draw.ProjectInput{Name: "项目" + c.user, Kind: "goods", BudgetYuan: 100000, Specialties: []string{"A01"},
				TendererUSCC: sitetest.USCCA, OpeningAt: "2099-01-01T09:00"}
		case c.method == "POST":
			body = map[string]any{"purpose": "experts"}
		}
		if res := env.API(t, token, c.method, c.path, body); res.StatusCode != c.want {
			t.Errorf("%s %s %s: %d, want %d (%s)", c.user, c.method, c.path, res.StatusCode, c.want, res.Body)
		}
	}
	pages := []struct {
		user, path string
		want       int
	}{
		{"ent", "/draws/pools", 403},
		{"supervisor", "/draws/pools", 200},
		{"jyzx-staff", "/draws/pools", 200},
		{"ent", "/draws", 200},
		{"ent", "/draws/projects/new", 200},
		{"supervisor", "/draws/projects/new", 403},
		{"ent", "/draws/projects/" + pid, 200},
		{"wd-staff", "/draws/projects/" + pid, 404},
		{"", "/public/draws", 200},
	}
	for _, c := range pages {
		cl := env.Anonymous()
		if c.user != "" {
			cl = env.Login(t, c.user)
		}
		if res := cl.Get(t, c.path); res.StatusCode != c.want {
			t.Errorf("%s GET %s: %d, want %d", c.user, c.path, res.StatusCode, c.want)
		}
	}
}
