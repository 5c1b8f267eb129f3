package journal

import (
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// An answer the journal does not understand settles nothing: the batch
// stays queued, says why, and goes again after a back-off until Last.fm
// answers (it was "accepted" and lost before).
func TestNotUnderstoodAnswerKeepsScrobblesQueued(t *testing.T) {
	for _, fault := range []emulator.AnswerFault{emulator.AnswerUnexpected, emulator.AnswerHTML, emulator.AnswerTruncated, emulator.AnswerRedirect} {
		t.Run(string(fault), func(t *testing.T) {
			e := newEnv(t, Tuning{})
			e.emu.Fail(emulator.Fault{Method: "track.scrobble", Answer: fault})
			if _, err := e.j.Submit("alice", scrobbles(2, "n")); err != nil {
				t.Fatal(err)
			}
			e.j.Start()
			eventually(t, "a second attempt", func() bool { return e.emu.Count("track.scrobble") >= 2 })
			l, err := e.j.List(0, "")
			if err != nil {
				t.Fatal(err)
			}
			if l.Pending != 2 || l.Dead != 0 || len(l.Items) != 2 || l.Items[0].Attempts < 1 || l.Items[0].LastError == "" {
				t.Fatalf("while answers are not Last.fm's: %+v", l)
			}
			if fault == emulator.AnswerUnexpected && !strings.Contains(l.Items[0].LastError, "not understood") {
				t.Errorf("last error %q", l.Items[0].LastError)
			}
			e.emu.ClearFaults()
			eventually(t, "delivery", func() bool { return e.j.Stats().Pending == 0 })
			if l, _ := e.j.List(0, ""); l.Dead != 0 {
				t.Errorf("dead letters: %+v", l.DeadLetters)
			}
			if n := len(e.emu.Scrobbles("alice")); n < 2 {
				t.Errorf("%d delivered", n)
			}
		})
	}
}
