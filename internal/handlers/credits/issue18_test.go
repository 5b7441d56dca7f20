package credits_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

func saveModels(t *testing.T, svc *credit.Service) {
	t.Helper()
	for _, m := range credit.DemoGradeModels() {
		if _, err := svc.SaveGradeModel(sitetest.System(), m); err != nil {
			t.Fatal(err)
		}
	}
}

// TestIssue18AuthorisationMatrix: the pages and operations of grade
// models, scenes and the governance dashboard, for every kind of user.
func TestIssue18AuthorisationMatrix(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		saveModels(t, modules.Get[*credit.Service](env.Modules))
		A, B := fmt.Sprint(env.Entities[sitetest.USCCA]), fmt.Sprint(env.Entities[sitetest.USCCB])
		pages := []struct {
			method, path string
			want         [6]int // anonymous, admin, sjj-staff, wd-staff, supervisor, ent
		}{
			{"GET", "/credit/rules/models", [6]int{303, 200, 200, 200, 200, 403}},
			{"POST", "/credit/rules/models", [6]int{303, 400, 403, 403, 403, 403}},
			{"GET", "/credit/grades/" + A, [6]int{303, 200, 200, 200, 200, 200}},
			{"GET", "/credit/grades/" + B, [6]int{303, 200, 200, 200, 200, 404}},
			{"POST", "/credit/grades/" + A + "/inputs", [6]int{303, 400, 400, 400, 403, 403}},
			{"GET", "/credit/rules/scene-list", [6]int{303, 200, 200, 200, 200, 403}},
			{"POST", "/credit/rules/scene-list", [6]int{303, 400, 403, 403, 403, 403}},
			{"GET", "/credit/governance", [6]int{303, 200, 200, 200, 200, 403}},
			{"POST", "/credit/governance/settings", [6]int{303, 400, 403, 403, 403, 403}},
			{"POST", "/credit/governance/scan", [6]int{303, 303, 403, 403, 403, 403}},
			{"POST", "/credit/governance/ledger", [6]int{303, 400, 403, 403, 403, 403}},
			{"POST", "/credit/governance/ledger/999", [6]int{303, 404, 404, 404, 403, 403}},
		}
		ops := []struct {
			method, path string
			body         any
			want         [6]int
		}{
			{"GET", "/api/v1/credit/models", nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"PUT", "/api/v1/credit/models/x", "{}", [6]int{401, 400, 403, 403, 403, 403}},
			{"POST", "/api/v1/credit/grade-inputs", "{}", [6]int{401, 400, 400, 400, 403, 403}},
			{"GET", "/api/v1/credit/entities/" + A + "/model-grade", nil, [6]int{401, 200, 200, 200, 200, 200}},
			{"GET", "/api/v1/credit/entities/" + B + "/model-grade", nil, [6]int{401, 200, 200, 200, 200, 404}},
			{"GET", "/api/v1/credit/entities/" + A + "/model-grade/history", nil, [6]int{401, 200, 200, 200, 200, 200}},
			{"GET", "/api/v1/credit/scenes", nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"PUT", "/api/v1/credit/scenes/x", "{}", [6]int{401, 400, 403, 403, 403, 403}},
			{"GET", "/api/v1/credit/governance", nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"PUT", "/api/v1/credit/governance/settings", "{}", [6]int{401, 400, 403, 403, 403, 403}},
			{"POST", "/api/v1/credit/governance/scan", nil, [6]int{401, 200, 403, 403, 403, 403}},
			{"GET", "/api/v1/credit/governance/ledger", nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"POST", "/api/v1/credit/governance/ledger", "{}", [6]int{401, 400, 403, 403, 403, 403}},
			{"PUT", "/api/v1/credit/governance/ledger/999", "{}", [6]int{401, 404, 404, 404, 403, 403}},
		}
		for i, user := range matrixUsers {
			c, tok := env.Anonymous(), ""
			if user != "" {
				c, tok = env.Login(t, user), env.Token(t, user)
			}
			for _, p := range pages {
				var r *sitetest.Response
				if p.method == "GET" {
					r = c.Get(t, p.path)
				} else {
					r = c.PostForm(t, p.path, url.Values{})
				}
				if r.StatusCode != p.want[i] {
					t.Errorf("%q %s %s: %d, want %d", user, p.method, p.path, r.StatusCode, p.want[i])
				}
			}
			for _, op := range ops {
				r := env.API(t, tok, op.method, op.path, op.body)
				if r.StatusCode != op.want[i] {
					t.Errorf("%q %s %s: %d, want %d (%.160s)", user, op.method, op.path, r.StatusCode, op.want[i], r.Body)
				}
			}
		}
	})
}

