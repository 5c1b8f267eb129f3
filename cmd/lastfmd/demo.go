package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// The demo's fixed credentials: they are only valid at the built-in
// emulator, never at Last.fm.
const (
	demoAPIKey = "00000000000000000000000000demo00"
	demoSecret = "demo-secret-not-a-real-one"
	demoUser   = "demo"
	// demoPassword is the demo user's password at the emulator, printed in
	// the banner (and docs/signing-in.md) so that `lastfmd auth mobile`
	// can be tried against the demo.
	demoPassword = "demo-password"
	// demoMirror is the demo's ListenBrainz mirror: a second emulator,
	// playing ListenBrainz's native API, where the demo user's plays go too.
	demoMirror = "listenbrainz"
)

func newDemoCmd(e *env) *cobra.Command {
	var listen string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Try lastfmd with a built-in Last.fm emulator: no key, no account, nothing leaves this machine",
		Long: "demo starts lastfmd on 127.0.0.1:7376 (never the port of an installed daemon) in front of\n" +
			"a built-in Last.fm emulator, with a demo account signed in and a temporary state directory.\n" +
			"A second emulator plays ListenBrainz, the demo's one mirror: every scrobble reaches both.",
		Example: "  lastfmd demo\n  lastfmd demo --listen 127.0.0.1:8000",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			return runDemo(e, listen, verbose)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", demoListen, "address for the demo daemon")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "log every request (debug level)")
	return cmd
}

func runDemo(e *env, listen string, verbose bool) error {
	emu, err := emulator.New(emulator.Options{APIKey: demoAPIKey, Secret: demoSecret})
	if err != nil {
		return fmt.Errorf("cannot start the emulator: %w", err)
	}
	defer emu.Close()
	emu.AddUser(demoUser, demoPassword, false)
	sk := emu.NewSession(demoUser)

	lb, err := emulator.New(emulator.Options{Service: emulator.ListenBrainz, Name: demoMirror})
	if err != nil {
		return fmt.Errorf("cannot start the ListenBrainz emulator: %w", err)
	}
	defer lb.Close()
	lbToken := lb.NewUserToken(demoUser)

	stateDir, err := os.MkdirTemp("", "lastfmd-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stateDir)
	store, err := accounts.Open(stateDir, nil)
	if err != nil {
		return err
	}
	if err := store.Put(accounts.Account{Name: demoUser, Key: sk, User: demoUser}); err != nil {
		return err
	}
	if err := store.PutMirror(demoUser, demoMirror, accounts.MirrorSession{Key: lbToken, User: demoUser}); err != nil {
		return err
	}

	cfg := config.Defaults()
	cfg.Listen = listen
	cfg.StateDir = stateDir
	cfg.LastFM.APIKey = demoAPIKey
	cfg.LastFM.APISecret = config.Secret(demoSecret)
	cfg.LastFM.Upstream = emu.URL()
	cfg.LastFM.AuthURL = emu.AuthURL()
	// The emulator has no rate limit to protect; keep the real default
	// shape but let the examples run quickly.
	cfg.LastFM.Rate, cfg.LastFM.Burst = 20, 20
	cfg.Mirrors = []config.Mirror{{Name: demoMirror, Type: config.MirrorTypeListenBrainz, APIRoot: lb.URL(),
		Rate: 20, Burst: 20, Timeout: cfg.LastFM.Timeout}}
	level := "warn"
	if verbose {
		level = "debug"
	}
	log, _, err := daemon.NewLogger(e.stderr, "text", level)
	if err != nil {
		return err
	}
	m := &daemon.Main{Config: &cfg, Log: log}
	if err := m.Open(); err != nil {
		m.Close()
		if strings.Contains(err.Error(), "address is in use") {
			return demoAddrInUse(listen)
		}
		return err
	}
	defer m.Close()
	url := m.URL()
	fmt.Fprintf(e.stdout, `lastfmd demo: a throwaway daemon in front of a built-in Last.fm emulator.
Nothing reaches Last.fm or ListenBrainz; the state directory is deleted when you stop it.

  daemon    %s
  page      %s (or: lastfmd open)
  emulator  %s
  mirror    %s: a built-in ListenBrainz emulator at %s
  account   %s (signed in, the default; on %s too, as %s)
  user      %s, password %s (try: lastfmd auth mobile --username %s)
  state     %s

Paste this into another shell, then try the calls below:

export LASTFMD_URL=%s

curl -s "$LASTFMD_URL/v1/artist.getInfo?artist=Cher"
curl -s "$LASTFMD_URL/v1/user.getRecentTracks?user=demo&limit=3"
curl -s -X POST "$LASTFMD_URL/v1/track.love" -d artist=Cher -d track=Believe
curl -s -X POST "$LASTFMD_URL/v1/track.scrobble" -H 'Content-Type: application/json' \
     -d "{\"artist\":\"Cher\",\"track\":\"Believe\",\"timestamp\":$(date +%%s)}"
curl -s "$LASTFMD_URL/2.0/?method=user.getLovedTracks&user=demo"      # Last.fm's own XML
curl -s "$LASTFMD_URL/v1/status"
lastfmd status          # the scrobble went to lastfm and to %s: a line for each
lastfmd open            # the page: accounts, queue, destinations, live

lastfmd demo ready at %s (Ctrl-C to stop)
`, url, m.PageURL(), emu.URL(), demoMirror, lb.URL(), demoUser, demoMirror, demoUser, demoUser, demoPassword, demoUser, stateDir, url, demoMirror, url)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return m.Run(ctx)
}

// demoAddrInUse says what holds the demo's address: a lastfmd (another
// demo, or a daemon from `lastfmd run`: both answer /healthz, and nothing
// safe to ask tells them apart), or another program.
func demoAddrInUse(listen string) error {
	const elsewhere = "run this demo elsewhere: `lastfmd demo --listen 127.0.0.1:0`"
	// A lastfmd on this machine answers /healthz at once; a program that
	// holds the port without answering must not keep the user waiting.
	if lastfmdAnswers("http://"+listen, time.Second) { // status_find.go
		return fmt.Errorf("%s is in use: a lastfmd answers there (another `lastfmd demo`, or a `lastfmd run` listening on it): stop it, or %s", listen, elsewhere)
	}
	return fmt.Errorf("%s is in use by another program: %s", listen, elsewhere)
}
