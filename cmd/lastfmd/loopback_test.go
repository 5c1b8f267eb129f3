package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/config"
)

// Clients reach lastfmd at a literal loopback address, never at
// "localhost": a client resolving it to ::1 would send its requests and
// token to whoever bound [::1] on lastfmd's port (issue 14; docs/security.md).
// The listen default, every code block of the README and docs/ (where the
// recipes are) and the example configuration say 127.0.0.1.
func TestNoClientDefaultUsesLocalhost(t *testing.T) {
	if l := config.Defaults().Listen; !strings.HasPrefix(l, "127.0.0.1:") {
		t.Errorf("listen default %q", l)
	}
	byName := regexp.MustCompile(`(?i)(https?://|\b)localhost:\d`)
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("docs/*.md: %v %v", docs, err)
	}
	for _, p := range append([]string{filepath.Join(repoRoot, "README.md"), filepath.Join(repoRoot, "configs", "lastfmd.toml")}, docs...) {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inCode := strings.HasSuffix(p, ".toml")
		for i, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				inCode = !inCode
				continue
			}
			if (inCode || strings.Contains(line, "http")) && byName.MatchString(line) {
				t.Errorf("%s:%d reaches lastfmd by the name localhost: %s", p, i+1, line)
			}
		}
	}
}
