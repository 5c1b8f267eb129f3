package proxy

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// SignInHint is what a drop-in client calling auth.getToken or
// auth.getSession is told: it builds the approval URL from its own dummy
// key, so the desktop flow cannot work through lastfmd.
const SignInHint = "sign in with `lastfmd auth login`, then send sk=ACCOUNT"

// auth handles auth.* calls. /v1/ refuses them all (sign-in belongs to
// `lastfmd auth`); /2.0/ runs only auth.getMobileSession.
func (s *Service) auth(ctx context.Context, req *Request, m signer.Method) (*Result, error) {
	if req.Endpoint == V1 {
		return nil, apperr.New(apperr.Forbidden, signer.ErrAuthFailed, "%s is not available on /v1/: use `lastfmd auth`", m.Name)
	}
	if m.Name != "auth.getMobileSession" {
		return nil, apperr.New(apperr.Forbidden, signer.ErrAuthFailed, "%s", SignInHint)
	}
	if req.HTTPMethod != http.MethodPost {
		return nil, &apperr.Error{Kind: apperr.Forbidden, Code: signer.ErrAuthFailed, Message: "Authentication Failed - You must use POST to call auth.getMobileSession"}
	}
	return s.mobileSession(ctx, req)
}

// mobileSession forwards auth.getMobileSession with whichever credential
// arrived (password, or the older authToken = md5(username + md5(password))
// pylast and lastfm-java send), signed, stores the session as an account
// named after the user, and answers the account *name* where Last.fm puts
// the key: sent back as sk, it selects that account. No caller ever sees a
// real session key.
func (s *Service) mobileSession(ctx context.Context, req *Request) (*Result, error) {
	user := req.Params["username"]
	_, hasPassword := req.Params["password"]
	_, hasToken := req.Params["authToken"]
	if user == "" || (!hasPassword && !hasToken) {
		return nil, apperr.Invalidf("Invalid parameters - auth.getMobileSession needs username and password (or authToken)")
	}
	params := map[string]string{"username": user, "format": "json"}
	if hasPassword {
		params["password"] = req.Params["password"]
	} else {
		params["authToken"] = req.Params["authToken"]
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	r, err := s.send(ctx, upstream.Call{Method: "auth.getMobileSession", Params: params, Sign: true, Post: true}, "", signer.CallerWrite)
	if err != nil {
		return nil, err
	}
	if r.Failed() {
		if r.APIError != nil {
			return nil, &apperr.Error{Kind: apperr.Forbidden, Code: r.APIError.Code, Message: r.APIError.Message, Status: r.Status}
		}
		return nil, apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "Last.fm answered HTTP %d to auth.getMobileSession", r.Status)
	}
	sess, err := ParseSession(r.Body)
	if err != nil {
		return nil, apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "Last.fm's session answer could not be read")
	}
	if err := s.accounts.Put(accounts.Account{Name: sess.Name, Key: sess.Key, User: sess.Name}); err != nil {
		return nil, &apperr.Error{Kind: apperr.Unavailable, Code: signer.ErrOperationFailed, Message: "cannot store the session", Err: err}
	}
	s.log.Info("signed in through auth.getMobileSession", "account", sess.Name)
	return SessionResult(req.Params["format"], sess.Name, sess.Subscriber), nil
}

// Session is Last.fm's session answer.
type Session struct {
	Name       string
	Key        string
	Subscriber int
}

// ParseSession reads {"session":{"name":..,"key":..,"subscriber":..}}.
func ParseSession(body []byte) (Session, error) {
	var v struct {
		Session struct {
			Name       string          `json:"name"`
			Key        string          `json:"key"`
			Subscriber json.RawMessage `json:"subscriber"`
		} `json:"session"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return Session{}, err
	}
	if v.Session.Name == "" || v.Session.Key == "" {
		return Session{}, fmt.Errorf("session answer without name or key")
	}
	sub := 0
	if string(v.Session.Subscriber) == "1" || string(v.Session.Subscriber) == `"1"` {
		sub = 1
	}
	return Session{Name: v.Session.Name, Key: v.Session.Key, Subscriber: sub}, nil
}

// SessionResult renders a session answer whose key is the account name.
func SessionResult(format, name string, subscriber int) *Result {
	if format == "json" {
		b, _ := json.Marshal(map[string]any{"session": map[string]any{"name": name, "key": name, "subscriber": subscriber}})
		return &Result{Status: http.StatusOK, ContentType: "application/json; charset=UTF-8", Body: b}
	}
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	body := fmt.Sprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<lfm status=\"ok\">\n<session>\n<name>%s</name>\n<key>%s</key>\n<subscriber>%d</subscriber>\n</session>\n</lfm>\n",
		esc(name), esc(name), subscriber)
	return &Result{Status: http.StatusOK, ContentType: "text/xml; charset=UTF-8", Body: []byte(body)}
}
