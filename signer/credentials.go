package signer

import "strings"

// CredentialsFix is the next step after a credential problem: the key and
// the secret are the pair shown at https://www.last.fm/api/accounts.
const CredentialsFix = "compare lastfm.api_key and the API secret with https://www.last.fm/api/accounts, fix them, check with `lastfmd config check`, then restart lastfmd"

// CredentialCause names the application credential an error code blames,
// or "" when the code says nothing about them. Sign-in, /v1/status,
// `lastfmd status` and `lastfmd config check` all print this text, so a
// wrong secret reads the same everywhere. secretFrom (where the secret was
// read, e.g. "file /etc/lastfmd/api-secret") and apiKey sharpen the text
// when known; empty, they are left out.
//
// 13 blames the secret only for calls whose every parameter lastfmd
// chose itself (auth.*, the probe): on a scrobble it may be one bad item
// (Classify).
func CredentialCause(code int, secretFrom, apiKey string) string {
	return CredentialCauseAt("Last.fm", code, secretFrom, apiKey)
}

// CredentialCauseAt is CredentialCause for service, another service
// speaking the Last.fm 2.0 API with credentials of its own (a mirror,
// named as the message should name it: `mirror "librefm"`): the same
// codes blame the same credential, its own.
func CredentialCauseAt(service string, code int, secretFrom, apiKey string) string {
	key := "the API key"
	if apiKey != "" {
		key = "api_key " + apiKey
	}
	switch code {
	case ErrInvalidSignature:
		secret := "the API secret"
		if secretFrom != "" {
			secret += " in " + strings.TrimPrefix(secretFrom, "file ")
		}
		return service + " rejects the signature: " + secret + " does not belong to " + key
	case ErrInvalidAPIKey:
		return service + " does not know " + key + ": it is mistyped or was never issued"
	case ErrSuspendedKey:
		return service + " has suspended " + key
	}
	return ""
}
