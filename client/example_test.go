package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// A Go program reads through the daemon, sees a refusal decoded, and asks
// for the status document. (The daemon here runs in front of the built-in
// Last.fm emulator, as `lastfmd demo` does; a program would use the
// address and token of the daemon it runs on.)
func Example() {
	addr, stop := startDaemon()
	defer stop()

	c, err := client.New(addr) // client.WithToken(...) when security.token_file is set
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	ans, err := c.Call(ctx, "artist.getInfo", map[string]string{"artist": "Cher"}, "")
	if err != nil {
		log.Fatal(err)
	}
	var info struct {
		Artist struct {
			Name string `json:"name"`
		} `json:"artist"`
	}
	if err := json.Unmarshal(ans.Body, &info); err != nil {
		log.Fatal(err)
	}
	fmt.Println("artist:", info.Artist.Name)

	// A write as an account that is not signed in: refused with
	// Last.fm's error 6, and nothing is sent.
	_, err = c.Call(ctx, "track.love", map[string]string{"artist": "Cher", "track": "Believe"}, "nobody")
	if e, ok := client.AsError(err); ok {
		fmt.Println("refused: HTTP", e.Status, "error", e.Code)
	}

	st, err := c.Status(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pending scrobbles:", st.Queue.Pending)
	// Output:
	// artist: Cher
	// refused: HTTP 400 error 6
	// pending scrobbles: 0
}

// startDaemon runs a daemon on a free loopback port in front of a fresh
// emulator, with its state in a temporary directory.
func startDaemon() (addr string, stop func()) {
	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		log.Fatal(err)
	}
	state, err := os.MkdirTemp("", "lastfmd-example-")
	if err != nil {
		log.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.Listen = "127.0.0.1:0"
	cfg.StateDir = state
	cfg.LastFM.APIKey = emulator.DefaultAPIKey
	cfg.LastFM.APISecret = config.Secret(emulator.DefaultSecret)
	cfg.LastFM.Upstream = emu.URL()
	m := &daemon.Main{Config: &cfg, Log: slog.New(slog.DiscardHandler)}
	if err := m.Open(); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	return m.URL(), func() {
		cancel()
		<-done
		m.Close()
		emu.Close()
		os.RemoveAll(state)
	}
}
