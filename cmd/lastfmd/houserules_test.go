package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/signer"
)

// The catalog is the one place that says what a method is, and signer the
// one home of Last.fm's limits (docs/design.md#where-each-rule-lives). These
// tests, beside TestDesignImports, read every non-test Go file outside
// signer/ and the emulator (which keeps its own Last.fm on purpose) and fail
// on code that decides by a method's name or spells the batch cap again.

// ownVocabulary reports the directories whose code may spell Last.fm's
// names and numbers itself.
func ownVocabulary(rel string) bool {
	return rel == "signer" || strings.HasPrefix(rel, "signer/") ||
		rel == "daemon/emulator" || strings.HasPrefix(rel, "daemon/emulator/")
}

// eachProductionFile parses every non-test Go file of the module outside
// signer and the emulator and calls f with it.
func eachProductionFile(t *testing.T, f func(fset *token.FileSet, path string, file *ast.File)) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(repoRoot, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." || ownVocabulary(filepath.ToSlash(rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		f(fset, filepath.ToSlash(rel), file)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// methodNameLiteral reports whether e is a string literal naming a catalog
// method ("track.scrobble"), a method's verb (".addTags") or a package of
// methods ("auth.").
func methodNameLiteral(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil || s == "" {
		return "", false
	}
	if m, ok := signer.Lookup(s); ok && strings.EqualFold(m.Name, s) {
		return s, true
	}
	for _, name := range signer.MethodNames() {
		pkg, verb, _ := strings.Cut(name, ".")
		if s == "."+verb || s == pkg+"." {
			return s, true
		}
	}
	return "", false
}

// TestNoMethodNameComparisons: what a method is (batched, journalled, what
// it makes stale, which column of the policy table) comes from the
// catalog, never from comparing its name.
func TestNoMethodNameComparisons(t *testing.T) {
	eachProductionFile(t, func(fset *token.FileSet, path string, file *ast.File) {
		report := func(n ast.Node, lit string) {
			t.Errorf("%s: compares a method's name with %q: ask the catalog (signer.Lookup) what the method is", fset.Position(n.Pos()), lit)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if n.Op != token.EQL && n.Op != token.NEQ {
					return true
				}
				for _, side := range []ast.Expr{n.X, n.Y} {
					if lit, ok := methodNameLiteral(side); ok {
						report(n, lit)
					}
				}
			case *ast.CaseClause:
				for _, e := range n.List {
					if lit, ok := methodNameLiteral(e); ok {
						report(n, lit)
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "strings" {
					return true
				}
				switch sel.Sel.Name {
				case "HasPrefix", "HasSuffix", "EqualFold", "Contains", "Index":
					for _, a := range n.Args {
						if lit, ok := methodNameLiteral(a); ok {
							report(n, lit)
						}
					}
				}
			}
			return true
		})
	})
}

// TestNoLiteralBatchBound: Last.fm's per-call cap is signer.MaxScrobblesPerCall;
// no other code compares or sets a batch with the literal 50.
func TestNoLiteralBatchBound(t *testing.T) {
	fifty := func(e ast.Expr) bool {
		lit, ok := e.(*ast.BasicLit)
		return ok && lit.Kind == token.INT && lit.Value == "50"
	}
	aboutBatch := func(fset *token.FileSet, e ast.Expr) bool {
		var b strings.Builder
		ast.Inspect(e, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok {
				b.WriteString(id.Name + " ")
			}
			return true
		})
		return strings.Contains(strings.ToLower(b.String()), "batch")
	}
	eachProductionFile(t, func(fset *token.FileSet, path string, file *ast.File) {
		report := func(n ast.Node) {
			t.Errorf("%s: the literal 50 for a batch: use signer.MaxScrobblesPerCall", fset.Position(n.Pos()))
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if fifty(n.X) && aboutBatch(fset, n.Y) || fifty(n.Y) && aboutBatch(fset, n.X) {
					report(n)
				}
			case *ast.AssignStmt:
				for i, r := range n.Rhs {
					if i < len(n.Lhs) && fifty(r) && aboutBatch(fset, n.Lhs[i]) {
						report(n)
					}
				}
			case *ast.KeyValueExpr:
				if fifty(n.Value) && aboutBatch(fset, n.Key) {
					report(n)
				}
			case *ast.ValueSpec:
				for _, v := range n.Values {
					if fifty(v) {
						for _, name := range n.Names {
							if strings.Contains(strings.ToLower(name.Name), "batch") {
								report(n)
							}
						}
					}
				}
			}
			return true
		})
	})
}
