package cache

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/fakeclock"
)

func body(n int) []byte { return []byte(strings.Repeat("x", n)) }

func TestTTLAndStaleIfError(t *testing.T) {
	clk := fakeclock.New(fakeclock.Start)
	c := New(Options{StaleIfError: time.Hour, Now: clk.Now})
	key := Key("user.getRecentTracks", map[string]string{"user": "rj"}, "")
	if !c.Set(key, Entry{Status: 200, ContentType: "application/json", Body: []byte(`{"a":1}`)}, time.Minute) {
		t.Fatal("Set refused")
	}
	tests := []struct {
		name      string
		advance   time.Duration
		fresh, ok bool
		age       time.Duration
	}{
		{"just stored", 0, true, true, 0},
		{"fresh, 59.9 s old", 59*time.Second + 900*time.Millisecond, true, true, 59 * time.Second},
		{"expired at exactly ttl, stale-usable", 100 * time.Millisecond, false, true, 60 * time.Second},
		{"stale-usable late in the window", time.Hour - time.Second, false, true, time.Hour + 59*time.Second},
		{"gone at Expires+StaleIfError", time.Second, false, false, 0},
		{"still gone", time.Hour, false, false, 0},
	}
	for _, tt := range tests {
		clk.Advance(tt.advance)
		e, fresh, ok := c.Get(key)
		if fresh != tt.fresh || ok != tt.ok {
			t.Fatalf("%s: Get = fresh %v ok %v, want %v %v", tt.name, fresh, ok, tt.fresh, tt.ok)
		}
		if ok {
			if string(e.Body) != `{"a":1}` || e.Status != 200 || e.ContentType != "application/json" {
				t.Errorf("%s: entry %+v", tt.name, e)
			}
			if got := e.Age(clk.Now()); got != tt.age {
				t.Errorf("%s: Age = %v, want %v", tt.name, got, tt.age)
			}
		}
	}
	s := c.Stats()
	if s.Hits != 2 || s.Entries != 0 || s.Bytes != 0 {
		t.Errorf("stats %+v, want 2 hits and an empty cache", s)
	}
}

func TestNoStaleIfError(t *testing.T) {
	clk := fakeclock.New(fakeclock.Start)
	c := New(Options{Now: clk.Now})
	c.Set("k", Entry{Body: []byte("b")}, time.Minute)
	clk.Advance(time.Minute)
	if _, _, ok := c.Get("k"); ok {
		t.Error("expired entry returned with StaleIfError 0")
	}
}

func TestSetStampsTimes(t *testing.T) {
	clk := fakeclock.New(fakeclock.Start)
	c := New(Options{Now: clk.Now})
	c.Set("k", Entry{Body: []byte("b"), Stored: time.Unix(1, 0), Expires: time.Unix(2, 0)}, time.Minute)
	e, _, _ := c.Get("k")
	if !e.Stored.Equal(clk.Now()) || !e.Expires.Equal(clk.Now().Add(time.Minute)) {
		t.Errorf("Stored %v Expires %v", e.Stored, e.Expires)
	}
	if e.Age(clk.Now().Add(-time.Second)) != 0 {
		t.Error("Age negative for a clock that went back")
	}
}

func TestSetRefuses(t *testing.T) {
	const max = 80_000
	tests := []struct {
		name string
		body int
		ttl  time.Duration
		want bool
	}{
		{"zero ttl", 10, 0, false},
		{"negative ttl", 10, -time.Second, false},
		{"exactly MaxBytes/8", max/8 - EntryOverhead - 1, time.Minute, true},
		{"one byte over MaxBytes/8", max/8 - EntryOverhead, time.Minute, false},
		{"far over", max, time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{MaxBytes: max})
			// An older answer under the key goes too: the caller has seen a newer one.
			c.Set("k", Entry{Body: body(1)}, time.Minute)
			if got := c.Set("k", Entry{Body: body(tt.body)}, tt.ttl); got != tt.want {
				t.Fatalf("Set = %v, want %v", got, tt.want)
			}
			e, _, ok := c.Get("k")
			if tt.want != ok || (ok && len(e.Body) != tt.body) {
				t.Errorf("Get after Set = %v, %v", e, ok)
			}
			if s := c.Stats(); !tt.want && (s.Entries != 0 || s.Bytes != 0) {
				t.Errorf("stats after refusal %+v", s)
			}
		})
	}
}

