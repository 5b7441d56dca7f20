package credit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// Import modes.
const (
	ModeAllOrNothing = "all_or_nothing" // any bad row: nothing is written
	ModeValidOnly    = "valid_only"     // the valid rows are written
)

// MaxImportRows is the largest number of data rows one import takes.
const MaxImportRows = 50000

// MaxImportErrors is how many row errors an ImportReport lists.
const MaxImportErrors = 1000

// ImportSheet is the name of the data sheet of the template (else the
// first sheet is read).
const ImportSheet = "信用信息"

// ImportColumn is one column of the import layout.
type ImportColumn struct {
	Field    string // key of the column (also accepted as its header)
	Header   string // Chinese header of the template
	Required bool   // the column must be present in the file
	NoteZH   string // the rule, for the 说明 sheet
	Example  string
}

// ImportColumns is the layout of the import: one sheet, one row per
// record, the kind in the first column.
var ImportColumns = []ImportColumn{
	{"kind", "信息类别", true, "必填。行政处罚、严重失信主体名单、经营异常名录、移出名单、行政许可、表彰奖励、纳税信用级别（也可填英文代码 penalty、serious_list、abnormal、removal、licence、commendation、tax_grade）", "行政处罚"},
	{"uscc", "统一社会信用代码", true, "必填。18 位，须已在经营主体库登记；校验位会被检查", "91411002MA9XK1QR11"},
	{"entity_name", "企业名称", false, "选填，仅用于核对：填写时须与该代码登记的名称一致", "许昌瑞丰商贸有限公司"},
	{"decision_no", "决定文书号", false, "行政处罚、严重失信主体名单、行政许可必填；同一企业同一类别不得重复（文件内或已录入）", "许市监罚〔2026〕101号"},
	{"decided_on", "决定日期", true, "必填。YYYY-MM-DD（也可为 Excel 日期、2026/11/05、2026年11月5日）；不能晚于今天", "2026-11-05"},
	{"legal_basis", "处罚依据", false, "行政处罚必填，如《食品安全法》第一百二十四条", "《中华人民共和国食品安全法》第一百二十四条"},
	{"facts", "违法事实", false, "选填，案情摘要；经营异常名录可填列入事由", "经营超过保质期的食品"},
	{"penalty_type1", "处罚种类1", false, "行政处罚至少填一种：警告、通报批评、罚款、没收、暂扣、吊销、限制（也可填英文代码）", "罚款"},
	{"amount1", "金额1（元）", false, "仅罚款、没收填写金额（必填）；其他处罚种类不得填写金额", "5000"},
	{"penalty_type2", "处罚种类2", false, "同处罚种类1；同一种类不得重复", "警告"},
	{"amount2", "金额2（元）", false, "同金额1", ""},
	{"penalty_type3", "处罚种类3", false, "同处罚种类1", ""},
	{"amount3", "金额3（元）", false, "同金额1", ""},
	{"class", "失信程度", false, "行政处罚必填：轻微、一般、严重，须在本部门的失信行为分类标准中（严重失信名单自动为严重，经营异常为一般）", "一般"},
	{"sector", "行业领域", false, "选填：特种设备、安全生产、消防安全（第58号令下这些领域最短公示1年）", ""},
	{"title", "许可或表彰名称", false, "行政许可、表彰奖励必填", ""},
	{"tax_grade", "纳税信用级别", false, "纳税信用级别必填：A、B、M、C、D", ""},
	{"tax_year", "纳税年度", false, "选填，如 2025", ""},
	{"removes", "移出的名单记录", false, "移出名单必填：该企业在列的严重失信名单或经营异常名录的记录编号，或其决定文书号（可引用本文件前面的行）", ""},
	{"obligations_met", "已履行义务", false, "选填：是/否（罚款已缴纳、违法行为已改正）", "否"},
}

var importColumnIndex = func() map[string]int {
	m := map[string]int{}
	for i, c := range ImportColumns {
		m[c.Field] = i
	}
	return m
}()

// ImportOptions controls ImportRecords.
type ImportOptions struct {
	Mode         string `json:"mode" enum:"all_or_nothing,valid_only"`
	DryRun       bool   `json:"dry_run"`
	DepartmentID int64  `json:"department_id,omitempty" doc:"deciding department (default: the caller's)"`
}

