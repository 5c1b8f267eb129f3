package emulator

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestSignVectors pins the emulator's signing code to the vectors signer/sign_test.go checks.
func TestSignVectors(t *testing.T) {
	batch := P{"albumArtist[0]": "AA", "album[0]": "AL", "method": "track.scrobble", "sk": "SESSIONKEY",
		"api_key": "0123456789abcdef0123456789abcdef"}
	for i := 0; i <= 10; i++ {
		batch[fmt.Sprintf("artist[%d]", i)] = fmt.Sprintf("A%d", i)
		batch[fmt.Sprintf("track[%d]", i)] = fmt.Sprintf("T%d", i)
		batch[fmt.Sprintf("timestamp[%d]", i)] = fmt.Sprint(1700000000 + 240*i)
	}
	cases := []struct {
		params P
		secret string
		want   string
	}{
		{P{"api_key": "YOUR_API_KEY", "method": "auth.getSession", "token": "YOUR_REQUESTED_TOKEN"},
			"YOUR_SECRET", "94539006de89b3c6b3c030bb1e52b9c4"},
		{P{"api_key": "YOUR_API_KEY", "artist": "KITANO REM", "method": "track.love", "sk": "YOUR_SESSION_KEY", "track": "RAINSICK"},
			"YOUR_SECRET", "800b8884b00c9343d1d425ed271e0f42"},
		{P{"album": "Homogenic", "api_key": "0123456789abcdef0123456789abcdef", "artist": "Björk",
			"method": "track.updateNowPlaying", "sk": "SESSIONKEY", "track": "Jóga"},
			"SECRET", "b058719dd10797d2c473ff4756b20f8d"},
		{batch, "SECRET", "ba3d1cedd27f43d307c4ae5f59d32dec"},
	}
	for i, c := range cases {
		if got := Sign(c.params, c.secret); got != c.want {
			t.Errorf("vector %d: Sign = %s, want %s", i+1, got, c.want)
		}
		// format, callback and api_sig stay out of the signature.
		with := P{"format": "json", "callback": "cb", "api_sig": "x"}
		for k, v := range c.params {
			with[k] = v
		}
		if got := Sign(with, c.secret); got != c.want {
			t.Errorf("vector %d with format/callback/api_sig: %s", i+1, got)
		}
		// The request-side check agrees, in either hex case.
		v := url.Values{}
		for k, val := range with {
			v.Set(k, val)
		}
		v.Set("api_sig", strings.ToUpper(c.want))
		if !checkSignature(v, c.secret) {
			t.Errorf("vector %d: checkSignature refused the uppercase signature", i+1)
		}
		v.Add("method", "again")
		if checkSignature(v, c.secret) {
			t.Errorf("vector %d: a repeated name passed the signature check", i+1)
		}
	}
}
