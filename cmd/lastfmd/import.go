package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
	_ "time/tzdata" // --tz works on a machine without a zone database

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/internal/playlog"
	"github.com/lastfmd/lastfmd/signer"
)

// importOptions are `lastfmd import`'s flags.
type importOptions struct {
	tz, account, stateDir     string
	dryRun, remove, force, js bool
	stateDirSet               bool
}

// newImportCmd is `lastfmd import FILE` (docs/importing.md): the plays a
// portable player logged while offline (.scrobbler.log), or a JSON play
// list, read here and fed to the journal: through the running daemon when
// one answers (no endpoint takes a path), else straight into the journal
// of the state directory, as `queue import` does.
func newImportCmd(e *env) *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import plays from a portable player's .scrobbler.log or a JSON play list",
		Long: "import reads a portable player's .scrobbler.log (Rockbox and players like it) or JSON scrobbles in /v1/'s\n" +
			"shape (an array, or one a line) and journals every play for Last.fm and each mirror that takes it, once:\n" +
			"an import ledger remembers what earlier imports fed, so importing the same file again adds nothing.\n" +
			"A log headed #TZ/UNKNOWN (what Rockbox writes) counts the player's wall clock: --tz names its zone\n" +
			"(default this machine's). Skipped plays (S) are never sent; lines that cannot be used are listed with\n" +
			"their numbers. --remove deletes the file once every play in it is safe in the journal.",
		Example: "  lastfmd import --dry-run /media/ipod/.scrobbler.log\n  lastfmd import --tz Europe/Berlin --remove /media/ipod/.scrobbler.log\n" +
			"  lastfmd import --account bob plays.json\n  lastfmd import --json plays.jsonl",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.force && !o.remove {
				return usageError{errors.New("--force goes with --remove: it removes the file even when lines were refused or plays taken by no destination")}
			}
			if o.dryRun && o.remove {
				return usageError{errors.New("--dry-run writes and removes nothing: leave out --remove")}
			}
			o.stateDirSet = cmd.Flags().Changed("state-dir")
			return runImport(e, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.tz, "tz", "", "the player's time zone, for a log headed #TZ/UNKNOWN: an IANA name such as Europe/Berlin (default: this machine's)")
	f.StringVar(&o.account, "account", "", "the account the plays are scrobbled as (default: the default account)")
	f.BoolVar(&o.dryRun, "dry-run", false, "read and convert only: print the summary and the first plays, write nothing")
	f.BoolVar(&o.remove, "remove", false, "delete the file once every play in it is in the journal for at least one destination")
	f.BoolVar(&o.force, "force", false, "with --remove: delete it even when lines were refused or plays taken by no destination")
	f.BoolVar(&o.js, "json", false, "print the summary as JSON")
	f.StringVar(&o.stateDir, "state-dir", "", "with no daemon running: the state directory holding journal.db (default: the configuration's state_dir)")
	return cmd
}

// runImport reads file, feeds its plays and prints the summary.
func runImport(e *env, file string, o importOptions) error {
	loc, zone, err := importZone(o.tz)
	if err != nil {
		return usageError{err}
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	before, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	started := time.Now()
	log, err := playlog.Read(f, playlog.Options{Location: loc, Now: started})
	f.Close()
	var np *playlog.NotPlaysError
	if errors.As(err, &np) {
		return fmt.Errorf("%s: %s", file, np.Msg)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	sum := newSummary(file, log, zone)
	sum.ReadSeconds = time.Since(started).Seconds()
	if o.dryRun {
		sum.DryRun = true
		sum.dryRunAges(log, maxAgeOf(e))
		if err := sum.print(e, o, log); err != nil {
			return err
		}
		if len(log.Plays) == 0 {
			return exitError{code: 1, msg: "lastfmd import: nothing to import in " + file}
		}
		return nil
	}
	if len(log.Plays) > 0 {
		if err := feed(e, o, log, sum); err != nil {
			if len(sum.Outcomes) > 0 {
				sum.finish(log)
				sum.print(e, o, nil) // what was journalled before the error
			}
			return err
		}
	}
	sum.finish(log)
	if o.remove {
		sum.removeFile(file, before, o.force)
	}
	if err := sum.print(e, o, nil); err != nil {
		return err
	}
	switch {
	case len(log.Plays) == 0:
		return exitError{code: 1, msg: "lastfmd import: nothing to import in " + file}
	case sum.NotTaken > 0:
		return exitError{code: 1, msg: fmt.Sprintf("lastfmd import: %s of %s taken by no destination (see above)",
			plural(sum.NotTaken, "play", "plays"), file)}
	}
	return nil
}

// importZone is --tz's zone, else this machine's, and its name.
func importZone(name string) (*time.Location, string, error) {
	if name == "" {
		return time.Local, localZoneName(), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, "", fmt.Errorf("--tz %q is not a time zone: give an IANA name such as Europe/Berlin, America/New_York or UTC", name)
	}
	return loc, loc.String(), nil
}

// localZoneName names this machine's zone: $TZ, else where /etc/localtime
// points, else the zone's abbreviation now.
func localZoneName() string {
	if tz := os.Getenv("TZ"); tz != "" {
		return tz
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, after, ok := cutLast(target, "zoneinfo/"); ok {
			return after
		}
	}
	abbr, _ := time.Now().Zone()
	return "this machine's (" + abbr + ")"
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (string, string, bool) {
	for i := len(s) - len(sep); i >= 0; i-- {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}

// maxAgeOf is scrobble.max_age from the configuration (Last.fm's 14 days
// when it cannot be read): what a dry run counts as too old for Last.fm.
func maxAgeOf(e *env) time.Duration {
	cfg, _, err := config.Load(config.Options{Path: e.configPath})
	if err != nil || cfg.Scrobble.MaxAge.Duration <= 0 {
		return signer.MaxScrobbleAge
	}
	return cfg.Scrobble.MaxAge.Duration
}

// batches splits the plays into the requests an import sends: at most
// client.MaxScrobblesPerImport plays and about client.MaxImportBody bytes
// of JSON each (a play alone larger than that is a batch of its own, which
// the daemon judges).
func batches(plays []playlog.Play) [][]playlog.Play {
	var out [][]playlog.Play
	start, size := 0, 0
	for i, p := range plays {
		n := playSize(p)
		if i > start && (i-start == client.MaxScrobblesPerImport || size+n > client.MaxImportBody) {
			out = append(out, plays[start:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(plays) {
		out = append(out, plays[start:])
	}
	return out
}

// playSize is about the bytes of a play in a request's JSON.
func playSize(p playlog.Play) int {
	raw, _ := json.Marshal(p.Params)
	return len(raw) + 1
}
