// Package daemon wires lastfmd together: configuration, the session store,
// the upstream client and its limiter, the cache, the request proxy and
// the HTTP transport. Main is what `lastfmd run` and `lastfmd demo` start
// and what end-to-end tests start in-process, so they exercise exactly the
// daemon users run.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/lastfmd/lastfmd/cache"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/httpapi"
	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/daemon/proxy"
	"github.com/lastfmd/lastfmd/daemon/redact"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// Version is set at build time (-ldflags "-X .../daemon.Version=1.2.3").
var Version = "dev"

// ProjectURL goes into the User-Agent, as Last.fm asks
// (https://www.last.fm/api/intro: "use an identifiable User-Agent").
const ProjectURL = "https://github.com/lastfmd/lastfmd"

// UserAgent is sent with every upstream call.
func UserAgent() string { return "lastfmd/" + Version + " (+" + ProjectURL + ")" }

// DefaultDrainTimeout is how long a stopping daemon waits for requests in
// flight. It must stay well under the units' TimeoutStopSec= (30 s), so
// that systemd never kills a daemon that is still draining.
const DefaultDrainTimeout = 10 * time.Second

// Main is one running daemon.
type Main struct {
	Config *config.Config
	Log    *slog.Logger
	// Now is the clock every part reads (nil: time.Now). A test injects a
	// fake one; it changes nothing but the time the parts see.
	Now func() time.Time
	// Listener, when set, is used instead of opening Config.Listen
	// (socket activation, tests).
	Listener net.Listener
	// LogLevel is the level NewLogger returned with Log; Reload (SIGHUP)
	// changes it in place. nil: the level cannot change while running.
	LogLevel *slog.LevelVar
	// Tuning shortens the daemon's waits (tuning.go). The zero value is
	// production's waits: `lastfmd run` and `lastfmd demo` leave it so;
	// tests set it through daemontest.
	Tuning Tuning

	Accounts *accounts.Store
	Upstream *upstream.Client
	// Mirrors are each [[mirror]]'s own client (its key, secret and
	// limiter), by name: the journal's lanes and the sign-ins share them.
	Mirrors map[string]*upstream.Client
	// ListenBrainz are each [[mirror]] of type "listenbrainz"'s client,
	// by name.
	ListenBrainz map[string]*listenbrainz.Client
	Cache        *cache.Cache
	Proxy        *proxy.Proxy
	HTTP         *httpapi.Server
	Registry     *prometheus.Registry
	// Redactor scrubs secrets from every log line (see package redact).
	Redactor *redact.Redactor

	// Auth runs the sign-in flows (/auth/ pages, /v1/auth/ endpoints).
	Auth *authflow.Flows
	// Journal keeps scrobbles until Last.fm answered (wire_journal.go).
	Journal *journal.Journal

	started time.Time
	ready   atomic.Bool
	ln      net.Listener
	health  healthChecks // AddHealthCheck (health.go)
	pidFile string       // state_dir/lastfmd.pid while this daemon runs (pidfile.go)
	pidOnce sync.Once
}

// Open builds every part and starts listening; Run then serves.
func (m *Main) Open() error {
	cfg := m.Config
	if m.Now == nil {
		m.Now = time.Now
	}
	m.started = m.Now()
	// Every log line passes through the redactor (nil Log: nowhere): the
	// configured secrets, and the session keys of the accounts as they
	// come and go. The parts are built by the constructors the command
	// line uses too (parts.go).
	m.Redactor = NewRedactor(cfg)
	m.Log = RedactLog(m.Log, m.Redactor)
	if err := CheckConfig(cfg); err != nil { // checkconfig.go: config check's verdict
		return err
	}
	store, err := OpenAccounts(cfg, m.Redactor, m.Log)
	if err != nil {
		return err
	}
	m.Accounts = store
	up, err := NewUpstream(cfg, m.Redactor, m.Now, m.Tuning)
	if err != nil {
		return err
	}
	m.Upstream = up
	if m.Mirrors, err = NewMirrorUpstreams(cfg, m.Redactor, m.Now, m.Tuning); err != nil {
		return err
	}
	if m.ListenBrainz, err = NewListenBrainzClients(cfg, m.Redactor, m.Now, m.Tuning); err != nil {
		return err
	}
	if err := m.openJournal(); err != nil { // wire_journal.go
		return err
	}
	if err := m.openAuth(); err != nil {
		return err
	}
	m.Cache = cache.New(cache.Options{
		MaxBytes:     int64(cfg.Cache.MaxBytes),
		StaleIfError: cfg.Cache.StaleIfError.Duration,
		Now:          m.Now,
	})
	m.Proxy = proxy.New(proxy.Options{
		Upstream: up,
		Accounts: store,
		Cache:    m.Cache,
		TTLs: proxy.TTLs{
			Short:  cfg.Cache.ShortTTL.Duration,
			Medium: cfg.Cache.MediumTTL.Duration,
			Long:   cfg.Cache.LongTTL.Duration,
		},
		SignUnknown: cfg.LastFM.SignUnknownMethods,
		MaxRetries:  cfg.LastFM.MaxRetries,
		Timeout:     cfg.LastFM.Timeout.Duration,
		Log:         m.Log,
		Now:         m.Now,
		Journal:     m.Journal,
		MaxAge:      cfg.Scrobble.MaxAge.Duration,
		RetryBase:   m.Tuning.RetryBase,
		SignIn:      m.Auth,
	})
	m.Registry = prometheus.NewRegistry()
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerMetrics(m.Registry, m)
	m.HTTP = httpapi.New(httpapi.Options{
		Proxy:        m.Proxy,
		AllowedHosts: cfg.Security.AllowedHosts,
		Token:        cfg.Security.Token.Reveal(),
		Log:          m.Log,
		Ready:        m.readyErr,
		Status:       m.Status,
		Registry:     m.Registry,
		Redact:       m.Redactor,
		Now:          m.Now,
	})
	m.mountAuth()
	if err := m.listen(); err != nil {
		return err
	}
	m.writePIDFile() // pidfile.go
	m.mountPage()    // wire_page.go
	m.startJournal()
	m.ready.Store(true)
	return nil
}

