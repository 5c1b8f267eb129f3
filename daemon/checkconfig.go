package daemon

import (
	"errors"

	"github.com/lastfmd/lastfmd/daemon/config"
)

// CheckConfig is what a loaded configuration must also pass to run, beyond
// the per-key checks config.Load makes: the API key and secret, the key's
// shape, and the listen rule (listeners.go). Open runs it before taking
// anything, and `lastfmd config check` runs it before asking Last.fm, so
// that the two give one verdict: whatever check accepts, run does not
// refuse as a configuration error, and the reverse.
func CheckConfig(cfg *config.Config) error {
	if cfg.LastFM.APIKey == "" || !cfg.LastFM.APISecret.IsSet() {
		return errors.New("config: lastfm.api_key and the API secret are required to run")
	}
	if err := cfg.CheckAPIKey(); err != nil {
		return err
	}
	return checkListen(cfg)
}
