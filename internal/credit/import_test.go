package credit_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/credit"
	"yingshang/internal/ident"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// importFile writes rows (keyed by column field) under the template's
// headers into an .xlsx workbook.
func importFile(t testing.TB, rows []map[string]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := credit.ImportSheet
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		t.Fatal(err)
	}
	for i, c := range credit.ImportColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		_ = f.SetCellStr(sh, cell, c.Header)
		for j, r := range rows {
			if v := r[c.Field]; v != "" {
				cell, _ := excelize.CoordinatesToCellName(i+1, j+2)
				_ = f.SetCellStr(sh, cell, v)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func unregisteredUSCC() string {
	c, _ := ident.USCCCheckChar("91411002MA0000001")
	return "91411002MA0000001" + string(c)
}

// mixedRows has good rows and one bad row of every kind of problem.
func mixedRows() []map[string]string {
	badCheck := sitetest.USCCA[:17] + "0"
	return []map[string]string{
		{"kind": "行政处罚", "uscc": sitetest.USCCA, "entity_name": "许昌瑞丰商贸有限公司", "decision_no": "许市监罚〔2026〕901号", "decided_on": "2026-11-05",
			"legal_basis": "《食品安全法》第一百二十四条", "penalty_type1": "罚款", "amount1": "5,000元", "penalty_type2": "警告", "class": "一般"}, // 2 ok
		{"kind": "行政处罚", "uscc": sitetest.USCCA, "decision_no": "许市监罚〔2026〕902号", "decided_on": "2026-11-05",
			"legal_basis": "《广告法》", "penalty_type1": "警告", "amount1": "100", "class": "一般"}, // 3 amount on a warning
		{"kind": "行政处罚", "uscc": unregisteredUSCC(), "decision_no": "许市监罚〔2026〕903号", "decided_on": "2026-11-05",
			"legal_basis": "《广告法》", "penalty_type1": "警告", "class": "一般"}, // 4 unknown code
		{"kind": "行政处罚", "uscc": badCheck, "decision_no": "许市监罚〔2026〕904号", "decided_on": "2026-11-05",
			"legal_basis": "《广告法》", "penalty_type1": "警告", "class": "一般"}, // 5 check character
		{"kind": "行政处罚", "uscc": sitetest.USCCB, "decision_no": "许市监罚〔2026〕905号", "decided_on": "2099-01-01",
			"legal_basis": "《广告法》", "penalty_type1": "警告", "class": "一般"}, // 6 future date
		{"kind": "行政处罚", "uscc": sitetest.USCCB, "decision_no": "许市监罚〔2026〕906号", "decided_on": "2026/11/2",
			"legal_basis": "《广告法》", "penalty_type1": "警告", "class": "轻微"}, // 7 class not in the table
		{"kind": "penalty", "uscc": sitetest.USCCA, "decision_no": "许市监罚〔2026〕901号", "decided_on": "2026-11-05",
			"legal_basis": "《食品安全法》", "penalty_type1": "fine", "amount1": "100", "class": "general"}, // 8 duplicate of row 2
		{"kind": "行政许可", "uscc": sitetest.USCCB, "decision_no": "JY14110020000123", "decided_on": "2026年9月1日", "title": "食品经营许可证"},      // 9 ok
		{"kind": "严重失信主体名单", "uscc": sitetest.USCCB, "decision_no": "许市监严〔2026〕3号", "decided_on": "2026-11-06", "legal_basis": "办法第二条"}, // 10 ok
		{"kind": "移出名单", "uscc": sitetest.USCCB, "decided_on": "2026-11-20", "removes": "许市监严〔2026〕3号"},                                 // 11 ok, refers to row 10
		{"kind": "纳税信用级别", "uscc": sitetest.USCCB, "decided_on": "2026-04-15", "tax_grade": "E"},                                        // 12 bad grade
		{"kind": "行政处罚", "uscc": sitetest.USCCA, "entity_name": "别的公司", "decision_no": "许市监罚〔2026〕907号", "decided_on": "2026-11-05",
			"legal_basis": "《广告法》", "penalty_type1": "警告", "class": "一般"}, // 13 name differs
	}
}

func rowErr(rep *credit.ImportReport, row int, column string) *credit.ImportRowError {
	for i, e := range rep.Rows {
		if e.Row == row && e.Column == column {
			return &rep.Rows[i]
		}
	}
	return nil
}

func countRecords(t *testing.T, env *sitetest.Env) int {
	t.Helper()
	var n int
	ctx := context.Background()
	if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM credit_records").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportReportsEveryRowAndField(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		fatal(t, svc.SetDeptClasses(sitetest.System(), env.Depts["XC-SJJ"], map[string]string{"general": "x", "serious": "y"}))
		ctx := staffCtx(env, "sjj-staff", "XC-SJJ")
		file := importFile(t, mixedRows())
		rep, err := svc.ImportRecords(ctx, bytes.NewReader(file), "records.xlsx", credit.ImportOptions{})
		fatal(t, err)
		if rep.Committed || rep.Total != 12 || rep.Bad != 8 || rep.Created != 4 || countRecords(t, env) != 0 {
			t.Fatalf("all or nothing: %+v, %d records", rep, countRecords(t, env))
		}
		for _, c := range []struct {
			row        int
			column, zh string
		}{
			{3, "处罚种类1", "警告不应填写金额"},
			{4, "统一社会信用代码", "未在经营主体库登记"},
			{5, "统一社会信用代码", "第18位校验码不对，请核对"},
			{6, "决定日期", "不能晚于今天"},
			{7, "失信程度", "不在本部门的分类标准中"},
			{8, "决定文书号", "与第 2 行的决定文书号重复"},
			{12, "纳税信用级别", "纳税信用级别须为"},
			{13, "企业名称", "名称与该代码登记的名称不一致"},
		} {
			e := rowErr(rep, c.row, c.column)
			if e == nil || !strings.Contains(e.ZH, c.zh) || e.EN == "" {
				t.Errorf("row %d %s: want %q, got %+v (all: %+v)", c.row, c.column, c.zh, e, rep.Rows)
			}
		}
		// Dry run in valid_only mode: the same counts, nothing written.
		rep, err = svc.ImportRecords(ctx, bytes.NewReader(file), "records.xlsx", credit.ImportOptions{Mode: credit.ModeValidOnly, DryRun: true})
		fatal(t, err)
		if rep.Committed || rep.Created != 4 || rep.Bad != 8 || countRecords(t, env) != 0 {
			t.Fatalf("dry run: %+v", rep)
		}
		// valid_only writes the four valid rows with the form's side effects.
		rep, err = svc.ImportRecords(ctx, bytes.NewReader(file), "records.xlsx", credit.ImportOptions{Mode: credit.ModeValidOnly})
		fatal(t, err)
		if !rep.Committed || rep.Created != 4 || rep.Notices != 2 || rep.Regraded != 2 || rep.ImportID == 0 || countRecords(t, env) != 4 {
			t.Fatalf("valid only: %+v", rep)
		}
		sys := sitetest.System()
		pen, err := svc.Get(sys, rep.RecordIDs[0])
		fatal(t, err)
		if pen.Content.Penalties[0].Amount != 5000 || pen.Content.Penalties[1].Type != "warning" || pen.MinEnd != "2027-02-05" {
			t.Fatalf("penalty: %+v", pen)
		}
		n, err := svc.LatestNotice(sys, pen.ID)
		fatal(t, err)
		if n.DeliveredAt == nil {
			t.Fatal("the repair notice was not delivered")
		}
		list, err := svc.Get(sys, rep.RecordIDs[2])
		fatal(t, err)
		if list.Kind != credit.KindSeriousList || list.Status != credit.StatusRemoved {
			t.Fatalf("the list entry removed by row 11: %+v", list)
		}
		g, err := svc.GradeOf(sys, env.Entities[sitetest.USCCA])
		fatal(t, err)
		if g.Grade != "B" {
			t.Fatalf("grade of A after the import: %+v", g)
		}
		g, err = svc.GradeOf(sys, env.Entities[sitetest.USCCB])
		fatal(t, err)
		if g.Grade != "A" || g.Colour != "green" {
			t.Fatalf("grade of B after the import (licence, list entry removed): %+v", g)
		}
		var events int
		fatal(t, env.App.DB.Q(sys).QueryRow(sys, "SELECT COUNT(*) FROM audit_events WHERE action = 'credit.import'").Scan(&events))
		if events != 1 {
			t.Fatalf("%d import audit events", events)
		}
		// The same file again: the penalty and the licence are already recorded.
		rep, err = svc.ImportRecords(ctx, bytes.NewReader(file), "records.xlsx", credit.ImportOptions{DryRun: true})
		fatal(t, err)
		if e := rowErr(rep, 2, "决定文书号"); e == nil || !strings.Contains(e.ZH, "已有此决定文书号") {
			t.Fatalf("re-import: %+v", rep.Rows)
		}
		// The form refuses the duplicate too.
		_, err = svc.Create(ctx, credit.Input{USCC: sitetest.USCCA, Kind: credit.KindPenalty, Content: credit.Content{DecisionNo: "许市监罚〔2026〕901号",
			DecidedOn: "2026-11-05", LegalBasis: "x", Penalties: []credit.Penalty{{Type: "warning"}}, Class: "general"}})
		wantCode(t, err, yserr.Invalid, "decision_no")
	})
}