// ImportRowError is one problem of an imported row. Row is the row number
// the user sees (the header is row 1); Column the header as written in the
// file ("" for the whole row); Field the Input field.
type ImportRowError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Field  string `json:"field"`
	ZH     string `json:"message_zh"`
	EN     string `json:"message_en"`
}

// ImportReport is the outcome of an import. Created counts the valid rows
// (in a dry run or a refused all_or_nothing import: what would have been
// created); Committed says whether they were written.
type ImportReport struct {
	Total     int              `json:"total"`
	Created   int              `json:"created"`
	Bad       int              `json:"bad"`
	Errors    int              `json:"errors"`
	ByKind    map[string]int   `json:"by_kind"`
	Notices   int              `json:"notices" doc:"credit repair notices issued (penalties, serious-list entries)"`
	Regraded  int              `json:"regraded" doc:"entities whose grade was recomputed"`
	Rows      []ImportRowError `json:"rows"`
	Truncated bool             `json:"truncated"`
	Committed bool             `json:"committed"`
	ImportID  int64            `json:"import_id,omitempty"`
	RecordIDs []int64          `json:"record_ids,omitempty"`
}

// importRow is one parsed data row.
type importRow struct {
	num       int
	in        Input
	entity    entityRef
	removes   string // the removes cell
	refRow    int    // removal of a list entry created by an earlier row
	penCol    []int  // column index of each penalty (for the report)
	errs      []yserr.FieldError
	nameGiven string // the entity name cell, checked against the registry
}

func (r *importRow) fail(field, zh, en string) {
	r.errs = append(r.errs, yserr.FieldError{Field: field, ZH: zh, EN: en})
}

// ImportRecords reads credit records from an .xlsx workbook (sheet 信用信息
// or the first sheet) or a CSV file (UTF-8 with or without BOM, or GB18030)
// in the layout of ImportColumns and records them for the department.
//
// Every row is validated by the same function as the form (validate) plus
// the credit code's check character, the entity's registration, a name
// that does not match, and duplicate decision numbers in the file or
// already recorded. Bad rows are reported with their row number and column
// in Chinese and English. With ModeAllOrNothing nothing is written when a
// row is bad; with ModeValidOnly the valid rows are. DryRun checks only.
//
// The writing happens in one transaction: each record goes through the
// form's path (version, audit event, webhook event, repair notice
// delivered to the entity for penalties); grades are recomputed once per
// entity at the end; one imports row and one audit event (credit.import)
// record the import.
func (s *Service) ImportRecords(ctx context.Context, r io.Reader, filename string, opts ImportOptions) (*ImportReport, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	switch opts.Mode {
	case "":
		opts.Mode = ModeAllOrNothing
	case ModeAllOrNothing, ModeValidOnly:
	default:
		return nil, yserr.Field("mode", "导入方式应为 all_or_nothing 或 valid_only", "mode must be all_or_nothing or valid_only")
	}
	if opts.DepartmentID == 0 {
		opts.DepartmentID = a.DepartmentID
	}
	if opts.DepartmentID == 0 {
		return nil, yserr.Field("department_id", "请选择作出决定的部门", "choose the deciding department")
	}
	if _, err := s.deptName(ctx, opts.DepartmentID); err != nil {
		return nil, err
	}
	if _, err := staff(ctx, opts.DepartmentID); err != nil {
		return nil, err
	}
	if _, inTx := db.TxFrom(ctx); inTx && !opts.DryRun {
		return nil, errors.New("credit.ImportRecords must not be called inside a transaction")
	}
	header, rows, err := readSheet(r)
	if err != nil {
		return nil, err
	}
	imp := &recordImport{s: s, actor: a, opts: opts, header: header,
		report: &ImportReport{Rows: []ImportRowError{}, ByKind: map[string]int{}}}
	parsed, err := imp.parse(rows)
	if err != nil {
		return nil, err
	}
	ctx = withRuleCache(ctx)
	if opts.DryRun {
		if err := imp.check(ctx, parsed); err != nil {
			return nil, err
		}
		return imp.report, nil
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := imp.check(ctx, parsed); err != nil {
			return err
		}
		if opts.Mode == ModeAllOrNothing && imp.report.Bad > 0 {
			return errImportRefused
		}
		if err := imp.write(ctx, parsed); err != nil {
			return err
		}
		return imp.finish(ctx, filename)
	})
	if errors.Is(err, errImportRefused) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return imp.report, nil
}

