// Package emulator is an in-process Last.fm API emulator for tests and demos
// (`lastfmd demo` runs it, so it is a production package, not a test
// helper). It shares no code with signer/ on purpose: it computes api_sig,
// decodes parameters and renders answers itself, so that a bug in lastfmd's
// Last.fm knowledge shows up as a refused call instead of being agreed with
// (docs/design.md#the-emulator).
//
// It listens on a real loopback socket, checks what Last.fm checks (a known
// api_key, the exact api_sig computed by its own signing code, a valid sk for
// writes, POST for writes, the parameters each method requires), answers in
// Last.fm's XML, JSON and JSONP shapes with Last.fm's codes and HTTP statuses,
// implements the desktop, web and mobile auth flows with an approval page, keeps
// scrobbles, loves and tags per user, can be told to fail ([Server.Fail]), and
// records every request it receives ([Server.Requests]).
//
// Choices where Last.fm's behaviour is not documented: a write sent by GET
// answers error 3 "Invalid Method - This method must be POSTed" (HTTP 400);
// auth.getMobileSession by GET answers 4 "Authentication Failed - You must use
// POST" (403); auth.getToken must be signed like every auth call; method names
// are accepted in any case, signed or not; a parameter sent twice fails the
// signature (13); callback (JSONP) applies only with format=json; format other
// than json|xml (any case) answers 5 in XML. Statuses per code: [ErrorStatus].
// Every artist, album, track, tag and country name exists except those
// containing "Unknown"; users exist once added ([Server.AddUser],
// [Server.NewSession]).
//
// It can also play another service speaking the Last.fm 2.0 API, so that a
// test runs it twice, as Last.fm and as a mirror: Options.Service (Libre.fm's
// age rule, ignored codes and mobile sign-in, and its own default key and
// secret), Options.Lacks (methods the service does not have) and
// Options.LooseScrobbleAnswer and RefuseBatchForm (a Maloja-like server).
// Each emulator keeps its own users, sessions and scrobbles, and records the
// requests it received under its Options.Name (Request.Service).
//
// Or it plays a ListenBrainz server, native API (Options.Service
// ListenBrainz): /1/submit-listens and /1/validate-token with user tokens,
// ListenBrainz's checks and answers, its rate-limit headers, and the same
// faults and request records (listenbrainz.go).
//
// A test typically does:
//
//	em, err := emulator.New(emulator.Options{})
//	...
//	defer em.Close()
//	em.AddUser("rj", "pw", false)
//	sk := em.NewSession("rj")
//	// point the code under test at em.URL(), em.APIKey(), em.Secret(), sk
package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Default credentials of the emulator's one valid API account.
const (
	DefaultAPIKey = "0123456789abcdef0123456789abcdef"
	DefaultSecret = "SECRET"
)

