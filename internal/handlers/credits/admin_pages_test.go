package credits_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/credit"
	"yingshang/internal/modules"
	"yingshang/internal/site/sitetest"
)

// TestCreditAdminPages (issue 18, session 6): the credit office's pages of
// service points and review routes: who may read and change them (the
// credit office, here 市监局, and platform admins), field errors in both
// languages with the input kept, edit, disable, and the audit trail.
func TestCreditAdminPages(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		svc := modules.Get[*credit.Service](env.Modules)
		svc.CreditOfficeCode = "XC-SJJ"
		t.Cleanup(func() { svc.CreditOfficeCode = "" })
		pages := []struct {
			method, path string
			want         [6]int // anonymous, admin, sjj-staff (office), wd-staff, supervisor, ent
		}{
			{"GET", "/credit/service-points", [6]int{303, 200, 200, 200, 200, 403}},
			{"POST", "/credit/service-points", [6]int{303, 400, 400, 403, 403, 403}},
			{"POST", "/credit/service-points/999999/active", [6]int{303, 404, 404, 403, 403, 403}},
			{"GET", "/credit/review-routes", [6]int{303, 200, 200, 200, 200, 403}},
			{"POST", "/credit/review-routes", [6]int{303, 400, 400, 403, 403, 403}},
			{"POST", "/credit/review-routes/penalty/reset", [6]int{303, 404, 404, 403, 403, 403}},
		}
		ops := []struct {
			method, path string
			want         [6]int
		}{
			{"PUT", "/api/v1/credit/service-points", [6]int{401, 400, 400, 403, 403, 403}},
			{"PUT", "/api/v1/credit/review-routes", [6]int{401, 400, 400, 403, 403, 403}},
			{"DELETE", "/api/v1/credit/review-routes/penalty", [6]int{401, 404, 404, 403, 403, 403}},
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
				if r := env.API(t, tok, op.method, op.path, "{}"); r.StatusCode != op.want[i] {
					t.Errorf("%q %s %s: %d, want %d (%.160s)", user, op.method, op.path, r.StatusCode, op.want[i], r.Body)
				}
			}
		}

		office := env.Login(t, "sjj-staff")
		bank := fmt.Sprint(env.Depts["XC-SWJ"])
		long := strings.Repeat("长", credit.MaxPointLabel+1)
		r := office.PostForm(t, "/credit/service-points", url.Values{"department_id": {bank}, "kind": {""}, "label": {long}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "请选择服务点类型") || !strings.Contains(r.Body, "名称过长") || !strings.Contains(r.Body, `value="`+long+`"`) {
			t.Fatalf("bad service point: %d %.300s", r.StatusCode, r.Body)
		}
		en := env.API(t, env.Token(t, "sjj-staff"), "PUT", "/api/v1/credit/service-points", `{"department_id": 0, "kind": "bank"}`)
		if en.StatusCode != http.StatusBadRequest || !strings.Contains(en.Body, "department_id") || !strings.Contains(en.Body, "choose the department") {
			t.Fatalf("API field error: %d %s", en.StatusCode, en.Body)
		}
		if r = office.PostForm(t, "/credit/service-points", url.Values{"department_id": {bank}, "kind": {"hall"}, "label": {"税务局办税服务厅"}, "active": {"on"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save point: %d %.300s", r.StatusCode, r.Body)
		}
		if p := office.Get(t, "/credit/service-points?edit="+bank); !strings.Contains(p.Body, `data-dept="`+bank+`" data-active="true"`) || !strings.Contains(p.Body, `value="税务局办税服务厅"`) {
			t.Fatalf("points page after save (edit form filled): %.600s", p.Body)
		}
		if r = office.PostForm(t, "/credit/service-points/"+bank+"/active", url.Values{"active": {"false"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable point: %d", r.StatusCode)
		}
		if p := env.Login(t, "wd-staff").Get(t, "/credit/service-points"); !strings.Contains(p.Body, `data-dept="`+bank+`" data-active="false"`) || strings.Contains(p.Body, `data-testid="point-form"`) {
			t.Fatalf("points page for a reader after disabling: %.600s", p.Body)
		}

		r = office.PostForm(t, "/credit/review-routes", url.Values{"kind": {"penalty"}, "external_body": {"信用中国（河南）"}, "external_days": {"十"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "外部审核时限须为 1 至 60 个工作日") || !strings.Contains(r.Body, `value="信用中国（河南）"`) {
			t.Fatalf("bad route: %d %.300s", r.StatusCode, r.Body)
		}
		if r = office.PostForm(t, "/credit/review-routes", url.Values{"kind": {"unknown"}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "请选择信息类别") {
			t.Fatalf("unknown kind: %d", r.StatusCode)
		}
		if r = office.PostForm(t, "/credit/review-routes", url.Values{"kind": {"penalty"}, "first_review": {"on"}, "external_body": {"信用中国（河南）"}, "external_days": {"10"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save route: %d %.300s", r.StatusCode, r.Body)
		}
		p := office.Get(t, "/credit/review-routes")
		if !strings.Contains(p.Body, `data-kind="penalty" data-first="true" data-body="信用中国（河南）" data-configured="true"`) ||
			!strings.Contains(p.Body, `data-kind="serious_list" data-first="true" data-body="" data-configured="true"`) ||
			!strings.Contains(p.Body, `data-kind="abnormal" data-first="false" data-body="" data-configured="false"`) {
			i := strings.Index(p.Body, `data-testid="review-routes"`)
			t.Fatalf("routes page: %s", p.Body[i:min(i+1500, len(p.Body))])
		}
		if r = office.PostForm(t, "/credit/review-routes/penalty/reset", url.Values{}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset route: %d", r.StatusCode)
		}
		if p = office.Get(t, "/credit/review-routes"); !strings.Contains(p.Body, `data-kind="penalty" data-first="false" data-body="" data-configured="false"`) {
			t.Fatalf("routes page after reset: %.900s", p.Body)
		}
		sys := sitetest.System()
		for action, want := range map[string]int{"credit.service_point_set": 2, "credit.route_set": 1, "credit.route_reset": 1} {
			var n int
			if err := env.App.DB.Q(sys).QueryRow(sys, "SELECT COUNT(*) FROM audit_events WHERE action = $1", action).Scan(&n); err != nil || n != want {
				t.Errorf("audit %s: %d (%v), want %d", action, n, err, want)
			}
		}
	})
}
