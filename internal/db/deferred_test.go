package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// TestDefer: deferred statements run in order before anything that reads
// in the same transaction (read your writes through QueryRow, Query, Exec,
// ExecAll and Driver), commit with the transaction, and a failing one
// rolls the whole transaction back with its own error (a unique violation
// stays one). On PostgreSQL the transaction costs the round trips it
// needs answers for: BEGIN and the deferred statements go with the next
// statement, the last ones with COMMIT, and a transaction that ran nothing
// costs none. Connections go back to the pool after failures.
func TestDefer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
		ins := `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)`
		upd := `UPDATE settings SET value = value || $2 WHERE key = $1`
		get := func(ctx context.Context, key string) string {
			t.Helper()
			var v string
			if err := d.Q(ctx).QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			return v
		}
		trips := 0
		stop := db.TraceRoundTrips(func() { trips++ })
		err := d.WithTx(ctx, func(ctx context.Context) error {
			if err := d.Defer(ctx, ins, "a", "1", now); err != nil {
				return err
			}
			if err := d.Defer(ctx, upd, "a", "2"); err != nil {
				return err
			}
			if v := get(ctx, "a"); v != "12" {
				t.Fatalf("a read in the transaction = %q, want 12", v)
			}
			if err := d.DeferAll(ctx, []db.Stmt{{SQL: ins, Args: []any{"b", "3", &now}}, {SQL: upd, Args: []any{"b", "4"}}}); err != nil {
				return err
			}
			n, err := d.W(ctx).Exec(ctx, upd, "b", "5")
			if err != nil || n != 1 {
				t.Fatalf("exec after deferred: %d rows, %v", n, err)
			}
			if err := d.Defer(ctx, ins, "c", "6", now); err != nil {
				return err
			}
			rows, err := d.Q(ctx).Query(ctx, `SELECT key, value FROM settings WHERE key IN ('a', 'b', 'c') ORDER BY key`)
			if err != nil {
				return err
			}
			var got []string
			for rows.Next() {
				var k, v string
				if err := rows.Scan(&k, &v); err != nil {
					rows.Close()
					return err
				}
				got = append(got, k+"="+v)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(got) != 3 || got[0] != "a=12" || got[1] != "b=345" || got[2] != "c=6" {
				t.Fatalf("rows in the transaction: %v", got)
			}
			if err := d.Defer(ctx, ins, "d", "7", now); err != nil {
				return err
			}
			if err := d.ExecAll(ctx, []db.Stmt{{SQL: upd, Args: []any{"d", "8"}}}); err != nil {
				return err
			}
			return d.DeferAll(ctx, []db.Stmt{{SQL: upd, Args: []any{"d", "9"}}, {SQL: ins, Args: []any{"e", "10", now}}})
		})
		stop()
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range map[string]string{"a": "12", "b": "345", "c": "6", "d": "789", "e": "10"} {
			if v := get(ctx, k); v != want {
				t.Fatalf("%s = %q after commit, want %q", k, v, want)
			}
		}
		var at time.Time
		if err := d.Q(ctx).QueryRow(ctx, `SELECT updated_at FROM settings WHERE key = 'e'`).Scan(&at); err != nil || !at.Equal(now) {
			t.Fatalf("e updated at %v (%v), want %v", at, err, now)
		}
		if d.Dialect == db.Postgres && trips != 5 {
			t.Fatalf("%d round trips, want 5: [BEGIN, 2 deferred, read] [2 deferred, exec] [deferred, query] [deferred, exec all] [2 deferred, COMMIT]", trips)
		}

		// A transaction that runs nothing costs nothing; one that only
		// defers costs one round trip.
		trips = 0
		stop = db.TraceRoundTrips(func() { trips++ })
		if err := d.WithTx(ctx, func(ctx context.Context) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if err := d.WithTx(ctx, func(ctx context.Context) error { return d.Defer(ctx, upd, "e", "11") }); err != nil {
			t.Fatal(err)
		}
		stop()
		if d.Dialect == db.Postgres && trips != 1 {
			t.Fatalf("%d round trips for an empty and a deferred-only transaction, want 1", trips)
		}
		if v := get(ctx, "e"); v != "1011" {
			t.Fatalf("e = %q, want 1011", v)
		}

		// Failures, more of them than the pool has connections: a deferred
		// duplicate failing at COMMIT, one failing at the next read, a
		// deferred statement before an error of fn, a panic.
		for i := 0; i < 20; i++ {
			err := d.WithTx(ctx, func(ctx context.Context) error {
				if err := d.Defer(ctx, upd, "a", "x"); err != nil {
					return err
				}
				return d.Defer(ctx, ins, "b", "dup", now)
			})
			if !db.IsUnique(err) {
				t.Fatalf("at commit: want a unique violation, got %v", err)
			}
			err = d.WithTx(ctx, func(ctx context.Context) error {
				if err := d.Defer(ctx, upd, "a", "x"); err != nil {
					return err
				}
				if err := d.Defer(ctx, ins, "b", "dup", now); err != nil {
					return err
				}
				var v string
				return d.Q(ctx).QueryRow(ctx, `SELECT value FROM settings WHERE key = 'a'`).Scan(&v)
			})
			if !db.IsUnique(err) {
				t.Fatalf("at a read: want a unique violation, got %v", err)
			}
			mine := errors.New("fn failed")
			err = d.WithTx(ctx, func(ctx context.Context) error {
				if _, err := d.W(ctx).Exec(ctx, upd, "a", "y"); err != nil {
					return err
				}
				if err := d.Defer(ctx, upd, "a", "z"); err != nil {
					return err
				}
				return mine
			})
			if !errors.Is(err, mine) {
				t.Fatalf("fn's error: got %v", err)
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("panic not passed on")
					}
				}()
				_ = d.WithTx(ctx, func(ctx context.Context) error {
					if _, err := d.W(ctx).Exec(ctx, upd, "a", "p"); err != nil {
						return err
					}
					_ = d.Defer(ctx, upd, "a", "q")
					panic("boom")
				})
			}()
		}
		if v := get(ctx, "a"); v != "12" {
			t.Fatalf("a = %q after failed transactions, want 12", v)
		}
		if d.Pool != nil {
			if n := d.Pool.Stat().AcquiredConns(); n != 0 {
				t.Fatalf("%d connections still acquired", n)
			}
		}

		// A library running statements in the driver's transaction sees
		// the deferred writes.
		err = d.WithTx(ctx, func(ctx context.Context) error {
			if err := d.Defer(ctx, ins, "f", "12", now); err != nil {
				return err
			}
			tx, _ := db.TxFrom(ctx)
			raw, err := tx.Driver(ctx)
			if err != nil {
				return err
			}
			var v string
			const q = `SELECT value FROM settings WHERE key = 'f'`
			switch r := raw.(type) {
			case pgx.Tx:
				err = r.QueryRow(ctx, q).Scan(&v)
			case *sql.Tx:
				err = r.QueryRowContext(ctx, q).Scan(&v)
			default:
				t.Fatalf("driver's transaction is a %T", raw)
			}
			if err != nil || v != "12" {
				t.Fatalf("driver's transaction reads f = %q (%v)", v, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
