package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// TestAppend: rows appended in a transaction are written as one INSERT per
// table before the transaction's next statement (read your writes) or at
// its commit, with SQL expressions (Expr) inline; a rollback keeps none; a
// failing row fails the commit and keeps nothing; outside a transaction a
// row is inserted at once.
func TestAppend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
		cols := []string{"key", "value", "updated_at"}
		var stmts []string
		stop := db.Trace(func(q string) {
			if strings.HasPrefix(q, "INSERT") {
				stmts = append(stmts, q)
			}
		})
		err := d.WithTx(ctx, func(ctx context.Context) error {
			for _, k := range []string{"a1", "a2", "a3"} {
				if err := d.Append(ctx, "settings", cols, k, "v-"+k, now); err != nil {
					return err
				}
			}
			if got := settingValue(t, d, "a1"); got != "" {
				t.Fatal("outside the transaction the row is already there")
			}
			var n int
			if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM settings WHERE key LIKE 'a%'`).Scan(&n); err != nil {
				return err
			}
			if n != 3 {
				t.Fatalf("read in the transaction: %d rows, want 3", n)
			}
			// Appended after a read: written at commit, with an Expr.
			if err := d.Append(ctx, "settings", cols, "a4", db.Expr("'expr'"), now); err != nil {
				return err
			}
			return d.Append(ctx, "settings", cols, "a5", "v", now)
		})
		stop()
		if err != nil {
			t.Fatal(err)
		}
		if len(stmts) != 2 || !strings.Contains(stmts[0], "($1, $2, $3), ($4, $5, $6), ($7, $8, $9)") ||
			!strings.Contains(stmts[1], "($1, 'expr', $2), ($3, $4, $5)") {
			t.Fatalf("statements:\n%s", strings.Join(stmts, "\n"))
		}
		for k, want := range map[string]string{"a1": "v-a1", "a3": "v-a3", "a4": "expr", "a5": "v"} {
			if got := settingValue(t, d, k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}

		// Rolled back: nothing kept.
		_ = d.WithTx(ctx, func(ctx context.Context) error {
			if err := d.Append(ctx, "settings", cols, "b1", "x", now); err != nil {
				return err
			}
			return errors.New("roll back")
		})
		// A duplicate key among the appended rows fails the commit.
		err = d.WithTx(ctx, func(ctx context.Context) error {
			if err := d.Append(ctx, "settings", cols, "b2", "x", now); err != nil {
				return err
			}
			return d.Append(ctx, "settings", cols, "a1", "dup", now)
		})
		if !db.IsUnique(err) {
			t.Fatalf("duplicate appended row: %v, want a unique violation", err)
		}
		for _, k := range []string{"b1", "b2"} {
			if settingValue(t, d, k) != "" {
				t.Errorf("%s kept", k)
			}
		}
		// Outside a transaction: at once.
		if err := d.Append(ctx, "settings", cols, "c1", "now", now); err != nil {
			t.Fatal(err)
		}
		if settingValue(t, d, "c1") != "now" {
			t.Error("c1 not inserted at once")
		}
	})
}

type localTestKey struct{}

// TestBeforeCommit: a transaction's Local value is made once and shared by
// everything in it; BeforeCommit functions run before the commit, in
// order, and their writes commit with it; an error of one rolls all back.
// Outside a transaction both run at once.
func TestBeforeCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
		ins := `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)`
		run := func(fail bool) error {
			return d.WithTx(ctx, func(ctx context.Context) error {
				for range 3 {
					keys, shared := db.Local(ctx, localTestKey{}, func() *[]string {
						p := &[]string{}
						_ = db.BeforeCommit(ctx, func(ctx context.Context) error {
							if fail {
								return errors.New("hook fails")
							}
							return d.Defer(ctx, ins, "hook", strings.Join(*p, ","), now)
						})
						return p
					})
					if !shared {
						t.Fatal("Local in a transaction not shared")
					}
					*keys = append(*keys, "k")
				}
				return d.Defer(ctx, ins, "before", "x", now)
			})
		}
		if err := run(true); err == nil || err.Error() != "hook fails" {
			t.Fatalf("failing hook: %v", err)
		}
		if settingValue(t, d, "before") != "" {
			t.Fatal("a failing BeforeCommit kept the transaction's writes")
		}
		if err := run(false); err != nil {
			t.Fatal(err)
		}
		if got := settingValue(t, d, "hook"); got != "k,k,k" {
			t.Fatalf("hook wrote %q, want k,k,k (one value for the transaction)", got)
		}
		ran := false
		if err := db.BeforeCommit(ctx, func(context.Context) error { ran = true; return nil }); err != nil || !ran {
			t.Fatal("BeforeCommit outside a transaction did not run at once")
		}
		if _, shared := db.Local(ctx, localTestKey{}, func() int { return 1 }); shared {
			t.Fatal("Local outside a transaction shared")
		}
	})
}
