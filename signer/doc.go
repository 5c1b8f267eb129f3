// Package signer holds lastfmd's knowledge of the Last.fm Web Services API
// 2.0 and nothing else: how api_sig is computed, which parameters a client
// may send, what makes a scrobble valid (the one rule /v1/, /2.0/ and the
// journal share: scrobble.go), the catalog of the 58 methods lastfmd knows,
// Last.fm's error codes and the table that says what every caller does with
// each kind of error.
//
// It imports only the standard library and does no I/O, so every rule here
// can be tested in isolation and read next to the Last.fm page it follows:
//
//   - signing: https://www.last.fm/api/authspec#8
//   - methods: https://www.last.fm/api/show/track.scrobble and the other
//     method pages under https://www.last.fm/api/
//   - errors: https://www.last.fm/api/errorcodes
package signer
