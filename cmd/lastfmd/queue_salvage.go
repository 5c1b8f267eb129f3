package main

import (
	"errors"
	"fmt"
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
			"record it can, writes them all to state_dir/journal-salvaged-TIME.jsonl, renames the damaged file to\n" +
			"journal.db.damaged-TIME and starts a new journal holding the pending scrobbles, dead letters and\n" +
			"results it could read. A journal that is not damaged is left alone.",
		Example: "  sudo systemctl stop lastfmd; sudo -u lastfmd lastfmd queue salvage --state-dir /var/lib/lastfmd\n  lastfmd queue salvage",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			flags := map[string]string{}
			if cmd.Flags().Changed("state-dir") {
				flags["state_dir"] = stateDir
			}
			cfg, _, err := config.Load(config.Options{Path: e.configPath, Flags: flags})
			if err != nil {
				return err
			}
			rep, err := journal.Salvage(cfg.StateDir, time.Now())
			if errors.Is(err, journal.ErrNotDamaged) {
				fmt.Fprintf(e.stdout, "%s/%s is not damaged: nothing to do.\n", cfg.StateDir, journal.FileName)
				return nil
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Saved %d pending items, %d dead letters and %d results into a new journal %s/%s.\n",
				rep.Pending, rep.Dead, rep.Results, cfg.StateDir, journal.FileName)
			fmt.Fprintf(e.stdout, "The damaged file is now %s; every record read is also in %s.\n", rep.Damaged, rep.Export)
			for _, p := range rep.Problems {
				fmt.Fprintf(e.stdout, "Not readable: %s\n", p)
			}
			fmt.Fprintf(e.stdout, "Start lastfmd again (lastfmd start, or lastfmd run).\n")
			return nil
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "the state directory holding journal.db (default: the configuration's state_dir)")
	return cmd
}
