// Package httpapi is lastfmd's HTTP transport: routes, the security guard,
// request parsing and answer rendering. It is the only package that imports
// echo, so a move to echo v5 touches nothing else.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/proxy"
	"github.com/lastfmd/lastfmd/daemon/redact"
	"github.com/lastfmd/lastfmd/signer"
)

// Options wires the transport.
type Options struct {
	Proxy        *proxy.Proxy
	AllowedHosts []string
	Token        string // listener token; "" = none required
	Log          *slog.Logger
	// Ready reports whether the daemon can serve (config loaded, journal
	// open, listener up); never whether Last.fm is reachable.
	Ready func() error
	// Status returns the /v1/status document.
	Status func() api.Status
	// Registry receives the HTTP metrics; /metrics serves it.
	Registry *prometheus.Registry
	// Timeouts bound each connection; zero fields take DefaultTimeouts.
	Timeouts Timeouts
	// Redact masks known secret values (API secret, session keys, listener
	// token) in everything this server says itself: error messages,
	// /v1/status, the queue and its export. Last.fm's answers are masked
	// where they enter (upstream), by the same Redactor.
	Redact *redact.Redactor
	// Now is the daemon's clock (nil: time.Now). A request's arrival is read
	// from it once and serves both the metrics and the freshness of a cache
	// hit.
	Now func() time.Time
}

// Timeouts are the server's connection timeouts: a slow or stalled client
// cannot hold a connection, or the daemon, forever.
type Timeouts struct {
	ReadHeader time.Duration // from a request's first byte to its last header
	Read       time.Duration // headers and body
	Write      time.Duration // from the end of the headers to the end of the answer
	Idle       time.Duration // between requests on a kept-alive connection
}

// DefaultTimeouts: a request (headers and a body of at most 4 MiB, over
// loopback) has 30 s; an answer has 3 minutes, long enough for a caller
// waiting out the limiter queue and a retried upstream call.
var DefaultTimeouts = Timeouts{ReadHeader: readTimeout, Read: readTimeout, Write: 3 * time.Minute, Idle: 2 * time.Minute}

func (t Timeouts) orDefaults() Timeouts {
	or := func(v, def time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return def
	}
	d := DefaultTimeouts
	return Timeouts{or(t.ReadHeader, d.ReadHeader), or(t.Read, d.Read), or(t.Write, d.Write), or(t.Idle, d.Idle)}
}

// Server is the HTTP API.
type Server struct {
	e       *echo.Echo
	proxy   *proxy.Proxy
	log     *slog.Logger
	guard   *guard
	opts    Options
	metrics *httpMetrics
	memo    *keyMemo
	page    *page            // the page at / (HandlePage), nil until served
	now     func() time.Time // opts.Now, or time.Now
}

// New builds the routes.
func New(o Options) *Server {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Ready == nil {
		o.Ready = func() error { return nil }
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{e: e, proxy: o.Proxy, log: o.Log, guard: newGuard(o.AllowedHosts, o.Token), opts: o, memo: newKeyMemo(4096), now: o.Now}
	s.metrics = newHTTPMetrics(o.Registry)
	e.HTTPErrorHandler = s.handleError

	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{})))
	e.GET("/v1/status", s.status)
	e.GET("/v1/:method", s.v1)
	e.POST("/v1/:method", s.v1)
	for _, p := range []string{"/2.0", "/2.0/"} {
		e.GET(p, s.dropIn)
		e.POST(p, s.dropIn)
	}
	e.RouteNotFound("/*", func(c echo.Context) error {
		return apperr.New(apperr.NotFound, signer.ErrInvalidMethod, "no such endpoint: use /v1/{method} or the Last.fm-compatible /2.0/")
	})
	return s
}

// Handler is the root HTTP handler.
func (s *Server) Handler() http.Handler { return s }

// ServeHTTP is every request's way in: the security guard runs here,
// before echo routes anything, so unknown paths and wrong verbs are guarded
// too and no route added later can escape it. Recovery and the request
// metrics wrap it all. (Done outside echo's middleware chain, which echo
// rebuilds with fresh closures on every request.)
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	sw := statusWriters.Get().(*statusWriter)
	sw.ResponseWriter, sw.status = w, 0
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic while handling a request", "path", r.URL.Path, "panic", v)
			if sw.status == 0 {
				_ = writeError(sw, formatFor(r), &apperr.Error{Kind: apperr.Internal, Code: signer.ErrOperationFailed, Message: "internal error"})
			}
		}
		took := s.now().Sub(start)
		s.metrics.observe(route(r.URL.Path), sw.code(), took)
		s.logRequest(r, sw.code(), took)
		sw.ResponseWriter = nil
		statusWriters.Put(sw)
	}()
	if err := s.guard.check(sw, r); err != nil {
		ae := s.cleanError(apperr.As(err))
		if s.page != nil && s.page.locked(sw, r, ae) { // the page without the token: how to get in
			return
		}
		_ = writeError(sw, formatFor(r), ae)
		return
	}
	if s.fromMemo(sw, r, start) {
		return
	}
	s.e.ServeHTTP(sw, r)
}