// TestIssue18Pages walks the pages: the admin saves a model as JSON (a
// bad one keeps the text and names the field), adds a scene and an
// incentive rule; staff record an inspection result on the grade page;
// the enterprise reads its sector grade with weights and reasons; a check
// shows the incentive; the governance dashboard shows the figures.
func TestIssue18Pages(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		env.Clock.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, calendar.Shanghai))
		admin := env.Login(t, "admin")
		m := credit.DemoGradeModels()[0]
		m.Levels[1].MinScore = 95
		bad, _ := json.Marshal(m)
		r := admin.PostForm(t, "/credit/rules/models", url.Values{"model": {string(bad)}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "levels[1].min_score") || !strings.Contains(r.Body, "最低分逐级递减") || !strings.Contains(r.Body, "min_score&#34;:95") {
			t.Fatalf("bad model: %d %.400s", r.StatusCode, r.Body)
		}
		m.Levels[1].MinScore = 80
		good, _ := json.Marshal(m)
		if r = admin.PostForm(t, "/credit/rules/models", url.Values{"model": {string(good)}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save model: %d %.300s", r.StatusCode, r.Body)
		}
		page := admin.Get(t, "/credit/rules/models")
		if !strings.Contains(page.Body, "批发零售业信用评价模型") || strings.Count(page.Body, `data-testid="model-level"`) != 5 || !strings.Contains(page.Body, "绿色") {
			t.Fatalf("models page: %.300s", page.Body)
		}
		r = admin.PostForm(t, "/credit/rules/scene-list", url.Values{"code": {"Financing!"}, "seq": {"6"}, "name_zh": {"融资信贷"}, "name_en": {"financing"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "场景代码须为小写字母") || !strings.Contains(r.Body, `value="融资信贷"`) {
			t.Fatalf("bad scene: %d", r.StatusCode)
		}
		if r = admin.PostForm(t, "/credit/rules/scene-list", url.Values{"code": {"financing"}, "seq": {"6"}, "name_zh": {"融资信贷"}, "name_en": {"financing"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save scene: %d %.300s", r.StatusCode, r.Body)
		}
		// One incentive rule added to the scene table through the form.
		svc := modules.Get[*credit.Service](env.Modules)
		old, err := svc.SceneRules(sitetest.System())
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{}
		for _, sr := range append(old, credit.SceneRule{Scene: "financing", Levels: "AAA", Outcome: "incentive", Measure: "credit_loan", ReasonZH: "AAA级企业信用贷款利率优惠", ReasonEN: "AAA: preferential loans"}) {
			serious := "no"
			if sr.OnSeriousList {
				serious = "yes"
			}
			for k, v := range map[string]string{"scene": sr.Scene, "grades": sr.Grades, "levels": sr.Levels, "on_serious_list": serious, "outcome": sr.Outcome, "measure": sr.Measure, "reason_zh": sr.ReasonZH, "reason_en": sr.ReasonEN} {
				form.Add(k, v)
			}
		}
		bad2 := url.Values{}
		for k, v := range form {
			bad2[k] = append([]string{}, v...)
		}
		bad2["measure"][len(bad2["measure"])-1] = ""
		if r = admin.PostForm(t, "/credit/rules/scenes", bad2); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `data-testid="err-measure"`) {
			t.Fatalf("incentive without a measure: %d", r.StatusCode)
		}
		if r = admin.PostForm(t, "/credit/rules/scenes", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save scene rules: %d %.500s", r.StatusCode, r.Body)
		}

		A := fmt.Sprint(env.Entities[sitetest.USCCA])
		staff := env.Login(t, "sjj-staff")
		r = staff.PostForm(t, "/credit/grades/"+A+"/inputs", url.Values{"indicator": {"inspection_result"}, "value": {"120"}, "source": {"inspect"}, "reason": {"抽查合格"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `data-testid="err-value"`) || !strings.Contains(r.Body, `value="抽查合格"`) {
			t.Fatalf("bad value: %d", r.StatusCode)
		}
		if r = staff.PostForm(t, "/credit/grades/"+A+"/inputs", url.Values{"indicator": {"inspection_result"}, "value": {"100"}, "source": {"inspect"}, "reason": {"双随机抽查合格 XC-2026-0412"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("input: %d %.300s", r.StatusCode, r.Body)
		}
		ent := env.Login(t, "ent")
		if mine := ent.Get(t, "/my/credit"); !strings.Contains(mine.Body, "/credit/grades/"+A) {
			t.Fatal("my credit lacks the link to the sector grade")
		}
		g := ent.Get(t, "/credit/grades/"+A)
		if g.StatusCode != 200 || !strings.Contains(g.Body, `data-level="AAA"`) || !strings.Contains(g.Body, `data-score="94"`) || !strings.Contains(g.Body, "XC-2026-0412") ||
			!strings.Contains(g.Body, "30%") || strings.Contains(g.Body, `data-testid="input-form"`) {
			t.Fatalf("grade page: %d %.600s", g.StatusCode, g.Body)
		}
		c := staff.PostForm(t, "/credit/checks", url.Values{"uscc": {sitetest.USCCA}, "scene": {"financing"}, "purpose": {"贷款 2026-11"}})
		if c.StatusCode != 200 || !strings.Contains(c.Body, `data-testid="check-incentives"`) || !strings.Contains(c.Body, "信用贷款优惠") || !strings.Contains(c.Body, "融资信贷") {
			t.Fatalf("check: %d", c.StatusCode)
		}

		gov := admin.Get(t, "/credit/governance")
		if gov.StatusCode != 200 || !strings.Contains(gov.Body, "重点治理台账") || !strings.Contains(gov.Body, `data-testid="stat-first-pass">—`) || !strings.Contains(gov.Body, "data-chart") {
			t.Fatalf("governance: %d", gov.StatusCode)
		}
		r = admin.PostForm(t, "/credit/governance/settings", url.Values{"hf_records": {"1"}, "hf_months": {"12"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `data-testid="err-hf-records"`) || !strings.Contains(r.Body, `value="1"`) {
			t.Fatalf("bad criterion: %d", r.StatusCode)
		}
		r = admin.PostForm(t, "/credit/governance/ledger", url.Values{"uscc": {sitetest.USCCB}, "measures": {"信用约谈"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("ledger add: %d %.300s", r.StatusCode, r.Body)
		}
		gov = admin.Get(t, "/credit/governance")
		if !strings.Contains(gov.Body, "长葛市恒达机械制造有限公司") || !strings.Contains(gov.Body, "信用办列入") || !strings.Contains(gov.Body, `data-testid="stat-ledger">1 / 0`) {
			t.Fatalf("ledger row missing: %.300s", gov.Body)
		}
		var dash credit.Governance
		env.API(t, env.Token(t, "supervisor"), "GET", "/api/v1/credit/governance", nil).JSON(t, &dash)
		if dash.LedgerActive != 1 || len(dash.Months) != 12 || dash.Months[11] != "2026-11" {
			t.Fatalf("api: %+v", dash)
		}
	})
}
