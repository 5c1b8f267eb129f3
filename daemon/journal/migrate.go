package journal

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// migrations[v] upgrades a journal of schema version v to v+1, inside the
// transaction that opens it (initSchema), after every bucket of this
// version exists. Version 0 is a file without a version (a bare bbolt
// file): the buckets are created.
var migrations = map[int]func(*bolt.Tx) error{
	0: func(*bolt.Tx) error { return nil },
	1: rebuildDedup,
	2: intoPlays,
	3: oneDedup,
	4: onePending,
	5: pendingRuns,
}

// pendingRuns moves each mirror's send-order keys in "pending/ACCOUNT"
// from schema 5's layout (the send-order key followed by a zero byte and
// the mirror's name) to a run of their own (version 6: lanePrefix), so
// that no sender steps over another lane's keys.
func pendingRuns(tx *bolt.Tx) error {
	root := tx.Bucket(bPending)
	for _, account := range subBuckets(root) {
		b := root.Bucket(account)
		var old [][]byte
		_ = b.ForEach(func(k, _ []byte) error {
			if len(k) > pendingKeyLen+1 && (k[0] == prefixWrite || k[0] == prefixScrobble) && k[pendingKeyLen] == 0 {
				old = append(old, bytes.Clone(k))
			}
			return nil
		})
		for _, k := range old {
			p := &pendingIndex{b: b, prefix: lanePrefix(string(k[pendingKeyLen+1:]))}
			if err := b.Delete(k); err != nil {
				return err
			}
			if err := p.Put(k[:pendingKeyLen]); err != nil {
				return err
			}
		}
	}
	return nil
}

// subBuckets are the names of b's sub-buckets: in a send-order bucket,
// its accounts.
func subBuckets(b *bolt.Bucket) [][]byte {
	var names [][]byte
	_ = b.ForEach(func(k, v []byte) error {
		if v == nil {
			names = append(names, bytes.Clone(k))
		}
		return nil
	})
	return names
}

// onePending moves each mirror's send order "lane/NAME/pending/ACCOUNT"
// (schemas 3 and 4) into "pending/ACCOUNT" (version 5), under the lane's
// keys as pendingIndex writes them now (version 6's run, which
// pendingRuns then leaves as it is).
func onePending(tx *bolt.Tx) error {
	root := tx.Bucket(bPending)
	for _, mb := range mirrorBuckets(tx, "pending") {
		old := tx.Bucket(mb.name)
		for _, account := range subBuckets(old) {
			to, err := root.CreateBucketIfNotExists(account)
			if err != nil {
				return err
			}
			p := &pendingIndex{b: to, prefix: lanePrefix(mb.lane)}
			err = old.Bucket(account).ForEach(func(k, _ []byte) error { return p.Put(bytes.Clone(k)) })
			if err != nil {
				return err
			}
		}
		if err := tx.DeleteBucket(mb.name); err != nil {
			return err
		}
	}
	return nil
}

// oneDedup moves each mirror's deduplication bucket "lane/NAME/dedup"
// (schema 3) into "dedup", under the lane's keys (version 4: dedupBucket).
func oneDedup(tx *bolt.Tx) error {
	dedup := tx.Bucket(bDedup)
	for _, mb := range mirrorBuckets(tx, "dedup") {
		d := &dedupBucket{b: dedup, suffix: laneSuffix(mb.lane)}
		err := tx.Bucket(mb.name).ForEach(func(k, v []byte) error { return d.Put(bytes.Clone(k), bytes.Clone(v)) })
		if err != nil {
			return err
		}
		if err := tx.DeleteBucket(mb.name); err != nil {
			return err
		}
	}
	return nil
}

// intoPlays moves each item's parameters into its play record (version 3:
// lanes, lane.go): the items of version 2 become the lane "lastfm"'s
// records, in the same buckets, without their parameters.
func intoPlays(tx *bolt.Tx) error {
	plays := tx.Bucket(bPlays)
	for _, b := range [][]byte{bItems, bDead, bUnsure} {
		bucket := tx.Bucket(b)
		var recs [][2][]byte
		err := bucket.ForEach(func(k, v []byte) error {
			it, err := decodeItem(v)
			if err != nil {
				return err
			}
			if it.Params == nil {
				return nil
			}
			p := &Item{ID: it.ID, Account: it.Account, Method: it.Method, Params: it.Params, Timestamp: it.Timestamp, Added: it.Added}
			if err := plays.Put(bytes.Clone(k), encode(p)); err != nil {
				return err
			}
			it.Params = nil
			recs = append(recs, [2][]byte{bytes.Clone(k), encode(it)})
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := bucket.Put(r[0], r[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// rebuildDedup writes every deduplication entry again with this version's
// key (version 2 length-prefixes the names: dedupKey), from the pending
// scrobbles and the kept results. A pending item wins over a result of the
// same scrobble, as Submit would have found the pending one first.
func rebuildDedup(tx *bolt.Tx) error {
	if err := tx.DeleteBucket(bDedup); err != nil {
		return err
	}
	dedup, err := tx.CreateBucket(bDedup)
	if err != nil {
		return err
	}
	err = tx.Bucket(bResults).ForEach(func(k, v []byte) error {
		r, err := decodeResult(v)
		if err != nil || r.Method != MethodScrobble {
			return err
		}
		return dedup.Put(dedupKey(r.Account, Scrobble{Artist: r.Artist, Track: r.Track, Timestamp: r.Timestamp}), k)
	})
	if err != nil {
		return err
	}
	return forEachItem(tx.Bucket(bItems), func(it *Item) error {
		if dk := itemDedupKey(it); dk != nil {
			return dedup.Put(dk, idKey(it.ID))
		}
		return nil
	})
}
