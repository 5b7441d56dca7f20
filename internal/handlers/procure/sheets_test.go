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

// Experts score over HTTP: the unit sets the indicators on the project page
// (a bad line is refused naming it, the input kept), every drawn member
// has an account and scores on the scoring page by code (no supplier
// names), a bad point is refused with the input kept, each locks with a
// receipt; the unit sees the states on the project page and evaluates
// without typing any sheet.
func TestExpertSheetsOverHTTP(t *testing.T) {
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
				username := fmt.Sprintf("pexp%d", i)
				u, err := env.App.Accounts.CreateUser(sys, account.UserInput{Username: username, DisplayName: fmt.Sprintf("专家%d", i), Password: sitetest.Password, Roles: []auth.Role{auth.Expert}})
				if err != nil {
					t.Fatal(err)
				}
				env.Users[username] = u.ID
				x, err := dr.CreateExpert(sys, draw.ExpertInput{Name: fmt.Sprintf("专家%d", i), Username: username, Specialties: []string{spec}, Region: "411002", Title: "高级工程师"})
				if err != nil {
					t.Fatal(err)
				}
				experts[x.ID] = username
			}
			unit := auth.WithActor(context.Background(), &auth.Actor{Username: "u", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: env.Depts["XC-SJJ"],
				DeptScope: []int64{env.Depts["XC-SJJ"]}, Via: "session"})
			p, err := svc.CreateProject(unit, procure.ProjectInput{Title: "市场监管局办公楼物业服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "1500000",
				SetAsideInput: procure.SetAsideInput{Decision: "full"}, EvalMethod: procure.EvalComprehensive, PriceWeight: 30})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for i, n := range []string{"许昌安泰物业服务有限公司", "许昌顺达物业管理有限公司"} {
				first := fmt.Sprintf("91411002MA00000%d7", 7+i)
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
				if _, err := svc.Register(supCtx, p.ID, procure.RegisterInput{PriceYuan: fmt.Sprint(1400000 + 20000*i), SizeDeclared: "small"}); err != nil {
					t.Fatal(err)
				}
				names = append(names, n)
			}
			path := fmt.Sprintf("/procure/projects/%d", p.ID)
			sjj := env.Login(t, "sjj-staff")
			page := sjj.Get(t, path)
			if !strings.Contains(page.Body, `data-testid="indicators-form"`) || !strings.Contains(page.Body, "tech,技术及其他,Technical and other,70") {
				t.Fatalf("no indicators form with the default on the unit's page: %d", page.StatusCode)
			}
			bad := "plan,服务方案,Service plan,40\nteam,人员配备,Staffing"
			res := sjj.PostForm(t, path+"/indicators", url.Values{"indicators": {bad}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "第2行应为") || !strings.Contains(res.Body, "Service plan,40") {
				t.Fatalf("a bad indicators line: %d", res.StatusCode)
			}
			if res := env.Login(t, "swj-staff").PostForm(t, path+"/indicators", url.Values{"indicators": {"tech,技术,Technical,70"}}); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another unit sets the indicators: %d", res.StatusCode)
			}
			res = sjj.PostForm(t, path+"/indicators", url.Values{"indicators": {"plan,服务方案,Service plan,40\nteam,人员配备,Staffing,30"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("indicators: %d %s", res.StatusCode, res.Body)
			}
			api := fmt.Sprintf("/api/v1/procure/projects/%d", p.ID)
			var inds []procure.ScoreIndicator
			env.API(t, "", "GET", api+"/scoring-indicators", nil).JSON(t, &inds)
			if len(inds) != 2 || inds[1].Code != "team" || inds[1].Max != 30 {
				t.Fatalf("indicators %+v", inds)
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
			// A pool expert who was not drawn: 403 on the sheet.
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
			if res := env.API(t, env.Token(t, outsider), "GET", api+"/sheets/mine", nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("an expert not drawn reads a sheet: %d", res.StatusCode)
			}
			if res := env.API(t, env.Token(t, "ent"), "GET", api+"/sheets/mine", nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("an enterprise reads a sheet: %d", res.StatusCode)
			}
			if res := env.API(t, env.Token(t, "swj-staff"), "GET", api+"/sheets", nil); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another unit reads the sheet states: %d", res.StatusCode)
			}

			for i, m := range com.Members {
				username := experts[m.ExpertID]
				if i == 0 {
					// The first member through the pages: the list, the
					// sheet by code only, a bad point kept, then locked.
					c := env.Login(t, username)
					if list := c.Get(t, "/procure/scoring"); !strings.Contains(list.Body, p.Code) {
						t.Fatalf("the expert's list: %d", list.StatusCode)
					}
					pg := c.Get(t, path+"/score")
					if pg.StatusCode != http.StatusOK || !strings.Contains(pg.Body, "T01") || !strings.Contains(pg.Body, "T02") {
						t.Fatalf("the scoring page: %d", pg.StatusCode)
					}
					for _, n := range names {
						if strings.Contains(pg.Body, n) {
							t.Fatalf("the scoring page names %s", n)
						}
					}
					res := c.PostForm(t, path+"/score", url.Values{"p.T01.plan": {"45"}, "p.T01.team": {"25"}, "action": {"save"}})
					if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "须在0-40之间") || !strings.Contains(res.Body, `value="45"`) {
						t.Fatalf("a bad point: %d", res.StatusCode)
					}
					res = c.PostForm(t, path+"/score", url.Values{"p.T01.plan": {"35"}, "p.T01.team": {"25"}, "p.T02.plan": {"30"}, "p.T02.team": {"20"}, "action": {"lock"}})
					if res.StatusCode != http.StatusSeeOther {
						t.Fatalf("lock: %d %s", res.StatusCode, res.Body)
					}
					want := procure.SheetHash([]procure.SheetPoint{{Code: "T01", Indicator: "plan", Points: 35}, {Code: "T01", Indicator: "team", Points: 25},
						{Code: "T02", Indicator: "plan", Points: 30}, {Code: "T02", Indicator: "team", Points: 20}})
					if pg := c.Get(t, path+"/score"); !strings.Contains(pg.Body, want) || strings.Contains(pg.Body, `data-testid="score-lock"`) {
						t.Fatal("the locked page shows no receipt, or still a form")
					}
					continue
				}
				tok := env.Token(t, username)
				body := map[string]any{"lock": true, "points": []map[string]any{{"code": "T01", "indicator": "plan", "points": 35}, {"code": "T01", "indicator": "team", "points": 25},
					{"code": "T02", "indicator": "plan", "points": 30}, {"code": "T02", "indicator": "team", "points": 20}}}
				if i == 1 {
					res := env.API(t, tok, "PUT", api+"/sheets/mine", map[string]any{"lock": true, "points": []map[string]any{{"code": "T01", "indicator": "plan", "points": 35}}})
					if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `"points"`) {
						t.Fatalf("an incomplete lock: %d %s", res.StatusCode, res.Body)
					}
				}
				var sh procure.ScoringSheet
				res := env.API(t, tok, "PUT", api+"/sheets/mine", body)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("lock over the API: %d %s", res.StatusCode, res.Body)
				}
				res.JSON(t, &sh)
				if sh.Status != procure.SheetLocked || sh.SHA256 == "" {
					t.Fatalf("sheet %+v", sh)
				}
				if res := env.API(t, tok, "PUT", api+"/sheets/mine", body); res.StatusCode != http.StatusConflict {
					t.Fatalf("a locked sheet changes: %d", res.StatusCode)
				}
			}
			var states []procure.SheetState
			env.API(t, env.Token(t, "sjj-staff"), "GET", api+"/sheets", nil).JSON(t, &states)
			for _, st := range states {
				if !st.Online || st.Status != procure.SheetLocked || st.SHA256 == "" {
					t.Fatalf("states %+v", states)
				}
			}
			if pg := sjj.Get(t, path); strings.Count(pg.Body, `data-testid="sheet-online"`) != 5 {
				t.Fatal("the project page does not show the five online sheets")
			}
			// Every member scored online: the unit evaluates without sheets.
			res = sjj.PostForm(t, path+"/evaluation", url.Values{})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("evaluate: %d %s", res.StatusCode, res.Body)
			}
			bids, err := svc.Bids(unit, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bids {
				if b.TechScore != 60 && b.TechScore != 50 {
					t.Fatalf("bid %+v: technical 60 or 50 expected", b)
				}
			}
			// After the award the public page shows each member's sheet by
			// code with its receipt.
			if res := sjj.PostForm(t, path+"/award", url.Values{}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("award: %d %s", res.StatusCode, res.Body)
			}
			pub := env.Anonymous().Get(t, fmt.Sprintf("/public/procure/%d", p.ID))
			if n := strings.Count(pub.Body, `data-testid="sheet-receipt"`); n != 5 || !strings.Contains(pub.Body, "plan 35") {
				t.Fatalf("%d receipts on the public page", n)
			}
		})
	}
}
