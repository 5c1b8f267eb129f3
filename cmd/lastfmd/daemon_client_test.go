package main

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/lastfmd/lastfmd/client"
)

// The CLI words the client's errors in one place: explain, and authError
// for the auth commands (the message only, as the local flows give it).
func TestExplain(t *testing.T) {
	refused := &client.Error{Addr: "http://d", Path: "/v1/queue", Status: 400, Code: 6, Message: "no ids", ByLastfmd: true}
	atLastfm := &client.Error{Addr: "http://d", Path: "/v1/artist.getInfo", Status: 400, Code: 6, Message: "Artist not found"}
	for _, tc := range []struct {
		name        string
		err         error
		explained   string // "" = nil
		authWording string
	}{
		{"nil", nil, "", ""},
		{"not the client's", errors.New("config: bad"), "config: bad", "config: bad"},
		{"no answer", &client.Error{Addr: "http://127.0.0.1:1", Err: syscall.ECONNREFUSED},
			"no daemon answers at http://127.0.0.1:1: start one with `lastfmd run` (or try `lastfmd demo`)",
			"no daemon answers at http://127.0.0.1:1: start one with `lastfmd run` (or try `lastfmd demo`)"},
		{"token needed", &client.Error{Addr: "http://d", Status: 401, Code: 4, Message: "listener token required"},
			"this daemon requires its listener token: set security.token_file", "this daemon requires its listener token: set security.token_file"},
		{"wrong token", &client.Error{Addr: "http://d", Status: 401, Code: 4, Message: "wrong token", TokenSent: true, ByLastfmd: true},
			"lastfmd error 4: wrong token (HTTP 401)", "wrong token"},
		{"refusal", refused, "lastfmd error 6: no ids (HTTP 400)", "no ids"},
		{"Last.fm's refusal", atLastfm, "last.fm error 6: Artist not found (HTTP 400)", "Artist not found"},
		{"not lastfmd", &client.Error{Addr: "http://d", Path: "/v1/auth/login", Status: 404, Message: "404 page not found"},
			"/v1/auth/login at http://d answered HTTP 404: 404 page not found", "/v1/auth/login at http://d answered HTTP 404: 404 page not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []struct {
				got  error
				want string
			}{{explain(tc.err), tc.explained}, {authError(tc.err), tc.authWording}} {
				switch {
				case c.want == "" && c.got != nil:
					t.Errorf("got %v, want nil", c.got)
				case c.want != "" && (c.got == nil || !strings.HasPrefix(c.got.Error(), c.want)):
					t.Errorf("got %v, want %q...", c.got, c.want)
				}
			}
		})
	}
}
