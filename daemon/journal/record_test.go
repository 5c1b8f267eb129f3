package journal

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/api"
)

// The journal's record is a file format (journal.db, queue export, salvage
// files): its JSON is pinned here, and it is not the API's document, so
// renaming a field of api.QueueItem cannot change it (issue 22, point 3).
func TestItemFileFormat(t *testing.T) {
	if reflect.TypeFor[Item]() == reflect.TypeFor[api.QueueItem]() {
		t.Fatal("the journal's record is the API's document: a renamed API field would change the file")
	}
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	it := Item{ID: 7, Account: "alice", Method: MethodScrobble, Params: map[string]string{"artist": "Cher", "track": "Believe", "timestamp": "1796436000"},
		Timestamp: 1796436000, Added: at, Attempts: 2, LastError: "Last.fm is unreachable", Reason: "why", Died: at.Add(time.Hour), MaybeSent: true}
	const want = `{"id":7,"account":"alice","method":"track.scrobble","params":{"artist":"Cher","timestamp":"1796436000","track":"Believe"},` +
		`"timestamp":1796436000,"added":"2026-12-05T12:00:00Z","attempts":2,"last_error":"Last.fm is unreachable","reason":"why",` +
		`"died":"2026-12-05T13:00:00Z","maybe_sent":true}`
	if got := string(encode(&it)); got != want {
		t.Errorf("the record's JSON changed (a file format: migrate the journal, SchemaVersion):\n got %s\nwant %s", got, want)
	}
	var back Item
	if err := json.Unmarshal([]byte(want), &back); err != nil || !reflect.DeepEqual(back, it) {
		t.Errorf("decoded %+v %v", back, err)
	}
	// The document carries every field the record has, by explicit
	// conversion.
	doc := it.Doc()
	if doc.ID != it.ID || doc.Params["track"] != "Believe" || !doc.MaybeSent || !doc.Died.Equal(it.Died) || doc.InFlight {
		t.Errorf("Doc() = %+v", doc)
	}
}

// withID gives a record encoded before its transaction the id taken in it,
// byte for byte as encoding it with that id would.
func TestWithID(t *testing.T) {
	for _, id := range []uint64{1, 9, 10, 123456789, 1<<64 - 1} {
		it := Item{Account: "alice", Method: MethodScrobble, Params: map[string]string{"artist": "A", "track": "T"}, Timestamp: 5}
		tmpl := encode(&it)
		it.ID = id
		if got, want := withID(tmpl, id), encode(&it); string(got) != string(want) {
			t.Errorf("id %d: %s, want %s", id, got, want)
		}
	}
}
