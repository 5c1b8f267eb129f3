package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/daemon/service"
	"github.com/lastfmd/lastfmd/signer"
)

// skewWarn is the clock skew status flags: docs/design.md#reliability-rules
// (Last.fm ignores scrobbles it thinks come from the future).
const skewWarn = 2 * time.Minute

// pageLine says where the page at / is (docs/page.md), or why a browser
// cannot reach it: a daemon on a unix socket does not serve it.
func pageLine(doc *client.Status) string {
	if doc.Page != "" {
		return doc.Page + " (lastfmd open opens it)"
	}
	return "not served: the daemon listens on a unix socket, which browsers cannot open; to see it, listen on a loopback TCP address (listen = \"127.0.0.1:7375\") and run lastfmd open"
}

// printDaemonStatus writes the human summary of the /v1/status document,
// one labelled line per part, each problem followed by what to run.
func printDaemonStatus(w io.Writer, doc *client.Status, now time.Time) {
	fmt.Fprintf(w, "version:  %s, up %s, listening on %s\n", doc.Version, time.Duration(doc.UptimeSeconds)*time.Second, doc.Listen)
	fmt.Fprintf(w, "page:     %s\n", pageLine(doc))
	fmt.Fprintf(w, "accounts: %s\n", accountsLine(doc.Accounts))
	fmt.Fprintf(w, "cache:    %s\n", cacheLine(doc.Cache))
	fmt.Fprintf(w, "queue:    %s\n", queueLine(doc.Queue, now))
	if doc.Queue.LastError != "" && doc.Queue.LastError != doc.Queue.DiskProblem && doc.Queue.Pending+doc.Queue.Dead > 0 {
		fmt.Fprintf(w, "          last error: %s\n", doc.Queue.LastError)
	}
	if doc.Queue.DiskProblem != "" {
		fmt.Fprintf(w, "          disk: %s\n", doc.Queue.DiskProblem)
	}
	if doc.Queue.Dead > 0 {
		fmt.Fprintf(w, "          see the dead letters: lastfmd queue list; send them again: lastfmd queue retry ID...\n")
	}
	for _, d := range doc.Destinations {
		fmt.Fprintf(w, "to %s: %s\n", d.Name, destinationLine(d, now))
	}
	fmt.Fprintf(w, "upstream: %s\n", upstreamLine(doc.Upstream, now))
	if doc.Upstream.KeyProblem != "" {
		fmt.Fprintf(w, "          %s: %s\n", doc.Upstream.KeyProblem, signer.CredentialsFix)
	}
	fmt.Fprintf(w, "clock:    %s\n", clockLine(doc.Upstream))
	fmt.Fprintf(w, "limiter:  %s\n", limiterLine(doc.Limiter, doc.Upstream.BackoffUntil, now))
}

// startHint says what to run when no daemon answers, from the service's
// state.
func startHint(st service.State, user bool) string {
	sudo, flag, journal := "sudo ", "", "journalctl -u lastfmd -n 50"
	if user {
		sudo, flag, journal = "", " --user", "journalctl --user -u lastfmd -n 50"
	}
	switch st.State {
	case service.StateStopped:
		return "start it: " + sudo + "lastfmd start" + flag
	case service.StateFailed:
		return "start it again once fixed: " + sudo + "lastfmd restart" + flag
	case service.StateRunning:
		return "the service runs but does not answer here: check $LASTFMD_URL and listen (lastfmd config dump), and " + journal
	case service.StateNoManager:
		return "no service manager answers here, so no service can run: run lastfmd in the foreground: `lastfmd run` (see README \"Running it for real\"), or try `lastfmd demo`"
	}
	return "start one: `lastfmd run` (see README \"Running it for real\"), install it: `lastfmd install --user`, or try `lastfmd demo`"
}

