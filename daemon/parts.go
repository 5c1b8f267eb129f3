package daemon

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/daemon/redact"
	"github.com/lastfmd/lastfmd/daemon/upstream"
)

// The constructors Open builds the parts a sign-in needs with. They are
// exported so that the command line, where no daemon runs (a local sign-in,
// `lastfmd config check`), builds the same parts the same way, with the
// redactor and the log: one wiring, not a copy that drifts from it.

// NewRedactor is the redactor for cfg: it knows every secret cfg holds
// (cfg.Secrets: [lastfm]'s, the listener token, each mirror's);
// OpenAccounts teaches it the stored accounts' keys as they come and go.
func NewRedactor(cfg *config.Config) *redact.Redactor {
	return redact.New(nil, cfg.Secrets()...)
}

// RedactLog is log (nil: nowhere) with every line passed through r.
func RedactLog(log *slog.Logger, r *redact.Redactor) *slog.Logger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return slog.New(redact.NewHandler(log.Handler(), r))
}

// OpenAccounts creates state_dir, keeps it private (statedir.go: what
// others can write is refused, what they can read is tightened and logged)
// and opens its session store, with the configured session keys as the
// account "default" (staticAccounts). r learns every stored session key.
func OpenAccounts(cfg *config.Config, r *redact.Redactor, log *slog.Logger) (*accounts.Store, error) {
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("state_dir %s: %w", cfg.StateDir, err)
	}
	if err := privateState(cfg.StateDir, log); err != nil {
		return nil, err
	}
	store, err := accounts.Open(cfg.StateDir, staticAccounts(cfg))
	if err != nil {
		return nil, err
	}
	r.SetDynamic(store.Keys)
	return store, nil
}

// staticAccounts are the accounts the configuration provides: "default",
// with lastfm.session_key_file's session and, as its session on each
// mirror, that mirror's session_key_file (type "lastfm") or token_file
// (type "listenbrainz": the user token is the session there). Without
// [lastfm]'s session key there is no such account (config.Load warns that
// a mirror's file is then unused). Their keys stay out of sessions.json.
func staticAccounts(cfg *config.Config) []accounts.Account {
	if !cfg.LastFM.SessionKey.IsSet() {
		return nil
	}
	a := accounts.Account{Name: accounts.DefaultName, Key: cfg.LastFM.SessionKey.Reveal()}
	for _, m := range cfg.Mirrors {
		key := m.SessionKey
		if m.Type == config.MirrorTypeListenBrainz {
			key = m.Token
		}
		if key.IsSet() {
			if a.Mirrors == nil {
				a.Mirrors = map[string]accounts.MirrorSession{}
			}
			a.Mirrors[m.Name] = accounts.MirrorSession{Key: key.Reveal()}
		}
	}
	return []accounts.Account{a}
}

// NewUpstream is the one way out to Last.fm for cfg: the client behind the
// limiter lastfm.rate, burst and queue_wait set, on the clock now, masking
// r's secrets in every answer (an echoing upstream must not hand them on).
// t shortens the limiter's back-off in tests.
func NewUpstream(cfg *config.Config, r *redact.Redactor, now func() time.Time, t Tuning) (*upstream.Client, error) {
	limiter := upstream.NewLimiter(cfg.LastFM.Rate, cfg.LastFM.Burst, cfg.LastFM.QueueWait.Duration, now)
	if b := t.limiterBackoff(); b > 0 {
		limiter.BackoffBase = b
	}
	up, err := upstream.New(upstream.Options{
		Endpoint:  cfg.LastFM.Upstream,
		APIKey:    cfg.LastFM.APIKey,
		Secret:    cfg.LastFM.APISecret.Reveal(),
		Timeout:   cfg.LastFM.Timeout.Duration,
		UserAgent: UserAgent(),
		Limiter:   limiter,
		Now:       now,
		Redact:    r,
	})
	if err != nil {
		return nil, fmt.Errorf("config: lastfm.upstream: %w", err)
	}
	return up, nil
}

