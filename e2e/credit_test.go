package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"yingshang/internal/credit"
)

// TestCreditPenaltyNoticeRepair is the credit module's end-to-end path:
// staff record a penalty, the enterprise sees the repair notice (两书同达),
// the fake clock passes the minimum period, the enterprise applies for
// repair, the department approves, the public page no longer shows the
// record, the credit check passes and the grade changes back.
func TestCreditPenaltyNoticeRepair(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_FAKE_NOW=2026-12-01T09:00:00+08:00")
	const decision = "魏市监罚〔2026〕0999号"

	// The demo enterprise's credit code.
	ent := browser(t)
	login(t, ent, s, "enterprise")
	run(t, ent, "my credit before", chromedp.Navigate(s.URL+"/my/credit"), chromedp.WaitVisible(`[data-testid=my-grade]`, chromedp.ByQuery))
	uscc := textOf(t, ent, `[data-testid=my-uscc]`)
	before := gradeOf(t, ent)
	shot(t, ent, "credit-01-enterprise-before")

	// Staff of 魏都区市监局 record a general penalty decided 2026-11-30.
	staff := browser(t)
	login(t, staff, s, "wd-staff")
	run(t, staff, "record penalty", chromedp.Navigate(s.URL+"/credit/new"), chromedp.WaitVisible(`[data-testid=credit-form]`, chromedp.ByQuery),
		chromedp.SetValue(`#uscc`, uscc, chromedp.ByQuery),
		chromedp.SetValue(`#decision_no`, decision, chromedp.ByQuery),
		chromedp.SetValue(`#decided_on`, "2026-11-30", chromedp.ByQuery),
		chromedp.SetValue(`#legal_basis`, "《中华人民共和国食品安全法》第一百二十六条", chromedp.ByQuery),
		chromedp.SetValue(`#class`, "general", chromedp.ByQuery),
		chromedp.SetValue(`#penalty_type`, "fine", chromedp.ByQuery),
		chromedp.SetValue(`#penalty_amount`, "5000", chromedp.ByQuery),
		chromedp.Click(`[data-testid=credit-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=record-facts]`, chromedp.ByQuery))
	shot(t, staff, "credit-02-staff-recorded")
	if got := textOf(t, staff, `[data-testid=record-min-end]`); got != "2027-02-28" {
		t.Fatalf("minimum end %q, want 2027-02-28 (month end clamped)", got)
	}
	var recordURL string
	run(t, staff, "record url", chromedp.Location(&recordURL))
	recordPath := strings.TrimPrefix(recordURL, s.URL)
	checkHonours(t, staff, s, uscc, "deny")

	// The enterprise sees the notice delivered with the decision.
	run(t, ent, "my credit with penalty", chromedp.Navigate(s.URL+"/my/credit"), chromedp.WaitVisible(`[data-testid=my-records]`, chromedp.ByQuery))
	if txt := textOf(t, ent, `[data-testid=my-records]`); !strings.Contains(txt, decision) || !strings.Contains(txt, "2027-02-28") {
		t.Fatalf("my records lack the penalty or its window:\n%s", txt)
	}
	if g := gradeOf(t, ent); g == before || g == "A" {
		t.Fatalf("grade did not drop after the penalty: %s -> %s", before, g)
	}
	run(t, ent, "open notice", chromedp.Navigate(s.URL+recordPath+"/notice"), chromedp.WaitVisible(`[data-testid=notice]`, chromedp.ByQuery))
	if got := textOf(t, ent, `[data-testid=notice-earliest]`); got != "2027-02-28" {
		t.Fatalf("notice earliest date %q", got)
	}
	shot(t, ent, "credit-03-enterprise-notice")

	// Three months later.
	s = s.restart(t, "YINGSHANG_FAKE_NOW=2027-03-01T09:00:00+08:00")
	proof := filepath.Join(t.TempDir(), "缴款凭证.pdf")
	if err := os.WriteFile(proof, credit.NewPDF("缴款凭证").Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ent = browser(t)
	login(t, ent, s, "enterprise")
	run(t, ent, "apply", chromedp.Navigate(s.URL+recordPath+"/apply"), chromedp.WaitVisible(`[data-testid=apply-form]`, chromedp.ByQuery),
		chromedp.SetValue(`#statement`, "罚款已于2026年12月缴清，并已完成整改。", chromedp.ByQuery),
		chromedp.SetUploadFiles(`#files`, []string{proof}, chromedp.ByQuery),
		chromedp.Click(`[data-testid=apply-sign]`, chromedp.ByQuery))
	shot(t, ent, "credit-04-enterprise-apply")
	run(t, ent, "submit application", chromedp.Click(`[data-testid=apply-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=repair-status][data-status=submitted]`, chromedp.ByQuery))
	var repairURL string
	run(t, ent, "repair url", chromedp.Location(&repairURL))

	staff = browser(t)
	login(t, staff, s, "wd-staff")
	run(t, staff, "approve", chromedp.Navigate(repairURL), chromedp.WaitVisible(`[data-testid=review-form]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=review-approve]`, chromedp.ByQuery),
		chromedp.SetValue(`#reason`, "已履行义务，材料齐全", chromedp.ByQuery))
	shot(t, staff, "credit-05-staff-review")
	run(t, staff, "submit approval", chromedp.Click(`[data-testid=review-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=repair-status][data-status=approved]`, chromedp.ByQuery))

	// The public page no longer shows it; the check passes; the grade is back.
	pub := browser(t)
	run(t, pub, "public page", chromedp.Navigate(s.URL+"/public/credit/"+uscc), chromedp.WaitVisible(`[data-testid=public-records]`, chromedp.ByQuery))
	if txt := textOf(t, pub, `[data-testid=public-records]`); strings.Contains(txt, decision) {
		t.Fatalf("public page still shows the repaired record:\n%s", txt)
	}
	shot(t, pub, "credit-06-public")
	checkHonours(t, staff, s, uscc, "pass")
	shot(t, staff, "credit-07-check-pass")
	run(t, ent, "my credit after", chromedp.Navigate(s.URL+"/my/credit"), chromedp.WaitVisible(`[data-testid=my-grade]`, chromedp.ByQuery))
	if g := gradeOf(t, ent); g != before {
		t.Fatalf("grade after repair %s, want %s again", g, before)
	}
	if txt := textOf(t, ent, `[data-testid=my-records]`); !strings.Contains(txt, "已修复") {
		t.Fatalf("the record is not shown as repaired:\n%s", txt)
	}
	shot(t, ent, "credit-08-enterprise-after")
}

func gradeOf(t *testing.T, ctx context.Context) string {
	t.Helper()
	var g string
	var ok bool
	run(t, ctx, "read grade", chromedp.AttributeValue(`[data-testid=my-grade]`, "data-grade", &g, &ok, chromedp.ByQuery))
	return g
}

// checkHonours runs the honours credit check in the browser and expects want.
func checkHonours(t *testing.T, ctx context.Context, s *Site, uscc, want string) {
	t.Helper()
	run(t, ctx, "credit check", chromedp.Navigate(s.URL+"/credit/checks"), chromedp.WaitVisible(`[data-testid=check-form]`, chromedp.ByQuery),
		chromedp.SetValue(`#uscc`, uscc, chromedp.ByQuery),
		chromedp.SetValue(`#scene`, "honours", chromedp.ByQuery),
		chromedp.SetValue(`#purpose`, "2026年度守信企业评选", chromedp.ByQuery),
		chromedp.Click(`[data-testid=check-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=check-result][data-result=`+want+`]`, chromedp.ByQuery))
}

// TestCreditImportAndRules: department staff upload an .xlsx of penalties
// with one bad row (all or nothing: refused, the row and column named),
// fix the file and import it; the enterprise finds the repair notice; a
// platform admin opens the rule tables, previews a grade table and adds a
// publicity period rule from a later date.
func TestCreditImportAndRules(t *testing.T) {
	t.Parallel()
	s := startSite(t, "", "YINGSHANG_FAKE_NOW=2026-12-01T09:00:00+08:00")
	ent := browser(t)
	login(t, ent, s, "enterprise")
	run(t, ent, "my credit", chromedp.Navigate(s.URL+"/my/credit"), chromedp.WaitVisible(`[data-testid=my-uscc]`, chromedp.ByQuery))
	uscc := textOf(t, ent, `[data-testid=my-uscc]`)

	book := func(name, amount string) string {
		f := excelize.NewFile()
		defer f.Close()
		_ = f.SetSheetName("Sheet1", credit.ImportSheet)
		_ = f.SetSheetRow(credit.ImportSheet, "A1", &[]any{"信息类别", "统一社会信用代码", "决定文书号", "决定日期", "处罚依据", "处罚种类1", "金额1（元）", "失信程度"})
		_ = f.SetSheetRow(credit.ImportSheet, "A2", &[]any{"行政处罚", uscc, "许市监罚〔2026〕1201号", "2026-11-25", "《中华人民共和国食品安全法》第一百二十四条", "罚款", "8000", "一般"})
		_ = f.SetSheetRow(credit.ImportSheet, "A3", &[]any{"行政处罚", uscc, "许市监罚〔2026〕1202号", "2026-11-26", "《中华人民共和国广告法》第五十五条", "警告", amount, "轻微"})
		p := filepath.Join(t.TempDir(), name)
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	staff := browser(t)
	login(t, staff, s, "sjj-staff")
	upload := func(step, file string) {
		run(t, staff, step, chromedp.Navigate(s.URL+"/credit/import"), chromedp.WaitVisible(`[data-testid=credit-import-form]`, chromedp.ByQuery),
			chromedp.SetUploadFiles(`[data-testid=credit-import-file]`, []string{file}, chromedp.ByQuery),
			chromedp.Click(`[data-testid=credit-import-submit]`, chromedp.ByQuery),
			chromedp.WaitVisible(`[data-testid=credit-import-summary]`, chromedp.ByQuery))
	}
	run(t, staff, "import page", chromedp.Navigate(s.URL+"/credit/import"), chromedp.WaitVisible(`[data-testid=credit-import-form]`, chromedp.ByQuery))
	shot(t, staff, "credit-10-import-form")
	upload("upload with a bad row", book("处罚-有错.xlsx", "200"))
	if txt := textOf(t, staff, `[data-testid=credit-import-bad-rows]`); !strings.Contains(txt, "3") || !strings.Contains(txt, "处罚种类1") || !strings.Contains(txt, "警告不应填写金额") {
		t.Fatalf("the report does not name row 3, its column and the reason:\n%s", txt)
	}
	var committed string
	var ok bool
	run(t, staff, "refused", chromedp.AttributeValue(`[data-testid=credit-import-summary]`, "data-committed", &committed, &ok, chromedp.ByQuery))
	if committed != "false" {
		t.Fatal("an all-or-nothing import with a bad row was written")
	}
	shot(t, staff, "credit-11-import-report")
	upload("upload the fixed file", book("处罚.xlsx", ""))
	run(t, staff, "imported", chromedp.AttributeValue(`[data-testid=credit-import-summary]`, "data-committed", &committed, &ok, chromedp.ByQuery))
	if committed != "true" || textOf(t, staff, `[data-testid=credit-import-created]`) != "2" {
		t.Fatalf("the fixed file was not imported: %s", textOf(t, staff, `[data-testid=credit-import-summary]`))
	}
	shot(t, staff, "credit-12-imported")
	run(t, ent, "my credit after the import", chromedp.Navigate(s.URL+"/my/credit"), chromedp.WaitVisible(`[data-testid=my-records]`, chromedp.ByQuery))
	if txt := textOf(t, ent, `[data-testid=my-records]`); !strings.Contains(txt, "许市监罚〔2026〕1201号") {
		t.Fatalf("the imported penalty is not on the enterprise's page:\n%s", txt)
	}

	admin := browser(t)
	login(t, admin, s, "admin")
	run(t, admin, "period rules", chromedp.Navigate(s.URL+"/credit/rules"), chromedp.WaitVisible(`[data-testid=period-rules]`, chromedp.ByQuery),
		chromedp.SetValue(`[data-testid=rule-from]`, "2027-01-01", chromedp.ByQuery),
		chromedp.SetValue(`#class`, "minor", chromedp.ByQuery),
		chromedp.SetValue(`[data-testid=rule-min]`, "0", chromedp.ByQuery),
		chromedp.SetValue(`[data-testid=rule-max]`, "6", chromedp.ByQuery),
		chromedp.SetValue(`[data-testid=rule-note]`, "示例：轻微失信信息最长公示6个月（假设的地方规定）", chromedp.ByQuery),
		chromedp.Click(`[data-testid=rule-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=rules-change]`, chromedp.ByQuery))
	if txt := textOf(t, admin, `[data-testid=rules-history]`); !strings.Contains(txt, "截止于 2026-12-31") {
		t.Fatalf("the change history does not show the end of the old rule:\n%s", txt)
	}
	shot(t, admin, "credit-13-rules-periods")
	run(t, admin, "grade preview", chromedp.Navigate(s.URL+"/credit/rules/grades"), chromedp.WaitVisible(`[data-testid=grades-form]`, chromedp.ByQuery),
		chromedp.Click(`[data-testid=grades-preview]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=grade-preview]`, chromedp.ByQuery))
	shot(t, admin, "credit-14-rules-grades-preview")
	run(t, admin, "classes", chromedp.Navigate(s.URL+"/credit/rules/classes"), chromedp.WaitVisible(`[data-testid=classes-form]`, chromedp.ByQuery))
	shot(t, admin, "credit-15-rules-classes")
}