func TestByteBoundLRU(t *testing.T) {
	const bodyLen = 1000
	keyOf := func(i int) string { return fmt.Sprintf("k%03d", i) }
	entrySize := Size(keyOf(0), &Entry{Body: body(bodyLen)})
	c := New(Options{MaxBytes: 10 * entrySize})

	// Fill to exactly the bound.
	for i := 0; i < 10; i++ {
		c.Set(keyOf(i), Entry{Body: body(bodyLen)}, time.Hour)
	}
	if s := c.Stats(); s.Entries != 10 || s.Bytes != 10*entrySize || s.Evictions != 0 {
		t.Fatalf("full cache stats %+v", s)
	}
	// Touch 0 and 1: 2 is now the least recently used.
	c.Get(keyOf(0))
	c.Get(keyOf(1))
	// Peek does not count as use.
	c.Peek(keyOf(2))

	steps := []struct {
		add     int
		evicted []int
	}{
		{10, []int{2}},
		{11, []int{3}},
		{12, []int{4}},
	}
	for _, st := range steps {
		c.Set(keyOf(st.add), Entry{Body: body(bodyLen)}, time.Hour)
		for _, ev := range st.evicted {
			if _, _, ok := c.Get(keyOf(ev)); ok {
				t.Errorf("after adding %d: %d still cached", st.add, ev)
			}
		}
	}
	for _, kept := range []int{0, 1, 5, 10, 12} {
		if _, _, ok := c.Get(keyOf(kept)); !ok {
			t.Errorf("%d evicted", kept)
		}
	}
	if s := c.Stats(); s.Evictions != 3 || s.Bytes > s.MaxBytes || s.Entries != 10 {
		t.Errorf("stats %+v", s)
	}

	// A bigger entry evicts as many as it needs.
	c.Set("big", Entry{Body: body(int(c.Stats().MaxBytes/8) - 400)}, time.Hour)
	if s := c.Stats(); s.Bytes > s.MaxBytes || s.Evictions != 5 {
		t.Errorf("after big entry: %+v", s)
	}
}

func TestByteBoundNeverExceeded(t *testing.T) {
	const max = 64 << 10
	c := New(Options{MaxBytes: max})
	var sets int
	for i := 0; i < 5000; i++ {
		n := (i * 7919) % (max / 8)
		if c.Set(fmt.Sprint("key", i), Entry{ContentType: "text/xml", Body: body(n)}, time.Hour) {
			sets++
		}
		if s := c.Stats(); s.Bytes > max || s.Bytes < 0 {
			t.Fatalf("step %d: bytes %d", i, s.Bytes)
		}
	}
	s := c.Stats()
	if uint64(sets) != uint64(s.Entries)+s.Evictions {
		t.Errorf("stored %d, entries %d + evictions %d", sets, s.Entries, s.Evictions)
	}
	// Bytes agree with what is held.
	c.DeleteFunc(func(string) bool { return true })
	if s := c.Stats(); s.Bytes != 0 || s.Entries != 0 {
		t.Errorf("after clearing: %+v", s)
	}
}

func TestReplaceKeepsAccounting(t *testing.T) {
	c := New(Options{})
	c.Set("k", Entry{Body: body(100)}, time.Minute)
	c.Set("k", Entry{Body: body(10)}, time.Minute)
	if s := c.Stats(); s.Entries != 1 || s.Bytes != Size("k", &Entry{Body: body(10)}) {
		t.Errorf("stats %+v", s)
	}
	c.Delete("k")
	c.Delete("k")
	if s := c.Stats(); s.Entries != 0 || s.Bytes != 0 {
		t.Errorf("after Delete: %+v", s)
	}
}

func TestSetClipsOversizedBuffers(t *testing.T) {
	c := New(Options{})
	buf := make([]byte, 100, 1000)
	c.Set("loose", Entry{Body: buf}, time.Minute)
	e, _, _ := c.Get("loose")
	if cap(e.Body) != 100 || &e.Body[0] == &buf[0] {
		t.Errorf("loose buffer kept: cap %d", cap(e.Body))
	}
	tight := make([]byte, 100, 125)
	c.Set("tight", Entry{Body: tight}, time.Minute)
	if e, _, _ := c.Get("tight"); &e.Body[0] != &tight[0] {
		t.Error("tight buffer copied")
	}
}

