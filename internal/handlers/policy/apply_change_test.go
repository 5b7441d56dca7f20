package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/modules"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
)

// TestApplicationChangePages: the extension form (the reviewing head
// only; a bad field re-renders the page with the input kept), the
// reassignment form (the office only), the withdrawal button of the
// enterprise, and the three operations in the JSON API with problem
// details naming the field.
func TestApplicationChangePages(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			svc := modules.Get[*policy.Service](env.Modules)
			a := env.Entities[sitetest.USCCA]
			rd := 120.0
			if err := svc.SetFact(sitetest.System(), a, 2025, "rd_spending_wan", &rd, "", "test"); err != nil {
				t.Fatal(err)
			}
			sys := sitetest.System()
			p, err := svc.Create(sys, policy.Input{DepartmentID: env.Depts["XC-SJJ"], Title: "研发费用后补助（申请审核）", Category: "innovation", Mode: policy.ModeReview,
				ValidFrom: "2026-01-01", ValidTo: "2027-12-31", FactYear: 2025,
				Condition: json.RawMessage(`{"fact":"rd_spending_wan","op":">=","value":50}`), Amount: json.RawMessage(`{"kind":"fixed","amount":100000}`)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Publish(sys, p.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetReview(sys, p.ID, policy.ReviewDef{Steps: []policy.ReviewStep{
				{Name: "受理初审", Departments: []int64{env.Depts["XC-SJJ"]}, Days: 5}, {Name: "税务核验", Departments: []int64{env.Depts["XC-SWJ"]}, Days: 3}}}); err != nil {
				t.Fatal(err)
			}
			entCtx := auth.WithActor(context.Background(), &auth.Actor{UserID: env.Users["ent"], Username: "ent", Roles: []auth.Role{auth.Enterprise}, EntityID: a, Via: "session"})
			x, err := svc.Apply(entCtx, p.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			page := "/policy-applications/" + strconv.FormatInt(x.ID, 10)
			apiPath := "/api/v1" + page
			head, staff, admin, ent := env.Login(t, "sjj-admin"), env.Login(t, "sjj-staff"), env.Login(t, "admin"), env.Login(t, "ent")

			// Who is offered which form.
			if r := head.Get(t, page); r.StatusCode != 200 || !strings.Contains(r.Body, "extend-form") || strings.Contains(r.Body, "reassign-form") {
				t.Fatalf("head's page: %d", r.StatusCode)
			}
			if r := staff.Get(t, page); strings.Contains(r.Body, "extend-form") {
				t.Errorf("staff offered the extension")
			}
			if r := admin.Get(t, page); !strings.Contains(r.Body, "reassign-form") || strings.Contains(r.Body, "extend-form") {
				t.Errorf("office's page lacks the reassignment form")
			}
			// The enterprise under review: the withdrawal form, no decision
			// form (it has nothing else to do), no reassignment.
			if r := ent.Get(t, page); !strings.Contains(r.Body, "withdraw-form") || strings.Contains(r.Body, "decide-form") || strings.Contains(r.Body, "reassign-form") {
				t.Errorf("enterprise's page lacks the withdrawal form, or offers more")
			}

			// Extension: a bad field keeps the input; then granted; a second is refused by the API.
			r := head.PostForm(t, page+"/extend", url.Values{"days": {"9"}, "reason": {"需向省厅核实备案"}})
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "不超过本环节原时限") || !strings.Contains(r.Body, "需向省厅核实备案") {
				t.Fatalf("bad extension: %d\n%s", r.StatusCode, r.Body)
			}
			if r = staff.PostForm(t, page+"/extend", url.Values{"days": {"2"}, "reason": {"r"}}); r.StatusCode != http.StatusForbidden {
				t.Errorf("staff extends: %d", r.StatusCode)
			}
			if r = head.PostForm(t, page+"/extend", url.Values{"days": {"2"}, "reason": {"需向省厅核实备案"}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("extension: %d\n%s", r.StatusCode, r.Body)
			}
			if r = ent.Get(t, page); !strings.Contains(r.Body, "延长审核时限") || !strings.Contains(r.Body, "需向省厅核实备案") {
				t.Errorf("the enterprise does not see the extension:\n%s", r.Body)
			}
			if r = env.API(t, env.Token(t, "sjj-admin"), "POST", apiPath+"/extension", map[string]any{"days": 1, "reason": "再延"}); r.StatusCode != http.StatusConflict {
				t.Errorf("second extension by API: %d %s", r.StatusCode, r.Body)
			}

			// Reassignment: API refuses a bad department naming the field; the page keeps the input on error; then done.
			adminTok := env.Token(t, "admin")
			r = env.API(t, adminTok, "POST", apiPath+"/reassignment", map[string]any{"from_department_id": env.Depts["XC-SJJ"], "to_department_id": 999999, "reason": "r"})
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"to_department_id"`) {
				t.Errorf("bad reassignment by API: %d %s", r.StatusCode, r.Body)
			}
			wd := fmt.Sprint(env.Depts["WD-SJJ"])
			r = admin.PostForm(t, page+"/reassign", url.Values{"from_department_id": {fmt.Sprint(env.Depts["XC-SJJ"])}, "to_department_id": {wd}})
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "请填写改派理由") || !strings.Contains(r.Body, `value="`+wd+`" selected`) {
				t.Fatalf("reassignment without reason: %d\n%s", r.StatusCode, r.Body)
			}
			r = admin.PostForm(t, page+"/reassign", url.Values{"from_department_id": {fmt.Sprint(env.Depts["XC-SJJ"])}, "to_department_id": {wd}, "reason": {"属地核验"}})
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("reassignment: %d\n%s", r.StatusCode, r.Body)
			}
			if r = head.Get(t, "/policy-review"); strings.Contains(r.Body, "queue-row") {
				t.Errorf("SJJ still has the task after the reassignment")
			}
			if r = env.Login(t, "wd-staff").Get(t, "/policy-review"); !strings.Contains(r.Body, "queue-row") {
				t.Errorf("WD-SJJ lacks the reassigned task")
			}

			// Withdrawal: the API names "reason"; the page's button without a note re-renders; then withdrawn.
			entTok := env.Token(t, "ent")
			if r = env.API(t, entTok, "POST", apiPath+"/withdrawal", map[string]any{"reason": " "}); r.StatusCode != http.StatusBadRequest ||
				!strings.Contains(r.Body, `"field":"reason"`) {
				t.Errorf("withdrawal without reason by API: %d %s", r.StatusCode, r.Body)
			}
			r = ent.PostForm(t, page+"/decide", url.Values{"action": {"withdraw"}, "note": {""}})
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "请填写撤回理由") {
				t.Fatalf("withdrawal without a note: %d\n%s", r.StatusCode, r.Body)
			}
			if r = env.API(t, entTok, "POST", apiPath+"/withdrawal", map[string]any{"reason": "材料需要重新准备"}); r.StatusCode != http.StatusOK ||
				!strings.Contains(r.Body, `"state":"withdrawn"`) {
				t.Fatalf("withdrawal by API: %d %s", r.StatusCode, r.Body)
			}
			if r = ent.Get(t, page); !strings.Contains(r.Body, `data-state="withdrawn"`) || !strings.Contains(r.Body, "材料需要重新准备") || strings.Contains(r.Body, "decide-form") ||
				strings.Contains(r.Body, "withdraw-form") || !strings.Contains(r.Body, "apply-again") || !strings.Contains(r.Body, "已撤回，无需审核") {
				t.Errorf("withdrawn page:\n%s", r.Body)
			}

			r = env.Anonymous().Get(t, "/api/openapi.json")
			for _, op := range []string{"withdrawPolicyApplication", "extendPolicyApplication", "reassignPolicyApplication"} {
				if !strings.Contains(r.Body, `"`+op+`"`) {
					t.Errorf("openapi lacks %s", op)
				}
			}
		})
	}
}