func TestImportCSVAndStructure(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		ctx := staffCtx(env, "sjj-staff", "XC-SJJ")
		csv := "\uFEFF信息类别,统一社会信用代码,决定文书号,决定日期,处罚依据,处罚种类1,金额1（元）,失信程度\n" +
			fmt.Sprintf("行政处罚,%s,许市监罚〔2026〕950号,2026-11-10,《食品安全法》,罚款,2000,一般\n", sitetest.USCCB)
		rep, err := svc.ImportRecords(ctx, strings.NewReader(csv), "r.csv", credit.ImportOptions{})
		fatal(t, err)
		if !rep.Committed || rep.Created != 1 {
			t.Fatalf("csv: %+v", rep)
		}
		_, err = svc.ImportRecords(ctx, strings.NewReader("类别,代码\nx,y\n"), "r.csv", credit.ImportOptions{})
		wantCode(t, err, yserr.Invalid, "file")
		_, err = svc.ImportRecords(ctx, bytes.NewReader([]byte("PK\x03\x04garbage")), "r.xlsx", credit.ImportOptions{})
		wantCode(t, err, yserr.Invalid, "file")
		// Another department's import is refused; a supervisor may not import.
		_, err = svc.ImportRecords(ctx, strings.NewReader(csv), "r.csv", credit.ImportOptions{DepartmentID: env.Depts["XC-SWJ"]})
		wantCode(t, err, yserr.Forbidden, "")
		var tpl bytes.Buffer
		fatal(t, svc.ImportTemplate(&tpl))
		f, err := excelize.OpenReader(&tpl)
		fatal(t, err)
		defer f.Close()
		if got := f.GetSheetList(); len(got) != 2 || got[0] != credit.ImportSheet || got[1] != "说明" {
			t.Fatalf("template sheets: %v", got)
		}
		if v, _ := f.GetCellValue(credit.ImportSheet, "A1"); v != "信息类别" {
			t.Fatalf("template A1: %q", v)
		}
		// The template itself imports as an empty file.
		var tpl2 bytes.Buffer
		fatal(t, svc.ImportTemplate(&tpl2))
		rep, err = svc.ImportRecords(ctx, &tpl2, "t.xlsx", credit.ImportOptions{DryRun: true})
		fatal(t, err)
		if rep.Total != 0 {
			t.Fatalf("template: %+v", rep)
		}
	})
}
