// Package signer is lastfmd's vocabulary of the Last.fm Web Services API
// 2.0: pure Last.fm knowledge, the one home of every rule the rest of
// lastfmd shares about Last.fm. Despite its name it holds more than
// signing:
//
//   - the method catalog: the 58 methods lastfmd knows, their kind (read,
//     write, auth), verb, cache tier and parameters (catalog.go,
//     methods.go);
//   - parameter canonicalisation: which parameters a client may send and
//     their one canonical form, the item index of batch calls, the batch
//     cap and the JSONP callback rule (params.go); the shape of a method
//     name (catalog.go);
//   - signing: api_sig (sign.go, https://www.last.fm/api/authspec#8);
//   - error codes: the one table of Last.fm's codes with their meaning and
//     HTTP status (errors.go, https://www.last.fm/api/errorcodes), how an
//     error answer is decoded (decode.go), how each code is classified
//     (classify.go) and what each caller does with each class (policy.go);
//   - the scrobble item: its fields, indexing and validation, the one rule
//     /v1/, /2.0/ and the journal share (scrobble.go);
//   - the session answer of auth.getSession and auth.getMobileSession, and
//     the opaque-value rule for tokens and session keys (session.go);
//   - the answer check: whether a body can be Last.fm's answer in the
//     format asked for (answer.go);
//   - the target of a love or tag write, the one whose order a later
//     write on it must keep (target.go).
//
// Every caller uses it: the upstream client, the proxy, the journal, the
// sign-in flows and the CLI. The emulator (daemon/emulator) keeps its own
// independent implementation on purpose, so that a mistake here is not
// mirrored there and passed by the tests.
//
// It imports only the standard library and does no I/O, so every rule here
// can be tested in isolation and read next to the Last.fm page it follows
// (the method pages under https://www.last.fm/api/).
package signer
