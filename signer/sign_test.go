package signer

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"testing"
)

// batch11 is the 11-item scrobble of the signing vectors (api_sig values
// computed for this project and cross-checked in Go and Python).
func batch11() map[string]string {
	p := map[string]string{
		"method":         "track.scrobble",
		"sk":             "SESSIONKEY",
		"api_key":        "0123456789abcdef0123456789abcdef",
		"albumArtist[0]": "AA",
		"album[0]":       "AL",
	}
	for i := range 11 {
		n := strconv.Itoa(i)
		p["artist["+n+"]"] = "A" + n
		p["track["+n+"]"] = "T" + n
		p["timestamp["+n+"]"] = strconv.Itoa(1700000000 + 240*i)
	}
	return p
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestSign(t *testing.T) {
	tests := []struct {
		name   string
		params map[string]string
		secret string
		want   string
	}{
		{
			name:   "vector 1: auth.getSession (LFD)",
			params: map[string]string{"api_key": "YOUR_API_KEY", "method": "auth.getSession", "token": "YOUR_REQUESTED_TOKEN"},
			secret: "YOUR_SECRET",
			want:   "94539006de89b3c6b3c030bb1e52b9c4",
		},
		{
			name: "vector 2: track.love (LFD)",
			params: map[string]string{"api_key": "YOUR_API_KEY", "artist": "KITANO REM", "method": "track.love",
				"sk": "YOUR_SESSION_KEY", "track": "RAINSICK"},
			secret: "YOUR_SECRET",
			want:   "800b8884b00c9343d1d425ed271e0f42",
		},
		{
			name: "vector 3: updateNowPlaying with non-ASCII values",
			params: map[string]string{"album": "Homogenic", "api_key": "0123456789abcdef0123456789abcdef",
				"artist": "Björk", "method": "track.updateNowPlaying", "sk": "SESSIONKEY", "track": "Jóga"},
			secret: "SECRET",
			want:   "b058719dd10797d2c473ff4756b20f8d",
		},
		{
			name:   "vector 4: 11-item batch, byte-wise order",
			params: batch11(),
			secret: "SECRET",
			want:   "ba3d1cedd27f43d307c4ae5f59d32dec",
		},
		{
			name: "format, callback and api_sig are not signed",
			params: map[string]string{"api_key": "YOUR_API_KEY", "method": "auth.getSession", "token": "YOUR_REQUESTED_TOKEN",
				"format": "json", "callback": "cb", "api_sig": "0000"},
			secret: "YOUR_SECRET",
			want:   "94539006de89b3c6b3c030bb1e52b9c4",
		},
		{
			name:   "values with &, + and = are signed raw",
			params: map[string]string{"method": "track.love", "artist": "Simon & Garfunkel", "track": "1+1=2 ♥ ü"},
			secret: "S",
			want:   md5hex("artistSimon & Garfunkelmethodtrack.lovetrack1+1=2 ♥ üS"),
		},
		{
			name:   "format case matters: only the lowercase names are excluded",
			params: map[string]string{"Format": "json"},
			secret: "S",
			want:   md5hex("FormatjsonS"),
		},
		{
			name:   "no parameters",
			params: nil,
			secret: "S",
			want:   md5hex("S"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sign(tt.params, tt.secret); got != tt.want {
				t.Errorf("Sign = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSignBatchOrder(t *testing.T) {
	// The base string of vector 4 spelled out by hand.
	p := batch11()
	want := md5hex("albumArtist[0]AAalbum[0]ALapi_key0123456789abcdef0123456789abcdef" +
		"artist[0]A0artist[10]A10artist[1]A1artist[2]A2artist[3]A3artist[4]A4artist[5]A5" +
		"artist[6]A6artist[7]A7artist[8]A8artist[9]A9methodtrack.scrobbleskSESSIONKEY" +
		"timestamp[0]1700000000timestamp[10]1700002400timestamp[1]1700000240timestamp[2]1700000480" +
		"timestamp[3]1700000720timestamp[4]1700000960timestamp[5]1700001200timestamp[6]1700001440" +
		"timestamp[7]1700001680timestamp[8]1700001920timestamp[9]1700002160" +
		"track[0]T0track[10]T10track[1]T1track[2]T2track[3]T3track[4]T4track[5]T5" +
		"track[6]T6track[7]T7track[8]T8track[9]T9SECRET")
	if got := Sign(p, "SECRET"); got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func BenchmarkSign(b *testing.B) {
	p := map[string]string{
		"method":  "track.love",
		"api_key": "0123456789abcdef0123456789abcdef",
		"sk":      "_AijaIJbA789aA7NMXmanQLKalG8zqDY",
		"artist":  "Björk",
		"track":   "Jóga",
		"format":  "json",
	}
	b.ReportAllocs()
	for b.Loop() {
		Sign(p, "SECRET")
	}
}
