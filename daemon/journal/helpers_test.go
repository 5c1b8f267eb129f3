package journal

import (
	"context"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
	"github.com/lastfmd/lastfmd/signer"
)

// env is a journal in a temporary state_dir, sending to an emulator as
// account "alice".
type env struct {
	t     *testing.T
	dir   string
	emu   *emulator.Server
	store *accounts.Store
	up    *upstream.Client
	j     *Journal
}

func newEnv(t *testing.T, tune Tuning) *env {
	t.Helper()
	return newEnvIn(t, t.TempDir(), tune)
}

// newEnvAt is newEnv on an existing state_dir.
func newEnvAt(t *testing.T, dir string) *env {
	t.Helper()
	return newEnvIn(t, dir, Tuning{})
}

func newEnvIn(t *testing.T, dir string, tune Tuning) *env {
	t.Helper()
	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	emu.AddUser("alice", "pw", false)
	e := &env{t: t, dir: dir, emu: emu}
	e.store, err = accounts.Open(e.dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Put(accounts.Account{Name: "alice", Key: emu.NewSession("alice"), User: "alice"}); err != nil {
		t.Fatal(err)
	}
	e.up, err = upstream.New(upstream.Options{Endpoint: emu.URL(), APIKey: emu.APIKey(), Secret: emu.Secret(),
		Timeout: waitfor.Bound, Limiter: upstream.NewLimiter(1000, 1000, time.Second, nil)})
	if err != nil {
		t.Fatal(err)
	}
	e.j = e.open(tune)
	return e
}

// open opens the journal in e's state_dir with tune (test timings where
// zero) and mirrors.
func (e *env) open(tune Tuning, mirrors ...Mirror) *Journal {
	e.t.Helper()
	if tune.Poll == 0 {
		tune.Poll = 10 * time.Millisecond
	}
	if tune.BackoffBase == 0 {
		tune.BackoffBase = 10 * time.Millisecond
	}
	j, err := Open(Options{Dir: e.dir, Accounts: e.store, Upstream: e.up, MaxAge: 312 * time.Hour, Tuning: tune, Mirrors: mirrors})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { j.Close() })
	return j
}

// scrobbles makes n valid scrobbles, timestamped a minute apart in the
// last hours, titled prefix+i.
func scrobbles(n int, prefix string) []Scrobble {
	base := time.Now().Add(-time.Duration(n+5) * time.Minute).Unix()
	out := make([]Scrobble, n)
	for i := range out {
		ts := base + int64(i)*60
		p := map[string]string{"artist": "Artist", "track": prefix + strconv.Itoa(i), "timestamp": strconv.FormatInt(ts, 10)}
		sc, problems := signer.ParseScrobble(p)
		if len(problems) > 0 {
			panic(problems)
		}
		out[i] = sc
	}
	return out
}

// eventually waits for cond; the bound only catches a hang.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitfor.True(t, what, cond)
}

func waitAll(j *Journal, tickets []Ticket) []Outcome {
	return j.Wait(context.Background(), tickets, waitfor.Bound)
}

// putRawPending writes it pending in the layout of a journal before lanes
// (schema 2: the params inside the record), as an older lastfmd did.
func putRawPending(itemsB, pend *bolt.Bucket, it *Item) error {
	if err := itemsB.Put(idKey(it.ID), encode(it)); err != nil {
		return err
	}
	return pend.Put(pendingKey(it), nil)
}

// submitAged journals scrobbles older than max_age as if they had come in
// fresh before a long outage (Submit itself answers them ignored for
// Last.fm): the journal's sender then dead-letters them unsent. Only
// before Start: the senders read the lane's max_age.
func submitAged(t *testing.T, j *Journal, account string, items []Scrobble) []Ticket {
	t.Helper()
	ln := j.lastfm()
	keep := ln.maxAge
	ln.maxAge = 0
	defer func() { ln.maxAge = keep }()
	tk, err := j.Submit(account, items)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}
