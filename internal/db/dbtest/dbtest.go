// Package dbtest gives tests a fresh, migrated database on each engine.
//
// SQLite databases are files in the test's temporary directory. PostgreSQL
// databases are created from a template that is migrated once per schema
// version, and dropped when the test ends. The server is taken from
// YINGSHANG_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test).
// When it is unreachable PostgreSQL tests are skipped, unless
// YINGSHANG_TEST_REQUIRE_POSTGRES=1 (set by the project's test command), in
// which case they fail.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"yingshang/internal/db"
	"yingshang/internal/jobs"

	// The core's schema: every test database has it.
	_ "yingshang/internal/account/migrations"
	_ "yingshang/internal/audit/migrations"
	_ "yingshang/internal/entity/migrations"
	_ "yingshang/internal/filestore/migrations"
	_ "yingshang/internal/importkit/migrations"
	_ "yingshang/internal/notify/migrations"
	_ "yingshang/internal/workcal/migrations"
)

// Engines are the engines every storage test runs on.
var Engines = []db.Dialect{db.SQLite, db.Postgres}

// ServerURL is the PostgreSQL server used by tests.
func ServerURL() string {
	if u := os.Getenv("YINGSHANG_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Each runs fn as a subtest on every engine with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) { fn(t, New(t, e)) })
	}
}

// New returns a fresh, fully migrated database on engine e.
func New(t testing.TB, e db.Dialect) *db.DB {
	t.Helper()
	ctx := context.Background()
	if e == db.SQLite {
		d, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "test.db"), "")
		if err != nil {
			t.Fatal(err)
		}
		if err := migrate(ctx, d); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		return d
	}
	u, err := NewPostgresURL(t)
	if err != nil {
		if os.Getenv("YINGSHANG_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL required but unavailable: %v", err)
		}
		t.Skipf("PostgreSQL unavailable (%v); set YINGSHANG_TEST_POSTGRES", err)
	}
	d, err := db.Open(ctx, u, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// Sources is the schema of a test database: every source registered in
// the test binary (the core's always; a module's when the test links it).
func Sources() []db.Source { return db.Registered() }

func migrate(ctx context.Context, d *db.DB) error {
	if _, err := d.Migrate(ctx, time.Now(), Sources()); err != nil {
		return err
	}
	return jobs.Migrate(ctx, d)
}

var (
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
)

// NewPostgresURL creates a fresh migrated PostgreSQL database and returns its
// URL; it is dropped when the test ends.
func NewPostgresURL(t testing.TB) (string, error) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	tmplOnce.Do(func() { tmplName, tmplErr = ensureTemplate(ctx, admin) })
	if tmplErr != nil {
		return "", tmplErr
	}
	name := "ys_t_" + randHex(8)
	// CREATE DATABASE ... TEMPLATE fails if another session is connected to
	// the template; retry briefly.
	for i := 0; ; i++ {
		_, err = admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmplName))
		if err == nil || i == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return "", fmt.Errorf("create test database: %w", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), ServerURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return withDB(ServerURL(), name), nil
}

// ensureTemplate creates (once per schema, across concurrent test
// processes) a migrated template database.
func ensureTemplate(ctx context.Context, admin *pgx.Conn) (string, error) {
	h := sha256.New()
	for _, src := range Sources() {
		steps, err := src.Steps()
		if err != nil {
			return "", err
		}
		for _, st := range steps {
			h.Write([]byte(st.ID()))
			h.Write([]byte(st.SQL))
		}
	}
	h.Write([]byte("river-v0.49.0"))
	// The database layer's own tables (migrate.go's bookkeeping).
	h.Write([]byte("bookkeeping: schema_versions, schema_migrations, change_gens"))
	name := "ys_tmpl_" + hex.EncodeToString(h.Sum(nil))[:12]
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(7412)"); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(7412)")
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	build := name + "_build"
	_, _ = admin.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", build))
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+build); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, withDB(ServerURL(), build), "")
	if err != nil {
		return "", err
	}
	err = migrate(ctx, d)
	d.Close()
	if err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", build, name)); err != nil {
		return "", err
	}
	return name, nil
}

func withDB(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Empty returns a fresh database on engine e with no tables at all (for
// migration tests).
func Empty(t testing.TB, e db.Dialect) *db.DB {
	t.Helper()
	ctx := context.Background()
	if e == db.SQLite {
		d, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "empty.db"), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		return d
	}
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		if os.Getenv("YINGSHANG_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL required but unavailable: %v", err)
		}
		t.Skipf("PostgreSQL unavailable (%v); set YINGSHANG_TEST_POSTGRES", err)
	}
	defer admin.Close(ctx)
	name := "ys_e_" + randHex(8)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), ServerURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	d, err := db.Open(ctx, withDB(ServerURL(), name), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}
