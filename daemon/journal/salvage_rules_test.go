package journal

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Salvage believes every pending item of the older tree is still pending
// when the newest transaction took a new item id (onlyAdded): the
// functions that take one only add records, never taking an item out of
// pending. This lists them; a new one must keep to that, or salvage's
// rule must change (salvage_read.go).
func TestOnlyAddingTransactionsTakeIDs(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var takers []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				// nextID is the one call of NextSequence; its callers take ids.
				if sel, ok := n.(*ast.SelectorExpr); ok && (sel.Sel.Name == "nextID" ||
					sel.Sel.Name == "NextSequence" && fn.Name.Name != "nextID") {
					takers = append(takers, fn.Name.Name)
				}
				return true
			})
		}
	}
	slices.Sort(takers)
	if want := []string{"enqueue", "newID", "submit"}; !slices.Equal(takers, want) {
		t.Errorf("functions taking a new item id: %q, want %q (submit, enqueue, and Import's newID)", takers, want)
	}
}
