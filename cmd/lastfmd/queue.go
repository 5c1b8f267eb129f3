package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
		Long: "queue shows what the running daemon still has to send to Last.fm and what it gave up on\n" +
			"(dead letters), retries or drops items by id, exports everything as JSON lines and imports them back.",
		Example: "  lastfmd queue list\n  lastfmd queue retry 17 18\n  lastfmd queue retry --force 19\n  lastfmd queue drop 17\n  lastfmd queue export > queue-backup.jsonl\n  lastfmd queue salvage\n  lastfmd queue import queue-backup.jsonl",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError{errors.New("missing subcommand: list, retry, drop, export, salvage or import")}
		},
	}
	var asJSON bool
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List pending items and dead letters, per account",
		Args:  exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			return queueList(e, asJSON, limit)
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print the daemon's JSON document")
	list.Flags().IntVar(&limit, "limit", 1000, "list at most this many items of each kind")
	var force bool
	retry := &cobra.Command{
		Use:   "retry ID...",
		Short: "Send items again now (a dead letter goes back to the queue; pauses are lifted)",
		Args:  idArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			return queueAct(e, "retry", args, force)
		},
	}
	retry.Flags().BoolVar(&force, "force", false, "also send items Last.fm may already have (maybe sent, answer unknown): they may show twice")
	drop := &cobra.Command{
		Use:   "drop ID...",
		Short: "Delete pending items or dead letters for good (an item being sent: once Last.fm answered)",
		Args:  idArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			return queueAct(e, "drop", args, false)
		},
	}
	export := &cobra.Command{
		Use:   "export",
		Short: "Print every journalled item and kept result as JSON lines (for backups)",
		Args:  exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			return queueExport(e)
		},
	}
	cmd.AddCommand(list, retry, drop, export, newQueueSalvageCmd(e), newQueueImportCmd(e))
	return cmd
}

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

func queueList(e *env, asJSON bool, limit int) error {
	if limit < 1 {
		return usageError{errors.New("--limit must be at least 1")}
	}
	c, ctx, cancel, err := queueClient(e)
	if err != nil {
		return err
	}
	defer cancel()
	q, err := c.Queue(ctx, limit)
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
	fmt.Fprintln(w, head)
	if q.KeyProblem != "" {
		fmt.Fprintf(w, "PAUSED for every account: %s\n", q.KeyProblem)
	}
	for _, a := range q.Accounts {
		line := fmt.Sprintf("  %s: %d pending, %d dead, %d scrobbled today", a.Account, a.Pending, a.Dead, a.ScrobblesToday)
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
		fmt.Fprintln(tw, "\nPENDING\nID\tACCOUNT\tWHAT\tPLAYED\tATTEMPTS\tLAST ERROR")
		for _, it := range q.Items {
			last := it.LastError
			switch {
			case it.InFlight:
				last = "being sent now"
			case it.MaybeSent:
				last += " (Last.fm may have it)"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", it.ID, it.Account, describe(it), played(it, now), it.Attempts, last)
		}
	}
	deadIDs := givenUpTable(tw, "DEAD LETTERS", "REASON", q.DeadLetters, now)
	unsureIDs := givenUpTable(tw, "ANSWER UNKNOWN (Last.fm may have them)", "WHY", q.Unsure, now)
	tw.Flush()
	if len(unsureIDs) > 0 {
		fmt.Fprintf(w, "\nCheck your Last.fm history: send again only what is missing there (it may show twice): lastfmd queue retry --force ID\n"+
			"      or forget them (they stay deduplicated): lastfmd queue drop %s\n", strings.Join(unsureIDs, " "))
	}
	if len(deadIDs) > 0 {
		fmt.Fprintf(w, "\nNext: fix what REASON names, then send them again: lastfmd queue retry %s\n"+
			"      or give up on one for good: lastfmd queue drop ID\n", strings.Join(deadIDs, " "))
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
	fmt.Fprintf(tw, "\n%s\nID\tACCOUNT\tWHAT\tPLAYED\t%s\n", title, why)
	ids := make([]string, 0, len(items))
	for _, it := range items {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", it.ID, it.Account, describe(it), played(it, now), it.Reason)
		ids = append(ids, strconv.FormatUint(it.ID, 10))
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

// queueAct is retry or drop: it prints what happened to each id and exits
// 1 when an id was unknown or not acted on.
func queueAct(e *env, action string, args []string, force bool) error {
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
		fmt.Fprintln(e.stderr, "lastfmd queue retry --force: items Last.fm may already have (maybe sent, answer unknown) are sent again and may show twice on Last.fm")
	}
	changes, err := act(ctx, ids...)
	if err != nil {
		return explain(err)
	}
	failed := 0
	for _, it := range changes {
		fmt.Fprintf(e.stdout, "%d: %s\n", it.ID, changeWords(it.Result))
		if it.Result != "retrying" && !strings.HasPrefix(it.Result, "dropped") {
			failed++
		}
	}
	if failed > 0 {
		return exitError{code: 1, msg: fmt.Sprintf("lastfmd queue %s: %d of %d ids were not acted on (see `lastfmd queue list`)", action, failed, len(ids))}
	}
	return nil
}

// changeWords says what retry or drop did to an id, in words.
func changeWords(result string) string {
	switch result {
	case "retrying":
		return "queued to be sent again"
	case "sent":
		return "already sent: Last.fm answered it, so there is nothing to retry or drop"
	case "unknown":
		return "not in the queue: no item has this id (see `lastfmd queue list`)"
	}
	return result
}

func queueExport(e *env) error {
	c, ctx, cancel, err := queueClient(e)
	if err != nil {
		return err
	}
	defer cancel()
	return explain(c.QueueExport(ctx, e.stdout))
}

// writeJSON prints a document as one line of JSON, as the daemon sent it.
func writeJSON(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
