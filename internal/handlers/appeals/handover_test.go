package appeals_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/site/sitetest"
)

func sh(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// TestHandoverSteps walks the hand-overs through the pages and the API:
// a clue handed over from an appeal (secret from the enterprise until the
// office allows), and a joint meeting recorded on Wed 30 Sep 2026 whose
// decisions are due across National Day (by hand: 3 WD -> Sat 10 Oct, a
// working day; 5 WD -> Tue 13 Oct), shown on the owners' home cards with
// the working days left and closed with a result.
func TestHandoverSteps(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			env.Clock.Set(sh("2026-09-30 10:00"))
			toks := map[string]string{}
			for _, u := range []string{"admin", "supervisor", "sjj-staff", "swj-staff", "ent"} {
				toks[u] = env.Token(t, u)
			}
			a := seedAppeal(t, env, toks["ent"])
			loc := fmt.Sprintf("/appeals/%d", a.ID)
			post := func(c *sitetest.Client, path string, form url.Values, want int, contains string) *sitetest.Response {
				t.Helper()
				r := c.PostForm(t, path, form)
				if r.StatusCode != want || !strings.Contains(r.Body, contains) {
					t.Fatalf("POST %s %v: %d, want %d with %q", path, form, r.StatusCode, want, contains)
				}
				return r
			}
			admin, ent := env.Login(t, "admin"), env.Login(t, "ent")
			post(admin, loc+"/clues", url.Values{"summary": {""}}, http.StatusBadRequest, "请填写线索内容")
			post(admin, loc+"/clues", url.Values{"summary": {"窗口人员索要“加急费”，企业提供了转账记录。"}}, http.StatusSeeOther, "")
			if r := env.API(t, toks["ent"], "POST", "/api/v1/appeals/"+fmt.Sprint(a.ID)+"/clues", map[string]any{"summary": "x"}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("enterprise hands over: %d", r.StatusCode)
			}
			p := ent.Get(t, loc)
			if strings.Contains(p.Body, "加急费") || strings.Contains(p.Body, "移交纪检监察") {
				t.Fatal("the enterprise sees the secret hand-over")
			}
			var clues []struct {
				ID int64 `json:"id"`
			}
			env.API(t, toks["supervisor"], "GET", "/api/v1/appeal-clues", nil).JSON(t, &clues)
			if len(clues) != 1 {
				t.Fatalf("supervisor's clue ledger: %d", len(clues))
			}
			if r := env.Login(t, "supervisor").Get(t, loc); !strings.Contains(r.Body, "加急费") || !strings.Contains(r.Body, "移交纪检监察机关（问题线索）") ||
				!strings.Contains(r.Body, `data-testid="clue-disclose"`) {
				t.Fatal("supervisor's page lacks the clue, its timeline label or the disclose button")
			}
			if r := admin.Get(t, loc); !strings.Contains(r.Body, "加急费") || strings.Contains(r.Body, `data-testid="clue-disclose"`) {
				t.Fatal("the sender's page: the clue, without the disclose button")
			}
			if r := env.API(t, toks["supervisor"], "POST", fmt.Sprintf("/api/v1/appeal-clues/%d/disclose", clues[0].ID), nil); r.StatusCode != 200 {
				t.Fatalf("disclose: %d %s", r.StatusCode, r.Body)
			}
			if p := ent.Get(t, loc); !strings.Contains(p.Body, "告知企业：问题线索已移交纪检监察") || strings.Contains(p.Body, "加急费") {
				t.Fatal("after disclosure the enterprise should see the fact, not the clue")
			}

			// A joint meeting: bad input keeps the form, naming the row.
			sjj, swj := fmt.Sprint(env.Depts["XC-SJJ"]), fmt.Sprint(env.Depts["XC-SWJ"])
			form := url.Values{"title": {"涉企诉求联席会议"}, "held_on": {"2026-09-30"}, "chair": {"陈静"}, "minutes": {"研究分公司登记材料问题。"},
				"dept_ids": {sjj, swj}, "appeals": {a.Number}, "decision": {"梳理分公司登记材料清单", "核实税务登记衔接", ""},
				"decision_dept": {sjj, swj, "0"}, "decision_wd": {"3", "0", ""}}
			post(admin, "/appeal-meetings", form, http.StatusBadRequest, "第2项决定：办理时限须为 1-60 个工作日")
			form["decision_wd"] = []string{"3", "5", ""}
			r := post(admin, "/appeal-meetings", form, http.StatusSeeOther, "")
			mloc := r.Header.Get("Location")
			if m := admin.Get(t, mloc); !strings.Contains(m.Body, "2026-10-10 23:59") || !strings.Contains(m.Body, "2026-10-13 23:59") {
				t.Fatal("meeting page lacks the hand-computed deadlines")
			}
			if r := env.API(t, toks["sjj-staff"], "POST", "/api/v1/appeal-meetings", map[string]any{"title": "x"}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("department records a meeting: %d", r.StatusCode)
			}
			if p := ent.Get(t, loc); !strings.Contains(p.Body, `data-testid="appeal-meetings"`) || !strings.Contains(p.Body, "梳理分公司登记材料清单") ||
				strings.Contains(p.Body, "研究分公司登记材料问题") {
				t.Fatal("enterprise's page: the meeting and its decisions, without the minutes")
			}
			// Fri 9 Oct: the 10 Oct task has 1 working day left on the owner's home.
			env.Clock.Set(sh("2026-10-09 10:00"))
			staff := env.Login(t, "sjj-staff")
			if h := staff.Get(t, "/"); !strings.Contains(h.Body, "联席会议决定事项（本部门）") || !strings.Contains(h.Body, "还剩 1 个工作日") {
				t.Fatal("sjj home lacks the task card with 1 working day left")
			}
			var tasks []struct {
				ID      int64 `json:"id"`
				Version int   `json:"version"`
			}
			env.API(t, toks["sjj-staff"], "GET", "/api/v1/appeal-meeting-tasks", nil).JSON(t, &tasks)
			if len(tasks) != 1 {
				t.Fatalf("sjj tasks: %d", len(tasks))
			}
			if r := env.API(t, toks["swj-staff"], "POST", fmt.Sprintf("/api/v1/appeal-meeting-tasks/%d/close", tasks[0].ID), map[string]any{"result": "x"}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("other department closes: %d", r.StatusCode)
			}
			post(staff, fmt.Sprintf("/appeal-meeting-tasks/%d/close", tasks[0].ID), url.Values{"result": {"清单已公开"}, "version": {fmt.Sprint(tasks[0].Version)}}, http.StatusSeeOther, "")
			// Wed 14 Oct: the 13 Oct task is 1 working day overdue.
			env.Clock.Set(sh("2026-10-14 09:00"))
			if h := env.Login(t, "swj-staff").Get(t, "/"); !strings.Contains(h.Body, "已逾期 1 个工作日") {
				t.Fatal("swj home lacks the overdue task")
			}
			if p := env.Login(t, "ent").Get(t, loc); !strings.Contains(p.Body, "清单已公开") {
				t.Fatal("enterprise's page lacks the closed decision's result")
			}
		})
	}
}
