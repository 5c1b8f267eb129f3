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
	for _, mc := range cfg.Mirrors {
		if mc.Type == config.MirrorTypeListenBrainz {
			// Read and checked, but no lane sends ListenBrainz's API yet:
			// accepting plays for it would be a lie.
			return fmt.Errorf("config: mirror %q: this lastfmd does not send to a mirror of type %q yet; remove that [[mirror]] table to run", mc.Name, mc.Type)
		}
	}
	return checkListen(cfg)
}
