package credit

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// importNotes are the general rules at the top of the 说明 sheet.
var importNotes = []string{
	"信用信息批量导入说明",
	"1. 在“信用信息”工作表中每行填写一条信用信息，第一行为表头，不要修改列名；不需要的选填列可以删除。",
	"2. 第一列“信息类别”决定该行需要填写哪些列：行政处罚填文书号、日期、依据、处罚种类和金额、失信程度；严重失信主体名单填文书号和日期；经营异常名录填日期和事由；移出名单填日期和要移出的名单记录；行政许可填文书号、日期和许可名称；表彰奖励填日期和名称；纳税信用级别填日期和级别。",
	"3. 每一行与网页表单适用同样的检查：统一社会信用代码须已登记且校验位正确，决定日期不能晚于今天，警告等不得填写金额而罚款、没收必须填写金额，失信程度须在本部门的分类标准中，同一企业同一类别的决定文书号不得重复（文件内或已录入）。",
	"4. 导入方式：“全部正确才导入”时有任何错误行则不写入任何数据；“只导入正确的行”时写入正确的行并列出错误行。可先勾选“只检查”。",
	"5. 导入的行政处罚与表单录入一样：同时生成并送达信用修复告知书（两书同达），通知订阅方，并重新评定企业信用等级。",
	"6. 也可导入 CSV 文件（UTF-8 或 GBK 编码），表头与本模板相同，也可使用英文列名（见下表）。",
	"7. 填写示例见本表下方，请勿把示例行复制到“信用信息”工作表中导入。",
}

// importExamples are example rows, one per kind, shown on the 说明 sheet.
var importExamples = [][]string{
	{"行政处罚", "91411002MA9XK1QR11", "许昌瑞丰商贸有限公司", "许市监罚〔2026〕101号", "2026-11-05", "《中华人民共和国食品安全法》第一百二十四条", "经营超过保质期的食品", "罚款", "5000", "警告", "", "", "", "一般", "", "", "", "", "", "否"},
	{"严重失信主体名单", "91411002MA9XK1QR11", "", "许市监严〔2026〕3号", "2026-11-06", "《市场监督管理严重违法失信名单管理办法》第二条", "", "", "", "", "", "", "", "", "", "", "", "", "", ""},
	{"移出名单", "91411002MA9XK1QR11", "", "", "2026-11-20", "", "", "", "", "", "", "", "", "", "", "", "", "", "许市监严〔2026〕3号", ""},
	{"经营异常名录", "91411082MA9XP2Q93Q", "", "", "2026-10-08", "", "未按规定公示年度报告", "", "", "", "", "", "", "", "", "", "", "", "", ""},
	{"行政许可", "91411082MA9XP2Q93Q", "", "JY14110020000123", "2026-09-01", "", "", "", "", "", "", "", "", "", "", "食品经营许可证", "", "", "", ""},
	{"表彰奖励", "91411082MA9XP2Q93Q", "", "", "2026-06-01", "", "", "", "", "", "", "", "", "", "", "许昌市守合同重信用企业", "", "", "", ""},
	{"纳税信用级别", "91411082MA9XP2Q93Q", "", "", "2026-04-15", "", "", "", "", "", "", "", "", "", "", "", "A", "2025", "", ""},
}

// ImportTemplate writes the import template: the 信用信息 sheet with the
// header row (required columns in red), text format on the code columns
// and drop-down lists, and the 说明 sheet with the rules of every column
// and example rows.
func (s *Service) ImportTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", ImportSheet); err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return err
	}
	required, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": keep codes as typed
	if err != nil {
		return err
	}
	for i, c := range ImportColumns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		cell := col + "1"
		if err := f.SetCellStr(ImportSheet, cell, c.Header); err != nil {
			return err
		}
		st := header
		if c.Required {
			st = required
		}
		if err := f.SetCellStyle(ImportSheet, cell, cell, st); err != nil {
			return err
		}
		w := 14.0
		switch c.Field {
		case "uscc", "decision_no", "entity_name", "removes":
			w = 24
		case "legal_basis", "facts", "title":
			w = 30
		}
		if err := f.SetColWidth(ImportSheet, col, col, w); err != nil {
			return err
		}
		if c.Field == "uscc" || c.Field == "decision_no" || c.Field == "removes" || c.Field == "tax_year" {
			if err := f.SetColStyle(ImportSheet, col, text); err != nil {
				return err
			}
			if err := f.SetCellStyle(ImportSheet, cell, cell, st); err != nil {
				return err
			}
		}
	}
	drops := map[string][]string{
		"kind":            {"行政处罚", "严重失信主体名单", "经营异常名录", "移出名单", "行政许可", "表彰奖励", "纳税信用级别"},
		"class":           {"轻微", "一般", "严重"},
		"sector":          {"特种设备", "安全生产", "消防安全"},
		"tax_grade":       TaxGrades,
		"obligations_met": {"是", "否"},
		"penalty_type1":   {"警告", "通报批评", "罚款", "没收", "暂扣", "吊销", "限制"},
	}
	drops["penalty_type2"], drops["penalty_type3"] = drops["penalty_type1"], drops["penalty_type1"]
	for field, items := range drops {
		col, _ := excelize.ColumnNumberToName(importColumnIndex[field] + 1)
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(col + "2:" + col + "50001")
		if err := dv.SetDropList(items); err != nil {
			return err
		}
		if err := f.AddDataValidation(ImportSheet, dv); err != nil {
			return err
		}
	}
	if err := f.SetPanes(ImportSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := importNotesSheet(f, header); err != nil {
		return err
	}
	return f.Write(w)
}

