package httpapi

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/signer"
)

// The page at /'s view model (docs/page.md): what the daemon's documents
// (/v1/status, the queue, the last scrobbles) render as, in plain words.
// buildView is pure, so what each state shows is tested without a
// browser (page_view_test.go); the template (page/page.html) only lays it
// out, and the script (page/page.js) only replaces it and refreshes the
// relative times.

// pageInput is what the page is made of, read at one moment.
type pageInput struct {
	Status   api.Status
	Queue    api.Queue            // every lane: per-account figures and dead letters
	Recent   []api.RecentScrobble // newest first, every lane
	Chart    []api.RecentScrobble // Last.fm's lane, for the chart
	StateDir string
	Now      time.Time
}

// pageView is the page.
type pageView struct {
	Daemon       daemonView
	Health       healthView
	Problems     []string // the journal's disk, a refused key: said first
	Chart        chartView
	Destinations []destView
	Dead         []deadView
	DeadMore     int // dead letters not listed (the list's bound)
	Recent       []recentView
	Cache        cacheView
	Accounts     []accountView
}

// timeView is a moment: relative words for a person ("3 min ago"), the
// exact time on hover, and RFC 3339 for the script to keep the words
// current. The zero moment is "never".
type timeView struct {
	ISO   string
	Exact string
	Rel   string
}

func (t timeView) Never() bool { return t.ISO == "" }

type daemonView struct {
	Version  string
	Uptime   string
	Listen   string
	StateDir string
}

// healthView is Last.fm's health: Level "ok", "warn" or "bad", and one
// sentence.
type healthView struct {
	Level       string
	Words       string
	LastSuccess timeView
	LastFailure timeView
	LastError   string
	Backoff     timeView // the limiter waits until then (Last.fm's error 29)
	Limiter     string
	Clock       string
	ClockLevel  string
}

type destView struct {
	Name          string // the lane: "lastfm" or a mirror's name
	Label         string // "Last.fm" or the mirror's name
	Type          string
	Pending       int
	Dead          int
	AnswerUnknown int
	LastSuccess   timeView
	LastFailure   timeView
	LastError     string
	NextAttempt   timeView
	KeyProblem    string
	NotSignedIn   []string
	Lacks         []string
	Accounts      []laneAccountView
}

type laneAccountView struct {
	Account     string
	Pending     int
	Dead        int
	Today       int
	Paused      string
	NextAttempt timeView
	LastError   string
	DiskProblem string
}

type deadView struct {
	ID        uint64
	Dest      string
	DestLabel string
	Account   string
	What      string
	Played    timeView
	Died      timeView
	Reason    string
	MaybeSent bool
}

// Key is the dead letter's id on the page: one play is dead on two lanes
// under one id.
func (d deadView) Key() string { return d.Dest + "-" + strconv.FormatUint(d.ID, 10) }

type recentView struct {
	ID        uint64
	DestLabel string
	Account   string
	Artist    string
	Track     string
	Played    timeView
	At        timeView
	Outcome   string // the class: accepted, ignored, skipped, queued, dead, answer_unknown, dropped_maybe_sent
	Words     string
}

type cacheView struct {
	Entries  int
	Size     string // "1.2 MiB of 64 MiB"
	Full     int    // percent of the bound
	HitRatio string // "87 %", or "no reads yet"
	Stale    uint64
	Evicted  uint64
}

type accountView struct {
	Name        string
	User        string
	Default     bool
	NeedsSignin bool
	Today       int
}

// chartView is scrobbles per hour over the last 24 hours, drawn as
// inline SVG by the template: 24 bars, oldest first.
type chartView struct {
	Bars  []barView
	Total int
	Max   int
}

type barView struct {
	X, Y, H int
	Count   int
	Label   string // "14:00–15:00 UTC: 3 scrobbles"
}

// Chart geometry, in SVG user units.
const (
	chartHours  = 24
	chartBarW   = 10
	chartHeight = 40
)

// maxDeadShown bounds the dead letters listed on the page (each has two
// buttons); the rest are counted.
const maxDeadShown = 200

// recentShown is how many of the last scrobbles the page lists.
const recentShown = 50

