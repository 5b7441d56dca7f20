package entity

import (
	"io"

	"github.com/xuri/excelize/v2"
)

// templateNotes are the general rules at the top of the 说明 sheet.
var templateNotes = []string{
	"经营主体导入说明",
	"1. 数据填写在“经营主体”工作表，第一行为表头，不要修改列名；不需要的列可以删除，“统一社会信用代码”和“名称”两列必须保留。",
	"2. 也可以导入 CSV 文件（UTF-8 或 GBK 编码），表头与本模板相同；列名也可以使用英文名（见下表）。",
	"3. 统一社会信用代码已登记的，导入时更新原记录；与原记录完全相同的行计为“未变化”。同一文件中代码重复的，后一行报错。",
	"4. 导入方式：“全部成功才导入”时有任何错误行则不写入任何数据；“只导入正确的行”时写入正确的行并列出错误行。可先“试导入”只做检查。",
	"5. 身份证号和联系电话加密保存，列表中脱敏显示。",
	"6. 第 2 行为示例，导入前请删除。",
}

// Template writes the import template: a workbook whose first sheet
// (经营主体) has the header row of Columns (required columns in red), text
// format on the code columns, drop-down lists for size and status, and one
// example row; and a second sheet (说明) explaining every column.
func (s *Service) Template(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	styles, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := templateSheet(f, styles); err != nil {
		return err
	}
	if err := notesSheetWrite(f, styles); err != nil {
		return err
	}
	return f.Write(w)
}

func templateSheet(f *excelize.File, st sheetStyles) error {
	width := func(lo, hi int, w float64) error {
		a, _ := excelize.ColumnNumberToName(lo)
		b, _ := excelize.ColumnNumberToName(hi)
		return f.SetColWidth(SheetName, a, b, w)
	}
	style := func(lo, hi, id int) error {
		a, _ := excelize.ColumnNumberToName(lo)
		b, _ := excelize.ColumnNumberToName(hi)
		return f.SetColStyle(SheetName, a+":"+b, id)
	}
	if err := layoutColumns(width, style, st.text); err != nil {
		return err
	}
	example := make([]any, len(Columns))
	for i, c := range Columns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(SheetName, cell, c.Header); err != nil {
			return err
		}
		id := st.header
		if c.Required {
			id = st.required
		}
		if err := f.SetCellStyle(SheetName, cell, cell, id); err != nil {
			return err
		}
		example[i] = c.Example
	}
	if err := f.SetSheetRow(SheetName, "A2", &example); err != nil {
		return err
	}
	for _, dl := range []struct {
		field string
		items []string
	}{
		{FieldSize, []string{"大型", "中型", "小型", "微型"}},
		{FieldStatus, []string{"存续", "在业", "吊销", "注销"}},
	} {
		col := colName(fieldColumn[dl.field])
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(col + "2:" + col + "1048576")
		if err := dv.SetDropList(dl.items); err != nil {
			return err
		}
		if err := f.AddDataValidation(SheetName, dv); err != nil {
			return err
		}
	}
	return f.SetPanes(SheetName, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func notesSheetWrite(f *excelize.File, st sheetStyles) error {
	if _, err := f.NewSheet(notesSheet); err != nil {
		return err
	}
	row := 1
	for _, n := range templateNotes {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetCellStr(notesSheet, cell, n); err != nil {
			return err
		}
		row++
	}
	row++
	head, _ := excelize.CoordinatesToCellName(1, row)
	if err := f.SetSheetRow(notesSheet, head, &[]any{"列名", "英文列名", "是否必填", "填写说明", "示例"}); err != nil {
		return err
	}
	end, _ := excelize.CoordinatesToCellName(5, row)
	if err := f.SetCellStyle(notesSheet, head, end, st.header); err != nil {
		return err
	}
	for _, c := range Columns {
		row++
		req := "否"
		if c.Required {
			req = "是"
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetSheetRow(notesSheet, cell, &[]any{c.Header, c.Field, req, c.NoteZH, c.Example}); err != nil {
			return err
		}
	}
	for col, w := range map[string]float64{"A": 22, "B": 16, "C": 10, "D": 90, "E": 30} {
		if err := f.SetColWidth(notesSheet, col, col, w); err != nil {
			return err
		}
	}
	return nil
}
