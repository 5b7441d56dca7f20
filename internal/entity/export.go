package entity

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/importkit"
	"yingshang/internal/yserr"
)

// Export formats.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// Export writes every entity matching f that the caller may read (paging
// ignored; in f.Sort order, by default in order of registration), in the
// layout of Columns, as an .xlsx workbook (one sheet named 经营主体, written with a streaming writer) or a UTF-8
// CSV with a byte-order mark (so that Excel reads the Chinese correctly).
// Personal data is masked by the same rule as Get; a masked value imported
// back keeps the stored one. CSV cells that would start a formula get a
// leading apostrophe, which Import removes. An .xlsx export larger than
// Excel's 1,048,575 data rows is refused (use CSV). Errors: as Search,
// and invalid for an unknown format.
func (s *Service) Export(ctx context.Context, f Filter, w io.Writer, format string) error {
	var tw tableWriter
	switch format {
	case FormatXLSX:
		tw = &xlsxWriter{}
	case FormatCSV:
		tw = &csvWriter{}
	default:
		return yserr.Field("format", "导出格式应为 xlsx 或 csv", "format must be xlsx or csv")
	}
	a, q, err := s.filterQuery(ctx, f, textIndex)
	if err != nil {
		return err
	}
	if f.Sort == "" {
		f.Sort = "id" // registration order
	}
	order, err := orderBy(f.Sort)
	if err != nil {
		return err
	}
	if err := tw.start(w); err != nil {
		return err
	}
	err = s.each(ctx, "SELECT "+selectCols+q.from()+q.where()+order, q.args, func(st *stored) error {
		e, err := s.view(a, st)
		if err != nil {
			return err
		}
		return tw.row(exportRow(e))
	})
	if err != nil {
		return err
	}
	return tw.finish(w)
}

// exportRow returns the cells of an entity in the order of Columns.
func exportRow(e *Entity) []any {
	var emp, rev, ast any
	if e.Employees != nil {
		emp = *e.Employees
	}
	if e.RevenueWan != nil {
		rev = *e.RevenueWan
	}
	if e.AssetsWan != nil {
		ast = *e.AssetsWan
	}
	size := ""
	if e.SizeClass != "" {
		size = e.SizeClass.Label("zh")
	}
	return []any{e.USCC, e.Name, e.Type, e.LegalRepName, e.LegalRepID, e.Address, e.RegionCode, e.IndustryCode,
		emp, rev, ast, size, e.FoundedOn, e.Status.Label("zh"), e.Phone, strings.Join(e.Tags, ",")}
}

// headers returns the Chinese headers of Columns.
func headers() []any {
	out := make([]any, len(Columns))
	for i, c := range Columns {
		out[i] = c.Header
	}
	return out
}

// tableWriter writes rows in one format.
type tableWriter interface {
	start(w io.Writer) error
	row(cells []any) error
	finish(w io.Writer) error
}

type csvWriter struct{ cw *csv.Writer }

func (c *csvWriter) start(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	c.cw = csv.NewWriter(w)
	return c.row(headers())
}

func (c *csvWriter) row(cells []any) error {
	rec := make([]string, len(cells))
	for i, v := range cells {
		switch v := v.(type) {
		case nil:
		case string:
			rec[i] = importkit.QuoteFormula(v)
		case int:
			rec[i] = strconv.Itoa(v)
		case float64:
			rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			rec[i] = importkit.QuoteFormula(fmt.Sprint(v))
		}
	}
	return c.cw.Write(rec)
}

func (c *csvWriter) finish(io.Writer) error {
	c.cw.Flush()
	return c.cw.Error()
}

// textColumns are kept as text in Excel so that codes keep their digits.
var textColumns = []string{FieldUSCC, FieldLegalRepID, FieldRegion, FieldIndustry, FieldPhone}

type xlsxWriter struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	n   int
	hdr int // header style
}

func (x *xlsxWriter) start(io.Writer) error {
	x.f = excelize.NewFile()
	if err := x.f.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	styles, err := newStyles(x.f)
	if err != nil {
		return err
	}
	if x.sw, err = x.f.NewStreamWriter(SheetName); err != nil {
		return err
	}
	if err := layoutColumns(x.sw.SetColWidth, x.sw.SetColStyle, styles.text); err != nil {
		return err
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	x.n = 1
	return x.sw.SetRow("A1", headers(), excelize.RowOpts{StyleID: styles.header})
}

func (x *xlsxWriter) row(cells []any) error {
	if x.n >= excelize.TotalRows {
		return yserr.New(yserr.TooLarge, "导出结果超过 Excel 的最大行数，请缩小筛选范围或导出为 CSV",
			"the export exceeds Excel's maximum number of rows; narrow the filter or export as CSV")
	}
	x.n++
	cell, _ := excelize.CoordinatesToCellName(1, x.n)
	return x.sw.SetRow(cell, cells)
}

func (x *xlsxWriter) finish(w io.Writer) error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.f.Write(w)
}

type sheetStyles struct{ header, required, text int }

func newStyles(f *excelize.File) (sheetStyles, error) {
	var st sheetStyles
	var err error
	fill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}
	if st.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill}); err != nil {
		return st, err
	}
	if st.required, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, Fill: fill}); err != nil {
		return st, err
	}
	st.text, err = f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	return st, err
}

// layoutColumns sets the widths of the columns and the text format of the
// code columns, through either the normal or the streaming API.
func layoutColumns(width func(int, int, float64) error, style func(int, int, int) error, text int) error {
	for i, c := range Columns {
		w := 14.0
		switch c.Field {
		case FieldName, FieldAddress:
			w = 36
		case FieldUSCC, FieldLegalRepID:
			w = 22
		}
		if err := width(i+1, i+1, w); err != nil {
			return err
		}
	}
	for _, f := range textColumns {
		c := fieldColumn[f] + 1
		if err := style(c, c, text); err != nil {
			return err
		}
	}
	return nil
}
