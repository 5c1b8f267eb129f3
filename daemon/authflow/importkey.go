package authflow

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// Import stores a session key someone already holds (from another client,
// or kept as pydrag's documentation suggests) for Last.fm user username, as
// account ("" = username). The key is checked first with a signed
// user.getInfo, which answers for the key's owner: a key Last.fm refuses,
// or one that belongs to someone else, is not stored.
func (f *Flows) Import(ctx context.Context, username, key, account string) (accounts.Account, error) {
	if username == "" {
		return accounts.Account{}, apperr.Invalidf("a Last.fm user name is required (--username)")
	}
	if err := signer.CheckOpaque(key); err != nil {
		return accounts.Account{}, apperr.Invalidf("the session key %v", err)
	}
	if account == "" {
		account = username
	}
	if err := CheckAccountName(account); err != nil {
		return accounts.Account{}, err
	}
	r, err := f.lastfm.up.Do(ctx, upstream.Call{Method: "user.getInfo", Params: map[string]string{"format": "json"}, SessionKey: key, Post: true})
	if err != nil {
		return accounts.Account{}, err
	}
	if r.APIError != nil && signer.Classify(r.APIError.Code, true) == signer.ClassReauth {
		return accounts.Account{}, &apperr.Error{Kind: apperr.Forbidden, Code: r.APIError.Code, FromLastfm: true,
			Message: "Last.fm does not accept this session key (it was revoked or never issued for this API key)"}
	}
	if r.Failed() {
		return accounts.Account{}, upstreamFailure("user.getInfo", r)
	}
	owner := userName(r.Body)
	if owner == "" {
		return accounts.Account{}, apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "Last.fm's user.getInfo answer could not be read")
	}
	if !strings.EqualFold(owner, username) {
		return accounts.Account{}, apperr.Invalidf("this session key belongs to the Last.fm user %q, not %q", owner, username)
	}
	a, err := f.save(f.lastfm, Target{Account: account}, signer.Session{Name: owner, Key: key})
	if err != nil {
		return accounts.Account{}, err
	}
	f.log.Info("imported a session key", "account", a.Name)
	return a, nil
}

// userName reads user.getInfo's {"user":{"name":...}}.
func userName(body []byte) string {
	var v struct {
		User struct {
			Name string `json:"name"`
		} `json:"user"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.User.Name
}
