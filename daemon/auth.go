package daemon

import (
	"fmt"

	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/daemon/httpapi"
)

// openAuth builds the sign-in flows: the daemon holds the secret, so it is
// the one that talks to Last.fm for `lastfmd auth`, the browser pages and
// /2.0/'s auth.getMobileSession.
func (m *Main) openAuth() error {
	f, err := authflow.New(authflow.Options{
		Upstream:     m.Upstream,
		Accounts:     m.Accounts,
		APIKey:       m.Config.LastFM.APIKey,
		AuthURL:      m.Config.LastFM.AuthURL,
		Now:          m.Now,
		PollInterval: m.pace.SignInPoll,
		Lease:        m.pace.SignInLease,
		Log:          m.Log,
	})
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	m.Auth = f
	return nil
}

// mountAuth mounts the sign-in routes (/auth/ pages, /v1/auth/).
func (m *Main) mountAuth() {
	m.HTTP.MountAuth(httpapi.AuthOptions{
		Flows: m.Auth,
		// The journal refuses while the account has pending scrobbles,
		// unless force (then it dead-letters them).
		BeforeLogout: m.Journal.BeforeLogout,
	})
}
