package e2e

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"yingshang/internal/ident"
)

// writeLedger writes an .xlsx ledger with three good rows and one row whose
// credit code has a wrong check character (spreadsheet row 4, the header
// being row 1).
func writeLedger(t *testing.T) (path string, good []string, bad string) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	f := excelize.NewFile()
	sheet := "经营主体"
	f.SetSheetName("Sheet1", sheet)
	rows := [][]any{{"统一社会信用代码", "名称", "类型", "法定代表人", "行政区划代码", "行业代码", "成立日期", "联系电话"}}
	names := []string{"许昌市魏都区端到端甲商贸有限公司", "许昌市魏都区端到端乙科技有限公司", "许昌市魏都区端到端丙餐饮有限公司"}
	for i, n := range names {
		code := ident.GenerateUSCC(r, "411002")
		good = append(good, code)
		rows = append(rows, []any{code, n, "有限责任公司", "张伟", "411002", "5191", "2020-0" + fmt.Sprint(i+1) + "-15", "1393745000" + fmt.Sprint(i)})
		if i == 1 {
			b := []byte(ident.GenerateUSCC(r, "411002"))
			b[17] = map[bool]byte{true: '1', false: '2'}[b[17] != '1']
			bad = string(b)
			rows = append(rows, []any{bad, "许昌市魏都区端到端错误有限公司", "有限责任公司", "李娜", "411002", "5191", "2021-06-01", "13937459999"})
		}
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	path = filepath.Join(t.TempDir(), "台账.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path, good, bad
}

// TestAdminImportsSearchesAndOpensQR is the platform core's end-to-end
// path: an admin imports an .xlsx with one bad row, reads the row report,
// imports the good rows, finds an entity by a Chinese name fragment and
// opens its QR service page.
func TestAdminImportsSearchesAndOpensQR(t *testing.T) {
	t.Parallel()
	s := startSite(t, "")
	ctx := browser(t)
	path, good, bad := writeLedger(t)
	login(t, ctx, s, "admin")
	shot(t, ctx, "entities-01-dashboard")

	run(t, ctx, "open import", chromedp.Navigate(s.URL+"/entities/import"), chromedp.WaitVisible(`[data-testid=import-form]`, chromedp.ByQuery))
	run(t, ctx, "upload", chromedp.SetUploadFiles(`[data-testid=import-file]`, []string{path}, chromedp.ByQuery),
		chromedp.Click(`[data-testid=import-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=import-bad-rows]`, chromedp.ByQuery))
	shot(t, ctx, "entities-02-import-report")
	report := textOf(t, ctx, `[data-testid=import-bad-rows]`)
	var badRows []string
	run(t, ctx, "read bad rows", chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=import-bad-row]')].map(r => r.dataset.row)`, &badRows))
	if len(badRows) != 1 || badRows[0] != "4" || !strings.Contains(report, "统一社会信用代码") || !strings.Contains(report, "第18位校验码不对") {
		t.Fatalf("bad-row report should name row 4 only, the column and the reason; rows %v:\n%s", badRows, report)
	}
	if got := textOf(t, ctx, `[data-testid=import-outcome]`); !strings.Contains(got, "未写入") {
		t.Fatalf("all-or-nothing import wrote data: %q", got)
	}

	run(t, ctx, "import valid rows", chromedp.Click(`[data-testid=import-valid-only]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=import-summary][data-committed=true]`, chromedp.ByQuery))
	shot(t, ctx, "entities-03-imported")
	if n := textOf(t, ctx, `[data-testid=import-created]`); n != "3" {
		t.Fatalf("created %s rows, want 3", n)
	}

	run(t, ctx, "search", chromedp.Navigate(s.URL+"/entities"), chromedp.WaitVisible(`[data-testid=entity-q]`, chromedp.ByQuery),
		chromedp.SendKeys(`[data-testid=entity-q]`, "端到端乙", chromedp.ByQuery),
		chromedp.Click(`[data-testid=entity-search]`, chromedp.ByQuery))
	waitURL(t, ctx, "q=")
	run(t, ctx, "search results", chromedp.WaitVisible(`[data-testid=entity-row]`, chromedp.ByQuery))
	shot(t, ctx, "entities-04-search")
	table := textOf(t, ctx, `[data-testid=entity-table]`)
	if !strings.Contains(table, good[1]) || strings.Contains(table, good[0]) || strings.Contains(table, bad) {
		t.Fatalf("search by 端到端乙 found the wrong rows:\n%s", table)
	}
	run(t, ctx, "open entity", chromedp.Click(`[data-testid=entity-row] a`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-testid=entity-qr]`, chromedp.ByQuery))
	shot(t, ctx, "entities-05-detail")

	run(t, ctx, "public QR page", chromedp.Navigate(s.URL+"/e/"+good[1]), chromedp.WaitVisible(`[data-testid=public-qr]`, chromedp.ByQuery))
	if name := textOf(t, ctx, `[data-testid=public-name]`); name != "许昌市魏都区端到端乙科技有限公司" {
		t.Fatalf("QR page shows %q", name)
	}
	var natural int
	run(t, ctx, "QR image loaded", chromedp.Evaluate(`document.querySelector('[data-testid=public-qr]').naturalWidth`, &natural))
	if natural < 100 {
		t.Fatalf("QR image did not load (natural width %d)", natural)
	}
	shot(t, ctx, "entities-06-qr-page")
}
