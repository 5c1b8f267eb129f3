package journal

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/daemon/accounts"
)

// BenchmarkLastFMBatchBesideBacklog reads Last.fm's next batch of 50 while
// a mirror that is down holds a backlog of 100,000 older plays in the same
// send-order bucket: each lane reads its own run of keys, whatever the
// other lanes hold (schema 6: pendingIndex).
//
//	go test -run '^$' -bench LastFMBatchBesideBacklog ./daemon/journal/
func BenchmarkLastFMBatchBesideBacklog(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), FileName), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	lastfm, mirror := newLane(Mirror{Name: accounts.LastFM}), newLane(Mirror{Name: "librefm"})
	const backlog, batch = 100000, 50
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucket(bPending); err != nil {
			return err
		}
		m, err := mirror.pendingOf(tx, "alice", true)
		if err != nil {
			return err
		}
		for id := uint64(1); id <= backlog; id++ {
			if err := m.Put(pendingKey(&Item{ID: id, Method: MethodScrobble, Timestamp: int64(id)})); err != nil {
				return err
			}
		}
		l, err := lastfm.pendingOf(tx, "alice", true)
		if err != nil {
			return err
		}
		for id := uint64(backlog + 1); id <= backlog+batch; id++ {
			if err := l.Put(pendingKey(&Item{ID: id, Method: MethodScrobble, Timestamp: int64(id)})); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		n := 0
		_ = db.View(func(tx *bolt.Tx) error {
			p, err := lastfm.pendingOf(tx, "alice", false)
			if err != nil {
				return err
			}
			return p.each(nil, func([]byte) (bool, error) { n++; return n < batch, nil })
		})
		if n != batch {
			b.Fatalf("read %d keys of Last.fm's, want %d", n, batch)
		}
	}
}
