package db_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"

	// Every module's schema, so the upgrade test covers the whole
	// database of the previous release.
	_ "yingshang/internal/appeal/migrations"
	_ "yingshang/internal/bideval/migrations"
	_ "yingshang/internal/credit/migrations"
	_ "yingshang/internal/draw/migrations"
	_ "yingshang/internal/license/migrations"
)

func src(name string, files map[string]string) db.Source {
	m := fstest.MapFS{}
	for n, body := range files {
		m[n] = &fstest.MapFile{Data: []byte(body)}
	}
	return db.Source{Name: name, FS: m}
}

func TestPlanOrdersByRequirements(t *testing.T) {
	a := src("a", map[string]string{
		"0001_one.sql": "CREATE TABLE a1 (id INTEGER);",
		"0002_two.sql": "-- requires: b 1\nCREATE TABLE a2 (id INTEGER);",
	})
	b := src("b", map[string]string{"0001_one.sql": "-- requires: a 1\n-- legacy: 3\nCREATE TABLE b1 (id INTEGER);"})
	plan, err := db.Plan([]db.Source{a, b})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, st := range plan {
		ids = append(ids, st.ID())
	}
	if want := []string{"a/0001_one", "b/0001_one", "a/0002_two"}; !slices.Equal(ids, want) {
		t.Fatalf("plan %v, want %v", ids, want)
	}
	if plan[1].Legacy != 3 {
		t.Fatalf("legacy header not read: %+v", plan[1])
	}

	cyc := src("c", map[string]string{"0001_x.sql": "-- requires: d 1\nSELECT 1;"})
	d := src("d", map[string]string{"0001_x.sql": "-- requires: c 1\nSELECT 1;"})
	if _, err := db.Plan([]db.Source{cyc, d}); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("cycle: %v", err)
	}
	if _, err := db.Plan([]db.Source{b}); err == nil || !strings.Contains(err.Error(), "b/0001_one requires a 1") {
		t.Fatalf("missing source: %v", err)
	}
	gap := src("g", map[string]string{"0001_x.sql": "SELECT 1;", "0003_y.sql": "SELECT 1;"})
	if _, err := db.Plan([]db.Source{gap}); err == nil || !strings.Contains(err.Error(), "without gaps") {
		t.Fatalf("gap: %v", err)
	}
	bad := src("h", map[string]string{"0001_x.sql": "-- requires: a\nSELECT 1;"})
	if _, err := db.Plan([]db.Source{a, bad}); err == nil || !strings.Contains(err.Error(), "SOURCE VERSION") {
		t.Fatalf("bad header: %v", err)
	}
}

// A step that fails is rolled back with its bookkeeping; what other
// sources (and earlier steps) applied stays.
func TestFailedStepLeavesTheRest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ok := src("zz_ok", map[string]string{"0001_t.sql": "CREATE TABLE zz_ok_t (id INTEGER);"})
		failing := src("zz_bad", map[string]string{
			"0001_t.sql": "CREATE TABLE zz_bad_t (id INTEGER);",
			"0002_u.sql": "CREATE TABLE zz_bad_u (id INTEGER);\nINSERT INTO no_such_table VALUES (1);",
		})
		sources := append(dbtest.Sources(), ok, failing)
		applied, err := d.Migrate(ctx, time.Now(), sources)
		if err == nil || !strings.Contains(err.Error(), "zz_bad/0002_u") {
			t.Fatalf("want the failing step named, got %v", err)
		}
		if !slices.Contains(applied, "zz_ok/0001_t") || !slices.Contains(applied, "zz_bad/0001_t") {
			t.Fatalf("applied %v", applied)
		}
		vs, err := d.Versions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if vs["zz_ok"] != 1 || vs["zz_bad"] != 1 {
			t.Fatalf("bookkeeping %v", vs)
		}
		var n int
		err = d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM zz_bad_u").Scan(&n)
		if err == nil {
			t.Fatal("the failed step's table survived its rollback")
		}
		if err := d.CheckCurrent(ctx, sources); err == nil || !strings.Contains(err.Error(), "zz_bad 1 < 2") {
			t.Fatalf("CheckCurrent: %v", err)
		}
		// Fixed, the next run applies the rest.
		failing.FS.(fstest.MapFS)["0002_u.sql"].Data = []byte("CREATE TABLE zz_bad_u (id INTEGER);")
		if applied, err := d.Migrate(ctx, time.Now(), sources); err != nil || !slices.Equal(applied, []string{"zz_bad/0002_u"}) {
			t.Fatalf("second run: %v %v", applied, err)
		}
	})
}

