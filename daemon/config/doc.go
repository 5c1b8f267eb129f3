// Package config loads lastfmd's configuration: it finds the file, decodes it,
// applies the environment and command-line flags (flag > environment > file >
// default), validates every value, and resolves the secrets (API secret,
// session key, listener token) from files, systemd credentials or the
// environment.
//
// Secrets are held as [Secret] values, which print, log and marshal as
// "<redacted>" so that a configuration can be logged or dumped without
// leaking them. Errors are one line, name the offending key and never
// contain a secret.
package config
