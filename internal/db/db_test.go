package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

func TestMigrateAndTx(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := d.CheckCurrent(ctx, dbtest.Sources()); err != nil {
			t.Fatal(err)
		}
		// Re-running migrations is a no-op.
		applied, err := d.Migrate(ctx, time.Now(), dbtest.Sources())
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate: %v %v", applied, err)
		}
		now := time.Date(2026, 11, 23, 9, 30, 0, 123000000, time.FixedZone("CST", 8*3600))
		// A failed transaction leaves nothing behind.
		boom := errors.New("boom")
		err = d.WithTx(ctx, func(ctx context.Context) error {
			if _, err := d.Q(ctx).Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", "a", "1", now); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("want boom, got %v", err)
		}
		var n int
		if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM settings").Scan(&n); err != nil || n != 0 {
			t.Fatalf("rolled-back row visible: n=%d err=%v", n, err)
		}
		// Nested WithTx joins the outer transaction.
		err = d.WithTx(ctx, func(ctx context.Context) error {
			if _, err := d.Q(ctx).Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", "a", "1", now); err != nil {
				return err
			}
			return d.WithTx(ctx, func(ctx context.Context) error {
				_, err := d.Q(ctx).Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", "a", "2", now)
				return err
			})
		})
		if !db.IsUnique(err) {
			t.Fatalf("want unique violation, got %v", err)
		}
		if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM settings").Scan(&n); err != nil || n != 0 {
			t.Fatalf("nested failure left rows: n=%d err=%v", n, err)
		}
		// Times round-trip as the same instant.
		if _, err := d.W(ctx).Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", "t", "x", now); err != nil {
			t.Fatal(err)
		}
		var got time.Time
		if err := d.Q(ctx).QueryRow(ctx, "SELECT updated_at FROM settings WHERE key = $1", "t").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(now) {
			t.Fatalf("time round trip: got %v want %v", got, now)
		}
		if err := d.Q(ctx).QueryRow(ctx, "SELECT value FROM settings WHERE key = $1", "missing").Scan(new(string)); !db.IsNoRows(err) {
			t.Fatalf("want no rows, got %v", err)
		}
	})
}
