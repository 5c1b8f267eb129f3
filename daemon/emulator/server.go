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
	APIKey, Secret string               // the one valid key and secret (defaults DefaultAPIKey, DefaultSecret)
	Now            func() time.Time     // emulator clock (nil: time.Now)
	Addr           string               // listen address (default "127.0.0.1:0")
	Logf           func(string, ...any) // optional request log; never given secrets, keys or passwords
	AppName        string               // application name shown on the approval page (default "lastfmd")
	CallbackURL    string               // web-flow callback used when the approval page gets no cb
}

// Server is a running Last.fm emulator. All methods are safe for concurrent use.
type Server struct {
	apiKey, secret string
	appName        string
	callbackURL    string
	logf           func(string, ...any)
	clock          atomic.Pointer[func() time.Time]

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
}

// New starts an emulator listening on o.Addr (a real socket).
func New(o Options) (*Server, error) {
	s := &Server{
		apiKey:      o.APIKey,
		secret:      o.Secret,
		appName:     o.AppName,
		callbackURL: o.CallbackURL,
		logf:        o.Logf,
		users:       map[string]*user{},
		sessions:    map[string]*session{},
		tokens:      map[string]*token{},
		corrections: map[string]string{},
	}
	if s.apiKey == "" {
		s.apiKey = DefaultAPIKey
	}
	if s.secret == "" {
		s.secret = DefaultSecret
	}
	if s.appName == "" {
		s.appName = "lastfmd"
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

// Addr returns the listen address, "127.0.0.1:PORT".
func (s *Server) Addr() string {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	return s.addr
}

// URL returns the API root, "http://127.0.0.1:PORT/2.0/".
func (s *Server) URL() string { return "http://" + s.Addr() + "/2.0/" }

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

func (s *Server) log(format string, args ...any) {
	if s.logf != nil {
		s.logf(format, args...)
	}
}

// serveHTTP routes the API root and the approval page.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	w.Header().Set("Server", "openresty")
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
