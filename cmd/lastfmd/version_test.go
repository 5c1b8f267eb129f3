package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// A build from a clone (go build stamps the commit) prints the version
// the toolchain recorded, not "dev": the module's (pseudo-)version, as
// `go version -m` shows it.
func TestVersionOfACloneBuild(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: go build cannot stamp the commit")
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitfor.Bound)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "lastfmd")
	if out, err := exec.CommandContext(ctx, "go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Skipf("go build -buildvcs=true: %v (not a git clone?)\n%s", err, out)
	}
	info, err := exec.CommandContext(ctx, "go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	for _, line := range strings.Split(string(info), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "mod" && f[1] == "github.com/lastfmd/lastfmd" {
			want = f[2]
		}
	}
	if want == "" || want == "(devel)" {
		t.Skipf("the toolchain recorded no version:\n%s", info)
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := exec.CommandContext(ctx, bin, args...).Output()
		if err != nil || !strings.HasPrefix(string(out), "lastfmd "+want+" (go") {
			t.Errorf("lastfmd %s: %q (%v), want the version %s", args[0], out, err, want)
		}
	}
}
