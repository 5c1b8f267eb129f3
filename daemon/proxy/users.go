package proxy

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/upstream"
)

// userNames knows each account's Last.fm user name. Accounts signed in
// through a flow carry it; the "default" account from session_key_file has
// only a key, so its name is learned once with a signed user.getInfo.
type userNames struct {
	svc   *Service
	mu    sync.Mutex
	known map[string]string // account name -> user
}

func (u *userNames) name(ctx context.Context, a accounts.Account) string {
	if a.User != "" {
		return a.User
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if n, ok := u.known[a.Name]; ok {
		return n
	}
	r, err := u.svc.up.Do(ctx, upstream.Call{Method: "user.getInfo", Params: map[string]string{"format": "json"}, SessionKey: a.Key, Post: true})
	if err != nil || r.Failed() {
		return "" // try again next time
	}
	var v struct {
		User struct {
			Name string `json:"name"`
		} `json:"user"`
	}
	if json.Unmarshal(r.Body, &v) != nil || v.User.Name == "" {
		return ""
	}
	u.known[a.Name] = v.User.Name
	if err := u.svc.accounts.SetUser(a.Name, v.User.Name); err != nil {
		u.svc.log.Warn("cannot store the account's user name", "account", a.Name, "err", err)
	}
	return v.User.Name
}
