package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkCheckFile measures the check Open runs before mapping the
// journal, on a 100 MB journal of pending scrobbles (issue 14: at most 2 s).
//
//	TMPDIR=/var/tmp go test -run '^$' -bench BenchmarkCheckFile -benchtime 5x ./daemon/journal/
//
// (TMPDIR on a disk, not tmpfs, for the cold figure.)
func BenchmarkCheckFile(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	pad := strings.Repeat("x", 300)
	id := uint64(0)
	for size := int64(0); size < 100<<20; {
		err := db.Update(func(tx *bolt.Tx) error {
			items, err := tx.CreateBucketIfNotExists(bItems)
			if err != nil {
				return err
			}
			pendRoot, err := tx.CreateBucketIfNotExists(bPending)
			if err != nil {
				return err
			}
			pend, err := pendRoot.CreateBucketIfNotExists([]byte("alice"))
			if err != nil {
				return err
			}
			for range 20000 {
				id++
				it := &Item{ID: id, Account: "alice", Method: MethodScrobble, Timestamp: int64(id), Added: time.Unix(int64(id), 0),
					Params: map[string]string{"artist": "Artist " + pad, "track": fmt.Sprint("Track ", id), "timestamp": fmt.Sprint(id)}}
				if err := putRawPending(items, pend, it); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		st, _ := os.Stat(path)
		size = st.Size()
	}
	db.Close()
	st, _ := os.Stat(path)
	b.Logf("journal of %.0f MiB, %d pending items", float64(st.Size())/(1<<20), id)
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			if err := checkBoltFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
	// From the disk, as after a reboot: the file's pages are dropped from
	// the page cache before each check.
	b.Run("cold", func(b *testing.B) {
		if err := evict(path); err != nil {
			b.Skip(err)
		}
		for b.Loop() {
			b.StopTimer()
			if err := evict(path); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := checkBoltFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}
