package emulator

import (
	"fmt"
	"strings"
	"time"
)

// Service is the scrobble service an emulator plays: Last.fm (the zero value)
// or another server speaking the Last.fm 2.0 API whose rules differ, so that a
// test can run the emulator twice, as Last.fm and as a mirror of it (issue 23).
// Each rule is the emulator's own reading of that service's code, never
// signer's.
//
// The service picks the scrobble age rule and its ignoredMessage codes, the
// form auth.getMobileSession takes, the default API key and secret, the name
// (Request.Service) and what the approval page calls the site. Everything else
// (the checks, the answer shapes, the auth flows) stays Last.fm's: the
// emulator checks key and signature strictly even where the real service is
// lax (Libre.fm accepts any 32-character api_key and api_sig), so that a
// request carrying the other service's credentials is refused (10, 13, 9)
// instead of passing by luck.
type Service int

const (
	// LastFM follows https://www.last.fm/api: scrobbles older than 14 days are
	// ignored with code 3, more than 5 minutes ahead with code 4;
	// auth.getMobileSession takes password or authToken.
	LastFM Service = iota
	// LibreFM follows Libre.fm (GNU FM, https://github.com/foocorp/gnu-fm,
	// nixtape/scrobble-utils.php and nixtape/2.0/index.php): no 14-day
	// window, only timestamps before 1009000000 (2001-12-22) are ignored, and
	// its codes 3 and 4 are the reverse of Last.fm's (3 "Timestamp is too
	// new", more than 300 s ahead; 4 "Timestamp is too old");
	// auth.getMobileSession takes only authToken = md5(lowercase(username) +
	// md5(password)) in lowercase hex. Default key LibreFMAPIKey, secret
	// LibreFMSecret.
	LibreFM
	// ListenBrainz is a ListenBrainz server's native API
	// (metabrainz/listenbrainz-server, webserver/views/api.py and
	// api_tools.py): POST /1/submit-listens and GET /1/validate-token with
	// a user token ([Server.AddUserToken], [Server.NewUserToken]), its
	// checks, JSON answers and rate-limit headers (Options.RateLimit,
	// Options.RateWindow). [Server.URL] is then the root,
	// "http://127.0.0.1:PORT/"; the Last.fm API (/2.0/, the approval page)
	// is not served (404). See listenbrainz.go.
	ListenBrainz
)

// Default credentials of an emulator playing Libre.fm: not Last.fm's, so that
// two emulators in one test never accept each other's requests.
const (
	LibreFMAPIKey = "fedcba9876543210fedcba9876543210"
	LibreFMSecret = "LIBREFM-SECRET"
)

// String returns the service's name, as recorded in Request.Service.
func (v Service) String() string {
	if r, ok := services[v]; ok {
		return r.name
	}
	return fmt.Sprintf("Service(%d)", int(v))
}

// serviceRules is what differs between the services the emulator plays.
type serviceRules struct {
	name        string // default Name
	site        string // what the approval page calls the service
	key, secret string // default credentials
	// age returns the ignoredMessage code of a scrobble at t, 0 when accepted.
	age func(t, now time.Time) int
	// ignored overrides Last.fm's ignoredMessage texts (ignoredMessages).
	ignored map[int]string
	// mobile answers auth.getMobileSession once the request passed the checks.
	mobile func(c *call) ([]*node, *apiError)
	// listenbrainz serves ListenBrainz's native API instead of Last.fm's.
	listenbrainz bool
}

var services = map[Service]serviceRules{
	LastFM: {name: "lastfm", site: "Last.fm", key: DefaultAPIKey, secret: DefaultSecret,
		age: lastfmAge, mobile: lastfmMobileSession},
	LibreFM: {name: "librefm", site: "Libre.fm", key: LibreFMAPIKey, secret: LibreFMSecret,
		age: librefmAge, mobile: librefmMobileSession,
		ignored: map[int]string{3: "Timestamp is too new", 4: "Timestamp is too old"}},
	ListenBrainz: {name: "listenbrainz", site: "ListenBrainz", listenbrainz: true},
}

// lastfmAge is Last.fm's window (https://www.last.fm/api/show/track.scrobble):
// 3 when older than 14 days, 4 when more than 5 minutes ahead.
func lastfmAge(t, now time.Time) int {
	switch {
	case t.Before(now.Add(-maxAge)):
		return 3
	case t.After(now.Add(maxAheadFor)):
		return 4
	}
	return 0
}

// librefmOldest is GNU FM's $timestamp_lowerlimit (ignoreInput in
// nixtape/scrobble-utils.php): 2001-12-22 05:46:40 UTC.
const librefmOldest = 1009000000

// librefmAge is GNU FM's ignoreInput: 3 ("too new") more than 300 s ahead of
// the server's clock, 4 ("too old") before librefmOldest, however recent the
// scrobble is otherwise.
func librefmAge(t, now time.Time) int {
	switch {
	case t.Unix() < librefmOldest:
		return 4
	case t.After(now.Add(maxAheadFor)):
		return 3
	}
	return 0
}

// librefmMobileSession is GNU FM's method_auth_getMobileSession
// (nixtape/2.0/index.php): username and authToken are required (6 without
// them; a password is not read at all), the user is found in any case, and
// authToken must equal md5(lowercase(username) + md5(password)) exactly
// (PHP's md5 is lowercase hex), else 4 "Invalid authentication token supplied".
func librefmMobileSession(c *call) ([]*node, *apiError) {
	tok := c.get("authToken")
	if tok == "" {
		return nil, lfmErr(ErrInvalidParameters)
	}
	u := c.s.userLocked(c.get("username"))
	if u == nil || u.password == "" || tok != md5hex(strings.ToLower(u.name)+md5hex(u.password)) {
		return nil, lfmErrMsg(ErrAuthFailed, "Invalid authentication token supplied")
	}
	return []*node{sessionNode(u, c.s.sessionForLocked(u))}, nil
}

// lacking checks Options.Lacks against the catalog and returns it as a set of
// lowercase method names.
func lacking(names []string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, n := range names {
		if lookupMethod(n) == nil {
			return nil, fmt.Errorf("emulator: Lacks: %q is not a method the emulator knows", n)
		}
		set[strings.ToLower(n)] = true
	}
	return set, nil
}

// ignoredMessage is the text of an ignoredMessage code as the service words it.
func (s *Server) ignoredMessage(code int) string {
	if m, ok := s.rules.ignored[code]; ok {
		return m
	}
	return ignoredMessages[code]
}
