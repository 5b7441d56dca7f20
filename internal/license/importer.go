package license

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/calendar"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/importkit"
	"yingshang/internal/yserr"
)

// Column is one column of the ledger (证照到期提醒事项工作台账).
type Column struct {
	Field    string
	Header   string
	Required bool
	Note     string
}

// Columns is the ledger layout, in template order.
var Columns = []Column{
	{"type_code", "事项代码", true, "本部门提醒事项目录中的事项代码 / code of the licence type in the catalogue"},
	{"number", "证照编号", true, "同一事项内不得重复 / unique within the type"},
	{"holder_name", "持证人名称", true, "企业名称或个人姓名 / enterprise or person"},
	{"holder_code", "持证人证件号码", true, "企业填统一社会信用代码（须已登记），个人填居民身份证号码 / USCC of a registered enterprise, or a resident ID number"},
	{"phone", "联系电话", false, "接收短信的手机号；个人必填 / mobile for SMS; required for persons"},
	{"issued_on", "发证日期", true, "YYYY-MM-DD"},
	{"expires_on", "有效期至", true, "YYYY-MM-DD，证照有效的最后一天 / last valid day"},
	{"elderly", "高龄老人", false, "是/否 / yes/no"},
	{"disabled", "残疾人", false, "是/否 / yes/no"},
}

// SheetName is the ledger sheet's name (else the first sheet is read).
const SheetName = "证照台账"

// ImportTemplate writes the ledger template (.xlsx) with one example row.
func (s *Service) ImportTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	example := []any{"SP-JY", "JY14110020000001", "许昌市示例餐饮有限公司", "91411000MA44XXXX0X", "13800000000", "2021-12-20", "2026-12-19", "否", "否"}
	for i, c := range Columns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(SheetName, cell, c.Header); err != nil {
			return err
		}
		_ = f.SetCellStyle(SheetName, cell, cell, bold)
		cell2, _ := excelize.CoordinatesToCellName(i+1, 2)
		_ = f.SetCellValue(SheetName, cell2, example[i])
		col, _ := excelize.ColumnNumberToName(i + 1)
		_ = f.SetColWidth(SheetName, col, col, 20)
	}
	notes := "填写说明"
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	_ = f.SetSheetRow(notes, "A1", &[]any{"列 / Column", "必填 / Required", "说明 / Notes"})
	for i, c := range Columns {
		req := "否"
		if c.Required {
			req = "是"
		}
		_ = f.SetSheetRow(notes, fmt.Sprintf("A%d", i+2), &[]any{c.Header, req, c.Note})
	}
	_ = f.SetColWidth(notes, "C", "C", 80)
	return f.Write(w)
}

// columnAliases are the headers a ledger of other dated obligations
// (kinds.go: annual reports, tax items) may use instead.
var columnAliases = map[string][]string{
	"number":      {"事项编号", "文书编号"},
	"holder_name": {"企业名称", "纳税人名称"},
	"holder_code": {"统一社会信用代码", "纳税人识别号"},
	"issued_on":   {"起始日期", "登记日期"},
	"expires_on":  {"办理截止日期", "截止日期"},
}

// ledgerColumns is Columns as the import kit matches them.
var ledgerColumns = func() []importkit.Column {
	out := make([]importkit.Column, len(Columns))
	for i, c := range Columns {
		out[i] = importkit.Column{Key: c.Field, Header: c.Header, Required: c.Required, Aliases: columnAliases[c.Field]}
	}
	return out
}()

