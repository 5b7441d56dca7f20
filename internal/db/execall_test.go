package db_test

import (
	"context"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// TestExecAll: the statements run in order (the second sees the first's
// row), a failing one stops the rest and fails the transaction, times are
// normalised as by Exec, and the tracer sees every statement.
func TestExecAll(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
		ins := `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)`
		upd := `UPDATE settings SET value = value || $2 WHERE key = $1`
		var seen int
		stop := db.Trace(func(string) { seen++ })
		err := d.WithTx(ctx, func(ctx context.Context) error {
			return d.ExecAll(ctx, []db.Stmt{{SQL: ins, Args: []any{"a", "1", now}}, {SQL: upd, Args: []any{"a", "2"}},
				{SQL: ins, Args: []any{"b", "3", &now}}})
		})
		stop()
		if err != nil {
			t.Fatal(err)
		}
		if seen != 5 { // BEGIN, three statements, COMMIT
			t.Fatalf("tracer saw %d statements, want 5", seen)
		}
		var v string
		var at time.Time
		if err := d.Q(ctx).QueryRow(ctx, `SELECT value, updated_at FROM settings WHERE key = 'a'`).Scan(&v, &at); err != nil || v != "12" || !at.Equal(now) {
			t.Fatalf("a = %q at %v (%v), want 12 at %v", v, at, err, now)
		}
		// The second statement fails (duplicate key): the third does not
		// run and the transaction rolls back.
		err = d.WithTx(ctx, func(ctx context.Context) error {
			return d.ExecAll(ctx, []db.Stmt{{SQL: upd, Args: []any{"a", "x"}}, {SQL: ins, Args: []any{"b", "dup", now}},
				{SQL: ins, Args: []any{"c", "4", now}}})
		})
		if !db.IsUnique(err) {
			t.Fatalf("want a unique violation, got %v", err)
		}
		var n int
		if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE key = 'c' OR value = '12x'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a failed batch left %d rows changed (%v)", n, err)
		}
		// Outside a transaction, and with nothing to run.
		if err := d.ExecAll(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if err := d.ExecAll(ctx, []db.Stmt{{SQL: upd, Args: []any{"b", "5"}}, {SQL: upd, Args: []any{"b", "6"}}}); err != nil {
			t.Fatal(err)
		}
		if err := d.Q(ctx).QueryRow(ctx, `SELECT value FROM settings WHERE key = 'b'`).Scan(&v); err != nil || v != "356" {
			t.Fatalf("b = %q (%v), want 356", v, err)
		}
	})
}
