// Package e2e holds lastfmd's end-to-end tests: script → lastfmd →
// emulator over real loopback sockets, one daemon (daemon.Main) per test,
// built with the shared harness in daemon/daemontest. It has no code of
// its own; `go test ./daemon/e2e/` runs it.
package e2e
