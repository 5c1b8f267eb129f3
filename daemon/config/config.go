package config

import (
	"time"

	"github.com/lastfmd/lastfmd/signer"
)

// Config is lastfmd's effective configuration. The toml tags are the key
// names of the configuration file; fields tagged "-" are resolved by Load
// (secrets, the file read) and never come from TOML.
type Config struct {
	// Listen is "host:port" (also "[::1]:7375") or "unix:/path/to.sock".
	Listen string `toml:"listen"`
	// StateDir holds sessions, the journal and other state.
	StateDir string `toml:"state_dir"`
	// LogFormat is "text" or "json".
	LogFormat string `toml:"log_format"`
	// LogLevel is "debug", "info", "warn" or "error".
	LogLevel string `toml:"log_level"`

	LastFM   LastFM   `toml:"lastfm"`
	Cache    Cache    `toml:"cache"`
	Scrobble Scrobble `toml:"scrobble"`
	Security Security `toml:"security"`

	// Mirrors are the [[mirror]] tables: other services every scrobble
	// also goes to (mirror.go). Only the file sets them.
	Mirrors []Mirror `toml:"mirror"`

	// File is the configuration file actually read, "" when none was.
	File string `toml:"-"`

	// origin records where each key's value came from (see origin.go);
	// secrets records where each secret came from, for Dump. Neither holds
	// a secret value.
	origin  map[string]origin
	secrets secretSources
}

// LastFM is the [lastfm] section: credentials and the upstream client.
type LastFM struct {
	// APIKey is the application's Last.fm API key (not a secret).
	APIKey string `toml:"api_key"`
	// APISecretFile names the file holding the shared secret.
	APISecretFile string `toml:"api_secret_file"`
	// APISecret is the resolved shared secret (see Load for its sources).
	APISecret Secret `toml:"-"`
	// SessionKeyFile names the file holding the session key of the
	// account named "default".
	SessionKeyFile string `toml:"session_key_file"`
	// SessionKey is the resolved session key of the account "default".
	SessionKey Secret `toml:"-"`
	// Upstream is the Last.fm API root; http:// only to loopback.
	Upstream string `toml:"upstream"`
	// AuthURL is the page where a user approves a token; http:// only to loopback.
	AuthURL string `toml:"auth_url"`
	// Timeout bounds one upstream call.
	Timeout Duration `toml:"timeout"`
	// QueueWait is the longest a caller waits for the rate limiter.
	QueueWait Duration `toml:"queue_wait"`
	// Rate is outbound calls per second, all callers together.
	Rate float64 `toml:"rate"`
	// Burst is the rate limiter's bucket size.
	Burst int `toml:"burst"`
	// MaxRetries bounds retries of one transient failure.
	MaxRetries int `toml:"max_retries"`
	// SignUnknownMethods lists methods outside the catalog that are signed
	// and POSTed instead of forwarded as unsigned reads.
	SignUnknownMethods []string `toml:"sign_unknown_methods"`
}

// Cache is the [cache] section: the read cache's bound and TTL tiers.
type Cache struct {
	// MaxBytes bounds the cache's memory.
	MaxBytes Size `toml:"max_bytes"`
	// ShortTTL is the freshness of per-user, fast-changing reads.
	ShortTTL Duration `toml:"short_ttl"`
	// MediumTTL is the freshness of charts, top lists and searches.
	MediumTTL Duration `toml:"medium_ttl"`
	// LongTTL is the freshness of catalogue metadata.
	LongTTL Duration `toml:"long_ttl"`
	// StaleIfError is how long past freshness an entry may answer when
	// Last.fm fails.
	StaleIfError Duration `toml:"stale_if_error"`
}

// Scrobble is the [scrobble] section.
type Scrobble struct {
	// BatchSize is scrobbles per track.scrobble call (Last.fm allows 1..50).
	BatchSize int `toml:"batch_size"`
	// MaxAge is the oldest scrobble accepted (Last.fm drops them at 14 days).
	MaxAge Duration `toml:"max_age"`
}

// Security is the [security] section.
type Security struct {
	// AllowedHosts are Host header names accepted besides localhost,
	// 127.0.0.1 and [::1]. Load normalises entries as url.URL.Hostname
	// gives them: lower case, IPv6 without brackets.
	AllowedHosts []string `toml:"allowed_hosts"`
	// TokenFile names the file holding the listener token.
	TokenFile string `toml:"token_file"`
	// Token is the resolved listener token ("" = no token required).
	Token Secret `toml:"-"`
}

// Defaults returns the configuration used when nothing is set. StateDir is
// left empty: its default depends on the environment and is filled by Load.
func Defaults() Config {
	return Config{
		Listen:    "127.0.0.1:7375",
		LogFormat: "text",
		LogLevel:  "info",
		LastFM: LastFM{
			Upstream:   "https://ws.audioscrobbler.com/2.0/",
			AuthURL:    "https://www.last.fm/api/auth/",
			Timeout:    Duration{10 * time.Second},
			QueueWait:  Duration{30 * time.Second},
			Rate:       2.0,
			Burst:      5,
			MaxRetries: 4,
			// Empty rather than nil lists, so that a default, a file's
			// `[]` and an empty env list compare and marshal alike.
			SignUnknownMethods: []string{},
		},
		Cache: Cache{
			MaxBytes:     64 << 20,
			ShortTTL:     Duration{time.Minute},
			MediumTTL:    Duration{30 * time.Minute},
			LongTTL:      Duration{24 * time.Hour},
			StaleIfError: Duration{24 * time.Hour},
		},
		Scrobble: Scrobble{
			BatchSize: signer.MaxScrobblesPerCall,
			MaxAge:    Duration{312 * time.Hour},
		},
		Security: Security{AllowedHosts: []string{}},
	}
}
