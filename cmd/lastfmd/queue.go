package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/signer"
)

// newQueueCmd is `lastfmd queue list | retry ID... | drop ID... | export |
// salvage | import FILE`:
// the running daemon's scrobble journal (docs/operations.md#commands).
func newQueueCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "queue",
		Short: "Inspect the scrobble journal: pending items, dead letters, retry, drop, export, import",
		Long: "queue shows what the running daemon still has to send to Last.fm and each mirror and what it gave up on\n" +
			"(dead letters), retries or drops items by id, exports everything as JSON lines and imports them back.\n" +
			"Each destination (\"lastfm\", or a [[mirror]]'s name) is a lane of its own: list, retry, drop, export and\n" +
			"import act on every lane, or with --mirror NAME on that one.",
		Example: "  lastfmd queue list\n  lastfmd queue list --mirror librefm\n  lastfmd queue retry 17 18\n  lastfmd queue retry --mirror librefm 17\n" +
			"  lastfmd queue retry --force 19\n  lastfmd queue drop 17\n  lastfmd queue export > queue-backup.jsonl\n  lastfmd queue salvage\n  lastfmd queue import queue-backup.jsonl",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError{errors.New("missing subcommand: list, retry, drop, export, salvage or import")}
		},
	}
	var asJSON bool
	var limit int
	var dest string
	list := &cobra.Command{
		Use:   "list",
		Short: "List pending items and dead letters, per destination and account",
		Args:  exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			return queueList(e, asJSON, limit, dest)
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print the daemon's JSON document")
	list.Flags().IntVar(&limit, "limit", 1000, "list at most this many items of each kind")
	mirrorFlag(list, &dest, "list only the items of this destination")
	var force bool
	retry := &cobra.Command{
		Use:   "retry ID...",
		Short: "Send items again now (a dead letter goes back to the queue; pauses are lifted)",
		Args:  idArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			return queueAct(e, "retry", args, force, dest)
		},
	}
	retry.Flags().BoolVar(&force, "force", false, "also send items the destination may already have (maybe sent, answer unknown): they may show twice")
	mirrorFlag(retry, &dest, "retry the ids on this destination only")
	drop := &cobra.Command{
		Use:   "drop ID...",
		Short: "Delete pending items or dead letters for good (an item being sent: once its destination answered)",
		Args:  idArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			return queueAct(e, "drop", args, false, dest)
		},
	}
	mirrorFlag(drop, &dest, "drop the ids on this destination only")
	export := &cobra.Command{
		Use:   "export",
		Short: "Print every journalled item and kept result as JSON lines (for backups)",
		Args:  exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			return queueExport(e, dest)
		},
	}
	mirrorFlag(export, &dest, "export only the lines of this destination")
	cmd.AddCommand(list, retry, drop, export, newQueueSalvageCmd(e), newQueueImportCmd(e))
	return cmd
}

// mirrorFlag adds --mirror NAME to a queue command: the one destination
// (journal lane) it acts on, "lastfm" or a [[mirror]]'s name; without it,
// every destination. The daemon says whether NAME is one.
func mirrorFlag(cmd *cobra.Command, dest *string, what string) {
	cmd.Flags().StringVar(dest, "mirror", "", what+": \"lastfm\" or a [[mirror]]'s name (default: every destination)")
	// An empty --mirror would quietly mean every destination.
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		if *dest == "" && cmd.Flags().Changed("mirror") {
			return usageError{errors.New(`--mirror is empty: name a destination ("lastfm" or a [[mirror]]'s name), or leave the flag out for every one`)}
		}
		return nil
	}
}

// destName, withMirror: the words `lastfmd queue` shares with the page at
// / (api/queue_words.go, through client).
func destName(dest string) string { return client.DestinationName(dest) }

func withMirror(command, dest string) string { return client.WithMirror(command, dest) }

