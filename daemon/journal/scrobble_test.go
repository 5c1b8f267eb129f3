package journal

import (
	"bytes"
	"testing"
)

func TestDedupKeyIgnoresCaseAndSpace(t *testing.T) {
	a := dedupKey("alice", Scrobble{Artist: "Björk", Track: "Jóga", Timestamp: 5})
	b := dedupKey("alice", Scrobble{Artist: " BJÖRK ", Track: "jóga", Timestamp: 5})
	if string(a) != string(b) {
		t.Errorf("%q != %q", a, b)
	}
	for _, other := range [][]byte{
		dedupKey("bob", Scrobble{Artist: "Björk", Track: "Jóga", Timestamp: 5}),
		dedupKey("alice", Scrobble{Artist: "Björk", Track: "Jóga", Timestamp: 6}),
		dedupKey("alice", Scrobble{Artist: "Björk", Track: "Hyper-ballad", Timestamp: 5}),
	} {
		if string(a) == string(other) {
			t.Errorf("%q collides with %q", a, other)
		}
	}
}

// Two scrobbles whose names differ only in where a NUL falls were one
// key when the fields were joined with NUL (issue 21, point 5).
func TestDedupKeyTellsScrobblesApart(t *testing.T) {
	for _, tt := range []struct {
		name       string
		a, b       Scrobble
		accA, accB string
		same       bool
	}{
		{"NUL moved between artist and track", Scrobble{Artist: "A", Track: "B\x00C", Timestamp: 1}, Scrobble{Artist: "A\x00B", Track: "C", Timestamp: 1}, "x", "x", false},
		{"NUL moved into the account", Scrobble{Artist: "B", Track: "C", Timestamp: 1}, Scrobble{Artist: "x\x00B", Track: "C", Timestamp: 1}, "x\x00", "", false},
		{"case and surrounding space", Scrobble{Artist: " Cher", Track: "BELIEVE ", Timestamp: 1}, Scrobble{Artist: "cher", Track: "believe", Timestamp: 1}, "x", "x", true},
		{"another timestamp", Scrobble{Artist: "A", Track: "B", Timestamp: 1}, Scrobble{Artist: "A", Track: "B", Timestamp: 256}, "x", "x", false},
		{"another account", Scrobble{Artist: "A", Track: "B", Timestamp: 1}, Scrobble{Artist: "A", Track: "B", Timestamp: 1}, "x", "y", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			same := bytes.Equal(dedupKey(tt.accA, tt.a), dedupKey(tt.accB, tt.b))
			if same != tt.same {
				t.Errorf("same key = %v, want %v", same, tt.same)
			}
		})
	}
}

// FuzzDedupKey hunts for two distinct scrobbles with one key: equal keys
// must mean equal accounts, names (as compared) and timestamps.
func FuzzDedupKey(f *testing.F) {
	f.Add("x", "A", "B\x00C", int64(1), "x", "A\x00B", "C", int64(1))
	f.Add("a\x00", "b", "c", int64(0), "a", "\x00b", "c", int64(0))
	f.Add("", "\x05alice", "", int64(7), "alice", "", "", int64(7))
	f.Fuzz(func(t *testing.T, acc1, ar1, tr1 string, ts1 int64, acc2, ar2, tr2 string, ts2 int64) {
		if ts1 < 0 || ts2 < 0 {
			return // ParseScrobble takes digits only
		}
		k1 := dedupKey(acc1, Scrobble{Artist: ar1, Track: tr1, Timestamp: ts1})
		k2 := dedupKey(acc2, Scrobble{Artist: ar2, Track: tr2, Timestamp: ts2})
		if !bytes.Equal(k1, k2) {
			return
		}
		if acc1 != acc2 || normName(ar1) != normName(ar2) || normName(tr1) != normName(tr2) || ts1 != ts2 {
			t.Fatalf("one key for (%q %q %q %d) and (%q %q %q %d)", acc1, ar1, tr1, ts1, acc2, ar2, tr2, ts2)
		}
	})
}
