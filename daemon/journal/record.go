package journal

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/signer"
)

// MethodScrobble is the one batched method (the catalog's).
const MethodScrobble = signer.MethodScrobble

// State is where an item is in its life (docs/design.md#the-journals-states).
// It only moves forward: Pending (possibly in flight) to Sent or Dead; a dead
// letter goes back to Pending only on an explicit retry, an item whose
// answer is unknown only on a forced one.
type State string

// The states of an item.
const (
	Pending State = "pending" // in the journal, not yet answered by Last.fm
	// InFlight is a pending item whose batch is being sent right now: from
	// the moment its request leaves until its outcome is written. Operator
	// actions wait for that outcome instead of guessing (queue.go).
	InFlight State = "in_flight"
	Sent     State = "sent" // Last.fm answered; the Result is kept for a while
	Dead     State = "dead" // given up; kept until dropped
	// AnswerUnknown is "sent, answer unknown": Last.fm may have recorded
	// the item, and nothing can tell (salvage found it only on pages that
	// may have been freed after it was sent). It is never sent again by
	// itself: a retry asks for force, and its deduplication entry stays.
	AnswerUnknown State = "answer_unknown"
	Unknown       State = "unknown" // no such id (or its result expired)
)

// Item is the journal's record of one journalled call: a scrobble or an
// idempotent write (love, unlove, addTags, removeTag) that could not reach
// Last.fm. It is stored as this JSON in journal.db, and is the line format
// of `lastfmd queue export`, salvage's file and `queue import`: a file
// format, versioned with the journal (SchemaVersion). It is its own type:
// GET /v1/queue lists it converted explicitly (Doc) to the API's document,
// so renaming a field of the API never changes a file (TestItemFileFormat).
type Item struct {
	ID      uint64 `json:"id"`
	Account string `json:"account"`
	Method  string `json:"method"`
	// Params are the call's parameters: never indexed, never sk, api_key
	// or api_sig.
	Params map[string]string `json:"params"`
	// Timestamp is when a scrobbled track started (unix seconds); 0 for a
	// write.
	Timestamp int64     `json:"timestamp,omitempty"`
	Added     time.Time `json:"added"`
	Attempts  int       `json:"attempts,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Died      time.Time `json:"died,omitzero"`
	// MaybeSent: a send of it left lastfmd and no answer came back, so
	// Last.fm may have it (docs/journal.md#in-flight).
	MaybeSent bool `json:"maybe_sent,omitempty"`
	// Lane is the destination the record is for: a mirror's name, or
	// "lastfm" (which a file may leave out: the lines of a journal before
	// lanes are Last.fm's).
	Lane string `json:"lane,omitempty"`
}

// Doc is the item as the queue document lists it.
func (it *Item) Doc() api.QueueItem {
	return api.QueueItem{ID: it.ID, Destination: laneName(it.Lane), Account: it.Account, Method: it.Method, Params: it.Params, Timestamp: it.Timestamp,
		Added: it.Added, Attempts: it.Attempts, LastError: it.LastError, Reason: it.Reason, Died: it.Died, MaybeSent: it.MaybeSent}
}

// laneName is a file's lane: "" is Last.fm's.
func laneName(l string) string {
	if l == "" {
		return accounts.LastFM
	}
	return l
}

// Result is the destination's answer for one sent item.
type Result struct {
	ID        uint64 `json:"id"`
	Lane      string `json:"lane,omitempty"` // as Item.Lane
	Account   string `json:"account"`
	Method    string `json:"method"`
	Artist    string `json:"artist,omitempty"`
	Track     string `json:"track,omitempty"`
	Timestamp int64  `json:"timestamp,omitempty"`
	// Status is "accepted" or "ignored" (Last.fm filtered it: IgnoredCode).
	Status         string `json:"status"`
	IgnoredCode    int    `json:"ignored_code,omitempty"`
	IgnoredMessage string `json:"ignored_message,omitempty"`
	// Answer holds what Last.fm answered for the item: track, artist, album,
	// albumArtist (possibly corrected) and timestamp.
	Answer map[string]string `json:"answer,omitempty"`
	// Corrected names the fields Last.fm corrected (corrected="1"), with
	// the corrected value. Never applied automatically
	// (https://www.last.fm/api/scrobbling#scrobble-corrections).
	Corrected map[string]string `json:"corrected,omitempty"`
	Sent      time.Time         `json:"sent"`
}

// Result statuses.
const (
	StatusAccepted = "accepted"
	StatusIgnored  = "ignored"
	// StatusMaybe is the result kept for an item dropped while Last.fm may
	// have it (a send got no answer, or its answer is unknown): it keeps the
	// item's deduplication entry for the results window, so a client
	// resubmitting it does not send it twice.
	StatusMaybe = "dropped_maybe_sent"
	// StatusSkipped is a mirror's item not sent because the service lacks
	// the method (it answered error 3): settled, not a dead letter.
	StatusSkipped = "skipped"
)

// Outcome is what a submitter learns about one of its items.
type Outcome struct {
	ID        uint64
	State     State
	Result    *Result // when Sent
	Reason    string  // when Dead
	Duplicate bool    // the item had been submitted before (pending or sent)
}

// Done reports whether Last.fm answered (Sent) or lastfmd gave up (Dead).
func (o Outcome) Done() bool { return o.State == Sent || o.State == Dead }

func idKey(id uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], id)
	return b[:]
}

func keyID(k []byte) uint64 {
	if len(k) < 8 {
		return 0
	}
	return binary.BigEndian.Uint64(k[len(k)-8:])
}

// Pending index keys sort writes (love, tags) first, in submission order,
// then scrobbles by timestamp and id: the order Last.fm's guide asks for.
const (
	prefixWrite    = '0'
	prefixScrobble = '1'
)

// pendingKeyLen is the length of a send-order key (pendingKey).
const pendingKeyLen = 17

func pendingKey(it *Item) []byte {
	k := make([]byte, pendingKeyLen)
	if it.Method == MethodScrobble {
		k[0] = prefixScrobble
		binary.BigEndian.PutUint64(k[1:9], uint64(max(it.Timestamp, 0)))
	} else {
		k[0] = prefixWrite
	}
	binary.BigEndian.PutUint64(k[9:], it.ID)
	return k
}

// withID is an Item encoded with id 0 (tmpl) given its id: encode writes
// the id first, so the rest is kept as it is. It lets a transaction's
// records be encoded before the transaction, their ids taken inside it.
func withID(tmpl []byte, id uint64) []byte {
	const zero = `{"id":0`
	if !bytes.HasPrefix(tmpl, []byte(zero)) {
		panic("journal: withID: not an Item encoded with id 0") // encode's field order: cannot happen
	}
	out := make([]byte, 0, len(tmpl)+20)
	out = strconv.AppendUint(append(out, `{"id":`...), id, 10)
	return append(out, tmpl[len(zero):]...)
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("journal: cannot encode a record: " + err.Error()) // plain structs of strings and numbers: cannot happen
	}
	return b
}

// forEachItem calls f with each item stored in b (items or dead letters),
// in key order, and stops at the first error.
func forEachItem(b *bolt.Bucket, f func(*Item) error) error {
	return b.ForEach(func(_, v []byte) error {
		it, err := decodeItem(v)
		if err != nil {
			return err
		}
		return f(it)
	})
}

func decodeItem(b []byte) (*Item, error) {
	var it Item
	if err := json.Unmarshal(b, &it); err != nil {
		return nil, err
	}
	return &it, nil
}

func decodeResult(b []byte) (*Result, error) {
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// resultKey is the part of a Result that locates its deduplication entry:
// decoding it alone skips the answer's maps (pruneTx, inside a write
// transaction).
type resultKey struct {
	Method    string `json:"method"`
	Account   string `json:"account"`
	Artist    string `json:"artist,omitempty"`
	Track     string `json:"track,omitempty"`
	Timestamp int64  `json:"timestamp,omitempty"`
}

func decodeResultKey(b []byte) (*resultKey, error) {
	var r resultKey
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
