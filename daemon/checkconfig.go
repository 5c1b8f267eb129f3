package daemon

import (
	"errors"
	"fmt"

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
	if len(cfg.Mirrors) > 0 {
		// The tables are read and checked, but nothing sends to a mirror
		// yet: running would accept scrobbles for a service that never
		// gets them. Refused until the journal's lanes land.
		return fmt.Errorf("config: mirror %q: this lastfmd does not send to mirrors yet; remove the [[mirror]] tables to run (docs/configuration.md#mirrors)", cfg.Mirrors[0].Name)
	}
	return checkListen(cfg)
}
