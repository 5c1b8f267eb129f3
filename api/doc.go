// Package api declares the documents of lastfmd's own HTTP API (/v1/status,
// the queue, accounts and sign-in), once: the daemon answers with them and
// package client decodes them. It imports only the standard library. What
// lastfmd stores on disk has types of its own (journal.Item, the session
// file), converted to these explicitly, so a change to the API never
// changes a file format (docs/design.md#where-each-rule-lives).
package api
