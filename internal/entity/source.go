package entity

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"yingshang/internal/yserr"
)

// rowSource yields the rows of an imported sheet.
type rowSource interface {
	// next returns the next row with its number as the user sees it
	// (1-based), or io.EOF.
	next() (num int, cells []string, err error)
	// sheet names the sheet being read ("" for CSV).
	sheet() string
	// date1904 reports whether serial dates count from 1904.
	date1904() bool
	Close() error
}

// File signatures.
var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1} // .xls, or an encrypted .xlsx
)

// openSource recognises the file by its content (the name is only a hint)
// and opens it for reading.
func openSource(r io.Reader, filename string) (rowSource, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8 << 10)
	ext := strings.ToLower(filepath.Ext(filename))
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return openXLSX(br)
	case bytes.HasPrefix(head, oleMagic):
		return nil, yserr.New(yserr.Invalid, "不支持 Excel 97-2003（.xls）或加密的工作簿，请另存为 .xlsx 或 .csv 后导入",
			"Excel 97-2003 (.xls) and password-protected workbooks are not supported; save the file as .xlsx or .csv")
	case ext == ".xlsx" || ext == ".xlsm" || !looksLikeText(head):
		return nil, errNotSpreadsheet()
	}
	return openCSV(br, head)
}

func errNotSpreadsheet() *yserr.Error {
	return yserr.New(yserr.Invalid, "文件不是 .xlsx 工作簿或 .csv 表格，请使用导入模板",
		"the file is neither an .xlsx workbook nor a .csv table; use the import template")
}

// looksLikeText reports whether the start of a file is text: no NUL and
// few other control bytes (UTF-16 with a byte-order mark counts as text).
func looksLikeText(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return true
	}
	bad := 0
	for _, c := range b {
		if c == 0 {
			return false
		}
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			bad++
		}
	}
	return bad*100 <= len(b)
}

// xlsx

type xlsxSource struct {
	f      *excelize.File
	rows   *excelize.Rows
	name   string
	n      int
	is1904 bool
}

func openXLSX(r io.Reader) (rowSource, error) {
	f, err := excelize.OpenReader(r, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, errNotSpreadsheet().Wrap(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errNotSpreadsheet()
	}
	name := sheets[0]
	for _, s := range sheets {
		if strings.TrimSpace(s) == SheetName {
			name = s
		}
	}
	rows, err := f.Rows(name)
	if err != nil {
		f.Close()
		return nil, yserr.Newf(yserr.Invalid, "无法读取工作表“%s”", "cannot read worksheet %q", name).Wrap(err)
	}
	src := &xlsxSource{f: f, rows: rows, name: name}
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		src.is1904 = *p.Date1904
	}
	return src, nil
}

func (x *xlsxSource) next() (int, []string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return 0, nil, yserr.Newf(yserr.Invalid, "工作表“%s”第 %d 行之后无法读取", "worksheet %q cannot be read after row %d", x.name, x.n).Wrap(err)
		}
		return 0, nil, io.EOF
	}
	x.n++
	cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, nil, yserr.Newf(yserr.Invalid, "工作表“%s”第 %d 行无法读取", "worksheet %q row %d cannot be read", x.name, x.n).Wrap(err)
	}
	return x.n, cells, nil
}

func (x *xlsxSource) sheet() string  { return x.name }
func (x *xlsxSource) date1904() bool { return x.is1904 }

func (x *xlsxSource) Close() error {
	x.rows.Close()
	return x.f.Close()
}

// csv

type csvSource struct {
	r *csv.Reader
	n int
}

// openCSV reads UTF-8 (with or without a byte-order mark), UTF-16 with a
// byte-order mark, or, when the start of the file is not valid UTF-8,
// GB18030 (a superset of GBK and GB2312, as saved by Excel on Chinese
// Windows). The delimiter is a comma, or a tab when the first line has
// tabs and no commas.
func openCSV(br *bufio.Reader, head []byte) (rowSource, error) {
	var text io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		text = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
		head = nil
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		br.Discard(3)
		head = head[3:]
	case !validUTF8Prefix(head):
		text = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
		head, _ = simplifiedchinese.GB18030.NewDecoder().Bytes(head)
	}
	tb := bufio.NewReader(text)
	if head == nil {
		head, _ = tb.Peek(4 << 10)
	}
	r := csv.NewReader(tb)
	line, _, _ := bytes.Cut(head, []byte("\n"))
	if bytes.Contains(line, []byte("\t")) && !bytes.Contains(line, []byte(",")) {
		r.Comma = '\t'
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	return &csvSource{r: r}, nil
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut
// off at the end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

func (c *csvSource) next() (int, []string, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return 0, nil, io.EOF
	}
	c.n++
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return 0, nil, yserr.Newf(yserr.Invalid, "CSV 文件第 %d 行格式错误：%v", "CSV line %d is malformed: %v", pe.StartLine, pe.Err).Wrap(err)
		}
		return 0, nil, yserr.New(yserr.Invalid, "无法读取 CSV 文件", "cannot read the CSV file").Wrap(err)
	}
	for i, v := range rec {
		rec[i] = unquoteFormula(v)
	}
	return c.n, rec, nil
}

func (c *csvSource) sheet() string  { return "" }
func (c *csvSource) date1904() bool { return false }
func (c *csvSource) Close() error   { return nil }

// formulaStart are the characters that make a spreadsheet program read a
// CSV cell as a formula.
const formulaStart = "=+-@\t\r"

// quoteFormula protects an exported CSV cell from being run as a formula
// by prefixing an apostrophe; unquoteFormula undoes it on import.
func quoteFormula(s string) string {
	if s != "" && strings.ContainsRune(formulaStart, rune(s[0])) {
		return "'" + s
	}
	return s
}

func unquoteFormula(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(formulaStart, rune(s[1])) {
		return s[1:]
	}
	return s
}

// describe names where a problem is, for error messages.
func describe(src rowSource) (zh, en string) {
	if s := src.sheet(); s != "" {
		return fmt.Sprintf("工作表“%s”", s), fmt.Sprintf("worksheet %q", s)
	}
	return "CSV 文件", "the CSV file"
}