const importNotesName = "说明"

func importNotesSheet(f *excelize.File, header int) error {
	if _, err := f.NewSheet(importNotesName); err != nil {
		return err
	}
	row := 1
	put := func(vals []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return f.SetSheetRow(importNotesName, cell, &vals)
	}
	for _, n := range importNotes {
		if err := put([]any{n}); err != nil {
			return err
		}
	}
	row++
	if err := f.SetCellStyle(importNotesName, fmt.Sprintf("A%d", row), fmt.Sprintf("D%d", row), header); err != nil {
		return err
	}
	if err := put([]any{"列名", "英文列名", "是否必填", "填写说明"}); err != nil {
		return err
	}
	for _, c := range ImportColumns {
		req := "否"
		if c.Required {
			req = "是"
		}
		if err := put([]any{c.Header, c.Field, req, c.NoteZH}); err != nil {
			return err
		}
	}
	row++
	if err := put([]any{"填写示例（请勿导入本表）"}); err != nil {
		return err
	}
	heads := make([]any, len(ImportColumns))
	for i, c := range ImportColumns {
		heads[i] = c.Header
	}
	last, _ := excelize.ColumnNumberToName(len(ImportColumns))
	if err := f.SetCellStyle(importNotesName, fmt.Sprintf("A%d", row), fmt.Sprintf("%s%d", last, row), header); err != nil {
		return err
	}
	if err := put(heads); err != nil {
		return err
	}
	for _, ex := range importExamples {
		vals := make([]any, len(ex))
		for i, v := range ex {
			vals[i] = v
		}
		if err := put(vals); err != nil {
			return err
		}
	}
	for col, w := range map[string]float64{"A": 22, "B": 22, "C": 14, "D": 100} {
		if err := f.SetColWidth(importNotesName, col, col, w); err != nil {
			return err
		}
	}
	return nil
}

// ImportReportXLSX writes an import report as a workbook: the counts, then
// one line per problem (row, column, reason in Chinese and English).
func ImportReportXLSX(rep *ImportReport, filename string, w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sh = "导入报告"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	outcome := "未写入任何数据 / nothing written"
	if rep.Committed {
		outcome = fmt.Sprintf("已导入 %d 条 / %d records imported", rep.Created, rep.Created)
	}
	lines := [][]any{
		{"文件 / File", filename},
		{"结果 / Outcome", outcome},
		{"数据行 / Rows", rep.Total},
		{"正确 / Valid", rep.Created},
		{"错误行 / Bad rows", rep.Bad},
		{},
		{"行号 / Row", "列 / Column", "原因", "Reason"},
	}
	for _, e := range rep.Rows {
		lines = append(lines, []any{e.Row, e.Column, e.ZH, e.EN})
	}
	if rep.Truncated {
		lines = append(lines, []any{"", "", fmt.Sprintf("仅列出前 %d 条，共 %d 条", len(rep.Rows), rep.Errors), fmt.Sprintf("first %d of %d listed", len(rep.Rows), rep.Errors)})
	}
	for i, l := range lines {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sh, cell, &l); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "A7", "D7", bold); err != nil {
		return err
	}
	for col, w := range map[string]float64{"A": 16, "B": 22, "C": 50, "D": 60} {
		if err := f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	return f.Write(w)
}
