package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/closedport"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// The recipes (docs/recipes.md, and any in README.md) are run as a reader
// would run them: each block
// marked `<!-- recipe: NAME -->` is saved to a file and run with its tool
// against a fresh `lastfmd demo` (the real binary), LASTFMD_URL set; then
// its effects are checked at the demo's Last.fm through the daemon.

// recipesRequiredEnv, when "1" (CI, .ci/run), turns a missing tool into a
// failure instead of a skip.
const recipesRequiredEnv = "LASTFMD_RECIPES_REQUIRED"

// docRecipe is one marked block of a Markdown file.
type docRecipe struct {
	name, lang, code string
	file             string
	line             int
}

// recipeFiles are the Markdown files holding recipes, relative to the
// repository root.
var recipeFiles = []string{"README.md", "docs/recipes.md"}

var recipeMarker = regexp.MustCompile(`^<!-- recipe: ([a-z0-9-]+) -->$`)

// parseRecipes finds every `<!-- recipe: NAME -->` in a Markdown text; the
// next line must open a fenced block, whose body is the recipe.
func parseRecipes(text string) (map[string]docRecipe, error) {
	out := map[string]docRecipe{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		m := recipeMarker.FindStringSubmatch(strings.TrimSpace(lines[i]))
		if m == nil {
			if strings.HasPrefix(strings.TrimSpace(lines[i]), "<!-- recipe:") {
				return nil, fmt.Errorf("line %d: malformed recipe marker %q (want <!-- recipe: name -->)", i+1, lines[i])
			}
			continue
		}
		name, marker := m[1], i+1
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("line %d: recipe %q marked twice", i+1, name)
		}
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "```") {
			return nil, fmt.Errorf("line %d: recipe %q is not followed by a fenced code block", i+1, name)
		}
		lang := strings.TrimSpace(strings.TrimPrefix(lines[i+1], "```"))
		var body []string
		closed := false
		for j := i + 2; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) == "```" {
				closed, i = true, j
				break
			}
			body = append(body, lines[j])
		}
		if !closed {
			return nil, fmt.Errorf("line %d: recipe %q: the code block never closes", i+1, name)
		}
		out[name] = docRecipe{name: name, lang: lang, code: strings.Join(body, "\n") + "\n", line: marker}
	}
	return out, nil
}

