package arch

import (
	"fmt"
	"go/ast"
	"slices"
	"strings"
	"testing"
)

// Every message leads to its item (issue 13): each notify.Message a
// package builds names its Link. The only messages without an item are
// verification codes and the admin's channel test.
var linklessTypes = []string{"TypeSMSCode", "TypeTest"}

func messageLinkViolations(pkgs []goPackage) []string {
	var out []string
	for _, p := range pkgs {
		for _, f := range p.files {
			if f.test {
				continue
			}
			ast.Inspect(f.ast, func(n ast.Node) bool {
				lit, ok := n.(*ast.CompositeLit)
				if !ok || !isMessageType(lit.Type, p.dir) {
					return true
				}
				keys := map[string]ast.Expr{}
				for _, e := range lit.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						if id, ok := kv.Key.(*ast.Ident); ok {
							keys[id.Name] = kv.Value
						}
					}
				}
				if _, ok := keys["Link"]; ok {
					return true
				}
				if typ, ok := keys["Type"]; ok {
					if sel, ok := typ.(*ast.SelectorExpr); ok && slices.Contains(linklessTypes, sel.Sel.Name) {
						return true
					}
					if id, ok := typ.(*ast.Ident); ok && slices.Contains(linklessTypes, id.Name) {
						return true
					}
				}
				out = append(out, fmt.Sprintf("%s:%d: notify.Message without a Link to its item", f.path, f.fset.Position(lit.Pos()).Line))
				return true
			})
		}
	}
	slices.Sort(out)
	return out
}

func isMessageType(e ast.Expr, dir string) bool {
	switch t := e.(type) {
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && x.Name == "notify" && t.Sel.Name == "Message"
	case *ast.Ident:
		return dir == "internal/notify" && t.Name == "Message"
	}
	return false
}

func TestEveryMessageHasALink(t *testing.T) {
	pkgs, err := loadPackages(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	if v := messageLinkViolations(pkgs); len(v) > 0 {
		t.Errorf("messages that do not lead to their item:\n%s", strings.Join(v, "\n"))
	}
}

func TestMessageLinkCheckFindsPlantedViolations(t *testing.T) {
	root := writeTree(t, map[string]string{
		"internal/shop/shop.go": "package shop\n\nimport \"example/internal/notify\"\n\n" +
			"var a = notify.Message{Type: \"shop.sold\"}\n" +
			"var b = notify.Message{Type: \"shop.sold\", Link: \"/shop/1\"}\n" +
			"var c = notify.Message{Type: notify.TypeSMSCode}\n" +
			"var d = []notify.Message{{Type: \"shop.x\"}}\n",
		"internal/shop/shop_test.go": "package shop\n\nimport \"example/internal/notify\"\n\nvar e = notify.Message{}\n",
	})
	pkgs, err := loadPackages(root)
	if err != nil {
		t.Fatal(err)
	}
	got := messageLinkViolations(pkgs)
	want := []string{"internal/shop/shop.go:5: notify.Message without a Link to its item"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
