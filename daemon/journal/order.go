package journal

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/signer"
)

// EnqueueBehind journals a direct idempotent write when the account still
// has a write with the same target pending (signer.WriteTarget: the love
// on one track, the tags on one track, album or artist), and reports
// whether it did. The caller's last word stands: a love queued while
// Last.fm was down, then an unlove sent at once, would otherwise reach
// Last.fm in the wrong order when the sender replays the love
// (docs/scrobbling.md#loves-and-tags-when-lastfm-is-down). Journalled, the
// write goes out after the one it follows: the sender sends writes alone,
// in submission order (pendingKey, nextBatch). A write the sender is
// sending right now is still pending until its answer is committed, so it
// counts.
//
// With queued false nothing was written and the caller sends the write
// itself. A method without a target (not an idempotent write) is never
// journalled here.
func (j *Journal) EnqueueBehind(account, method string, params map[string]string) (id uint64, queued bool, err error) {
	target, ok := signer.WriteTarget(method, params)
	if !ok {
		return 0, false, nil
	}
	if err := j.Healthy(); err != nil {
		return 0, false, ErrClosed
	}
	ln := j.lastfm()
	behind := func(tx *bolt.Tx) (bool, error) { return ln.pendingOn(tx, account, target) }
	// Most direct writes have nothing to wait for: a read-only look answers
	// them without a commit (and its fsync). Its "nothing pending" stays
	// right after the look: the sender only takes writes out of pending,
	// and a write journalled meanwhile comes from a concurrent call, with
	// no order between the two to keep.
	var wait bool
	if err := j.db.View(func(tx *bolt.Tx) (err error) {
		wait, err = behind(tx)
		return err
	}); err != nil {
		return 0, false, fmt.Errorf("journal: cannot read %s: %w", j.path, err)
	}
	if !wait {
		return 0, false, nil
	}
	// Checked again in the transaction that journals it, so the write is
	// queued only behind a write that is still pending.
	return j.enqueue(ln, account, method, params, behind)
}

// pendingOn reports whether account has a write with target pending on
// the lane.
func (ln *lane) pendingOn(tx *bolt.Tx, account string, target signer.Target) (bool, error) {
	pend, err := ln.pendingOf(tx, account, false)
	if err != nil || pend == nil {
		return false, err
	}
	found := false
	// Writes sort first (prefixWrite), before every scrobble.
	err = pend.each([]byte{prefixWrite}, func(k []byte) (bool, error) {
		if k[0] != prefixWrite {
			return false, nil
		}
		it, err := ln.getItem(tx, ln.b.items, keyID(k))
		if err != nil {
			return false, fmt.Errorf("item %d: %w", keyID(k), err)
		}
		if it == nil {
			return true, nil // dropped meanwhile
		}
		if t, ok := signer.WriteTarget(it.Method, it.Params); ok && t == target {
			found = true
			return false, nil
		}
		return true, nil
	})
	return found, err
}
