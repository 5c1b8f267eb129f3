package authflow

import (
	"context"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/fakeclock"
	"github.com/lastfmd/lastfmd/daemon/waitfor"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/upstream"
)

const (
	testKey    = "0123456789abcdef0123456789abcdef"
	testSecret = "unit-SECRET-value"
)

func newFakeClock() *fakeclock.Clock {
	return fakeclock.New(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
}

// instant is an After that fires at once.
func instant(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	return ch
}

// emuFlows is Flows talking to a real emulator over loopback.
type emuFlows struct {
	*Flows
	emu   *emulator.Server
	store *accounts.Store
	up    *upstream.Client
}

func newEmuFlows(t *testing.T, mod ...func(*Options)) *emuFlows {
	t.Helper()
	emu, err := emulator.New(emulator.Options{APIKey: testKey, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	emu.AddUser("alice", "alice-pw", false)
	emu.AddUser("bob", "bob-pw", false)
	up, err := upstream.New(upstream.Options{Endpoint: emu.URL(), APIKey: testKey, Secret: testSecret,
		Timeout: waitfor.Bound, UserAgent: "authflow-test"})
	if err != nil {
		t.Fatal(err)
	}
	store, err := accounts.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Upstream: up, Accounts: store, APIKey: testKey, AuthURL: emu.AuthURL(),
		PollInterval: 5 * time.Millisecond}
	for _, m := range mod {
		m(&o)
	}
	f, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return &emuFlows{Flows: f, emu: emu, store: store, up: up}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitfor.Bound)
	t.Cleanup(cancel)
	return ctx
}

func accountWith(name string) accounts.Account {
	return accounts.Account{Name: name, Key: "key-of-" + name, User: name}
}
