package procure_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/modules"
	"yingshang/internal/procure"
	"yingshang/internal/refdata"
	"yingshang/internal/site/sitetest"
)

// The committee over HTTP: the unit commits the draw on the project page
// (a bad field re-renders the form with the input kept), another unit is
// refused, the draw runs over the API, the committee stays secret on the
// public page and API until the award and is published after it, in
// Chinese and English.
func TestCommitteePagesAndAPI(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			sys := sitetest.System()
			svc := modules.Get[*procure.Service](env.Modules)
			dr := modules.Get[*draw.Service](env.Modules)
			if _, err := env.App.Accounts.CreateDepartment(sys, account.DepartmentInput{ParentID: env.Depts["XC"], Code: "XC-JYZX", Name: "许昌市公共资源交易中心", Kind: "office", RegionCode: "411000"}); err != nil {
				t.Fatal(err)
			}
			var names []string
			for i, spec := range []string{"C08", "C08", "C08", "C08", "C08", "E01", "E01"} {
				name := fmt.Sprintf("评审专家%c", '甲'+rune(i))
				if _, err := dr.CreateExpert(sys, draw.ExpertInput{Name: name, Specialties: []string{spec}, Region: "411002", Title: "高级工程师"}); err != nil {
					t.Fatal(err)
				}
				names = append(names, name)
			}
			unit := auth.WithActor(context.Background(), &auth.Actor{Username: "u", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: env.Depts["XC-SJJ"],
				DeptScope: []int64{env.Depts["XC-SJJ"]}, Via: "session"})
			first := "91411002MA0000077"
			c, err := ident.USCCCheckChar(first)
			if err != nil {
				t.Fatal(err)
			}
			sup, err := env.App.Entities.Create(sys, entity.Input{USCC: first + string(c), Name: "许昌安泰物业服务有限公司", Type: "有限责任公司", LegalRepName: "孙磊",
				RegionCode: "411002", IndustryCode: "7020", FoundedOn: "2014-06-01", DepartmentID: env.Depts["WD-SJJ"], SizeClass: refdata.SizeSmall})
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.CreateProject(unit, procure.ProjectInput{Title: "市场监管局办公楼物业服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "1500000",
				SetAsideInput: procure.SetAsideInput{Decision: "full"}, EvalMethod: "lowest_price"})
			if err != nil {
				t.Fatal(err)
			}
			supCtx := auth.WithActor(context.Background(), &auth.Actor{Username: "s", Roles: []auth.Role{auth.Enterprise}, EntityID: sup.ID, Via: "session"})
			if _, err := svc.Register(supCtx, p.ID, procure.RegisterInput{PriceYuan: "1420000", SizeDeclared: "small"}); err != nil {
				t.Fatal(err)
			}
			gov := "11411000MB0000088"
			gc, err := ident.USCCCheckChar(gov)
			if err != nil {
				t.Fatal(err)
			}
			at := env.Clock.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 3).Format("2006-01-02") + "T09:00"
			path := fmt.Sprintf("/procure/projects/%d", p.ID)
			sjj := env.Login(t, "sjj-staff")
			if page := sjj.Get(t, path); !strings.Contains(page.Body, `data-testid="committee-form"`) {
				t.Fatalf("no committee form on the unit's page: %d", page.StatusCode)
			}
			res := sjj.PostForm(t, path+"/committee", url.Values{"purchaser_uscc": {"11411000"}, "specialties": {"C08"}, "evaluation_at": {at}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "采购人统一社会信用代码无效") || !strings.Contains(res.Body, `value="C08"`) {
				t.Fatalf("bad committee form: %d", res.StatusCode)
			}
			if res := env.Login(t, "swj-staff").PostForm(t, path+"/committee", url.Values{"purchaser_uscc": {gov + string(gc)}, "specialties": {"C08"}, "evaluation_at": {at}}); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another unit commits: %d", res.StatusCode)
			}
			res = sjj.PostForm(t, path+"/committee", url.Values{"purchaser_uscc": {gov + string(gc)}, "specialties": {"C08"}, "evaluation_at": {at}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("commit: %d %s", res.StatusCode, res.Body)
			}
			api := fmt.Sprintf("/api/v1/procure/projects/%d/committee", p.ID)
			if res := env.API(t, env.Token(t, "swj-staff"), "POST", api+"/draw", map[string]any{"witness_name": "见证员", "witness_value": "1"}); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another unit runs the draw: %d", res.StatusCode)
			}
			res = env.API(t, env.Token(t, "sjj-staff"), "POST", api+"/draw", map[string]any{"witness_name": "见证员", "witness_value": "620418"})
			if res.StatusCode != http.StatusOK {
				t.Fatalf("run: %d %s", res.StatusCode, res.Body)
			}
			var com procure.Committee
			if err := json.Unmarshal([]byte(res.Body), &com); err != nil || len(com.Members) != 5 || com.Members[0].Name != "" || com.Members[0].Alias == "" {
				t.Fatalf("the unit's view of the committee: %v %s", err, res.Body)
			}
			secret := func(body string) {
				t.Helper()
				for _, n := range names {
					if strings.Contains(body, n) {
						t.Fatalf("expert %s shows before the award", n)
					}
				}
			}
			secret(sjj.Get(t, path).Body)
			pub := env.Anonymous().Get(t, fmt.Sprintf("/public/procure/%d", p.ID))
			secret(pub.Body)
			if strings.Contains(pub.Body, com.Members[0].Alias) {
				t.Fatal("the public page shows the pseudonyms before the award")
			}
			anon := env.API(t, "", "GET", api, nil)
			secret(anon.Body)
			if anon.StatusCode != 200 || strings.Contains(anon.Body, com.Members[0].Alias) {
				t.Fatalf("public committee before the award: %d %s", anon.StatusCode, anon.Body)
			}

			if _, err := svc.EvaluateBids(unit, p.ID, procure.ScoreInput{}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Award(unit, p.ID); err != nil {
				t.Fatal(err)
			}
			pub = env.Anonymous().Get(t, fmt.Sprintf("/public/procure/%d", p.ID))
			if n := strings.Count(pub.Body, `data-testid="committee-member"`); n != 5 {
				t.Fatalf("%d committee members on the public page after the award", n)
			}
			shown := 0
			for _, n := range names {
				if strings.Contains(pub.Body, n) {
					shown++
				}
			}
			if shown != 5 {
				t.Fatalf("%d names published after the award, want 5", shown)
			}
			en := env.Anonymous().Get(t, fmt.Sprintf("/public/procure/%d?lang=en", p.ID))
			if !strings.Contains(en.Body, "Evaluation committee") || !strings.Contains(en.Body, "notified") {
				t.Fatal("the committee in English")
			}
			// The purchaser now rates the experts: one form per member.
			if page := sjj.Get(t, path); strings.Count(page.Body, `data-testid="rating-form-expert-`) != 5 {
				t.Fatal("no rating forms for the experts")
			}
			res = sjj.PostForm(t, path+"/ratings", url.Values{"as": {"purchaser"}, "ratee": {"expert"}, "ratee_expert": {com.Members[0].Alias}, "points.B09": {"9"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("rating an expert: %d %s", res.StatusCode, res.Body)
			}
		})
	}
}
