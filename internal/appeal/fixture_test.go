package appeal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"yingshang/internal/db"
)

// fixtureCols are the columns bulkInsert fills, in the order of the
// values a row function returns.
var fixtureCols = []string{"number", "year", "channel", "kind", "topic", "title", "description", "state", "version", "lead_dept_id",
	"clock_start", "submitted_at", "first_response_due", "reply_due", "followup_due", "reply_on_time", "handling_workdays", "rating",
	"reopen_count", "created_at", "updated_at", "fr_alert", "reply_alert", "fu_alert"}

// bulkInsert writes n appeals built by row(i) (values in fixtureCols
// order) as fast as each engine takes them, because the fixture is not
// what the tests and benchmarks measure: on SQLite one prepared multi-row
// INSERT of 400 rows at a time, 100,000 rows per transaction, with
// anonymous ? parameters (SQLite finds a numbered $n parameter's name by
// a linear search, which makes binding 9,600 of them quadratic); on
// PostgreSQL COPY.
func bulkInsert(tb testing.TB, d *db.DB, n int, row func(i int) []any) {
	tb.Helper()
	ctx := context.Background()
	// Without the secondary indexes, then build them again: sorting once
	// is much faster than inserting a million keys into eight B-trees.
	var indexes []string
	list := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'appeals' AND sql IS NOT NULL`
	if d.Dialect == db.Postgres {
		list = `SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'appeals' AND i.schemaname = current_schema()
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`
	}
	rows, err := d.W(ctx).Query(ctx, list)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var name, sql string
		if err := rows.Scan(&name, &sql); err != nil {
			tb.Fatal(err)
		}
		names, indexes = append(names, name), append(indexes, sql)
	}
	rows.Close()
	for _, name := range names {
		if _, err := d.W(ctx).Exec(ctx, "DROP INDEX "+name); err != nil {
			tb.Fatal(err)
		}
	}
	defer func() {
		for _, sql := range indexes {
			if _, err := d.W(ctx).Exec(ctx, sql); err != nil {
				tb.Fatal(err)
			}
		}
	}()
	if d.Dialect == db.Postgres {
		i := 0
		_, err := d.Pool.CopyFrom(ctx, pgx.Identifier{"appeals"}, fixtureCols, pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			return row(i - 1), nil
		}))
		if err != nil {
			tb.Fatal(err)
		}
		return
	}
	const perStmt, perTx = 400, 100_000
	insert := func(rows int) string {
		var sb strings.Builder
		sb.WriteString("INSERT INTO appeals (" + strings.Join(fixtureCols, ", ") + ") VALUES ")
		for r := 0; r < rows; r++ {
			if r > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			for c := range fixtureCols {
				if c > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("?")
			}
			sb.WriteString(")")
		}
		return sb.String()
	}
	full := insert(perStmt)
	for start := 0; start < n; start += perTx {
		end := min(start+perTx, n)
		tx, err := d.Writer.BeginTx(ctx, nil)
		if err != nil {
			tb.Fatal(err)
		}
		stmt, err := tx.PrepareContext(ctx, full)
		if err != nil {
			tb.Fatal(err)
		}
		args := make([]any, 0, perStmt*len(fixtureCols))
		for i := start; i < end; i += perStmt {
			m := min(perStmt, end-i)
			args = args[:0]
			for j := i; j < i+m; j++ {
				args = append(args, row(j)...)
			}
			if m == perStmt {
				_, err = stmt.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insert(m), args...)
			}
			if err != nil {
				tb.Fatal(err)
			}
		}
		if err := stmt.Close(); err != nil {
			tb.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
}