// listen opens the configured listener, or takes the one passed; the
// listen rule (listeners.go) was checked on the configured address by
// CheckConfig, and is checked here on a passed one.
func (m *Main) listen() error {
	cfg := m.Config
	if m.Listener != nil {
		m.ln = m.Listener
		return checkPassedListener(m.ln, cfg.Security.Token.IsSet()) // listeners.go
	}
	network, addr := cfg.ListenNetwork()
	if network == "unix" {
		if err := os.MkdirAll(filepath.Dir(addr), 0o755); err != nil {
			return fmt.Errorf("listen %s: %w", cfg.Listen, err)
		}
		if st, err := os.Lstat(addr); err == nil && st.Mode()&os.ModeSocket != 0 {
			// A stale socket from a previous run; if a daemon still
			// answers there, refuse instead of stealing its address.
			if c, err := net.DialTimeout("unix", addr, time.Second); err == nil {
				c.Close()
				return fmt.Errorf("listen %s: another lastfmd is already listening there", cfg.Listen)
			}
			os.Remove(addr)
		}
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		if errors.Is(err, syscallEADDRINUSE) {
			return fmt.Errorf("listen %s: the address is in use (is lastfmd already running? try `lastfmd status`)", cfg.Listen)
		}
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	if network == "unix" {
		// Group-writable so the lastfmd group's members can connect; the
		// socket's mode is what guards it.
		if err := os.Chmod(addr, 0o660); err != nil {
			ln.Close()
			return fmt.Errorf("listen %s: %w", cfg.Listen, err)
		}
	}
	m.ln = ln
	return nil
}

// Addr is the address the daemon listens on.
func (m *Main) Addr() net.Addr { return m.ln.Addr() }

// URL is the base URL of a TCP listener, e.g. http://127.0.0.1:7375.
func (m *Main) URL() string {
	if tcp, ok := m.ln.Addr().(*net.TCPAddr); ok {
		return "http://" + tcp.String()
	}
	return "http://localhost"
}

// Run serves until ctx is done, then shuts down gracefully.
func (m *Main) Run(ctx context.Context) error {
	m.Log.Info("lastfmd listening", "addr", m.ln.Addr().String(), "version", Version, "upstream", m.Config.LastFM.Upstream)
	err := m.HTTP.Serve(ctx, m.ln, DefaultDrainTimeout)
	m.ready.Store(false)
	m.closeJournal() // after the HTTP drain: senders finish their batch, then the file closes
	m.removePIDFile()
	return err
}

// Close releases what Open acquired (Run's shutdown closes the listener).
func (m *Main) Close() error {
	m.ready.Store(false)
	if m.Auth != nil {
		m.Auth.Close()
	}
	if m.ln != nil {
		m.ln.Close()
	}
	m.closeJournal()
	m.removePIDFile()
	return nil
}

func (m *Main) readyErr() error {
	if !m.ready.Load() {
		return errors.New("starting or stopping")
	}
	return m.health.err()
}

func lookupMethod(name string) (string, bool) {
	m, ok := signer.Lookup(name)
	return m.Name, ok
}
