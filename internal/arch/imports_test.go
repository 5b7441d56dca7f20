package arch

import (
	"fmt"
	"go/ast"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Dependencies point one way: handlers -> services -> storage. These are
// the layers, by package directory relative to the module root.

// webLayer renders pages and JSON: the HTTP side.
func webLayer(dir string) bool {
	return under(dir, "internal/handlers") || under(dir, "internal/server") || under(dir, "internal/web") ||
		under(dir, "internal/api") || under(dir, "internal/site") || under(dir, "internal/module/example/exampleweb")
}

// assembly wires everything together and may import any layer; so may
// the test-fixture packages (testFixtures), which build whole sites.
func assembly(dir string) bool {
	return under(dir, "cmd") || under(dir, "internal/app") || under(dir, "internal/modules") || dir == "internal/module" ||
		under(dir, "internal/demo") || under(dir, "internal/arch") || testFixtures[dir]
}

// infrastructure is storage and jobs: below the services.
func infrastructure(dir string) bool {
	return under(dir, "internal/db") || under(dir, "internal/jobs")
}

// pureDomain packages do no I/O at all (docs/architecture.md).
var pureDomain = []string{"internal/auth", "internal/scope", "internal/ident", "internal/refdata", "internal/calendar", "internal/yserr", "internal/clock"}

func under(dir, base string) bool { return dir == base || strings.HasPrefix(dir, base+"/") }

// storageImport reports whether an import path is storage: our database
// package or a database driver.
func storageImport(module, path string) bool {
	return path == module+"/internal/db" || strings.HasPrefix(path, module+"/internal/db/") ||
		path == "database/sql" || strings.HasPrefix(path, "database/sql/") ||
		strings.HasPrefix(path, "github.com/jackc/pgx") || strings.HasPrefix(path, "modernc.org/sqlite") ||
		strings.HasPrefix(path, "github.com/riverqueue/river/riverdriver")
}

// httpServerNames are the parts of net/http that serve requests; a service
// may be an HTTP client (webhooks, OIDC) but never a handler.
var httpServerNames = []string{"ResponseWriter", "Handler", "HandlerFunc", "ServeMux", "NewServeMux", "Server",
	"Handle", "HandleFunc", "ListenAndServe", "Error", "Redirect", "ServeContent", "ServeFile", "FileServer",
	"StripPrefix", "TimeoutHandler", "MaxBytesReader", "SetCookie", "NotFound"}

// importViolations checks the layer rules on the packages (test files
// excluded: a test may build fixtures with any package).
func importViolations(module string, pkgs []goPackage) []string {
	var out []string
	bad := func(f goFile, line int, format string, args ...any) {
		out = append(out, fmt.Sprintf("%s:%d: %s", f.path, line, fmt.Sprintf(format, args...)))
	}
	for _, p := range pkgs {
		if !strings.HasPrefix(p.dir, "internal/") || assembly(p.dir) {
			continue
		}
		service := !webLayer(p.dir) && !assembly(p.dir) && !infrastructure(p.dir)
		pure := slices.ContainsFunc(pureDomain, func(d string) bool { return under(p.dir, d) })
		for _, f := range p.files {
			if f.test || f.ast.Name.Name == "main" {
				continue // tests build fixtures; a main package is a tool (a generator)
			}
			httpName := ""
			for _, im := range f.imports {
				local := strings.TrimPrefix(im.path, module+"/")
				ours := local != im.path
				switch {
				case webLayer(p.dir) && storageImport(module, im.path):
					bad(f, im.line, "handler package %s imports storage %s; call a service instead", p.dir, im.path)
				case service && ours && webLayer(local):
					bad(f, im.line, "service package %s imports %s of the web layer; dependencies point handlers -> services", p.dir, local)
				case service && ours && assembly(local):
					bad(f, im.line, "service package %s imports %s, which assembles the services", p.dir, local)
				case service && im.path == "net/http/httptest":
					bad(f, im.line, "service package %s imports net/http/httptest", p.dir)
				case pure && (storageImport(module, im.path) || im.path == "net/http" || im.path == "os" || (ours && !slices.ContainsFunc(pureDomain, func(d string) bool { return under(local, d) }))):
					bad(f, im.line, "pure domain package %s imports %s; it must do no I/O", p.dir, im.path)
				}
				if im.path == "net/http" {
					httpName = "http"
				}
			}
			if !service || httpName == "" {
				continue
			}
			for _, spec := range f.ast.Imports {
				if p, _ := strconv.Unquote(spec.Path.Value); p == "net/http" && spec.Name != nil {
					httpName = spec.Name.Name
				}
			}
			ast.Inspect(f.ast, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == httpName && slices.Contains(httpServerNames, sel.Sel.Name) {
					bad(f, f.fset.Position(sel.Pos()).Line, "service package %s uses http.%s: serving HTTP belongs to internal/handlers", p.dir, sel.Sel.Name)
				}
				return true
			})
		}
	}
	slices.Sort(out)
	return out
}

