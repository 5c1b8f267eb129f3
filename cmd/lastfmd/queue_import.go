package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// newQueueImportCmd is `lastfmd queue import FILE`: a salvage's .jsonl or
// a `queue export` backup read back into the journal (docs/journal.md), so
// that such a file is never a dead end. This process reads the file; a
// running daemon gets its lines through its API (no endpoint takes a
// path), and with no daemon running they go straight into the journal, as
// the sign-in commands do with sessions.json.
func newQueueImportCmd(e *env) *cobra.Command {
	var stateDir, dest string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Read a salvage or `queue export` file back into the journal",
		Long: "import reads the JSON lines of `lastfmd queue export` or of a salvage's journal-salvaged-TIME.jsonl.\n" +
			"Pending items come back pending with new ids and are sent; dead letters stay dead; items whose answer\n" +
			"is unknown stay so; kept results only restore deduplication and are never sent. A line whose item the\n" +
			"journal already holds adds nothing, so importing a file twice adds nothing the second time.\n" +
			"Each line names its destination (none: Last.fm's); --mirror NAME imports only the lines of that one.",
		Example: "  lastfmd queue import /var/lib/lastfmd/journal-salvaged-20261204T160000Z.jsonl\n  lastfmd queue import queue-backup.jsonl\n" +
			"  lastfmd queue import --mirror librefm queue-backup.jsonl",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return queueImport(e, args[0], dest, func() (*config.Config, error) { return journalConfig(e, cmd, stateDir) })
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "with no daemon running: the state directory holding journal.db (default: the configuration's state_dir)")
	mirrorFlag(cmd, &dest, "import only the lines of this destination")
	return cmd
}

// queueImport imports file, only its lines of dest unless dest is "";
// here is the configuration (state_dir, mirrors) of the journal written
// when no daemon runs. The daemon, or the journal here, leaves the other
// lines out; this process counts them, having read the file.
func queueImport(e *env, file, dest string, here func() (*config.Config, error)) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	raw, lines, err := journal.ReadExport(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	others := 0
	for _, l := range lines {
		if dest != "" && l.Lane() != dest {
			others++
		}
	}
	c, err := findDaemon(e)
	if err != nil {
		return err
	}
	var rep *client.QueueImported
	var where string
	if c != nil {
		ctx, cancel := signalContext()
		defer cancel()
		if rep, err = c.QueueImport(ctx, raw, dest); err != nil {
			return explain(err)
		}
		where = "the daemon at " + c.Addr()
	} else {
		if rep, where, err = importHere(e, lines, dest, here); err != nil {
			return err
		}
	}
	if dest != "" {
		where += " (" + dest + ")"
	}
	fmt.Fprintf(e.stdout, "Imported into %s: %s, %s, %s and %s (for deduplication only: never sent).\n", where,
		plural(rep.Pending, "pending item", "pending items"), plural(rep.Dead, "dead letter", "dead letters"),
		plural(rep.AnswerUnknown, "item whose answer is unknown", "items whose answer is unknown"),
		plural(rep.Results, "kept result", "kept results"))
	if rep.Unchanged > 0 {
		fmt.Fprintf(e.stdout, "%s added nothing: the journal holds their items already, or a result had nothing to restore.\n",
			plural(rep.Unchanged, "line", "lines"))
	}
	if others > 0 {
		fmt.Fprintf(e.stdout, "%s of other destinations left out (--mirror %s).\n", plural(others, "line", "lines"), dest)
	}
	if rep.Skipped > 0 {
		fmt.Fprintf(e.stdout, "%s skipped: their destination is no [[mirror]] of this lastfmd; configure it and import the file again to add them.\n",
			plural(rep.Skipped, "line", "lines"))
	}
	return nil
}

// importHere writes the lines (of dest, unless "") straight into the
// journal of the configuration's state_dir, no daemon running, with a lane
// for each configured [[mirror]] (they send nothing here).
func importHere(e *env, lines []journal.ExportLine, dest string, here func() (*config.Config, error)) (*client.QueueImported, string, error) {
	if err := noDaemonHere(e); err != nil {
		return nil, "", err
	}
	cfg, err := here()
	if err != nil {
		return nil, "", err
	}
	dir := cfg.StateDir
	j, err := journal.Open(journal.Options{Dir: dir, Mirrors: daemon.JournalMirrors(cfg, nil, nil)})
	if errors.Is(err, journal.ErrLocked) {
		return nil, "", fmt.Errorf("%w; no daemon answers at its address: see `lastfmd status`", err)
	}
	if err != nil {
		return nil, "", err
	}
	rep, err := j.Import(lines, dest)
	if cerr := j.Close(); err == nil {
		err = cerr
	}
	return &rep, filepath.Join(dir, journal.FileName), err
}
