package entity

import (
	"io"

	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

// layout maps the columns of an imported file to Columns.
type layout struct {
	pos    []int    // per Columns index: the cell index, -1 when absent
	header []string // per Columns index: the header as written in the file
}

// readHeader reads up to the first non-empty row and maps it.
func readHeader(src rowSource) (*layout, error) {
	for {
		_, cells, err := src.next()
		if err != nil && err != io.EOF {
			return nil, err
		}
		if err == io.EOF {
			zh, en := describe(src)
			return nil, yserr.New(yserr.Invalid, zh+"中没有数据（第一行应为表头）", en+" has no data (the first row must be the header)")
		}
		if !blank(cells) {
			return mapHeader(src, cells)
		}
	}
}

// mapHeader matches header cells to Columns. Unknown, repeated and missing
// required columns are errors naming the column (and the sheet).
func mapHeader(src rowSource, cells []string) (*layout, error) {
	l := &layout{pos: make([]int, len(Columns)), header: make([]string, len(Columns))}
	for i := range l.pos {
		l.pos[i] = -1
	}
	where, whereEN := describe(src)
	var unknown []string
	for i, h := range cells {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if h == "" {
			continue
		}
		c, ok := columnByKey[columnKey(h)]
		switch {
		case !ok:
			unknown = append(unknown, fmt.Sprintf("“%s”（第 %s 列）", h, colName(i)))
		case l.pos[c] >= 0:
			e := yserr.Newf(yserr.Invalid, "%s的列“%s”重复（第 %s 列和第 %s 列）", "%s has column %q twice (columns %s and %s)",
				where, h, colName(l.pos[c]), colName(i))
			e.EN = fmt.Sprintf("%s has column %q twice (columns %s and %s)", whereEN, h, colName(l.pos[c]), colName(i))
			e.Field = h
			return nil, e
		default:
			l.pos[c], l.header[c] = i, h
		}
	}
	if len(unknown) > 0 {
		e := yserr.New(yserr.Invalid,
			fmt.Sprintf("%s有无法识别的列 %s；可用的列见导入模板的“说明”工作表", where, strings.Join(unknown, "、")),
			fmt.Sprintf("%s has unknown columns %s; see the 说明 sheet of the import template for the accepted columns", whereEN, strings.Join(unknown, ", ")))
		e.Field = strings.Trim(strings.SplitN(unknown[0], "”", 2)[0], "“")
		return nil, e
	}
	for i, c := range Columns {
		if c.Required && l.pos[i] < 0 {
			e := yserr.New(yserr.Invalid,
				fmt.Sprintf("%s缺少必需的列“%s”（表头应在第一行；数据请放在第一个工作表或名为“%s”的工作表）", where, c.Header, SheetName),
				fmt.Sprintf("%s lacks the required column %q (the header must be the first row; put the data in the first worksheet or in one named %q)", whereEN, c.Header, SheetName))
			e.Field = c.Header
			return nil, e
		}
	}
	return l, nil
}

// colName returns the spreadsheet letter of a 0-based column index.
func colName(i int) string {
	s, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return strconv.Itoa(i + 1)
	}
	return s
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cell returns the value of column c in a row.
func (l *layout) cell(cells []string, c int) string {
	if p := l.pos[c]; p >= 0 && p < len(cells) {
		return strings.TrimSpace(cells[p])
	}
	return ""
}

// parse turns a row into an Input, reporting cells that cannot be read as
// numbers or dates. Other checks are left to ValidateAt.
func (l *layout) parse(cells []string, date1904 bool) (Input, []yserr.FieldError) {
	var in Input
	var errs []yserr.FieldError
	get := func(field string) string { return l.cell(cells, fieldColumn[field]) }
	bad := func(field, zh, en string) { errs = append(errs, yserr.FieldError{Field: field, ZH: zh, EN: en}) }
	in.USCC, in.Name, in.Type = get(FieldUSCC), get(FieldName), get(FieldType)
	in.LegalRepName, in.LegalRepID, in.Address = get(FieldLegalRepName), get(FieldLegalRepID), get(FieldAddress)
	in.RegionCode, in.IndustryCode = integralText(get(FieldRegion)), integralText(get(FieldIndustry))
	in.SizeClass, in.Status = sizeText(get(FieldSize)), Status(get(FieldStatus))
	in.Phone, in.Tags = integralText(get(FieldPhone)), splitTags(get(FieldTags))
	if s := get(FieldEmployees); s != "" {
		if n, ok := parseCount(s); ok {
			in.Employees = &n
		} else {
			bad(FieldEmployees, fmt.Sprintf("从业人员“%s”不是整数", s), fmt.Sprintf("employees %q is not a whole number", s))
		}
	}
	for _, a := range []struct {
		field, zh, en string
		dst           **float64
	}{{FieldRevenue, "营业收入", "revenue", &in.RevenueWan}, {FieldAssets, "资产总额", "total assets", &in.AssetsWan}} {
		if s := get(a.field); s != "" {
			if f, ok := parseAmount(s); ok {
				*a.dst = &f
			} else {
				bad(a.field, fmt.Sprintf("%s“%s”不是数字", a.zh, s), fmt.Sprintf("%s %q is not a number", a.en, s))
			}
		}
	}
	if s := get(FieldFoundedOn); s != "" {
		if d, ok := parseDate(s, date1904); ok {
			in.FoundedOn = d
		} else {
			bad(FieldFoundedOn, fmt.Sprintf("成立日期“%s”无法识别（如 2019-03-15、2019/3/15、2019年3月15日）", s),
				fmt.Sprintf("founding date %q is not recognised (e.g. 2019-03-15, 2019/3/15, 2019年3月15日)", s))
		}
	}
	return in, errs
}

func sizeText(s string) refdata.Size { return refdata.Size(s) }

// integralText turns a number that a spreadsheet stored as a float ("411002.0")
// back into its digits; other text is returned as is.
func integralText(s string) string {
	if i := strings.IndexByte(s, '.'); i > 0 && strings.Trim(s[i+1:], "0") == "" && isDigits(s[:i]) {
		return s[:i]
	}
	return s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// numberText removes thousands separators, spaces and full-width digits.
func numberText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '．':
			return '.'
		case r == ',' || r == '，' || r == ' ' || r == '\u00a0':
			return -1
		}
		return r
	}, s)
	return s
}