// NewMirrorUpstream is the one way out to the mirror m (a [[mirror]] of
// type "lastfm": a service speaking the Last.fm 2.0 API): a client of its
// own, with its own key, secret and limiter, so that a mirror never spends
// Last.fm's budget nor the reverse, and [lastfm]'s credentials never reach
// it (docs/mirrors.md). Answers are masked with r as Last.fm's are.
func NewMirrorUpstream(cfg *config.Config, m *config.Mirror, r *redact.Redactor, now func() time.Time, t Tuning) (*upstream.Client, error) {
	limiter := upstream.NewLimiter(m.Rate, m.Burst, cfg.LastFM.QueueWait.Duration, now)
	if b := t.limiterBackoff(); b > 0 {
		limiter.BackoffBase = b
	}
	up, err := upstream.New(upstream.Options{
		Endpoint:  m.APIRoot,
		APIKey:    m.APIKey,
		Secret:    m.APISecret.Reveal(),
		Timeout:   m.Timeout.Duration,
		UserAgent: UserAgent(),
		Limiter:   limiter,
		Now:       now,
		Redact:    r,
		Service:   "mirror " + m.Name,
	})
	if err != nil {
		return nil, fmt.Errorf("config: mirror %q: api_root: %w", m.Name, err)
	}
	return up, nil
}

// NewMirrorUpstreams is NewMirrorUpstream for each mirror of cfg, by name.
func NewMirrorUpstreams(cfg *config.Config, r *redact.Redactor, now func() time.Time, t Tuning) (map[string]*upstream.Client, error) {
	out := make(map[string]*upstream.Client, len(cfg.Mirrors))
	for i := range cfg.Mirrors {
		if cfg.Mirrors[i].Type != config.MirrorTypeLastFM {
			continue // ListenBrainz's API: NewListenBrainzClients
		}
		up, err := NewMirrorUpstream(cfg, &cfg.Mirrors[i], r, now, t)
		if err != nil {
			return nil, err
		}
		out[cfg.Mirrors[i].Name] = up
	}
	return out, nil
}

// NewListenBrainzClients is the one way out to each [[mirror]] of type
// "listenbrainz" (ListenBrainz, a self-hosted server, Maloja), by name: a
// client of its own behind a limiter of its own, masking r's secrets in
// every answer.
func NewListenBrainzClients(cfg *config.Config, r *redact.Redactor, now func() time.Time, t Tuning) (map[string]*listenbrainz.Client, error) {
	out := map[string]*listenbrainz.Client{}
	for _, m := range cfg.Mirrors {
		if m.Type != config.MirrorTypeListenBrainz {
			continue
		}
		limiter := upstream.NewLimiter(m.Rate, m.Burst, cfg.LastFM.QueueWait.Duration, now)
		if b := t.limiterBackoff(); b > 0 {
			limiter.BackoffBase = b
		}
		c, err := listenbrainz.New(listenbrainz.Options{APIRoot: m.APIRoot, Service: "mirror " + m.Name,
			Timeout: m.Timeout.Duration, UserAgent: UserAgent(), Limiter: limiter, Redact: r, Now: now})
		if err != nil {
			return nil, fmt.Errorf("config: mirror %q: api_root: %w", m.Name, err)
		}
		out[m.Name] = c
	}
	return out, nil
}

// NewAuth is the sign-in flows for cfg, talking to Last.fm through up and
// to each mirror through its own client: in mirrors for those speaking the
// Last.fm API (NewMirrorUpstreams), in lb for those speaking ListenBrainz's,
// whose accounts sign in with a user token (NewListenBrainzClients); a
// mirror without a client has no sign-in. Sessions are stored in store; t
// shortens the desktop sign-in's polling and lease in tests.
func NewAuth(cfg *config.Config, up *upstream.Client, mirrors map[string]*upstream.Client, lb map[string]*listenbrainz.Client,
	store *accounts.Store, log *slog.Logger, now func() time.Time, t Tuning) (*authflow.Flows, error) {
	var ms []authflow.Mirror
	var tms []authflow.TokenMirror
	for _, m := range cfg.Mirrors {
		if mup, ok := mirrors[m.Name]; ok {
			ms = append(ms, authflow.Mirror{Name: m.Name, Upstream: mup, APIKey: m.APIKey, AuthURL: m.AuthURL,
				AuthToken: m.MobileSignin != config.MobileSigninPassword})
		}
		if c, ok := lb[m.Name]; ok {
			tms = append(tms, authflow.TokenMirror{Name: m.Name, Validator: c})
		}
	}
	f, err := authflow.New(authflow.Options{
		Upstream:     up,
		Accounts:     store,
		APIKey:       cfg.LastFM.APIKey,
		AuthURL:      cfg.LastFM.AuthURL,
		Now:          now,
		PollInterval: t.SignInPoll,
		Lease:        t.SignInLease,
		Log:          log,
		Mirrors:      ms,
		TokenMirrors: tms,
	})
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return f, nil
}
