package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/closedport"
)

// The environments the tests run the real binary in: each has its own
// home, so the user's real configuration, state and sessions stay out.

// noConfigEnv is a new user's environment: a home with no configuration
// at all.
func noConfigEnv(t *testing.T, extra ...string) []string {
	return append(homeEnv(t.TempDir()), extra...)
}

// cleanEnv is noConfigEnv with a configuration that names nothing but a
// listen address where no daemon answers: the default one (127.0.0.1:7375)
// may be the developer's own lastfmd, and the demo's (127.0.0.1:7376) a
// demo left running, which a test must neither find nor talk to.
func cleanEnv(t *testing.T, extra ...string) []string {
	home := t.TempDir()
	nobody := closedport.Addr(t)
	conf := filepath.Join(home, "lastfmd.toml")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("listen = %q\n", nobody)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(homeEnv(home), "LASTFMD_CONFIG="+conf, "LASTFMD_DEMO_URL=http://"+nobody)
	return append(env, extra...)
}

// homeEnv is PATH and a home directory, with the XDG directories in it
// (homeOf finds it again).
func homeEnv(home string) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".state")}
}

// homeOf is $HOME in an environment list (the last one wins, as in exec).
func homeOf(env []string) string {
	home := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "HOME="); ok {
			home = v
		}
	}
	return home
}