// TestImportDirection: handlers never import storage; services never import
// handlers, the server, the web layer or the assembly, and never serve HTTP;
// pure domain packages do no I/O.
func TestImportDirection(t *testing.T) {
	root := repoRoot(t)
	pkgs, err := loadPackages(root)
	if err != nil {
		t.Fatal(err)
	}
	if v := importViolations(modulePath(t, root), pkgs); len(v) > 0 {
		t.Errorf("imports against the layering (docs/architecture.md):\n%s", strings.Join(v, "\n"))
	}
}

// The import test must fail on planted violations.
func TestImportDirectionFindsPlantedViolations(t *testing.T) {
	root := writeTree(t, map[string]string{
		"internal/handlers/shop/shop.go":      "package shop\n\nimport (\n\t\"net/http\"\n\n\t\"example/internal/db\"\n\t\"example/internal/shop\"\n)\n\nvar _ http.Handler\nvar _ = db.X\nvar _ = shop.X\n",
		"internal/handlers/shop/shop_test.go": "package shop\n\nimport \"database/sql\"\n\nvar _ sql.DB\n",
		"internal/shop/shop.go":               "package shop\n\nimport (\n\t\"database/sql\"\n\tweb \"net/http\"\n\n\t\"example/internal/server\"\n)\n\nvar X = 1\nvar _ sql.DB\nvar _ = server.X\nvar c web.Client\n\nfunc h(w web.ResponseWriter, r *web.Request) {}\n",
		"internal/auth/auth.go":               "package auth\n\nimport (\n\t\"os\"\n\n\t\"example/internal/yserr\"\n\t\"example/internal/shop\"\n)\n\nvar _ = os.Args\nvar _ = yserr.X\nvar _ = shop.X\n",
		"internal/app/app.go":                 "package app\n\nimport (\n\t\"example/internal/db\"\n\t\"example/internal/server\"\n)\n",
	})
	pkgs, err := loadPackages(root)
	if err != nil {
		t.Fatal(err)
	}
	got := importViolations("example", pkgs)
	want := []string{
		"internal/auth/auth.go:4: pure domain package internal/auth imports os; it must do no I/O",
		"internal/auth/auth.go:7: pure domain package internal/auth imports example/internal/shop; it must do no I/O",
		"internal/handlers/shop/shop.go:6: handler package internal/handlers/shop imports storage example/internal/db; call a service instead",
		"internal/shop/shop.go:15: service package internal/shop uses http.ResponseWriter: serving HTTP belongs to internal/handlers",
		"internal/shop/shop.go:7: service package internal/shop imports internal/server of the web layer; dependencies point handlers -> services",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func modulePath(t *testing.T, root string) string {
	t.Helper()
	b, err := readFile(root, "go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b, "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.TrimSpace(m)
		}
	}
	t.Fatal("go.mod has no module line")
	return ""
}
