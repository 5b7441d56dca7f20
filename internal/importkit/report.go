package importkit

import (
	"slices"
	"sync/atomic"
)

// MaxRowErrors is how many row errors a Report lists; the rest are
// counted (Errors) and Truncated is set.
const MaxRowErrors = 1000

// RowError is one problem of an imported row. Row is the row number the
// user sees (the header is row 1); Column the header as written in the
// file ("" for the whole row); Field the field key of the column.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Field  string `json:"field"`
	ZH     string `json:"message_zh"`
	EN     string `json:"message_en"`
}

// Report is the part of an import's outcome that every importer shares;
// importers embed it and add their own counts. It is JSON for the API and
// plain fields for the page.
type Report struct {
	Total     int        `json:"total"`  // non-empty data rows
	Bad       int        `json:"bad"`    // rows with at least one error
	Errors    int        `json:"errors"` // all errors, of which Rows lists the first MaxRowErrors
	Rows      []RowError `json:"rows"`
	Truncated bool       `json:"truncated"`
	Committed bool       `json:"committed"`           // the valid rows were written
	ImportID  int64      `json:"import_id,omitempty"` // the imports row, when committed and recorded
}

// NewReport returns an empty report (Rows is [] rather than null in JSON).
func NewReport() Report { return Report{Rows: []RowError{}} }

// AddBad records one bad row with its errors (at least one).
func (r *Report) AddBad(errs ...RowError) {
	r.Bad++
	for _, e := range errs {
		r.Errors++
		if len(r.Rows) >= MaxRowErrors {
			r.Truncated = true
			continue
		}
		if r.Rows == nil {
			r.Rows = []RowError{}
		}
		r.Rows = append(r.Rows, e)
	}
}

// SortRows orders the listed errors by row (stable within a row).
func (r *Report) SortRows() {
	slices.SortStableFunc(r.Rows, func(a, b RowError) int { return a.Row - b.Row })
}

// Refused reports whether an import in mode may write nothing.
func (r *Report) Refused(mode string) bool { return mode == ModeAllOrNothing && r.Bad > 0 }

// Progress is how far a long import is: Rows data rows read of Total
// (0 when unknown; for a CSV an estimate from the bytes read and the
// file's size, for a workbook the sheet's recorded dimension).
type Progress struct {
	Rows  int `json:"rows"`
	Total int `json:"total"`
}

// Percent is Rows/Total as a whole percentage (0 when Total is unknown).
func (p Progress) Percent() int {
	if p.Total <= 0 {
		return 0
	}
	return min(100, p.Rows*100/p.Total)
}

type progress struct {
	rows, total, read atomic.Int64
	size              int64
}

// Progress returns the rows read so far and the total, known or
// estimated. It may be called from another goroutine.
func (r *Reader) Progress() Progress {
	p := Progress{Rows: int(r.progress.rows.Load()), Total: int(r.progress.total.Load())}
	if read := r.progress.read.Load(); p.Total == 0 && r.progress.size > 0 && read > 0 && p.Rows > 0 {
		p.Total = int(float64(p.Rows) * float64(r.progress.size) / float64(min(read, r.progress.size)))
	}
	p.Total = max(p.Total, p.Rows)
	return p
}
