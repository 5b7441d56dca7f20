package db

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// Appended rows and commit hooks (issue 17). Several requests that share a
// transaction (Group) each insert a row into the same tables: an appeal,
// its timeline step, its audit event. Sent one by one they cost the
// database a statement each; Append keeps the rows of a transaction
// together and writes them as one multi-row INSERT per table.

// Expr is a value of Append written into the statement as SQL instead of
// sent as a parameter (a function call such as pg_current_xact_id()).
type Expr string

// appendBuf is the rows appended to one table (with one column list) not
// yet written.
type appendBuf struct {
	table string
	cols  []string
	rows  [][]any
}

// maxParams bounds the parameters of one multi-row INSERT (PostgreSQL
// allows 65,535, SQLite 32,766).
const maxParams = 30000

// Append inserts a row into table (cols and vals in the same order). In a
// transaction the row is kept and written, with the rows appended to the
// same table after it, by one multi-row INSERT before the transaction's
// next other statement or its commit: consecutive appends to several
// tables are written table by table, each table at the place of its first
// row. Use it for new rows that nothing reads before then, and never for a
// row that references a row of a table first appended after its own table
// (that row would then be written second). Outside a transaction the row
// is inserted at once. As with Defer, an error of the INSERT comes back
// from the statement or commit that writes it.
func (d *DB) Append(ctx context.Context, table string, cols []string, vals ...any) error {
	tx, ok := TxFrom(ctx)
	if !ok || tx.db != d || d.Eager {
		st := InsertRows(table, cols, [][]any{vals}, "")
		return d.Defer(ctx, st.SQL, st.Args...)
	}
	for _, b := range tx.appends {
		if b.table == table && slices.Equal(b.cols, cols) {
			b.rows = append(b.rows, vals)
			return nil
		}
	}
	tx.appends = append(tx.appends, &appendBuf{table: table, cols: cols, rows: [][]any{vals}})
	return nil
}

// takeAppends returns the transaction's appended rows as statements (one
// per table, or more when a table has very many rows) and forgets them.
func (tx *Tx) takeAppends() []Stmt {
	if len(tx.appends) == 0 {
		return nil
	}
	var out []Stmt
	for _, b := range tx.appends {
		per := max(1, maxParams/len(b.cols))
		for i := 0; i < len(b.rows); i += per {
			out = append(out, InsertRows(b.table, b.cols, b.rows[i:min(len(b.rows), i+per)], ""))
		}
	}
	tx.appends = nil
	return out
}

// InsertRows is the multi-row INSERT of rows into table (each row's values
// in the order of cols; an Expr is written as SQL), followed by tail (an
// ON CONFLICT clause, or ""). The caller keeps the parameters under the
// engines' limits (maxParams).
func InsertRows(table string, cols []string, rows [][]any, tail string) Stmt {
	var sb strings.Builder
	sb.WriteString("INSERT INTO ")
	sb.WriteString(table)
	sb.WriteString(" (")
	sb.WriteString(strings.Join(cols, ", "))
	sb.WriteString(") VALUES ")
	args := make([]any, 0, len(rows)*len(cols))
	for i, row := range rows {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				sb.WriteString(", ")
			}
			if e, ok := v.(Expr); ok {
				sb.WriteString(string(e))
				continue
			}
			args = append(args, v)
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(len(args)))
		}
		sb.WriteByte(')')
	}
	sb.WriteString(tail)
	return Stmt{SQL: sb.String(), Args: args}
}

// writeAppends writes what the SQLite transaction has appended, before
// its next statement (taken first: the INSERTs themselves find nothing).
func (q sqlQ) writeAppends(ctx context.Context) error {
	if q.owner == nil || len(q.owner.appends) == 0 {
		return nil
	}
	for _, st := range q.owner.takeAppends() {
		if _, err := q.Exec(ctx, st.SQL, st.Args...); err != nil {
			return err
		}
	}
	return nil
}

// queueAppends moves what the PostgreSQL transaction has appended to its
// queue of deferred statements, before any statement queued or sent
// after it.
func (t *pgTx) queueAppends() {
	if t.owner == nil || len(t.owner.appends) == 0 {
		return
	}
	for _, st := range t.owner.takeAppends() {
		traceStmt(st.SQL)
		st.Args = normalise(st.Args)
		t.queue = append(t.queue, st)
	}
}

type localKey struct{ key any }

// Local returns the value the transaction in ctx keeps under key, made by
// mk the first time (for rows a transaction collects and writes once, with
// BeforeCommit). Outside a transaction it returns mk() and false.
func Local[T any](ctx context.Context, key any, mk func() T) (T, bool) {
	tx, ok := TxFrom(ctx)
	if !ok {
		return mk(), false
	}
	if v, ok := tx.locals[localKey{key}]; ok {
		return v.(T), true
	}
	v := mk()
	if tx.locals == nil {
		tx.locals = map[localKey]any{}
	}
	tx.locals[localKey{key}] = v
	return v, true
}

// BeforeCommit registers fn to run in the transaction in ctx when its
// function has returned without error, just before the commit (in the
// order registered; an error rolls the transaction back). Outside a
// transaction fn runs at once.
func BeforeCommit(ctx context.Context, fn func(ctx context.Context) error) error {
	if tx, ok := TxFrom(ctx); ok {
		tx.beforeCommit = append(tx.beforeCommit, fn)
		return nil
	}
	return fn(ctx)
}
