package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// The child lastfmd TestJournalCrashKill9 kills: the test binary run again
// as a whole daemon in its own process.

// crashChildEnv carries the child daemon's settings (JSON) to the re-executed
// test binary.
const crashChildEnv = "LASTFMD_CRASH_CHILD"

type crashChildConfig struct {
	StateDir, Upstream string
	// Mirror is the API root of a mirror "librefm" (an emulator as
	// Libre.fm); "" = none.
	Mirror string
	// ListenBrainz is the API root of a mirror "listenbrainz" (an
	// emulator as ListenBrainz); "" = none.
	ListenBrainz string
}

// TestJournalCrashChild is not a test: it is the child lastfmd of
// TestJournalCrashKill9, a whole daemon in its own process that the parent
// kills with SIGKILL. It prints its URL, then serves until killed.
func TestJournalCrashChild(t *testing.T) {
	raw := os.Getenv(crashChildEnv)
	if raw == "" {
		t.Skip("the child process of TestJournalCrashKill9")
	}
	var cc crashChildConfig
	if err := json.Unmarshal([]byte(raw), &cc); err != nil {
		t.Fatal(err)
	}
	m := bareMain("127.0.0.1:0", cc.StateDir)
	m.Config.LastFM.Upstream = cc.Upstream
	m.Config.LastFM.Rate, m.Config.LastFM.Burst = 1000, 1000
	if cc.Mirror != "" {
		m.Config.Mirrors = append(m.Config.Mirrors, daemontest.MirrorConfig(mirrorName, cc.Mirror, ""))
	}
	if cc.ListenBrainz != "" {
		m.Config.Mirrors = append(m.Config.Mirrors, config.Mirror{Name: lbName, Type: config.MirrorTypeListenBrainz,
			APIRoot: cc.ListenBrainz, Rate: 1000, Burst: 1000, Timeout: config.Duration{Duration: 30 * time.Second}})
	}
	log, _, err := daemon.NewLogger(os.Stderr, "text", "info")
	if err != nil {
		t.Fatal(err)
	}
	m.Log = log
	daemontest.SetPace(m, daemontest.Pace{Journal: fastJournal})
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("CHILD-URL %s\n", m.URL())
	m.Run(context.Background()) // until SIGKILL
}

// startChild runs the child daemon and returns its URL.
func startChild(t *testing.T, cc crashChildConfig, stderr io.Writer) (*exec.Cmd, string) {
	t.Helper()
	raw, _ := json.Marshal(cc)
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+string(raw))
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	urlc := make(chan string, 1)
	go func() {
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "CHILD-URL "); ok {
				urlc <- u
			}
		}
		close(urlc)
	}()
	select {
	case u, ok := <-urlc:
		if !ok {
			t.Fatal("the child daemon exited before it was ready")
		}
		go io.Copy(io.Discard, out)
		return cmd, u
	case <-time.After(waitfor.Bound):
		t.Fatal("the child daemon never got ready")
	}
	return nil, ""
}

// childQueue reads a child daemon's queue totals (zero when it does not
// answer), failing the test on a dead letter: after a restart nothing may
// be given up.
func childQueue(t *testing.T, url string) (pending int) {
	t.Helper()
	var q struct {
		Pending int `json:"pending"`
		Dead    int `json:"dead"`
	}
	if resp, err := http.Get(url + "/v1/queue"); err == nil {
		json.NewDecoder(resp.Body).Decode(&q)
		resp.Body.Close()
	}
	if q.Dead != 0 {
		t.Fatalf("%d dead letters after the restart", q.Dead)
	}
	return q.Pending
}
