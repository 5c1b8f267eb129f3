package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/internal/playlog"
	"github.com/lastfmd/lastfmd/signer"
)

// lastfmPerDay is about how many scrobbles Last.fm takes from an account
// in a day: 2,800 has been reported for years (an unofficial figure, and
// reports of 2026 say it may now be lower). lastfmd never counts on it:
// Last.fm's ignored code 5 pauses the account until 00:00 UTC, and the
// rest waits in the journal (docs/importing.md#many-plays).
const lastfmPerDay = 2800

// lastfmDest is Last.fm's name among the destinations.
const lastfmDest = "lastfm"

// importSummary is what an import did, printed for a person or as JSON
// (--json).
type importSummary struct {
	File   string `json:"file"`
	Format string `json:"format"`
	Client string `json:"client,omitempty"`
	// TimeZone is how the file's times were read: the zone whose wall
	// clock a #TZ/UNKNOWN log counts, or "UTC".
	TimeZone string `json:"time_zone"`
	DryRun   bool   `json:"dry_run,omitempty"`
	// Into is where the plays went: the daemon, or the journal file.
	Into    string `json:"into,omitempty"`
	Account string `json:"account,omitempty"`
	// Plays are the plays read (lines of played tracks that could be
	// used); First and Last their time span.
	Plays int        `json:"plays"`
	First *time.Time `json:"first,omitempty"`
	Last  *time.Time `json:"last,omitempty"`
	// Queued is, per destination ("lastfm", a mirror's name), the plays
	// journalled there by this import.
	Queued map[string]int `json:"queued"`
	// Duplicates are plays that added nothing: an earlier import fed
	// them, or the journal had them already.
	Duplicates int `json:"duplicates"`
	// TooOld are plays Last.fm does not take (older than
	// scrobble.max_age); each mirror that takes them has them.
	TooOld span `json:"too_old_for_lastfm"`
	// NotTaken are plays no destination took (too old for each, or no
	// session anywhere): not safe.
	NotTaken int `json:"not_taken"`
	// NotTakenWhy counts, per destination, why it did not take them.
	NotTakenWhy map[string]map[string]int `json:"not_taken_why,omitempty"`
	// Skipped are the plays the player marked skipped (S): never sent.
	Skipped int `json:"skipped"`
	// Refused are the lines not imported, with why.
	Refused  []playlog.Problem `json:"refused"`
	Gaps     int               `json:"dst_gaps"`
	Overlaps int               `json:"dst_overlaps"`
	// LastfmDays: the plays queued for Last.fm exceed what it takes in a
	// day (about lastfmPerDay): delivery will take about this many days.
	LastfmDays int `json:"lastfm_days,omitempty"`
	// Safe: every play read is in the journal for at least one
	// destination.
	Safe    bool   `json:"safe"`
	Removed bool   `json:"removed,omitempty"`
	Kept    string `json:"kept,omitempty"` // with --remove: why the file is kept
	// ReadSeconds and FeedSeconds are how long reading and feeding took.
	ReadSeconds float64 `json:"read_seconds"`
	FeedSeconds float64 `json:"feed_seconds,omitempty"`

	// Outcomes are each play's answer, in the plays' order.
	Outcomes []client.ScrobbleOutcome `json:"-"`
}

// span is a count of plays and their time span.
type span struct {
	Count int        `json:"count"`
	First *time.Time `json:"first,omitempty"`
	Last  *time.Time `json:"last,omitempty"`
}

func (s *span) add(ts int64) {
	t := time.Unix(ts, 0).UTC()
	if s.Count == 0 || t.Before(*s.First) {
		s.First = &t
	}
	if s.Count == 0 || t.After(*s.Last) {
		s.Last = &t
	}
	s.Count++
}

func newSummary(file string, log *playlog.Log, zone string) *importSummary {
	s := &importSummary{File: file, Format: string(log.Format), Client: log.Client, TimeZone: "UTC",
		Plays: len(log.Plays), Queued: map[string]int{}, Skipped: len(log.Skipped), Refused: log.Refused,
		Gaps: log.Gaps, Overlaps: log.Overlaps}
	if s.Refused == nil {
		s.Refused = []playlog.Problem{}
	}
	if log.TZ == "UNKNOWN" {
		s.TimeZone = zone
	}
	if len(log.Plays) > 0 {
		first, last := log.Span()
		f, l := time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC()
		s.First, s.Last = &f, &l
	}
	return s
}

// dryRunAges counts, without sending anything, the plays older than
// maxAge: those Last.fm will not take.
func (s *importSummary) dryRunAges(log *playlog.Log, maxAge time.Duration) {
	now := time.Now()
	s.TooOld = span{}
	for _, p := range log.Plays {
		if signer.ScrobbleAge(p.Timestamp, now, maxAge) == signer.IgnoredTooOld {
			s.TooOld.add(p.Timestamp)
		}
	}
}

