// Package db opens the embedded SQLite database or PostgreSQL and gives the
// rest of Yingshang one small query interface over both.
//
// SQL is written once, with $1-style placeholders, which both engines accept.
// The few dialect differences (identity columns, timestamp and blob types)
// are tokens in the migration files, replaced in one named switch.
//
// The transaction travels in the context: WithTx starts one (or joins the
// one already in ctx) and Q(ctx) returns it, so a service method that
// changes data, appends to the audit chain and enqueues a job commits all
// three together or none.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Row is a single-row result.
type Row interface{ Scan(dest ...any) error }

// Rows is a multi-row result; Close must be called.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Querier runs SQL on a pool or inside a transaction.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// DB is an open database.
type DB struct {
	Dialect Dialect
	// SQLite: one writer connection (writes are serialised by SQLite anyway,
	// and one connection avoids SQLITE_BUSY) and a pool of read-only readers.
	Writer *sql.DB
	Reader *sql.DB
	// PostgreSQL.
	Pool *pgxpool.Pool

	// Eager makes PostgreSQL transactions begin at once and Defer run at
	// once, as before deferred statements (deferred.go): for tests that
	// compare what the two write.
	Eager bool

	path string // SQLite file
	// SQLite: prepared statements by SQL text, so that a statement is
	// parsed once per connection and not on every call (see stmtCache).
	writeStmts, readStmts *stmtCache
	// SQLite: the change poller's own read-only connection (Changes.poll).
	poller      *sql.DB
	pollerStmts *stmtCache
	// changes keeps in-memory caches true (changes.go).
	changes *Changes
}

// Open connects to url: "" or "sqlite:PATH" for SQLite (default
// DATA_DIR/yingshang.db), "postgres://..." for PostgreSQL.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return openPostgres(ctx, url)
	}
	path := strings.TrimPrefix(url, "sqlite:")
	if path == "" {
		// The directory holds the database, the generated keys and the
		// uploads: the service account alone may read it.
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		if err := restrict(dataDir, 0o700); err != nil {
			return nil, err
		}
		path = filepath.Join(dataDir, "yingshang.db")
	}
	return openSQLite(ctx, path)
}

// restrict removes group and other permissions from path (a directory
// or a file created before this release with wider ones).
func restrict(path string, mode os.FileMode) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, mode); err != nil {
			return fmt.Errorf("restrict the permissions of %s: %w", path, err)
		}
	}
	return nil
}

