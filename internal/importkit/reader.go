package importkit

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"yingshang/internal/yserr"
)

// Options controls Open.
type Options struct {
	// Sheets are the worksheet names to read, in order of preference
	// (compared after trimming spaces); without a match the first sheet
	// is read.
	Sheets []string
	Limits Limits
	// Size is the file's size when known (an upload's header says it);
	// it lets a CSV's Progress estimate its total rows.
	Size int64
}

// Formats.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
)

// Reader yields the rows of one sheet. It is not safe for concurrent use,
// except Progress, which may be called from any goroutine.
type Reader struct {
	limits   Limits
	format   string
	sheet    string
	date1904 bool
	encoding string // CSV: utf-8, utf-16le, utf-16be, gb18030
	comma    rune
	n        int // rows returned
	progress progress

	f    *excelize.File
	rows *excelize.Rows
	csv  *csv.Reader
	raw  *countingReader
}

// File signatures.
var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1} // .xls, or an encrypted .xlsx
)

// Open recognises r by its content and opens its sheet for reading: an
// .xlsx workbook (checked against the limits before anything is
// inflated) or a CSV text. A Reader must be closed.
func Open(r io.Reader, opts Options) (*Reader, error) {
	l := opts.Limits.withDefaults()
	raw := &countingReader{r: r, limit: l.Bytes}
	br := bufio.NewReaderSize(raw, 64<<10)
	head, _ := br.Peek(8 << 10)
	switch {
	case bytes.HasPrefix(head, zipMagic):
		return openXLSX(br, raw, opts, l)
	case bytes.HasPrefix(head, oleMagic):
		return nil, fileError(yserr.Invalid, "不支持 Excel 97-2003（.xls）或加密的工作簿，请另存为 .xlsx 或 .csv 后导入",
			"Excel 97-2003 (.xls) and password-protected workbooks are not supported; save the file as .xlsx or .csv")
	case !looksLikeText(head):
		return nil, errNotSpreadsheet()
	}
	return openCSV(br, raw, head, opts, l)
}

// countingReader counts the bytes read and refuses more than limit.
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
}

var errTooBig = errors.New("file over the byte limit")

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.limit > 0 && c.n > c.limit {
		return n, errTooBig
	}
	return n, err
}

func (c *countingReader) errSize() *yserr.Error {
	return errLimit("文件超过 %s 的上限，未导入任何数据；请拆分文件后分批导入",
		"the file exceeds the limit of %s; nothing was imported. Split the file and import the parts", HumanBytes(c.limit))
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

func openXLSX(br *bufio.Reader, raw *countingReader, opts Options, l Limits) (*Reader, error) {
	b, err := io.ReadAll(br)
	if errors.Is(err, errTooBig) {
		return nil, raw.errSize()
	}
	if err != nil {
		return nil, fileError(yserr.Invalid, "无法读取上传的文件", "cannot read the uploaded file").Wrap(err)
	}
	zr, err := checkZip(b, l)
	if err != nil {
		return nil, err
	}
	xo := excelize.Options{RawCellValue: true}
	if l.Uncompressed > 0 {
		xo.UnzipSizeLimit, xo.UnzipXMLSizeLimit = l.Uncompressed, min(l.Uncompressed, excelize.StreamChunkSize)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), xo)
	if err != nil {
		return nil, errNotSpreadsheet().Wrap(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errNotSpreadsheet()
	}
	name := pickSheet(sheets, opts.Sheets)
	rows, err := f.Rows(name)
	if err != nil {
		f.Close()
		return nil, fileError(yserr.Invalid, fmt.Sprintf("无法读取工作表“%s”", name), fmt.Sprintf("cannot read worksheet %q", name)).Wrap(err)
	}
	x := &Reader{limits: l, format: FormatXLSX, sheet: name, f: f, rows: rows}
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		x.date1904 = *p.Date1904
	}
	if rows := sheetRows(zr, name); rows > 0 {
		if l.Rows > 0 && rows-1 > l.Rows {
			x.Close()
			zh, en := x.Where()
			return nil, fileError(yserr.TooLarge,
				fmt.Sprintf("%s有 %d 行数据，超过 %d 行的上限，未导入任何数据；请拆分文件后分批导入", zh, rows-1, l.Rows),
				fmt.Sprintf("%s has %d data rows, more than the limit of %d; nothing was imported. Split the file and import the parts", en, rows-1, l.Rows))
		}
		x.progress.total.Store(int64(rows - 1))
	}
	return x, nil
}