// idArgs accepts one or more positive whole numbers.
func idArgs(_ *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usageError{errors.New("missing ID: give one or more ids from `lastfmd queue list`")}
	}
	for _, a := range args {
		if n, err := strconv.ParseUint(a, 10, 64); err != nil || n == 0 {
			return usageError{fmt.Errorf("%q is not a queue id (a positive whole number from `lastfmd queue list`)", a)}
		}
	}
	return nil
}

// queueClient is the daemon's client and a context for one queue command.
func queueClient(e *env) (*client.Client, context.Context, context.CancelFunc, error) {
	c, err := newClient(e)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := signalContext()
	return c, ctx, cancel, nil
}

func queueList(e *env, asJSON bool, limit int, dest string) error {
	if limit < 1 {
		return usageError{errors.New("--limit must be at least 1")}
	}
	c, ctx, cancel, err := queueClient(e)
	if err != nil {
		return err
	}
	defer cancel()
	q, err := c.Queue(ctx, limit, dest)
	if err != nil {
		return explain(err)
	}
	if asJSON {
		return writeJSON(e.stdout, q)
	}
	w := e.stdout
	now := time.Now()
	head := fmt.Sprintf("%s, %s", plural(q.Pending, "pending", "pending"), plural(q.Dead, "dead letter", "dead letters"))
	if q.AnswerUnknown > 0 {
		head += fmt.Sprintf(", %d whose answer is unknown", q.AnswerUnknown)
	}
	if dest != "" {
		head += " on " + dest
	}
	fmt.Fprintln(w, head)
	if q.KeyProblem != "" {
		fmt.Fprintf(w, "PAUSED for every account on %s: %s\n", cmp.Or(dest, "lastfm"), q.KeyProblem)
	}
	for _, a := range q.Accounts {
		line := fmt.Sprintf("  %s on %s: %d pending, %d dead, %d scrobbled today", a.Account, a.Destination, a.Pending, a.Dead, a.ScrobblesToday)
		if a.InFlight > 0 {
			line += fmt.Sprintf(", %d being sent now", a.InFlight)
		}
		if a.Pending > 0 {
			line += ", oldest " + relative(time.Duration(a.OldestPendingSeconds)*time.Second) + " old"
		}
		if !a.NextAttempt.IsZero() {
			line += ", next attempt " + ago(a.NextAttempt, now)
		}
		fmt.Fprintln(w, line)
		if a.Paused != "" {
			fmt.Fprintf(w, "    paused: %s\n", a.Paused)
		}
		if a.LastError != "" && a.Pending > 0 {
			fmt.Fprintf(w, "    last error: %s\n", a.LastError)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(q.Items) > 0 {
		fmt.Fprintln(tw, "\nPENDING\nID\tDESTINATION\tACCOUNT\tWHAT\tPLAYED\tATTEMPTS\tLAST ERROR")
		for _, it := range q.Items {
			last := it.LastError
			switch {
			case it.InFlight:
				last = "being sent now"
			case it.MaybeSent:
				last += " (" + destName(it.Destination) + " may have it)"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", it.ID, it.Destination, it.Account, describe(it), played(it, now), it.Attempts, last)
		}
	}
	deadIDs := givenUpTable(tw, "DEAD LETTERS", "REASON", q.DeadLetters, now)
	unsureIDs := givenUpTable(tw, "ANSWER UNKNOWN (the destination may have them)", "WHY", q.Unsure, now)
	tw.Flush()
	if len(unsureIDs) > 0 {
		fmt.Fprintf(w, "\nCheck your history at the destination: send again only what is missing there (it may show twice): %s ID\n"+
			"      or forget them (they stay deduplicated): %s %s\n",
			withMirror("lastfmd queue retry --force", dest), withMirror("lastfmd queue drop", dest), strings.Join(unsureIDs, " "))
	}
	if len(deadIDs) > 0 {
		fmt.Fprintf(w, "\nNext: fix what REASON names, then send them again: %s %s\n"+
			"      or give up on one for good: %s ID\n", withMirror("lastfmd queue retry", dest), strings.Join(deadIDs, " "), withMirror("lastfmd queue drop", dest))
	}
	if q.Truncated {
		fmt.Fprintln(w, "(more items than --limit; see `lastfmd queue export` for all)")
	}
	return nil
}

// givenUpTable prints items no sender sends by itself (dead letters, those
// whose answer is unknown) under title, with their reason, and returns
// their ids for the next step's command.
func givenUpTable(tw io.Writer, title, why string, items []client.QueueItem, now time.Time) []string {
	if len(items) == 0 {
		return nil
	}
	fmt.Fprintf(tw, "\n%s\nID\tDESTINATION\tACCOUNT\tWHAT\tPLAYED\t%s\n", title, why)
	ids := make([]string, 0, len(items))
	for _, it := range items {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", it.ID, it.Destination, it.Account, describe(it), played(it, now), it.Reason)
		if id := strconv.FormatUint(it.ID, 10); !slices.Contains(ids, id) {
			ids = append(ids, id) // one play has one id on every lane
		}
	}
	return ids
}

// describe names an item: "Artist - Track" for a scrobble, the method and
// its target for a write.
func describe(it client.QueueItem) string {
	what := it.Params["artist"]
	for _, k := range []string{"track", "album"} {
		if v := it.Params[k]; v != "" {
			what += " - " + v
			break
		}
	}
	if m, _ := signer.Lookup(it.Method); !m.Batch {
		what = it.Method + " " + what
		if tags := it.Params["tags"] + it.Params["tag"]; tags != "" {
			what += " [" + tags + "]"
		}
	}
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(what)
}

// played is when a scrobble was played, in local time, relative to now.
func played(it client.QueueItem, now time.Time) string {
	if it.Timestamp == 0 {
		return "-"
	}
	return ago(time.Unix(it.Timestamp, 0), now)
}

// queueAct is retry or drop on dest ("": every destination holding the
// id): it prints what happened to each id on each destination and exits 1
// when an id was unknown or not acted on somewhere.
func queueAct(e *env, action string, args []string, force bool, dest string) error {
	ids := make([]uint64, len(args))
	for i, a := range args {
		ids[i], _ = strconv.ParseUint(a, 10, 64) // checked by idArgs
	}
	c, ctx, cancel, err := queueClient(e)
	if err != nil {
		return err
	}
	defer cancel()
	act := c.QueueRetry
	switch {
	case action == "drop":
		act = c.QueueDrop
	case force:
		act = c.QueueRetryForce
		// --force sends again what Last.fm may already have: say so
		// before it goes (docs/journal.md#in-flight).
		fmt.Fprintf(e.stderr, "lastfmd queue retry --force: items %s may already have (maybe sent, answer unknown) are sent again and may show twice there\n", destName(dest))
	}
	changes, err := act(ctx, dest, ids...)
	if err != nil {
		return explain(err)
	}
	failed := map[uint64]bool{}
	for _, it := range changes {
		id := strconv.FormatUint(it.ID, 10)
		if it.Destination != "" {
			id += " on " + it.Destination
		}
		fmt.Fprintf(e.stdout, "%s: %s\n", id, changeWords(it.Result, dest))
		if it.Result != "retrying" && !strings.HasPrefix(it.Result, "dropped") {
			failed[it.ID] = true
		}
	}
	if len(failed) > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("lastfmd queue %s: %d of %d ids were not acted on (see `%s`)", action, len(failed), len(ids), withMirror("lastfmd queue list", dest))}
	}
	return nil
}

// changeWords says what retry or drop on dest did to an id, in words.
func changeWords(result, dest string) string { return client.ChangeWords(result, dest) }

func queueExport(e *env, dest string) error {
	c, ctx, cancel, err := queueClient(e)
	if err != nil {
		return err
	}
	defer cancel()
	return explain(c.QueueExport(ctx, e.stdout, dest))
}

// writeJSON prints a document as one line of JSON, as the daemon sent it.
func writeJSON(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
