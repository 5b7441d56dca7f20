package db

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// The statement cache gives the same results as running SQL unprepared,
// inside and outside transactions, and never needs a second writer
// connection (a transaction preparing on the writer would wait forever).
func TestStmtCacheSameResults(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W(ctx).Exec(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	const ins = "INSERT INTO t (id, v) VALUES ($1, $2)"
	for round := range 3 {
		err := d.WithTx(ctx, func(ctx context.Context) error {
			for i := range 10 {
				if _, err := d.W(ctx).Exec(ctx, ins, round*10+i, fmt.Sprint("v", round*10+i)); err != nil {
					return err
				}
			}
			var n int
			return d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM t").Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 && d.writeStmts.lookup(ins) == nil {
			t.Fatal("statement run in a transaction was not prepared after it")
		}
	}
	// Unprepared (a ';' keeps a statement out of the cache) and prepared
	// reads agree.
	var a, b string
	if err := d.Q(ctx).QueryRow(ctx, "SELECT group_concat(v, ',') FROM (SELECT v FROM t ORDER BY id)").Scan(&a); err != nil {
		t.Fatal(err)
	}
	if err := d.Q(ctx).QueryRow(ctx, "SELECT group_concat(v, ',') FROM (SELECT v FROM t ORDER BY id);").Scan(&b); err != nil {
		t.Fatal(err)
	}
	if a != b || d.readStmts.lookup("SELECT group_concat(v, ',') FROM (SELECT v FROM t ORDER BY id)") == nil {
		t.Fatalf("prepared %q, unprepared %q", a, b)
	}
	// Rows of a cached statement, then an error, roll back cleanly.
	err = d.WithTx(ctx, func(ctx context.Context) error {
		rows, err := d.Q(ctx).Query(ctx, "SELECT id FROM t WHERE id < $1 ORDER BY id", 5)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		if n != 5 {
			return fmt.Errorf("rows %d", n)
		}
		_, err = d.W(ctx).Exec(ctx, ins, 1, "dup")
		return err
	})
	if !IsUnique(err) {
		t.Fatalf("want a unique violation, got %v", err)
	}
	// Bad SQL reports the driver's error.
	if _, err := d.W(ctx).Exec(ctx, "INSERT INTO nope VALUES (1)"); err == nil {
		t.Fatal("no error for a missing table")
	}
	// Concurrent transactions share the cache.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if err := d.WithTx(ctx, func(ctx context.Context) error {
					_, err := d.W(ctx).Exec(ctx, ins, 1000+g*100+i, "c")
					return err
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n int
	if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil || n != 30+160 {
		t.Fatalf("count %d %v", n, err)
	}
}

func TestCacheable(t *testing.T) {
	for q, want := range map[string]bool{"SELECT 1": true, "SELECT 1;": true, " SELECT 1 ; ": true, "SELECT 1; SELECT 2": false, "": false} {
		if cacheable(q) != want {
			t.Errorf("cacheable(%q) = %v", q, !want)
		}
	}
}
