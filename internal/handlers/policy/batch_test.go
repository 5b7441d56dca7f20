package policy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/modules"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
)

func upload(t *testing.T, file []byte) (string, *bytes.Buffer) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "result.xlsx")
	fw.Write(file)
	mw.Close()
	return mw.FormDataContentType(), &body
}

// fillResult fills the bank file's result columns with result, ref and
// reason for every row.
func fillResult(t *testing.T, file []byte, result, ref, reason string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(policy.BankSheet)
	for i := range rows[1:] {
		cell, _ := excelize.CoordinatesToCellName(7, i+2)
		_ = f.SetSheetRow(policy.BankSheet, cell, &[]any{result, ref, reason})
	}
	var out bytes.Buffer
	_ = f.Write(&out)
	return out.Bytes()
}

// TestBatchAndStatementPages: the eligible and grants exports, a payment
// batch made, its bank file downloaded, a bad result refused with the
// rows named, the good one imported; the enterprise downloads its
// statement PDF and anyone verifies its code.
func TestBatchAndStatementPages(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			svc := modules.Get[*policy.Service](env.Modules)
			a := env.Entities[sitetest.USCCA]
			rd := 120.0
			if err := svc.SetFact(sitetest.System(), a, 2025, "rd_spending_wan", &rd, "", "test"); err != nil {
				t.Fatal(err)
			}
			sjj := auth.WithActor(t.Context(), &auth.Actor{UserID: env.Users["sjj-staff"], Roles: []auth.Role{auth.DeptStaff},
				DepartmentID: env.Depts["XC-SJJ"], DeptScope: []int64{env.Depts["XC-SJJ"]}, Via: "session"})
			p, err := svc.Create(sjj, policy.Input{Title: "企业研发费用后补助", DocNo: "许政〔2025〕18号", Category: "innovation", Mode: policy.ModeAuto,
				ValidFrom: "2026-01-01", ValidTo: "2027-12-31", FactYear: 2025,
				Condition: json.RawMessage(`{"all":[{"fact":"rd_spending_wan","op":">=","value":50}]}`),
				Amount:    json.RawMessage(`{"kind":"rate","fact":"rd_spending_wan","rate":0.1,"cap":500000}`)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Publish(sjj, p.ID); err != nil {
				t.Fatal(err)
			}
			loc := "/policies/" + strconv.FormatInt(p.ID, 10)
			staff := env.Login(t, "sjj-staff")
			r := staff.Get(t, loc+"/eligible.xlsx")
			if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("eligible export: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
			}
			if r := env.Login(t, "swj-staff").Get(t, loc+"/eligible.xlsx"); r.StatusCode != http.StatusForbidden {
				t.Fatalf("other department's eligible export: %d", r.StatusCode)
			}
			for _, step := range []string{"/grant-run", "/confirm"} {
				if r := staff.PostForm(t, loc+step, url.Values{"period": {"2025"}}); r.StatusCode != http.StatusSeeOther {
					t.Fatalf("%s: %d %s", step, r.StatusCode, r.Body)
				}
			}
			if r := env.Login(t, "swj-staff").PostForm(t, loc+"/batches", url.Values{"period": {"2025"}}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("other department makes a batch: %d", r.StatusCode)
			}
			r = staff.PostForm(t, loc+"/batches", url.Values{"period": {"2025"}})
			if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/policy-batches/") {
				t.Fatalf("make batch: %d %s", r.StatusCode, r.Body)
			}
			batch := r.Header.Get("Location")
			if r := staff.Get(t, batch); r.StatusCode != 200 || !strings.Contains(r.Body, "待银行回盘") || !strings.Contains(r.Body, "¥120,000.00") {
				t.Fatalf("batch page: %d\n%s", r.StatusCode, r.Body)
			}
			if r := staff.Get(t, loc); !strings.Contains(r.Body, `data-testid="policy-batches"`) {
				t.Fatalf("detail without its batches:\n%s", r.Body)
			}
			bank := staff.Get(t, batch+"/bank.xlsx")
			if bank.StatusCode != 200 {
				t.Fatalf("bank file: %d", bank.StatusCode)
			}
			// A success without the bank's reference: refused, the row named, nothing written.
			ct, body := upload(t, fillResult(t, []byte(bank.Body), "成功", "", ""))
			r = staff.PostMultipart(t, batch+"/result", ct, body)
			if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `data-testid="batch-bad">1<`) || !strings.Contains(r.Body, "银行流水号") ||
				!strings.Contains(r.Body, "未写入") {
				t.Fatalf("bad result: %d\n%s", r.StatusCode, r.Body)
			}
			ct, body = upload(t, fillResult(t, []byte(bank.Body), "成功", "BOC-XC-20261120-0007", ""))
			if r := staff.PostMultipart(t, batch+"/result", ct, body); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("good result: %d\n%s", r.StatusCode, r.Body)
			}
			if r := staff.Get(t, batch); !strings.Contains(r.Body, `data-testid="batch-result">1 / 0<`) || !strings.Contains(r.Body, "已到账") {
				t.Fatalf("settled batch page:\n%s", r.Body)
			}
			if r := staff.Get(t, loc+"/grants.xlsx?period=2025"); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("grants export: %d", r.StatusCode)
			}
			var bs []policy.Batch
			res := env.API(t, env.Token(t, "admin"), "GET", "/api/v1"+loc+"/batches", nil)
			res.JSON(t, &bs)
			if res.StatusCode != 200 || len(bs) != 1 || bs[0].Status != policy.BatchSettled {
				t.Fatalf("batches API: %d %s", res.StatusCode, res.Body)
			}

			// The enterprise's statement: page, PDF, .xlsx; the code verifies without login.
			ent := env.Login(t, "ent")
			year := strconv.Itoa(env.App.Clock.Now().Year())
			if r := ent.Get(t, "/my/policies/statement?year="+year); !strings.Contains(r.Body, `data-testid="statement-total">¥120,000.00<`) || !strings.Contains(r.Body, "statement.pdf") {
				t.Fatalf("statement page:\n%s", r.Body)
			}
			pdf := ent.Get(t, "/my/policies/statement.pdf?year="+year)
			if pdf.StatusCode != 200 || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF") {
				t.Fatalf("statement PDF: %d %s", pdf.StatusCode, pdf.Header.Get("Content-Type"))
			}
			m := regexp.MustCompile(`statement-\d{4}-([0-9A-Z-]{19})\.pdf`).FindStringSubmatch(pdf.Header.Get("Content-Disposition"))
			if m == nil {
				t.Fatalf("no code in %q", pdf.Header.Get("Content-Disposition"))
			}
			if r := ent.Get(t, "/my/policies/statement.xlsx?year="+year); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("statement xlsx: %d", r.StatusCode)
			}
			anon := env.Anonymous()
			if r := anon.Get(t, "/public/policy/verify?code="+m[1]); r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="statement-verify-total">¥120,000.00<`) {
				t.Fatalf("verify page: %d\n%s", r.StatusCode, r.Body)
			}
			if r := anon.Get(t, "/public/policy/verify?code=AAAA-BBBB-CCCC-DDDD"); !strings.Contains(r.Body, `data-testid="statement-verify-bad"`) {
				t.Fatalf("verify page, unknown code:\n%s", r.Body)
			}
			var chk policy.StatementCheck
			res = env.API(t, "", "GET", "/api/v1/policy-statement-codes/"+m[1], nil)
			res.JSON(t, &chk)
			if res.StatusCode != 200 || chk.TotalFen != 12_000_000 || chk.USCC != sitetest.USCCA {
				t.Fatalf("verify API: %d %s", res.StatusCode, res.Body)
			}
			// Public detail: no staff exports; the enterprise asks a question, filed as an appeal.
			if r := anon.Get(t, "/policy-list/"+strconv.FormatInt(p.ID, 10)); r.StatusCode != 200 || strings.Contains(r.Body, "eligible.xlsx") || strings.Contains(r.Body, `data-testid="policy-ask"`) {
				t.Fatalf("public detail: %d\n%s", r.StatusCode, r.Body)
			}
			r = ent.PostForm(t, "/policy-list/"+strconv.FormatInt(p.ID, 10)+"/ask", url.Values{"question": {" "}})
			if r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "请填写问题") {
				t.Fatalf("empty question: %d\n%s", r.StatusCode, r.Body)
			}
			r = ent.PostForm(t, "/policy-list/"+strconv.FormatInt(p.ID, 10)+"/ask", url.Values{"question": {"研发费用按哪一年度计算？"}})
			if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/appeals/") {
				t.Fatalf("ask: %d %s", r.StatusCode, r.Body)
			}
			if r := ent.Get(t, r.Header.Get("Location")); r.StatusCode != 200 || !strings.Contains(r.Body, "政策兑现") {
				t.Fatalf("the appeal page: %d\n%s", r.StatusCode, r.Body)
			}
			res = env.API(t, env.Token(t, "admin"), "GET", fmt.Sprintf("/api/v1/policy-statements/%d/pdf?year=%s", a, year), nil)
			if res.StatusCode != 200 || !strings.HasPrefix(res.Body, "%PDF") {
				t.Fatalf("statement PDF API: %d", res.StatusCode)
			}
		})
	}
}
