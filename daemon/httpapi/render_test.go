package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/proxy"
	"github.com/lastfmd/lastfmd/signer"
)

// Who made an error document is in its header, the same in every format:
// lastfmd's own refusals and failures carry client.ErrorSourceHeader;
// Last.fm's verdict does not, whether passed on as it came (writeResult)
// or relayed in lastfmd's words (FromLastfm).
func TestErrorSourceHeader(t *testing.T) {
	own := apperr.New(apperr.Forbidden, signer.ErrInvalidSession, "Invalid session key - no Last.fm account is signed in")
	relayed := &apperr.Error{Kind: apperr.Invalid, Code: signer.ErrInvalidMethod, FromLastfm: true,
		Message: "Invalid Method - No method with that name in this package; did you mean track.love?"}
	formats := map[string]answerFormat{
		"/v1/":        {},
		"/2.0/ XML":   {dropIn: true},
		"/2.0/ JSON":  {dropIn: true, json: true},
		"/2.0/ JSONP": {dropIn: true, json: true, callback: "cb"},
	}
	for name, f := range formats {
		for _, tc := range []struct {
			what string
			err  *apperr.Error
			want string
		}{
			{"lastfmd's own", own, client.ErrorSourceLastfmd},
			{"Last.fm's, relayed", relayed, ""},
		} {
			rec := httptest.NewRecorder()
			if err := writeError(rec, f, tc.err); err != nil {
				t.Fatal(err)
			}
			if got := rec.Header().Get(client.ErrorSourceHeader); got != tc.want {
				t.Errorf("%s, %s: %s = %q, want %q", name, tc.what, client.ErrorSourceHeader, got, tc.want)
			}
			if !strings.Contains(rec.Body.String(), tc.err.Message) {
				t.Errorf("%s, %s: body %q lacks the message", name, tc.what, rec.Body.String())
			}
		}
	}
	rec := httptest.NewRecorder()
	if err := writeResult(rec, &proxy.Result{Status: 400, ContentType: ctJSON, Body: []byte(`{"error":6,"message":"Artist not found"}`)}); err != nil {
		t.Fatal(err)
	}
	if got := rec.Header().Get(client.ErrorSourceHeader); got != "" {
		t.Errorf("Last.fm's error passed on carries %s: %q", client.ErrorSourceHeader, got)
	}
}