// readLedger reads the rows of a ledger (an .xlsx workbook, sheet 证照台账
// or the first, or a CSV file: importkit.Open). Columns it does not know
// are ignored. A file that is not a table or lacks a required column is
// an error on "file".
func readLedger(r io.Reader) ([]LicenseInput, []int, error) {
	src, err := importkit.Open(r, importkit.Options{Sheets: []string{SheetName}})
	if err != nil {
		return nil, nil, err
	}
	defer src.Close()
	h, err := src.Header(ledgerColumns, importkit.HeaderOptions{IgnoreUnknown: true})
	if err != nil {
		return nil, nil, err
	}
	var out []LicenseInput
	var nums []int
	for {
		n, cells, err := src.Next()
		if err == io.EOF {
			return out, nums, nil
		}
		if err != nil {
			return nil, nil, err
		}
		get := func(field string) string { return h.Get(cells, field) }
		in := LicenseInput{TypeCode: get("type_code"), Number: get("number"), HolderName: get("holder_name"),
			HolderCode: get("holder_code"), Phone: importkit.IntegralText(get("phone")),
			IssuedOn: cellDate(get("issued_on"), src.Date1904()), ExpiresOn: cellDate(get("expires_on"), src.Date1904())}
		if in == (LicenseInput{}) && get("elderly") == "" && get("disabled") == "" {
			continue
		}
		in.Elderly, in.Disabled = yes(get("elderly")), yes(get("disabled"))
		out = append(out, in)
		nums = append(nums, n)
	}
}

// cellDate reads a date cell (importkit.Date); anything else is returned
// as written, for the validation to refuse.
func cellDate(s string, date1904 bool) string {
	if d, ok := importkit.Date(s, date1904); ok {
		return d
	}
	return s
}

// yes reads a yes/no cell; anything but a yes is no.
func yes(s string) bool {
	v, _ := importkit.YesNo(s)
	return v
}

// Import reads a ledger workbook and adds its licences to a department's
// ledger (department admin in scope, platform admin; deptID 0 is the
// actor's department). See Add for the rules.
func (s *Service) Import(ctx context.Context, deptID int64, r io.Reader, mode string) (*ImportReport, error) {
	if _, err := s.importActor(ctx, &deptID, mode); err != nil {
		return nil, err
	}
	rows, nums, err := readLedger(r)
	if err != nil {
		return nil, err
	}
	return s.add(ctx, deptID, rows, nums, mode)
}

// Add adds licences to a department's ledger (API import), in one
// transaction with one audit event. Every row is checked: an impossible
// date, an expiry before issue, an unknown type code, a holder code that
// fails its check character or names an unregistered enterprise, a
// duplicate number (in the request or stored): reported per row (row
// numbers from 1). With all_or_nothing (default) nothing is written when
// any row is bad; with valid_only the valid rows are. A new licence of
// the same holder and type with a later expiry marks the older active or
// lapsed one renewed (reminders stop).
func (s *Service) Add(ctx context.Context, deptID int64, rows []LicenseInput, mode string) (*ImportReport, error) {
	if _, err := s.importActor(ctx, &deptID, mode); err != nil {
		return nil, err
	}
	nums := make([]int, len(rows))
	for i := range nums {
		nums[i] = i + 1
	}
	return s.add(ctx, deptID, rows, nums, mode)
}

func (s *Service) importActor(ctx context.Context, deptID *int64, mode string) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return nil, err
	}
	if _, err := importkit.CheckMode(mode); err != nil {
		return nil, err
	}
	if *deptID == 0 {
		*deptID = a.DepartmentID
	}
	if !a.InScope(*deptID) {
		return nil, yserr.ErrForbidden()
	}
	return a, nil
}

var errRefused = errors.New("import refused: bad rows")

// ledger is one import in progress.
type ledger struct {
	s      *Service
	dept   int64
	types  map[string]*Type
	seen   map[string]int // type code + number -> first row
	report *ImportReport
	now    time.Time
	cal    *calendar.Calendar // the working days, for the new licences' next_due

	// holders are the registered entities of the chunk's credit codes
	// (chunk asks the registry once per chunk).
	holders map[string]entity.Ref
}

