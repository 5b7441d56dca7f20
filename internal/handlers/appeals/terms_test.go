package appeals_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/appeal"
	"yingshang/internal/site/sitetest"
)

// TestSeedSteps walks the seeds' new steps through the pages and the API
// on a fresh database: a common issue opened, an appeal linked to it,
// claimed with a committed date, given interim feedback, the issue fixed;
// another appeal resolved on the spot. The enterprise's page shows each.
func TestSeedSteps(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			toks := map[string]string{}
			for _, u := range []string{"admin", "sjj-staff", "swj-staff", "wd-staff", "ent"} {
				toks[u] = env.Token(t, u)
			}
			a := seedAppeal(t, env, toks["ent"])
			loc := fmt.Sprintf("/appeals/%d", a.ID)
			admin, staff, ent := env.Login(t, "admin"), env.Login(t, "sjj-staff"), env.Login(t, "ent")
			post := func(c *sitetest.Client, path string, form url.Values, want int, contains string) *sitetest.Response {
				t.Helper()
				r := c.PostForm(t, path, form)
				if r.StatusCode != want || !strings.Contains(r.Body, contains) {
					t.Fatalf("POST %s %v: %d, want %d with %q", path, form, r.StatusCode, want, contains)
				}
				return r
			}
			post(admin, loc+"/act", url.Values{"action": {"accept"}}, http.StatusSeeOther, "")
			// A common issue: bad input keeps what was typed and names the field.
			if r := admin.Get(t, "/appeal-issues"); r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="issue-form"`) {
				t.Fatalf("issues page: %d", r.StatusCode)
			}
			post(admin, "/appeal-issues", url.Values{"title": {""}, "cause": {"刻章备案未接入电子营业执照"}, "topic": {"开办企业"}},
				http.StatusBadRequest, "刻章备案未接入电子营业执照")
			r := post(admin, "/appeal-issues", url.Values{"title": {"刻章环节重复提交材料"}, "cause": {"刻章备案未接入电子营业执照"},
				"topic": {"开办企业"}, "dept_id": {fmt.Sprint(env.Depts["XC-SJJ"])}}, http.StatusSeeOther, "")
			issueLoc := r.Header.Get("Location")
			if !strings.HasPrefix(issueLoc, "/appeal-issues/") {
				t.Fatalf("created issue at %q", issueLoc)
			}
			issueID := strings.TrimPrefix(issueLoc, "/appeal-issues/")
			post(admin, loc+"/act", url.Values{"action": {"classify"}, "issue_class": {"common"}}, http.StatusBadRequest, "请选择关联的共性问题")
			post(admin, loc+"/act", url.Values{"action": {"classify"}, "issue_class": {"common"}, "common_issue_id": {issueID}}, http.StatusSeeOther, "")
			post(admin, loc+"/act", url.Values{"action": {"assign"}, "dept_id": {fmt.Sprint(env.Depts["XC-SJJ"])}}, http.StatusSeeOther, "")
			// Mon 23 Nov: help, 5 WD -> Mon 30 Nov is the latest commitment.
			post(staff, loc+"/act", url.Values{"action": {"claim"}, "resolve_by": {"2026-12-01"}}, http.StatusBadRequest, "承诺办结日期不能晚于办理时限 2026-11-30")
			post(staff, loc+"/act", url.Values{"action": {"claim"}, "resolve_by": {"2026-11-25"}}, http.StatusSeeOther, "")
			post(staff, loc+"/act", url.Values{"action": {"feedback"}, "note": {"已与公安局对接刻章备案。"}}, http.StatusSeeOther, "")
			p := ent.Get(t, loc)
			for _, want := range []string{`data-testid="appeal-terms"`, "2026-11-25 23:59", "已反馈", "共性问题", "刻章环节重复提交材料", "诉求汇集", "阶段性反馈"} {
				if !strings.Contains(p.Body, want) {
					t.Errorf("enterprise page lacks %q", want)
				}
			}
			// The responsible department plans and fixes; the enterprise is told.
			post(staff, issueLoc+"/step", url.Values{"step": {"plan"}, "note": {""}}, http.StatusBadRequest, "请填写")
			post(staff, issueLoc+"/step", url.Values{"step": {"plan"}, "note": {"刻章备案直接调取电子营业执照。"}}, http.StatusSeeOther, "")
			if r := staff.Get(t, issueLoc); !strings.Contains(r.Body, "2026-12-23") || !strings.Contains(r.Body, a.Number) {
				t.Fatalf("issue page after the plan lacks the fix due date or the linked appeal")
			}
			post(staff, issueLoc+"/step", url.Values{"step": {"fixed"}, "note": {"已实现刻章免提交执照复印件。"}}, http.StatusSeeOther, "")
			if p := ent.Get(t, loc); !strings.Contains(p.Body, "共性问题已整改") || !strings.Contains(p.Body, "已实现刻章免提交执照复印件") {
				t.Fatal("enterprise page lacks the fix")
			}
			// The API.
			terms := fmt.Sprintf("/api/v1/appeals/%d/terms", a.ID)
			for user, want := range map[string]int{"ent": 200, "sjj-staff": 200, "wd-staff": 404, "": 401} {
				if res := env.API(t, toks[user], "GET", terms, nil); res.StatusCode != want {
					t.Errorf("GET terms as %q: %d, want %d", user, res.StatusCode, want)
				}
			}
			var tm appeal.Terms
			env.API(t, toks["ent"], "GET", terms, nil).JSON(t, &tm)
			if tm.IssueClass != "common" || tm.CommonIssueStage != "fixed" || tm.FeedbackAt == nil || tm.ResolveBy == nil {
				t.Fatalf("terms: %+v", tm)
			}
			for user, want := range map[string]int{"ent": 403, "sjj-staff": 200, "admin": 200} {
				if res := env.API(t, toks[user], "GET", "/api/v1/appeal-issues", nil); res.StatusCode != want {
					t.Errorf("list issues as %q: %d, want %d", user, res.StatusCode, want)
				}
			}
			in := map[string]any{"title": "纳税申报表重复填报", "cause": "两套系统未打通", "topic": "纳税", "dept_id": env.Depts["XC-SWJ"]}
			for user, want := range map[string]int{"sjj-staff": 403, "ent": 403, "admin": 201} {
				if res := env.API(t, toks[user], "POST", "/api/v1/appeal-issues", in); res.StatusCode != want {
					t.Errorf("create issue as %q: %d, want %d", user, res.StatusCode, want)
				}
			}
			step := "/api/v1/appeal-issues/" + issueID + "/steps"
			if res := env.API(t, toks["swj-staff"], "POST", step, map[string]any{"step": "improved", "note": "x"}); res.StatusCode != 403 {
				t.Errorf("another department's step: %d", res.StatusCode)
			}
			if res := env.API(t, toks["sjj-staff"], "POST", step, map[string]any{"step": "plan", "note": "x"}); res.StatusCode != 409 {
				t.Errorf("plan from fixed: %d", res.StatusCode)
			}
			// Figures per channel: the page and the API.
			if p := admin.Get(t, "/appeals/channels"); p.StatusCode != 200 || !strings.Contains(p.Body, "扫码提交") {
				t.Fatalf("channels page: %d", p.StatusCode)
			}
			for user, want := range map[string]int{"ent": 403, "sjj-staff": 200} {
				if res := env.API(t, toks[user], "GET", "/api/v1/appeals/channel-stats", nil); res.StatusCode != want {
					t.Errorf("channel stats as %q: %d, want %d", user, res.StatusCode, want)
				}
			}
			// On the spot.
			b := seedAppeal(t, env, toks["ent"])
			locB := fmt.Sprintf("/appeals/%d", b.ID)
			post(admin, locB+"/act", url.Values{"action": {"resolve_on_spot"}}, http.StatusBadRequest, "请填写当场解决的情况")
			post(admin, locB+"/act", url.Values{"action": {"resolve_on_spot"}, "note": {"现场讲解分公司登记材料。"}}, http.StatusSeeOther, "")
			if p := ent.Get(t, locB); !strings.Contains(p.Body, `data-testid="terms-on-spot"`) || !strings.Contains(p.Body, `data-testid="appeal-state">已答复`) ||
				!strings.Contains(p.Body, `data-testid="do-rate"`) {
				t.Fatal("enterprise page of an on-the-spot resolution")
			}
		})
	}
}
