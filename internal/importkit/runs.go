package importkit

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"yingshang/internal/db"
)

// Run is one import as the platform records it: started when the file is
// opened, its progress reported while the rows are read, and finished in
// the import's transaction, which writes the imports row (so an import
// that is refused or rolled back leaves no record, and a committed one
// always has one).
type Run struct {
	Kind     string // the importing module: entity, credit, ...
	Filename string // as uploaded (at most 255 characters are kept)
	Mode     string
	By       int64 // the user, 0 for the system
	Started  time.Time

	mu         sync.Mutex
	progress   Progress
	onProgress func(Progress)
}

// Start begins a run. onProgress, when not nil, is called with the
// progress as it advances (from the goroutine that reads the rows).
func Start(kind, filename, mode string, by int64, now time.Time, onProgress func(Progress)) *Run {
	return &Run{Kind: kind, Filename: truncate(filename, 255), Mode: mode, By: by, Started: now, onProgress: onProgress}
}

// progressEvery is how many rows pass between two progress reports.
const progressEvery = 1000

// Advance reports the progress of the run: every progressEvery rows, at
// the first row and when the total is reached.
func (r *Run) Advance(p Progress) {
	r.mu.Lock()
	last := r.progress.Rows
	r.progress = p
	r.mu.Unlock()
	if r.onProgress != nil && (p.Rows/progressEvery != last/progressEvery || last == 0 || p.Rows == p.Total) {
		r.onProgress(p)
	}
}

// Progress returns the last progress reported.
func (r *Run) Progress() Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.progress
}

// Counts are what a finished import did with its rows.
type Counts struct {
	Total, Created, Updated, Unchanged, Bad int
}

// Finish records the run in the imports table, in the transaction of ctx
// (call it last in the import's transaction): its counts and the report
// as JSON. It sets rep.ImportID and returns the id.
func (r *Run) Finish(ctx context.Context, d *db.DB, c Counts, rep *Report) (int64, error) {
	var by any
	if r.By != 0 {
		by = r.By
	}
	report, err := json.Marshal(rep)
	if err != nil {
		return 0, err
	}
	var id int64
	err = d.Q(ctx).QueryRow(ctx, `INSERT INTO imports (kind, filename, mode, rows_total, rows_created, rows_updated,
		rows_bad, rows_unchanged, created_by, created_at, report) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		r.Kind, r.Filename, r.Mode, c.Total, c.Created, c.Updated, c.Bad, c.Unchanged, by, r.Started, string(report)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record the import: %w", err)
	}
	rep.ImportID = id
	return id, nil
}

// Record is a recorded import.
type Record struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Filename  string    `json:"filename"`
	Mode      string    `json:"mode"`
	Counts    Counts    `json:"counts"`
	By        int64     `json:"by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Report    *Report   `json:"report,omitempty"` // nil for imports recorded before reports were kept
}

// Get returns a recorded import (with db.IsNoRows true for an unknown id).
// Callers decide who may see it.
func Get(ctx context.Context, d *db.DB, id int64) (*Record, error) {
	var rec Record
	var by *int64
	var report *string
	err := d.Q(ctx).QueryRow(ctx, `SELECT id, kind, filename, mode, rows_total, rows_created, rows_updated, rows_bad, rows_unchanged,
		created_by, created_at, report FROM imports WHERE id = $1`, id).Scan(&rec.ID, &rec.Kind, &rec.Filename, &rec.Mode,
		&rec.Counts.Total, &rec.Counts.Created, &rec.Counts.Updated, &rec.Counts.Bad, &rec.Counts.Unchanged, &by, &rec.CreatedAt, &report)
	if err != nil {
		return nil, err
	}
	if by != nil {
		rec.By = *by
	}
	if report != nil && *report != "" {
		rec.Report = &Report{}
		if err := json.Unmarshal([]byte(*report), rec.Report); err != nil {
			return nil, fmt.Errorf("import %d: report: %w", id, err)
		}
	}
	rec.CreatedAt = rec.CreatedAt.UTC()
	return &rec, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
