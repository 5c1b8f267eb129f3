package emulator

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
)

// Scrobble is one accepted scrobble (or the now-playing track) of a user.
type Scrobble struct {
	Artist, Track, Album, AlbumArtist string
	Timestamp                         int64 // unix seconds; 0 for now playing
}

// user is one Last.fm account of the emulator.
type user struct {
	name       string
	password   string
	private    bool
	registered time.Time
	scrobbles  []Scrobble
	nowPlaying *Scrobble
	loved      []lovedTrack
	tags       map[string]*tagEntry // by lowercase key, see tagKey
	tagOrder   []string
}

type lovedTrack struct {
	artist, track string
	at            time.Time
}

// tagEntry holds one user's tags on one artist, album or track.
type tagEntry struct {
	kind   string // "artist", "album" or "track"
	artist string
	name   string // album or track title; "" for artists
	tags   []string
}

// display is the key of [Server.Tags].
func (e *tagEntry) display() string {
	if e.kind == "artist" {
		return "artist:" + e.artist
	}
	return e.kind + ":" + e.artist + " - " + e.name
}

func tagKey(kind, artist, name string) string {
	return strings.ToLower(kind + "\x00" + artist + "\x00" + name)
}

// session is one issued session key.
type session struct {
	user    string // lowercase user name
	revoked bool
	seq     int
}

// token is one auth token (desktop or web flow).
type token struct {
	issued   time.Time
	user     string // lowercase user name once approved
	consumed bool
}

// registeredAt is every user's registration time (fixed, so answers are stable).
var registeredAt = time.Date(2012, time.March, 4, 5, 6, 0, 0, time.UTC)

// tokenTTL is how long an auth token stays valid (https://www.last.fm/api/desktopauth).
const tokenTTL = 60 * time.Minute

// randomKey returns a 32-character key of the shape Last.fm uses for tokens and
// session keys: mixed case letters, digits, '_' and '-'.
func randomKey() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err)
	}
	out := make([]byte, 32)
	for i, c := range raw {
		out[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(out)
}

// AddUser adds (or updates) an account. User names are case-insensitive;
// answers spell them as first added. A private account hides its listening:
// an unsigned user.getRecentTracks or user.getTrackScrobbles for it answers
// HTTP 403 with error 17, while the same call signed with its own sk answers data.
func (s *Server) AddUser(name, password string, private bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.addUserLocked(name)
	u.password = password
	u.private = private
}

func (s *Server) addUserLocked(name string) *user {
	k := strings.ToLower(name)
	if u, ok := s.users[k]; ok {
		return u
	}
	u := &user{name: name, registered: registeredAt, tags: map[string]*tagEntry{}}
	s.users[k] = u
	s.userOrder = append(s.userOrder, k)
	return u
}

func (s *Server) userLocked(name string) *user {
	if name == "" {
		return nil
	}
	return s.users[strings.ToLower(name)]
}

// NewSession issues a new 32-character session key for user (added, without a
// password, if unknown) and returns it.
func (s *Server) NewSession(userName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.addUserLocked(userName)
	return s.mintSessionLocked(u)
}

func (s *Server) mintSessionLocked(u *user) string {
	sk := randomKey()
	s.seq++
	s.sessions[sk] = &session{user: strings.ToLower(u.name), seq: s.seq}
	return sk
}

// sessionForLocked returns the user's newest live session key, minting one if
// there is none (what auth.getSession and auth.getMobileSession hand out).
func (s *Server) sessionForLocked(u *user) string {
	best, bestSeq := "", -1
	for sk, se := range s.sessions {
		if se.user == strings.ToLower(u.name) && !se.revoked && se.seq > bestSeq {
			best, bestSeq = sk, se.seq
		}
	}
	if best != "" {
		return best
	}
	return s.mintSessionLocked(u)
}

// RevokeSession revokes a session key, as a user removing the application in
// their settings would; later calls carrying it answer error 9.
func (s *Server) RevokeSession(sk string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if se, ok := s.sessions[sk]; ok {
		se.revoked = true
	}
}

// SessionUser returns the user name a live session key belongs to.
func (s *Server) SessionUser(sk string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.sessionUserLocked(sk)
	if u == nil {
		return "", false
	}
	return u.name, true
}

func (s *Server) sessionUserLocked(sk string) *user {
	se, ok := s.sessions[sk]
	if !ok || se.revoked {
		return nil
	}
	return s.users[se.user]
}

func (s *Server) newTokenLocked() string {
	t := randomKey()
	s.tokens[t] = &token{issued: s.now()}
	return t
}

// ApproveToken approves token for user, which is what the approval page does
// when the user presses "Allow access".
func (s *Server) ApproveToken(tok, userName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.approveLocked(tok, userName)
}

func (s *Server) approveLocked(tok, userName string) error {
	t, ok := s.tokens[tok]
	if !ok || t.consumed {
		return fmt.Errorf("emulator: token not issued")
	}
	if !s.now().Before(t.issued.Add(tokenTTL)) {
		return fmt.Errorf("emulator: token expired")
	}
	u := s.userLocked(userName)
	if u == nil {
		return fmt.Errorf("emulator: unknown user %q", userName)
	}
	t.user = strings.ToLower(u.name)
	return nil
}

// Scrobbles returns the user's accepted scrobbles in the order received.
func (s *Server) Scrobbles(userName string) []Scrobble {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(userName)
	if u == nil {
		return nil
	}
	return append([]Scrobble(nil), u.scrobbles...)
}

// Loved returns the user's loved tracks as "artist - track", oldest first.
func (s *Server) Loved(userName string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(userName)
	if u == nil {
		return nil
	}
	out := make([]string, 0, len(u.loved))
	for _, l := range u.loved {
		out = append(out, l.artist+" - "+l.track)
	}
	return out
}

// Tags returns the user's tags, keyed "artist:ARTIST", "album:ARTIST - ALBUM" or
// "track:ARTIST - TRACK" (names as first tagged), tags lowercased in the order added.
func (s *Server) Tags(userName string) map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	u := s.userLocked(userName)
	if u == nil {
		return out
	}
	for _, k := range u.tagOrder {
		e := u.tags[k]
		if len(e.tags) > 0 {
			out[e.display()] = append([]string(nil), e.tags...)
		}
	}
	return out
}

// NowPlaying returns the user's now-playing track, or nil.
func (s *Server) NowPlaying(userName string) *Scrobble {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userLocked(userName)
	if u == nil || u.nowPlaying == nil {
		return nil
	}
	np := *u.nowPlaying
	return &np
}
