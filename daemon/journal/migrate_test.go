package journal

import (
	"maps"
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
	l, err := j.List(0, "")
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

// testdata/journal-v2.db was written by the build before lanes (commit
// c77bdf7, schema 2): journal-v1.db's content, plus an item of alice's
// whose answer is unknown and a pending scrobble of bob's marked maybe
// sent. Opened, every item becomes the lane "lastfm"'s, its parameters
// move into one play record, and nothing else changes.
func TestOpensJournalOfSchema2(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join("testdata", "journal-v2.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	// What the file held, read as schema 2 (the params inside each item).
	before := map[string]Item{}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.View(func(tx *bolt.Tx) error {
		for _, b := range []struct {
			name  []byte
			state State
		}{{bItems, Pending}, {bDead, Dead}, {bUnsure, AnswerUnknown}} {
			_ = forEachItem(tx.Bucket(b.name), func(it *Item) error {
				before[string(b.state)+"/"+strconv.FormatUint(it.ID, 10)] = *it
				return nil
			})
		}
		return nil
	})
	db.Close()
	if len(before) != 7 {
		t.Fatalf("the fixture holds %d items, want 7", len(before))
	}
	j, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	l, err := j.List(0, "")
	if err != nil {
		t.Fatal(err)
	}
	after := map[string]api.QueueItem{}
	for _, list := range []struct {
		items []api.QueueItem
		state State
	}{{l.Items, Pending}, {l.DeadLetters, Dead}, {l.Unsure, AnswerUnknown}} {
		for _, it := range list.items {
			if it.Destination != "lastfm" {
				t.Errorf("item %d is on lane %q", it.ID, it.Destination)
			}
			after[string(list.state)+"/"+strconv.FormatUint(it.ID, 10)] = it
		}
	}
	for k, b := range before {
		a, ok := after[k]
		if !ok {
			t.Errorf("%s (%s) lost in the migration", k, b.Params["track"])
			continue
		}
		if !maps.Equal(a.Params, b.Params) || a.Account != b.Account || a.Timestamp != b.Timestamp || a.MaybeSent != b.MaybeSent || a.Reason != b.Reason {
			t.Errorf("%s changed: %+v, was %+v", k, a, b)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d items after the migration, %d before", len(after), len(before))
	}
	// Stored once: the records hold no params; each play holds them.
	_ = j.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get(kVersion); string(v) != strconv.Itoa(SchemaVersion) {
			t.Errorf("version %q after migration", v)
		}
		for _, b := range [][]byte{bItems, bDead, bUnsure} {
			_ = forEachItem(tx.Bucket(b), func(it *Item) error {
				if it.Params != nil {
					t.Errorf("record %d of %s still holds its params", it.ID, b)
				}
				if tx.Bucket(bPlays).Get(idKey(it.ID)) == nil {
					t.Errorf("record %d of %s has no play", it.ID, b)
				}
				return nil
			})
		}
		if n := tx.Bucket(bPlays).Stats().KeyN; n != len(before) {
			t.Errorf("%d plays, want %d", n, len(before))
		}
		return nil
	})
	// The migrated journal sends: the pending items reach a sender as
	// before (their params read from the plays).
	batch, err := j.nextBatch(j.lastfm(), "bob", 50)
	if err != nil || len(batch) != 2 || batch[0].Params["artist"] != "Cher" {
		t.Fatalf("bob's batch after the migration: %v %v", batch, err)
	}
}