var errImportRefused = errors.New("import refused: bad rows")

type recordImport struct {
	s      *Service
	actor  *auth.Actor
	opts   ImportOptions
	header map[string]int // column key -> index in the file
	report *ImportReport
}

// readSheet reads the header positions and the data rows of the file.
func readSheet(r io.Reader) (map[string]int, [][]string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8)
	var all [][]string
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		f, err := excelize.OpenReader(br, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, nil, errNotSheet().Wrap(err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, nil, errNotSheet()
		}
		name := sheets[0]
		for _, sh := range sheets {
			if strings.TrimSpace(sh) == ImportSheet {
				name = sh
			}
		}
		rows, err := f.Rows(name)
		if err != nil {
			return nil, nil, errNotSheet().Wrap(err)
		}
		defer rows.Close()
		date1904 := false
		if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
			date1904 = *p.Date1904
		}
		for rows.Next() {
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, nil, errNotSheet().Wrap(err)
			}
			if date1904 && len(all) > 0 {
				cells = append(cells, "\x001904") // marker read by parse
			}
			all = append(all, cells)
			if len(all) > MaxImportRows+1 {
				return nil, nil, errTooManyRows()
			}
		}
		if err := rows.Error(); err != nil {
			return nil, nil, errNotSheet().Wrap(err)
		}
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, nil, yserr.Field("file", "不支持 Excel 97-2003（.xls）或加密的工作簿，请另存为 .xlsx 或 .csv",
			"Excel 97-2003 (.xls) and encrypted workbooks are not supported; save as .xlsx or .csv")
	default:
		text, err := csvText(br)
		if err != nil {
			return nil, nil, err
		}
		cr := csv.NewReader(text)
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, nil, yserr.Field("file", "CSV 文件无法读取："+err.Error(), "the CSV file cannot be read: "+err.Error())
			}
			all = append(all, rec)
			if len(all) > MaxImportRows+1 {
				return nil, nil, errTooManyRows()
			}
		}
	}
	if len(all) == 0 {
		return nil, nil, yserr.Field("file", "工作表为空", "the sheet is empty")
	}
	pos := map[string]int{}
	var v yserr.Validation
	for i, h := range all[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		if h == "" {
			continue
		}
		found := false
		for _, c := range ImportColumns {
			if h == c.Header || strings.EqualFold(h, c.Field) || strings.TrimSuffix(h, "*") == c.Header {
				if _, dup := pos[c.Field]; dup {
					v.Add("file", "列“"+h+"”重复", "column "+h+" appears twice")
				}
				pos[c.Field], found = i, true
			}
		}
		if !found {
			v.Add("file", "未知的列“"+h+"”，请使用导入模板", "unknown column "+h+": use the import template")
		}
	}
	for _, c := range ImportColumns {
		if _, ok := pos[c.Field]; c.Required && !ok {
			v.Add("file", "缺少必需的列“"+c.Header+"”", "the required column "+c.Header+" is missing")
		}
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	return pos, all[1:], nil
}

func errNotSheet() *yserr.Error {
	return yserr.Field("file", "文件不是 .xlsx 工作簿或 .csv 表格，请使用导入模板", "the file is neither an .xlsx workbook nor a .csv table; use the import template")
}

func errTooManyRows() *yserr.Error {
	return yserr.Field("file", fmt.Sprintf("一次最多导入 %d 行，请拆分文件", MaxImportRows), fmt.Sprintf("at most %d rows per import: split the file", MaxImportRows))
}

// csvText decodes UTF-8 (with or without BOM) or, when the start is not
// UTF-8, GB18030 (as Excel saves CSV on Chinese Windows).
func csvText(br *bufio.Reader) (io.Reader, error) {
	head, _ := br.Peek(4 << 10)
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, errNotSheet()
	}
	if bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
		return br, nil
	}
	valid := head
	for i := 0; i < 3 && len(valid) > 0 && !utf8.Valid(valid); i++ {
		valid = valid[:len(valid)-1] // a character cut at the end of the peek
	}
	if utf8.Valid(valid) {
		return br, nil
	}
	return transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), nil
}

