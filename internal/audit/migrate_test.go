package audit_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// emptyAt8 opens an empty database of engine e and brings it to schema
// version 8, the last one with the hash chain.
func emptyAt8(t *testing.T, e db.Dialect) *db.DB {
	t.Helper()
	ctx := context.Background()
	var d *db.DB
	var err error
	if e == db.SQLite {
		d, err = db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "old.db"), "")
	} else {
		admin := dbtest.New(t, db.Postgres)
		name := fmt.Sprintf("audit_mig_%d", time.Now().UnixNano())
		if _, err := admin.W(ctx).Exec(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(dbtest.ServerURL())
		u.Path = "/" + name
		d, err = db.Open(ctx, u.String(), "")
		t.Cleanup(func() {
			d.Close()
			_, _ = admin.W(ctx).Exec(ctx, "DROP DATABASE IF EXISTS "+name)
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	if e == db.SQLite {
		t.Cleanup(d.Close)
	}
	// The previous release's schema: its global migrations 0001-0008.
	files, err := filepath.Glob("../db/testdata/legacy-v8/*.sql")
	if err != nil || len(files) != 8 {
		t.Fatalf("legacy migrations: %v %v", files, err)
	}
	sort.Strings(files)
	if _, err := d.W(ctx).Exec(ctx, d.Dialect.Rewrite(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {{TS}} NOT NULL)`)); err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		sql, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.W(ctx).Exec(ctx, d.Dialect.Rewrite(string(sql))); err != nil {
			t.Fatalf("migration %s: %v", f, err)
		}
		if _, err := d.W(ctx).Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", i+1, filepath.Base(f), time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func TestChainMigratesIntoTheLog(t *testing.T) {
	for _, e := range dbtest.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			d := emptyAt8(t, e)
			// A chain written by the previous version.
			prev := audit.Genesis
			at := time.Date(2026, 10, 1, 9, 0, 0, 123456000, time.UTC)
			const n = 25
			for i := int64(1); i <= n; i++ {
				ev := audit.Event{Seq: i, At: at.Add(time.Duration(i) * time.Minute), ActorID: 0, ActorName: "old", Action: "entity.update",
					ObjectType: "entity", ObjectID: fmt.Sprint(i % 4), BeforeDigest: "-", AfterDigest: audit.Digest(i), Detail: "", PrevHash: prev}
				ev.Hash = ev.Compute()
				if _, err := d.W(ctx).Exec(ctx, `INSERT INTO audit_events (seq, at, actor_name, action, object_type, object_id, before_digest,
					after_digest, detail, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, ev.Seq, ev.At, ev.ActorName, ev.Action,
					ev.ObjectType, ev.ObjectID, ev.BeforeDigest, ev.AfterDigest, ev.Detail, ev.PrevHash, ev.Hash); err != nil {
					t.Fatal(err)
				}
				prev = ev.Hash
			}
			if _, err := d.W(ctx).Exec(ctx, "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", n, prev); err != nil {
				t.Fatal(err)
			}
			applied, err := d.Migrate(ctx, time.Now(), dbtest.Sources())
			if err != nil || !slices.Contains(applied, "audit/0002_transparency_log") {
				t.Fatalf("migrate: %v %v", applied, err)
			}
			l := newLog(t, d, clock.Real{})
			for i := 0; i < 3; i++ {
				if err := l.Record(ctx, "x.new", "thing", fmt.Sprint(i), nil, i, ""); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := l.IntegrateAll(ctx); err != nil || got != n+3 {
				t.Fatalf("integrated %d %v", got, err)
			}
			res, err := l.Verify(ctx)
			if err != nil || !res.OK || res.ChainEvents != n || res.ChainHead != prev || res.Events != n+3 {
				t.Fatalf("%+v %v", res, err)
			}
			for i := int64(0); i < n+3; i++ {
				ev, _, err := l.LogEvent(ctx, i)
				if err != nil || ev.Seq != i+1 || (i < n) != (ev.Hash != "") {
					t.Fatalf("leaf %d: %+v %v (order not kept)", i, ev, err)
				}
			}
			// The migrated chain is still checked as a chain.
			if _, err := d.W(ctx).Exec(ctx, "UPDATE audit_events SET actor_name = 'someone' WHERE seq = 7"); err != nil {
				t.Fatal(err)
			}
			if res, err := l.Verify(ctx); err != nil || res.OK || res.BrokenAt != 7 {
				t.Fatalf("tampered legacy event: %+v %v", res, err)
			}
		})
	}
}
