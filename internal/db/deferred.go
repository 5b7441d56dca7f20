package db

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A PostgreSQL transaction sends its statements late, so that a request's
// write transaction costs few round trips (issue 17): BEGIN goes to the
// server with the transaction's first statement, the statements queued
// with Defer go with the next statement that needs an answer (or with
// COMMIT), all in one pgx batch. The server runs them in order, as if each
// had been sent on its own; a failing one stops the batch and the
// transaction rolls back, its error reaching the caller of the statement
// that sent it (or of WithTx, for the statements sent with COMMIT).
// On SQLite nothing changes: Defer runs the statement at once.

// Defer runs a statement whose result the caller does not need (an INSERT
// or UPDATE of the transaction's own rows): in a PostgreSQL transaction it
// is queued and sent with the transaction's next statement or its COMMIT;
// elsewhere (SQLite, or outside a transaction) it runs at once with W(ctx).
// Its error then comes back from that later statement or from WithTx, so a
// caller that must tell an error of its own statement (a unique violation
// it maps to a message) must not defer it.
func (d *DB) Defer(ctx context.Context, query string, args ...any) error {
	if tx, ok := TxFrom(ctx); ok && tx.db == d {
		if pt, ok := tx.Querier.(*pgTx); ok && !d.Eager {
			pt.queueAppends()
			traceStmt(query)
			pt.queue = append(pt.queue, Stmt{SQL: query, Args: normalise(args)})
			return nil
		}
	}
	_, err := d.W(ctx).Exec(ctx, query, args...)
	return err
}

// DeferAll is Defer for several statements, in order.
func (d *DB) DeferAll(ctx context.Context, stmts []Stmt) error {
	if tx, ok := TxFrom(ctx); ok && tx.db == d {
		if _, ok := tx.Querier.(*pgTx); ok && !d.Eager {
			for _, st := range stmts {
				if err := d.Defer(ctx, st.SQL, st.Args...); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return d.ExecAll(ctx, stmts)
}

// pgTx is a PostgreSQL transaction that begins with its first statement
// and keeps the deferred statements until one is sent.
type pgTx struct {
	pool *pgxpool.Pool
	conn *pgxpool.Conn // nil until the transaction has begun
	tx   pgx.Tx
	// queue: deferred statements not yet sent.
	queue []Stmt
	owner *Tx
}

// send sends what is queued (with BEGIN first when the transaction has not
// begun) followed by extra, in one batch, and reads the results of all but
// the last unread statements of extra. It returns the open batch results
// positioned at those (the caller reads and closes them), or nil when
// unread is 0. On an error the batch is closed.
func (t *pgTx) send(ctx context.Context, extra []Stmt, unread int) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	begin := t.tx == nil
	if begin {
		if t.conn == nil {
			c, err := t.pool.Acquire(ctx)
			if err != nil {
				t.queue = nil
				return nil, err
			}
			t.conn = c
		}
		b.BeginTx(pgx.TxOptions{})
	}
	queued := t.queue
	t.queue = nil
	for _, st := range queued {
		b.Queue(st.SQL, st.Args...)
	}
	for _, st := range extra {
		b.Queue(st.SQL, st.Args...)
	}
	traceRoundTrip()
	br := t.conn.Conn().SendBatch(ctx, b)
	if begin {
		if tx := br.Tx(); tx != nil {
			t.tx = tx
			if t.owner != nil {
				t.owner.Raw = tx
			}
		}
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, err
		}
	}
	for i := 0; i < len(queued)+len(extra)-unread; i++ {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, err
		}
	}
	if unread == 0 {
		return nil, br.Close()
	}
	return br, nil
}

// flush makes sure the transaction has begun and nothing is queued.
func (t *pgTx) flush(ctx context.Context) error {
	t.queueAppends()
	if t.tx != nil && len(t.queue) == 0 {
		return nil
	}
	_, err := t.send(ctx, nil, 0)
	return err
}