func accountsLine(accts []client.AccountStatus) string {
	if len(accts) == 0 {
		return "none signed in: reads work; for writes run `lastfmd auth login`"
	}
	var names []string
	for _, a := range accts {
		n := a.Name
		var tags []string
		if a.User != "" && a.User != a.Name {
			tags = append(tags, "Last.fm user "+a.User)
		}
		if a.Default {
			tags = append(tags, "default")
		}
		if a.ScrobblesToday > 0 {
			tags = append(tags, plural(a.ScrobblesToday, "scrobble", "scrobbles")+" today")
		}
		if a.NeedsSignin {
			tags = append(tags, "needs sign-in: lastfmd auth login --account "+a.Name)
		}
		if len(tags) > 0 {
			n += " (" + strings.Join(tags, ", ") + ")"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}

func cacheLine(c client.CacheStatus) string {
	s := fmt.Sprintf("%s, %s of %s", plural(c.Entries, "entry", "entries"), humanBytes(c.Bytes), humanBytes(c.MaxBytes))
	reads := c.Hits + c.Misses + c.Stale
	if reads == 0 {
		return s + "; no reads yet"
	}
	// Stale answers were served from the cache too, but only because
	// Last.fm failed: they are shown apart, not counted as hits.
	s += fmt.Sprintf("; %.0f%% hit rate (%s, %s", 100*float64(c.Hits)/float64(reads),
		plural(int(c.Hits), "hit", "hits"), plural(int(c.Misses), "miss", "misses"))
	if c.Stale > 0 {
		s += fmt.Sprintf(", %d stale", c.Stale)
	}
	if c.Evictions > 0 {
		s += fmt.Sprintf(", %d evicted", c.Evictions)
	}
	return s + ")"
}

func queueLine(q client.QueueStatus, now time.Time) string {
	s := fmt.Sprintf("%d pending", q.Pending)
	if q.Pending > 0 {
		var more []string
		more = append(more, "oldest "+(time.Duration(q.OldestPendingSeconds)*time.Second).String())
		if t, err := time.Parse(time.RFC3339, q.NextAttempt); err == nil {
			if d := t.Sub(now).Round(time.Second); d > 0 {
				more = append(more, "next attempt in "+d.String())
			} else {
				more = append(more, "sending now")
			}
		}
		s += " (" + strings.Join(more, ", ") + ")"
	}
	return s + ", " + plural(q.Dead, "dead letter", "dead letters")
}

// destinationLine is one destination's lane in plain words: what waits,
// when it last answered or failed, who is not sent there, what it lacks.
func destinationLine(d client.DestinationStatus, now time.Time) string {
	s := fmt.Sprintf("%d pending, %s", d.Pending, plural(d.Dead, "dead letter", "dead letters"))
	if t := parseTime(d.LastSuccess); !t.IsZero() {
		s += ", last answer " + now.Sub(t).Round(time.Second).String() + " ago"
	}
	if d.LastFailure != nil && d.Pending > 0 {
		s += "; last failure: " + d.LastFailure.Error
	}
	if d.KeyProblem != "" {
		s += "; paused, the key was refused: " + d.KeyProblem
	}
	if len(d.NotSignedIn) > 0 {
		signIn := "auth login"
		if d.Type == authflow.MirrorTypeListenBrainz {
			signIn = "auth token" // a user token, read from stdin
		}
		s += "; not signed in there (not mirrored): " + strings.Join(d.NotSignedIn, ", ") + " (lastfmd " + signIn + " --mirror " + d.Name + " --account NAME)"
	}
	if len(d.Lacks) > 0 {
		s += "; lacks " + strings.Join(d.Lacks, ", ") + " (not sent there)"
	}
	return s
}

// upstreamLine says in plain words whether Last.fm answers now (the later
// of the last success and the last failure decides), with both times, so
// the line is right again as soon as Last.fm recovers.
func upstreamLine(u client.UpstreamStatus, now time.Time) string {
	okAt, badAt := parseTime(u.LastSuccess), parseTime(u.LastFailure)
	var health string
	switch {
	case u.KeyProblem != "":
		health = "Last.fm refuses lastfmd's API key or secret"
	case u.BackoffUntil != "":
		health = "Last.fm asked lastfmd to slow down (rate limited)"
	case u.Calls == 0:
		health = "no call to Last.fm yet"
	case !badAt.IsZero() && !badAt.Before(okAt):
		health = "failing: Last.fm's last answer was an error"
		if okAt.IsZero() {
			health = "failing: no call to Last.fm has succeeded yet"
		}
	case !badAt.IsZero():
		health = "working again: the last call succeeded"
	default:
		health = "working"
	}
	s := fmt.Sprintf("%s; %s, %s", health, plural(int(u.Calls), "call", "calls"), plural(int(u.Errors), "error", "errors"))
	if u.Calls > 0 {
		s += "; last success " + ago(okAt, now) + ", last failure " + ago(badAt, now)
	}
	if u.LastError != "" {
		s += "\n          last error: " + u.LastError
	}
	return s
}

// clockLine compares the local clock with Last.fm's; until an answer's
// Date was read (no call yet, or none answered) there is nothing to
// compare, and a skew of 0 would claim a check that never happened.
func clockLine(u client.UpstreamStatus) string {
	if !u.ClockKnown {
		return "not yet known (it is compared with the Date of Last.fm's answers, and none has been read yet)"
	}
	skew := time.Duration(u.ClockSkewSeconds) * time.Second
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	side := "ahead of"
	if skew < 0 {
		side = "behind"
	}
	if abs > skewWarn {
		return fmt.Sprintf("%s %s Last.fm's: Last.fm ignores scrobbles from the future; synchronise the clock (NTP, e.g. timedatectl set-ntp true)", abs, side)
	}
	if abs == 0 {
		return "in step with Last.fm's"
	}
	return fmt.Sprintf("%s %s Last.fm's (fine: under %s)", abs, side, skewWarn)
}

func limiterLine(l client.LimiterStatus, backoffUntil string, now time.Time) string {
	s := fmt.Sprintf("%g calls/s, burst %d, %d waiting", l.Rate, l.Burst, l.Waiting)
	if t, err := time.Parse(time.RFC3339, backoffUntil); err == nil {
		if d := t.Sub(now).Round(time.Second); d > 0 {
			s += fmt.Sprintf("; backing off for %s (Last.fm answered 29, rate limit exceeded)", d)
		}
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// humanBytes is a size in B, KiB, MiB or GiB (as cache.max_bytes is written).
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), -1
	for f >= unit && i < 2 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", f, []string{"KiB", "MiB", "GiB"}[i])
}
