package journal

import (
	"slices"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// A direct write goes behind a pending write on the same target, and only
// then; the sender then sends both in that order.
func TestEnqueueBehind(t *testing.T) {
	e := newEnv(t, Tuning{}) // not started: what is pending stays pending
	believe := map[string]string{"artist": "Cher", "track": "Believe"}
	behind := func(account, method string, params map[string]string) (uint64, bool) {
		t.Helper()
		id, queued, err := e.j.EnqueueBehind(account, method, params)
		if err != nil {
			t.Fatal(err)
		}
		return id, queued
	}
	if _, queued := behind("alice", "track.unlove", believe); queued || e.j.Pending("alice") != 0 {
		t.Fatalf("nothing pending, yet journalled (queued %v, pending %d)", queued, e.j.Pending("alice"))
	}
	if _, err := e.j.Submit("alice", []Scrobble{scrobblesAt(time.Now().Add(-time.Minute))}); err != nil {
		t.Fatal(err)
	}
	if _, queued := behind("alice", "track.love", map[string]string{"artist": "A", "track": "Fresh"}); queued {
		t.Fatal("a pending scrobble of the track held a love back")
	}
	love, err := e.j.Enqueue("alice", "track.love", believe)
	if err != nil {
		t.Fatal(err)
	}
	unlove, queued := behind("alice", "track.unlove", map[string]string{"artist": "cher", "track": "BELIEVE", "sk": "secret"})
	if !queued || unlove <= love {
		t.Fatalf("unlove after a pending love: id %d, queued %v (love %d)", unlove, queued, love)
	}
	for _, c := range []struct {
		account, method string
		params          map[string]string
	}{
		{"alice", "track.love", map[string]string{"artist": "Cher", "track": "Strong Enough"}},
		{"alice", "track.addTags", map[string]string{"artist": "Cher", "track": "Believe", "tags": "pop"}},
		{"bob", "track.unlove", believe},
		{"alice", "track.updateNowPlaying", believe},
	} {
		if _, queued := behind(c.account, c.method, c.params); queued {
			t.Errorf("%s %s %v waits behind another target's write", c.account, c.method, c.params)
		}
	}
	batch, err := e.j.nextBatch(e.j.lastfm(), "alice", e.j.batchSize)
	if err != nil || len(batch) != 1 || batch[0].ID != love {
		t.Fatalf("first send %+v, %v; want the love %d alone", batch, err, love)
	}
	q, err := e.j.List(10, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range q.Items {
		if _, leaked := it.Params["sk"]; leaked {
			t.Errorf("item %d kept sk", it.ID)
		}
	}

	e.j.Start()
	eventually(t, "the journal to drain", func() bool { return e.j.Pending("alice") == 0 })
	if got := e.emu.Loved("alice"); len(got) != 0 {
		t.Errorf("loved %v after love then unlove", got)
	}
	if got := writesSent(e.emu, "track.love", "track.unlove"); !slices.Equal(got, []string{"track.love", "track.unlove"}) {
		t.Errorf("Last.fm received %v", got)
	}
	if _, queued := behind("alice", "track.love", believe); queued {
		t.Error("a settled write still holds one back")
	}
}

// A write the sender is sending is pending until its answer is committed:
// a write on its target waits for it.
func TestEnqueueBehindInFlight(t *testing.T) {
	e := newEnv(t, Tuning{})
	// Answered only when the emulator stops: the love is in flight until then.
	e.emu.Fail(emulator.Fault{Method: "track.love", Delay: waitfor.Bound, Times: 1})
	believe := map[string]string{"artist": "Cher", "track": "Believe"}
	if _, err := e.j.Enqueue("alice", "track.love", believe); err != nil {
		t.Fatal(err)
	}
	e.j.Start()
	eventually(t, "the love in flight", func() bool { return e.emu.Count("track.love") == 1 })
	if _, queued, err := e.j.EnqueueBehind("alice", "track.unlove", believe); err != nil || !queued {
		t.Fatalf("unlove while the love is in flight: queued %v, %v", queued, err)
	}
	if err := e.emu.Stop(); err != nil { // the love gets no answer: it stays pending
		t.Fatal(err)
	}
	if err := e.emu.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the journal to drain", func() bool { return e.j.Pending("alice") == 0 })
	if got := e.emu.Loved("alice"); len(got) != 0 {
		t.Errorf("loved %v after love then unlove", got)
	}
	if got := writesSent(e.emu, "track.unlove", "track.love"); got[len(got)-1] != "track.unlove" {
		t.Errorf("Last.fm received %v: the unlove was not last", got)
	}
}

// writesSent lists the methods of the requests the emulator received,
// among methods, in order.
func writesSent(emu *emulator.Server, methods ...string) []string {
	var out []string
	for _, r := range emu.Requests() {
		if slices.Contains(methods, r.Method) {
			out = append(out, r.Method)
		}
	}
	return out
}
