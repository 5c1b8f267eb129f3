package httpapi

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/apperr"
)

func TestParseQuery(t *testing.T) {
	cases := []struct {
		raw  string
		want url.Values
		err  string // part of the message; "" = no error
	}{
		{"method=artist.getInfo&artist=Cher", url.Values{"method": {"artist.getInfo"}, "artist": {"Cher"}}, ""},
		{"artist=A+%26+B&&x", url.Values{"artist": {"A & B"}, "x": {""}}, ""},
		{"a=1&a=2", url.Values{"a": {"1", "2"}}, ""},
		{"", url.Values{}, ""},
		{"method=track.love&artist=%zz", nil, `parameter "artist" has bad percent-encoding`},
		{"method=track.love&artist=A;track=B", nil, `parameter "artist" holds a ";"`},
		{"%zz=1", nil, "a parameter name has bad percent-encoding"},
		{"password=%zzsecret", nil, `parameter "password"`},
	}
	for _, c := range cases {
		got, err := parseQuery(c.raw)
		if c.err == "" {
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("parseQuery(%q) = %v, %v; want %v", c.raw, got, err, c.want)
			}
			continue
		}
		ae := apperr.As(err)
		if err == nil || ae.Kind != apperr.Invalid || !strings.Contains(ae.Message, c.err) || !strings.Contains(ae.Message, "query string") {
			t.Errorf("parseQuery(%q) error %v, want one naming %q", c.raw, err, c.err)
		}
		if strings.Contains(ae.Message, "secret") {
			t.Errorf("the value was quoted: %s", ae.Message)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "artist=%zz", "a;b", "%", "a=%2", "=&=", "x=%E2%82"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := parseQuery(raw)
		std, stdErr := url.ParseQuery(raw)
		if err == nil && stdErr == nil && !reflect.DeepEqual(got, std) {
			t.Fatalf("parseQuery(%q) = %v, url.ParseQuery = %v", raw, got, std)
		}
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("parseQuery(%q) err %v, url.ParseQuery err %v", raw, err, stdErr)
		}
	})
}
