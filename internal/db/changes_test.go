package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// TestCacheChanges: a cached value is read once and kept; a change
// committed on this instance is seen by the very next read, one rolled
// back is not a change; a change made by another instance (a second
// handle on the same database, as a second process has) is seen after its
// next poll of change_gens; reads inside a transaction and before the
// first poll go to the database; a cache only forgets on its own topics.
func TestCacheChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W(ctx).Exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v1', $1)`, time.Now()); err != nil {
			t.Fatal(err)
		}
		reads := 0
		read := func(ctx context.Context, d *db.DB) func() (string, error) {
			return func() (string, error) {
				reads++
				var v string
				err := d.Q(ctx).QueryRow(ctx, `SELECT value FROM settings WHERE key = 'k'`).Scan(&v)
				return v, err
			}
		}
		c := db.NewCache[string, string](d, 10, "test.settings")
		other := db.NewCache[string, string](d, 10, "test.other")
		get := func(c *db.Cache[string, string], want string, wantReads int) {
			t.Helper()
			v, err := c.Get(ctx, "k", read(ctx, d))
			if err != nil {
				t.Fatal(err)
			}
			if v != want || reads != wantReads {
				t.Fatalf("got %q after %d reads, want %q after %d", v, reads, want, wantReads)
			}
		}
		set := func(d *db.DB, v string, fail bool) {
			t.Helper()
			errFail := errors.New("rolled back")
			err := d.WithTx(ctx, func(ctx context.Context) error {
				if _, err := d.W(ctx).Exec(ctx, `UPDATE settings SET value = $1 WHERE key = 'k'`, v); err != nil {
					return err
				}
				if err := d.Changed(ctx, "test.settings"); err != nil {
					return err
				}
				if fail {
					return errFail
				}
				return nil
			})
			if err != nil && !(fail && errors.Is(err, errFail)) {
				t.Fatal(err)
			}
			// The writer's own poller reads the change too and forgets
			// the topic once more; caught up here, so that the read
			// counts below are exact whenever its ticks come (another
			// instance's poller is left to find it).
			d.Changes().Sync()
		}
		// Before the first poll: read through.
		d.Changes().Sync()
		get(c, "v1", 1)
		get(c, "v1", 1)
		get(other, "v1", 2)
		// Changed on this instance: seen at once; the other topic's cache keeps its value.
		set(d, "v2", false)
		get(c, "v2", 3)
		get(c, "v2", 3)
		get(other, "v1", 3)
		// Rolled back: nothing forgotten, nothing changed.
		set(d, "v3", true)
		get(c, "v2", 3)
		// Inside a transaction the cache serves until the transaction
		// changes the topic; from then on it reads its own writes.
		err := d.WithTx(ctx, func(ctx context.Context) error {
			v, err := c.Get(ctx, "k", read(ctx, d))
			if err != nil || v != "v2" || reads != 3 {
				t.Fatalf("in a transaction, before its change: %q after %d reads (%v)", v, reads, err)
			}
			if _, err := d.W(ctx).Exec(ctx, `UPDATE settings SET value = 'v3' WHERE key = 'k'`); err != nil {
				return err
			}
			if err := d.Changed(ctx, "test.settings"); err != nil {
				return err
			}
			v, err = c.Get(ctx, "k", read(ctx, d))
			if err != nil || v != "v3" || reads != 4 {
				t.Fatalf("in a transaction, after its change: %q after %d reads (%v)", v, reads, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		d.Changes().Sync()
		get(c, "v3", 5)
		// A second instance changes the row: seen here after a poll.
		var d2 *db.DB
		if d.Dialect == db.SQLite {
			if d2, err = db.Open(ctx, "sqlite:"+d.Path(), ""); err != nil {
				t.Fatal(err)
			}
		} else {
			if d2, err = db.Open(ctx, d.Pool.Config().ConnString(), ""); err != nil {
				t.Fatal(err)
			}
		}
		defer d2.Close()
		set(d2, "v4", false)
		d.Changes().Sync()
		get(c, "v4", 6)
		get(c, "v4", 6)
		// The poller runs by itself: a change elsewhere is seen within a
		// few polls (waiting on the condition, not a fixed time).
		set(d2, "v5", false)
		deadline := time.Now().Add(30 * time.Second)
		for {
			v, err := c.Get(ctx, "k", read(ctx, d))
			if err != nil {
				t.Fatal(err)
			}
			if v == "v5" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the poller did not see the other instance's change")
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// TestChangesPollerOwnConnection (SQLite): the change poller reads
// change_gens on a connection of its own, not from the readers' pool (a
// poll on a reader emptied that reader's page cache after every commit):
// with the readers closed it still sees another instance's change, and
// the cache keeps serving from memory afterwards.
func TestChangesPollerOwnConnection(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	ctx := context.Background()
	c := db.NewCache[string, int](d, 10, "test.poller")
	reads := 0
	get := func(want, wantReads int) {
		t.Helper()
		v, err := c.Get(ctx, "k", func() (int, error) { reads++; return reads, nil })
		if err != nil {
			t.Fatal(err)
		}
		if v != want || reads != wantReads {
			t.Fatalf("got %d after %d reads, want %d after %d", v, reads, want, wantReads)
		}
	}
	d.Changes().Sync()
	get(1, 1)
	get(1, 1)
	d2, err := db.Open(ctx, "sqlite:"+d.Path(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if err := d2.WithTx(ctx, func(ctx context.Context) error { return d2.Changed(ctx, "test.poller") }); err != nil {
		t.Fatal(err)
	}
	if err := d.Reader.Close(); err != nil {
		t.Fatal(err)
	}
	d.Changes().Sync()
	// A failed poll would forget every cache and stop caching (each get
	// a read) until a poll succeeds: here one read, then memory.
	get(2, 2)
	get(2, 2)
}