// Label aliases accepted in the file.
var (
	kindAliases = map[string]string{
		"行政处罚": KindPenalty, "处罚": KindPenalty,
		"严重失信主体名单": KindSeriousList, "严重失信名单": KindSeriousList, "列入严重失信主体名单": KindSeriousList, "列入严重失信名单": KindSeriousList,
		"经营异常名录": KindAbnormal, "列入经营异常名录": KindAbnormal, "经营异常": KindAbnormal,
		"移出名单": KindRemoval, "移出": KindRemoval, "移出严重失信主体名单": KindRemoval, "移出经营异常名录": KindRemoval,
		"行政许可": KindLicence, "许可": KindLicence, "表彰奖励": KindCommendation, "表彰": KindCommendation, "奖励": KindCommendation,
		"纳税信用级别": KindTaxGrade, "纳税信用": KindTaxGrade,
	}
	typeAliases = map[string]string{
		"警告": "warning", "通报批评": "criticism", "罚款": "fine", "没收": "confiscation", "没收违法所得": "confiscation", "没收非法财物": "confiscation",
		"没收违法所得、没收非法财物": "confiscation", "暂扣": "suspension", "暂扣许可证件": "suspension", "降低资质等级": "suspension",
		"暂扣许可证件、降低资质等级": "suspension", "吊销": "revocation", "吊销许可证件": "revocation", "限制": "restriction",
		"限制开展生产经营活动": "restriction", "责令停产停业": "restriction", "责令关闭": "restriction", "限制从业": "restriction",
	}
	classAliases  = map[string]string{"轻微": ClassMinor, "一般": ClassGeneral, "严重": ClassSerious, "较重": ClassGeneral}
	sectorAliases = map[string]string{"特种设备": "special_equipment", "安全生产": "work_safety", "消防安全": "fire", "消防": "fire"}
)

func alias(m map[string]string, s string) string {
	s = strings.TrimSpace(s)
	if k, ok := m[s]; ok {
		return k
	}
	return strings.ToLower(s)
}

// cellDate reads a date cell: an Excel serial number, YYYY-MM-DD,
// YYYY/M/D, YYYY.M.D, YYYYMMDD or YYYY年M月D日. Anything else is returned
// as written, for the validation to refuse.
func cellDate(s string, date1904 bool) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i]
	}
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		if t, err := time.Parse("20060102", s); err == nil {
			return t.Format("2006-01-02")
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 {
		if t, err := excelize.ExcelDateToTime(math.Floor(f), date1904); err == nil {
			return t.Format("2006-01-02")
		}
	}
	t := strings.NewReplacer("年", "-", "月", "-", "/", "-", ".", "-").Replace(strings.TrimSuffix(s, "日"))
	if d, err := time.Parse("2006-1-2", t); err == nil {
		return d.Format("2006-01-02")
	}
	return s
}

// cellAmount reads an amount in yuan ("5000", "5,000", "5000元").
func cellAmount(s string) (float64, bool) {
	s = strings.TrimSpace(strings.NewReplacer(",", "", "，", "", "元", "", "¥", "", "￥", "").Replace(s))
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func cellYes(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "否", "n", "no", "0", "false", "×":
		return false, true
	case "是", "y", "yes", "1", "true", "√":
		return true, true
	}
	return false, false
}

