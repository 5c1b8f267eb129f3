package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The examples of the documentation that show an answer are run like the
// recipes (recipe_test.go): against a fresh `lastfmd demo`, with their
// timestamps made when they run, and the answer must be the one the page
// shows, but for what differs from run to run.

// fixedTimestamp is a Unix time written into an example: it ages, and an
// example run a year later is answered "too old".
var fixedTimestamp = regexp.MustCompile(`\b1[0-9]{9}\b`)

// docExampleRuns are the documents' examples whose answers are checked:
// the marked example block and the marked block of its answer.
var docExampleRuns = []struct{ file, example, answer string }{
	{"docs/scrobbling.md", "scrobble-example", "scrobble-example-answer"},
}

// TestScrobblingDocExample: docs/scrobbling.md's first example answers
// what the page shows (two scrobbles accepted, a month-old one ignored with
// code 3), with the ids and timestamps of this run.
func TestScrobblingDocExample(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv(recipesRequiredEnv) == "1" {
			t.Fatal("curl is not installed")
		}
		t.Skip("curl is not installed")
	}
	for _, run := range docExampleRuns {
		text, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(run.file)))
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := parseRecipes(string(text))
		if err != nil {
			t.Fatalf("%s: %v", run.file, err)
		}
		ex, ans := blocks[run.example], blocks[run.answer]
		if ex.lang != "sh" || ans.lang != "json" {
			t.Fatalf("%s: want a sh block marked %q and a json block marked %q; got %q and %q", run.file, run.example, run.answer, ex.lang, ans.lang)
		}
		if !strings.Contains(ex.code, "$(date +%s)") || fixedTimestamp.MatchString(ex.code) {
			t.Errorf("%s line %d: the example's timestamps must be made when it runs ($(date +%%s)), not written in:\n%s", run.file, ex.line, ex.code)
		}
		var want any
		if err := json.Unmarshal([]byte(ans.code), &want); err != nil {
			t.Fatalf("%s line %d: the answer shown is not JSON: %v", run.file, ans.line, err)
		}

		url, _, _ := startDemo(t)
		cmd := exec.Command("sh", "-c", ex.code)
		cmd.Env = recipeEnv(url)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s line %d: %v\n%s", run.file, ex.line, err, out)
		}
		var got any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("the example answered %q: %v", out, err)
		}
		if g, w := runFree(got), runFree(want); !reflect.DeepEqual(g, w) {
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(w)
			t.Errorf("%s line %d: the example answers\n%s\nthe page shows\n%s", run.file, ans.line, gb, wb)
		}
	}
}

// runFree is an answer with what differs from run to run (ids,
// timestamps) replaced by a placeholder; every key stays.
func runFree(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if k == "id" || k == "timestamp" {
				out[k] = "N"
				continue
			}
			out[k] = runFree(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = runFree(x)
		}
		return out
	}
	return v
}
