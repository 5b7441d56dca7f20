package procure_test

import (
	"context"
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

// Experts score each lot over HTTP: the scoring list links each lot's
// sheet, the lot's sheet shows the codes only and keeps a comment whose
// points are missing, the members lock (pages and API) with comments; the
// unit's page has no project-level "evaluate and rank" but the seats'
// states per lot, and evaluates each lot without typing; an outsider gets
// 403 and another unit 404; the public page lists the lots' results only
// after the award, with the comments and one receipt per member and lot.
func TestLotSheetsOverHTTP(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			sys := sitetest.System()
			svc := modules.Get[*procure.Service](env.Modules)
			dr := modules.Get[*draw.Service](env.Modules)
			if _, err := env.App.Accounts.CreateDepartment(sys, account.DepartmentInput{ParentID: env.Depts["XC"], Code: "XC-JYZX", Name: "许昌市公共资源交易中心", Kind: "office", RegionCode: "411000"}); err != nil {
				t.Fatal(err)
			}
			experts := map[int64]string{} // pool id -> username
			for i, spec := range []string{"C08", "C08", "C08", "C08", "C08", "E01", "E01"} {
				username := fmt.Sprintf("lexp%d", i)
				u, err := env.App.Accounts.CreateUser(sys, account.UserInput{Username: username, DisplayName: fmt.Sprintf("分包专家%d", i), Password: sitetest.Password, Roles: []auth.Role{auth.Expert}})
				if err != nil {
					t.Fatal(err)
				}
				env.Users[username] = u.ID
				x, err := dr.CreateExpert(sys, draw.ExpertInput{Name: fmt.Sprintf("分包专家%d", i), Username: username, Specialties: []string{spec}, Region: "411002", Title: "高级工程师"})
				if err != nil {
					t.Fatal(err)
				}
				experts[x.ID] = username
			}
			unit := auth.WithActor(context.Background(), &auth.Actor{Username: "u", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: env.Depts["XC-SJJ"],
				DeptScope: []int64{env.Depts["XC-SJJ"]}, Via: "session"})
			p, err := svc.CreateProject(unit, procure.ProjectInput{Title: "市场监管局物业及保洁服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "1500000",
				SetAsideInput: procure.SetAsideInput{Decision: "full"}, EvalMethod: procure.EvalComprehensive, PriceWeight: 30,
				Lots: []procure.Lot{{Title: "物业服务", BudgetFen: 80000000}, {Title: "保洁服务", BudgetFen: 70000000}}})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for i, n := range []string{"许昌恒信物业服务有限公司", "许昌洁美保洁服务有限公司"} {
				first := fmt.Sprintf("91411002MA00001%d7", 7+i)
				c, err := ident.USCCCheckChar(first)
				if err != nil {
					t.Fatal(err)
				}
				sup, err := env.App.Entities.Create(sys, entity.Input{USCC: first + string(c), Name: n, Type: "有限责任公司", LegalRepName: "孙磊",
					RegionCode: "411002", IndustryCode: "7020", FoundedOn: "2014-06-01", DepartmentID: env.Depts["WD-SJJ"], SizeClass: refdata.SizeSmall})
				if err != nil {
					t.Fatal(err)
				}
				supCtx := auth.WithActor(context.Background(), &auth.Actor{Username: "s", Roles: []auth.Role{auth.Enterprise}, EntityID: sup.ID, Via: "session"})
				if _, err := svc.Register(supCtx, p.ID, procure.RegisterInput{SizeDeclared: "small",
					Lots: []procure.LotBid{{LotNo: 1, PriceYuan: fmt.Sprint(780000 + 10000*i)}, {LotNo: 2, PriceYuan: fmt.Sprint(690000 - 10000*i)}}}); err != nil {
					t.Fatal(err)
				}
				names = append(names, n)
			}
			at := env.Clock.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, 3).Format("2006-01-02") + "T09:00"
			gov := "11411000MB0000088"
			gc, _ := ident.USCCCheckChar(gov)
			if _, err := svc.CommitCommittee(unit, p.ID, procure.CommitteeInput{PurchaserUSCC: gov + string(gc), Specialties: []string{"C08"}, EvaluationAt: at}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.RunCommittee(unit, p.ID, draw.DrawInput{WitnessName: "见证员", WitnessValue: "620418"}); err != nil {
				t.Fatal(err)
			}
			sup := auth.WithActor(context.Background(), &auth.Actor{Username: "s", Roles: []auth.Role{auth.Supervisor}, Via: "session"})
			com, err := svc.Committee(sup, p.ID)
			if err != nil || len(com.Members) != 5 {
				t.Fatalf("committee %v %+v", err, com)
			}
			var outsider string
			for id, u := range experts {
				drawn := false
				for _, m := range com.Members {
					drawn = drawn || m.ExpertID == id
				}
				if !drawn {
					outsider = u
				}
			}
			path := fmt.Sprintf("/procure/projects/%d", p.ID)
			api := fmt.Sprintf("/api/v1/procure/projects/%d", p.ID)
			if res := env.API(t, env.Token(t, outsider), "GET", api+"/lots/1/sheets/mine", nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("an expert not drawn reads a lot sheet: %d", res.StatusCode)
			}
			if res := env.API(t, env.Token(t, "swj-staff"), "GET", api+"/lots/1/sheets", nil); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another unit reads the lot's sheet states: %d", res.StatusCode)
			}

			sheet := func(lot int) []map[string]any {
				return []map[string]any{{"code": "T01", "indicator": "tech", "points": 60 + lot, "comment": fmt.Sprintf("第%d包方案合理", lot)}, {"code": "T02", "indicator": "tech", "points": 50}}
			}
			for i, m := range com.Members {
				username := experts[m.ExpertID]
				if i == 0 {
					c := env.Login(t, username)
					if list := c.Get(t, "/procure/scoring"); !strings.Contains(list.Body, path+"/lots/1/score") || !strings.Contains(list.Body, path+"/lots/2/score") {
						t.Fatalf("the expert's list has no lot sheets: %d", list.StatusCode)
					}
					pg := c.Get(t, path+"/lots/1/score")
					if pg.StatusCode != http.StatusOK || !strings.Contains(pg.Body, `data-testid="score-lot"`) || !strings.Contains(pg.Body, "T02") {
						t.Fatalf("the lot's scoring page: %d", pg.StatusCode)
					}
					for _, n := range names {
						if strings.Contains(pg.Body, n) {
							t.Fatalf("the lot's scoring page names %s", n)
						}
					}
					res := c.PostForm(t, path+"/lots/1/score", url.Values{"p.T01.tech": {""}, "c.T01.tech": {"方案完整"}, "p.T02.tech": {"50"}, "action": {"save"}})
					if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "有评分理由但未打分") || !strings.Contains(res.Body, "方案完整</textarea>") {
						t.Fatalf("a comment without points: %d", res.StatusCode)
					}
					res = c.PostForm(t, path+"/lots/1/score", url.Values{"p.T01.tech": {"61"}, "c.T01.tech": {"第1包方案合理"}, "p.T02.tech": {"50"}, "action": {"lock"}})
					if res.StatusCode != http.StatusSeeOther {
						t.Fatalf("lock lot 1: %d %s", res.StatusCode, res.Body)
					}
					want := procure.SheetHash([]procure.SheetPoint{{Code: "T01", Indicator: "tech", Points: 61, Comment: "第1包方案合理"}, {Code: "T02", Indicator: "tech", Points: 50}})
					if pg := c.Get(t, path+"/lots/1/score"); !strings.Contains(pg.Body, want) || !strings.Contains(pg.Body, `data-testid="score-comment"`) || strings.Contains(pg.Body, `data-testid="score-lock"`) {
						t.Fatal("the locked lot page shows no receipt or comment, or still a form")
					}
					if pg := c.Get(t, path); !strings.Contains(pg.Body, `data-testid="my-lot-sheet-2"`) {
						t.Fatal("the project page has no link to the member's lot 2 sheet")
					}
				}
				tok := env.Token(t, username)
				for lot := 1; lot <= 2; lot++ {
					if i == 0 && lot == 1 {
						continue
					}
					if res := env.API(t, tok, "PUT", fmt.Sprintf("%s/lots/%d/sheets/mine", api, lot), map[string]any{"lock": true, "points": sheet(lot)}); res.StatusCode != http.StatusOK {
						t.Fatalf("lock lot %d over the API: %d %s", lot, res.StatusCode, res.Body)
					}
				}
			}

			sjj := env.Login(t, "sjj-staff")
			pg := sjj.Get(t, path)
			if strings.Contains(pg.Body, `data-testid="evaluate"`) || !strings.Contains(pg.Body, `data-testid="evaluate-per-lot"`) ||
				strings.Count(pg.Body, `data-testid="lot-sheet-online"`) != 10 || strings.Contains(pg.Body, `name="tech_`) {
				t.Fatal("the unit's page of a project with lots: a project-level evaluate button, or not the ten online lot sheets")
			}
			for lot := 1; lot <= 2; lot++ {
				if res := sjj.PostForm(t, fmt.Sprintf("%s/lots/%d/evaluation", path, lot), url.Values{}); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("evaluate lot %d: %d %s", lot, res.StatusCode, res.Body)
				}
			}
			res, err := svc.LotResults(unit, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if r.TechScore != 60+float64(r.LotNo) && r.TechScore != 50 {
					t.Fatalf("lot result %+v: technical %d or 50 expected (the sheets' mean)", r, 60+r.LotNo)
				}
			}
			pub := env.Anonymous().Get(t, fmt.Sprintf("/public/procure/%d", p.ID))
			if strings.Contains(pub.Body, `data-testid="lot-result"`) || !strings.Contains(pub.Body, `data-testid="lot-results"`) {
				t.Fatal("the public page lists lot results before the award")
			}
			for lot := 1; lot <= 2; lot++ {
				if res := sjj.PostForm(t, fmt.Sprintf("%s/lots/%d/award", path, lot), url.Values{}); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("award lot %d: %d %s", lot, res.StatusCode, res.Body)
				}
			}
			pub = env.Anonymous().Get(t, fmt.Sprintf("/public/procure/%d", p.ID))
			if n := strings.Count(pub.Body, `data-testid="lot-result"`); n != 4 || strings.Count(pub.Body, `data-testid="lot-result-awarded"`) != 2 {
				t.Fatalf("%d lot results on the public page, want 4 with 2 awarded", n)
			}
			if n := strings.Count(pub.Body, `data-testid="sheet-receipt"`); n != 10 || !strings.Contains(pub.Body, "第2包方案合理") || !strings.Contains(pub.Body, names[0]) {
				t.Fatalf("%d receipts on the public page (want one per member and lot), or no comments", n)
			}
		})
	}
}