// parseCount reads a whole number, allowing "1,200" and "35.0".
func parseCount(s string) (int, bool) {
	f, ok := parseAmount(s)
	if !ok || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// parseAmount reads a decimal number, allowing thousands separators.
func parseAmount(s string) (float64, bool) {
	f, err := strconv.ParseFloat(numberText(s), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// parseDate reads 2006-01-02, 2006/1/2, 2006.1.2, 2006年1月2日, 20060102
// or an Excel serial date (days since 1899-12-30, or since 1904-01-01 in
// workbooks using the 1904 system), and returns YYYY-MM-DD.
func parseDate(s string, date1904 bool) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " T"); i > 0 { // a time part, as in "2019/3/15 0:00:00"
		s = s[:i]
	}
	s = numberText(s)
	if isDigits(s) && len(s) == 8 {
		if t, err := time.Parse("20060102", s); err == nil {
			return t.Format("2006-01-02"), true
		}
		return "", false
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 1 || f >= 2958466 { // 9999-12-31
			return "", false
		}
		t, err := excelize.ExcelDateToTime(math.Floor(f), date1904)
		if err != nil {
			return "", false
		}
		return t.Format("2006-01-02"), true
	}
	s = strings.TrimSuffix(s, "日")
	s = strings.NewReplacer("年", "-", "月", "-", "/", "-", ".", "-").Replace(s)
	t, err := time.Parse("2006-1-2", s)
	if err != nil {
		return "", false
	}
	return t.Format("2006-01-02"), true
}
