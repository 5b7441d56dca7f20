package arch

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The ownership test must really fail: on a fixture tree with planted
// violations it reports exactly those, with package, file:line, table and
// owner.
func TestOwnershipFindsPlantedViolations(t *testing.T) {
	vs, err := ownershipViolations(filepath.Join("testdata", "ownership"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.String())
	}
	want := []string{
		"internal/handlers/shop (internal/handlers/shop/shop.go:3): table departments belongs to internal/account",
		"internal/handlers/shop (internal/handlers/shop/shop.go:3): table shop_orders belongs to internal/shop",
		"internal/shop (internal/shop/orders.go:12): table stock_items belongs to internal/stock",
		"internal/shop (internal/shop/orders.go:16): table stock_log belongs to internal/stock",
		"internal/shop (internal/shop/orders.go:20): table users belongs to internal/account",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// A table has one owner, and a table in the shared folder must have one.
func TestOwnersMustBeUnique(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  string
	}{
		"two creators": {map[string]string{
			"internal/a/migrations/0001_a.sql": "CREATE TABLE things (id BIGINT);",
			"internal/b/migrations/0001_b.sql": "create table if not exists things (id BIGINT);",
		}, "table things is created by internal/a"},
		"no legacy owner": {map[string]string{
			"internal/db/migrations/0001_core.sql": "CREATE TABLE gadgets (id BIGINT);",
		}, "table gadgets is in the shared migrations folder and has no owner"},
		"go code creates another's table": {map[string]string{
			"internal/a/migrations/0001_a.sql": "CREATE TABLE things (id BIGINT);",
			"internal/b/b.go":                  "package b\n\nconst q = `CREATE TABLE things (id BIGINT)`\n",
		}, "table things is created by internal/a"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ownershipViolations(writeTree(t, tc.files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestTableRefs(t *testing.T) {
	known := map[string]bool{"a": true, "b": true, "c": true, "d": true}
	isTable := func(s string) bool { return known[s] }
	for sql, want := range map[string]string{
		"SELECT x FROM a":                                        "a",
		"select x from a, b where a.id = b.id":                   "a b",
		"SELECT x FROM a AS t1, b t2, c WHERE 1 = 1":             "a b c",
		"SELECT * FROM a LEFT JOIN b ON b.id = a.id JOIN c ON 1": "a b c",
		`DELETE FROM "a" WHERE id IN (SELECT id FROM d)`:         "a d",
		"INSERT INTO a (id) SELECT id FROM b":                    "a b",
		"UPDATE a SET x = (SELECT y FROM b)":                     "a b",
		"TRUNCATE TABLE a, b":                                    "a",
		"WITH t AS (SELECT 1) SELECT * FROM t, a":                "a",
		"SELECT 'FROM b' FROM c":                                 "c",
		"SELECT EXTRACT(YEAR FROM created) FROM a WHERE x = ','": "a",
		"SELECT x FROM a WHERE y, b":                             "a",
	} {
		var got []string
		for _, r := range tableRefs(sqlText{text: sql}, isTable) {
			got = append(got, r.table)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: got %v, want %s", sql, got, want)
		}
	}
}
