// Package daemontest is the one harness every test of lastfmd shares, as
// net/http/httptest is for a handler: one Last.fm emulator set up one way,
// one daemon configuration pointing at it, one way to run a daemon until the
// test ends, and the credentials they use. The end-to-end tests
// (daemon/e2e) and the CLI's tests (cmd/lastfmd) both build on it; the
// fake clock is daemon/fakeclock and the event wait is daemon/waitfor.
package daemontest

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/signer"
)

// The credentials every test uses. Key has Last.fm's shape (32 letters and
// digits); Secret and Token are spelt so that a leak is easy to grep for.
const (
	Key    = "0123456789abcdef0123456789abcdef"
	Secret = "s3cr3t-VALUE-never-shown"
	Token  = "listener-TOKEN-never-shown"
)

// The emulator's users and their passwords.
const (
	Alice, AlicePassword = "alice", "alice-pw"
	Bob, BobPassword     = "bob", "bob-pw"
)

// Emulator starts the Last.fm emulator on loopback with Key and Secret and
// the users Alice and Bob, closed when the test ends.
func Emulator(t testing.TB) *emulator.Server {
	t.Helper()
	emu, err := emulator.New(emulator.Options{APIKey: Key, Secret: Secret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	emu.AddUser(Alice, AlicePassword, false)
	emu.AddUser(Bob, BobPassword, false)
	return emu
}

// Config is a daemon configuration in front of emu: a free loopback port,
// stateDir, Key and Secret, the emulator as Last.fm and its sign-in page,
// a limiter that never gets in a test's way, and a call timeout that only
// catches a hang (a busy machine is slow, not broken).
func Config(emu *emulator.Server, stateDir string) config.Config {
	cfg := config.Defaults()
	cfg.Listen = "127.0.0.1:0"
	cfg.StateDir = stateDir
	cfg.LastFM.APIKey = Key
	cfg.LastFM.APISecret = config.Secret(Secret)
	cfg.LastFM.Upstream = emu.URL()
	cfg.LastFM.AuthURL = emu.AuthURL()
	cfg.LastFM.Rate, cfg.LastFM.Burst = 1000, 1000
	cfg.LastFM.Timeout = config.Duration{Duration: 30 * time.Second}
	return cfg
}

// SignIn stores accounts in stateDir's sessions.json, each with a new
// session of its Last.fm user at emu (Account.Key is filled in), and
// returns the keys in the same order.
func SignIn(t testing.TB, emu *emulator.Server, stateDir string, accts ...accounts.Account) []string {
	t.Helper()
	store, err := accounts.Open(stateDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, len(accts))
	for i, a := range accts {
		if a.Key == "" {
			a.Key = emu.NewSession(a.User)
		}
		if err := store.Put(a); err != nil {
			t.Fatal(err)
		}
		keys[i] = a.Key
	}
	return keys
}

// SignInAlice stores the account "alice", of the emulator's user Alice, in
// stateDir's sessions.json with a new session at emu, and returns its key.
func SignInAlice(t testing.TB, emu *emulator.Server, stateDir string) string {
	t.Helper()
	return SignIn(t, emu, stateDir, accounts.Account{Name: "alice", User: Alice})[0]
}

// Main is a daemon with cfg, not yet opened, logging to log (nil: nowhere)
// and waiting at pace p (a zero Pace keeps the defaults).
func Main(cfg *config.Config, log *slog.Logger, p Pace) *daemon.Main {
	return &daemon.Main{Config: cfg, Log: log, Tuning: p}
}

// Start is Main run until the test ends (see Run); it returns the daemon
// and its URL.
func Start(t testing.TB, cfg *config.Config, log *slog.Logger, p Pace) (*daemon.Main, string) {
	t.Helper()
	m := Main(cfg, log, p)
	return m, Run(t, m, nil)
}

// Run opens m and runs it until the test ends; then it stops it, waits for
// Run to return, closes it and calls after (for checks of what it logged).
// It returns m.URL().
func Run(t testing.TB, m *daemon.Main, after func(runErr error)) string {
	t.Helper()
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		err := <-done
		m.Close()
		if after != nil {
			after(err)
		}
	})
	return m.URL()
}

// Pace is the daemon's waits a test shortens, daemon.Main's Tuning: the
// first retry delay (RetryBase), the desktop sign-in's polling
// (SignInPoll) and lease (SignInLease), and the journal's back-offs and
// polls (Journal). A zero field keeps the default.
type Pace = daemon.Tuning

