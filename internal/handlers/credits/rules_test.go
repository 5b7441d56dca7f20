package credits_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/credit"
	"yingshang/internal/site/sitetest"
)

// TestRuleTablesAuthorisation: only platform admins change the period,
// grade and scene tables; a department admin changes its own
// department's classes only; staff change nothing; everyone but
// enterprises reads.
func TestRuleTablesAuthorisation(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		sjj, wd := env.Depts["XC-SJJ"], env.Depts["WD-SJJ"]
		users := []string{"", "admin", "sjj-admin", "sjj-staff", "supervisor", "ent"}
		period := map[string]any{"effective_from": "2027-01-01", "regime": "order36", "class": "minor", "min_months": 0, "max_months": 6, "publish": false, "note": "test"}
		classes := map[string]any{"classes": []map[string]any{{"class": "general", "used": true, "criteria": "一般情节"}, {"class": "serious", "used": true, "criteria": "严重情节"}}}
		grades := map[string]any{"rules": []map[string]any{{"seq": 10, "grade": "D", "min_serious_list": 1, "explain_zh": "名单", "explain_en": "list"},
			{"seq": 90, "grade": "A", "explain_zh": "其他", "explain_en": "other"}}}
		scenes := map[string]any{"rules": []map[string]any{{"scene": "bidding", "on_serious_list": true, "outcome": "deny", "reason_zh": "名单", "reason_en": "list"}}}
		ops := []struct {
			method, path string
			body         any
			want         [6]int // anonymous, admin, sjj-admin, sjj-staff, supervisor, ent
		}{
			{"GET", "/api/v1/credit/rules/periods?on=2026-11-23", nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"GET", fmt.Sprintf("/api/v1/credit/rules/classes/%d", wd), nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"GET", "/api/v1/credit/rules/grades", nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"GET", "/api/v1/credit/rules/scenes", nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"GET", "/api/v1/credit/rules/history?table=periods", nil, [6]int{401, 200, 200, 200, 200, 403}},
			{"PUT", fmt.Sprintf("/api/v1/credit/rules/classes/%d", wd), classes, [6]int{401, 200, 403, 403, 403, 403}},
			{"PUT", fmt.Sprintf("/api/v1/credit/rules/classes/%d", sjj), classes, [6]int{401, 200, 200, 403, 403, 403}},
			{"POST", "/api/v1/credit/rules/periods", period, [6]int{401, 201, 403, 403, 403, 403}},
			{"PUT", "/api/v1/credit/rules/grades", grades, [6]int{401, 200, 403, 403, 403, 403}},
			{"POST", "/api/v1/credit/rules/grades/preview", grades, [6]int{401, 200, 403, 403, 403, 403}},
			{"PUT", "/api/v1/credit/rules/scenes", scenes, [6]int{401, 200, 403, 403, 403, 403}},
		}
		pages := []struct {
			method, path string
			form         url.Values
			want         [6]int
		}{
			{"GET", "/credit/rules", nil, [6]int{303, 200, 200, 200, 200, 403}},
			{"GET", "/credit/rules/classes", nil, [6]int{303, 200, 200, 200, 200, 403}},
			{"GET", "/credit/rules/grades", nil, [6]int{303, 200, 200, 200, 200, 403}},
			{"GET", "/credit/rules/scenes", nil, [6]int{303, 200, 200, 200, 200, 403}},
			{"POST", fmt.Sprintf("/credit/rules/classes?department=%d", wd), url.Values{"use_general": {"on"}, "criteria_general": {"x"}}, [6]int{303, 303, 403, 403, 403, 403}},
			{"POST", "/credit/rules/periods", url.Values{"effective_from": {"2027-02-01"}, "regime": {"order36"}, "class": {"serious"}, "min_months": {"12"}, "max_months": {"36"}, "note": {"n"}},
				[6]int{303, 303, 403, 403, 403, 403}},
			{"POST", "/credit/rules/scenes", url.Values{}, [6]int{303, 303, 403, 403, 403, 403}},
		}
		for i, user := range users {
			c, tok := env.Anonymous(), ""
			if user != "" {
				c, tok = env.Login(t, user), env.Token(t, user)
			}
			for _, op := range ops {
				r := env.API(t, tok, op.method, op.path, op.body)
				if r.StatusCode != op.want[i] {
					t.Errorf("%q %s %s: %d, want %d (%.200s)", user, op.method, op.path, r.StatusCode, op.want[i], r.Body)
				}
			}
			for _, p := range pages {
				var r *sitetest.Response
				if p.method == "GET" {
					r = c.Get(t, p.path)
				} else {
					r = c.PostForm(t, p.path, p.form)
				}
				if r.StatusCode != p.want[i] {
					t.Errorf("%q %s %s: %d, want %d", user, p.method, p.path, r.StatusCode, p.want[i])
				}
			}
		}
		// The refused changes left no trace; the admin's are in the history.
		var hist []credit.RuleChange
		env.API(t, env.Token(t, "sjj-staff"), "GET", fmt.Sprintf("/api/v1/credit/rules/history?table=classes:%d", wd), nil).JSON(t, &hist)
		if len(hist) != 2 {
			t.Fatalf("history of WD-SJJ's classes: %+v", hist)
		}
	})
}