// createPrivate creates the SQLite file readable by its owner only before
// the driver opens it (SQLite gives its -wal and -shm files the database
// file's permissions), and narrows an existing file's permissions.
func createPrivate(path string) error {
	if path == ":memory:" || strings.HasPrefix(path, "file:") || strings.Contains(path, "?") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create SQLite database %s: %w", path, err)
	}
	f.Close()
	return restrict(path, 0o600)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	// busy_timeout first, so that every later pragma already waits on locks.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	// The writer gets a larger page cache (64 MiB) and in-memory temporary
	// storage: bulk imports write hundreds of thousands of rows in one
	// transaction.
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	// Keep every reader open: database/sql keeps only 2 idle connections
	// by default, so under concurrent requests the others were closed and
	// reopened (pragmas and all) on every query (15% of an appeal
	// intake's CPU, issue 17).
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	r.SetMaxIdleConns(max(4, runtime.NumCPU()))
	r.SetConnMaxLifetime(0)
	// The change poller reads change_gens every 200 ms. In WAL mode a
	// connection's first read after another connection's commit empties
	// its page cache, so on a shared reader each poll during a busy write
	// freed a reader's cache (up to 2 MiB, given back to the OS page by
	// page: 7 % of a licence day scan's CPU at 10,000,000 licences, issue
	// 17). Its own connection with a small cache frees next to nothing and
	// leaves the readers' caches to their queries.
	p, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)&_pragma=cache_size(-64)")
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	p.SetMaxOpenConns(1)
	p.SetMaxIdleConns(1)
	p.SetConnMaxLifetime(0)
	d := &DB{Dialect: SQLite, Writer: w, Reader: r, path: path, writeStmts: newStmtCache(w), readStmts: newStmtCache(r),
		poller: p, pollerStmts: newStmtCache(p)}
	d.changes = newChanges(d)
	if err := d.Ping(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	return d, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	if !strings.Contains(url, "pool_max_conns") {
		// pgx's default (the larger of 4 and the core count) leaves 8
		// concurrent requests queueing for a connection while the server
		// waits on its WAL flushes; four per core keeps the server busy
		// without crowding it (issue 17). pool_max_conns=N in the URL wins.
		cfg.MaxConns = int32(PoolSize(runtime.NumCPU()))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	d := &DB{Dialect: Postgres, Pool: pool}
	d.changes = newChanges(d)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL at %s:%d is not reachable: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return d, nil
}

// PoolSize is the default PostgreSQL pool size for a machine of cores
// cores: four connections per core, at least 8 and at most 64.
func PoolSize(cores int) int { return min(64, max(8, 4*cores)) }

// Close releases all connections.
func (d *DB) Close() {
	if d.changes != nil {
		d.changes.close()
	}
	if d.Pool != nil {
		d.Pool.Close()
	}
	d.writeStmts.close()
	d.readStmts.close()
	d.pollerStmts.close()
	if d.poller != nil {
		d.poller.Close()
	}
	if d.Writer != nil {
		d.Writer.Close()
	}
	if d.Reader != nil {
		d.Reader.Close()
	}
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if d.Dialect == Postgres {
		return d.Pool.Ping(ctx)
	}
	if err := d.Writer.PingContext(ctx); err != nil {
		return err
	}
	return d.Reader.PingContext(ctx)
}

// Path is the SQLite file ("" for PostgreSQL).
func (d *DB) Path() string { return d.path }

// Maintain runs periodic housekeeping: a WAL checkpoint and the query
// planner's optimize on SQLite; nothing on PostgreSQL (autovacuum does it).
func (d *DB) Maintain(ctx context.Context) error {
	if d.Dialect != SQLite {
		return nil
	}
	if _, err := d.Writer.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return err
	}
	_, err := d.Writer.ExecContext(ctx, "PRAGMA optimize")
	return err
}

type txKey struct{}

// Tx is a transaction carried in a context.
type Tx struct {
	Querier
	// Raw is the driver's transaction (*sql.Tx for SQLite, pgx.Tx for
	// PostgreSQL once it has begun): use Driver, which sends the deferred
	// statements first.
	Raw any
	db  *DB
	// afterCommit callbacks run once the outermost transaction commits.
	afterCommit []func()
	// changed are the change topics this transaction wrote (Changed):
	// caches of those topics are not used inside it.
	changed map[string]bool
	// unprepared are the statements this SQLite transaction ran without a
	// cached prepared statement; they are prepared after it ends.
	unprepared []string
	// appends are the rows appended (Append) and not yet written.
	appends []*appendBuf
	// locals are the values kept by Local; beforeCommit the functions
	// registered by BeforeCommit.
	locals       map[localKey]any
	beforeCommit []func(ctx context.Context) error
	// calls is how many Group calls share the transaction (0: not a
	// group's).
	calls int
}

// prepareUnprepared caches the statements the (ended) transaction ran
// unprepared, now that the writer connection is free again.
func (tx *Tx) prepareUnprepared(ctx context.Context) {
	for _, q := range tx.unprepared {
		tx.db.writeStmts.prepare(ctx, q)
	}
	tx.unprepared = nil
}

// TxFrom returns the transaction in ctx, if any.
func TxFrom(ctx context.Context) (*Tx, bool) {
	tx, ok := ctx.Value(txKey{}).(*Tx)
	return tx, ok && tx != nil
}

// WithoutTx returns ctx without its transaction: what runs in it runs
// outside (a transaction of its own that must commit whatever the
// caller's does).
func WithoutTx(ctx context.Context) context.Context {
	if _, ok := TxFrom(ctx); !ok {
		return ctx
	}
	return context.WithValue(ctx, txKey{}, (*Tx)(nil))
}

// AfterCommit registers fn to run after the transaction in ctx commits (or
// at once when there is none). Use it only for in-memory effects such as
// cache invalidation: durable side effects belong in a job inserted in the
// transaction itself.
func AfterCommit(ctx context.Context, fn func()) {
	if tx, ok := TxFrom(ctx); ok {
		tx.afterCommit = append(tx.afterCommit, fn)
		return
	}
	fn()
}

