package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/internal/playlog"
	"github.com/lastfmd/lastfmd/signer"
)

// feed sends the plays in batches: through the running daemon when one
// answers, one request at a time, each once the previous one is answered
// (back-pressure: the daemon commits each batch before it answers), else
// straight into the journal. Each play's outcome goes into sum.Outcomes,
// in the plays' order; on an error, those of the batches already
// journalled.
func feed(e *env, o importOptions, log *playlog.Log, sum *importSummary) error {
	c, err := findDaemon(e)
	if err != nil {
		return err
	}
	bar := newImportBar(e, o, len(log.Plays))
	defer bar.done()
	started := time.Now()
	defer func() { sum.FeedSeconds = time.Since(started).Seconds() }()
	if c == nil {
		return feedHere(e, o, log, sum, bar)
	}
	sum.Into = "the daemon at " + c.Addr()
	ctx, cancel := signalContext()
	defer cancel()
	for _, b := range batches(log.Plays) {
		items := make([]map[string]string, len(b))
		for i, p := range b {
			items[i] = p.Params
		}
		ans, err := c.ScrobbleImport(ctx, o.account, items)
		if err != nil {
			return explain(err)
		}
		if len(ans.Scrobbles) != len(b) {
			return fmt.Errorf("the daemon at %s answered %d items for %d plays: is it an older lastfmd?", c.Addr(), len(ans.Scrobbles), len(b))
		}
		sum.Outcomes = append(sum.Outcomes, ans.Scrobbles...)
		bar.add(len(b))
	}
	return nil
}

// feedHere writes the plays straight into the journal of the state
// directory, no daemon running, through the import ledger
// (journal.SubmitImport), with a lane for each configured [[mirror]] and
// the accounts' sessions there (they send nothing here: the daemon does
// once it starts).
func feedHere(e *env, o importOptions, log *playlog.Log, sum *importSummary, bar *importBar) error {
	if err := noDaemonHere(e); err != nil {
		return err
	}
	flags := map[string]string{}
	if o.stateDirSet {
		flags["state_dir"] = o.stateDir
	}
	cfg, _, err := config.Load(config.Options{Path: e.configPath, Flags: flags})
	if err != nil {
		return err
	}
	if err := ownStateDir(cfg.StateDir); err != nil {
		return err
	}
	logger, _, err := daemon.NewLogger(e.stderr, "text", "warn")
	if err != nil {
		return err
	}
	r := daemon.NewRedactor(cfg)
	logger = daemon.RedactLog(logger, r)
	store, err := daemon.OpenAccounts(cfg, r, logger)
	if err != nil {
		return err
	}
	account, err := importAccount(store, o.account)
	if err != nil {
		return err
	}
	sum.Account = account
	j, err := journal.Open(journal.Options{Dir: cfg.StateDir, Accounts: store, MaxAge: cfg.Scrobble.MaxAge.Duration,
		Mirrors: daemon.JournalMirrors(cfg, nil, nil), Log: logger})
	if errors.Is(err, journal.ErrLocked) {
		return fmt.Errorf("%w; no daemon answers at its address: see `lastfmd status`", err)
	}
	if err != nil {
		return err
	}
	sum.Into = filepath.Join(cfg.StateDir, journal.FileName)
	for _, b := range batches(log.Plays) {
		scs := make([]journal.Scrobble, len(b))
		for i, p := range b {
			sc, problems := signer.ParseScrobble(p.Params)
			if len(problems) > 0 { // playlog returns only plays that pass
				j.Close()
				return fmt.Errorf("line %d: %v", p.Line, problems)
			}
			scs[i] = sc
		}
		tickets, err := j.SubmitImport(account, scs)
		if err != nil {
			j.Close()
			return err
		}
		for i, t := range tickets {
			sum.Outcomes = append(sum.Outcomes, ticketOutcome(t, scs[i]))
		}
		bar.add(len(b))
	}
	return j.Close()
}

// importAccount is the account the plays go to: name, else the default.
func importAccount(store *accounts.Store, name string) (string, error) {
	if name != "" {
		if _, ok := store.Get(name); !ok {
			return "", fmt.Errorf("no account %q here: `lastfmd auth status` lists the accounts, `lastfmd auth login --account %s` signs one in", name, name)
		}
		return name, nil
	}
	a, ok := store.Default()
	if !ok {
		return "", errors.New("no account is signed in: sign in first (`lastfmd auth login`), then import again")
	}
	return a.Name, nil
}

// ticketOutcome is a play's ticket in the terms of /v1/'s answer, so that
// both ways of importing are summed up by one code.
func ticketOutcome(t journal.Ticket, sc journal.Scrobble) client.ScrobbleOutcome {
	out := client.ScrobbleOutcome{ID: t.ID, Duplicate: t.Duplicate, Artist: sc.Artist, Track: sc.Track,
		Timestamp: sc.Timestamp, Mirrors: t.Mirrors}
	switch {
	case t.Imported:
		out.Status = client.ScrobbleDuplicate
	case t.ID != 0:
		out.Status = client.ScrobbleQueued
	default:
		out.Status = client.ScrobbleIgnored
		out.IgnoredMessage = &client.IgnoredMessage{Code: t.Ignored, Message: signer.IgnoredText(t.Ignored)}
	}
	return out
}

// importBar is the progress bar of a long import on a terminal (stderr),
// none otherwise.
type importBar struct{ bar *progressbar.ProgressBar }

func newImportBar(e *env, o importOptions, plays int) *importBar {
	f, ok := e.stderr.(*os.File)
	if o.js || !ok || !term.IsTerminal(int(f.Fd())) || plays <= client.MaxScrobblesPerImport {
		return &importBar{}
	}
	return &importBar{bar: progressbar.NewOptions(plays,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("plays"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

func (b *importBar) add(n int) {
	if b.bar != nil {
		b.bar.Add(n)
	}
}

func (b *importBar) done() {
	if b.bar != nil {
		b.bar.Finish()
	}
}
