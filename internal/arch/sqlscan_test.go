package arch

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// This file reads the tree: which package creates which table (its
// migrations, or a CREATE TABLE in its Go code), and which tables each
// package's SQL names. The rules that use it are in ownership_test.go.

// legacyOwners maps the tables of the shared migration folder
// internal/db/migrations to their owners while the migrations still live
// there. Once every package keeps its own internal/<pkg>/migrations folder,
// the folder itself names the owner and this map is no longer consulted.
// An entry ending in "_" is a prefix (license_ covers license_types, ...).
var legacyOwners = map[string]string{
	"departments": "internal/account", "users": "internal/account", "user_roles": "internal/account",
	"sessions": "internal/account", "api_tokens": "internal/account", "enterprise_bindings": "internal/account",
	"sms_codes": "internal/account", "settings": "internal/account",
	"entities":      "internal/entity",
	"imports":       "internal/importkit",
	"calendar_days": "internal/workcal",
	"audit_events":  "internal/audit", "audit_head": "internal/audit",
	"notification_templates": "internal/notify", "notifications": "internal/notify", "webhooks": "internal/notify",
	"licenses": "internal/license", "license_": "internal/license",
	"credit_": "internal/credit",
	"appeals": "internal/appeal", "appeal_": "internal/appeal",
	"draws": "internal/draw", "draw_": "internal/draw",
	"bideval_": "internal/bideval",
	"files":    "internal/filestore", "file_": "internal/filestore",
}

// externalOwners are tables that no migration file of ours creates: River
// creates its own tables through its migrator, which internal/jobs runs.
var externalOwners = map[string]string{"river_": "internal/jobs"}

func lookupOwner(m map[string]string, table string) string {
	if o, ok := m[table]; ok && !strings.HasSuffix(table, "_") {
		return o
	}
	best := ""
	for k := range m {
		if strings.HasSuffix(k, "_") && strings.HasPrefix(table, k) && len(k) > len(best) {
			best = k
		}
	}
	if best == "" {
		return ""
	}
	return m[best]
}

// tableOwners is the map table -> owning package directory ("internal/credit").
type tableOwners struct {
	owner   map[string]string
	created map[string]string // table -> file:line that creates it, for messages
}

var createTableRE = regexp.MustCompile(`(?is)\bCREATE\s+(?:UNLOGGED\s+|TEMP\s+|TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([A-Za-z_][A-Za-z0-9_]*)`)