// finish sums up the outcomes.
func (s *importSummary) finish(log *playlog.Log) {
	s.Queued = map[string]int{}
	s.TooOld, s.Duplicates, s.NotTaken, s.NotTakenWhy = span{}, 0, 0, nil
	for _, o := range s.Outcomes {
		queued, dup := false, false
		switch {
		case o.Status == client.ScrobbleDuplicate || o.Duplicate:
			dup = true
		case o.Status == client.ScrobbleQueued || o.Status == client.ScrobbleAccepted:
			s.Queued[lastfmDest]++
			queued = true
		case o.Status == client.ScrobbleIgnored && o.IgnoredMessage != nil && o.IgnoredMessage.Code == signer.IgnoredTooOld:
			s.TooOld.add(o.Timestamp)
		}
		for name, state := range o.Mirrors {
			switch state {
			case "queued":
				s.Queued[name]++
				queued = true
			case "duplicate":
				dup = true
			}
		}
		switch {
		case queued:
		case dup:
			s.Duplicates++
		default:
			s.NotTaken++
			s.whyNot(o)
		}
	}
	s.Safe = s.NotTaken == 0 && len(s.Outcomes) == len(log.Plays)
	if n := s.Queued[lastfmDest]; n > lastfmPerDay {
		s.LastfmDays = (n + lastfmPerDay - 1) / lastfmPerDay
	}
}

// whyNot counts, per destination, why a play no destination took was not
// taken there.
func (s *importSummary) whyNot(o client.ScrobbleOutcome) {
	if s.NotTakenWhy == nil {
		s.NotTakenWhy = map[string]map[string]int{}
	}
	count := func(dest, why string) {
		if s.NotTakenWhy[dest] == nil {
			s.NotTakenWhy[dest] = map[string]int{}
		}
		s.NotTakenWhy[dest][why]++
	}
	switch {
	case o.IgnoredMessage != nil:
		count(lastfmDest, o.IgnoredMessage.Message)
	case o.Error != "":
		count(lastfmDest, o.Error)
	default:
		count(lastfmDest, o.Status)
	}
	for name, state := range o.Mirrors {
		count(name, state)
	}
}

// removeFile deletes the file when every play in it is safe (and, without
// force, no line was refused and every play was taken), and it has not
// changed since it was read (a player still writing to it).
func (s *importSummary) removeFile(file string, before os.FileInfo, force bool) {
	switch {
	case len(s.Outcomes) != s.Plays:
		s.Kept = "not every play was journalled"
	case !force && len(s.Refused) > 0:
		s.Kept = fmt.Sprintf("%s refused (--force removes it all the same)", plural(len(s.Refused), "line was", "lines were"))
	case !force && s.NotTaken > 0:
		s.Kept = fmt.Sprintf("%s taken by no destination (--force removes it all the same)", plural(s.NotTaken, "play was", "plays were"))
	}
	if s.Kept != "" {
		return
	}
	now, err := os.Stat(file)
	switch {
	case err != nil:
		s.Kept = err.Error()
	case !os.SameFile(before, now) || now.Size() != before.Size() || !now.ModTime().Equal(before.ModTime()):
		s.Kept = "it changed while it was imported (a player writing to it?): import it again"
	default:
		if err := os.Remove(file); err != nil {
			s.Kept = err.Error()
			return
		}
		s.Removed = true
	}
}

// maxRefusedShown bounds the refused lines a person is shown (--json
// lists them all).
const maxRefusedShown = 20

// maxConversionShown is how many plays a dry run shows converted.
const maxConversionShown = 10

