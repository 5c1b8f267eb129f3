// Package authflow signs lastfmd in to Last.fm: the three flows of
// https://www.last.fm/api/authentication (desktop, web and mobile), the
// import of a session key someone already holds, and the management of the
// accounts they produce (default, logout, status).
//
// It knows nothing of HTTP servers or terminals: the daemon's /auth/ pages
// and /v1/auth/ endpoints (daemon/httpapi) and `lastfmd auth` (cmd/lastfmd)
// drive it. Calls to Last.fm go through daemon/upstream (signed, without a
// session key); sessions land in daemon/accounts.Store.
//
// Secrets: passwords, auth tokens and session keys are never logged and
// never part of an error message. The one exception by design is the
// desktop flow's approval URL, which carries the (unapproved) auth token:
// the user has to open it.
package authflow