func (s *Service) add(ctx context.Context, deptID int64, rows []LicenseInput, nums []int, mode string) (*ImportReport, error) {
	if mode == "" {
		mode = ModeAllOrNothing
	}
	lg := &ledger{s: s, dept: deptID, seen: map[string]int{}, now: s.Clock.Now(),
		report: &ImportReport{Report: importkit.NewReport()}}
	lg.report.Total = len(rows)
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		types, err := s.Types(ctx, deptID)
		if err != nil {
			return err
		}
		lg.types = map[string]*Type{}
		for _, t := range types {
			lg.types[t.Code] = t
		}
		if lg.cal, err = s.Calendar.Calendar(ctx); err != nil {
			return err
		}
		for start := 0; start < len(rows); start += importBatch {
			end := min(start+importBatch, len(rows))
			if err := lg.chunk(ctx, rows[start:end], nums[start:end]); err != nil {
				return err
			}
			if err := lg.refreshStats(ctx, start, len(rows)); err != nil {
				return err
			}
		}
		if lg.report.Bad > 0 && mode == ModeAllOrNothing {
			return errRefused
		}
		lg.report.Committed = lg.report.Created > 0
		return s.Audit.Record(ctx, "license.import", "department", fmt.Sprint(deptID), nil,
			map[string]int{"created": lg.report.Created, "renewed": lg.report.Renewed, "bad": lg.report.Bad}, mode)
	})
	if errors.Is(err, errRefused) {
		lg.report.Created, lg.report.Renewed, lg.report.Committed = 0, 0, false
		return lg.report, nil
	}
	if err != nil {
		return nil, err
	}
	return lg.report, nil
}

// checked is a valid row ready to write.
type checked struct {
	in       LicenseInput
	t        *Type
	entityID int64
	idNumber string
	idHash   string
	row      int
	id       int64 // once written
}

// refreshStats refreshes the planner statistics of the licences table
// after the first batch of a large import into a small table: otherwise
// PostgreSQL's planner keeps the statistics of the small table for the
// whole transaction and scans the table for every batch lookup (see
// db.RefreshStats).
func (lg *ledger) refreshStats(ctx context.Context, start, total int) error {
	if start != 0 || total <= 2*importBatch {
		return nil
	}
	return lg.s.DB.RefreshStats(ctx, "licenses")
}

// importBatch is how many rows are looked up and written together: the
// duplicate and renewal lookups take one statement per batch, not per row.
const importBatch = 500

// chunk checks and writes a batch of rows.
func (lg *ledger) chunk(ctx context.Context, rows []LicenseInput, nums []int) error {
	var codes []string
	for i := range rows {
		if code := strings.ToUpper(strings.TrimSpace(rows[i].HolderCode)); ident.ValidateUSCC(code) == nil {
			codes = append(codes, code)
		}
	}
	holders, err := lg.s.Entities.RefsByUSCC(ctx, codes)
	if err != nil {
		return err
	}
	lg.holders = holders
	var ok []*checked
	for i := range rows {
		c, errs := lg.check(ctx, nums[i], &rows[i])
		if len(errs) > 0 {
			lg.bad(nums[i], errs)
			continue
		}
		c.row = nums[i]
		ok = append(ok, c)
	}
	stored, err := lg.storedNumbers(ctx, ok)
	if err != nil {
		return err
	}
	var written []*checked
	for _, c := range ok {
		if stored[numberKey(c.t.ID, c.in.Number)] {
			lg.bad(c.row, []yserr.FieldError{{Field: "number", ZH: "该证照编号已导入", EN: "this licence number is already stored"}})
			continue
		}
		if err := lg.write(ctx, c); err != nil {
			return err
		}
		written = append(written, c)
	}
	// Each licence gets its own event (with its state, for the audit deep
	// check), written in bulk with the chunk.
	events := make([]audit.Entry, len(written))
	for i, c := range written {
		events[i] = audit.Entry{Action: "license.create", ObjectType: "license", ObjectID: fmt.Sprint(c.id),
			Detail: fmt.Sprintf("%s %s (import row %d)", c.t.Code, c.in.Number, c.row)}
	}
	if err := lg.s.Audit.RecordAll(ctx, events); err != nil {
		return err
	}
	return lg.renewOlder(ctx, written)
}

func (lg *ledger) bad(num int, errs []yserr.FieldError) {
	out := make([]RowError, len(errs))
	for i, e := range errs {
		out[i] = RowError{Row: num, Column: header(e.Field), Field: e.Field, ZH: e.ZH, EN: e.EN}
	}
	lg.report.AddBad(out...)
}

func numberKey(typeID int64, number string) string { return fmt.Sprintf("%d\x00%s", typeID, number) }

// placeholders returns "$from,...,$(from+n-1)".
func placeholders(from, n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(ph, ",")
}

