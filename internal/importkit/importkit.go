// Package importkit is the one spreadsheet import path of the platform:
// every module that takes an .xlsx workbook or a .csv file (entities,
// credit records, licence ledgers, experts) reads it through here.
//
//   - Open recognises the file by its content (never by its name), checks
//     an .xlsx's zip central directory against Limits before anything is
//     inflated, detects a CSV's encoding (UTF-8 with or without BOM, UTF-16
//     LE/BE with BOM, else GB18030, a superset of GBK) and delimiter
//     (comma, tab, semicolon), and yields rows numbered as the user sees
//     them (the header is row 1).
//   - MapHeader matches the header row to a module's Columns by their
//     Chinese or English names and aliases, ignoring case, white space,
//     a "*" marking required columns and the width of brackets.
//   - Date, Int, Amount, YesNo and Enum read typed cells, the same way in
//     every module (dates include Excel serials in both date systems).
//   - Report collects the per-row errors (row, column, field, Chinese and
//     English message) that every importer returns; Progress is the figure
//     of a long import; Start/Run.Finish record a committed import in the
//     imports table, which this package owns.
//
// Errors: everything that makes the file unreadable as a table is a
// *yserr.Error with code invalid (or too_large for a limit), naming the
// "file" field, and for header problems the column as its Field.
package importkit

import (
	"fmt"

	"yingshang/internal/yserr"
)

// Import modes, shared by every importer.
const (
	ModeAllOrNothing = "all_or_nothing" // any bad row: nothing is written
	ModeValidOnly    = "valid_only"     // the valid rows are written
)

// CheckMode returns the mode with its default (all or nothing), or an
// error on the "mode" field.
func CheckMode(mode string) (string, error) {
	switch mode {
	case "":
		return ModeAllOrNothing, nil
	case ModeAllOrNothing, ModeValidOnly:
		return mode, nil
	}
	return "", yserr.Field("mode", "导入方式应为 all_or_nothing 或 valid_only", "mode must be all_or_nothing or valid_only")
}

// Limits bound what one import may cost. A zero field takes its default
// (DefaultLimits); a negative one means no limit.
type Limits struct {
	// Bytes is the largest file accepted, as uploaded (default 64 MiB).
	// A workbook is held in memory while it is read; a CSV is streamed.
	Bytes int64
	// Uncompressed is the largest sum of the uncompressed sizes of an
	// .xlsx's zip entries (default 512 MiB), checked in the zip's central
	// directory before anything is inflated and enforced again while
	// inflating (excelize's UnzipSizeLimit; archive/zip refuses an entry
	// that inflates to more than it declares).
	Uncompressed int64
	// Entries is the largest number of entries in an .xlsx (default 4096).
	Entries int
	// Ratio is the largest compression ratio (uncompressed / compressed)
	// of an .xlsx entry larger than 1 MiB uncompressed (default 200; real
	// worksheets compress 5-30 times, a zip bomb about 1000 times).
	Ratio int
	// Rows is the largest number of data rows, header excluded (default
	// 200,000).
	Rows int
	// Columns is the largest number of cells in a row (default 256).
	Columns int
	// CellChars is the longest cell in characters (default 32,767, the
	// most Excel stores in a cell).
	CellChars int
}

// DefaultLimits are the limits of a zero Limits field.
var DefaultLimits = Limits{
	Bytes:        64 << 20,
	Uncompressed: 512 << 20,
	Entries:      4096,
	Ratio:        200,
	Rows:         200_000,
	Columns:      256,
	CellChars:    32_767,
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.Bytes == 0 {
		l.Bytes = d.Bytes
	}
	if l.Uncompressed == 0 {
		l.Uncompressed = d.Uncompressed
	}
	if l.Entries == 0 {
		l.Entries = d.Entries
	}
	if l.Ratio == 0 {
		l.Ratio = d.Ratio
	}
	if l.Rows == 0 {
		l.Rows = d.Rows
	}
	if l.Columns == 0 {
		l.Columns = d.Columns
	}
	if l.CellChars == 0 {
		l.CellChars = d.CellChars
	}
	return l
}

// fileError is an error about the file as a whole, on the "file" field.
func fileError(code yserr.Code, zh, en string) *yserr.Error {
	return &yserr.Error{Code: code, ZH: zh, EN: en, Fields: []yserr.FieldError{{Field: "file", ZH: zh, EN: en}}}
}

func errNotSpreadsheet() *yserr.Error {
	return fileError(yserr.Invalid, "文件不是 .xlsx 工作簿或 .csv 表格，请使用导入模板",
		"the file is neither an .xlsx workbook nor a .csv table; use the import template")
}

func errLimit(zh, en string, args ...any) *yserr.Error {
	return fileError(yserr.TooLarge, fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...))
}

// HumanBytes writes a size as the limits are written ("64 MiB").
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
