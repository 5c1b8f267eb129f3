package proxy

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// userNames knows each account's Last.fm user name. Accounts signed in
// through a flow carry it; the "default" account from session_key_file has
// only a key, so its name is learned once with a signed user.getInfo.
// Lookups of different accounts never wait for each other, concurrent ones
// of the same account make one call, and a failed lookup is not repeated
// for a minute (each write would otherwise spend a limiter token on it).
type userNames struct {
	svc    *Proxy
	flight singleflight.Group
	mu     sync.Mutex
	known  map[string]string    // account name -> user
	failed map[string]time.Time // account name -> when a lookup last failed
}

// retryUserLookup is how long a failed lookup is not retried.
const retryUserLookup = time.Minute

func (u *userNames) name(ctx context.Context, a accounts.Account) string {
	if a.User != "" {
		return a.User
	}
	u.mu.Lock()
	n, ok := u.known[a.Name]
	failedAt, failed := u.failed[a.Name]
	u.mu.Unlock()
	if ok {
		return n
	}
	if failed && u.svc.now().Sub(failedAt) < retryUserLookup {
		return ""
	}
	v, _, _ := u.flight.Do(a.Name, func() (any, error) {
		name := u.lookup(ctx, a)
		u.mu.Lock()
		if name != "" {
			u.known[a.Name] = name
			delete(u.failed, a.Name)
		} else {
			u.failed[a.Name] = u.svc.now()
		}
		u.mu.Unlock()
		return name, nil
	})
	return v.(string)
}

// lookup asks Last.fm, through the same path as any signed read (a refused
// key marks the account as needing sign-in).
func (u *userNames) lookup(ctx context.Context, a accounts.Account) string {
	r, err := u.svc.send(ctx, upstream.Call{Method: "user.getInfo", Params: map[string]string{"format": "json"}, SessionKey: a.Key, Post: true},
		a.Name, signer.CallerRead)
	if err != nil || r.Failed() {
		return ""
	}
	var v struct {
		User struct {
			Name string `json:"name"`
		} `json:"user"`
	}
	if json.Unmarshal(r.Body, &v) != nil || v.User.Name == "" {
		return ""
	}
	if err := u.svc.accounts.SetUser(a.Name, v.User.Name); err != nil {
		u.svc.log.Warn("cannot store the account's user name", "account", a.Name, "err", err)
	}
	return v.User.Name
}
