package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/lastfmd/lastfmd/signer"
)

// The repository's documentation is checked like code: every relative link
// in README.md and docs/*.md reaches a file that exists, and every #anchor a
// heading of that file; and docs/design.md's table of what each package may
// import is what `go list` finds. No network: links to other sites are left
// alone.

// repoRoot is the module root, two levels above this package.
var repoRoot = filepath.Join("..", "..")

// docFiles are the Markdown files whose links are checked, relative to the
// repository root.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md"}
	for _, f := range files {
		rel, _ := filepath.Rel(repoRoot, f)
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}

var (
	fenceRE   = regexp.MustCompile("^\\s*(```|~~~)")
	codeRE    = regexp.MustCompile("`+[^`]*`+")
	linkRE    = regexp.MustCompile(`\]\(([^()\s]+)\)`)
	headingRE = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	mdLinkRE  = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

// mdLink is one link target and the line it is on.
type mdLink struct {
	target string
	line   int
}

// scanMarkdown returns the links of a Markdown text (outside code blocks
// and code spans) and the anchors its headings get.
func scanMarkdown(text string) (links []mdLink, anchors map[string]bool) {
	anchors = map[string]bool{}
	seen := map[string]int{}
	inFence := false
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if fenceRE.MatchString(line) {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		if m := headingRE.FindStringSubmatch(line); m != nil {
			slug := headingSlug(m[2])
			if k := seen[slug]; k > 0 {
				anchors[fmt.Sprintf("%s-%d", slug, k)] = true
			} else {
				anchors[slug] = true
			}
			seen[slug]++
		}
		for _, m := range linkRE.FindAllStringSubmatch(codeRE.ReplaceAllString(line, ""), -1) {
			links = append(links, mdLink{target: m[1], line: n})
		}
	}
	return links, anchors
}

// headingSlug is the anchor GitHub gives a heading: its text without
// Markdown, lowercased, with everything but letters, digits, spaces, '-'
// and '_' removed, and spaces turned into '-'.
func headingSlug(heading string) string {
	heading = mdLinkRE.ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

func TestHeadingSlug(t *testing.T) {
	tests := []struct{ heading, want string }{
		{"Signing in", "signing-in"},
		{"The queue: `lastfmd queue`", "the-queue-lastfmd-queue"},
		{"`/v1/status`", "v1status"},
		{"The native API (`/v1/`)", "the-native-api-v1"},
		{"In your browser: `lastfmd auth login` (recommended)", "in-your-browser-lastfmd-auth-login-recommended"},
		{"Stopping, reloading, logging", "stopping-reloading-logging"},
		{"lastfmd's design: the house as it is", "lastfmds-design-the-house-as-it-is"},
		{"See [the table](#x)", "see-the-table"},
		{"snake_case and Ünïcode", "snake_case-and-ünïcode"},
	}
	for _, tt := range tests {
		if got := headingSlug(tt.heading); got != tt.want {
			t.Errorf("headingSlug(%q) = %q, want %q", tt.heading, got, tt.want)
		}
	}
}

func TestScanMarkdown(t *testing.T) {
	text := "# Title\n\nSee [a](a.md#x) and `[not](code.md)`.\n\n```sh\n[no](fenced.md)\n## Not a heading\n```\n\n## Title\n[b](#title-1) <https://example.com>\n"
	links, anchors := scanMarkdown(text)
	var got []string
	for _, l := range links {
		got = append(got, fmt.Sprintf("%d:%s", l.line, l.target))
	}
	if want := []string{"3:a.md#x", "11:#title-1"}; !slices.Equal(got, want) {
		t.Errorf("links %v, want %v", got, want)
	}
	if !anchors["title"] || !anchors["title-1"] || anchors["not-a-heading"] || len(anchors) != 2 {
		t.Errorf("anchors %v, want title and title-1", anchors)
	}
}

// brokenLinks returns one line per link of file (relative to root) that
// does not resolve.
func brokenLinks(root, file string) ([]string, error) {
	text, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		return nil, err
	}
	links, own := scanMarkdown(string(text))
	var bad []string
	for _, l := range links {
		if strings.Contains(l.target, "://") || strings.HasPrefix(l.target, "mailto:") {
			continue
		}
		path, anchor, _ := strings.Cut(l.target, "#")
		anchors := own
		if path != "" {
			target := filepath.Join(root, filepath.Dir(file), filepath.FromSlash(path))
			if rel, err := filepath.Rel(root, target); err != nil || strings.HasPrefix(rel, "..") {
				bad = append(bad, fmt.Sprintf("%s:%d: %s leaves the repository", file, l.line, l.target))
				continue
			}
			if _, err := os.Stat(target); err != nil {
				bad = append(bad, fmt.Sprintf("%s:%d: %s: no such file", file, l.line, l.target))
				continue
			}
			if anchor == "" {
				continue
			}
			if !strings.HasSuffix(path, ".md") {
				bad = append(bad, fmt.Sprintf("%s:%d: %s: an anchor into a file that is not Markdown", file, l.line, l.target))
				continue
			}
			other, err := os.ReadFile(target)
			if err != nil {
				return nil, err
			}
			_, anchors = scanMarkdown(string(other))
		}
		if anchor != "" && !anchors[anchor] {
			bad = append(bad, fmt.Sprintf("%s:%d: %s: no heading has the anchor #%s", file, l.line, l.target, anchor))
		}
	}
	return bad, nil
}

// TestBrokenLinksFound: the checker itself catches each kind of broken link.
func TestBrokenLinksFound(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/b.md", "# B\n## Part two\n")
	write("code.go", "package x\n")
	tests := []struct {
		name, text string
		broken     bool
	}{
		{"file", "[b](b.md)", false},
		{"anchor in another file", "[b](b.md#part-two)", false},
		{"own anchor", "# Top\n[t](#top)", false},
		{"up and back", "[c](../code.go) [r](../docs/b.md#b)", false},
		{"web", "[w](https://www.last.fm/api/rest#x)", false},
		{"missing file", "[x](nope.md)", true},
		{"missing anchor", "[b](b.md#part-three)", true},
		{"missing own anchor", "# Top\n[t](#bottom)", true},
		{"outside the repository", "[d](../../outside.md)", true},
		{"anchor into code", "[c](../code.go#L1)", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write("docs/a.md", tt.text+"\n")
			bad, err := brokenLinks(root, "docs/a.md")
			if err != nil {
				t.Fatal(err)
			}
			if got := len(bad) > 0; got != tt.broken {
				t.Errorf("broken %v (%q), want %v", got, bad, tt.broken)
			}
		})
	}
}