// statusWriter remembers the status for the metrics; pooled, so the hot
// path allocates nothing for it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

var statusWriters = sync.Pool{New: func() any { return new(statusWriter) }}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Echo exposes the router to sibling transports (sign-in pages) that add
// routes behind the same guard.
func (s *Server) Echo() *echo.Echo { return s.e }

// SetExempt installs the guard's exemption (the browser sign-in callback).
func (s *Server) SetExempt(f func(*http.Request) bool) { s.guard.exempt = f }

// readTimeout bounds reading one request, headers and body.
const readTimeout = 30 * time.Second

// Serve runs the server on ln until ctx is done, then drains in-flight
// requests for at most drain.
func (s *Server) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	t := s.opts.Timeouts.orDefaults()
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	err := hs.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		hs.Close()
	}
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
		return e
	}
	return nil
}

func (s *Server) readyz(c echo.Context) error {
	if err := s.opts.Ready(); err != nil {
		return c.String(http.StatusServiceUnavailable, "not ready: "+err.Error()+"\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

func (s *Server) status(c echo.Context) error {
	if s.opts.Status == nil {
		return c.JSON(http.StatusOK, map[string]any{})
	}
	return s.cleanJSON(c, s.opts.Status())
}

// handleError renders any error in the shape the route's clients expect.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var he *echo.HTTPError
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &he):
		ae = fromEcho(he)
	default:
		ae = apperr.As(err)
	}
	switch {
	case ae.Kind == apperr.Internal:
		s.log.Error("internal error", "path", c.Request().URL.Path, "err", ae.Err)
	case clientGone(c.Request()):
		// Whatever stopped the call, it was the client leaving, not
		// Last.fm: nothing to warn about, and nobody reads the answer.
		s.log.Debug("client hung up before the answer", "route", route(c.Request().URL.Path), "err", ae.Error())
		ae = &apperr.Error{Kind: apperr.ClientGone, Code: signer.ErrServiceOffline, Message: "the client hung up before the answer"}
	case ae.Kind == apperr.Timeout || ae.Kind == apperr.BadGateway:
		// Last.fm's trouble, not lastfmd's: worth a warning, not an error.
		s.log.Warn("no usable answer from Last.fm", "route", route(c.Request().URL.Path), "err", ae.Error())
	}
	ae = s.cleanError(ae)
	f, ok := c.Get(formatKey).(answerFormat)
	if !ok {
		f = formatFor(c.Request())
	}
	_ = writeError(c.Response(), f, ae)
}

// clientGone reports a request whose client hung up: net/http cancels its
// context when the connection closes. A deadline (lastfmd's own timeout)
// is not that: it ends a call Last.fm was too slow for.
func clientGone(r *http.Request) bool {
	return errors.Is(r.Context().Err(), context.Canceled)
}

func fromEcho(he *echo.HTTPError) *apperr.Error {
	switch he.Code {
	case http.StatusNotFound:
		return apperr.New(apperr.NotFound, signer.ErrInvalidMethod, "no such endpoint")
	case http.StatusMethodNotAllowed:
		return apperr.New(apperr.MethodNotAllowed, signer.ErrInvalidMethod, "method not allowed on this endpoint")
	case http.StatusRequestEntityTooLarge:
		return apperr.New(apperr.TooLarge, signer.ErrInvalidParams, "request body too large")
	}
	if he.Code >= 400 && he.Code < 500 {
		return &apperr.Error{Kind: apperr.Invalid, Code: signer.ErrInvalidParams, Message: http.StatusText(he.Code), Status: he.Code}
	}
	return &apperr.Error{Kind: apperr.Internal, Code: signer.ErrOperationFailed, Message: "internal error", Err: he}
}

// formatFor decides how an error on this request is rendered, from the path
// and the raw query (the body may be what failed to parse).
func formatFor(r *http.Request) answerFormat {
	p := r.URL.Path
	if p != "/2.0" && !strings.HasPrefix(p, "/2.0/") {
		return answerFormat{json: true}
	}
	q := r.URL.Query()
	return answerFormat{dropIn: true, json: strings.EqualFold(q.Get("format"), "json"), callback: jsonpCallback(q.Get("format"), q.Get("callback"))}
}
