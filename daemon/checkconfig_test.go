package daemon

import (
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/config"
)

// A configuration with a [[mirror]] table is refused to run until mirrors
// are sent to: accepting scrobbles for a service that never gets them
// would be a lie. Without one, the same configuration passes.
func TestCheckConfigRefusesMirrorsNotYetSent(t *testing.T) {
	cfg := config.Defaults()
	cfg.LastFM.APIKey = strings.Repeat("a", 32)
	cfg.LastFM.APISecret = config.Secret(strings.Repeat("b", 32))
	if err := CheckConfig(&cfg); err != nil {
		t.Fatalf("without a mirror: %v", err)
	}
	cfg.Mirrors = []config.Mirror{{Name: "librefm", Type: "lastfm"}}
	err := CheckConfig(&cfg)
	if err == nil || !strings.Contains(err.Error(), `mirror "librefm"`) || !strings.Contains(err.Error(), "remove the [[mirror]] tables") {
		t.Fatalf("with a mirror: %v", err)
	}
}
