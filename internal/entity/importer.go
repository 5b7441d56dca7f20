package entity

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/importkit"
	"yingshang/internal/yserr"
)

// importBatch is how many rows are looked up and written per statement:
// 500 rows of 21 values stay far below SQLite's limit of 32766 variables
// and PostgreSQL's 65535.
const importBatch = 500

// Import reads entities from an .xlsx workbook (the sheet named 经营主体,
// or the first sheet) or a .csv file (UTF-8, UTF-16 or GB18030/GBK; comma,
// tab or semicolon) in the layout of Columns, through the import kit
// (importLimits), and creates or updates them by USCC. The file is
// recognised by its content; filename is only recorded.
//
// A file that cannot be read as a table, a missing required column, an
// unknown or repeated column is an error (code invalid, Field naming the
// column) and nothing is written. Otherwise every row is checked and the
// report lists the bad ones with their row number and column. With
// ModeAllOrNothing nothing is written if any row is bad; with
// ModeValidOnly the valid rows are written. Everything is written in one
// transaction, with one imports row and one audit event
// ("entity.import"), so an interrupted import leaves nothing behind. (On
// SQLite the transaction holds the write lock while the file is read.)
//
// A row whose USCC is already registered updates that entity, keeping its
// managing department; a row identical to the stored entity counts as
// unchanged. A masked ID number or phone (as exported to callers who may
// not see them) keeps the stored value. A USCC repeated in the file makes
// the later row bad. Department users may update only entities managed by
// a department in their scope (or by none). Memory use does not grow with
// the rows, except for about 40 bytes per row to detect repeated codes.
func (s *Service) Import(ctx context.Context, r io.Reader, filename string, opts ImportOptions) (*ImportReport, error) {
	a, err := auth.Require(ctx, writeRoles...)
	if err != nil {
		return nil, err
	}
	if opts.Mode, err = importkit.CheckMode(opts.Mode); err != nil {
		return nil, err
	}
	if _, inTx := db.TxFrom(ctx); inTx && !opts.DryRun {
		// Joining the caller's transaction would let the rows written
		// before a refusal commit with it.
		return nil, errors.New("entity.Import must not be called inside a transaction")
	}
	dept, err := newDepartment(a, 0)
	if err != nil {
		return nil, err
	}
	src, err := importkit.Open(r, importkit.Options{Sheets: []string{SheetName}, Limits: importLimits, Size: opts.Size})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	h, err := readHeader(src)
	if err != nil {
		return nil, err
	}
	now := s.now()
	imp := &importer{s: s, actor: a, dept: dept, opts: opts, src: src, header: h, now: now,
		rec:  importkit.Start("entity", filename, opts.Mode, a.UserID, now, opts.Progress),
		seen: map[usccKey]int32{}, report: &ImportReport{Report: importkit.NewReport()}}
	if opts.DryRun {
		if err := imp.run(ctx); err != nil {
			return nil, err
		}
		return imp.report, nil
	}
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := imp.run(ctx); err != nil {
			return err
		}
		if imp.refused() {
			return errRefused
		}
		return imp.finish(ctx)
	})
	if errors.Is(err, errRefused) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if imp.report.Committed && imp.report.Created+imp.report.Updated >= cmp.Or(s.AnalyzeAfter, DefaultAnalyzeAfter) {
		s.analyze(ctx)
	}
	return imp.report, nil
}

// DefaultAnalyzeAfter is how many rows an import must create or update
// for the entity tables to be vacuumed and analysed when it commits
// (PostgreSQL; Service.AnalyzeAfter).
const DefaultAnalyzeAfter = 10000