// TestDocsLinks: every relative link in README.md and docs/*.md resolves.
func TestDocsLinks(t *testing.T) {
	for _, f := range docFiles(t) {
		t.Run(f, func(t *testing.T) {
			bad, err := brokenLinks(repoRoot, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bad {
				t.Error(b)
			}
		})
	}
}

// TestDocsCiteNothingOutside: no document or Go file cites the design
// texts the project was specified with, which are not in the repository.
func TestDocsCiteNothingOutside(t *testing.T) {
	cite := regexp.MustCompile(`\bDESIGN\.md\b|\blastfm-api\.md\b|lastfm-methods\.tsv`)
	err := filepath.WalkDir(repoRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "node_modules" || name == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".go" && ext != ".md" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if cite.MatchString(line) {
				t.Errorf("%s:%d cites a file outside the repository: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCodeCitesDocs: every docs/NAME.md[#anchor] a Go file mentions (in a
// comment, mostly) names a file of docs/ and one of its headings.
func TestCodeCitesDocs(t *testing.T) {
	cite := regexp.MustCompile(`docs/([A-Za-z0-9_-]+\.md)(#[A-Za-z0-9_-]+)?`)
	anchorsOf := map[string]map[string]bool{}
	err := filepath.WalkDir(repoRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Ext(path) != ".go" || filepath.Base(path) == "docs_test.go" { // its fixtures cite made-up pages
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, m := range cite.FindAllStringSubmatch(line, -1) {
				anchors, ok := anchorsOf[m[1]]
				if !ok {
					text, err := os.ReadFile(filepath.Join(repoRoot, "docs", m[1]))
					if err != nil {
						t.Errorf("%s:%d: %s: no such file", path, i+1, m[0])
						continue
					}
					_, anchors = scanMarkdown(string(text))
					anchorsOf[m[1]] = anchors
				}
				if m[2] != "" && !anchors[m[2][1:]] {
					t.Errorf("%s:%d: %s: no heading has the anchor %s", path, i+1, m[0], m[2])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

const (
	modulePath   = "github.com/lastfmd/lastfmd"
	importsTable = "<!-- imports table: checked by TestDesignImports -->"
)

// allowedImports reads docs/design.md's imports table: for each package
// (relative to the module), the packages it may import.
func allowedImports(text string) (map[string]map[string]bool, error) {
	_, table, ok := strings.Cut(text, importsTable)
	if !ok {
		return nil, fmt.Errorf("no %q marker", importsTable)
	}
	tick := regexp.MustCompile("`([^`]+)`")
	out := map[string]map[string]bool{}
	for i, line := range strings.Split(strings.TrimLeft(table, "\n"), "\n") {
		if !strings.HasPrefix(line, "|") {
			break
		}
		if i < 2 { // header and rule
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 4 {
			return nil, fmt.Errorf("row %q: want 4 cells", line)
		}
		may := map[string]bool{}
		for _, c := range []string{cells[2], cells[3]} {
			for _, m := range tick.FindAllStringSubmatch(c, -1) {
				may[m[1]] = true
			}
		}
		pkgs := tick.FindAllStringSubmatch(cells[0], -1)
		if len(pkgs) == 0 {
			return nil, fmt.Errorf("row %q names no package", line)
		}
		for _, p := range pkgs {
			out[p[1]] = may
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the table after %q is empty", importsTable)
	}
	return out, nil
}

// TestDesignImports: each package imports only what docs/design.md allows
// it (the standard library is always allowed), every package has a row,
// and every row is a package.
func TestDesignImports(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	text, err := os.ReadFile(filepath.Join(repoRoot, "docs", "design.md"))
	if err != nil {
		t.Fatal(err)
	}
	allowed, err := allowedImports(string(text))
	if err != nil {
		t.Fatalf("docs/design.md: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...")
	cmd.Dir = repoRoot
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], modulePath), "/")
		listed[pkg] = true
		may, ok := allowed[pkg]
		if !ok {
			t.Errorf("package %s has no row in docs/design.md's imports table", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			first, _, _ := strings.Cut(imp, "/")
			if !strings.Contains(first, ".") {
				continue // standard library
			}
			name := strings.TrimPrefix(strings.TrimPrefix(imp, modulePath), "/")
			if !may[name] {
				t.Errorf("%s imports %s, which docs/design.md does not allow it", pkg, name)
			}
		}
	}
	for pkg := range allowed {
		if !listed[pkg] {
			t.Errorf("docs/design.md's imports table has a row for %s, which is not a package", pkg)
		}
	}
}

func TestAllowedImports(t *testing.T) {
	good := "x\n" + importsTable + "\n| package | owns | may import (this module) | may import (outside) |\n|---|---|---|---|\n" +
		"| `signer` | rules | nothing | nothing |\n| `a`, `b` | two | `signer` | `example.com/x` |\n\nafter | not | a | row |\n"
	got, err := allowedImports(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || len(got["signer"]) != 0 || !got["a"]["signer"] || !got["b"]["example.com/x"] {
		t.Errorf("%v", got)
	}
	for _, bad := range []string{"no marker", importsTable + "\n", importsTable + "\n| h |\n|---|\n| `a` | too few |\n"} {
		if _, err := allowedImports(bad); err == nil {
			t.Errorf("allowedImports(%q): no error", bad)
		}
	}
}

// docs/errors.md has a row, with a fix, for every Last.fm error code
// lastfmd knows (and so can pass through or answer), and the README links it.
func TestErrorsDocCoversEveryCode(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "errors.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(doc), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) == 7 {
			rows[strings.TrimSpace(cells[1])] = strings.TrimSpace(cells[5])
		}
	}
	for code := 1; code <= 30; code++ {
		if strings.HasPrefix(signer.Message(code), "Unknown error") {
			continue
		}
		fix, ok := rows[strconv.Itoa(code)]
		if !ok || len(fix) < 10 {
			t.Errorf("docs/errors.md has no row with a fix for code %d (%s)", code, signer.Message(code))
		}
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "](docs/errors.md)") {
		t.Error("README.md does not link docs/errors.md")
	}
}
