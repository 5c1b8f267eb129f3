package e2e_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// The caller's last word stands (issue 21, point 4): a love queued while
// Last.fm answered 502, then an unlove of the same track (named in another
// case), ends unloved. The unlove waits in the journal behind the love
// while Last.fm keeps failing, and reaches Last.fm after it.
func TestWriteOrderLoveThenUnlove(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.emu.Fail(emulator.Fault{Method: "track.love", HTTPStatus: 502}) // until cleared: the replays fail too
	wantStatus(t, h.post("/v1/track.love", "application/json", `{"artist":"Cher","track":"Believe"}`), 202)
	a := h.post("/v1/track.unlove", "application/json", `{"artist":"cher","track":"BELIEVE"}`)
	wantStatus(t, a, 202)
	wantContains(t, a.body, `"queued":1`, `"method":"track.unlove"`, "same target")
	waitFor(t, "the love replayed and failed again", func() bool { return h.emu.Count("track.love") >= 3 })
	if n := h.emu.Count("track.unlove"); n != 0 {
		t.Fatalf("the unlove went out %d times while the love was still queued", n)
	}
	h.emu.ClearFaults()
	h.settled()
	if loved := h.emu.Loved("alice"); len(loved) != 0 {
		t.Errorf("loved %v: the love overtook the unlove", loved)
	}
	if last := h.lastOf("track.love", "track.unlove"); last != "track.unlove" || h.emu.Count("track.unlove") != 1 {
		t.Errorf("Last.fm received %s last and the unlove %d times", last, h.emu.Count("track.unlove"))
	}
}

// The same for tags: addTags queued by a 502, then removeTag of that tag
// through /2.0/ (answered as a queued write there: 200 and
// X-Lastfmd-Queued), ends without the tag.
func TestWriteOrderAddTagsThenRemoveTag(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.emu.Fail(emulator.Fault{Method: "track.addTags", HTTPStatus: 502})
	wantStatus(t, h.post("/v1/track.addTags", "application/json", `{"artist":"Cher","track":"Believe","tags":"diva,pop"}`), 202)
	a := h.postForm("/2.0/", url.Values{"method": {"track.removeTag"}, "artist": {"Cher"}, "track": {"Believe"}, "tag": {"diva"}, "sk": {"alice"}})
	wantStatus(t, a, 200)
	if a.header.Get("X-Lastfmd-Queued") != "1" || !strings.Contains(a.body, `<lfm status="ok"></lfm>`) {
		t.Fatalf("removeTag behind a queued addTags: %v %s", a.header, a.body)
	}
	waitFor(t, "the addTags replayed and failed again", func() bool { return h.emu.Count("track.addTags") >= 3 })
	if n := h.emu.Count("track.removeTag"); n != 0 {
		t.Fatalf("the removeTag went out %d times while the addTags was still queued", n)
	}
	h.emu.ClearFaults()
	h.settled()
	if got := h.emu.Tags("alice")["track:Cher - Believe"]; !slices.Equal(got, []string{"pop"}) {
		t.Errorf("tags %v, want [pop]: the addTags overtook the removeTag", got)
	}
	if last := h.lastOf("track.addTags", "track.removeTag"); last != "track.removeTag" {
		t.Errorf("Last.fm received %s last", last)
	}
}

// A direct write on another target goes out at once while a write is
// queued: another track, the tags of the queued love's track, another
// account. Each is at Last.fm when its answer comes.
func TestWriteOrderOtherTargetsGoDirect(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	wantStatus(t, h.post("/v1/track.love", "application/json", `{"artist":"Cher","track":"Strong Enough"}`), 200)
	h.emu.Fail(emulator.Fault{Method: "track.love", HTTPStatus: 502})
	wantStatus(t, h.post("/v1/track.love", "application/json", `{"artist":"Cher","track":"Believe"}`), 202)

	wantStatus(t, h.post("/v1/track.unlove", "application/json", `{"artist":"Cher","track":"Strong Enough"}`), 200)
	if loved := h.emu.Loved("alice"); slices.Contains(loved, "Cher - Strong Enough") {
		t.Errorf("another track's unlove answered but not sent: loved %v", loved)
	}
	wantStatus(t, h.post("/v1/track.addTags", "application/json", `{"artist":"Cher","track":"Believe","tags":"pop"}`), 200)
	if got := h.emu.Tags("alice")["track:Cher - Believe"]; !slices.Equal(got, []string{"pop"}) {
		t.Errorf("the queued love's track: tags %v answered but not sent", got)
	}
	wantStatus(t, h.post("/v1/track.unlove", "application/json", `{"artist":"Cher","track":"Believe"}`, "X-Lastfmd-Account", "bob"), 200)
	if n := h.emu.Count("track.unlove"); n != 2 {
		t.Errorf("bob's unlove: %d unloves at Last.fm, want 2", n)
	}

	h.emu.ClearFaults()
	h.settled()
	if loved := h.emu.Loved("alice"); !slices.Equal(loved, []string{"Cher - Believe"}) {
		t.Errorf("loved %v, want the queued love alone", loved)
	}
}

// lastOf is the method of the last request the emulator received among
// methods ("" if none).
func (h *harness) lastOf(methods ...string) string {
	reqs := h.emu.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if slices.Contains(methods, reqs[i].Method) {
			return reqs[i].Method
		}
	}
	return ""
}
