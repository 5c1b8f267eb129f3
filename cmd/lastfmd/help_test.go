package main

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// allCommands is every command under root, root included, hidden ones
// (cobra's __complete) left out.
func allCommands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		out = append(out, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// Every command has a one-line Short and an Example that runs that very
// command; `--help` prints the example and exits 0.
func TestHelpEveryCommandHasExample(t *testing.T) {
	root := newRoot(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
	cmds := allCommands(root)
	// The commands docs/operations.md#commands lists, and cobra's help and completion.
	names := map[string]bool{}
	for _, c := range cmds {
		names[c.CommandPath()] = true
	}
	for _, want := range []string{"lastfmd run", "lastfmd demo", "lastfmd call", "lastfmd auth login", "lastfmd auth mobile",
		"lastfmd auth web", "lastfmd auth import", "lastfmd auth default", "lastfmd auth status", "lastfmd auth logout",
		"lastfmd queue list", "lastfmd queue retry", "lastfmd queue drop", "lastfmd queue export", "lastfmd install",
		"lastfmd uninstall", "lastfmd start", "lastfmd stop", "lastfmd restart", "lastfmd status", "lastfmd config check",
		"lastfmd config dump", "lastfmd healthcheck", "lastfmd open", "lastfmd completion bash", "lastfmd completion zsh",
		"lastfmd completion fish", "lastfmd version", "lastfmd help"} {
		if !names[want] {
			t.Errorf("no command %q", want)
		}
	}
	for _, c := range cmds {
		path := c.CommandPath()
		if strings.TrimSpace(c.Short) == "" || strings.Contains(c.Short, "\n") {
			t.Errorf("%s: Short %q is not one line", path, c.Short)
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s: no Example", path)
			continue
		}
		if !strings.Contains(c.Example, path) {
			t.Errorf("%s: the Example does not run it:\n%s", path, c.Example)
		}
	}
	// The real binary prints them.
	for _, c := range cmds {
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		out, errOut, code := runCLI(t, cleanEnv(t), "", args...)
		if code != 0 || !strings.Contains(out, "Examples:\n"+c.Example) || !strings.Contains(out, "Usage:") {
			t.Errorf("lastfmd %s: exit %d, stderr %q, no example in:\n%s", strings.Join(args, " "), code, errOut, out)
		}
	}
}

// `lastfmd completion bash|zsh|fish` print scripts that ask the binary
// (`lastfmd __complete`), which completes call's METHOD from the catalog.
func TestHelpCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, errOut, code := runCLI(t, cleanEnv(t), "", "completion", shell)
		if code != 0 || !strings.Contains(out, "__complete") || !strings.Contains(out, "lastfmd") {
			t.Errorf("completion %s: exit %d %s\n%.200s", shell, code, errOut, out)
		}
	}
	out, _, code := runCLI(t, cleanEnv(t), "", "__complete", "call", "track.lo")
	if code != 0 || !strings.Contains(out, "track.love\n") || strings.Contains(out, "track.scrobble") {
		t.Errorf("completing track.lo: %d\n%s", code, out)
	}
	out, _, _ = runCLI(t, cleanEnv(t), "", "__complete", "call", "ARTIST.GETI")
	if !strings.Contains(out, "artist.getInfo\n") {
		t.Errorf("completion ignores case:\n%s", out)
	}
	out, _, _ = runCLI(t, cleanEnv(t), "", "__complete", "qu")
	if !strings.Contains(out, "queue") {
		t.Errorf("completing commands:\n%s", out)
	}
}