// SetPace makes m, not yet opened, wait at pace p instead of the defaults:
// minutes of back-off in milliseconds, for tests of what happens after
// them. Fields p leaves zero keep what m.Tuning had, so that a test's
// options (the e2e harness's withPace, withJournal, ...) compose. It sets
// the field, no more: the one explicit input production reads.
func SetPace(m *daemon.Main, p Pace) {
	t := &m.Tuning
	if p.RetryBase != 0 {
		t.RetryBase = p.RetryBase
	}
	if p.SignInPoll != 0 {
		t.SignInPoll = p.SignInPoll
	}
	if p.SignInLease != 0 {
		t.SignInLease = p.SignInLease
	}
	if p.Journal != (journal.Tuning{}) {
		t.Journal = p.Journal
	}
	if p.PagePoll != 0 {
		t.PagePoll = p.PagePoll
	}
}

// Buffer is a bytes.Buffer safe for concurrent use: a daemon's log.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// Logger is a text logger at debug level writing to s.
func (s *Buffer) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(s, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Mirror starts a second emulator as the service name (emulator.LibreFM:
// its own key and secret, Libre.fm's age and ignore-code rules) with the
// users Alice and Bob, closed when the test ends, and adds it to cfg as a
// [[mirror]] of type "lastfm" with Libre.fm's reading of ignored codes
// (3 too new, 4 too old) and no age limit (docs/mirrors.md).
func Mirror(t testing.TB, cfg *config.Config, name string) *emulator.Server {
	t.Helper()
	emu, err := emulator.New(emulator.Options{Service: emulator.LibreFM, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	emu.AddUser(Alice, AlicePassword, false)
	emu.AddUser(Bob, BobPassword, false)
	cfg.Mirrors = append(cfg.Mirrors, MirrorConfig(name, emu.URL(), emu.AuthURL()))
	return emu
}

// MirrorConfig is the [[mirror]] called name in front of an emulator as
// Libre.fm at apiRoot and authURL (Mirror's table).
func MirrorConfig(name, apiRoot, authURL string) config.Mirror {
	return config.Mirror{
		Name: name, Type: config.MirrorTypeLastFM, APIRoot: apiRoot, AuthURL: authURL,
		APIKey: emulator.LibreFMAPIKey, APISecret: config.Secret(emulator.LibreFMSecret),
		Rate: 1000, Burst: 1000, Timeout: config.Duration{Duration: 30 * time.Second},
		IgnoredCodes: config.IgnoredCodes{3: signer.IgnoredTooNew, 4: signer.IgnoredTooOld, 1: signer.IgnoredArtist, 2: signer.IgnoredTrack, 5: signer.IgnoredDailyLimit},
	}
}

// SignInMirror stores, for account (already signed in to Last.fm in
// stateDir), a new session of its user at the mirror emu, and returns its
// key.
func SignInMirror(t testing.TB, emu *emulator.Server, stateDir, account, user, mirror string) string {
	t.Helper()
	store, err := accounts.Open(stateDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := emu.NewSession(user)
	if err := store.PutMirror(account, mirror, accounts.MirrorSession{Key: key, User: user}); err != nil {
		t.Fatal(err)
	}
	return key
}

// ListenBrainzMirror starts an emulator as ListenBrainz (its native API)
// with the users Alice and Bob, closed when the test ends, and adds it to
// cfg as a [[mirror]] of type "listenbrainz" called name.
func ListenBrainzMirror(t testing.TB, cfg *config.Config, name string) *emulator.Server {
	t.Helper()
	emu, err := emulator.New(emulator.Options{Service: emulator.ListenBrainz, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	cfg.Mirrors = append(cfg.Mirrors, config.Mirror{
		Name: name, Type: config.MirrorTypeListenBrainz, APIRoot: emu.URL(),
		Rate: 1000, Burst: 1000, Timeout: config.Duration{Duration: 30 * time.Second},
	})
	return emu
}

// SignInListenBrainz stores, for account (already signed in to Last.fm in
// stateDir), a new user token of user at the ListenBrainz emulator emu as
// its session on mirror, and returns the token.
func SignInListenBrainz(t testing.TB, emu *emulator.Server, stateDir, account, user, mirror string) string {
	t.Helper()
	store, err := accounts.Open(stateDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := emu.NewUserToken(user)
	if err := store.PutMirror(account, mirror, accounts.MirrorSession{Key: token, User: user}); err != nil {
		t.Fatal(err)
	}
	return token
}
