package procure_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/db"
	"yingshang/internal/site/sitetest"
)

// HTTP scenario on a fresh database: a unit's plan through the form (a bad
// field re-renders the page with the input kept), the finance bureau's
// proposals over the API, the pages of every role and the public page.
func TestPagesAndAPI(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			sys := sitetest.System()
			d, err := env.App.Accounts.CreateDepartment(sys, account.DepartmentInput{ParentID: env.Depts["XC"], Code: "XC-CZJ", Name: "许昌市财政局", Kind: "bureau", RegionCode: "411000"})
			if err != nil {
				t.Fatal(err)
			}
			u, err := env.App.Accounts.CreateUser(sys, account.UserInput{Username: "czj-staff", DisplayName: "财政局", Password: sitetest.Password, DepartmentID: d.ID, Roles: []auth.Role{auth.DeptStaff}})
			if err != nil {
				t.Fatal(err)
			}
			env.Users["czj-staff"] = u.ID
			wanted := calendar.FromTime(env.Clock.Now(), calendar.Shanghai).AddDays(40).String()
			sjj := env.Login(t, "sjj-staff")
			res := sjj.PostForm(t, "/procure/plans", url.Values{"category_code": {"A02010104"}, "spec": {"CPU i5；内存16GB"}, "quantity": {"abc"}, "budget_yuan": {"220,000"}, "wanted_on": {wanted}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "数量应为正整数") || !strings.Contains(res.Body, `value="220,000"`) {
				t.Fatalf("bad plan: %d %s", res.StatusCode, res.Body[:min(len(res.Body), 400)])
			}
			res = sjj.PostForm(t, "/procure/plans", url.Values{"category_code": {"A02010104"}, "spec": {"CPU i5；内存16GB"}, "quantity": {"40"}, "budget_yuan": {"220,000"}, "wanted_on": {wanted}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("plan: %d %s", res.StatusCode, res.Body)
			}
			tok := env.Token(t, "swj-staff")
			res = env.API(t, tok, "POST", "/api/v1/procure/plans", map[string]any{"category_code": "A02010104", "spec": "内存16GB; CPU i5", "quantity": 25, "budget_yuan": "137500", "wanted_on": wanted})
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("API plan: %d %s", res.StatusCode, res.Body)
			}
			// The unit's page shows its plan and not the other unit's.
			page := sjj.Get(t, "/procure")
			if page.StatusCode != 200 || !strings.Contains(page.Body, "220,000") || strings.Contains(page.Body, "137,500") {
				t.Fatalf("unit page: %d", page.StatusCode)
			}
			fin := env.Login(t, "czj-staff")
			page = fin.Get(t, "/procure")
			if page.StatusCode != 200 || !strings.Contains(page.Body, "137,500") || !strings.Contains(page.Body, `data-testid="proposal-row"`) {
				t.Fatalf("finance page: %d", page.StatusCode)
			}
			var props []map[string]any
			ftok := env.Token(t, "czj-staff")
			env.API(t, ftok, "GET", "/api/v1/procure/proposals", nil).JSON(t, &props)
			if len(props) != 1 {
				t.Fatalf("proposals %v", props)
			}
			if res := env.API(t, tok, "GET", "/api/v1/procure/proposals", nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("a unit asks for proposals: %d", res.StatusCode)
			}
			if res := env.API(t, env.Token(t, "ent"), "GET", "/api/v1/procure/plans", nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("an enterprise lists plans: %d", res.StatusCode)
			}
			if page := env.Login(t, "ent").Get(t, "/procure"); page.StatusCode != 200 {
				t.Fatalf("enterprise page: %d", page.StatusCode)
			}
			if page := env.Anonymous().Get(t, "/public/procure"); page.StatusCode != 200 || !strings.Contains(page.Body, "采购意向") {
				t.Fatalf("public page: %d", page.StatusCode)
			}
			if page := env.Anonymous().Get(t, "/public/procure?lang=en"); !strings.Contains(page.Body, "Procurement intentions") {
				t.Fatal("public page in English")
			}
		})
	}
}