// A step with an "-- engine:" header runs its statements on that engine
// only; the other records it as applied (versions stay 1..N on both) and
// runs the next step. A header naming no engine is refused with its file.
func TestEngineOnlyStep(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := src("zz_eng", map[string]string{
			"0001_t.sql":    "CREATE TABLE zz_eng_t (id INTEGER);",
			"0002_pg.sql":   "-- engine: postgres\nINSERT INTO zz_eng_t VALUES (2);",
			"0003_lite.sql": "-- engine: sqlite\nINSERT INTO zz_eng_t VALUES (3);",
			"0004_both.sql": "INSERT INTO zz_eng_t VALUES (4);",
		})
		sources := append(dbtest.Sources(), s)
		applied, err := d.Migrate(ctx, time.Now(), sources)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"zz_eng/0001_t", "zz_eng/0002_pg", "zz_eng/0003_lite", "zz_eng/0004_both"}; !slices.Equal(applied, want) {
			t.Fatalf("applied %v, want %v", applied, want)
		}
		vs, err := d.Versions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if vs["zz_eng"] != 4 {
			t.Fatalf("bookkeeping %v", vs)
		}
		rows, err := d.Q(ctx).Query(ctx, "SELECT id FROM zz_eng_t ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for rows.Next() {
			var n int
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			got = append(got, n)
		}
		rows.Close()
		want := []int{3, 4}
		if d.Dialect == db.Postgres {
			want = []int{2, 4}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("rows %v, want %v (%s)", got, want, d.Dialect)
		}
		if err := d.CheckCurrent(ctx, sources); err != nil {
			t.Fatal(err)
		}
	})
	bad := src("zz_bad_eng", map[string]string{"0001_x.sql": "-- engine: oracle\nSELECT 1;"})
	if _, err := bad.Steps(); err == nil || !strings.Contains(err.Error(), "0001_x.sql") || !strings.Contains(err.Error(), "oracle") {
		t.Fatalf("unknown engine: %v", err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W(ctx).Exec(ctx, "INSERT INTO schema_versions (component, version, name, applied_at) VALUES ('account', 99, 'future', $1)", time.Now()); err != nil {
			t.Fatal(err)
		}
		_, err := d.Migrate(ctx, time.Now(), dbtest.Sources())
		var tooNew *db.ErrSchemaTooNew
		if !errors.As(err, &tooNew) || tooNew.Source != "account" {
			t.Fatalf("want ErrSchemaTooNew for account, got %v", err)
		}
		if d.CheckCurrent(ctx, dbtest.Sources()) == nil {
			t.Fatal("CheckCurrent accepted a newer schema")
		}
		// A source the binary does not know (a module removed from the
		// build) does not stop the others.
		if _, err := d.W(ctx).Exec(ctx, "DELETE FROM schema_versions WHERE version = 99"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W(ctx).Exec(ctx, "INSERT INTO schema_versions (component, version, name, applied_at) VALUES ('retired', 4, 'x', $1)", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := d.CheckCurrent(ctx, dbtest.Sources()); err != nil {
			t.Fatal(err)
		}
	})
}

// A database made by the previous release (one global migration sequence,
// 0001-0008, in testdata/legacy-v8) upgrades in place: its steps are
// recorded under their per-source versions, only new steps run, the
// result has the same tables and columns as a new database, its data is
// kept, and an older binary now refuses it.
func TestUpgradeFromGlobalSequence(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, fresh *db.DB) {
		ctx := context.Background()
		old := dbtest.Empty(t, fresh.Dialect)
		legacyDB(t, old)
		if _, err := old.W(ctx).Exec(ctx, `INSERT INTO departments (code, name, kind, created_at, updated_at) VALUES ('XC', '许昌市', 'city', $1, $1)`, time.Now()); err != nil {
			t.Fatal(err)
		}
		applied, err := old.Migrate(ctx, time.Now(), dbtest.Sources())
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range applied {
			for _, src := range dbtest.Sources() {
				steps, _ := src.Steps()
				for _, s := range steps {
					if s.ID() == st && s.Legacy != 0 {
						t.Errorf("upgrade re-ran %s, which the global sequence had applied", st)
					}
				}
			}
		}
		if err := old.CheckCurrent(ctx, dbtest.Sources()); err != nil {
			t.Fatal(err)
		}
		var name string
		if err := old.Q(ctx).QueryRow(ctx, "SELECT name FROM departments WHERE code = 'XC'").Scan(&name); err != nil || name != "许昌市" {
			t.Fatalf("data lost: %q %v", name, err)
		}
		var sentinel int
		if err := old.Q(ctx).QueryRow(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&sentinel); err != nil || sentinel != db.LegacySentinel {
			t.Fatalf("an older binary would not refuse this database: max version %d %v", sentinel, err)
		}
		got, want := columns(t, old), columns(t, fresh)
		if !slices.Equal(got, want) {
			t.Fatalf("upgraded schema differs from a new one:\n%s", diff(got, want))
		}
		// Idempotent.
		if again, err := old.Migrate(ctx, time.Now(), dbtest.Sources()); err != nil || len(again) != 0 {
			t.Fatalf("second upgrade run: %v %v", again, err)
		}
	})
}