// TestRuleTablesValidationAndEffect walks the editors: field errors, a
// period rule from a later date that ends the previous one, the table as
// of a date, the grade preview and the recomputation job.
func TestRuleTablesValidationAndEffect(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		admin := env.Login(t, "admin")
		tok := env.Token(t, "admin")
		// Field errors on the period form.
		r := admin.PostForm(t, "/credit/rules/periods", url.Values{"effective_from": {"2026-11-23"}, "regime": {"order36"}, "class": {"general"},
			"min_months": {"12"}, "max_months": {"6"}, "note": {""}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `data-testid="err-effective_from"`) || !strings.Contains(r.Body, `data-testid="err-max_months"`) ||
			!strings.Contains(r.Body, `data-testid="err-note"`) {
			t.Fatalf("period validation: %d", r.StatusCode)
		}
		// A new general rule from 2027-01-01 ends rule 6 on 2026-12-31.
		r = admin.PostForm(t, "/credit/rules/periods", url.Values{"effective_from": {"2027-01-01"}, "regime": {"order36"}, "class": {"general"},
			"min_months": {"6"}, "max_months": {"18"}, "publish": {"on"}, "note": {"假设的新规定"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("add rule: %d %.300s", r.StatusCode, r.Body)
		}
		var p credit.Period
		env.API(t, "", "GET", "/api/v1/credit/periods?decided=2026-12-31&class=general", nil).JSON(t, &p)
		if p.MinEnd != "2027-03-31" || p.MaxEnd != "2027-12-31" {
			t.Fatalf("before the change: %+v", p)
		}
		env.API(t, "", "GET", "/api/v1/credit/periods?decided=2027-01-01&class=general", nil).JSON(t, &p)
		if p.MinEnd != "2027-07-01" || p.MaxEnd != "2028-07-01" {
			t.Fatalf("after the change: %+v", p)
		}
		var on []credit.PeriodRule
		env.API(t, tok, "GET", "/api/v1/credit/rules/periods?on=2027-06-01", nil).JSON(t, &on)
		generals := 0
		for _, x := range on {
			if x.Class == "general" {
				generals++
				if x.MinMonths != 6 {
					t.Fatalf("rule in force on 2027-06-01: %+v", x)
				}
			}
		}
		if generals != 1 {
			t.Fatalf("rules in force on 2027-06-01: %+v", on)
		}
		page := admin.Get(t, "/credit/rules?on=2026-12-01")
		if !strings.Contains(page.Body, "假设的新规则") && !strings.Contains(page.Body, "假设的新规定") || !strings.Contains(page.Body, "2026-12-31") {
			t.Fatal("the periods page lacks the new rule or the end of the old one")
		}
		// A second rule from the same date is refused; the future rule can be deleted, which reopens the old one.
		r = env.API(t, tok, "POST", "/api/v1/credit/rules/periods", map[string]any{"effective_from": "2027-01-01", "regime": "order36", "class": "general",
			"min_months": 3, "max_months": 12, "publish": true, "note": "dup"})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "effective_from") {
			t.Fatalf("duplicate start: %d %s", r.StatusCode, r.Body)
		}
		var all []credit.PeriodRule
		env.API(t, tok, "GET", "/api/v1/credit/rules/periods", nil).JSON(t, &all)
		newID := all[len(all)-1].ID
		if r := env.API(t, tok, "DELETE", fmt.Sprintf("/api/v1/credit/rules/periods/%d", all[0].ID), nil); r.StatusCode != http.StatusConflict {
			t.Fatalf("deleting a rule in force: %d", r.StatusCode)
		}
		if r := env.API(t, tok, "DELETE", fmt.Sprintf("/api/v1/credit/rules/periods/%d", newID), nil); r.StatusCode != http.StatusNoContent {
			t.Fatalf("deleting the future rule: %d %s", r.StatusCode, r.Body)
		}
		env.API(t, "", "GET", "/api/v1/credit/periods?decided=2027-06-01&class=general", nil).JSON(t, &p)
		if p.MinEnd != "2027-09-01" {
			t.Fatalf("after deleting the future rule: %+v", p)
		}
		var hist []credit.RuleChange
		env.API(t, tok, "GET", "/api/v1/credit/rules/history?table=periods", nil).JSON(t, &hist)
		if len(hist) != 2 || !strings.Contains(hist[1].ZH, "截止于 2026-12-31") {
			t.Fatalf("period history: %+v", hist)
		}

		// Classes: criteria required for a ticked class; none ticked is refused.
		sjjAdmin := env.Login(t, "sjj-admin")
		r = sjjAdmin.PostForm(t, "/credit/rules/classes", url.Values{"use_general": {"on"}, "criteria_general": {""}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `data-testid="err-criteria-general"`) {
			t.Fatalf("classes validation: %d", r.StatusCode)
		}
		r = sjjAdmin.PostForm(t, "/credit/rules/classes", url.Values{})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `data-testid="err-classes"`) {
			t.Fatalf("no class: %d", r.StatusCode)
		}

		// Grades: per-cell errors, the preview, and the save enqueues the recomputation.
		seed(t, env) // two general penalties: both entities B
		form := url.Values{"seq": {"10", "20", ""}, "grade": {"E", "A", ""}, "colour": {"", "", ""}, "explain_zh": {"", "其他", ""}, "explain_en": {"x", "other", ""}}
		r = admin.PostForm(t, "/credit/rules/grades", form)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `data-testid="err-grade"`) || !strings.Contains(r.Body, `data-testid="err-explain"`) {
			t.Fatalf("grade validation: %d", r.StatusCode)
		}
		form = url.Values{"seq": {"10", "20"}, "grade": {"C", "A"}, "colour": {"orange", "green"}, "min_general": {"1", "0"},
			"explain_zh": {"有一般失信", "其他"}, "explain_en": {"general penalty", "other"}, "action": {"preview"}}
		r = admin.PostForm(t, "/credit/rules/grades", form)
		if r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="grade-preview" data-changed="2"`) ||
			!strings.Contains(r.Body, `data-grade="C" data-colour="orange" data-proposed="2"`) {
			t.Fatalf("preview: %d %s", r.StatusCode, r.Body[strings.Index(r.Body, "<main"):])
		}
		env.StartJobs(t)
		form.Set("action", "save")
		if r = admin.PostForm(t, "/credit/rules/grades", form); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save grades: %d", r.StatusCode)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			var g credit.Grade
			env.API(t, tok, "GET", fmt.Sprintf("/api/v1/credit/entities/%d/grade", env.Entities[sitetest.USCCB]), nil).JSON(t, &g)
			if g.Grade == "C" && g.Colour == "orange" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the recomputation job did not run: %+v", g)
			}
			time.Sleep(100 * time.Millisecond)
		}

		// Scenes: a rule that can never match and missing reasons are refused per row.
		r = admin.PostForm(t, "/credit/rules/scenes", url.Values{"scene": {"bidding"}, "grades": {""}, "on_serious_list": {"no"}, "outcome": {"deny"}, "reason_zh": {""}, "reason_en": {"x"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `data-testid="err-grades"`) || !strings.Contains(r.Body, `data-testid="err-reason"`) {
			t.Fatalf("scene validation: %d", r.StatusCode)
		}
		r = admin.PostForm(t, "/credit/rules/scenes", url.Values{"scene": {"bidding"}, "grades": {"c, d"}, "on_serious_list": {"no"}, "outcome": {"deny"}, "reason_zh": {"C、D级不得投标"}, "reason_en": {"C or D: no bids"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save scenes: %d", r.StatusCode)
		}
		var res credit.CheckResult
		env.API(t, tok, "POST", "/api/v1/credit/checks", map[string]any{"uscc": sitetest.USCCB, "scene": "bidding", "purpose": "test"}).JSON(t, &res)
		if res.Result != credit.ResultDeny {
			t.Fatalf("check after the scene change: %+v", res)
		}
		env.API(t, tok, "GET", "/api/v1/credit/rules/history?table=scenes", nil).JSON(t, &hist)
		if len(hist) != 1 || hist[0].Actor != "admin" {
			t.Fatalf("scene history: %+v", hist)
		}
	})
}

// TestImportPageAndAPI uploads a workbook with a bad row through the page
// (all or nothing: refused, report listed), then the corrected file.
func TestImportPageAndAPI(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		staff := env.Login(t, "sjj-staff")
		tpl := staff.Get(t, "/credit/import/template.xlsx")
		if tpl.StatusCode != 200 || !strings.HasPrefix(tpl.Body, "PK") {
			t.Fatalf("template: %d", tpl.StatusCode)
		}
		book := func(amount string) []byte {
			f := excelize.NewFile()
			defer f.Close()
			_ = f.SetSheetName("Sheet1", credit.ImportSheet)
			_ = f.SetSheetRow(credit.ImportSheet, "A1", &[]any{"信息类别", "统一社会信用代码", "决定文书号", "决定日期", "处罚依据", "处罚种类1", "金额1（元）", "失信程度"})
			_ = f.SetSheetRow(credit.ImportSheet, "A2", &[]any{"行政处罚", sitetest.USCCA, "许市监罚〔2026〕601号", "2026-11-10", "《广告法》", "罚款", "3000", "一般"})
			_ = f.SetSheetRow(credit.ImportSheet, "A3", &[]any{"行政处罚", sitetest.USCCB, "许市监罚〔2026〕602号", "2026-11-10", "《广告法》", "警告", amount, "一般"})
			var b bytes.Buffer
			_ = f.Write(&b)
			return b.Bytes()
		}
		upload := func(c *sitetest.Client, file []byte, fields map[string]string) *sitetest.Response {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for k, v := range fields {
				_ = mw.WriteField(k, v)
			}
			fw, _ := mw.CreateFormFile("file", "处罚.xlsx")
			_, _ = fw.Write(file)
			_ = mw.Close()
			return c.PostMultipart(t, "/credit/import", mw.FormDataContentType(), &body)
		}
		r := upload(staff, book("200"), map[string]string{"mode": "all_or_nothing"})
		if r.StatusCode != 200 || !strings.Contains(r.Body, `data-committed="false"`) || !strings.Contains(r.Body, `data-row="3"`) ||
			!strings.Contains(r.Body, "警告不应填写金额") || !strings.Contains(r.Body, `data-testid="credit-import-report"`) {
			t.Fatalf("bad upload: %d %.400s", r.StatusCode, r.Body)
		}
		r = upload(staff, book(""), map[string]string{"mode": "all_or_nothing"})
		if r.StatusCode != 200 || !strings.Contains(r.Body, `data-committed="true"`) || !strings.Contains(r.Body, `data-testid="credit-import-notices">2<`) {
			t.Fatalf("good upload: %d", r.StatusCode)
		}
		// The API: supervisors may not import; a dry run reports the duplicates now.
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("dry_run", "true")
		fw, _ := mw.CreateFormFile("file", "again.xlsx")
		_, _ = fw.Write(book(""))
		_ = mw.Close()
		req, _ := http.NewRequestWithContext(context.Background(), "POST", env.HTTP.URL+"/api/v1/credit/records/import", bytes.NewReader(body.Bytes()))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+env.Token(t, "sjj-staff"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rep credit.ImportReport
		if resp.StatusCode != 200 {
			t.Fatalf("api import: %d", resp.StatusCode)
		}
		if err := jsonDecode(resp, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Committed || rep.Bad != 2 || rep.Rows[0].Column != "决定文书号" {
			t.Fatalf("api dry run: %+v", rep)
		}
		req.Header.Set("Authorization", "Bearer "+env.Token(t, "supervisor"))
		req.Body = nil
		req2, _ := http.NewRequest("POST", env.HTTP.URL+"/api/v1/credit/records/import", bytes.NewReader(body.Bytes()))
		req2.Header = req.Header
		resp2, err := http.DefaultClient.Do(req2)
		if err != nil {
			t.Fatal(err)
		}
		resp2.Body.Close()
		if resp2.StatusCode != http.StatusForbidden {
			t.Fatalf("supervisor import: %d", resp2.StatusCode)
		}
	})
}

func jsonDecode(resp *http.Response, v any) error {
	return json.NewDecoder(resp.Body).Decode(v)
}