// parse turns the cells into rows with their parse errors.
func (imp *recordImport) parse(rows [][]string) ([]*importRow, error) {
	var out []*importRow
	for i, cells := range rows {
		date1904 := false
		if n := len(cells); n > 0 && cells[n-1] == "\x001904" {
			date1904, cells = true, cells[:n-1]
		}
		get := func(field string) string {
			if p, ok := imp.header[field]; ok && p < len(cells) {
				return strings.TrimSpace(cells[p])
			}
			return ""
		}
		blank := true
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				blank = false
				break
			}
		}
		if blank {
			continue
		}
		row := &importRow{num: i + 2}
		in := Input{DepartmentID: imp.opts.DepartmentID, Kind: alias(kindAliases, get("kind")), USCC: ident.NormalizeUSCC(get("uscc"))}
		in.DecisionNo, in.LegalBasis, in.Facts, in.Title = get("decision_no"), get("legal_basis"), get("facts"), get("title")
		in.DecidedOn = cellDate(get("decided_on"), date1904)
		if c := get("class"); c != "" {
			in.Class = alias(classAliases, c)
		}
		if c := get("sector"); c != "" {
			in.Sector = alias(sectorAliases, c)
		}
		in.TaxGrade = strings.ToUpper(get("tax_grade"))
		if y := get("tax_year"); y != "" {
			n, err := strconv.Atoi(y)
			if err != nil || n < 1990 || n > 2100 {
				row.fail("tax_year", "纳税年度应为四位年份", "the tax year must be a four-digit year")
			}
			in.TaxYear = n
		}
		for k := 1; k <= 3; k++ {
			ks := strconv.Itoa(k)
			t, amt := get("penalty_type"+ks), get("amount"+ks)
			if t == "" && amt == "" {
				continue
			}
			p := Penalty{Type: alias(typeAliases, t)}
			field := fmt.Sprintf("penalties[%d]", len(in.Penalties))
			if t == "" {
				row.fail(field, "填写了金额但没有处罚种类", "an amount without a penalty type")
			}
			if amt != "" {
				f, ok := cellAmount(amt)
				if !ok {
					row.fail(field, "金额须为数字（元）", "the amount must be a number (yuan)")
				}
				p.Amount = f
			}
			row.penCol = append(row.penCol, importColumnIndex["penalty_type"+ks])
			in.Penalties = append(in.Penalties, p)
		}
		met, ok := cellYes(get("obligations_met"))
		if !ok {
			row.fail("obligations_met", "应填“是”或“否”", "must be yes (是) or no (否)")
		}
		in.ObligationsMet = met
		row.removes = get("removes")
		row.in = in
		row.nameGiven = get("entity_name")
		out = append(out, row)
	}
	imp.report.Total = len(out)
	return out, nil
}

// sameName compares entity names ignoring white space and the width of
// brackets.
func sameName(a, b string) bool {
	norm := strings.NewReplacer("（", "(", "）", ")", " ", "", "\u3000", "").Replace
	return norm(a) == norm(b)
}

// check validates every row (the form's validation and the import's own
// checks) and fills the report's counts and errors. It only reads.
func (imp *recordImport) check(ctx context.Context, rows []*importRow) error {
	s := imp.s
	entities := map[string]*entityRef{}
	decisions := map[string]int{} // entity|kind|decision_no -> first row
	listRows := map[string]int{}  // entity|decision_no of a list entry row -> row
	removed := map[string]int{}   // list entry (record id or #row) -> removing row
	for _, row := range rows {
		in := &row.in
		known := false
		if in.USCC == "" {
			row.fail("uscc", "请填写统一社会信用代码", "the credit code is required")
		} else if err := ident.ValidateUSCC(in.USCC); err != nil {
			var ie *ident.Error
			if errors.As(err, &ie) {
				row.fail("uscc", "统一社会信用代码"+ie.MessageZH(), "credit code: "+ie.MessageEN())
			} else {
				row.fail("uscc", "统一社会信用代码无效", "invalid credit code")
			}
		} else {
			e, ok := entities[in.USCC]
			if !ok {
				ref, err := s.entity(ctx, 0, in.USCC)
				if err != nil && yserr.CodeOf(err) != yserr.Invalid {
					return err
				}
				if err == nil {
					e = &ref
				}
				entities[in.USCC] = e
			}
			if e == nil {
				row.fail("uscc", "该统一社会信用代码未在经营主体库登记", "no market entity is registered with this credit code")
			} else {
				row.entity, known = *e, true
				if row.nameGiven != "" && !sameName(row.nameGiven, e.Name) {
					row.fail("entity_name", "名称与该代码登记的名称不一致（登记为："+e.Name+"）", "the name differs from the registered one ("+e.Name+")")
				}
			}
		}
		if in.Kind == KindRemoval && known && row.removes != "" {
			if err := imp.resolveRemoval(ctx, row, listRows, removed); err != nil {
				return err
			}
		}
		if err := s.validate(ctx, in.Kind, &in.Content, in.DepartmentID); err != nil {
			e := yserr.As(err)
			if e == nil || e.Code != yserr.Invalid {
				return err
			}
			row.errs = append(row.errs, fieldErrors(e)...)
		}
		if row.refRow != 0 {
			in.RemovesID = 0 // resolved when the referenced row is written
		}
		if known && decisionKinds[in.Kind] && in.DecisionNo != "" {
			key := fmt.Sprintf("%d|%s|%s", row.entity.ID, in.Kind, in.DecisionNo)
			if first, dup := decisions[key]; dup {
				row.fail("decision_no", fmt.Sprintf("与第 %d 行的决定文书号重复", first), fmt.Sprintf("duplicate decision number: see row %d", first))
			} else {
				decisions[key] = row.num
				id, err := s.recordedDecision(ctx, row.entity.ID, in.Kind, in.DecisionNo)
				if err != nil {
					return err
				}
				if id != 0 {
					e := errDuplicateDecision(id)
					row.fail("decision_no", e.ZH, e.EN)
				}
			}
		}
		if known && (in.Kind == KindSeriousList || in.Kind == KindAbnormal) && in.DecisionNo != "" {
			listRows[fmt.Sprintf("%d|%s", row.entity.ID, in.DecisionNo)] = row.num
		}
		if len(row.errs) == 0 && negativeKinds[in.Kind] {
			if _, _, _, err := s.lifecycle(ctx, in.Kind, &in.Content); err != nil {
				e := yserr.As(err)
				if e == nil || e.Code != yserr.Invalid {
					return err
				}
				row.errs = append(row.errs, fieldErrors(e)...)
			}
		}
	}
	bad := map[int]bool{}
	for _, row := range rows {
		if row.refRow != 0 && bad[row.refRow] {
			row.fail("removes_id", fmt.Sprintf("引用的第 %d 行有错误，未导入", row.refRow), fmt.Sprintf("row %d it refers to is bad", row.refRow))
		}
		if len(row.errs) > 0 {
			bad[row.num] = true
			imp.bad(row)
			continue
		}
		imp.report.Created++
		imp.report.ByKind[row.in.Kind]++
		if row.in.Kind == KindPenalty || row.in.Kind == KindSeriousList {
			imp.report.Notices++
		}
	}
	return nil
}

