// Package journal keeps every scrobble lastfmd accepted until Last.fm has
// answered for it, across crashes and restarts. Last.fm's scrobbling guide
// asks clients to "cache scrobbles that could not be submitted" and to send
// them later in chronological order, batched up to 50
// (https://www.last.fm/api/scrobbling); this package is that cache.
//
// The journal is a bbolt file in state_dir (journal.db). A submission is
// committed and fsynced before lastfmd answers; concurrent submissions share
// one commit (bbolt's DB.Batch). One sender goroutine per account owns every
// send of that account: pending items in timestamp order, batches of up to
// scrobble.batch_size, each signed track.scrobble going through the shared
// upstream client and its limiter. Answers are classified strictly by the
// signer package's table (docs/design.md#reliability-rules).
//
// Each item moves forward only: pending -> sent (a result, kept 7 days or
// 10,000 entries) or pending -> dead (a dead letter, kept until dropped).
// Only an explicit `lastfmd queue retry` moves a dead letter back.
//
// Delivery is at least once: an item leaves the journal only after Last.fm
// answered for it, so a crash between that answer and the commit that records
// it sends the item again on the next start.
package journal
