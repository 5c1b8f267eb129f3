package signer

import (
	"errors"
	"maps"
	"net/url"
	"strconv"
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
			name: "indices 0, 9, 10 and 49 accepted",
			in:   url.Values{"artist[0]": {"a"}, "artist[9]": {"b"}, "artist[10]": {"c"}, "artist[49]": {"d"}},
			want: map[string]string{"artist[0]": "a", "artist[9]": "b", "artist[10]": "c", "artist[49]": "d"},
		},
		{name: "index 50 rejected", in: url.Values{"artist[50]": {"x"}}, wantErr: true, errName: "artist[50]"},
		{name: "index 99 rejected", in: url.Values{"artist[99]": {"x"}}, wantErr: true, errName: "artist[99]"},
		{name: "three-digit index rejected", in: url.Values{"artist[100]": {"x"}}, wantErr: true, errName: "artist[100]"},
		{name: "empty brackets rejected", in: url.Values{"artist[]": {"x"}}, wantErr: true, errName: "artist[]"},
		{name: "empty brackets rejected even with an empty value", in: url.Values{"artist[]": {""}}, wantErr: true, errName: "artist[]"},
		{name: "leading zero rejected", in: url.Values{"artist[01]": {"x"}}, wantErr: true, errName: "artist[01]"},
		{name: "zero-padded three digits rejected", in: url.Values{"name[050]": {"x"}}, wantErr: true, errName: "name[050]"},
		{name: "letter index rejected", in: url.Values{"name[x]": {"x"}}, wantErr: true, errName: "name[x]"},
		{name: "two indices rejected", in: url.Values{"a[1][2]": {"x"}}, wantErr: true, errName: "a[1][2]"},
		{name: "leading digit rejected", in: url.Values{"1artist": {"x"}}, wantErr: true, errName: "1artist"},
		{name: "dash rejected", in: url.Values{"artist-name": {"x"}}, wantErr: true, errName: "artist-name"},
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
	valid := []string{"a", "A", "_", "artist", "albumArtist", "artist[0]", "artist[49]", "x:y", "a1", "a_b[7]"}
	invalid := []string{"", "[0]", "1a", ":a", "a-b", "a b", "a.b", "a[", "a]", "a[]", "a[50]", "a[00]", "a[01]",
		"a[123]", "a[1]x", "a[-1]", "a[+1]", "a[ 1]", "ä", "a\x00"}
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

func TestSplitIndex(t *testing.T) {
	tests := []struct {
		in      string
		base    string
		index   int
		indexed bool
	}{
		{"artist[3]", "artist", 3, true},
		{"artist[0]", "artist", 0, true},
		{"artist[49]", "artist", 49, true},
		{"artist[50]", "artist", 50, true}, // split, but not valid (ValidName)
		{"artist", "artist", -1, false},
		{"artist[]", "artist[]", -1, false},
		{"artist[01]", "artist[01]", -1, false},
		{"artist[x]", "artist[x]", -1, false},
		{"artist[100]", "artist[100]", -1, false},
		{"artist[1", "artist[1", -1, false},
	}
	for _, tt := range tests {
		base, index, indexed := SplitIndex(tt.in)
		if base != tt.base || index != tt.index || indexed != tt.indexed {
			t.Errorf("SplitIndex(%q) = %q, %d, %v; want %q, %d, %v", tt.in, base, index, indexed, tt.base, tt.index, tt.indexed)
		}
	}
}

func TestBatchSize(t *testing.T) {
	items := func(n int, names ...string) map[string]string {
		p := map[string]string{"method": "track.scrobble"}
		for i := range n {
			for _, name := range names {
				p[name+"["+strconv.Itoa(i)+"]"] = "v"
			}
		}
		return p
	}
	full := items(50, "artist", "track", "timestamp")
	sparse := items(3, "artist", "track", "timestamp")
	sparse["album[0]"] = "A"
	sparse["album[2]"] = "C"
	tests := []struct {
		name    string
		params  map[string]string
		want    int
		wantErr bool
	}{
		{"no indices", map[string]string{"artist": "a", "track": "t"}, 0, false},
		{"one item", items(1, "artist", "track"), 1, false},
		{"11 items", batch11(), 11, false},
		{"50 items", full, 50, false},
		{"optional field sparse", sparse, 3, false},
		{"hole in the batch", map[string]string{"artist[0]": "a", "artist[2]": "c"}, 0, true},
		{"not starting at 0", map[string]string{"artist[1]": "a"}, 0, true},
		{"indexed and plain mixed", map[string]string{"artist": "a", "artist[0]": "b"}, 0, true},
		{"index above 49", map[string]string{"artist[50]": "a"}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BatchSize(tt.params)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("BatchSize = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
			var pe *ParamError
			if err != nil && !errors.As(err, &pe) {
				t.Errorf("error %v is not a *ParamError", err)
			}
		})
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
