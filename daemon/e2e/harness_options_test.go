package e2e_test

import (
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/fakeclock"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// harnessOpt changes the daemon of h (its configuration, h.m.Config, or
// the daemon itself) before newHarness opens it. Every option a test passes
// is one of these named ones.
type harnessOpt func(h *harness)

// withSessionKeyFile configures the account "default" the way
// lastfm.session_key_file does, with a session of user at the emulator.
func withSessionKeyFile(user string, sk *string) harnessOpt {
	return func(h *harness) {
		*sk = h.emu.NewSession(user)
		h.m.Config.LastFM.SessionKey = config.Secret(*sk)
	}
}

// withToken requires the listener token.
func withToken(t testing.TB) harnessOpt {
	return func(h *harness) {
		p := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(p, []byte(testToken+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		h.m.Config.Security.TokenFile = p
		h.m.Config.Security.Token = config.Secret(testToken)
	}
}

// withStateDir lets prepare change the state directory the harness made
// (the accounts stored in it) before the daemon opens; the daemon uses the
// directory prepare returns.
func withStateDir(prepare func(dir string) string) harnessOpt {
	return func(h *harness) { h.m.Config.StateDir = prepare(h.m.Config.StateDir) }
}

// withUpstream points the daemon at another Last.fm stand-in.
func withUpstream(url string) harnessOpt {
	return func(h *harness) { h.m.Config.LastFM.Upstream = url }
}

// withRate sets the outbound limiter.
func withRate(rate float64, burst int) harnessOpt {
	return func(h *harness) { h.m.Config.LastFM.Rate, h.m.Config.LastFM.Burst = rate, burst }
}

// withQueueWait shortens lastfm.queue_wait, so a call behind the global
// back-off is refused at once instead of waiting it out.
func withQueueWait(d time.Duration) harnessOpt {
	return func(h *harness) { h.m.Config.LastFM.QueueWait = config.Duration{Duration: d} }
}

// withTimeout bounds one upstream call.
func withTimeout(d time.Duration) harnessOpt {
	return func(h *harness) { h.m.Config.LastFM.Timeout = config.Duration{Duration: d} }
}

// noRetries makes lastfmd relay Last.fm's first answer (a 29 is otherwise
// retried with back-off).
func noRetries(h *harness) { h.m.Config.LastFM.MaxRetries = 0 }

// shortTimeout gives up on Last.fm after 300 ms (the fault waits 5 s; a
// deadline, not a measured duration).
var shortTimeout = withTimeout(300 * time.Millisecond)

// withFastRetries shrinks the read retry pause and, when timeout > 0, the
// bound of one upstream call (a hang then ends within a second).
func withFastRetries(timeout time.Duration) harnessOpt {
	return func(h *harness) {
		withPace(daemontest.Pace{RetryBase: 5 * time.Millisecond})(h)
		if timeout > 0 {
			withTimeout(timeout)(h)
		}
	}
}

// withPace shortens the daemon's waits (daemontest.SetPace).
func withPace(p daemontest.Pace) harnessOpt {
	return func(h *harness) { daemontest.SetPace(h.m, p) }
}

// withSignInPoll shortens the desktop sign-in's polling.
func withSignInPoll(d time.Duration) harnessOpt { return withPace(daemontest.Pace{SignInPoll: d}) }

// fastJournal shrinks the journal's back-off and polling so fault tests of
// minutes-long behaviour run in well under a second.
var fastJournal = journal.Tuning{BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second, Poll: 10 * time.Millisecond}

// withJournal sets the journal's timings.
func withJournal(t journal.Tuning) harnessOpt { return withPace(daemontest.Pace{Journal: t}) }

// withNow runs the daemon on now (cache, limiter, journal).
func withNow(now func() time.Time) harnessOpt {
	return func(h *harness) { h.m.Now = now }
}

// withClock makes the daemon (cache TTLs, Age) run on clock.
func withClock(clock *fakeclock.Clock) harnessOpt { return withNow(clock.Now) }

// newFakeClock is a stopped clock at the wall clock's now: scrobble
// timestamps made from time.Now() stay within Last.fm's window.
func newFakeClock() *fakeclock.Clock { return fakeclock.New(time.Now()) }

// withListener has the daemon serve on l, as systemd's passed sockets.
func withListener(l net.Listener) harnessOpt {
	return func(h *harness) { h.m.Listener = l }
}

// withInfoLog logs at info to w, as a daemon runs, instead of the
// harness's debug log.
func withInfoLog(w io.Writer) harnessOpt {
	return func(h *harness) {
		h.m.Log = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
}

// quietLog logs at info, as a daemon runs, and nowhere: a benchmark with
// the harness's debug log would measure the logger.
var quietLog = withInfoLog(io.Discard)

// withLevel gives the daemon a changeable log level, as `lastfmd run`
// does; it still logs to h.logs.
func withLevel(lv *slog.LevelVar) harnessOpt {
	return func(h *harness) {
		h.m.LogLevel = lv
		h.m.Log = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: lv}))
	}
}

// bareMain is a daemon, not yet opened and without the harness, on listen
// and stateDir with the test credentials and otherwise the defaults: no
// emulator, for tests of what Open refuses or how the daemon listens.
func bareMain(listen, stateDir string) *daemon.Main {
	cfg := config.Defaults()
	cfg.Listen = listen
	cfg.StateDir = stateDir
	cfg.LastFM.APIKey = testKey
	cfg.LastFM.APISecret = config.Secret(testSecret)
	return daemontest.Main(&cfg, nil, daemontest.Pace{})
}
