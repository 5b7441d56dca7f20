package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// TestCopyRows: rows appended in a transaction (more than one SQLite
// chunk) are all there with their values, times normalised as by Exec; a
// duplicate key fails the call and rolls the transaction back; outside a
// transaction it writes too; a row of the wrong width is refused before
// anything is sent.
func TestCopyRows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
		cols := []string{"key", "value", "updated_at"}
		var rows [][]any
		for i := range 25000 {
			rows = append(rows, []any{fmt.Sprintf("k%05d", i), fmt.Sprint(i * 7), now})
		}
		if err := d.WithTx(ctx, func(ctx context.Context) error { return d.CopyRows(ctx, "settings", cols, rows) }); err != nil {
			t.Fatal(err)
		}
		var n, sum int64
		if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*), SUM(CAST(value AS BIGINT)) FROM settings WHERE key LIKE 'k%'`).Scan(&n, &sum); err != nil ||
			n != 25000 || sum != 7*25000*24999/2 {
			t.Fatalf("%d rows summing to %d (%v), want 25000 and %d", n, sum, err, 7*25000*24999/2)
		}
		var at time.Time
		if err := d.Q(ctx).QueryRow(ctx, `SELECT updated_at FROM settings WHERE key = 'k12345'`).Scan(&at); err != nil || !at.Equal(now) {
			t.Fatalf("updated_at %v (%v), want %v", at, err, now)
		}
		// A duplicate key among new rows: nothing of the transaction stays.
		err := d.WithTx(ctx, func(ctx context.Context) error {
			if _, err := d.W(ctx).Exec(ctx, `UPDATE settings SET value = 'changed' WHERE key = 'k00000'`); err != nil {
				return err
			}
			return d.CopyRows(ctx, "settings", cols, [][]any{{"new1", "1", now}, {"k00001", "dup", now}})
		})
		if !db.IsUnique(err) {
			t.Fatalf("want a unique violation, got %v", err)
		}
		if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE key = 'new1' OR value = 'changed'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a failed copy left %d rows changed (%v)", n, err)
		}
		if err := d.CopyRows(ctx, "settings", cols, [][]any{{"out", "1", now}}); err != nil {
			t.Fatal(err)
		}
		if err := d.CopyRows(ctx, "settings", cols, [][]any{{"w", "1"}}); err == nil {
			t.Fatal("a row of two values for three columns was accepted")
		}
		if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE key IN ('out', 'w')`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d of out and w written (%v), want 1", n, err)
		}
	})
}
