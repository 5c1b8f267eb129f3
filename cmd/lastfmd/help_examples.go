package main

import "github.com/spf13/cobra"

// builtinExamples are the examples of the commands cobra adds (help,
// completion and its shells), and of commands whose file sets none, so that
// every command's --help shows one. A command's own Example wins.
var builtinExamples = map[string]string{
	"lastfmd config":       "  lastfmd config check\n  lastfmd config dump --config /etc/lastfmd/lastfmd.toml",
	"lastfmd queue list":   "  lastfmd queue list\n  lastfmd queue list --json --limit 10",
	"lastfmd queue retry":  "  lastfmd queue retry 41 42",
	"lastfmd queue drop":   "  lastfmd queue drop 43",
	"lastfmd queue export": "  lastfmd queue export > lastfmd-queue-backup.jsonl",
	"lastfmd help":         "  lastfmd help call\n  lastfmd call --help",
	"lastfmd completion": "  source <(lastfmd completion bash)\n" +
		"  lastfmd completion zsh > \"${fpath[1]}/_lastfmd\"\n" +
		"  lastfmd completion fish > ~/.config/fish/completions/lastfmd.fish",
	"lastfmd completion bash": "  sudo apt-get install bash-completion                           # once: bash needs it for any completion\n" +
		"  source <(lastfmd completion bash)                               # this shell only\n" +
		"  lastfmd completion bash | sudo tee /etc/bash_completion.d/lastfmd   # every new shell",
	"lastfmd completion zsh":        "  lastfmd completion zsh > \"${fpath[1]}/_lastfmd\"   # then start a new shell",
	"lastfmd completion fish":       "  lastfmd completion fish > ~/.config/fish/completions/lastfmd.fish",
	"lastfmd completion powershell": "  lastfmd completion powershell | Out-String | Invoke-Expression",
}

// addBuiltinExamples creates cobra's help and completion commands now
// (cobra would at Execute; creating them again there is a no-op) and gives
// each an example.
func addBuiltinExamples(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if ex, ok := builtinExamples[c.CommandPath()]; ok && c.Example == "" {
			c.Example = ex
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
