package procure_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/modules"
	"yingshang/internal/procure"
	"yingshang/internal/refdata"
	"yingshang/internal/site/sitetest"
)

// Lots over HTTP: the unit defines the lots on the project page (bad rows
// come back named, with the input kept; another unit and a supplier are
// refused), suppliers price the lots they bid on in the registration form
// (a large firm is kept off the lot reserved in full), the unit evaluates
// and awards each lot, and the page shows each lot's winner; a supplier
// sees only its own lot bids before the award, the public all after it.
func TestLotPagesAndAPI(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			sys := sitetest.System()
			svc := modules.Get[*procure.Service](env.Modules)
			supplier := func(n int, name string, size refdata.Size) (*sitetest.Client, int64) {
				first := fmt.Sprintf("91411002MA%07d", 500+n)
				c, err := ident.USCCCheckChar(first)
				if err != nil {
					t.Fatal(err)
				}
				en, err := env.App.Entities.Create(sys, entity.Input{USCC: first + string(c), Name: name, Type: "有限责任公司", LegalRepName: "孙磊",
					RegionCode: "411002", IndustryCode: "7020", FoundedOn: "2014-06-01", DepartmentID: env.Depts["WD-SJJ"], SizeClass: size})
				if err != nil {
					t.Fatal(err)
				}
				user := fmt.Sprintf("sup%d", n)
				u, err := env.App.Accounts.CreateUser(sys, account.UserInput{Username: user, DisplayName: name, Password: sitetest.Password, EntityID: en.ID, Roles: []auth.Role{auth.Enterprise}})
				if err != nil {
					t.Fatal(err)
				}
				env.Users[user] = u.ID
				return env.Login(t, user), en.ID
			}
			small, _ := supplier(1, "许昌安泰物业服务有限公司", refdata.SizeSmall)
			large, _ := supplier(2, "河南中原物业集团有限公司", refdata.SizeLarge)
			microEnt := func() int64 {
				_, id := supplier(3, "许昌小厨餐饮服务有限公司", refdata.SizeMicro)
				return id
			}()
			unit := auth.WithActor(context.Background(), &auth.Actor{Username: "u", Roles: []auth.Role{auth.DeptStaff}, DepartmentID: env.Depts["XC-SJJ"],
				DeptScope: []int64{env.Depts["XC-SJJ"]}, Via: "session"})
			p, err := svc.CreateProject(unit, procure.ProjectInput{Title: "办公区物业及食堂服务", Method: "open_tender", CategoryCode: "C21040000", BudgetYuan: "5000000",
				EvalMethod: procure.EvalComprehensive, PriceWeight: 30, DeductionPct: 10, ConsortiumPct: 4,
				SetAsideInput: procure.SetAsideInput{Decision: procure.SetAsidePartial, SharePct: 30, SmallMicroPct: 60}})
			if err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("/procure/projects/%d", p.ID)
			sjj := env.Login(t, "sjj-staff")
			if page := sjj.Get(t, path); !strings.Contains(page.Body, `data-testid="lots-form"`) {
				t.Fatalf("no lots form on the unit's page: %d", page.StatusCode)
			}
			rows := url.Values{"lots.1.title": {"物业服务"}, "lots.1.budget_yuan": {"3,000,000"}, "lots.1.spec": {"面积12000平方米"}, "lots.1.set_aside": {"none"},
				"lots.1.set_aside_reason": {"insufficient"}, "lots.1.deduction_pct": {"15"}, "lots.1.consortium_pct": {"5"},
				"lots.2.title": {"食堂服务"}, "lots.2.budget_yuan": {"1000000"}, "lots.2.quantity": {"2"}, "lots.2.set_aside": {"full"}}
			// 3,000,000 + 1,000,000 is not the budget. (Each post gets a copy:
			// PostForm adds the client's CSRF token to the values.)
			res := sjj.PostForm(t, path+"/lots", maps.Clone(rows))
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "各包预算之和") || !strings.Contains(res.Body, `value="面积12000平方米"`) {
				t.Fatalf("lots not adding up: %d %s", res.StatusCode, res.Body[:min(len(res.Body), 600)])
			}
			rows.Set("lots.2.budget_yuan", "2000000")
			rows.Set("lots.2.deduction_pct", "10")
			res = sjj.PostForm(t, path+"/lots", maps.Clone(rows))
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "第2包：专门面向中小企业的项目不再执行价格扣除") || !strings.Contains(res.Body, `value="2000000"`) {
				t.Fatalf("a deduction on a lot reserved in full: %d", res.StatusCode)
			}
			rows.Del("lots.2.deduction_pct")
			if res := env.Login(t, "swj-staff").PostForm(t, path+"/lots", maps.Clone(rows)); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another unit sets the lots: %d", res.StatusCode)
			}
			if res := small.PostForm(t, path+"/lots", maps.Clone(rows)); res.StatusCode != http.StatusForbidden {
				t.Fatalf("a supplier sets the lots: %d", res.StatusCode)
			}
			if res := env.API(t, env.Token(t, "swj-staff"), "PUT", fmt.Sprintf("/api/v1/procure/projects/%d/lots", p.ID), []map[string]any{{"title": "x", "budget_yuan": "5000000"}}); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another unit over the API: %d", res.StatusCode)
			}
			if res = sjj.PostForm(t, path+"/lots", maps.Clone(rows)); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("lots: %d %s", res.StatusCode, res.Body[:min(len(res.Body), 600)])
			}
			page := sjj.Get(t, path)
			if strings.Count(page.Body, `data-testid="lot-row"`) != 2 || !strings.Contains(page.Body, "面积12000平方米") || !strings.Contains(page.Body, "15% / 5%") {
				t.Fatalf("lots on the page: %s", page.Body)
			}

			// Suppliers price the lots they bid on.
			if page := small.Get(t, path); !strings.Contains(page.Body, `data-testid="lot-prices"`) || strings.Contains(page.Body, `name="price_yuan"`) {
				t.Fatal("the registration form has no lot prices")
			}
			res = small.PostForm(t, path+"/register", url.Values{"size_declared": {"small"}, "lot_price.1": {"2950000"}, "lot_price.2": {"abc"}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "第2包报价应为正数") || !strings.Contains(res.Body, `value="abc"`) {
				t.Fatalf("bad lot price: %d", res.StatusCode)
			}
			if res := small.PostForm(t, path+"/register", url.Values{"size_declared": {"small"}, "lot_price.1": {"2950000"}, "lot_price.2": {"1900000"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("register: %d %s", res.StatusCode, res.Body[:min(len(res.Body), 600)])
			}
			res = large.PostForm(t, path+"/register", url.Values{"size_declared": {"large"}, "lot_price.2": {"1800000"}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "第2包专门面向中小企业采购，大型企业不得投标") {
				t.Fatalf("a large firm on the lot reserved in full: %d", res.StatusCode)
			}
			if res := large.PostForm(t, path+"/register", url.Values{"size_declared": {"large"}, "lot_price.1": {"2800000"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("large register: %d", res.StatusCode)
			}
			microCtx := auth.WithActor(context.Background(), &auth.Actor{Username: "m", Roles: []auth.Role{auth.Enterprise}, EntityID: microEnt, Via: "session"})
			if _, err := svc.Register(microCtx, p.ID, procure.RegisterInput{SizeDeclared: "micro", Lots: []procure.LotBid{{LotNo: 2, PriceYuan: "1850000"}}}); err != nil {
				t.Fatal(err)
			}
			// Before the award a supplier sees its own lot bids, the public none.
			if page := large.Get(t, path); strings.Count(page.Body, `data-testid="lot-bid-row"`) != 1 || strings.Contains(page.Body, "许昌安泰物业服务有限公司") {
				t.Fatalf("the large firm's view of the lot bids: %d rows", strings.Count(page.Body, `data-testid="lot-bid-row"`))
			}
			var pub []procure.LotResult
			env.API(t, "", "GET", fmt.Sprintf("/api/v1/procure/projects/%d/lot-results", p.ID), nil).JSON(t, &pub)
			if len(pub) != 0 {
				t.Fatalf("public lot results before the award: %+v", pub)
			}

			// The unit evaluates and awards each lot on the page.
			list, err := svc.LotResults(unit, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			tech := func(lot int, pts map[int64]string) url.Values {
				f := url.Values{}
				for _, r := range list {
					if r.LotNo == lot {
						f.Set(fmt.Sprintf("tech_%d", r.BidID), pts[r.EntityID])
					}
				}
				return f
			}
			if page := sjj.Get(t, path); !strings.Contains(page.Body, `data-testid="lot-eval-1"`) || strings.Contains(page.Body, `data-testid="lots-form"`) {
				t.Fatal("the unit's page after registration")
			}
			bad := tech(1, map[int64]string{})
			for k := range bad {
				bad.Set(k, "六十")
			}
			if res := sjj.PostForm(t, path+"/lots/1/evaluation", bad); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "第1包：技术得分应为数字") || !strings.Contains(res.Body, `value="六十"`) {
				t.Fatalf("bad technical points: %d", res.StatusCode)
			}
			ents := map[string]int64{}
			for _, r := range list {
				ents[r.Entity] = r.EntityID
			}
			// Lot 1 (15%): small 2,950,000 × 0.85 = 2,507,500: 30 + 60 = 90;
			// large 2,800,000: 26.87 + 65 = 91.87, first.
			if res := sjj.PostForm(t, path+"/lots/1/evaluation", tech(1, map[int64]string{ents["许昌安泰物业服务有限公司"]: "60", ents["河南中原物业集团有限公司"]: "65"})); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("evaluate lot 1: %d %s", res.StatusCode, res.Body[:min(len(res.Body), 600)])
			}
			if res := sjj.PostForm(t, path+"/lots/1/award", url.Values{}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("award lot 1: %d", res.StatusCode)
			}
			// Lot 2 (in full, no deduction): micro 1,850,000: 30 + 60 = 90;
			// small 1,900,000: 29.21 + 62 = 91.21, first.
			if res := sjj.PostForm(t, path+"/lots/2/evaluation", tech(2, map[int64]string{ents["许昌安泰物业服务有限公司"]: "62", microEnt: "60"})); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("evaluate lot 2: %d", res.StatusCode)
			}
			if page := sjj.Get(t, path); !strings.Contains(page.Body, "91.21") || !strings.Contains(page.Body, `data-testid="lot-award-2"`) {
				t.Fatal("lot 2's scores on the page")
			}
			if res := env.Login(t, "swj-staff").PostForm(t, path+"/lots/2/award", url.Values{}); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another unit awards a lot: %d", res.StatusCode)
			}
			if res := sjj.PostForm(t, path+"/lots/2/award", url.Values{}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("award lot 2: %d", res.StatusCode)
			}
			page = sjj.Get(t, path)
			if !strings.Contains(page.Body, `<td data-testid="lot-winner">河南中原物业集团有限公司</td>`) || !strings.Contains(page.Body, `<td data-testid="lot-winner">许昌安泰物业服务有限公司</td>`) ||
				strings.Count(page.Body, `data-testid="contract-row"`) != 2 {
				t.Fatalf("winners and contracts per lot: %s", page.Body)
			}
			env.API(t, "", "GET", fmt.Sprintf("/api/v1/procure/projects/%d/lot-results", p.ID), nil).JSON(t, &pub)
			if len(pub) != 4 {
				t.Fatalf("public lot results after the award: %d", len(pub))
			}
			if page := sjj.Get(t, path+"?lang=en"); !strings.Contains(page.Body, "Winner") || !strings.Contains(page.Body, "reserved in full for SMEs") && !strings.Contains(page.Body, "SME") {
				t.Fatal("the lots in English")
			}
		})
	}
}
