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
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/fakeclock"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// harnessOpt changes the daemon's configuration, or the daemon itself,
// before newHarness opens it. Every option a test passes is one of these
// named ones.
type harnessOpt func(*config.Config, *daemon.Main)

// optEmulator is the emulator of the harness being built, for options that
// need it (tests here do not run in parallel).
var optEmulator *emulator.Server

// withSessionKeyFile configures the account "default" the way
// lastfm.session_key_file does, with a session of user at the emulator.
func withSessionKeyFile(user string, sk *string) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) {
		*sk = optEmulator.NewSession(user)
		c.LastFM.SessionKey = config.Secret(*sk)
	}
}

// withToken requires the listener token.
func withToken(t testing.TB) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) {
		p := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(p, []byte(testToken+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c.Security.TokenFile = p
		c.Security.Token = config.Secret(testToken)
	}
}

// withStateDir lets prepare change the state directory the harness made
// (the accounts stored in it) before the daemon opens; the daemon uses the
// directory prepare returns.
func withStateDir(prepare func(dir string) string) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) { c.StateDir = prepare(c.StateDir) }
}

// withUpstream points the daemon at another Last.fm stand-in.
func withUpstream(url string) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) { c.LastFM.Upstream = url }
}

// withRate sets the outbound limiter.
func withRate(rate float64, burst int) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) { c.LastFM.Rate, c.LastFM.Burst = rate, burst }
}

// withQueueWait shortens lastfm.queue_wait, so a call behind the global
// back-off is refused at once instead of waiting it out.
func withQueueWait(d time.Duration) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) { c.LastFM.QueueWait = config.Duration{Duration: d} }
}

// withTimeout bounds one upstream call.
func withTimeout(d time.Duration) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) { c.LastFM.Timeout = config.Duration{Duration: d} }
}

// noRetries makes lastfmd relay Last.fm's first answer (a 29 is otherwise
// retried with back-off).
func noRetries(c *config.Config, _ *daemon.Main) { c.LastFM.MaxRetries = 0 }

// shortTimeout gives up on Last.fm after 300 ms (the fault waits 5 s; a
// deadline, not a measured duration).
var shortTimeout = withTimeout(300 * time.Millisecond)

// withFastRetries shrinks the read retry pause and, when timeout > 0, the
// bound of one upstream call (a hang then ends within a second).
func withFastRetries(timeout time.Duration) harnessOpt {
	return func(c *config.Config, m *daemon.Main) {
		withPace(daemontest.Pace{RetryBase: 5 * time.Millisecond})(c, m)
		if timeout > 0 {
			withTimeout(timeout)(c, m)
		}
	}
}

// withPace shortens the daemon's waits (daemontest.SetPace).
func withPace(p daemontest.Pace) harnessOpt {
	return func(_ *config.Config, m *daemon.Main) { daemontest.SetPace(m, p) }
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
	return func(_ *config.Config, m *daemon.Main) { m.Now = now }
}

// withClock makes the daemon (cache TTLs, Age) run on clock.
func withClock(clock *fakeclock.Clock) harnessOpt { return withNow(clock.Now) }

// newFakeClock is a stopped clock at the wall clock's now: scrobble
// timestamps made from time.Now() stay within Last.fm's window.
func newFakeClock() *fakeclock.Clock { return fakeclock.New(time.Now()) }

// withListener has the daemon serve on l, as systemd's passed sockets.
func withListener(l net.Listener) harnessOpt {
	return func(_ *config.Config, m *daemon.Main) { m.Listener = l }
}

// withInfoLog logs at info to w, as a daemon runs, instead of the
// harness's debug log.
func withInfoLog(w io.Writer) harnessOpt {
	return func(_ *config.Config, m *daemon.Main) {
		m.Log = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
}

// quietLog logs at info, as a daemon runs, and nowhere: a benchmark with
// the harness's debug log would measure the logger.
var quietLog = withInfoLog(io.Discard)

// withLevel gives the daemon a changeable log level, as `lastfmd run` does.
func withLevel(lv *slog.LevelVar, logs *daemontest.Buffer) harnessOpt {
	return func(_ *config.Config, m *daemon.Main) {
		m.LogLevel = lv
		m.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: lv}))
	}
}
