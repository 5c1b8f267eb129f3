package e2e_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// 100 distinct concurrent reads: the limiter lets through its burst, then
// queues callers at the rate for at most queue_wait; everyone else gets a
// 429 with error 29 and Retry-After. The daemon runs on a stopped clock, so
// the count is exact whatever the machine's load: every reservation is made
// at the same instant, the k-th waits (k-burst)/rate, and those over
// queue_wait are refused. The spacing in time is the limiter's unit test
// (TestLimiterSpacesCallsAtTheRate, in a synctest bubble).
func TestSafetyRateLimit(t *testing.T) {
	const rate, burst, queueWait = 10.0, 5, 2 * time.Second
	clock := newFakeClock()
	h := newHarness(t, withClock(clock), withRate(rate, burst), withQueueWait(queueWait))
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(fmt.Sprintf("%s/v1/artist.getInfo?artist=Rate%d", h.url, i))
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 429 && (!strings.Contains(string(body), `"error":29`) || resp.Header.Get("Retry-After") == "") {
				t.Errorf("429 without error 29 and Retry-After: %s", body)
			}
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	reached := h.emu.Count("artist.getInfo")
	// burst at once, then one per 1/rate up to and including queue_wait;
	// ±1 for the float rounding of the last reservation's delay.
	want := burst + int(rate*queueWait.Seconds())
	if reached < want-1 || reached > want+1 {
		t.Errorf("%d calls reached Last.fm; the limiter allows %d at one instant", reached, want)
	}
	if codes[200]+codes[429] != 100 || codes[200] != reached || codes[429] == 0 {
		t.Errorf("answers %v, %d reached Last.fm", codes, reached)
	}
}

func TestSafetyInputLimits(t *testing.T) {
	h := newHarness(t)
	many := make([]string, 0, 601)
	for i := 0; i < 601; i++ {
		many = append(many, fmt.Sprintf("p%d=x", i))
	}
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		status int
		msg    string
	}{
		{"601 parameters /v1/", "GET", "/v1/artist.getInfo?artist=Cher&" + strings.Join(many, "&"), "", 400, "600"},
		{"601 parameters /2.0/", "POST", "/2.0/?format=json", "method=artist.getInfo&" + strings.Join(many, "&"), 400, "600"},
		{"invalid UTF-8", "GET", "/v1/artist.getInfo?artist=%ff%fe", "", 400, "UTF-8"},
		{"invalid UTF-8 /2.0/", "GET", "/2.0/?method=artist.getInfo&artist=%c3%28&format=json", "", 400, "UTF-8"},
		{"name not UTF-8", "GET", "/v1/artist.getInfo?artist=Cher&%3Cscript%3E%ff=1", "", 400, "name is not valid UTF-8"},
		{"index over 49", "POST", "/2.0/?format=json", "method=track.scrobble&artist[50]=a&track[50]=b&timestamp[50]=1", 400, "artist[50]"},
		{"body over 1 MiB /2.0/", "POST", "/2.0/?format=json", "method=artist.getInfo&artist=" + strings.Repeat("x", 1<<20), 413, "larger"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var a answer
			if c.method == "GET" {
				a = h.get(c.path)
			} else {
				a = h.post(c.path, "application/x-www-form-urlencoded", c.body)
			}
			wantStatus(t, a, c.status)
			wantContains(t, a.body, c.msg)
		})
	}
	if n := h.emu.Count(""); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
}

// An <img src="http://127.0.0.1:7375/2.0/?method=track.love..."> on a web
// page: refused as cross-site, and even without the Sec-Fetch headers of
// older browsers refused as a write by GET. Nothing reaches Last.fm.
func TestSafetyImgGETWrite(t *testing.T) {
	h := newHarness(t)
	path := "/2.0/?method=track.love&artist=Cher&track=Believe&api_key=x&sk=x"
	a := h.get(path, "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors", "Sec-Fetch-Dest", "image", "Referer", "https://evil.example/")
	wantStatus(t, a, 403)
	a = h.get(path, "Accept", "image/avif,image/webp,*/*")
	wantStatus(t, a, 400)
	wantContains(t, a.body, `<error code="3">`)
	if n := h.emu.Count(""); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
}

// A unix socket listener is mode 0660 (its group may connect) and serves.
func TestSafetyUnixSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "lfd") // short path: sun_path is ~108 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "lastfmd.sock")
	m := bareMain("unix:"+sock, t.TempDir())
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done; m.Close() }()
	st, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o660 {
		t.Errorf("socket mode %v, want 0660", st.Mode().Perm())
	}
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	resp, err := c.Get("http://localhost/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz over the socket: %d", resp.StatusCode)
	}
	// A second daemon on the same socket refuses instead of stealing it.
	m2 := bareMain("unix:"+sock, t.TempDir())
	if err := m2.Open(); err == nil || !strings.Contains(err.Error(), "already") {
		t.Errorf("second daemon: %v", err)
	}
	m2.Close()
}
