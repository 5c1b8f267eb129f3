package e2e_test

import (
	"encoding/json"
	"testing"
	"time"
)

// `lastfmd import`'s requests (X-Lastfmd-Import: 1) go through the import
// ledger: the same plays imported again, after the results window, are
// answered "duplicate" and sent nowhere (docs/importing.md).
func TestImportLedgerThroughV1(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, withClock(clock), withJournal(fastJournal))
	its := items(3, "imp", clock.Now())
	a := h.post("/v1/track.scrobble", "application/json", jsonOf(its), append([]string{"X-Lastfmd-Import", "1"}, answeredWait...)...)
	wantStatus(t, a, 200)
	waitFor(t, "delivered", func() bool { return len(h.emu.Scrobbles("alice")) == 3 })
	clock.Advance(8 * 24 * time.Hour) // past the results window: deduplication forgets
	again := h.post("/v1/track.scrobble", "application/json", jsonOf(its), "X-Lastfmd-Import", "1", "Prefer", "wait=0")
	wantStatus(t, again, 200)
	var v struct {
		Duplicates int `json:"duplicates"`
		Scrobbles  []struct {
			Status string `json:"status"`
		} `json:"scrobbles"`
	}
	if err := json.Unmarshal([]byte(again.body), &v); err != nil {
		t.Fatal(err)
	}
	if v.Duplicates != 3 || v.Scrobbles[0].Status != "duplicate" {
		t.Fatalf("second import: %s", again.body)
	}
	steady(t, "nothing sent again", 100*time.Millisecond, func() int { return len(h.emu.Scrobbles("alice")) })
	if n := len(h.emu.Scrobbles("alice")); n != 3 {
		t.Errorf("Last.fm has %d", n)
	}
}