// analyze vacuums and analyses the entity tables on PostgreSQL after a
// large import. Autovacuum would, but only once its next round finds the
// tables past its thresholds (and never where an operator has turned it
// off). Until then the planner sees the tables as they were before the
// import, every page the import wrote still has to be visited to check
// its rows' visibility (the visibility map is empty, so the name indexes'
// index-only scans read the table), and the trigram index keeps the
// import's last entries in its pending list, which every search reads
// through. Searching a register just imported took 60-160 ms at the 99th
// percentile at 1,000,000 entities, 7-40 ms after this (docs/benchmarks.md,
// "Session 16"); ANALYZE alone did not help. VACUUM visits only the pages
// not yet all-visible (2.9 s after a first import of 1,000,000) and
// blocks neither reads nor writes. The import has committed: a failure is
// logged, not returned, and a caller that stops waiting does not stop it.
// SQLite has neither visibility maps nor pending lists, and keeps no
// statistics unless ANALYZE is run; its plans were chosen without them.
func (s *Service) analyze(ctx context.Context) {
	if s.DB.Dialect != db.Postgres {
		return
	}
	ctx = context.WithoutCancel(ctx)
	start := time.Now()
	if _, err := s.DB.Q(ctx).Exec(ctx, "VACUUM (ANALYZE) entities, entity_name_bigrams"); err != nil {
		slog.Error("entity: vacuuming the tables after an import", "err", err)
		return
	}
	slog.Info("entity: tables vacuumed and analysed after an import", "took", time.Since(start).Round(time.Millisecond))
}

// errRefused rolls back an all_or_nothing import with bad rows.
var errRefused = errors.New("import refused: bad rows")

// importer is the state of one import. seen belongs to the reading
// goroutine, batch and report to the writing one.
type importer struct {
	s      *Service
	actor  *auth.Actor
	dept   int64 // managing department of created entities
	opts   ImportOptions
	src    *importkit.Reader
	header *importkit.Header
	rec    *importkit.Run
	now    time.Time
	seen   map[usccKey]int32 // USCC -> first row
	batch  []pendingRow      // the valid rows of the chunk being written
	report *ImportReport
}

// pendingRow is a valid row waiting for its batch.
type pendingRow struct {
	row       int
	in        Input
	idMask    string // masked LegalRepID given in the file, to resolve
	phoneMask string
}

// refused reports whether nothing may be written.
func (imp *importer) refused() bool { return imp.report.Refused(imp.opts.Mode) }

func (imp *importer) writing() bool { return !imp.opts.DryRun && !imp.refused() }

// chunk is what the reading goroutine hands to the writing one: up to
// importBatch checked rows, the bad rows among them, and how many
// non-empty rows were read.
type chunk struct {
	rows  []pendingRow
	bad   []badRow
	total int
	err   error // reading failed
}

type badRow struct {
	row  int
	errs []yserr.FieldError
}

// run reads and checks the rows in one goroutine while this one looks up
// and writes them batch by batch, so that parsing and database work
// overlap.
func (imp *importer) run(ctx context.Context) error {
	rctx, cancel := context.WithCancel(ctx)
	chunks := make(chan chunk, 2)
	go imp.read(rctx, chunks)
	defer func() {
		cancel()
		for range chunks { // wait until the reader has stopped
		}
	}()
	for c := range chunks {
		imp.report.Total += c.total
		for _, b := range c.bad {
			imp.bad(b.row, b.errs...)
		}
		if c.err != nil {
			return c.err
		}
		imp.batch = c.rows
		if err := imp.flush(ctx); err != nil {
			return err
		}
	}
	imp.report.SortRows()
	return ctx.Err()
}