// Q returns the transaction in ctx, or a reader (SQLite) / the pool
// (PostgreSQL) outside one.
func (d *DB) Q(ctx context.Context) Querier {
	if tx, ok := TxFrom(ctx); ok && tx.db == d {
		return tx
	}
	if d.Dialect == Postgres {
		return pgxQ{d.Pool}
	}
	return sqlQ{r: d.Reader, c: d.readStmts}
}

// W returns the transaction in ctx, or the writer outside one: for a single
// write statement that needs no transaction.
func (d *DB) W(ctx context.Context) Querier {
	if tx, ok := TxFrom(ctx); ok && tx.db == d {
		return tx
	}
	if d.Dialect == Postgres {
		return pgxQ{d.Pool}
	}
	return sqlQ{r: d.Writer, c: d.writeStmts}
}

// WithTx runs fn in a transaction, joining the one already in ctx if any.
// The transaction commits when fn returns nil and rolls back otherwise
// (also on panic).
func (d *DB) WithTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if tx, ok := TxFrom(ctx); ok && tx.db == d {
		return fn(ctx)
	}
	tx := &Tx{db: d}
	traceStmt("BEGIN")
	var commit func() error
	var rollback func()
	if d.Dialect == Postgres {
		// BEGIN goes with the first statement (deferred.go); Raw is set
		// then (Driver begins when a library needs it first).
		pt := &pgTx{pool: d.Pool, owner: tx}
		tx.Querier = pt
		if d.Eager {
			if err := pt.flush(ctx); err != nil {
				pt.release()
				return fmt.Errorf("begin: %w", err)
			}
		}
		commit = func() error { return pt.commit(ctx) }
		rollback = func() {
			pt.rollback(context.WithoutCancel(ctx))
			pt.release()
		}
	} else {
		stx, err := d.Writer.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		tx.Querier, tx.Raw = sqlQ{r: stx, c: d.writeStmts, tx: stx, owner: tx}, stx
		commit = stx.Commit
		rollback = func() { _ = stx.Rollback() }
	}
	defer func() {
		if p := recover(); p != nil {
			rollback()
			panic(p)
		}
	}()
	txCtx := context.WithValue(ctx, txKey{}, tx)
	err = fn(txCtx)
	for i := 0; err == nil && i < len(tx.beforeCommit); i++ {
		err = tx.beforeCommit[i](txCtx)
	}
	if err == nil {
		if q, ok := tx.Querier.(sqlQ); ok {
			err = q.writeAppends(txCtx)
		}
	}
	if err != nil {
		rollback()
		tx.prepareUnprepared(ctx)
		return err
	}
	traceStmt("COMMIT")
	if err := commit(); err != nil {
		tx.prepareUnprepared(ctx)
		return fmt.Errorf("commit: %w", err)
	}
	tx.prepareUnprepared(ctx)
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// IsNoRows reports whether err means a query returned no row.
func IsNoRows(err error) bool {
	return errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows)
}

// IsUnique reports whether err is a unique-constraint violation.
func IsUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKey reports whether err is a foreign-key violation.
func IsForeignKey(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// normalise converts arguments to what both engines store the same way:
// times in UTC.
func normalise(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = v.UTC()
		case *time.Time:
			if v != nil {
				args[i] = v.UTC()
			} else {
				args[i] = nil
			}
		}
	}
	return args
}

// database/sql (SQLite)

type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlQ runs SQL on a *sql.DB or *sql.Tx (r), through the statement cache
// c when the statement is cacheable; tx is set when r is a transaction.
type sqlQ struct {
	r  sqlRunner
	c  *stmtCache
	tx *sql.Tx
	// owner is the transaction, which prepares the statements it ran
	// unprepared once it has committed and given back the connection.
	owner *Tx
}

