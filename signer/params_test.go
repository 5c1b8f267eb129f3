package signer

import (
	"errors"
	"maps"
	"net/url"
	"strings"
	"testing"
)

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name    string
		in      url.Values
		want    map[string]string
		wantErr bool   // want a *ParamError ...
		errName string // ... for this name
	}{
		{
			name: "api_key and api_sig dropped, sk format callback kept",
			in: url.Values{"api_key": {"client"}, "api_sig": {"abc"}, "sk": {"acct"}, "format": {"json"},
				"callback": {"cb"}, "method": {"user.getInfo"}},
			want: map[string]string{"sk": "acct", "format": "json", "callback": "cb", "method": "user.getInfo"},
		},
		{
			name: "empty values dropped",
			in:   url.Values{"method": {"track.love"}, "mbid": {""}, "album": {}},
			want: map[string]string{"method": "track.love"},
		},
		{
			name: "method value not changed",
			in:   url.Values{"method": {"TRACK.LOVE"}},
			want: map[string]string{"method": "TRACK.LOVE"},
		},
		{
			name: "identical duplicates collapse",
			in:   url.Values{"artist": {"Cher", "Cher"}},
			want: map[string]string{"artist": "Cher"},
		},
		{
			name: "an empty duplicate is ignored",
			in:   url.Values{"artist": {"", "Cher", ""}},
			want: map[string]string{"artist": "Cher"},
		},
		{
			name:    "different duplicates rejected",
			in:      url.Values{"artist": {"Cher", "Madonna"}},
			wantErr: true, errName: "artist",
		},
		{
			// Last.fm ignores what a method does not define; a drop-in
			// client's lang or a script's cache-buster must pass.
			name: "any name Last.fm takes passes",
			in: url.Values{"artist[0]": {"a"}, "artist[49]": {"b"}, "artist[50]": {"c"}, "artist[]": {"d"},
				"artist[01]": {"e"}, "name[x]": {"f"}, "a[1][2]": {"g"}, "1artist": {"h"}, "cache-buster": {"1"},
				"lang": {"en"}, "x.y": {"z"}, "ä": {"ö"}, "a b": {"c"}},
			want: map[string]string{"artist[0]": "a", "artist[49]": "b", "artist[50]": "c", "artist[]": "d",
				"artist[01]": "e", "name[x]": "f", "a[1][2]": "g", "1artist": "h", "cache-buster": "1",
				"lang": "en", "x.y": "z", "ä": "ö", "a b": "c"},
		},
		{name: "bad UTF-8 name rejected", in: url.Values{"a\xff": {"x"}}, wantErr: true, errName: "a\xff"},
		{name: "empty name rejected", in: url.Values{"": {"x"}}, wantErr: true, errName: ""},
		{name: "bad UTF-8 value rejected", in: url.Values{"artist": {"Bj\xf6rk"}}, wantErr: true, errName: "artist"},
		{name: "bad UTF-8 in a repeat rejected", in: url.Values{"artist": {"Cher", "\xff"}}, wantErr: true, errName: "artist"},
		{
			name: "colon and underscore names accepted",
			in:   url.Values{"opensearch:q": {"x"}, "_x": {"y"}, "chosenByUser[3]": {"0"}},
			want: map[string]string{"opensearch:q": "x", "_x": "y", "chosenByUser[3]": "0"},
		},
		{
			name: "raw value kept as given (&, +, =, unicode)",
			in:   url.Values{"track": {"a&b+c=d ♥"}},
			want: map[string]string{"track": "a&b+c=d ♥"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonicalize(tt.in)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Canonicalize: %v", err)
				}
				if !maps.Equal(got, tt.want) {
					t.Fatalf("Canonicalize = %v, want %v", got, tt.want)
				}
				return
			}
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("Canonicalize = %v, %v; want *ParamError", got, err)
			}
			if pe.Name != tt.errName {
				t.Errorf("ParamError.Name = %q, want %q", pe.Name, tt.errName)
			}
		})
	}
}

func TestParamErrorNeverShowsValue(t *testing.T) {
	for _, in := range []url.Values{
		{"password": {"hunter2", "hunter3"}},
		{"password": {"hunter2\xff"}},
	} {
		_, err := Canonicalize(in)
		if err == nil {
			t.Fatalf("Canonicalize(%v) succeeded", in)
		}
		if strings.Contains(err.Error(), "hunter") {
			t.Errorf("error %q shows the value", err)
		}
		if !strings.HasPrefix(err.Error(), `parameter "password": `) {
			t.Errorf("error %q lacks the documented prefix", err)
		}
	}
	if got := (&ParamError{Name: "x", Reason: "bad"}).Code(); got != ErrInvalidParams {
		t.Errorf("Code = %d, want 6", got)
	}
	long := &ParamError{Name: strings.Repeat("a", 1000), Reason: "bad"}
	if len(long.Error()) > 100 {
		t.Errorf("a long name is repeated whole: %d bytes", len(long.Error()))
	}
}

func TestValidName(t *testing.T) {
	valid := []string{"a", "A", "_", "artist", "artist[0]", "artist[50]", "artist[]", "1a", "a-b", "a b", "ä", "a\x00"}
	invalid := []string{"", "\xff", "a\xc3"}
	for _, n := range valid {
		if !ValidName(n) {
			t.Errorf("ValidName(%q) = false", n)
		}
	}
	for _, n := range invalid {
		if ValidName(n) {
			t.Errorf("ValidName(%q) = true", n)
		}
	}
}

func TestEncode(t *testing.T) {
	p := map[string]string{"track": "a&b+c=d ♥", "artist[0]": "Björk", "method": "track.scrobble"}
	got := Encode(p)
	want := "artist%5B0%5D=Bj%C3%B6rk&method=track.scrobble&track=a%26b%2Bc%3Dd+%E2%99%A5"
	if got != want {
		t.Errorf("Encode = %s, want %s", got, want)
	}
	back, err := url.ParseQuery(got)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range p {
		if back.Get(k) != v {
			t.Errorf("round trip %s = %q, want %q", k, back.Get(k), v)
		}
	}
	if Encode(nil) != "" {
		t.Errorf("Encode(nil) = %q", Encode(nil))
	}
}

func TestValidCallback(t *testing.T) {
	cases := map[string]bool{
		"cb":                     true,
		"jQuery123_456":          true,
		"a.b_c$":                 true,
		"$":                      true,
		"_x.y.z":                 true,
		"":                       false,
		"1cb":                    false,
		".cb":                    false,
		"a(1)":                   false,
		"a b":                    false,
		"alert('x')//":           false,
		"c\u00e9":                false,
		strings.Repeat("c", 128): true,
		strings.Repeat("c", 129): false,
	}
	for cb, want := range cases {
		if got := ValidCallback(cb); got != want {
			t.Errorf("ValidCallback(%q) = %v, want %v", cb, got, want)
		}
	}
}
