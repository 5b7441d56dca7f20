package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// copyChunk bounds the rows of one multi-row INSERT on SQLite (its limit is
// 32,766 parameters).
const copyChunk = 32000

// CopyRows appends rows (each with one value per column, in cols' order)
// to table with W(ctx): the transaction in ctx, or the writer / the pool.
// On PostgreSQL they are sent with COPY, which neither parses nor plans a
// statement of thousands of parameters (a multi-row INSERT of 8,000 rows
// spends most of its time there); on SQLite they are written by multi-row
// INSERTs through the statement cache. Use it for bulk appends whose rows
// need no RETURNING and no ON CONFLICT: a constraint violation fails the
// whole call (and the transaction).
//
// table and cols are identifiers from the caller's code, never input.
func (d *DB) CopyRows(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	for i, r := range rows {
		if len(r) != len(cols) {
			return fmt.Errorf("copy into %s: row %d has %d values for %d columns", table, i, len(r), len(cols))
		}
		normalise(r)
	}
	if d.Dialect == Postgres {
		traceStmt("COPY " + table)
		src := pgx.CopyFromRows(rows)
		var err error
		if tx, ok := TxFrom(ctx); ok && tx.db == d {
			// Driver sends what the transaction has queued (and BEGIN)
			// first, so the rows follow its earlier statements.
			raw, derr := tx.Driver(ctx)
			if derr != nil {
				return fmt.Errorf("copy into %s: %w", table, derr)
			}
			ptx, ok := raw.(pgx.Tx)
			if !ok {
				return fmt.Errorf("copy into %s: not a PostgreSQL transaction", table)
			}
			_, err = ptx.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		} else {
			_, err = d.Pool.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		}
		if err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		return nil
	}
	q := d.W(ctx)
	per := max(copyChunk/len(cols), 1)
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	args := make([]any, 0, min(len(rows), per)*len(cols))
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		args = args[:0]
		for _, r := range part {
			args = append(args, r...)
		}
		if _, err := q.Exec(ctx, head+d.Dialect.Values(1, len(part), len(cols)), args...); err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
	}
	return nil
}