// storedNumbers returns the type/number keys of the batch already stored
// (one lookup per licence type, on the unique index).
func (lg *ledger) storedNumbers(ctx context.Context, batch []*checked) (map[string]bool, error) {
	out := map[string]bool{}
	byType := map[int64][]any{}
	for _, c := range batch {
		byType[c.t.ID] = append(byType[c.t.ID], c.in.Number)
	}
	for typeID, nums := range byType {
		rows, err := lg.s.DB.Q(ctx).Query(ctx, "SELECT number FROM licenses WHERE type_id = $1 AND number IN ("+placeholders(2, len(nums))+")",
			append([]any{typeID}, nums...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return nil, err
			}
			out[numberKey(typeID, n)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func header(field string) string {
	for _, c := range Columns {
		if c.Field == field {
			return c.Header
		}
	}
	return field
}

// check validates a row without writing.
func (lg *ledger) check(ctx context.Context, num int, in *LicenseInput) (*checked, []yserr.FieldError) {
	var v yserr.Validation
	c := &checked{in: *in}
	c.in.Number = strings.TrimSpace(in.Number)
	c.in.HolderName = strings.TrimSpace(in.HolderName)
	if c.t = lg.types[strings.TrimSpace(in.TypeCode)]; c.t == nil {
		v.Add("type_code", "本部门目录中没有事项代码 "+in.TypeCode, "unknown licence type code "+in.TypeCode)
	}
	if c.in.Number == "" || len(c.in.Number) > 64 {
		v.Add("number", "证照编号必填，最长 64 个字符", "number is required, at most 64 characters")
	}
	if c.in.HolderName == "" || len([]rune(c.in.HolderName)) > 100 {
		v.Add("holder_name", "持证人名称必填，最长 100 字", "holder name is required, at most 100 characters")
	}
	lg.checkHolder(ctx, c, &v)
	issued, err1 := calendar.ParseDate(in.IssuedOn)
	if err1 != nil {
		v.Add("issued_on", "发证日期不是有效日期（YYYY-MM-DD）："+in.IssuedOn, "issue date is not a valid date (YYYY-MM-DD): "+in.IssuedOn)
	}
	exp, err2 := calendar.ParseDate(in.ExpiresOn)
	if err2 != nil {
		v.Add("expires_on", "有效期至不是有效日期（YYYY-MM-DD）："+in.ExpiresOn, "expiry date is not a valid date (YYYY-MM-DD): "+in.ExpiresOn)
	}
	if err1 == nil && err2 == nil && exp.Before(issued) {
		v.Add("expires_on", "有效期至早于发证日期", "expiry is before the issue date")
	}
	if c.t != nil && v.Err() == nil {
		key := c.t.Code + "\x00" + c.in.Number
		if first, dup := lg.seen[key]; dup {
			v.Add("number", fmt.Sprintf("与第 %d 行的证照编号重复", first), fmt.Sprintf("duplicate of row %d", first))
		} else {
			lg.seen[key] = num
		}
	}
	if err := v.Err(); err != nil {
		return nil, yserr.As(err).Fields
	}
	return c, nil
}

// checkHolder resolves the holder code: a registered enterprise's USCC or
// a person's resident ID number (then a phone is required).
func (lg *ledger) checkHolder(ctx context.Context, c *checked, v *yserr.Validation) {
	code := strings.ToUpper(strings.TrimSpace(c.in.HolderCode))
	c.in.Phone = ident.NormalizeMobile(c.in.Phone)
	if c.in.Phone != "" && ident.ValidateMobile(c.in.Phone) != nil {
		v.Add("phone", "联系电话不是有效的手机号", "phone is not a valid mobile number")
	}
	isUSCC := ident.ValidateUSCC(code) == nil
	isID := ident.ValidateIDCardAt(code, lg.now) == nil
	if isUSCC {
		// An 18-digit code can pass both checks: a registered entity wins.
		e, found := lg.holders[code]
		switch {
		case found:
			c.entityID = e.ID
			c.in.HolderCode = code
			return
		case !isID:
			v.Add("holder_code", "该统一社会信用代码未在经营主体库登记", "no registered market entity has this credit code")
			return
		}
	}
	if isID {
		c.idNumber = code
		if c.in.Phone == "" {
			v.Add("phone", "个人持证人须填写手机号", "a person holder needs a mobile number")
		}
		return
	}
	v.Add("holder_code", "持证人证件号码不是有效的统一社会信用代码或身份证号码（校验位错误）",
		"holder code is neither a valid credit code nor a valid ID number (check character)")
}

// write inserts a checked licence and marks the holder's older licences
// of the type renewed.
func (lg *ledger) write(ctx context.Context, c *checked) error {
	s := lg.s
	var idEnc, phoneEnc []byte
	idMask, idHash := "", ""
	if c.idNumber != "" {
		idEnc, idMask, idHash = s.Keys.Encrypt(c.idNumber), ident.MaskIDCard(c.idNumber), s.Keys.Index(c.idNumber)
		c.idHash = idHash
	}
	if c.in.Phone != "" {
		phoneEnc = s.Keys.Encrypt(c.in.Phone)
	}
	// The first day a reminder stage can be due, NULL when the scan's read
	// by expiry finds it ('' when the expiry does not parse: the scan
	// computes it, as before it reads the licence).
	next := new("")
	if exp, err := calendar.ParseDate(c.in.ExpiresOn); err == nil {
		next = ruleOf(c.t).newNextDue(lg.cal, exp, s.today())
	}
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO licenses (type_id, department_id, number, entity_id, holder_name, holder_id_enc, holder_id_mask,
		holder_id_hash, phone_enc, phone_mask, issued_on, expires_on, status, elderly, disabled, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'active',$13,$14,$15,$15) RETURNING id`,
		c.t.ID, c.t.DepartmentID, c.in.Number, nullID(c.entityID), c.in.HolderName, idEnc, idMask, idHash, phoneEnc, maskPhone(c.in.Phone),
		c.in.IssuedOn, c.in.ExpiresOn, c.in.Elderly, c.in.Disabled, lg.now).Scan(&id)
	if err != nil {
		return fmt.Errorf("insert licence: %w", err)
	}
	if next != nil {
		if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO license_due (license_id, next_due) VALUES ($1, $2)", id, *next); err != nil {
			return fmt.Errorf("insert licence: %w", err)
		}
	}
	lg.report.Created++
	c.id = id
	return nil
}

// renewOlder marks, for each licence written in a batch, the active or
// lapsed licences of the same holder (entity, or ID number) and type that
// expire before it renewed by it. One lookup per holder kind per batch.
func (lg *ledger) renewOlder(ctx context.Context, batch []*checked) error {
	var ents, hashes []any
	for _, c := range batch {
		if c.entityID != 0 {
			ents = append(ents, c.entityID)
		} else {
			hashes = append(hashes, c.idHash)
		}
	}
	var held []heldLicense
	for _, q := range []struct {
		col  string
		args []any
	}{{"entity_id", ents}, {"holder_id_hash", hashes}} {
		if len(q.args) == 0 {
			continue
		}
		more, err := lg.held(ctx, "SELECT id, type_id, COALESCE(entity_id, 0), holder_id_hash, expires_on, status FROM licenses WHERE "+
			q.col+" IN ("+placeholders(1, len(q.args))+")", q.args)
		if err != nil {
			return err
		}
		held = append(held, more...)
	}
	for _, c := range batch {
		for i := range held {
			o := &held[i]
			same := o.typeID == c.t.ID && (c.entityID != 0 && o.entityID == c.entityID || c.entityID == 0 && o.idHash == c.idHash)
			if !same || o.id == c.id || o.expires >= c.in.ExpiresOn || (o.status != StatusActive && o.status != StatusLapsed) {
				continue
			}
			l, err := lg.s.licenseByID(ctx, o.id)
			if err != nil {
				return err
			}
			if err := lg.s.close(ctx, l, StatusRenewed, "import", c.id, "renewed by licence "+c.in.Number); err != nil {
				return err
			}
			o.status = StatusRenewed
			lg.report.Renewed++
		}
	}
	return nil
}

// heldLicense is a stored licence of a holder in the batch.
type heldLicense struct {
	id, typeID, entityID    int64
	idHash, expires, status string
}

func (lg *ledger) held(ctx context.Context, query string, args []any) ([]heldLicense, error) {
	rows, err := lg.s.DB.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []heldLicense
	for rows.Next() {
		var h heldLicense
		if err := rows.Scan(&h.id, &h.typeID, &h.entityID, &h.idHash, &h.expires, &h.status); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
