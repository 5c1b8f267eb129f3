package api

import "time"

// The /v1/auth/ endpoints' documents: the daemon signs in and manages
// accounts (it holds the API secret and owns the session file). None of
// them holds a session key.

// Account is one account as GET /v1/auth/accounts lists it: never the key.
type Account struct {
	Name        string    `json:"name"`
	User        string    `json:"user,omitempty"`
	Default     bool      `json:"default"`
	NeedsSignin bool      `json:"needs_signin"`
	Added       time.Time `json:"added,omitzero"`
	// FromConfig: the account comes from session_key_file (or the
	// session-key credential), not from a sign-in.
	FromConfig bool `json:"from_config,omitempty"`
	// Mirrors are the account's sessions on mirrors, by name (never a
	// key); an account is mirrored only where it has one.
	Mirrors []AccountMirror `json:"mirrors,omitempty"`
}

// AccountMirror is an account's session on one mirror, as GET
// /v1/auth/accounts lists it: never the key.
type AccountMirror struct {
	Mirror string `json:"mirror"`
	// Type is the mirror's type, "lastfm" or "listenbrainz" (whose
	// accounts sign in with a user token: lastfmd auth token); "" for a
	// mirror no longer configured.
	Type        string    `json:"type,omitempty"`
	User        string    `json:"user,omitempty"`
	NeedsSignin bool      `json:"needs_signin"`
	Added       time.Time `json:"added,omitzero"`
	// FromConfig: the session is the mirror's session_key_file (or, on
	// a mirror of type listenbrainz, its token_file).
	FromConfig bool `json:"from_config,omitempty"`
}

// LoginState is a desktop sign-in's progress.
type LoginState string

// Login is a desktop sign-in the daemon polls Last.fm for: POST
// /v1/auth/login starts it (URL is the page to approve it on), GET
// /v1/auth/login/{id} says how it goes.
type Login struct {
	ID      string     `json:"id"`
	State   LoginState `json:"state"`
	Account string     `json:"account,omitempty"`
	// Mirror is the mirror it signs in to; "" is Last.fm.
	Mirror string `json:"mirror,omitempty"`
	// User is the user name at the service it signed in to.
	User    string `json:"user,omitempty"`
	Message string `json:"message,omitempty"`
	URL     string `json:"url,omitempty"`
	// ExpiresAt is when the daemon gives up (RFC 3339).
	ExpiresAt string `json:"expires_at,omitempty"`
}

// SignedIn is the answer of a mobile sign-in or an import: the account the
// session is stored as, the service, and the user there.
type SignedIn struct {
	Account string `json:"account"`
	// Mirror is the mirror signed in to; "" is Last.fm.
	Mirror string `json:"mirror,omitempty"`
	// User is the user name at that service.
	User    string `json:"user,omitempty"`
	Message string `json:"message"`
}

// Cancelled is the answer of DELETE /v1/auth/login: how many sign-ins
// waiting for approval were stopped.
type Cancelled struct {
	Cancelled int `json:"cancelled"`
}

// The states of a desktop sign-in the daemon runs.
const (
	LoginPending  LoginState = "pending"
	LoginSignedIn LoginState = "signed_in"
	LoginFailed   LoginState = "failed"
)
