package service

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// kardianosDir is the pinned kardianos/service module's source directory.
func kardianosDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/kardianos/service").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/kardianos/service: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("kardianos/service source not found in the module cache")
	}
	return dir
}

// libraryVocabulary reads, from kardianos' source, the keys its systemd
// backend passes to a SystemdScript (the map literal assigned to data in
// (*systemd).Install) and the template functions (the map literal tfs).
func libraryVocabulary(t *testing.T) (keys, funcs []string) {
	t.Helper()
	dir := kardianosDir(t)
	fset := token.NewFileSet()
	parse := func(name string) *ast.File {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	mapKeys := func(lit *ast.CompositeLit) []string {
		var out []string
		for _, el := range lit.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if bl, ok := kv.Key.(*ast.BasicLit); ok && bl.Kind == token.STRING {
					s, _ := strconv.Unquote(bl.Value)
					out = append(out, s)
				}
			}
		}
		return out
	}
	ast.Inspect(parse("service_systemd_linux.go"), func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "Install" || fn.Recv == nil {
			return true
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
				return true
			}
			if id, ok := as.Lhs[0].(*ast.Ident); ok && id.Name == "data" {
				if lit, ok := as.Rhs[0].(*ast.CompositeLit); ok {
					keys = mapKeys(lit)
				}
			}
			return true
		})
		return false
	})
	ast.Inspect(parse("service_linux.go"), func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "tfs" || len(vs.Values) != 1 {
			return true
		}
		if lit, ok := vs.Values[0].(*ast.CompositeLit); ok {
			funcs = mapKeys(lit)
		}
		return false
	})
	// The library's own template must pass the same check, or this reading
	// of its source is wrong.
	if len(keys) < 10 || !slices.Contains(keys, "Path") || !slices.Contains(keys, "Arguments") {
		t.Fatalf("could not read the template keys from kardianos' source: %q", keys)
	}
	if !slices.Contains(funcs, "cmd") || !slices.Contains(funcs, "cmdEscape") {
		t.Fatalf("could not read the template functions from kardianos' source: %q", funcs)
	}
	return keys, funcs
}

var actionRE = regexp.MustCompile(`\{\{(.*?)\}\}`)

// checkTemplate returns a problem for every action of tmpl whose key or
// function kardianos does not provide, or whose syntax its engine does not
// have (dotted fields, text/template functions).
func checkTemplate(tmpl string, keys, funcs []string) []string {
	var problems []string
	depth := 0 // inside range: "." is the item
	for _, m := range actionRE.FindAllStringSubmatch(tmpl, -1) {
		action := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(m[1], "-"), "-"))
		word, rest, _ := strings.Cut(action, " ")
		switch word {
		case "end":
			depth = max(depth-1, 0)
			continue
		case "else":
			continue
		case "if", "range":
			key := strings.TrimSpace(rest)
			if !slices.Contains(keys, key) {
				problems = append(problems, m[0]+": unknown key "+strconv.Quote(key))
			}
			depth++
			continue
		}
		parts := strings.Split(action, "|")
		key := strings.TrimSpace(parts[0])
		switch {
		case key == "." && depth > 0:
		case !slices.Contains(keys, key):
			problems = append(problems, m[0]+": unknown key "+strconv.Quote(key))
		}
		for _, f := range parts[1:] {
			if f = strings.TrimSpace(f); !slices.Contains(funcs, f) {
				problems = append(problems, m[0]+": unknown function "+strconv.Quote(f))
			}
		}
	}
	return problems
}

// TestSystemdTemplateKeys: every action in our unit templates names a key
// and functions kardianos v1.3 provides to a SystemdScript. An unknown key
// inside an {{if}} whose branch is not taken would otherwise pass every
// install and fail on someone else's machine.
func TestSystemdTemplateKeys(t *testing.T) {
	keys, funcs := libraryVocabulary(t)
	for name, tmpl := range map[string]string{"system": Template(false), "user": Template(true)} {
		if n := len(actionRE.FindAllString(tmpl, -1)); n < 4 {
			t.Errorf("%s template: only %d actions; is it a template at all?", name, n)
		}
		for _, p := range checkTemplate(tmpl, keys, funcs) {
			t.Errorf("%s template: %s", name, p)
		}
	}
}

// TestSystemdTemplateCheckerCatches: the checker refuses what kardianos'
// engine cannot render, so TestSystemdTemplateKeys can fail.
func TestSystemdTemplateCheckerCatches(t *testing.T) {
	keys, funcs := libraryVocabulary(t)
	for _, tc := range []struct{ tmpl, want string }{
		{"ExecStart={{.Path}}", `unknown key ".Path"`},
		{"ExecStart={{Path | quote}}", `unknown function "quote"`},
		{"{{if Secret}}x{{end}}", `unknown key "Secret"`},
		{"{{range Args}}{{.}}{{end}}", `unknown key "Args"`},
		{"X={{.}}", `unknown key "."`},
		{"{{if and UserName Path}}x{{end}}", `unknown key "and UserName Path"`},
	} {
		got := strings.Join(checkTemplate(tc.tmpl, keys, funcs), "; ")
		if !strings.Contains(got, tc.want) {
			t.Errorf("checkTemplate(%q) = %q, want %q", tc.tmpl, got, tc.want)
		}
	}
	if p := checkTemplate(`{{range Arguments}} {{. | cmd}}{{end}}{{Path | cmdEscape}}`, keys, funcs); len(p) > 0 {
		t.Errorf("a valid template was refused: %q", p)
	}
}
