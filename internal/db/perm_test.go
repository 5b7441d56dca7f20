package db_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"yingshang/internal/db"
)

// The data directory and the SQLite file are the service account's alone,
// also when an older release left them readable by others.
func TestSQLitePermissions(t *testing.T) {
	for _, existing := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "data")
		if existing {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "yingshang.db"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			_ = os.Chmod(dir, 0o755) // past the umask
			_ = os.Chmod(filepath.Join(dir, "yingshang.db"), 0o644)
		}
		d, err := db.Open(context.Background(), "", dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.W(context.Background()).Exec(context.Background(), "CREATE TABLE t (x INTEGER)"); err != nil {
			t.Fatal(err)
		}
		d.Close()
		for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "yingshang.db"): 0o600} {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != want {
				t.Errorf("existing=%v: %s has mode %o, want %o", existing, path, got, want)
			}
		}
	}
}