// legacyDB builds the previous release's schema the way it did: the global
// files in order, each recorded in schema_migrations.
func legacyDB(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	files, err := filepath.Glob("testdata/legacy-v8/*.sql")
	if err != nil || len(files) != 8 {
		t.Fatalf("legacy files: %v %v", files, err)
	}
	sort.Strings(files)
	if _, err := d.W(ctx).Exec(ctx, d.Dialect.Rewrite(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {{TS}} NOT NULL)`)); err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.W(ctx).Exec(ctx, d.Dialect.Rewrite(string(b))); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := d.W(ctx).Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", i+1, filepath.Base(f), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// columns lists "table.column type" for every table (and "index table.name"
// for every index), sorted.
func columns(t *testing.T, d *db.DB) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	collect := func(q string, args ...any) {
		rows, err := d.Q(ctx).Query(ctx, q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var a, b, c string
			if err := rows.Scan(&a, &b, &c); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s.%s %s", a, b, c))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if d.Dialect == db.Postgres {
		collect(`SELECT table_name, column_name, data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '')
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE 'river%'`)
		collect(`SELECT 'index', tablename, indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename NOT LIKE 'river%'`)
	} else {
		collect(`SELECT m.name, p.name, p.type || ' ' || p."notnull" || ' ' || COALESCE(p.dflt_value, '')
			FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'river%' AND m.name NOT LIKE 'sqlite%'`)
		collect(`SELECT 'index', tbl_name, name FROM sqlite_master WHERE type = 'index' AND tbl_name NOT LIKE 'river%' AND name NOT LIKE 'sqlite_autoindex%'`)
	}
	// The search index is created at start-up, not by migrations; river's
	// tables come from River's own migrator.
	sort.Strings(out)
	return out
}

func diff(got, want []string) string {
	var b strings.Builder
	for _, g := range got {
		if !slices.Contains(want, g) {
			fmt.Fprintf(&b, "+ %s\n", g)
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}
	return b.String()
}