func buildView(in pageInput) pageView {
	st := in.Status
	v := pageView{
		Daemon: daemonView{Version: st.Version, Uptime: duration(time.Duration(st.UptimeSeconds) * time.Second),
			Listen: st.Listen, StateDir: in.StateDir},
		Health: buildHealth(st, in.Now),
		Chart:  buildChart(in.Chart, in.Now),
	}
	if st.Queue.DiskProblem != "" {
		v.Problems = append(v.Problems, st.Queue.DiskProblem)
	}
	if st.Upstream.KeyProblem != "" {
		v.Problems = append(v.Problems, st.Upstream.KeyProblem)
	}
	for _, d := range st.Destinations {
		v.Destinations = append(v.Destinations, buildDest(d, in.Queue.Accounts, in.Now))
	}
	for _, it := range in.Queue.DeadLetters {
		if len(v.Dead) == maxDeadShown {
			v.DeadMore++
			continue
		}
		v.Dead = append(v.Dead, deadView{ID: it.ID, Dest: it.Destination, DestLabel: destLabel(it.Destination),
			Account: it.Account, What: itemWhat(it), Played: unixMoment(it.Timestamp, in.Now),
			Died: moment(it.Died, in.Now), Reason: it.Reason, MaybeSent: it.MaybeSent})
	}
	v.DeadMore = max(0, st.Queue.Dead-len(v.Dead))
	for i, r := range in.Recent {
		if i == recentShown {
			break
		}
		v.Recent = append(v.Recent, recentView{ID: r.ID, DestLabel: destLabel(r.Destination), Account: r.Account,
			Artist: r.Artist, Track: r.Track, Played: unixMoment(r.Timestamp, in.Now), At: moment(r.At, in.Now),
			Outcome: r.Outcome, Words: outcomeWords(r)})
	}
	c := st.Cache
	v.Cache = cacheView{Entries: c.Entries, Size: bytesWords(c.Bytes) + " of " + bytesWords(c.MaxBytes),
		HitRatio: "no reads yet", Stale: c.Stale, Evicted: c.Evictions}
	if c.MaxBytes > 0 {
		v.Cache.Full = int(math.Round(100 * float64(c.Bytes) / float64(c.MaxBytes)))
	}
	if n := c.Hits + c.Misses; n > 0 {
		v.Cache.HitRatio = fmt.Sprintf("%d %% of %d reads", int(math.Round(100*float64(c.Hits)/float64(n))), n)
	}
	for _, a := range st.Accounts {
		v.Accounts = append(v.Accounts, accountView{Name: a.Name, User: a.User, Default: a.Default,
			NeedsSignin: a.NeedsSignin, Today: a.ScrobblesToday})
	}
	return v
}

// buildHealth says how Last.fm answers, from the upstream client's
// figures: a refused key first, then a back-off, then whichever of the
// last success and the last failure is later.
func buildHealth(st api.Status, now time.Time) healthView {
	up := st.Upstream
	h := healthView{LastSuccess: rfcMoment(up.LastSuccess, now), LastFailure: rfcMoment(up.LastFailure, now),
		LastError: up.LastError, Backoff: rfcMoment(up.BackoffUntil, now)}
	lastOK, _ := time.Parse(time.RFC3339Nano, up.LastSuccess)
	lastBad, _ := time.Parse(time.RFC3339Nano, up.LastFailure)
	switch {
	case up.KeyProblem != "":
		h.Level, h.Words = "bad", "Last.fm refuses lastfmd's API key: "+up.KeyProblem
	case !h.Backoff.Never():
		h.Level, h.Words = "warn", "Last.fm asked lastfmd to slow down (error 29): no call until "+h.Backoff.Exact+"."
	case !lastBad.IsZero() && lastBad.After(lastOK):
		h.Level, h.Words = "warn", "Last.fm's last answer was a failure ("+h.LastFailure.Rel+"): "+up.LastError
	case !lastOK.IsZero():
		h.Level, h.Words = "ok", "Last.fm answers: its last answer came "+h.LastSuccess.Rel+"."
	default:
		h.Level, h.Words = "ok", "No call to Last.fm yet."
	}
	lim := st.Limiter
	h.Limiter = fmt.Sprintf("%s calls a second (bursts of %d), %d waiting", strconv.FormatFloat(lim.Rate, 'f', -1, 64), lim.Burst, lim.Waiting)
	skew := time.Duration(up.ClockSkewSeconds) * time.Second
	switch {
	case !up.ClockKnown:
		h.ClockLevel, h.Clock = "ok", "not measured yet (the Date of Last.fm's first answer sets it)"
	case skew.Abs() > 2*time.Minute:
		h.ClockLevel, h.Clock = "bad", fmt.Sprintf("off from Last.fm's by %s: Last.fm ignores scrobbles from the future; synchronise the clock (NTP)", duration(skew.Abs()))
	default:
		h.ClockLevel, h.Clock = "ok", fmt.Sprintf("within %s of Last.fm's", duration(skew.Abs()))
	}
	return h
}

func buildDest(d api.DestinationStatus, accts []api.AccountQueue, now time.Time) destView {
	v := destView{Name: d.Name, Label: destLabel(d.Name), Type: d.Type, Pending: d.Pending, Dead: d.Dead,
		AnswerUnknown: d.AnswerUnknown, LastSuccess: rfcMoment(d.LastSuccess, now), NextAttempt: rfcMoment(d.NextAttempt, now),
		KeyProblem: d.KeyProblem, NotSignedIn: d.NotSignedIn, Lacks: d.Lacks}
	if d.LastFailure != nil {
		v.LastFailure, v.LastError = rfcMoment(d.LastFailure.At, now), d.LastFailure.Error
	}
	for _, a := range accts {
		if a.Destination != d.Name {
			continue
		}
		v.Accounts = append(v.Accounts, laneAccountView{Account: a.Account, Pending: a.Pending, Dead: a.Dead,
			Today: a.ScrobblesToday, Paused: a.Paused, NextAttempt: moment(a.NextAttempt, now),
			LastError: a.LastError, DiskProblem: a.DiskProblem})
	}
	sort.SliceStable(v.Accounts, func(i, j int) bool { return v.Accounts[i].Account < v.Accounts[j].Account })
	return v
}

