package daemon

import (
	"fmt"

	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/daemon/httpapi"
)

// openAuth builds the sign-in flows and mounts their routes: the daemon
// holds the secret, so it is the one that talks to Last.fm for `lastfmd
// auth` and for the browser pages.
func (m *Main) openAuth() error {
	f, err := authflow.New(authflow.Options{
		Upstream:     m.Upstream,
		Accounts:     m.Accounts,
		APIKey:       m.Config.LastFM.APIKey,
		AuthURL:      m.Config.LastFM.AuthURL,
		Now:          m.Now,
		PollInterval: m.SignInPoll,
		Log:          m.Log,
	})
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	m.Auth = f
	m.HTTP.MountAuth(httpapi.AuthOptions{
		Flows: f,
		// Read at call time: the journal installs its hook after Open.
		BeforeLogout: func(account string, force bool) error {
			if m.BeforeLogout == nil {
				return nil
			}
			return m.BeforeLogout(account, force)
		},
	})
	return nil
}