// pickSheet returns the first preferred sheet present, else the first.
func pickSheet(sheets, prefer []string) string {
	for _, p := range prefer {
		for _, s := range sheets {
			if strings.TrimSpace(s) == p {
				return s
			}
		}
	}
	return sheets[0]
}

// csv

// openCSV reads UTF-8 (with or without a byte-order mark), UTF-16 with a
// byte-order mark, or, when the start of the file is not valid UTF-8,
// GB18030 (a superset of GBK and GB2312, as saved by Excel on Chinese
// Windows). The delimiter is the one of comma, tab and semicolon found
// most often in the header line outside quotes (comma on a tie).
func openCSV(br *bufio.Reader, raw *countingReader, head []byte, opts Options, l Limits) (*Reader, error) {
	c := &Reader{limits: l, format: FormatCSV, raw: raw, encoding: "utf-8"}
	var text io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		text, c.encoding = transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), "utf-16le"
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		text, c.encoding = transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()), "utf-16be"
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		_, _ = br.Discard(3)
	case !validUTF8Prefix(head):
		text, c.encoding = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), "gb18030"
	}
	tb := bufio.NewReaderSize(text, 64<<10)
	th, _ := tb.Peek(4 << 10)
	c.comma = delimiter(th)
	r := csv.NewReader(tb)
	r.Comma = c.comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	c.csv = r
	c.progress.size = opts.Size
	return c, nil
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut
// off at the end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < 3 && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// delimiter picks the delimiter of the first line of text.
func delimiter(text []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(text) {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if !quoted && (r == '\n' || r == '\r') {
			break
		}
		if !quoted && (r == ',' || r == '\t' || r == ';') {
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{'\t', ';'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// Next returns the next row with its number as the user sees it (the
// first row is 1), or io.EOF after the last. The cells are valid until
// the next call. A row beyond the limits is an error.
func (r *Reader) Next() (int, []string, error) {
	var cells []string
	switch r.format {
	case FormatXLSX:
		if !r.rows.Next() {
			if err := r.rows.Error(); err != nil {
				return 0, nil, fileError(yserr.Invalid, fmt.Sprintf("工作表“%s”第 %d 行之后无法读取", r.sheet, r.n),
					fmt.Sprintf("worksheet %q cannot be read after row %d", r.sheet, r.n)).Wrap(err)
			}
			return 0, nil, io.EOF
		}
		var err error
		if cells, err = r.rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
			return 0, nil, fileError(yserr.Invalid, fmt.Sprintf("工作表“%s”第 %d 行无法读取", r.sheet, r.n+1),
				fmt.Sprintf("worksheet %q row %d cannot be read", r.sheet, r.n+1)).Wrap(err)
		}
	default:
		rec, err := r.csv.Read()
		switch {
		case errors.Is(err, errTooBig):
			return 0, nil, r.raw.errSize()
		case err == io.EOF:
			return 0, nil, io.EOF
		case err != nil:
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return 0, nil, fileError(yserr.Invalid, fmt.Sprintf("CSV 文件第 %d 行格式错误：%v", pe.StartLine, pe.Err),
					fmt.Sprintf("CSV line %d is malformed: %v", pe.StartLine, pe.Err)).Wrap(err)
			}
			return 0, nil, fileError(yserr.Invalid, "无法读取 CSV 文件", "cannot read the CSV file").Wrap(err)
		}
		for i, v := range rec {
			rec[i] = UnquoteFormula(v)
		}
		cells = rec
	}
	r.n++
	if err := r.check(cells); err != nil {
		return 0, nil, err
	}
	r.progress.rows.Store(int64(max(r.n-1, 0)))
	if r.raw != nil {
		r.progress.read.Store(r.raw.n)
	}
	return r.n, cells, nil
}

// check applies the row, column and cell limits.
func (r *Reader) check(cells []string) error {
	l := r.limits
	zh, en := r.Where()
	if l.Rows > 0 && r.n > l.Rows+1 {
		return fileError(yserr.TooLarge,
			fmt.Sprintf("%s超过 %d 行数据的上限，未导入任何数据；请拆分文件后分批导入", zh, l.Rows),
			fmt.Sprintf("%s has more than the limit of %d data rows; nothing was imported. Split the file and import the parts", en, l.Rows))
	}
	if l.Columns > 0 && len(cells) > l.Columns {
		return fileError(yserr.TooLarge,
			fmt.Sprintf("%s第 %d 行有 %d 列，超过 %d 列的上限", zh, r.n, len(cells), l.Columns),
			fmt.Sprintf("%s row %d has %d columns, more than the limit of %d", en, r.n, len(cells), l.Columns))
	}
	if l.CellChars > 0 {
		for i, c := range cells {
			if len(c) > l.CellChars && utf8.RuneCountInString(c) > l.CellChars {
				return fileError(yserr.TooLarge,
					fmt.Sprintf("%s第 %d 行第 %s 列超过 %d 个字符的上限", zh, r.n, ColumnName(i), l.CellChars),
					fmt.Sprintf("%s row %d column %s is longer than the limit of %d characters", en, r.n, ColumnName(i), l.CellChars))
			}
		}
	}
	return nil
}

// Format is FormatXLSX or FormatCSV.
func (r *Reader) Format() string { return r.format }

// Sheet names the worksheet being read ("" for a CSV).
func (r *Reader) Sheet() string { return r.sheet }

// Date1904 reports whether the workbook counts serial dates from 1904
// (its date1904 flag); always false for a CSV.
func (r *Reader) Date1904() bool { return r.date1904 }

// Encoding is the detected encoding of a CSV ("utf-8", "utf-16le",
// "utf-16be" or "gb18030"; "" for a workbook).
func (r *Reader) Encoding() string { return r.encoding }

// Delimiter is a CSV's delimiter (0 for a workbook).
func (r *Reader) Delimiter() rune { return r.comma }

// Where names the sheet or the CSV file, for messages.
func (r *Reader) Where() (zh, en string) {
	if r.format == FormatXLSX {
		return fmt.Sprintf("工作表“%s”", r.sheet), fmt.Sprintf("worksheet %q", r.sheet)
	}
	return "CSV 文件", "the CSV file"
}

// Close releases the workbook (and its temporary files).
func (r *Reader) Close() error {
	if r.f == nil {
		return nil
	}
	r.rows.Close()
	return r.f.Close()
}

// formulaStart are the characters that make a spreadsheet program read a
// CSV cell as a formula.
const formulaStart = "=+-@\t\r"

// QuoteFormula protects an exported CSV cell from being run as a formula
// by prefixing an apostrophe; the Reader undoes it (UnquoteFormula).
func QuoteFormula(s string) string {
	if s != "" && strings.ContainsRune(formulaStart, rune(s[0])) {
		return "'" + s
	}
	return s
}

// UnquoteFormula undoes QuoteFormula.
func UnquoteFormula(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune(formulaStart, rune(s[1])) {
		return s[1:]
	}
	return s
}

// ColumnName returns the spreadsheet letters of a 0-based column index.
func ColumnName(i int) string {
	s := ""
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		s = string(rune('A'+(n-1)%26)) + s
	}
	return s
}

// sheetRows counts the <row> elements of a worksheet by scanning its
// XML once (much cheaper than parsing it; Excel's <dimension> is not
// written reliably by every program), or returns 0 when the sheet is not
// found.
func sheetRows(zr *zip.Reader, sheet string) int {
	path := sheetPath(zr, sheet)
	if path == "" {
		return 0
	}
	for _, f := range zr.File {
		if f.Name != path {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return 0
		}
		defer rc.Close()
		return countRows(rc)
	}
	return 0
}

// countRows counts "<row " and "<row>" in an XML stream.
func countRows(r io.Reader) int {
	buf := make([]byte, 64<<10)
	keep := 0 // bytes carried over from the previous read
	n := 0
	for {
		m, err := io.ReadFull(r, buf[keep:])
		data := buf[:keep+m]
		for i := 0; ; {
			j := bytes.Index(data[i:], []byte("<row"))
			if j < 0 || i+j+4 >= len(data) {
				break
			}
			i += j + 4
			if c := data[i]; c == ' ' || c == '>' || c == '\t' || c == '\n' || c == '\r' || c == '/' {
				n++
			}
		}
		if err != nil {
			return n
		}
		keep = copy(buf, data[len(data)-4:])
	}
}

// Each calls fn for every row that is not blank, with the row's number as
// the user sees it, and stops at the first error, the file's or fn's. It
// returns how many rows fn was called for; none is an error naming the
// empty sheet, so that callers never import "nothing" silently.
func (r *Reader) Each(fn func(num int, row []string) error) (int, error) {
	n := 0
	for {
		num, row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, err
		}
		if Blank(row) {
			continue
		}
		if err := fn(num, row); err != nil {
			return n, err
		}
		n++
	}
	if n == 0 {
		return 0, yserr.Field("file", "表格为空", "the sheet is empty")
	}
	return n, nil
}

// SplitList splits a cell that lists several values, separated by commas,
// semicolons (half- or full-width) or spaces.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == ';' || r == '；' || r == ' ' || r == '、'
	})
}
