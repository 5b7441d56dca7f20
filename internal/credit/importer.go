package credit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/importkit"
	"yingshang/internal/yserr"
)

// Import modes.
const (
	ModeAllOrNothing = importkit.ModeAllOrNothing // any bad row: nothing is written
	ModeValidOnly    = importkit.ModeValidOnly    // the valid rows are written
)

// MaxImportRows is the largest number of data rows one import takes.
const MaxImportRows = 50000

// MaxImportErrors is how many row errors an ImportReport lists.
const MaxImportErrors = importkit.MaxRowErrors

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

// importColumns is ImportColumns as the import kit matches them (the
// header, the field key, either with a "*").
var importColumns = func() []importkit.Column {
	out := make([]importkit.Column, len(ImportColumns))
	for i, c := range ImportColumns {
		out[i] = importkit.Column{Key: c.Field, Header: c.Header, Required: c.Required}
	}
	return out
}()

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
	// Size is the file's size when known, for Progress's estimate.
	Size int64 `json:"-"`
	// Progress, when set, is called as rows are read (every 1000 rows).
	Progress func(importkit.Progress) `json:"-"`
}

// ImportRowError is one problem of an imported row. Row is the row number
// the user sees (the header is row 1); Column the header of the template
// ("" for the whole row); Field the Input field.
type ImportRowError = importkit.RowError

// ImportReport is the outcome of an import: the import kit's report
// (Total, Bad, Errors, Rows, Committed, ImportID) and the credit counts.
// Created counts the valid rows (in a dry run or a refused all_or_nothing
// import: what would have been created).
type ImportReport struct {
	importkit.Report
	Created   int            `json:"created"`
	ByKind    map[string]int `json:"by_kind"`
	Notices   int            `json:"notices" doc:"credit repair notices issued (penalties, serious-list entries)"`
	Regraded  int            `json:"regraded" doc:"entities whose grade was recomputed"`
	RecordIDs []int64        `json:"record_ids,omitempty"`
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
// or the first sheet) or a CSV file (as importkit.Open reads them: by
// content, UTF-8, UTF-16 or GB18030, comma, tab or semicolon) in the
// layout of ImportColumns and records them for the department.
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
	if opts.Mode, err = importkit.CheckMode(opts.Mode); err != nil {
		return nil, err
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
	imp := &recordImport{s: s, actor: a, opts: opts, run: importkit.Start("credit", filename, opts.Mode, a.UserID, s.now(), opts.Progress),
		report: &ImportReport{Report: importkit.NewReport(), ByKind: map[string]int{}}}
	parsed, err := imp.read(r)
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
		if imp.report.Refused(opts.Mode) {
			return errImportRefused
		}
		if err := imp.write(ctx, parsed); err != nil {
			return err
		}
		return imp.finish(ctx)
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
	run    *importkit.Run
	header *importkit.Header
	report *ImportReport
}

// read opens the file with the import kit (at most MaxImportRows data
// rows), maps its header and parses its rows.
func (imp *recordImport) read(r io.Reader) ([]*importRow, error) {
	src, err := importkit.Open(r, importkit.Options{Sheets: []string{ImportSheet}, Limits: importkit.Limits{Rows: MaxImportRows},
		Size: imp.opts.Size})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if imp.header, err = src.Header(importColumns, importkit.HeaderOptions{}); err != nil {
		return nil, err
	}
	var out []*importRow
	for {
		num, cells, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		imp.run.Advance(src.Progress())
		if !importkit.Blank(cells) {
			out = append(out, imp.parse(num, cells, src.Date1904()))
		}
	}
	imp.report.Total = len(out)
	return out, nil
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
	v, _ := importkit.Enum(s, m)
	return v
}

// cellDate reads a date cell (see importkit.Date); anything else is
// returned as written, for the validation to refuse.
func cellDate(s string, date1904 bool) string {
	if d, ok := importkit.Date(s, date1904); ok {
		return d
	}
	return strings.TrimSpace(s)
}

// parse turns the cells of a non-blank row into a row with its parse
// errors.
func (imp *recordImport) parse(num int, cells []string, date1904 bool) *importRow {
	get := func(field string) string { return imp.header.Get(cells, field) }
	row := &importRow{num: num}
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
		n, ok := importkit.Int(y)
		if !ok || n < 1990 || n > 2100 {
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
			f, ok := importkit.Amount(amt, importkit.Yuan)
			if !ok {
				row.fail(field, "金额须为数字（元）", "the amount must be a number (yuan)")
			}
			p.Amount = f
		}
		row.penCol = append(row.penCol, importColumnIndex["penalty_type"+ks])
		in.Penalties = append(in.Penalties, p)
	}
	met, ok := importkit.YesNo(get("obligations_met"))
	if !ok {
		row.fail("obligations_met", "应填“是”或“否”", "must be yes (是) or no (否)")
	}
	in.ObligationsMet = met
	row.removes = get("removes")
	row.in = in
	row.nameGiven = get("entity_name")
	return row
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
	errs := make([]ImportRowError, len(row.errs))
	for i, e := range row.errs {
		errs[i] = ImportRowError{Row: row.num, Column: columnOf(row, e.Field), Field: e.Field, ZH: e.ZH, EN: e.EN}
	}
	imp.report.AddBad(errs...)
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

// finish records the import (importkit's imports row) and its audit
// event.
func (imp *recordImport) finish(ctx context.Context) error {
	rep := imp.report
	rep.Committed = true
	id, err := imp.run.Finish(ctx, imp.s.DB, importkit.Counts{Total: rep.Total, Created: rep.Created, Bad: rep.Bad}, &rep.Report)
	if err != nil {
		return err
	}
	detail, _ := json.Marshal(map[string]any{"filename": imp.run.Filename, "mode": imp.opts.Mode, "department_id": imp.opts.DepartmentID,
		"total": rep.Total, "created": rep.Created, "bad": rep.Bad, "by_kind": rep.ByKind, "notices": rep.Notices})
	return imp.s.Audit.Record(ctx, "credit.import", "import", strconv.FormatInt(id, 10), nil, rep.ByKind, string(detail))
}

// DepartmentByCode returns the id of the department with the code (for
// the command line).
func (s *Service) DepartmentByCode(ctx context.Context, code string) (int64, error) {
	id, err := s.Accounts.DepartmentByCode(ctx, strings.TrimSpace(code))
	if err == nil && id == 0 {
		return 0, yserr.Field("department", "没有代码为 "+code+" 的部门", "no department with code "+code)
	}
	return id, err
}
