package signer

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind says what a method does to Last.fm's data, which decides how lastfmd
// sends it: reads may be cached, writes are signed and POSTed, auth calls
// are signed and never cached (https://www.last.fm/api/authspec).
type Kind int

// The kinds of method.
const (
	KindRead  Kind = iota // fetches data; unsigned GET unless it must answer as a user
	KindWrite             // changes a user's data; signed POST with sk
	KindAuth              // auth.*: signed, no sk
)

// String returns "read", "write" or "auth".
func (k Kind) String() string {
	switch k {
	case KindRead:
		return "read"
	case KindWrite:
		return "write"
	case KindAuth:
		return "auth"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Tier is how long an answer may be cached. Last.fm sends no caching headers,
// so the tiers are lastfmd's choice (docs/design.md#cache-tiers); the cache
// maps each tier to a configured TTL.
type Tier int

// The cache tiers, shortest first.
const (
	TierNever  Tier = iota // writes and auth calls
	TierShort              // per-user, fast-changing data (recent tracks, tags)
	TierMedium             // charts, top lists, searches
	TierLong               // catalogue metadata (getInfo, getSimilar, ...)
)

// String returns "never", "short", "medium" or "long".
func (t Tier) String() string {
	switch t {
	case TierNever:
		return "never"
	case TierShort:
		return "short"
	case TierMedium:
		return "medium"
	case TierLong:
		return "long"
	}
	return "Tier(" + strconv.Itoa(int(t)) + ")"
}

// Method is one catalog entry: what lastfmd knows about a Last.fm method.
type Method struct {
	Name    string // canonical camelCase, e.g. "track.updateNowPlaying"
	Verb    string // "GET" or "POST" as Last.fm documents it
	Signed  bool   // needs api_sig
	Session bool   // needs sk
	Kind    Kind
	Tier    Tier // base cache tier; see TierFor for per-parameter overrides

	// AuthUserDefault: answers for the authenticated user when `user` is
	// missing (user.getInfo, album.getTags, artist.getTags, track.getTags),
	// so such a call must be signed with sk and cached per account.
	AuthUserDefault bool

	// Idempotent: a write safe to replay (track.love, track.unlove,
	// *.addTags, *.removeTag) and so safe to journal. track.scrobble and
	// track.updateNowPlaying are not.
	Idempotent bool

	// Required lists the parameters Last.fm requires, in their single-item
	// form (track.scrobble's artist means artist[i] for every item of a
	// batch). api_key, api_sig and sk are not listed: lastfmd adds them.
	required []string

	// MBIDReplaces: an `mbid` parameter may stand in for all of Required
	// (the getInfo, getTags, getTopTags, getSimilar, getTop* pages list
	// artist/album/track as "Required (unless mbid)").
	MBIDReplaces bool

	// Batch: the method takes indexed items name[0]..name[49]
	// (track.scrobble only). lastfmd journals every call of it and sends
	// it in batches from the journal.
	Batch bool

	// Caller is the column of the reliability table (Policy) that
	// applies to the method's calls.
	Caller Caller

	// Journal says when a call is journalled: never, always (scrobbles)
	// or when Last.fm cannot be reached (the idempotent writes).
	Journal Journalling

	// Facet is what an idempotent write changes on its target ("love"
	// for love and unlove, "tags" for addTags and removeTag): two writes
	// of one facet on one target keep their order (WriteTarget).
	Facet string

	// Stale lists the cached reads a successful call makes stale for the
	// account's Last.fm user.
	Stale []Stale

	// MobileSignIn: auth.getMobileSession, the one sign-in lastfmd runs
	// for a drop-in client on /2.0/ (it has the password; the desktop
	// flow's approval page would carry the client's own key).
	MobileSignIn bool

	// Mirror says what reaches a mirror (another service speaking the
	// Last.fm 2.0 API) of a call: nothing (reads, tags, sign-in), the
	// call journalled on the mirror's lane (scrobbles, love, unlove), or
	// one try (now playing). docs/mirrors.md#what-is-mirrored.
	Mirror Mirroring
}

// Mirroring says what reaches a mirror of a call (Method.Mirror).
type Mirroring int

// What reaches a mirror.
const (
	MirrorNever   Mirroring = iota // reads, tags, sign-in
	MirrorJournal                  // scrobbles, love, unlove: on the mirror's journal lane
	MirrorOnce                     // now playing: one try, never journalled
)

// Journalling says when lastfmd journals a write (docs/design.md#reliability-rules).
type Journalling int

// When a call is journalled.
const (
	JournalNever           Journalling = iota // reads, auth, now playing
	JournalAlways                             // track.scrobble: journalled before it is answered
	JournalWhenUnreachable                    // love, unlove, tags: journalled when Last.fm cannot be reached
)

// Stale names a read whose cached answers a write makes stale: those of
// Method whose parameter Param names the account's user (for
// track.love: user.getLovedTracks with user=…, track.getInfo with
// username=…).
type Stale struct {
	Method, Param string
}

// MethodScrobble is track.scrobble, the one batched method: the journal's
// items are scrobbles or the idempotent writes.
const MethodScrobble = "track.scrobble"

// MaxTags is how many comma-separated tags *.addTags accepts in one call
// (https://www.last.fm/api/show/track.addTags).
const MaxTags = 10

// Method packages whose calls lastfmd treats alike, known or not
// (PackageOf).
const (
	// PackageAuth holds the sign-in calls: lastfmd chooses every
	// parameter of them, so a 13 there blames the secret, and an unknown
	// one is refused rather than forwarded.
	PackageAuth = "auth"
	// PackageUser holds the reads about one user, whose answers name the
	// user they are about.
	PackageUser = "user"
)

// PackageOf returns a method name's package (before the dot), in lower
// case: "auth" for auth.getToken or AUTH.whatever.
func PackageOf(method string) string {
	pkg, _, _ := strings.Cut(method, ".")
	return asciiLower(pkg)
}

// MethodNames returns every catalog name, in the catalog's order.
func MethodNames() []string {
	names := make([]string, len(catalog))
	for i, m := range catalog {
		names[i] = m.Name
	}
	return names
}

// byLowerName indexes the catalog by ASCII-lowercased name.
var byLowerName = func() map[string]int {
	m := make(map[string]int, len(catalog))
	for i, meth := range catalog {
		m[asciiLower(meth.Name)] = i
	}
	return m
}()

// asciiLower lowercases ASCII letters only, so that no Unicode case folding
// (the Kelvin sign, for one) can turn a strange name into a catalog method.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Lookup finds a method case-insensitively ("TRACK.LOVE", "auth.getsession")
// and returns the catalog entry with the canonical spelling. Last.fm matches
// read names in any case, but one report says signed calls need the
// documented camelCase, so lastfmd always sends the catalog's spelling.
func Lookup(name string) (Method, bool) {
	// Every request looks its method up: lowercase into a stack buffer,
	// and index the map with string(b), which Go does without allocating.
	var buf [64]byte
	if len(name) > len(buf) {
		return Method{}, false // no catalog name is that long
	}
	b := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	i, ok := byLowerName[string(b)]
	if !ok {
		return Method{}, false
	}
	return catalog[i], true // a copy: its one reference, required, is unexported
}

// MaxMethodName bounds a method name; the longest in the catalog is far
// shorter.
const MaxMethodName = 64

// IsMethodName reports whether name has the shape of a Last.fm method name,
// known or not: package.method, one dot, ASCII letters, digits and '_', at
// most MaxMethodName bytes. Anything else is no method Last.fm could have.
func IsMethodName(name string) bool {
	dot := strings.IndexByte(name, '.')
	if dot <= 0 || dot == len(name)-1 || len(name) > MaxMethodName || strings.Count(name, ".") != 1 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '.' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// Required lists the parameters Last.fm requires, in their single-item
// form (a copy: the catalog cannot be changed through it).
func (m Method) Required() []string { return slices.Clone(m.required) }

// Methods returns the whole catalog sorted by name (for completion and docs).
func Methods() []Method {
	out := make([]Method, len(catalog))
	copy(out, catalog[:])
	slices.SortFunc(out, func(a, b Method) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// TierFor applies the per-parameter overrides of docs/design.md#cache-tiers
// to the base tier:
//   - album|artist|track.getInfo with a non-empty `username` is TierShort,
//     because the answer then carries that user's playcount and loved flag
//     (https://www.last.fm/api/show/track.getInfo);
//   - user.getWeeklyAlbumChart|ArtistChart|TrackChart with explicit `from`
//     AND `to` (unix seconds) where `to` is before now is TierLong: a chart
//     for a week that has ended no longer changes
//     (https://www.last.fm/api/show/user.getWeeklyArtistChart);
//   - otherwise m.Tier.
func (m Method) TierFor(params map[string]string, now time.Time) Tier {
	switch m.Name {
	case "album.getInfo", "artist.getInfo", "track.getInfo":
		if params["username"] != "" {
			return TierShort
		}
	case "user.getWeeklyAlbumChart", "user.getWeeklyArtistChart", "user.getWeeklyTrackChart":
		_, errFrom := strconv.ParseInt(params["from"], 10, 64)
		to, errTo := strconv.ParseInt(params["to"], 10, 64)
		if errFrom == nil && errTo == nil && to < now.Unix() {
			return TierLong
		}
	}
	return m.Tier
}

// Missing returns the required parameters params lacks, in Required order,
// for a method to refuse before Last.fm does with error 6. For a batch
// method each item is checked (SplitScrobbles): a batch of n items needs
// artist[0] .. artist[n-1]; a single item uses the plain names
// (https://www.last.fm/api/show/track.scrobble). When MBIDReplaces is set, a
// non-empty mbid satisfies everything. It assumes params came out of
// Canonicalize (no empty values) and reports nothing for a batch that
// SplitScrobbles refuses; check that first.
func (m Method) Missing(params map[string]string) []string {
	if m.MBIDReplaces && params["mbid"] != "" {
		return nil
	}
	if !m.Batch {
		var missing []string
		for _, name := range m.required {
			if params[name] == "" {
				missing = append(missing, name)
			}
		}
		return missing
	}
	items, err := SplitScrobbles(params)
	if err != nil {
		return nil
	}
	batch := batchForm(params)
	var missing []string
	for i, it := range items {
		for _, name := range m.required {
			if it[name] != "" {
				continue
			}
			if batch {
				name += "[" + strconv.Itoa(i) + "]"
			}
			missing = append(missing, name)
		}
	}
	return missing
}