// loadOwners reads every migrations folder under root/internal (and the
// CREATE TABLE statements of the Go sources) and names each table's owner.
// It fails when a table has two owners or a legacy table has none.
func loadOwners(root string, sources []goPackage) (*tableOwners, error) {
	t := &tableOwners{owner: map[string]string{}, created: map[string]string{}}
	var errs []string
	add := func(table, owner, where string) {
		table = strings.ToLower(table)
		if prev, ok := t.owner[table]; ok && prev != owner {
			errs = append(errs, fmt.Sprintf("table %s is created by %s (%s) and by %s (%s)", table, prev, t.created[table], owner, where))
			return
		}
		if _, ok := t.owner[table]; !ok {
			t.owner[table] = owner
			t.created[table] = where
		}
	}
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || filepath.Ext(path) != ".sql" || filepath.Base(filepath.Dir(path)) != "migrations" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		dir := filepath.ToSlash(filepath.Dir(filepath.Dir(rel)))
		src := stripSQLComments(string(b))
		for _, m := range createTableRE.FindAllStringSubmatchIndex(src, -1) {
			table := strings.ToLower(src[m[2]:m[3]])
			where := fmt.Sprintf("%s:%d", rel, 1+strings.Count(src[:m[0]], "\n"))
			owner := dir
			if dir == "internal/db" {
				owner = lookupOwner(legacyOwners, table)
				if owner == "" {
					errs = append(errs, fmt.Sprintf("%s: table %s is in the shared migrations folder and has no owner: move it to its package's migrations folder or name its owner in legacyOwners", where, table))
					continue
				}
			}
			add(table, owner, where)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, p := range sources {
		for _, f := range p.files {
			if f.test {
				continue
			}
			for _, s := range f.strings {
				for _, m := range createTableRE.FindAllStringSubmatchIndex(s.text, -1) {
					add(s.text[m[2]:m[3]], p.dir, s.where(m[0]))
				}
			}
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return t, nil
}

// ownerOf returns the owner of a table, "" when the table is none of ours
// (information_schema, sqlite_master, a CTE or an alias).
func (t *tableOwners) ownerOf(table string) string {
	if o, ok := t.owner[table]; ok {
		return o
	}
	return lookupOwner(externalOwners, table)
}

// owns reports whether the package in dir may name a table of owner: the
// owner itself or a package below it (internal/credit/... owns credit_*).
func owns(dir, owner string) bool {
	return dir == owner || strings.HasPrefix(dir, owner+"/")
}

func stripSQLComments(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			b.WriteString(line[:i])
			if strings.HasSuffix(line, "\n") {
				b.WriteString("\n")
			}
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// goPackage is one directory of Go sources.
type goPackage struct {
	dir   string // slash path relative to the root: "internal/credit"
	files []goFile
}

type goFile struct {
	path    string // slash path relative to the root
	test    bool
	imports []goImport
	strings []sqlText
	fset    *token.FileSet
	ast     *ast.File
}

type goImport struct {
	path string
	line int
}

// sqlText is the value of a string literal, or of a concatenation of
// literals and constants ("SELECT ... " + "FROM t"); parts that are not
// constant (a variable, a call) read as a blank "?". Lines are kept so a
// match in a raw multi-line literal reports its own line.
type sqlText struct {
	file  string
	text  string
	spans []span // text offsets -> source lines
}

type span struct {
	off  int // first byte of the part in text
	line int // the source line of that byte
	raw  bool
}

func (s sqlText) where(off int) string {
	line := 0
	for _, sp := range s.spans {
		if sp.off > off {
			break
		}
		line = sp.line
		if sp.raw {
			line += strings.Count(s.text[sp.off:off], "\n")
		}
	}
	return fmt.Sprintf("%s:%d", s.file, line)
}

// loadPackages parses every Go file below root/internal and root/cmd
// (testdata and vendor excluded).
func loadPackages(root string) ([]goPackage, error) {
	byDir := map[string]*goPackage{}
	for _, top := range []string{"internal", "cmd"} {
		base := filepath.Join(root, top)
		if _, err := os.Stat(base); err != nil {
			continue
		}
		err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "vendor" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			if d.IsDir() || filepath.Ext(path) != ".go" {
				return nil
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			f, err := parseGoFile(path, rel)
			if err != nil {
				return err
			}
			dir := filepath.ToSlash(filepath.Dir(rel))
			p := byDir[dir]
			if p == nil {
				p = &goPackage{dir: dir}
				byDir[dir] = p
			}
			p.files = append(p.files, f)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var out []goPackage
	for _, p := range byDir {
		resolveConstants(p)
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b goPackage) int { return strings.Compare(a.dir, b.dir) })
	return out, nil
}

func parseGoFile(path, rel string) (goFile, error) {
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return goFile{}, err
	}
	f := goFile{path: rel, test: strings.HasSuffix(rel, "_test.go"), fset: fset, ast: af}
	for _, im := range af.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		f.imports = append(f.imports, goImport{path: p, line: fset.Position(im.Pos()).Line})
	}
	return f, nil
}

// resolveConstants collects the package's string constants, then the SQL
// texts of every file, with constants folded into concatenations.
func resolveConstants(p *goPackage) {
	consts := map[string]string{}
	// Two passes let a constant built from another constant resolve.
	for range 2 {
		for _, f := range p.files {
			for _, decl := range f.ast.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if s, ok := constString(vs.Values[i], consts); ok {
								consts[name.Name] = s
							}
						}
					}
				}
			}
		}
	}
	for i := range p.files {
		f := &p.files[i]
		ast.Inspect(f.ast, func(n ast.Node) bool {
			switch e := n.(type) {
			case *ast.BinaryExpr:
				if e.Op != token.ADD {
					return true
				}
				t := sqlText{file: f.path}
				if !flatten(f.fset, e, consts, &t) {
					return true // not a string concatenation: look inside
				}
				f.strings = append(f.strings, t)
				return false
			case *ast.BasicLit:
				if e.Kind == token.STRING {
					t := sqlText{file: f.path}
					flatten(f.fset, e, consts, &t)
					f.strings = append(f.strings, t)
				}
			}
			return true
		})
	}
}

func constString(e ast.Expr, consts map[string]string) (string, bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(v.Value)
		return s, err == nil
	case *ast.Ident:
		s, ok := consts[v.Name]
		return s, ok
	case *ast.ParenExpr:
		return constString(v.X, consts)
	case *ast.BinaryExpr:
		if v.Op != token.ADD {
			return "", false
		}
		a, ok1 := constString(v.X, consts)
		b, ok2 := constString(v.Y, consts)
		return a + b, ok1 && ok2
	}
	return "", false
}

