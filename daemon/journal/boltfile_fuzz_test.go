package journal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// FuzzCheckFile: the journal check and the salvage reader parse a file that
// may hold anything. Neither may panic, read past the file or allocate
// beyond it; a file the check passes opens, or is named damaged, and is
// never a crash.
//
//	go test -run='^$' -fuzz='^FuzzCheckFile$' -fuzztime=60s ./daemon/journal/
//
// On the project's 2-core machine `go test -fuzz` crawls here (coverage
// instrumentation); the test binary run directly fuzzes without it at
// ~2,000 runs/s: go test -c -o /tmp/jt ./daemon/journal/ &&
// /tmp/jt -test.run='^$' -test.fuzz='^FuzzCheckFile$' -test.fuzztime=60s
func FuzzCheckFile(f *testing.F) {
	dir := f.TempDir()
	j, err := Open(Options{Dir: dir})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := j.Submit("alice", scrobbles(40, "f")); err != nil {
		f.Fatal(err)
	}
	j.Close()
	good, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:20000])
	f.Add(good[:8192])
	f.Add([]byte{})
	f.Add([]byte("not a journal"))
	work := filepath.Join(f.TempDir(), FileName)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(work, data, 0o600); err != nil {
			t.Fatal(err)
		}
		readDamaged(work)
		err := CheckFile(work)
		var d *DamagedError
		if err != nil && !errors.As(err, &d) {
			t.Fatalf("CheckFile: %v is not a DamagedError", err)
		}
		if err != nil || len(data) == 0 {
			return
		}
		// Passed: bbolt reads every record of it without a panic or a
		// fault (guard would turn one into "it cannot be read").
		err = guard(work, func() error {
			db, err := bolt.Open(work, 0o600, &bolt.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			return db.View(func(tx *bolt.Tx) error {
				return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return readAll(b) })
			})
		})
		if errors.As(err, &d) {
			t.Fatalf("the check passed a file bbolt cannot read: %v", err)
		}
	})
}

// readAll reads every key and value of b and its nested buckets.
func readAll(b *bolt.Bucket) error {
	if b == nil {
		return nil // not found by its key: bbolt's lookup, not a crash
	}
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				return readAll(nb)
			}
		}
		return nil
	})
}
