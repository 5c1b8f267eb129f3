package journal

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/signer"
)

// testdata/journal-v1.db was written by the build before schema 2 (commit
// cc27924): alice has three scrobbles pending (Strong Enough, If I Could
// Turn Back Time, Dov'è l'amore) and a love, one scrobble answered
// (Believe) and one dead letter; bob has one scrobble pending ("Song\tTab").
// It must open unchanged in content, with its deduplication rebuilt in the
// new key form.
func TestOpensJournalOfSchema1(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join("testdata", "journal-v1.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	st := j.Stats()
	if st.Pending != 4 || st.Dead != 1 || st.Results != 1 {
		t.Fatalf("pending %d, dead %d, results %d; want 4, 1, 1", st.Pending, st.Dead, st.Results)
	}
	_ = j.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get(kVersion); string(v) != strconv.Itoa(SchemaVersion) {
			t.Errorf("version %q after migration", v)
		}
		return nil
	})
	l, err := j.List(0)
	if err != nil {
		t.Fatal(err)
	}
	byTrack := map[string]api.QueueItem{}
	loves := 0
	for _, it := range append(l.Items, l.DeadLetters...) {
		if it.Method != MethodScrobble {
			loves++
			continue
		}
		byTrack[it.Params["track"]] = it
	}
	if loves != 1 {
		t.Errorf("%d loves after the migration, want 1", loves)
	}
	for _, track := range []string{"Strong Enough", "If I Could Turn Back Time", "Dov'è l'amore", "Song\tTab"} {
		if _, ok := byTrack[track]; !ok {
			t.Errorf("%q lost in the migration", track)
		}
	}
	// Every kept scrobble deduplicates under the new key: the answered
	// one and the pending ones are duplicates; the same names by another
	// account are not.
	again := func(account, track string) Ticket {
		t.Helper()
		it, ok := byTrack[track]
		ts := it.Timestamp
		if !ok { // the answered one: read its result
			ts = resultTimestamp(t, j, track)
		}
		sc, problems := signer.ParseScrobble(map[string]string{"artist": "Cher", "track": track, "timestamp": strconv.FormatInt(ts, 10)})
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		tk, err := j.Submit(account, []Scrobble{sc})
		if err != nil {
			t.Fatal(err)
		}
		return tk[0]
	}
	for _, track := range []string{"Believe", "If I Could Turn Back Time", "Dov'è l'amore"} {
		if tk := again("alice", track); !tk.Duplicate {
			t.Errorf("%q submitted again after the migration was journalled again (id %d)", track, tk.ID)
		}
	}
	if tk := again("carol", "Believe"); tk.Duplicate {
		t.Error("another account's scrobble was taken for a duplicate")
	}
}

func resultTimestamp(t *testing.T, j *Journal, track string) int64 {
	t.Helper()
	var ts int64
	_ = j.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bResults).ForEach(func(_, v []byte) error {
			if r, err := decodeResult(v); err == nil && r.Track == track {
				ts = r.Timestamp
			}
			return nil
		})
	})
	if ts == 0 {
		t.Fatalf("no result for %q", track)
	}
	return ts
}