// runner returns what runs query: a cached prepared statement (bound to
// the transaction when there is one) or r itself.
func (q sqlQ) runner(ctx context.Context, query string) (sqlRunner, func()) {
	if q.c == nil {
		return q.r, func() {}
	}
	if q.tx != nil {
		st := q.c.lookup(query)
		if st == nil {
			// Preparing now would need a second writer connection:
			// prepare it after the commit.
			q.owner.unprepared = append(q.owner.unprepared, query)
			return q.r, func() {}
		}
		ts := q.tx.StmtContext(ctx, st)
		return stmtRunner{ts}, func() { ts.Close() }
	}
	if st := q.c.prepare(ctx, query); st != nil {
		return stmtRunner{st}, func() {}
	}
	return q.r, func() {}
}

func (q sqlQ) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if err := q.writeAppends(ctx); err != nil {
		return 0, err
	}
	traceStmt(query)
	r, done := q.runner(ctx, query)
	defer done()
	res, err := r.ExecContext(ctx, query, normalise(args)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqlQ) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	if err := q.writeAppends(ctx); err != nil {
		return nil, err
	}
	traceStmt(query)
	r, done := q.runner(ctx, query)
	rows, err := r.QueryContext(ctx, query, normalise(args)...)
	if err != nil {
		done()
		return nil, err
	}
	return sqlRows{rows, done}, nil
}

func (q sqlQ) QueryRow(ctx context.Context, query string, args ...any) Row {
	if err := q.writeAppends(ctx); err != nil {
		return errRow{err}
	}
	traceStmt(query)
	r, done := q.runner(ctx, query)
	return closingRow{r.QueryRowContext(ctx, query, normalise(args)...), done}
}

// closingRow releases a transaction's statement handle after Scan.
type closingRow struct {
	row  *sql.Row
	done func()
}

func (r closingRow) Scan(dest ...any) error {
	defer r.done()
	return r.row.Scan(dest...)
}

type sqlRows struct {
	*sql.Rows
	done func()
}

func (r sqlRows) Close() {
	_ = r.Rows.Close()
	r.done()
}

// pgx (PostgreSQL)

type pgxRunner interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type pgxQ struct{ r pgxRunner }

func (q pgxQ) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	traceStmt(query)
	traceRoundTrip()
	tag, err := q.r.Exec(ctx, query, normalise(args)...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (q pgxQ) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	traceStmt(query)
	traceRoundTrip()
	rows, err := q.r.Query(ctx, query, normalise(args)...)
	if err != nil {
		return nil, err
	}
	return pgxRows{rows}, nil
}

func (q pgxQ) QueryRow(ctx context.Context, query string, args ...any) Row {
	traceStmt(query)
	traceRoundTrip()
	return q.r.QueryRow(ctx, query, normalise(args)...)
}

type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() { r.Rows.Close() }

// Stmt is one statement of ExecAll.
type Stmt struct {
	SQL  string
	Args []any
}

// ExecAll runs the statements in order with W(ctx) (the transaction in ctx,
// or the writer), stopping at the first error. On PostgreSQL they go to the
// server as one batch: one round trip instead of one per statement, still
// run one after another in the given order (so row locks are taken in that
// order). On SQLite each runs in turn (prepared, no round trips).
func (d *DB) ExecAll(ctx context.Context, stmts []Stmt) error {
	if len(stmts) == 0 {
		return nil
	}
	q := d.W(ctx)
	if tx, ok := q.(*Tx); ok {
		q = tx.Querier
	}
	if pt, ok := q.(*pgTx); ok {
		return pt.execAll(ctx, stmts)
	}
	pq, ok := q.(pgxQ)
	if !ok || len(stmts) == 1 {
		for _, st := range stmts {
			if _, err := q.Exec(ctx, st.SQL, st.Args...); err != nil {
				return err
			}
		}
		return nil
	}
	b := &pgx.Batch{}
	for _, st := range stmts {
		traceStmt(st.SQL)
		b.Queue(st.SQL, normalise(st.Args)...)
	}
	traceRoundTrip()
	res := pq.r.SendBatch(ctx, b)
	for range stmts {
		if _, err := res.Exec(); err != nil {
			res.Close()
			return err
		}
	}
	return res.Close()
}

// Int64s runs a query whose rows are one integer column (usually ids) and
// returns the values in the query's order.
func Int64s(ctx context.Context, q Querier, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
