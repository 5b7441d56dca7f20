package modules_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/template/parse"

	"yingshang/internal/modules"
	"yingshang/internal/web"
)

// rawCodeFields are the fields that hold codes: printing one of them as
// text, without the label function, shows a raw code to people.
var rawCodeFields = map[string]bool{"Status": true, "State": true, "Reason": true, "Kind": true, "Action": true, "Channel": true, "Role": true}

// TestTemplatesPrintNoRawCode parses every embedded template (the core's
// and every module's) and fails on an action that prints a code field as
// page text (attribute values such as data-status="{{.Status}}" are not
// shown and are allowed), naming the template and line.
func TestTemplatesPrintNoRawCode(t *testing.T) {
	trees := map[string]fs.FS{"core": web.CoreTemplates()}
	for _, info := range modules.All {
		if info.Templates != nil {
			trees[info.Name] = info.Templates
		}
	}
	files := 0
	for owner, tree := range trees {
		err := fs.WalkDir(tree, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
				return err
			}
			b, err := fs.ReadFile(tree, p)
			if err != nil {
				return err
			}
			files++
			for _, bad := range rawPrints(t, owner+"/"+p, string(b)) {
				t.Errorf("%s prints a raw code: %s (use {{label . \"<kind>\" ...}})", bad.where, bad.text)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 50 {
		t.Fatalf("walked only %d templates", files)
	}
}

// TestRawPrintsFound makes sure the walker itself finds a raw print in
// text, in a nested block, and not in an attribute.
func TestRawPrintsFound(t *testing.T) {
	src := `{{define "content"}}<p data-status="{{.Status}}">{{if .X}}<b>{{.Data.Appeal.State}}</b>{{end}}{{label . "k" .Status}}{{range .L}}{{$.Role}}{{end}}</p>{{end}}`
	got := rawPrints(t, "probe.html", src)
	if len(got) != 2 || !strings.Contains(got[0].text, ".Data.Appeal.State") || !strings.Contains(got[1].text, "$.Role") {
		t.Fatalf("found %+v, want .Data.Appeal.State and $.Role", got)
	}
}

type rawPrint struct{ where, text string }

func rawPrints(t *testing.T, name, src string) []rawPrint {
	t.Helper()
	tr := parse.New(name)
	tr.Mode = parse.SkipFuncCheck | parse.ParseComments
	set := map[string]*parse.Tree{}
	if _, err := tr.Parse(src, "{{", "}}", set); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	var out []rawPrint
	inTag := false
	var walk func(tree *parse.Tree, n parse.Node)
	walk = func(tree *parse.Tree, n parse.Node) {
		switch x := n.(type) {
		case *parse.ListNode:
			if x == nil {
				return
			}
			for _, c := range x.Nodes {
				walk(tree, c)
			}
		case *parse.TextNode:
			for _, c := range string(x.Text) {
				switch c {
				case '<':
					inTag = true
				case '>':
					inTag = false
				}
			}
		case *parse.ActionNode:
			if inTag || len(x.Pipe.Decl) > 0 || len(x.Pipe.Cmds) != 1 || len(x.Pipe.Cmds[0].Args) != 1 {
				return
			}
			if last := lastField(x.Pipe.Cmds[0].Args[0]); rawCodeFields[last] {
				loc, _ := tree.ErrorContext(x)
				out = append(out, rawPrint{where: loc, text: x.String()})
			}
		case *parse.IfNode:
			walk(tree, x.List)
			walk(tree, x.ElseList)
		case *parse.RangeNode:
			walk(tree, x.List)
			walk(tree, x.ElseList)
		case *parse.WithNode:
			walk(tree, x.List)
			walk(tree, x.ElseList)
		}
	}
	for _, tree := range set {
		inTag = false
		walk(tree, tree.Root)
	}
	return out
}

func lastField(n parse.Node) string {
	var ids []string
	switch x := n.(type) {
	case *parse.FieldNode:
		ids = x.Ident
	case *parse.VariableNode:
		ids = x.Ident[1:]
	case *parse.ChainNode:
		ids = x.Field
	}
	if len(ids) == 0 {
		return ""
	}
	return ids[len(ids)-1]
}

// auditLiteral finds audit actions written as literals in Go code.
var auditLiteral = regexp.MustCompile(`(?:Record\(\w+, |action :?= |Action: )"([a-z_]+\.[a-z_.]+)"`)

// TestAuditActionsLabelled reads the platform's Go code for audit action
// names written as literals and fails on one without a label.
func TestAuditActionsLabelled(t *testing.T) {
	root := filepath.Join("..")
	found := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || strings.Contains(p, "module/example") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range auditLiteral.FindAllStringSubmatch(string(b), -1) {
			if strings.HasSuffix(m[1], ".") || strings.HasSuffix(m[1], "_") {
				continue // the prefix of a name built at run time
			}
			found++
			if _, ok := web.AuditActionLabel(m[1], "en"); !ok {
				t.Errorf("%s: audit action %q has no label", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 100 {
		t.Fatalf("found only %d audit actions", found)
	}
}