func fieldErrors(e *yserr.Error) []yserr.FieldError {
	if len(e.Fields) > 0 {
		return e.Fields
	}
	return []yserr.FieldError{{Field: e.Field, ZH: e.ZH, EN: e.EN}}
}

// resolveRemoval finds the list entry a removal row ends: a record id, the
// decision number of an entry in force, or an entry created by an earlier
// row of the file.
func (imp *recordImport) resolveRemoval(ctx context.Context, row *importRow, listRows map[string]int, removed map[string]int) error {
	ref := strings.TrimPrefix(row.removes, "#")
	var id int64
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil && n > 0 {
		err := imp.s.DB.Q(ctx).QueryRow(ctx, `SELECT id FROM credit_records WHERE id = $1 AND entity_id = $2
			AND kind IN ('serious_list', 'abnormal') AND status IN ('published', 'unpublished')`, n, row.entity.ID).Scan(&id)
		if err != nil && !db.IsNoRows(err) {
			return err
		}
	} else if r, ok := listRows[fmt.Sprintf("%d|%s", row.entity.ID, ref)]; ok {
		row.refRow = r
	} else {
		rows, err := imp.s.DB.Q(ctx).Query(ctx, `SELECT r.id, v.content FROM credit_records r
			JOIN credit_record_versions v ON v.record_id = r.id AND v.version = r.current_version
			WHERE r.entity_id = $1 AND r.kind IN ('serious_list', 'abnormal') AND r.status IN ('published', 'unpublished') ORDER BY r.id`, row.entity.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var rid int64
			var content string
			if err := rows.Scan(&rid, &content); err != nil {
				rows.Close()
				return err
			}
			if c, err := parseContent(content); err == nil && c.DecisionNo == ref && id == 0 {
				id = rid
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	key := strconv.FormatInt(id, 10)
	if row.refRow != 0 {
		key = "#" + strconv.Itoa(row.refRow)
	}
	switch {
	case id == 0 && row.refRow == 0:
		row.fail("removes_id", "该企业没有这条在列的名单记录", "the entity has no such list entry in force")
		return nil
	case removed[key] != 0:
		row.fail("removes_id", fmt.Sprintf("第 %d 行已移出同一条名单记录", removed[key]), fmt.Sprintf("row %d already removes this list entry", removed[key]))
	default:
		removed[key] = row.num
	}
	row.in.RemovesID = id
	if row.refRow != 0 {
		row.in.RemovesID = -1 // passes the form's check; set when written
	}
	return nil
}

// bad adds a row's errors to the report.
func (imp *recordImport) bad(row *importRow) {
	rep := imp.report
	rep.Bad++
	for _, e := range row.errs {
		rep.Errors++
		if len(rep.Rows) >= MaxImportErrors {
			rep.Truncated = true
			continue
		}
		rep.Rows = append(rep.Rows, ImportRowError{Row: row.num, Column: columnOf(row, e.Field), Field: e.Field, ZH: e.ZH, EN: e.EN})
	}
}

// columnOf names the column of a field of the row.
func columnOf(row *importRow, field string) string {
	switch {
	case field == "entity_id":
		field = "uscc"
	case field == "removes_id":
		field = "removes"
	case strings.HasPrefix(field, "penalties"):
		i, _ := strconv.Atoi(strings.Trim(strings.TrimPrefix(field, "penalties"), "[]"))
		if strings.Contains(field, "[") && i < len(row.penCol) {
			return ImportColumns[row.penCol[i]].Header
		}
		field = "penalty_type1"
	}
	if i, ok := importColumnIndex[field]; ok {
		return ImportColumns[i].Header
	}
	return ""
}

// write records the valid rows through the form's path and recomputes the
// grade of every entity concerned once.
func (imp *recordImport) write(ctx context.Context, rows []*importRow) error {
	s := imp.s
	ids := map[int]int64{}
	var order []int64
	seen := map[int64]bool{}
	notices := 0
	for _, row := range rows {
		if len(row.errs) > 0 {
			continue
		}
		in := row.in
		if row.refRow != 0 {
			in.RemovesID = ids[row.refRow]
		}
		id, err := s.insert(ctx, imp.actor, row.entity, in, false)
		if err != nil {
			return fmt.Errorf("row %d: %w", row.num, err)
		}
		ids[row.num] = id
		if len(imp.report.RecordIDs) < MaxImportErrors {
			imp.report.RecordIDs = append(imp.report.RecordIDs, id)
		}
		if in.Kind == KindPenalty || in.Kind == KindSeriousList {
			notices++
		}
		if !seen[row.entity.ID] {
			seen[row.entity.ID] = true
			order = append(order, row.entity.ID)
		}
	}
	for _, e := range order {
		if _, err := s.recompute(ctx, e, "import"); err != nil {
			return err
		}
	}
	imp.report.Notices, imp.report.Regraded = notices, len(order)
	return nil
}

// finish records the import and its audit event.
func (imp *recordImport) finish(ctx context.Context, filename string) error {
	rep := imp.report
	if r := []rune(filename); len(r) > 255 {
		filename = string(r[:255])
	}
	err := imp.s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO imports (kind, filename, mode, rows_total, rows_created, rows_updated,
		rows_bad, rows_unchanged, created_by, created_at) VALUES ('credit', $1, $2, $3, $4, 0, $5, 0, $6, $7) RETURNING id`,
		filename, imp.opts.Mode, rep.Total, rep.Created, rep.Bad, actorID(imp.actor), imp.s.now()).Scan(&rep.ImportID)
	if err != nil {
		return err
	}
	detail, _ := json.Marshal(map[string]any{"filename": filename, "mode": imp.opts.Mode, "department_id": imp.opts.DepartmentID,
		"total": rep.Total, "created": rep.Created, "bad": rep.Bad, "by_kind": rep.ByKind, "notices": rep.Notices})
	if err := imp.s.Audit.Record(ctx, "credit.import", "import", strconv.FormatInt(rep.ImportID, 10), nil, rep.ByKind, string(detail)); err != nil {
		return err
	}
	rep.Committed = true
	return nil
}

// DepartmentByCode returns the id of the department with the code (for
// the command line).
func (s *Service) DepartmentByCode(ctx context.Context, code string) (int64, error) {
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM departments WHERE code = $1", strings.TrimSpace(code)).Scan(&id)
	if db.IsNoRows(err) {
		return 0, yserr.Field("department", "没有代码为 "+code+" 的部门", "no department with code "+code)
	}
	return id, err
}
