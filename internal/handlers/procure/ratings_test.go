package procure_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/modules"
	"yingshang/internal/procure"
	"yingshang/internal/refdata"
	"yingshang/internal/site/sitetest"
)

// The mutual rating over HTTP: the agency (the "ent" user's entity) rates
// the supplier through the project page's form (a bad field re-renders the
// form with the input kept), the unit over the API, another unit refused,
// and the ratings on the public project page and API without login.
func TestRatingPagesAndAPI(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			svc := modules.Get[*procure.Service](env.Modules)
			unit := auth.WithActor(context.Background(), &auth.Actor{Username: "u", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: env.Depts["XC-SJJ"],
				DeptScope: []int64{env.Depts["XC-SJJ"]}, Via: "session"})
			first := "91411002MA0000051"
			c, err := ident.USCCCheckChar(first)
			if err != nil {
				t.Fatal(err)
			}
			sup, err := env.App.Entities.Create(sitetest.System(), entity.Input{USCC: first + string(c), Name: "许昌宏图办公设备有限公司", Type: "有限责任公司", LegalRepName: "赵敏",
				RegionCode: "411002", IndustryCode: "5191", FoundedOn: "2017-04-10", DepartmentID: env.Depts["WD-SJJ"], SizeClass: refdata.SizeSmall})
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.CreateProject(unit, procure.ProjectInput{Title: "执法记录仪采购", Method: "inquiry", CategoryCode: "A02091001", BudgetYuan: "180000",
				SetAsideInput: procure.SetAsideInput{Decision: "full"}, EvalMethod: "lowest_price"})
			if err != nil {
				t.Fatal(err)
			}
			supCtx := auth.WithActor(context.Background(), &auth.Actor{Username: "s", Roles: []auth.Role{auth.Enterprise}, EntityID: sup.ID, Via: "session"})
			if _, err := svc.Register(supCtx, p.ID, procure.RegisterInput{PriceYuan: "168000", SizeDeclared: "small"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.EvaluateBids(unit, p.ID, procure.ScoreInput{}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Award(unit, p.ID); err != nil {
				t.Fatal(err)
			}
			sjj := env.Login(t, "sjj-staff")
			if res := sjj.PostForm(t, fmt.Sprintf("/procure/projects/%d/agency", p.ID), url.Values{"uscc": {sitetest.USCCA}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("agency: %d %s", res.StatusCode, res.Body)
			}

			ent := env.Login(t, "ent")
			path := fmt.Sprintf("/procure/projects/%d", p.ID)
			page := ent.Get(t, path)
			if page.StatusCode != 200 || !strings.Contains(page.Body, `data-testid="rating-form-supplier"`) || !strings.Contains(page.Body, `data-testid="rating-form-purchaser"`) {
				t.Fatalf("the agency's page has no rating forms: %d", page.StatusCode)
			}
			res := ent.PostForm(t, path+"/ratings", url.Values{"as": {"agency"}, "ratee": {"supplier"}, "points.B03": {"11"}, "points.B04": {"9"}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "0 到 10") || !strings.Contains(res.Body, `name="points.B03" size="4" inputmode="numeric" value="11"`) {
				t.Fatalf("bad rating: %d %s", res.StatusCode, res.Body[:min(len(res.Body), 600)])
			}
			res = ent.PostForm(t, path+"/ratings", url.Values{"as": {"agency"}, "ratee": {"supplier"}, "points.B03": {"十"}, "points.B04": {"9"}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "得分应为整数") {
				t.Fatalf("non-numeric points: %d", res.StatusCode)
			}
			res = ent.PostForm(t, path+"/ratings", url.Values{"as": {"agency"}, "ratee": {"supplier"}, "points.B03": {"10"}, "points.B04": {"9"}, "comment": {"响应文件规范"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("rating: %d %s", res.StatusCode, res.Body)
			}
			if page := ent.Get(t, path); strings.Contains(page.Body, `data-testid="rating-form-supplier"`) {
				t.Fatal("the supplier can be rated twice")
			}

			api := fmt.Sprintf("/api/v1/procure/projects/%d/ratings", p.ID)
			body := map[string]any{"ratee": "supplier", "points": map[string]int{"C02": 10, "D01": 20, "D02": 10, "D03": 10}}
			if res := env.API(t, env.Token(t, "swj-staff"), "POST", api, body); res.StatusCode != http.StatusForbidden {
				t.Fatalf("another unit rates: %d", res.StatusCode)
			}
			if res := env.API(t, env.Token(t, "sjj-staff"), "POST", api, body); res.StatusCode != http.StatusCreated {
				t.Fatalf("the unit rates: %d %s", res.StatusCode, res.Body)
			}

			// A penalty of the supplier under publicity, read through credit's public API.
			d := env.Depts["XC-SJJ"]
			if _, err := modules.Get[*credit.Service](env.Modules).Create(auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users["sjj-staff"], Roles: []auth.Role{auth.DeptStaff},
				DepartmentID: d, DeptScope: []int64{d}}), credit.Input{EntityID: sup.ID, Kind: credit.KindPenalty, Content: credit.Content{DecisionNo: "许市监罚〔2026〕611号",
				DecidedOn: "2026-11-20", LegalBasis: "《产品质量法》第五十条", Penalties: []credit.Penalty{{Type: "fine", Amount: 20000}}, Class: credit.ClassGeneral}}); err != nil {
				t.Fatal(err)
			}
			pub := env.Anonymous().Get(t, fmt.Sprintf("/public/procure/%d", p.ID))
			if !strings.Contains(pub.Body, "许市监罚〔2026〕611号") || !strings.Contains(pub.Body, "罚款 20000元") || !strings.Contains(pub.Body, "97.5（2 次）") {
				t.Fatalf("suppliers' credit on the public page: %s", pub.Body[strings.Index(pub.Body, "supplier-credit"):][:800])
			}
			if pub.StatusCode != 200 || strings.Count(pub.Body, `data-testid="rating-row"`) != 2 || !strings.Contains(pub.Body, "95（19/20）") || !strings.Contains(pub.Body, "许昌瑞丰商贸有限公司") {
				t.Fatalf("public page: %d", pub.StatusCode)
			}
			if en := env.Anonymous().Get(t, fmt.Sprintf("/public/procure/%d?lang=en", p.ID)); !strings.Contains(en.Body, "procurement agency") || !strings.Contains(en.Body, "Quality of goods or services") {
				t.Fatal("public page in English")
			}
			var list []procure.Rating
			env.API(t, "", "GET", api, nil).JSON(t, &list)
			if len(list) != 2 || list[1].Score != 100 || len(list[1].Details) != 4 {
				t.Fatalf("public ratings %+v", list)
			}
		})
	}
}