// outcomeWords is a scrobble's outcome in plain words, naming the
// destination that gave it.
func outcomeWords(r api.RecentScrobble) string {
	who := destLabel(r.Destination)
	switch r.Outcome {
	case "accepted":
		if len(r.Corrected) == 0 {
			return "accepted"
		}
		var parts []string
		for _, f := range slices.Sorted(maps.Keys(r.Corrected)) {
			parts = append(parts, fmt.Sprintf("%s changed %s to \u201c%s\u201d", who, f, r.Corrected[f]))
		}
		return "accepted; " + strings.Join(parts, ", ")
	case "ignored":
		w := "ignored by " + who
		if r.IgnoredMessage != "" {
			w += ": " + r.IgnoredMessage
		}
		if r.IgnoredCode != 0 {
			w += fmt.Sprintf(" (code %d)", r.IgnoredCode)
		}
		return w
	case "skipped":
		return "skipped: " + who + " does not take it"
	case "queued":
		if r.Reason != "" {
			return "queued; the last try failed: " + r.Reason
		}
		return "queued"
	case "dead":
		return "dead letter: " + r.Reason
	case "answer_unknown":
		return "sent, answer unknown: " + who + " may have it"
	case "dropped_maybe_sent":
		return "dropped; " + who + " may have it (a send got no answer)"
	}
	return r.Outcome
}

// buildChart counts the scrobbles Last.fm settled or was given (its lane:
// each play counted once) per hour over the 24 hours before now, by the
// time of their outcome.
func buildChart(recent []api.RecentScrobble, now time.Time) chartView {
	var counts [chartHours]int
	end := now.UTC().Truncate(time.Hour).Add(time.Hour) // the end of the current hour
	start := end.Add(-chartHours * time.Hour)
	c := chartView{}
	for _, r := range recent {
		if r.Destination != "lastfm" || r.At.Before(start) || !r.At.Before(end) {
			continue
		}
		counts[int(r.At.Sub(start)/time.Hour)]++
		c.Total++
	}
	for _, n := range counts {
		c.Max = max(c.Max, n)
	}
	for i, n := range counts {
		h := 0
		if c.Max > 0 {
			h = int(math.Round(float64(chartHeight) * float64(n) / float64(c.Max)))
		}
		if n > 0 && h == 0 {
			h = 1
		}
		from := start.Add(time.Duration(i) * time.Hour)
		c.Bars = append(c.Bars, barView{X: i * chartBarW, Y: chartHeight - h, H: h, Count: n,
			Label: fmt.Sprintf("%s\u2013%s UTC: %s", from.Format("15:04"), from.Add(time.Hour).Format("15:04"), plural(n, "scrobble"))})
	}
	return c
}

func destLabel(name string) string {
	if name == "lastfm" {
		return "Last.fm"
	}
	return name
}

// itemWhat is a dead letter in a few words: "Artist – Track" for a
// scrobble, the method and its target otherwise.
func itemWhat(it api.QueueItem) string {
	p := it.Params
	w := p["artist"]
	if p["track"] != "" {
		w += " \u2013 " + p["track"]
	} else if p["album"] != "" {
		w += " \u2013 " + p["album"]
	}
	if it.Method != signer.MethodScrobble {
		w = it.Method + " " + w
	}
	return strings.TrimSpace(w)
}

func moment(t, now time.Time) timeView {
	if t.IsZero() {
		return timeView{Rel: "never"}
	}
	return timeView{ISO: t.UTC().Format(time.RFC3339), Exact: t.UTC().Format("2006-01-02 15:04:05 UTC"), Rel: relative(t, now)}
}

func rfcMoment(s string, now time.Time) timeView {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return moment(time.Time{}, now)
	}
	return moment(t, now)
}

func unixMoment(ts int64, now time.Time) timeView {
	if ts == 0 {
		return moment(time.Time{}, now)
	}
	return moment(time.Unix(ts, 0), now)
}

// relative is t from now in words: "just now", "3 min ago", "in 2 h",
// "5 days ago" (page.js says the same, as time goes on).
func relative(t, now time.Time) string {
	d := now.Sub(t)
	future := d < 0
	d = d.Abs()
	var w string
	switch {
	case d < 10*time.Second:
		return "just now"
	case d < time.Minute:
		w = fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		w = fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		w = fmt.Sprintf("%d h", int(d/time.Hour))
	default:
		w = fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	if future {
		return "in " + w
	}
	return w + " ago"
}

// duration is an uptime or a skew in words: "3 days 4 h", "2 h 5 min",
// "42 s".
func duration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d days %d h", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return fmt.Sprintf("%d min %d s", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%d s", int(d/time.Second))
}

func bytesWords(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