// read reads and checks every row and sends them in chunks; it closes out
// when done or when ctx is cancelled.
func (imp *importer) read(ctx context.Context, out chan<- chunk) {
	defer close(out)
	var c chunk
	send := func() bool {
		select {
		case out <- c:
			c = chunk{}
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		num, cells, err := imp.src.Next()
		if err == io.EOF {
			send()
			return
		}
		if err != nil {
			c.err = err
			send()
			return
		}
		imp.rec.Advance(imp.src.Progress())
		if importkit.Blank(cells) {
			continue
		}
		c.total++
		if p, errs := imp.check(num, cells); len(errs) > 0 {
			c.bad = append(c.bad, badRow{num, errs})
		} else {
			c.rows = append(c.rows, p)
		}
		if (len(c.rows) == importBatch || len(c.bad) == importBatch) && !send() {
			return
		}
	}
}

// check parses and validates one row, returning its errors.
func (imp *importer) check(num int, cells []string) (pendingRow, []yserr.FieldError) {
	in, errs := parse(imp.header, cells, imp.src.Date1904())
	p := pendingRow{row: num}
	if isMasked(in.LegalRepID) {
		p.idMask, in.LegalRepID = in.LegalRepID, ""
	}
	if isMasked(in.Phone) {
		p.phoneMask, in.Phone = in.Phone, ""
	}
	if err := in.ValidateAt(imp.now); err != nil {
		errs = append(errs, yserr.As(err).Fields...)
	}
	if key, ok := packUSCC(in.USCC); ok && !hasField(errs, FieldUSCC) {
		if first, dup := imp.seen[key]; dup {
			errs = append(errs, yserr.FieldError{Field: FieldUSCC,
				ZH: fmt.Sprintf("与第 %d 行的统一社会信用代码重复", first), EN: fmt.Sprintf("duplicate of row %d", first)})
		} else {
			imp.seen[key] = int32(num)
		}
	}
	p.in = in
	return p, errs
}

// columnOrder is the position of a field's column (fields without a
// column go last).
func columnOrder(field string) int {
	if c, ok := fieldColumn[field]; ok {
		return c
	}
	return len(Columns)
}

func hasField(errs []yserr.FieldError, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// bad records the errors of one row, in column order.
func (imp *importer) bad(row int, errs ...yserr.FieldError) {
	slices.SortStableFunc(errs, func(a, b yserr.FieldError) int { return columnOrder(a.Field) - columnOrder(b.Field) })
	out := make([]RowError, len(errs))
	for i, e := range errs {
		out[i] = RowError{Row: row, Column: imp.header.Column(e.Field), Field: e.Field, ZH: e.ZH, EN: e.EN}
	}
	imp.report.AddBad(out...)
}

// flush looks up the stored entities of the batch, classifies each row as
// created, updated, unchanged or bad, and writes the created and updated
// ones in one statement.
func (imp *importer) flush(ctx context.Context) error {
	if len(imp.batch) == 0 {
		return nil
	}
	existing, err := imp.lookup(ctx)
	if err != nil {
		return err
	}
	var args []any
	n := 0
	for i := range imp.batch {
		p := &imp.batch[i]
		dept, write, ok := imp.classify(p, existing[p.in.USCC])
		if ok && write {
			args = append(append(args, imp.s.rowArgs(&p.in, dept)...), imp.now, imp.now)
			n++
		}
	}
	imp.batch = imp.batch[:0]
	if n == 0 || !imp.writing() {
		return nil
	}
	// An upsert may change entities Get has cached.
	if err := imp.s.DB.Changed(ctx, topicEntities); err != nil {
		return err
	}
	rows, err := imp.s.DB.Q(ctx).Query(ctx, insertHead+valuesSQL(imp.s.DB.Dialect, n)+upsertTail+" RETURNING id, uscc, name", args...)
	if err != nil {
		return fmt.Errorf("write entities: %w", err)
	}
	var ids, stale []int64
	names := map[int64]string{}
	for rows.Next() {
		var id int64
		var uscc, name string
		if err := rows.Scan(&id, &uscc, &name); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
		if old := existing[uscc]; old == nil || old.Name != name {
			names[id] = name // new or renamed: its bigrams change
			if old != nil {
				stale = append(stale, id)
			}
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return fmt.Errorf("write entities: %w", err)
	}
	if err := imp.s.indexNames(ctx, names, stale); err != nil {
		return fmt.Errorf("write entities: %w", err)
	}
	// Each written entity gets its own event, so that its audit trail (and
	// the deep check's state digest) follows the import; the batch's
	// events are written together (one event at a time was a round trip
	// per row on PostgreSQL).
	entries := make([]audit.Entry, len(ids))
	for i, id := range ids {
		entries[i] = audit.Entry{Action: "entity.import_write", ObjectType: "entity", ObjectID: strconv.FormatInt(id, 10),
			Detail: "written by an import"}
	}
	return imp.s.Audit.RecordAll(ctx, entries)
}

// lookup loads the stored entities with the USCCs of the batch.
func (imp *importer) lookup(ctx context.Context) (map[string]*stored, error) {
	args := make([]any, len(imp.batch))
	for i, p := range imp.batch {
		args[i] = p.in.USCC
	}
	out := make(map[string]*stored, len(imp.batch))
	err := imp.s.each(ctx, "SELECT "+selectCols+" FROM entities WHERE uscc IN "+imp.s.DB.Dialect.List(1, len(args)), args,
		func(st *stored) error {
			c := *st
			out[st.USCC] = &c
			return nil
		})
	return out, err
}

// classify decides what a valid row does. It returns the managing
// department to write, whether the row must be written, and false when the
// row turned out bad.
func (imp *importer) classify(p *pendingRow, st *stored) (int64, bool, bool) {
	rep := imp.report
	if st == nil {
		if p.idMask != "" || p.phoneMask != "" {
			imp.bad(p.row, yserr.As(errMaskedNew(Input{LegalRepID: p.idMask, Phone: p.phoneMask})).Fields...)
			return 0, false, false
		}
		rep.Created++
		return imp.dept, true, true
	}
	old, err := imp.s.input(st)
	if err != nil {
		imp.bad(p.row, yserr.FieldError{Field: FieldUSCC, ZH: "已登记的记录无法解密，请联系管理员", EN: "the stored record cannot be decrypted; contact the administrator"})
		return 0, false, false
	}
	in := p.in
	in.LegalRepID, in.Phone = orMasked(p.in.LegalRepID, p.idMask), orMasked(p.in.Phone, p.phoneMask)
	if err := keepMasked(&in, st, &old); err != nil {
		imp.bad(p.row, yserr.As(err).Fields...)
		return 0, false, false
	}
	p.in.LegalRepID, p.in.Phone = in.LegalRepID, in.Phone
	if sameData(&old, &p.in) {
		rep.Unchanged++
		return st.DepartmentID, false, true
	}
	if !mayWrite(imp.actor, st.DepartmentID) {
		e := errOtherDept()
		imp.bad(p.row, yserr.FieldError{Field: FieldUSCC, ZH: e.ZH, EN: e.EN})
		return 0, false, false
	}
	rep.Updated++
	return st.DepartmentID, true, true
}

func orMasked(plain, masked string) string {
	if masked != "" {
		return masked
	}
	return plain
}

// finish records the import (importkit's imports row) and its audit
// event.
func (imp *importer) finish(ctx context.Context) error {
	rep := imp.report
	rep.Committed = true
	id, err := imp.rec.Finish(ctx, imp.s.DB, importkit.Counts{Total: rep.Total, Created: rep.Created, Updated: rep.Updated,
		Unchanged: rep.Unchanged, Bad: rep.Bad}, &rep.Report)
	if err != nil {
		return err
	}
	detail, _ := json.Marshal(map[string]any{"filename": imp.rec.Filename, "mode": imp.opts.Mode, "total": rep.Total,
		"created": rep.Created, "updated": rep.Updated, "unchanged": rep.Unchanged, "bad": rep.Bad})
	return imp.s.Audit.Record(ctx, "entity.import", "import", strconv.FormatInt(id, 10), nil, nil, string(detail))
}

// usccKey is a USCC packed into 90 bits (18 characters of a 31-character
// set, 5 bits each), to remember the codes of a large file compactly.
type usccKey [2]uint64

func packUSCC(code string) (usccKey, bool) {
	var k usccKey
	if len(code) != ident.USCCLength {
		return k, false
	}
	for i := 0; i < len(code); i++ {
		v := strings.IndexByte(ident.USCCCharset, code[i])
		if v < 0 {
			return k, false
		}
		k[i/12] = k[i/12]<<5 | uint64(v)
	}
	return k, true
}