func TestRecipeParser(t *testing.T) {
	good := "text\n<!-- recipe: a-1 -->\n```sh\necho a\necho b\n```\nmore\n<!-- recipe: b -->\n```python\nprint(1)\n```\n"
	got, err := parseRecipes(good)
	if err != nil || len(got) != 2 || got["a-1"].code != "echo a\necho b\n" || got["a-1"].lang != "sh" || got["b"].lang != "python" {
		t.Fatalf("%v %+v", err, got)
	}
	for _, bad := range []string{
		"<!-- recipe: a -->\ntext\n",                                       // no block
		"<!-- recipe: a -->\n```sh\necho\n",                                // never closed
		"<!-- recipe: a -->\n```sh\n```\n<!-- recipe: a -->\n```sh\n```\n", // twice
		"<!-- recipe: Bad Name -->\n```sh\n```\n",                          // malformed marker
	} {
		if _, err := parseRecipes(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// recipeRun is how a recipe is run and what it must have done.
type recipeRun struct {
	name string
	lang string
	// file is the name the recipe's text tells the reader to save it as.
	file string
	// tool finds the program to run the file with (or says what to install).
	tool func(t *testing.T, dir string) (argv []string, missing string)
	args []string
	// out must appear in the recipe's standard output.
	out []string
	// loved, scrobbled, nowPlaying: the track the demo's user must show
	// afterwards ("" = nothing expected, and nothing must be there).
	loved, scrobbled, nowPlaying string
}

func lookTool(name, install string) func(*testing.T, string) ([]string, string) {
	return func(*testing.T, string) ([]string, string) {
		p, err := exec.LookPath(name)
		if err != nil {
			return nil, name + " is not installed (" + install + ")"
		}
		return []string{p}, ""
	}
}

// pylastPython is a python3 that can import pylast: the one on $PATH, or
// Debian's /usr/bin/python3, where `apt-get install python3-pylast` puts it.
func pylastPython(*testing.T, string) ([]string, string) {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		p, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if exec.Command(p, "-c", "import pylast").Run() == nil {
			return []string{p}, ""
		}
	}
	return nil, "no python3 can import pylast (sudo apt-get install python3-pylast)"
}

// nodeWithClient is node, run where the recipe says: beside node_modules
// holding lastfm-node-client (recipes/node/, installed by `npm ci`).
func nodeWithClient(t *testing.T, dir string) ([]string, string) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, "node is not installed (sudo apt-get install nodejs npm)"
	}
	mods, err := filepath.Abs(filepath.Join("..", "..", "recipes", "node", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(mods, "lastfm-node-client", "package.json")); err != nil {
		return nil, "lastfm-node-client is not installed (cd recipes/node && npm ci)"
	}
	if err := os.Symlink(mods, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return []string{node}, ""
}

func goRun(*testing.T, string) ([]string, string) {
	p, err := exec.LookPath("go")
	if err != nil {
		return nil, "go is not installed"
	}
	return []string{p, "run"}, ""
}

var recipeRuns = []recipeRun{
	{name: "curl-read", lang: "sh", file: "read.sh", tool: lookTool("sh", "a POSIX shell"), out: []string{`"name":"Cher"`}},
	{name: "curl-love", lang: "sh", file: "love.sh", tool: lookTool("sh", "a POSIX shell"), loved: "Believe"},
	{name: "curl-scrobble", lang: "sh", file: "scrobble.sh", tool: lookTool("sh", "a POSIX shell"), out: []string{`"accepted":1`}, scrobbled: "Believe"},
	{name: "shell-now-playing", lang: "sh", file: "lastfm-now-playing", tool: lookTool("sh", "a POSIX shell"),
		args: []string{"Sigur Rós", "Hoppípolla", "Takk..."}, nowPlaying: "Hoppípolla"},
	{name: "python", lang: "python", file: "lastfmd_example.py", tool: lookTool("python3", "sudo apt-get install python3"),
		out: []string{"Cher has ", "scrobbled: 1 accepted, 0 queued"}, loved: "Believe", scrobbled: "Believe"},
	{name: "node-fetch", lang: "js", file: "lastfmd-example.mjs", tool: lookTool("node", "sudo apt-get install nodejs"),
		out: []string{"Cher has ", "scrobbled: 1 accepted, 0 queued"}, loved: "Believe", scrobbled: "Believe"},
	{name: "go", lang: "go", file: "main.go", tool: goRun,
		out: []string{"Cher has ", "scrobbled: 1 accepted, 0 queued"}, loved: "Believe", scrobbled: "Believe"},
	{name: "python-pylast", lang: "python", file: "pylast_example.py", tool: pylastPython,
		out: []string{"Cher has ", "loved: ['Cher - Believe']"}, loved: "Believe", scrobbled: "Believe"},
	{name: "node-lastfm-node-client", lang: "js", file: "lastfm-client-example.cjs", tool: nodeWithClient,
		out: []string{"Cher has ", "scrobbled: 1 accepted"}, loved: "Believe", scrobbled: "Believe"},
}

// recipeEnv is this process's environment (PATH, HOME, Go's caches) without
// any LASTFMD_ variable, plus LASTFMD_URL.
func recipeEnv(url string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LASTFMD_") {
			env = append(env, kv)
		}
	}
	return append(env, "LASTFMD_URL="+url)
}

// demoEffects is what the demo's user shows at its Last.fm, read through the
// daemon with the cache bypassed.
type demoEffects struct {
	loved              []string
	scrobbled, playing []string
}

func readDemoEffects(t *testing.T, url string) demoEffects {
	t.Helper()
	var u demoEffects
	var loved struct {
		Lovedtracks struct {
			Track json.RawMessage `json:"track"`
		} `json:"lovedtracks"`
	}
	getJSON(t, url+"/v1/user.getLovedTracks?user=demo", &loved)
	for _, tr := range trackList(t, loved.Lovedtracks.Track) {
		u.loved = append(u.loved, tr.Name)
	}
	var recent struct {
		Recenttracks struct {
			Track json.RawMessage `json:"track"`
		} `json:"recenttracks"`
	}
	getJSON(t, url+"/v1/user.getRecentTracks?user=demo", &recent)
	for _, tr := range trackList(t, recent.Recenttracks.Track) {
		if tr.Attr.NowPlaying == "true" {
			u.playing = append(u.playing, tr.Name)
		} else {
			u.scrobbled = append(u.scrobbled, tr.Name)
		}
	}
	return u
}

