package journal

import (
	bolt "go.etcd.io/bbolt"
)

// migrations[v] upgrades a journal of schema version v to v+1, inside the
// transaction that opens it (initSchema), after every bucket of this
// version exists. Version 0 is a file without a version (a bare bbolt
// file): the buckets are created.
var migrations = map[int]func(*bolt.Tx) error{
	0: func(*bolt.Tx) error { return nil },
	1: rebuildDedup,
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
