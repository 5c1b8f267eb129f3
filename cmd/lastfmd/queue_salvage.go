package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// newQueueSalvageCmd is `lastfmd queue salvage`: the way out of a damaged
// journal (docs/journal.md). It works on the file itself, with the daemon
// stopped, so it takes the configuration's state_dir rather than a daemon's
// address.
func newQueueSalvageCmd(e *env) *cobra.Command {
	var stateDir string
	cmd := &cobra.Command{
		Use:   "salvage",
		Short: "Rescue a damaged journal: save every readable scrobble, set the file aside, start a new journal",
		Long: "salvage is for a journal lastfmd refuses to open as damaged. With lastfmd stopped, it reads every\n" +
			"record it can, writes what it saves to state_dir/journal-salvaged-TIME.jsonl, keeps the damaged file as\n" +
			"journal.db.damaged-TIME and puts in its place a new journal holding the pending scrobbles, dead letters\n" +
			"and results it could read. A scrobble it cannot prove still unsent is kept as \"sent, answer unknown\",\n" +
			"never sent again by itself. A journal that is not damaged is left alone.",
		Example: "  sudo systemctl stop lastfmd; sudo -u lastfmd lastfmd queue salvage --state-dir /var/lib/lastfmd\n  lastfmd queue salvage",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := journalStateDir(e, cmd, stateDir)
			if err != nil {
				return err
			}
			rep, err := journal.Salvage(dir, time.Now())
			if errors.Is(err, journal.ErrNotDamaged) {
				fmt.Fprintf(e.stdout, "%s is not damaged: nothing to do.\n", filepath.Join(dir, journal.FileName))
				if rep.Leftover != "" {
					fmt.Fprintf(e.stdout, "Removed %s, left by a salvage that did not finish.\n", rep.Leftover)
				}
				return nil
			}
			if err != nil {
				return err
			}
			printSalvage(e, rep, filepath.Join(dir, journal.FileName))
			return nil
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "the state directory holding journal.db (default: the configuration's state_dir)")
	return cmd
}

// journalStateDir is the state directory of a command that works on the
// journal file itself: --state-dir (value), else the configuration's.
func journalStateDir(e *env, cmd *cobra.Command, value string) (string, error) {
	cfg, err := journalConfig(e, cmd, value)
	if err != nil {
		return "", err
	}
	return cfg.StateDir, nil
}

// journalConfig is the configuration of a command that works on the
// journal file itself, its state_dir set by --state-dir (value) if given.
func journalConfig(e *env, cmd *cobra.Command, value string) (*config.Config, error) {
	flags := map[string]string{}
	if cmd.Flags().Changed("state-dir") {
		flags["state_dir"] = value
	}
	cfg, _, err := config.Load(config.Options{Path: e.configPath, Flags: flags})
	return cfg, err
}

// printSalvage is salvage's summary: what was wrong, what was saved in
// each state, what could not be read, and what to do next.
func printSalvage(e *env, rep journal.SalvageReport, path string) {
	w := e.stdout
	fmt.Fprintf(w, "Damage: %s.\n", rep.Damage)
	fmt.Fprintf(w, "Saved %s, %s, %s and %s into a new journal %s.\n",
		plural(rep.Pending, "pending item", "pending items"), plural(rep.Dead, "dead letter", "dead letters"),
		plural(rep.AnswerUnknown, "item whose answer is unknown", "items whose answer is unknown"),
		plural(rep.Results, "result", "results"), path)
	fmt.Fprintf(w, "The damaged file is kept as %s; everything saved is also in %s (`lastfmd queue import` reads it back).\n", rep.Damaged, rep.Export)
	if len(rep.Problems) > 0 {
		fmt.Fprintf(w, "Not readable (%d):\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	if rep.AnswerUnknown > 0 {
		fmt.Fprintf(w, "The items whose answer is unknown were found only in out-of-date parts of the file: they may have been sent\n"+
			"since, so they are never sent by themselves. See them with `lastfmd queue list`; send one again with\n"+
			"`lastfmd queue retry --force ID` (it may then show twice on Last.fm), or drop it.\n")
	}
	fmt.Fprintf(w, "Start lastfmd again (lastfmd start, or lastfmd run).\n")
}