type lfmTrack struct {
	Name string `json:"name"`
	Attr struct {
		NowPlaying string `json:"nowplaying"`
	} `json:"@attr"`
}

// trackList reads Last.fm's "track": absent, one object, or a list.
func trackList(t *testing.T, raw json.RawMessage) []lfmTrack {
	t.Helper()
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "" || s == "null" || s == `""`:
		return nil
	case strings.HasPrefix(s, "{"):
		var one lfmTrack
		if err := json.Unmarshal(raw, &one); err != nil {
			t.Fatalf("track %s: %v", s, err)
		}
		return []lfmTrack{one}
	}
	var list []lfmTrack
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("tracks %s: %v", s, err)
	}
	return list
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	code, body := get(t, http.DefaultClient, url, "Cache-Control", "no-cache")
	if code != 200 {
		t.Fatalf("GET %s: %d %s", url, code, body)
	}
	if err := json.Unmarshal([]byte(body), out); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, body)
	}
}

func wantTrack(t *testing.T, what string, got []string, want string) {
	t.Helper()
	switch {
	case want == "" && len(got) > 0:
		t.Errorf("%s: %v, want none", what, got)
	case want != "" && !slices.Contains(got, want):
		t.Errorf("%s: %v, want %q", what, got, want)
	}
}

// readRecipes collects the recipes of every file in recipeFiles; a name may
// be marked only once across them.
func readRecipes(root string) (map[string]docRecipe, error) {
	all := map[string]docRecipe{}
	for _, f := range recipeFiles {
		text, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		recipes, err := parseRecipes(string(text))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		for name, r := range recipes {
			if prev, dup := all[name]; dup {
				return nil, fmt.Errorf("%s line %d: recipe %q is also marked in %s line %d", f, r.line, name, prev.file, prev.line)
			}
			r.file = f
			all[name] = r
		}
	}
	return all, nil
}