func (t *pgTx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	t.queueAppends()
	traceStmt(query)
	args = normalise(args)
	if t.tx != nil && len(t.queue) == 0 {
		traceRoundTrip()
		tag, err := t.tx.Exec(ctx, query, args...)
		if err != nil {
			return 0, err
		}
		return tag.RowsAffected(), nil
	}
	br, err := t.send(ctx, []Stmt{{query, args}}, 1)
	if err != nil {
		return 0, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (t *pgTx) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	t.queueAppends()
	traceStmt(query)
	args = normalise(args)
	if t.tx != nil && len(t.queue) == 0 {
		traceRoundTrip()
		rows, err := t.tx.Query(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		return pgxRows{rows}, nil
	}
	br, err := t.send(ctx, []Stmt{{query, args}}, 1)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	return batchRows{pgxRows{rows}, br}, nil
}

func (t *pgTx) QueryRow(ctx context.Context, query string, args ...any) Row {
	t.queueAppends()
	traceStmt(query)
	args = normalise(args)
	if t.tx != nil && len(t.queue) == 0 {
		traceRoundTrip()
		return t.tx.QueryRow(ctx, query, args...)
	}
	br, err := t.send(ctx, []Stmt{{query, args}}, 1)
	if err != nil {
		return errRow{err}
	}
	return batchRow{br.QueryRow(), br}
}

// execAll runs stmts now, after what is queued, in one batch.
func (t *pgTx) execAll(ctx context.Context, stmts []Stmt) error {
	t.queueAppends()
	for i := range stmts {
		traceStmt(stmts[i].SQL)
		stmts[i].Args = normalise(stmts[i].Args)
	}
	_, err := t.send(ctx, stmts, 0)
	return err
}

// commit sends what is queued with COMMIT (nothing at all when the
// transaction never ran a statement) and gives back the connection.
func (t *pgTx) commit(ctx context.Context) error {
	t.queueAppends()
	if t.tx == nil && len(t.queue) == 0 {
		t.release()
		return nil
	}
	defer t.release()
	if len(t.queue) == 0 {
		traceRoundTrip()
		return t.tx.Commit(ctx)
	}
	extra := []Stmt{{SQL: "COMMIT"}}
	br, err := t.send(ctx, extra, 1)
	if err != nil {
		t.rollback(ctx)
		return err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.rollback(ctx)
		return err
	}
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// rollback ends the transaction if it is still open on the server and
// drops what is queued.
func (t *pgTx) rollback(ctx context.Context) {
	t.queue = nil
	if t.owner != nil {
		t.owner.appends = nil
	}
	if t.tx != nil && t.conn != nil && t.conn.Conn().PgConn().TxStatus() != 'I' {
		traceRoundTrip()
		if _, err := t.conn.Conn().Exec(ctx, "rollback"); err != nil {
			_ = t.conn.Conn().Close(ctx)
		}
	}
}

// release gives the connection back to the pool (which closes it when it
// is not idle outside a transaction).
func (t *pgTx) release() {
	if t.conn != nil {
		t.conn.Release()
		t.conn = nil
	}
}

// batchRow closes the batch once the row is scanned.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// batchRows closes the batch with the rows.
type batchRows struct {
	pgxRows
	br pgx.BatchResults
}

func (r batchRows) Close() {
	r.pgxRows.Close()
	_ = r.br.Close()
}

func (r batchRows) Err() error {
	return r.pgxRows.Err()
}

// Driver returns the driver's transaction (*sql.Tx for SQLite, pgx.Tx for
// PostgreSQL) for libraries such as the job queue that run statements in
// it, after sending what is queued (and BEGIN), so that they see the
// transaction's writes.
func (tx *Tx) Driver(ctx context.Context) (any, error) {
	if pt, ok := tx.Querier.(*pgTx); ok {
		if err := pt.flush(ctx); err != nil {
			return nil, err
		}
		return pt.tx, nil
	}
	if tx.Raw == nil {
		return nil, errors.New("db: transaction has no driver transaction")
	}
	if q, ok := tx.Querier.(sqlQ); ok {
		if err := q.writeAppends(ctx); err != nil {
			return nil, err
		}
	}
	return tx.Raw, nil
}
