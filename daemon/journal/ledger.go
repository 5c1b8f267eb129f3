package journal

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The import ledger (docs/importing.md): the plays `lastfmd import` fed,
// per account, kept for LedgerKeep. The journal's deduplication covers
// pending items and recent results only (7 days, 10,000 results), so
// importing the same file again a week later, or a file of 100,000 plays,
// would otherwise send it all again. The ledger is compact: a 16-byte hash
// of the play (its deduplication key: account, artist, track, timestamp)
// and the day it was fed, 4 bytes (never 8: salvage reads an 8-byte value
// as a deduplication entry's id).

// bLedger: ledgerKey -> ledgerValue.
var bLedger = []byte("ledger")

// LedgerKeep is how long the ledger remembers an imported play.
const LedgerKeep = 400 * 24 * time.Hour

func ledgerKey(account string, s Scrobble) []byte {
	h := sha256.Sum256(dedupKey(account, s))
	return h[:16]
}

// ledgerValue is the day of now, counted from 1970-01-01.
func ledgerValue(now time.Time) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(now.Unix()/86400))
}

// pruneLedger drops entries older than LedgerKeep, at most once a day,
// inside an import's transaction.
func (j *Journal) pruneLedger(tx *bolt.Tx, now time.Time) error {
	j.mu.Lock()
	due := now.Sub(j.ledgerPruned) > 24*time.Hour
	if due {
		j.ledgerPruned = now
	}
	j.mu.Unlock()
	if !due {
		return nil
	}
	cutoff := uint32(now.Add(-LedgerKeep).Unix() / 86400)
	b := tx.Bucket(bLedger)
	var old [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if len(v) == 4 && binary.BigEndian.Uint32(v) < cutoff {
			old = append(old, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