func TestReadRecipes(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(readme, recipes string) {
		t.Helper()
		for f, text := range map[string]string{"README.md": readme, "docs/recipes.md": recipes} {
			if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(f)), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("<!-- recipe: a -->\n```sh\necho a\n```\n", "x\n<!-- recipe: b -->\n```sh\necho b\n```\n")
	got, err := readRecipes(root)
	if err != nil || len(got) != 2 || got["a"].file != "README.md" || got["b"].file != "docs/recipes.md" || got["b"].line != 2 {
		t.Fatalf("%v %+v", err, got)
	}
	write("<!-- recipe: a -->\n```sh\necho a\n```\n", "<!-- recipe: a -->\n```sh\necho b\n```\n")
	if _, err := readRecipes(root); err == nil || !strings.Contains(err.Error(), "also marked") {
		t.Errorf("a recipe marked in both files: %v", err)
	}
}

// Every recipe (docs/recipes.md, README.md) runs against `lastfmd demo` and
// does what it says; the documents and this list name the same recipes.
func TestRecipes(t *testing.T) {
	recipes, err := readRecipes(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range recipeRuns {
		known[r.name] = true
		if _, ok := recipes[r.name]; !ok {
			t.Errorf("no document marks the recipe %q (looked in %v)", r.name, recipeFiles)
		}
	}
	for name, r := range recipes {
		if !known[name] {
			t.Errorf("%s line %d: recipe %q is not run by this test: add it to recipeRuns", r.file, r.line, name)
		}
	}
	required := os.Getenv(recipesRequiredEnv) == "1"
	for _, run := range recipeRuns {
		r, ok := recipes[run.name]
		if !ok {
			continue
		}
		t.Run(run.name, func(t *testing.T) {
			if r.lang != run.lang {
				t.Errorf("%s line %d: recipe %q is fenced as %q, want %q", r.file, r.line, r.name, r.lang, run.lang)
			}
			if !strings.Contains(r.code, "LASTFMD_URL") {
				t.Errorf("recipe %q does not read LASTFMD_URL", r.name)
			}
			dir := t.TempDir()
			argv, missing := run.tool(t, dir)
			if missing != "" {
				if required {
					t.Fatalf("%s=1 and %s", recipesRequiredEnv, missing)
				}
				t.Skipf("%s; .ci/run installs it (set %s=1 to make this a failure)", missing, recipesRequiredEnv)
			}
			file := filepath.Join(dir, run.file)
			if err := os.WriteFile(file, []byte(r.code), 0o755); err != nil {
				t.Fatal(err)
			}
			url, _, _ := startDemo(t)
			before := readDemoEffects(t, url)
			if len(before.loved)+len(before.scrobbled)+len(before.playing) > 0 {
				t.Fatalf("the demo is not fresh: %+v", before)
			}

			ctx, cancel := context.WithTimeout(context.Background(), waitfor.Bound)
			defer cancel()
			cmd := exec.CommandContext(ctx, argv[0], append(append(argv[1:], run.file), run.args...)...)
			cmd.Dir = dir
			cmd.Env = recipeEnv(url)
			out, err := cmd.Output()
			var stderr string
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			if err != nil {
				t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(cmd.Args, " "), err, out, stderr)
			}
			for _, w := range run.out {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			after := readDemoEffects(t, url)
			wantTrack(t, "loved tracks", after.loved, run.loved)
			wantTrack(t, "scrobbled tracks", after.scrobbled, run.scrobbled)
			wantTrack(t, "now playing", after.playing, run.nowPlaying)
		})
	}
}

// The example calls the demo prints work as printed: each curl line, run
// by sh with LASTFMD_URL exported, answers without an error.
func TestRecipeDemoPrintedCalls(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv(recipesRequiredEnv) == "1" {
			t.Fatal("curl is not installed")
		}
		t.Skip("curl is not installed")
	}
	url, _, printed := startDemo(t)
	var calls []string
	for i := 0; i < len(printed); i++ {
		l := printed[i]
		if !strings.HasPrefix(l, "curl ") {
			continue
		}
		for strings.HasSuffix(l, `\`) && i+1 < len(printed) {
			i++
			l += "\n" + printed[i] // as pasted: the shell joins the lines
		}
		calls = append(calls, l)
	}
	if len(calls) < 4 {
		t.Fatalf("the demo printed %d example calls:\n%s", len(calls), strings.Join(printed, "\n"))
	}
	for _, c := range calls {
		cmd := exec.Command("sh", "-c", c)
		cmd.Env = recipeEnv(url)
		out, err := cmd.Output()
		if err != nil || len(out) == 0 || strings.Contains(string(out), `"error"`) || strings.Contains(string(out), `status="failed"`) {
			t.Errorf("%s: %v\n%s", c, err, out)
		}
	}
	u := readDemoEffects(t, url)
	wantTrack(t, "loved", u.loved, "Believe")
	wantTrack(t, "scrobbled", u.scrobbled, "Believe")
}

// The now-playing hook of docs/recipes.md exits non-zero, saying why on
// stderr, when no daemon answers; docs/recipes.md shows `|| true` for a
// `set -e` loop, and such a loop goes on.
func TestNowPlayingHookFailsLoudly(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell")
	}
	recipes, err := readRecipes(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join(repoRoot, recipes["shell-now-playing"].file))
	if err != nil {
		t.Fatal(err)
	}
	hook := filepath.Join(t.TempDir(), "lastfm-now-playing")
	if err := os.WriteFile(hook, []byte(recipes["shell-now-playing"].code), 0o755); err != nil {
		t.Fatal(err)
	}
	url := "http://" + closedport.Addr(t)
	cmd := exec.Command(sh, hook, "Cher", "Believe")
	cmd.Env = recipeEnv(url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("hook with no daemon: %v, want exit status 1", err)
	}
	if want := "lastfm-now-playing: lastfmd at " + url + " did not take it (is it running? lastfmd status)"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}

	_, loop, ok := strings.Cut(string(text), "<!-- set-e-loop -->")
	if !ok || !strings.Contains(loop[:300], "set -e") || !strings.Contains(loop[:300], `|| true`) {
		t.Fatalf("%s shows no `set -e` loop that ignores the hook's failure", recipes["shell-now-playing"].file)
	}
	cmd = exec.Command(sh, "-ec", `"$0" Cher Believe || true; echo the loop goes on`, hook)
	cmd.Env = recipeEnv(url)
	out, _ := cmd.Output()
	if !strings.Contains(string(out), "the loop goes on") {
		t.Errorf("under set -e with || true: %q", out)
	}
}