// Options configure a [Server].
type Options struct {
	APIKey, Secret string               // the one valid key and secret (defaults: the Service's, DefaultAPIKey and DefaultSecret for Last.fm)
	Now            func() time.Time     // emulator clock (nil: time.Now); see also [Server.SetClock]
	Addr           string               // listen address (default "127.0.0.1:0")
	Logf           func(string, ...any) // optional request log; never given secrets, keys or passwords
	AppName        string               // application name shown on the approval page (default "lastfmd")
	CallbackURL    string               // web-flow callback used when the approval page gets no cb

	// Service is the service the emulator plays (zero: Last.fm): its scrobble
	// age rule and ignored codes, its auth.getMobileSession form, its default
	// key and secret. See [Service].
	Service Service
	// Name identifies this emulator in Request.Service and its log lines
	// (default: the Service's name, "lastfm" or "librefm"), for a test that
	// runs several: a Maloja-like mirror plays Last.fm with
	// LooseScrobbleAnswer, say, and is still told apart.
	Name string
	// Lacks lists methods the service does not have (any case; each one of
	// [Methods], else New fails). They answer error 3 "Invalid Method - No
	// method with that name in this package" (HTTP 400), as Last.fm answers a
	// method it does not know, after the api_key and format checks: a mirror
	// without track.love (Maloja has neither love nor now playing).
	Lacks []string
	// LooseScrobbleAnswer makes track.scrobble answer with counts only,
	// {"scrobbles":{"@attr":{"accepted":N,"ignored":M}}} (XML: an empty
	// <scrobbles accepted="N" ignored="M">), without per-item entries, as
	// Maloja's Last.fm-compatible endpoint does
	// (https://github.com/krateng/maloja, maloja/apis/audioscrobbler.py,
	// which sends only "ignored":0). The
	// scrobbles are stored as usual; M counts those the age rule or an
	// IgnoreCode fault ignored, 0 otherwise.
	LooseScrobbleAnswer bool
	// RefuseBatchForm makes track.scrobble fail in the indexed form
	// (artist[0], track[0], ...), even holding one item, with error 8
	// "Operation failed" (HTTP 500), storing nothing; the plain form
	// (artist, track, timestamp) works. Maloja's indexed branch calls its
	// scrobble function with the wrong arguments and fails with a bare 500
	// (maloja/apis/audioscrobbler.py); the emulator answers that 500 in the
	// Last.fm shape Maloja gives its other scrobbling failures.
	RefuseBatchForm bool

	// RateLimit and RateWindow are ListenBrainz's rate limit (Service
	// ListenBrainz only): at most RateLimit requests per user token (per
	// client IP without a token) in each window of RateWindow, windows
	// aligned on the emulator clock's Unix seconds as ListenBrainz's
	// limiter aligns them; the request past the limit answers 429. Every
	// answer carries X-RateLimit-Limit, -Remaining, -Reset-In (seconds, from
	// the emulator clock) and -Reset (Unix seconds). Defaults: 100000
	// requests per 10 s, so that a test is limited only when it asks.
	// RateWindow is counted in whole seconds (rounded up).
	RateLimit  int
	RateWindow time.Duration
}

// Server is a running Last.fm emulator. All methods are safe for concurrent use.
type Server struct {
	apiKey, secret string
	appName        string
	callbackURL    string
	logf           func(string, ...any)
	clock          atomic.Pointer[func() time.Time]
	rules          serviceRules    // Options.Service's
	name           string          // Options.Name, defaulted
	lacks          map[string]bool // Options.Lacks, lowercase
	loose          bool            // Options.LooseScrobbleAnswer
	refuseBatch    bool            // Options.RefuseBatchForm
	rateLimit      int             // Options.RateLimit, defaulted
	rateWindow     int64           // Options.RateWindow in seconds, defaulted

	runMu   sync.Mutex // guards addr, srv, running, stopped
	addr    string
	srv     *http.Server
	stopped chan struct{} // closed when the current listener goes down
	closed  bool

	mu          sync.Mutex // guards everything below
	requests    []Request
	faults      []*Fault
	users       map[string]*user
	userOrder   []string
	sessions    map[string]*session
	tokens      map[string]*token
	corrections map[string]string
	seq         int
	lb          lbState // ListenBrainz: tokens, listens, rate windows
}

// New starts an emulator listening on o.Addr (a real socket). It fails on an
// unknown Service or a Lacks entry that is not a method it knows.
func New(o Options) (*Server, error) {
	rules, ok := services[o.Service]
	if !ok {
		return nil, fmt.Errorf("emulator: unknown service %v", o.Service)
	}
	lacks, err := lacking(o.Lacks)
	if err != nil {
		return nil, err
	}
	if rules.listenbrainz && (len(o.Lacks) > 0 || o.LooseScrobbleAnswer || o.RefuseBatchForm) {
		return nil, errors.New("emulator: Lacks, LooseScrobbleAnswer and RefuseBatchForm are Last.fm API options, not ListenBrainz's")
	}
	if o.RateLimit < 0 || o.RateWindow < 0 {
		return nil, errors.New("emulator: negative RateLimit or RateWindow")
	}
	s := &Server{
		apiKey:      o.APIKey,
		secret:      o.Secret,
		appName:     o.AppName,
		callbackURL: o.CallbackURL,
		logf:        o.Logf,
		rules:       rules,
		name:        o.Name,
		lacks:       lacks,
		loose:       o.LooseScrobbleAnswer,
		refuseBatch: o.RefuseBatchForm,
		rateLimit:   o.RateLimit,
		rateWindow:  int64((o.RateWindow + time.Second - 1) / time.Second),
		users:       map[string]*user{},
		sessions:    map[string]*session{},
		tokens:      map[string]*token{},
		corrections: map[string]string{},
	}
	if s.apiKey == "" {
		s.apiKey = rules.key
	}
	if s.secret == "" {
		s.secret = rules.secret
	}
	if s.name == "" {
		s.name = rules.name
	}
	if s.appName == "" {
		s.appName = "lastfmd"
	}
	if s.rateLimit == 0 {
		s.rateLimit = defaultRateLimit
	}
	if s.rateWindow == 0 {
		s.rateWindow = defaultRateWindow
	}
	s.SetClock(o.Now)
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	return s, nil
}

