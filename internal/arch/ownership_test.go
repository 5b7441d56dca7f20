package arch

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// repoRoot is the module root, two folders above this file.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// violation is one SQL reference to a table of another package.
type violation struct {
	pkg, where, file, table, owner string
}

func (v violation) String() string {
	return fmt.Sprintf("%s (%s): table %s belongs to %s", v.pkg, v.where, v.table, v.owner)
}

// ownershipViolations lists every SQL reference in root's Go sources to a
// table its package does not own, sorted by place.
func ownershipViolations(root string) ([]violation, error) {
	pkgs, err := loadPackages(root)
	if err != nil {
		return nil, err
	}
	owners, err := loadOwners(root, pkgs)
	if err != nil {
		return nil, err
	}
	isTable := func(name string) bool { return owners.ownerOf(name) != "" }
	var out []violation
	for _, p := range pkgs {
		for _, f := range p.files {
			for _, s := range f.strings {
				for _, ref := range tableRefs(s, isTable) {
					owner := owners.ownerOf(ref.table)
					if owns(p.dir, owner) || testFixtureAllowed(p.dir, f) {
						continue
					}
					out = append(out, violation{pkg: p.dir, where: ref.where, file: f.path, table: ref.table, owner: owner})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].where < out[j].where })
	return out, nil
}

// testFixtures are the test-only packages that build fixtures across
// modules and may therefore name any table: dbtest clones and resets whole
// databases, sitetest prepares HTTP scenarios.
var testFixtures = map[string]bool{
	"internal/db/dbtest":     true,
	"internal/site/sitetest": true,
}

// testFixtureAllowed: test code may name any table to set up or inspect a
// fixture (a _test.go file, or a package in testFixtures); it never ships in
// the binary. Tests should still prefer the owners' Go APIs.
func testFixtureAllowed(dir string, f goFile) bool {
	return f.test || testFixtures[dir]
}

// TestTableOwnership: a package's SQL names only the tables its own
// migrations create. Another package's data is reached through that
// package's Go API or its events.
func TestTableOwnership(t *testing.T) {
	vs, err := ownershipViolations(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	// Count the references per file and table, to compare with the
	// references not yet moved to owner APIs (knownViolations).
	seen := map[string][]violation{}
	for _, v := range vs {
		k := v.file + " " + v.table
		seen[k] = append(seen[k], v)
	}
	var bad []string
	for k, list := range seen {
		if len(list) > knownViolations[k] {
			for _, v := range list {
				bad = append(bad, v.String())
			}
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("SQL names a table of another package; call the owner's Go API or subscribe to its events instead:\n%s", strings.Join(bad, "\n"))
	}
	var gone []string
	for k, n := range knownViolations {
		if len(seen[k]) < n {
			gone = append(gone, fmt.Sprintf("%q: %d (now %d)", k, n, len(seen[k])))
		}
	}
	sort.Strings(gone)
	if len(gone) > 0 {
		t.Errorf("these references were removed: lower or delete their entries in knownViolations (known_violations_test.go) so they cannot come back:\n%s", strings.Join(gone, "\n"))
	}
}