func TestDeleteInvalidation(t *testing.T) {
	c := New(Options{})
	put := func(method string, params map[string]string, account string) string {
		k := Key(method, params, account)
		c.Set(k, Entry{Body: []byte(k)}, time.Hour)
		return k
	}
	lovedRJ := put("user.getLovedTracks", map[string]string{"user": "rj"}, "")
	lovedRJSigned := put("user.getLovedTracks", map[string]string{"user": "RJ", "limit": "5"}, "rj")
	lovedOther := put("user.getLovedTracks", map[string]string{"user": "rjx"}, "")
	infoRJ := put("track.getInfo", map[string]string{"artist": "Cher", "track": "Believe", "username": "Rj"}, "")
	infoNoUser := put("track.getInfo", map[string]string{"artist": "Cher", "track": "Believe"}, "")
	recentRJ := put("user.getRecentTracks", map[string]string{"user": "rj"}, "")
	tagsOwn := put("artist.getTags", map[string]string{"artist": "Cher"}, "rj")
	tagsOther := put("artist.getTags", map[string]string{"artist": "Cher"}, "bob")

	steps := []struct {
		name    string
		del     func() int
		n       int
		gone    []string
		present []string
	}{
		{
			"track.love by rj: loved tracks of rj, any case, signed or not",
			func() int { return c.DeleteMethodParam("user.getLovedTracks", "user", "rj") },
			2, []string{lovedRJ, lovedRJSigned}, []string{lovedOther, recentRJ},
		},
		{
			"track.love by rj: track.getInfo with username rj (method in any case)",
			func() int { return c.DeleteMethodParam("TRACK.GETINFO", "username", "RJ") },
			1, []string{infoRJ}, []string{infoNoUser},
		},
		{
			"artist.addTags by rj: getTags read signed by rj",
			func() int {
				return c.DeleteMethodFunc("artist.getTags", func(k string) bool {
					return KeyAccount(k) == "rj" && KeyHasParam(k, "artist", "cher")
				})
			},
			1, []string{tagsOwn}, []string{tagsOther},
		},
		{
			"unknown method deletes nothing",
			func() int { return c.DeleteMethodParam("user.getNothing", "user", "rj") },
			0, nil, []string{recentRJ},
		},
		{
			"DeleteFunc across methods",
			func() int {
				return c.DeleteFunc(func(k string) bool { return KeyHasParam(k, "user", "rj") })
			},
			1, []string{recentRJ}, []string{lovedOther, infoNoUser, tagsOther},
		},
	}
	for _, st := range steps {
		if n := st.del(); n != st.n {
			t.Errorf("%s: deleted %d, want %d", st.name, n, st.n)
		}
		for _, k := range st.gone {
			if _, _, ok := c.Get(k); ok {
				t.Errorf("%s: %q still cached", st.name, k)
			}
		}
		for _, k := range st.present {
			if _, _, ok := c.Get(k); !ok {
				t.Errorf("%s: %q deleted", st.name, k)
			}
		}
	}
	want := int64(0)
	for _, k := range []string{lovedOther, infoNoUser, tagsOther} {
		want += Size(k, &Entry{Body: []byte(k)})
	}
	if s := c.Stats(); s.Entries != 3 || s.Bytes != want {
		t.Errorf("stats %+v, want 3 entries, %d bytes", s, want)
	}
}

func TestCounters(t *testing.T) {
	c := New(Options{})
	c.Set("k", Entry{Body: []byte("b")}, time.Minute)
	c.Get("k")
	c.Get("k")
	c.Get("absent") // Get counts no misses: the caller does
	c.Peek("k")     // Peek counts nothing
	c.CountMiss()
	c.CountStale()
	c.CountStale()
	s := c.Stats()
	want := Stats{Entries: 1, Bytes: Size("k", &Entry{Body: []byte("b")}), MaxBytes: DefaultMaxBytes, Hits: 2, Misses: 1, Stale: 2}
	if s != want {
		t.Errorf("Stats = %+v\nwant    %+v", s, want)
	}
}

func TestConcurrentUse(t *testing.T) {
	// Run under -race: every operation at once, with eviction going on.
	c := New(Options{MaxBytes: 200 * (EntryOverhead + 200), StaleIfError: time.Minute})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				k := Key("user.getInfo", map[string]string{"user": fmt.Sprint(i % 300)}, "")
				switch (g + i) % 5 {
				case 0, 1:
					c.Set(k, Entry{Body: body(100)}, time.Minute)
				case 2:
					c.Get(k)
				case 3:
					c.DeleteMethodParam("user.getInfo", "user", fmt.Sprint(i%300))
				case 4:
					c.Stats()
				}
			}
		}(g)
	}
	wg.Wait()
	if s := c.Stats(); s.Bytes > s.MaxBytes {
		t.Errorf("stats %+v", s)
	}
}
