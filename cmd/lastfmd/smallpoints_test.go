//go:build !windows

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/closedport"
)

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

// Small points a newcomer meets: run --help names the file as the README
// does, the completion docs (docs/recipes.md) say bash needs bash-completion,
// and a write with no account at all is not told to send X-Lastfmd-Account.
func TestNewcomerSmallPoints(t *testing.T) {
	out, _, _ := runCLI(t, cleanEnv(t), "", "run", "--help")
	if !strings.Contains(out, "~/.config/lastfmd/api-secret") {
		t.Errorf("run --help does not name the api-secret file as the README does:\n%s", out)
	}
	out, _, _ = runCLI(t, cleanEnv(t), "", "completion", "bash", "--help")
	if !strings.Contains(out, "apt-get install bash-completion") {
		t.Errorf("completion bash --help does not say bash needs bash-completion:\n%s", out)
	}
	recipesDoc, _ := os.ReadFile(filepath.Join(repoRoot, "docs", "recipes.md"))
	if !strings.Contains(string(recipesDoc), "Bash needs the bash-completion\npackage") {
		t.Error("docs/recipes.md's completion section does not say bash needs bash-completion")
	}

	w := newWorld(t, false)
	_, errOut, code := runCLI(t, cleanEnv(t, "LASTFMD_URL="+w.url), "", "call", "track.love", "artist=Cher", "track=Believe")
	teach(t, "", errOut, code, "no Last.fm account is signed in", "`lastfmd auth login`")
	if strings.Contains(errOut, "X-Lastfmd-Account") {
		t.Errorf("with no account at all, the hint names X-Lastfmd-Account: %s", errOut)
	}
}
