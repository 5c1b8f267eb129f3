package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// newQueueImportCmd is `lastfmd queue import FILE`: a salvage's .jsonl or
// a `queue export` backup read back into the journal (docs/journal.md), so
// that such a file is never a dead end. This process reads the file; a
// running daemon gets its lines through its API (no endpoint takes a
// path), and with no daemon running they go straight into the journal, as
// the sign-in commands do with sessions.json.
func newQueueImportCmd(e *env) *cobra.Command {
	var stateDir string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Read a salvage or `queue export` file back into the journal",
		Long: "import reads the JSON lines of `lastfmd queue export` or of a salvage's journal-salvaged-TIME.jsonl.\n" +
			"Pending items come back pending with new ids and are sent; dead letters stay dead; items whose answer\n" +
			"is unknown stay so; kept results only restore deduplication and are never sent. A line whose item the\n" +
			"journal already holds adds nothing, so importing a file twice adds nothing the second time.",
		Example: "  lastfmd queue import /var/lib/lastfmd/journal-salvaged-20261204T160000Z.jsonl\n  lastfmd queue import queue-backup.jsonl",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return queueImport(e, args[0], func() (string, error) { return journalStateDir(e, cmd, stateDir) })
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "with no daemon running: the state directory holding journal.db (default: the configuration's state_dir)")
	return cmd
}

// queueImport imports file; here says where the journal is when no
// daemon runs.
func queueImport(e *env, file string, here func() (string, error)) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	raw, lines, err := journal.ReadExport(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
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
		if rep, err = c.QueueImport(ctx, raw); err != nil {
			return explain(err)
		}
		where = "the daemon at " + c.Addr()
	} else {
		if rep, where, err = importHere(e, lines, here); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "Imported into %s: %s, %s, %s and %s (for deduplication only: never sent).\n", where,
		plural(rep.Pending, "pending item", "pending items"), plural(rep.Dead, "dead letter", "dead letters"),
		plural(rep.AnswerUnknown, "item whose answer is unknown", "items whose answer is unknown"),
		plural(rep.Results, "kept result", "kept results"))
	if rep.Unchanged > 0 {
		fmt.Fprintf(e.stdout, "%s added nothing: the journal holds their items already, or a result had nothing to restore.\n",
			plural(rep.Unchanged, "line", "lines"))
	}
	return nil
}

// importHere writes the lines straight into the journal of the
// configuration's state_dir, no daemon running.
func importHere(e *env, lines []journal.ExportLine, here func() (string, error)) (*client.QueueImported, string, error) {
	if err := noDaemonHere(e); err != nil {
		return nil, "", err
	}
	dir, err := here()
	if err != nil {
		return nil, "", err
	}
	j, err := journal.Open(journal.Options{Dir: dir})
	if errors.Is(err, journal.ErrLocked) {
		return nil, "", fmt.Errorf("%w; no daemon answers at its address: see `lastfmd status`", err)
	}
	if err != nil {
		return nil, "", err
	}
	rep, err := j.Import(lines)
	if cerr := j.Close(); err == nil {
		err = cerr
	}
	return &rep, filepath.Join(dir, journal.FileName), err
}
