package service

import (
	"context"
	"log/slog"
	"sync"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"
	"github.com/lastfmd/lastfmd/internal/clip"
)

// Notifier speaks systemd's notify protocol (sd_notify(3),
// https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html)
// when $NOTIFY_SOCKET is set (Type=notify), and does nothing otherwise: in a
// terminal, under launchd or on Windows.
type Notifier struct {
	// Log receives a warning when the socket cannot be reached; nil = none.
	Log *slog.Logger

	once sync.Once
}

// send sends one state message. The service manager is what is told, so a
// failure can only be logged; it is logged once, not at every ping.
func (n *Notifier) send(state string) bool {
	ok, err := sd.SdNotify(false, state)
	if err != nil && n.Log != nil {
		n.once.Do(func() { n.Log.Warn("cannot notify systemd ($NOTIFY_SOCKET)", "err", err) })
	}
	return ok
}

// Ready tells systemd the daemon is listening (READY=1): with Type=notify,
// `systemctl start` returns and units ordered after lastfmd start now.
// status is shown by `systemctl status`.
func (n *Notifier) Ready(status string) {
	n.send(sd.SdNotifyReady + "\nSTATUS=" + clip.Line(status, 0))
}

// Reloading tells systemd a reload (SIGHUP) began; Ready ends it.
func (n *Notifier) Reloading() {
	n.send(sd.SdNotifyReloading + "\n" + sd.SdNotifyMonotonicUsec())
}

// Stopping tells systemd the daemon is shutting down (STOPPING=1).
func (n *Notifier) Stopping() {
	n.send(sd.SdNotifyStopping + "\nSTATUS=draining requests, then stopping")
}

// Status updates the one-line status `systemctl status` shows.
func (n *Notifier) Status(status string) {
	n.send("STATUS=" + clip.Line(status, 0))
}

// Watchdog keeps systemd's watchdog (WatchdogSec=) fed until ctx ends: at
// half the interval systemd asked for ($WATCHDOG_USEC), it runs check and
// sends WATCHDOG=1 only if check passes. A daemon whose check keeps failing
// for a whole WatchdogSec is then killed and restarted (Restart=on-failure).
// check must reflect the daemon itself (its request handling, its journal),
// never Last.fm: an outage upstream is no reason to restart. Watchdog
// returns at once when no watchdog was asked for.
func (n *Notifier) Watchdog(ctx context.Context, check func(context.Context) error) {
	interval, err := sd.SdWatchdogEnabled(false)
	if err != nil && n.Log != nil {
		n.Log.Warn("ignoring systemd's watchdog settings", "err", err)
	}
	if interval <= 0 {
		return
	}
	tick := time.NewTicker(interval / 2)
	defer tick.Stop()
	healthy := true
	for {
		// A check may take a quarter of the interval: a ping still
		// arrives in time after a slow one.
		cctx, cancel := context.WithTimeout(ctx, max(interval/4, time.Millisecond))
		err := check(cctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			n.send(sd.SdNotifyWatchdog)
			if !healthy && n.Log != nil {
				n.Log.Info("healthy again: watchdog pings resumed")
				n.Status("serving")
			}
			healthy = true
		case healthy:
			healthy = false
			if n.Log != nil {
				n.Log.Error("self-check failed: withholding the watchdog ping; systemd restarts lastfmd if this lasts", "err", err, "watchdog", interval)
			}
			n.Status("unhealthy: " + err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
