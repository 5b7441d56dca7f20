package policy_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/db"
	"yingshang/internal/modules"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
)

func ruleForm() url.Values {
	return url.Values{"title": {"企业研发费用后补助"}, "doc_no": {"许政〔2025〕18号"}, "legal_basis": {"《许昌市支持科技创新若干政策》"},
		"category": {"innovation"}, "mode": {"auto"}, "valid_from": {"2026-01-01"}, "valid_to": {"2027-12-31"}, "fact_year": {"2025"},
		"budget": {"1,000,000"}, "review_days": {"5"},
		"condition": {`{"all":[{"fact":"industry","op":"prefix","value":["C"]},{"fact":"rd_spending_wan","op":">=","value":50}]}`},
		"amount":    {`{"kind":"rate","fact":"rd_spending_wan","rate":0.1,"cap":500000}`}}
}

func with(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vs := range v {
		out[key] = vs
	}
	out.Set(k, val)
	return out
}

// TestPolicyPages: publish with preview, the enterprise sees the policy,
// the reviewer grants, confirms and pays, the statement shows it; the
// public list and calculator work without login.
func TestPolicyPages(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			svc := modules.Get[*policy.Service](env.Modules)
			for id, rd := range map[int64]float64{env.Entities[sitetest.USCCA]: 120, env.Entities[sitetest.USCCB]: 380} {
				if err := svc.SetFact(sitetest.System(), id, 2025, "rd_spending_wan", &rd, "", "test"); err != nil {
					t.Fatal(err)
				}
			}
			staff := env.Login(t, "sjj-staff")
			// A rule error keeps the input and names the position.
			r := staff.PostForm(t, "/policies", with(ruleForm(), "condition", `{"all":[{"fact":"rd_spending_wan","op":"~","value":50}]}`))
			if r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "condition$.all[0].op") || !strings.Contains(r.Body, "企业研发费用后补助") {
				t.Fatalf("bad rule: %d\n%s", r.StatusCode, r.Body)
			}
			r = staff.PostForm(t, "/policies", ruleForm())
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("create: %d\n%s", r.StatusCode, r.Body)
			}
			loc := r.Header.Get("Location")
			r = staff.Get(t, loc+"?preview=1")
			if r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="preview-matched">1<`) || !strings.Contains(r.Body, "¥380,000.00") || !strings.Contains(r.Body, "研发费用 ≥ 50 万元") {
				t.Fatalf("preview: %d\n%s", r.StatusCode, r.Body)
			}
			if r := env.Login(t, "swj-staff").PostForm(t, loc+"/publish", url.Values{}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("other department publishes: %d", r.StatusCode)
			}
			if r := staff.PostForm(t, loc+"/publish", url.Values{}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("publish: %d %s", r.StatusCode, r.Body)
			}
			// Publishing queued the push pass (the queue is not running
			// here): run it as the worker does. USCCB matches; it has no
			// enterprise account, so its push has no in-app message.
			pid, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/policies/"), 10, 64)
			if res, err := svc.RunPushes(context.Background(), pid); err != nil || res.Sent != 1 {
				t.Fatalf("push pass: %+v %v", res, err)
			}
			var pushes []policy.Push
			pr := env.API(t, env.Token(t, "admin"), "GET", "/api/v1"+loc+"/pushes", nil)
			if pr.StatusCode != 200 {
				t.Fatalf("pushes API: %d %s", pr.StatusCode, pr.Body)
			}
			pr.JSON(t, &pushes)
			if len(pushes) != 1 || pushes[0].EntityID != env.Entities[sitetest.USCCB] || pushes[0].Status != policy.PushSent {
				t.Fatalf("pushes API: %s", pr.Body)
			}
			if r := staff.Get(t, loc); !strings.Contains(r.Body, `data-testid="push-row"`) || !strings.Contains(r.Body, "无企业账号") || !strings.Contains(r.Body, "政策发布") {
				t.Fatalf("detail pushes:\n%s", r.Body)
			}
			if r := env.Login(t, "admin").Get(t, "/policies/dashboard"); !strings.Contains(r.Body, `data-testid="dash-push-read-rate">0.0% (0/0)<`) {
				t.Fatalf("dashboard read rate:\n%s", r.Body)
			}
			// The enterprise (USCCA, industry 5191) is a near miss.
			ent := env.Login(t, "ent")
			r = ent.Get(t, "/my/policies")
			if r.StatusCode != 200 || !strings.Contains(r.Body, "企业研发费用后补助") || !strings.Contains(r.Body, `data-testid="match-near"`) {
				t.Fatalf("my policies: %d\n%s", r.StatusCode, r.Body)
			}
			// Grant, confirm, pay: USCCB is paid 380,000.
			if r := staff.PostForm(t, loc+"/grant-run", url.Values{"period": {"2025"}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("grant run: %d %s", r.StatusCode, r.Body)
			}
			if r := staff.PostForm(t, loc+"/confirm", url.Values{}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("confirm: %d %s", r.StatusCode, r.Body)
			}
			if r := staff.PostForm(t, loc+"/pay", url.Values{"payment_ref": {"XCCZ-2026-009"}}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("pay: %d %s", r.StatusCode, r.Body)
			}
			r = staff.Get(t, loc)
			if !strings.Contains(r.Body, "已到账") || !strings.Contains(r.Body, "长葛市恒达机械制造有限公司") {
				t.Fatalf("detail after payment:\n%s", r.Body)
			}
			var st policy.Statement
			res := env.API(t, env.Token(t, "admin"), "GET", fmt.Sprintf("/api/v1/policy-statements/%d?year=2026", env.Entities[sitetest.USCCB]), nil)
			res.JSON(t, &st)
			if res.StatusCode != 200 || st.TotalFen != 38_000_000 {
				t.Fatalf("statement API: %d %s", res.StatusCode, res.Body)
			}
			if r := ent.Get(t, "/my/policies/statement?year=2026"); r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="statement-total">¥0.00<`) {
				t.Fatalf("the enterprise's own statement: %d\n%s", r.StatusCode, r.Body)
			}
			// Public, no login.
			anon := env.Anonymous()
			if r := anon.Get(t, "/policy-list?industry=C3431"); r.StatusCode != 200 || !strings.Contains(r.Body, "企业研发费用后补助") {
				t.Fatalf("public list: %d\n%s", r.StatusCode, r.Body)
			}
			if r := anon.Get(t, "/policy-list?industry=F5191"); strings.Contains(r.Body, "企业研发费用后补助") {
				t.Fatalf("public list filtered by another industry shows the policy")
			}
			r = anon.Get(t, "/policy-calculator?go=1&industry=C3431&rd_spending_wan=200")
			if r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="calc-total">¥200,000.00<`) {
				t.Fatalf("calculator: %d\n%s", r.StatusCode, r.Body)
			}
			r = anon.Get(t, "/policy-calculator?go=1&industry=XYZ&rd_spending_wan=abc")
			if r.StatusCode == 200 || !strings.Contains(r.Body, "XYZ") {
				t.Fatalf("calculator with bad answers: %d\n%s", r.StatusCode, r.Body)
			}
			var calc policy.CalcResult
			res = env.API(t, "", "POST", "/api/v1/policy-calculator", map[string]any{"uscc": sitetest.USCCB})
			res.JSON(t, &calc)
			if res.StatusCode != 200 || calc.Eligible != 1 || calc.TotalFen != 0 {
				t.Fatalf("calculator API: %d %s", res.StatusCode, res.Body)
			}
			// The facts import page: a wrong-typed cell is a row error naming the column.
			xf := excelize.NewFile()
			_ = xf.SetSheetRow("Sheet1", "A1", &[]any{"统一社会信用代码", "年度", "研发费用（万元）"})
			_ = xf.SetSheetRow("Sheet1", "A2", &[]any{sitetest.USCCA, 2025, "很多"})
			var file bytes.Buffer
			_ = xf.Write(&file)
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", "facts.xlsx")
			fw.Write(file.Bytes())
			mw.WriteField("mode", "all_or_nothing")
			mw.Close()
			r = staff.PostMultipart(t, "/policies/facts/import", mw.FormDataContentType(), &body)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `data-testid="facts-bad">1<`) || !strings.Contains(r.Body, "很多") {
				t.Fatalf("facts import: %d\n%s", r.StatusCode, r.Body)
			}
			for _, p := range []string{"/policies", "/policies/new", loc + "/edit", "/policies/dashboard", "/policies/facts/import"} {
				if r := env.Login(t, "admin").Get(t, p); r.StatusCode != 200 {
					t.Errorf("GET %s: %d", p, r.StatusCode)
				}
			}
		})
	}
}
