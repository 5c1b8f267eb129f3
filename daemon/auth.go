package daemon

import (
	"github.com/lastfmd/lastfmd/daemon/httpapi"
)

// openAuth builds the sign-in flows (NewAuth): the daemon holds the
// secret, so it is the one that talks to Last.fm for `lastfmd auth`, the
// browser pages and /2.0/'s auth.getMobileSession.
func (m *Main) openAuth() error {
	// Each mirror's sign-ins go through a client of its own (its key, its
	// limiter), never Last.fm's: the one its journal lane sends with. A
	// ListenBrainz mirror's token is checked (validate-token) through its
	// lane's client too.
	f, err := NewAuth(m.Config, m.Upstream, m.Mirrors, m.ListenBrainz, m.Accounts, m.Log, m.Now, m.Tuning)
	if err != nil {
		return err
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
		BeforeLogout: func(account string, force bool) error { return m.Journal.BeforeLogout(account, "", force) },
	})
}