func (s *Server) serve(ln net.Listener) {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.srv = srv
	s.stopped = make(chan struct{})
	go func() { _ = srv.Serve(ln) }()
}

// Handler returns the emulator's HTTP handler (the same one its listener
// serves), for use with httptest or another server.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// APIKey returns the one valid API key.
func (s *Server) APIKey() string { return s.apiKey }

// Secret returns the shared secret of the valid API key.
func (s *Server) Secret() string { return s.secret }

// Name returns the name recorded in each Request.Service (Options.Name).
func (s *Server) Name() string { return s.name }

// Addr returns the listen address, "127.0.0.1:PORT".
func (s *Server) Addr() string {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	return s.addr
}

// URL returns the API root, "http://127.0.0.1:PORT/2.0/"; playing
// ListenBrainz, the root its /1/ paths hang from, "http://127.0.0.1:PORT/".
func (s *Server) URL() string {
	if s.rules.listenbrainz {
		return "http://" + s.Addr() + "/"
	}
	return "http://" + s.Addr() + "/2.0/"
}

// AuthURL returns the approval page, "http://127.0.0.1:PORT/api/auth/".
func (s *Server) AuthURL() string { return "http://" + s.Addr() + "/api/auth/" }

// Stop takes the listener down and closes every open connection (requests in
// flight, delayed ones included, are cut off): an "emulator down" period.
// Connecting then fails with "connection refused". State is kept.
func (s *Server) Stop() error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	close(s.stopped)
	s.srv = nil
	return err
}

// Start brings the listener back up on the same address after [Server.Stop].
func (s *Server) Start() error {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.closed {
		return errors.New("emulator: server closed")
	}
	if s.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	s.serve(ln)
	return nil
}

// Close stops the emulator for good.
func (s *Server) Close() error {
	err := s.Stop()
	s.runMu.Lock()
	s.closed = true
	s.runMu.Unlock()
	return err
}

// stopCh returns a channel closed when the current listener goes down.
func (s *Server) stopCh() <-chan struct{} {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	if s.stopped == nil {
		return nil
	}
	return s.stopped
}

// SetClock replaces the emulator clock (nil: time.Now). It drives token expiry,
// the scrobble timestamp window, now-playing and the Date header.
func (s *Server) SetClock(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.clock.Store(&now)
}

func (s *Server) now() time.Time { return (*s.clock.Load())() }

// SetCorrection makes the emulator correct an artist name: scrobbles, now
// playing and artist.getCorrection answer corrected instead, with corrected="1".
func (s *Server) SetCorrection(artist, corrected string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corrections[strings.ToLower(artist)] = corrected
}

func (s *Server) correctLocked(artist string) (string, bool) {
	if c, ok := s.corrections[strings.ToLower(artist)]; ok && c != artist {
		return c, true
	}
	return artist, false
}

// log writes one line of the request log, prefixed "emulator: " for the
// default Last.fm emulator and "emulator NAME: " for any other, so that two
// emulators logging into one test are told apart.
func (s *Server) log(format string, args ...any) {
	if s.logf == nil {
		return
	}
	prefix := "emulator: "
	if s.name != services[LastFM].name {
		prefix = "emulator " + s.name + ": "
	}
	s.logf(prefix+format, args...)
}

// serveHTTP routes the API root and the approval page.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	w.Header().Set("Server", "openresty")
	if s.rules.listenbrainz {
		s.serveListenBrainz(w, r)
		return
	}
	switch r.URL.Path {
	case "/2.0/", "/2.0":
		s.serveAPI(w, r)
	case "/api/auth/", "/api/auth":
		s.serveAuthPage(w, r)
	default:
		s.record(r, nil, "", "")
		http.NotFound(w, r)
	}
}

// sleep waits d, returning false when the request is cancelled or the emulator
// stops first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.stopCh():
		return false
	}
}
