package procure_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/procure"
	"yingshang/internal/refdata"
	"yingshang/internal/site/sitetest"
)

// Blind projects over HTTP: the flag on the project form (refused for other
// methods, naming it, with the input kept) and the API; the notice form on
// the project page (a deadline before the legal minimum re-renders with
// the earliest date, another unit is refused on the page and the API); the
// state is public; a supplier registers without a price (the price goes to
// bideval with the commercial part) and has its bid in bideval; before the
// unmasking the evaluation is refused and no procure API shows a code.
func TestBlindOverHTTP(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			sys := sitetest.System()
			if _, err := env.App.Accounts.CreateDepartment(sys, account.DepartmentInput{ParentID: env.Depts["XC"], Code: "XC-JYZX", Name: "许昌市公共资源交易中心", Kind: "office", RegionCode: "411000"}); err != nil {
				t.Fatal(err)
			}
			first := "91411002MA0000601"
			c, err := ident.USCCCheckChar(first)
			if err != nil {
				t.Fatal(err)
			}
			en, err := env.App.Entities.Create(sys, entity.Input{USCC: first + string(c), Name: "许昌安泰物业服务有限公司", Type: "有限责任公司", LegalRepName: "孙磊",
				RegionCode: "411002", IndustryCode: "7020", FoundedOn: "2014-06-01", DepartmentID: env.Depts["WD-SJJ"], SizeClass: refdata.SizeSmall})
			if err != nil {
				t.Fatal(err)
			}
			u, err := env.App.Accounts.CreateUser(sys, account.UserInput{Username: "sup1", DisplayName: "孙磊", Password: sitetest.Password, EntityID: en.ID, Roles: []auth.Role{auth.Enterprise}})
			if err != nil {
				t.Fatal(err)
			}
			env.Users["sup1"] = u.ID
			sup := env.Login(t, "sup1")
			sjj := env.Login(t, "sjj-staff")

			form := url.Values{"title": {"办公楼物业服务（双盲）"}, "method": {"inquiry"}, "category_code": {"C21040000"}, "budget_yuan": {"3200000"},
				"set_aside": {"partial"}, "set_aside_share": {"30"}, "small_micro_share": {"60"}, "eval_method": {"comprehensive"}, "price_weight": {"30"},
				"deduction_pct": {"10"}, "consortium_pct": {"4"}, "blind": {"on"}}
			res := sjj.PostForm(t, "/procure/projects", maps.Clone(form))
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "双盲评审仅适用于公开招标和竞争性磋商") || !strings.Contains(res.Body, `value="办公楼物业服务（双盲）"`) {
				t.Fatalf("a blind inquiry: %d", res.StatusCode)
			}
			form.Set("method", "open_tender")
			if res = sjj.PostForm(t, "/procure/projects", maps.Clone(form)); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("a blind open tender: %d %s", res.StatusCode, res.Body[:min(len(res.Body), 600)])
			}
			path := res.Header.Get("Location")
			var p procure.Project
			env.API(t, "", "GET", "/api/v1"+path, nil).JSON(t, &p)
			if !p.Blind || p.ID == 0 {
				t.Fatalf("project %s: %+v", path, p)
			}
			tok := env.Token(t, "sjj-staff")
			bad := env.API(t, tok, "POST", "/api/v1/procure/projects", map[string]any{"title": "x", "method": "open_tender", "category_code": "C21040000", "budget_yuan": "3200000",
				"set_aside": "partial", "set_aside_share": 30, "small_micro_share": 60, "eval_method": "lowest_price", "blind": true})
			if bad.StatusCode != http.StatusBadRequest || !strings.Contains(bad.Body, `"blind"`) {
				t.Fatalf("a blind lowest-price project over the API: %d %s", bad.StatusCode, bad.Body)
			}

			page := sjj.Get(t, path)
			if !strings.Contains(page.Body, `data-testid="blind-notice-form"`) || !strings.Contains(page.Body, `data-testid="blind"`) {
				t.Fatal("no notice form on the unit's page")
			}
			if strings.Contains(sup.Get(t, path).Body, `data-testid="register-form"`) {
				t.Fatal("registration offered before the notice")
			}
			gov := "11411000MB0000088"
			gc, err := ident.USCCCheckChar(gov)
			if err != nil {
				t.Fatal(err)
			}
			now := env.Clock.Now().In(time.FixedZone("CST", 8*3600))
			notice := url.Values{"purchaser_uscc": {gov + string(gc)}, "specialties": {"C08"}, "deadline_at": {now.AddDate(0, 0, 15).Format("2006-01-02") + "T09:30"}}
			res = sjj.PostForm(t, path+"/blind-notice", maps.Clone(notice))
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "不得少于 20 日") || !strings.Contains(res.Body, `value="C08"`) {
				t.Fatalf("a deadline 15 days after the notice: %d", res.StatusCode)
			}
			if res := env.Login(t, "swj-staff").PostForm(t, path+"/blind-notice", maps.Clone(notice)); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another unit publishes the notice: %d", res.StatusCode)
			}
			deadline := now.AddDate(0, 0, 25).Format("2006-01-02") + "T09:30"
			api := fmt.Sprintf("/api/v1/procure/projects/%d", p.ID)
			body := map[string]any{"purchaser_uscc": gov + string(gc), "specialties": []string{"C08"}, "deadline_at": deadline}
			if res := env.API(t, env.Token(t, "swj-staff"), "POST", api+"/blind-notice", body); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another unit over the API: %d", res.StatusCode)
			}
			if res := env.API(t, env.Token(t, "sup1"), "POST", api+"/blind-notice", body); res.StatusCode != http.StatusForbidden {
				t.Fatalf("a supplier over the API: %d", res.StatusCode)
			}
			res = env.API(t, tok, "POST", api+"/blind-notice", body)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("notice: %d %s", res.StatusCode, res.Body)
			}
			var st procure.BlindState
			env.API(t, "", "GET", api+"/blind", nil).JSON(t, &st)
			if st.Procedure != "gov_open" || st.Status != "open" || st.DrawProjectID == 0 || st.DeadlineAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04") != deadline {
				t.Fatalf("blind state %+v", st)
			}

			// The supplier registers without a price; its bid is in bideval.
			spage := sup.Get(t, path)
			if !strings.Contains(spage.Body, `data-testid="blind-register-note"`) || strings.Contains(spage.Body, `name="price_yuan"`) {
				t.Fatal("the registration form of a blind project")
			}
			res = sup.PostForm(t, path+"/register", url.Values{"size_declared": {"small"}, "price_yuan": {"3000000"}})
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "报价随商务标在双盲评标模块中提交") {
				t.Fatalf("a price typed in procure: %d", res.StatusCode)
			}
			if res = sup.PostForm(t, path+"/register", url.Values{"size_declared": {"small"}, "project_manager": {"周立新"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("register: %d %s", res.StatusCode, res.Body[:min(len(res.Body), 600)])
			}
			if res := env.API(t, env.Token(t, "sup1"), "GET", fmt.Sprintf("/api/v1/bideval/projects/%d/bids/mine", st.DrawProjectID), nil); res.StatusCode != http.StatusOK ||
				!strings.Contains(res.Body, "周立新") {
				t.Fatalf("the supplier's bid in bideval: %d %s", res.StatusCode, res.Body)
			}

			// Before the unmasking: no evaluation, no code in procure's reads.
			res = sjj.PostForm(t, path+"/evaluation", url.Values{})
			if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "双盲评审尚未揭示编码") {
				t.Fatalf("evaluation before the unmasking: %d", res.StatusCode)
			}
			for _, r := range []*sitetest.Response{env.API(t, tok, "GET", api+"/bids", nil), env.API(t, env.Token(t, "sup1"), "GET", api+"/bids", nil)} {
				if r.StatusCode != http.StatusOK || strings.Contains(r.Body, "blind_code") || !strings.Contains(r.Body, "许昌安泰物业服务有限公司") {
					t.Fatalf("bids before the unmasking: %d %s", r.StatusCode, r.Body)
				}
			}
			if en := sjj.Get(t, path+"?lang=en"); !strings.Contains(en.Body, "Double-blind evaluation") || strings.Contains(en.Body, `data-testid="blind-notice-form"`) {
				t.Fatal("the English page after the notice")
			}
		})
	}
}