// print writes the summary: JSON with --json, else for a person; a dry
// run's with its first plays converted (log set).
func (s *importSummary) print(e *env, o importOptions, log *playlog.Log) error {
	if o.js {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	w := e.stdout
	what := "JSON scrobbles (" + s.Format + "), times UTC"
	if s.Format == string(playlog.FormatLog) {
		what = "a portable-player log"
		if s.Client != "" {
			what += " (" + s.Client + ")"
		}
		if s.TimeZone == "UTC" {
			what += ", times UTC (#TZ/UTC)"
		} else {
			what += ", times the player's clock in " + s.TimeZone + " (#TZ/UNKNOWN; --tz to change)"
		}
	}
	fmt.Fprintf(w, "Read %s: %s.\n", s.File, what)
	fmt.Fprintf(w, "%s", plural(s.Plays, "play", "plays"))
	if s.First != nil {
		fmt.Fprintf(w, " from %s to %s", s.First.Format(humanUTC), s.Last.Format(humanUTC))
	}
	fmt.Fprintf(w, "; %s skipped on the player (S), never sent; %s refused.\n",
		plural(s.Skipped, "play", "plays"), plural(len(s.Refused), "line", "lines"))
	if s.Gaps > 0 || s.Overlaps > 0 {
		fmt.Fprintf(w, "Daylight saving: %s in a gap (read with the offset before the change), %s in an overlap (read as the earlier time).\n",
			plural(s.Gaps, "play", "plays"), plural(s.Overlaps, "play", "plays"))
	}
	if s.DryRun {
		fmt.Fprintf(w, "Dry run: nothing was written.\n")
		if s.TooOld.Count > 0 {
			fmt.Fprintf(w, "Too old for Last.fm: %s (%s); each mirror that takes them would have them.\n",
				plural(s.TooOld.Count, "play", "plays"), s.TooOld.rangeText())
		}
		if n := s.Plays - s.TooOld.Count; n > lastfmPerDay {
			fmt.Fprintf(w, "%d plays for Last.fm: more than it takes in a day (about %d), so delivery would take about %d days.\n",
				n, lastfmPerDay, (n+lastfmPerDay-1)/lastfmPerDay)
		}
		if log != nil && len(log.Plays) > 0 {
			fmt.Fprintf(w, "The first plays as they would be sent (UTC):\n")
			for _, p := range log.Plays[:min(len(log.Plays), maxConversionShown)] {
				from := ""
				if p.Wall != p.Timestamp {
					from = time.Unix(p.Wall, 0).UTC().Format(time.DateTime) + " on the player → "
				}
				fmt.Fprintf(w, "  line %d: %s%s  %s – %s\n", p.Line, from, time.Unix(p.Timestamp, 0).UTC().Format(time.DateTime),
					p.Params["artist"], p.Params["track"])
			}
		}
	} else if s.Into != "" {
		into := s.Into
		if s.Account != "" {
			into += ", account " + s.Account
		}
		fmt.Fprintf(w, "Into %s:\n", into)
		dests := make([]string, 0, len(s.Queued))
		for d := range s.Queued {
			dests = append(dests, d)
		}
		slices.SortFunc(dests, func(a, b string) int {
			switch {
			case a == b:
				return 0
			case a == lastfmDest:
				return -1
			case b == lastfmDest:
				return 1
			}
			return strings.Compare(a, b)
		})
		if len(dests) == 0 {
			fmt.Fprintf(w, "  queued: none\n")
		}
		for _, d := range dests {
			fmt.Fprintf(w, "  queued for %s: %d\n", d, s.Queued[d])
		}
		fmt.Fprintf(w, "  duplicates (imported before, or in the journal already): %d\n", s.Duplicates)
		if s.TooOld.Count > 0 {
			fmt.Fprintf(w, "  too old for Last.fm: %d (%s); each mirror that takes them has them\n", s.TooOld.Count, s.TooOld.rangeText())
		}
		if s.NotTaken > 0 {
			fmt.Fprintf(w, "  taken by no destination: %d (%s)\n", s.NotTaken, s.whyText())
		}
		if s.LastfmDays > 1 {
			fmt.Fprintf(w, "%d plays for Last.fm: more than it takes in a day (about %d), so delivery will take about %d days; they wait safely in the journal.\n",
				s.Queued[lastfmDest], lastfmPerDay, s.LastfmDays)
		}
	}
	if len(s.Refused) > 0 {
		fmt.Fprintf(w, "Refused:\n")
		for _, r := range s.Refused[:min(len(s.Refused), maxRefusedShown)] {
			fmt.Fprintf(w, "  line %d: %s\n", r.Line, r.Reason)
		}
		if n := len(s.Refused) - maxRefusedShown; n > 0 {
			fmt.Fprintf(w, "  … and %d more (--json lists them all)\n", n)
		}
	}
	switch {
	case s.Removed:
		fmt.Fprintf(w, "Removed %s: every play in it is safe in the journal.\n", s.File)
	case s.Kept != "":
		fmt.Fprintf(w, "Kept %s: %s.\n", s.File, s.Kept)
	}
	return nil
}

// humanUTC is how the summary writes a time.
const humanUTC = "2006-01-02 15:04 UTC"

func (s span) rangeText() string {
	if s.First == nil {
		return ""
	}
	return s.First.Format(humanUTC) + " to " + s.Last.Format(humanUTC)
}

// whyText says why plays were taken by no destination, per destination.
func (s *importSummary) whyText() string {
	var parts []string
	for dest, whys := range s.NotTakenWhy {
		for why, n := range whys {
			parts = append(parts, fmt.Sprintf("%s: %s ×%d", dest, why, n))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}