// flatten appends the parts of a + chain to t and reports whether the chain
// holds at least one string literal.
func flatten(fset *token.FileSet, e ast.Expr, consts map[string]string, t *sqlText) bool {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind != token.STRING {
			t.text += " ? "
			return false
		}
		s, err := strconv.Unquote(v.Value)
		if err != nil {
			return false
		}
		t.spans = append(t.spans, span{off: len(t.text), line: fset.Position(v.Pos()).Line, raw: strings.HasPrefix(v.Value, "`")})
		t.text += s
		return true
	case *ast.Ident:
		if s, ok := consts[v.Name]; ok {
			t.spans = append(t.spans, span{off: len(t.text), line: fset.Position(v.Pos()).Line})
			t.text += s
			return false
		}
	case *ast.ParenExpr:
		return flatten(fset, v.X, consts, t)
	case *ast.BinaryExpr:
		if v.Op == token.ADD {
			a := flatten(fset, v.X, consts, t)
			b := flatten(fset, v.Y, consts, t)
			return a || b
		}
	}
	t.text += " ? "
	return false
}

// tableRef is one table named by SQL in a Go source.
type tableRef struct {
	table string
	where string
}

var (
	sqlWordRE = regexp.MustCompile(`"[^"]*"|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_]*|[,()]|\S`)
	// refKeywords are followed by a table name.
	refKeywords = map[string]bool{"FROM": true, "JOIN": true, "INTO": true, "UPDATE": true, "TABLE": true, "TRUNCATE": true}
	// skipAfterKeyword may stand between the keyword and the table.
	skipAfterKeyword = map[string]bool{"ONLY": true, "IF": true, "NOT": true, "EXISTS": true, "LATERAL": true}
	// notAlias ends a FROM item: the word after a table that is no alias.
	notAlias = map[string]bool{"WHERE": true, "JOIN": true, "LEFT": true, "RIGHT": true, "INNER": true, "OUTER": true,
		"FULL": true, "CROSS": true, "ON": true, "USING": true, "GROUP": true, "ORDER": true, "LIMIT": true,
		"OFFSET": true, "UNION": true, "EXCEPT": true, "INTERSECT": true, "SET": true, "VALUES": true,
		"RETURNING": true, "HAVING": true, "WINDOW": true, "FOR": true, "NATURAL": true, "AS": true, "SELECT": true, "DEFAULT": true}
)

// tableRefs lists the tables (known to isTable) that a SQL text names after
// FROM, JOIN, INTO, UPDATE, TABLE or TRUNCATE, including the later items of
// a comma-separated FROM list.
func tableRefs(s sqlText, isTable func(string) bool) []tableRef {
	var out []tableRef
	words := sqlWordRE.FindAllStringIndex(s.text, -1)
	word := func(i int) string {
		if i >= len(words) {
			return ""
		}
		return s.text[words[i][0]:words[i][1]]
	}
	ident := func(w string) string {
		w = strings.Trim(w, `"`)
		if w == "" || !(w[0] == '_' || (w[0]|0x20 >= 'a' && w[0]|0x20 <= 'z')) {
			return ""
		}
		return strings.ToLower(w)
	}
	// take records the word at i if it names a table and reports whether
	// it is a name at all (a CTE or alias is a name but no table of ours).
	take := func(i int) (int, bool) {
		name := ident(word(i))
		if name == "" {
			return i, false
		}
		if isTable(name) {
			out = append(out, tableRef{table: name, where: s.where(words[i][0])})
		}
		return i + 1, true
	}
	for i := 0; i < len(words); i++ {
		kw := strings.ToUpper(word(i))
		if !refKeywords[kw] {
			continue
		}
		j := i + 1
		for skipAfterKeyword[strings.ToUpper(word(j))] {
			j++
		}
		next, ok := take(j)
		if !ok || kw != "FROM" {
			continue
		}
		// FROM a x, b y: the items after commas are tables too.
		for {
			j = next
			if w := strings.ToUpper(word(j)); w == "AS" {
				j++
			}
			if w := word(j); ident(w) != "" && !notAlias[strings.ToUpper(w)] {
				j++ // an alias
			}
			if word(j) != "," {
				break
			}
			if next, ok = take(j + 1); !ok {
				break
			}
		}
	}
	return out
}

func readFile(root, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, name))
	return string(b), err
}
