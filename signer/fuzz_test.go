package signer

import (
	"maps"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// knownReasons are the only texts a ParamError may carry, so none can
// repeat a parameter's value.
var knownReasons = map[string]bool{reasonTwice: true, reasonUTF8: true, reasonNameUTF8: true, reasonEmptyName: true,
	reasonIndex: true, reasonGap: true}

func FuzzCanonicalize(f *testing.F) {
	for _, seed := range []string{
		"method=track.love&artist=Cher&track=Believe&api_key=x&api_sig=y&sk=acct&format=json",
		"artist=a&artist=a&artist=b",
		"artist%5B0%5D=A&track%5B0%5D=T&timestamp%5B0%5D=1&artist[49]=z&artist[50]=q",
		"artist[]=x&artist[01]=y&name[050]=z&name[x]=w",
		"track=a%26b%2Bc%3Dd&album=&mbid=",
		"artist=Bj%F6rk",
		"a:b=1&_=2&1a=3&=4&%00=5",
		"callback=cb&format=xml&raw=true",
	} {
		f.Add(seed, "extra[3]", "v\xff")
	}
	f.Fuzz(func(t *testing.T, query, name, value string) {
		in, _ := url.ParseQuery(query) // keeps what parses
		if in == nil {
			in = url.Values{}
		}
		in[name] = append(in[name], value) // names and values that no query can spell
		snapshot := url.Values{}
		for k, v := range in {
			snapshot[k] = append([]string(nil), v...)
		}

		out, err := Canonicalize(in)
		if err != nil {
			pe, ok := err.(*ParamError)
			if !ok {
				t.Fatalf("error %T is not a *ParamError", err)
			}
			if !knownReasons[pe.Reason] {
				t.Fatalf("unexpected reason %q", pe.Reason)
			}
			return
		}
		for k, v := range out {
			if !ValidName(k) {
				t.Fatalf("invalid name %q in output", k)
			}
			if v == "" {
				t.Fatalf("empty value for %q in output", k)
			}
			if !utf8.ValidString(v) {
				t.Fatalf("bad UTF-8 for %q in output", k)
			}
			if k == "api_key" || k == "api_sig" {
				t.Fatalf("%s kept", k)
			}
		}
		if !reflect.DeepEqual(in, snapshot) {
			t.Fatal("Canonicalize changed its input")
		}
		sig := Sign(out, "SECRET")
		if again := Sign(maps.Clone(out), "SECRET"); again != sig || len(sig) != 32 {
			t.Fatalf("Sign not deterministic: %s vs %s", sig, again)
		}
		// What is sent decodes back to exactly what was signed.
		back, err := url.ParseQuery(Encode(out))
		if err != nil {
			t.Fatalf("Encode output does not parse: %v", err)
		}
		for k, v := range out {
			if got := back[k]; len(got) != 1 || got[0] != v {
				t.Fatalf("Encode round trip %q: %q, want %q", k, got, v)
			}
		}
		if len(back) != len(out) {
			t.Fatalf("Encode round trip has %d names, want %d", len(back), len(out))
		}
		if items, err := SplitScrobbles(out); err == nil {
			if len(items) < 1 || len(items) > MaxScrobblesPerCall {
				t.Fatalf("SplitScrobbles: %d items", len(items))
			}
			for _, it := range items {
				sc, problems := ParseScrobble(it)
				for k := range sc.Params {
					if !IsScrobbleField(k) {
						t.Fatalf("ParseScrobble kept %q", k)
					}
				}
				if len(problems) == 0 && (strings.TrimSpace(sc.Artist) == "" || strings.TrimSpace(sc.Track) == "") {
					t.Fatalf("ParseScrobble accepted an item without artist or track: %q", it)
				}
			}
		} else if pe, ok := err.(*ParamError); !ok || !knownReasons[pe.Reason] {
			t.Fatalf("SplitScrobbles error %v", err)
		}
		if m, ok := Lookup(out["method"]); ok {
			_ = m.Missing(out)
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	for _, seed := range []string{
		`{"error":6,"message":"User not found","links":[]}`,
		`{"error":"10","message":"Invalid API key"}`,
		`cb({"error":9,"message":"Invalid session key"});`,
		`/**/cb({"error":9})`,
		`<?xml version="1.0"?><lfm status="failed"><error code="13">Invalid method signature supplied</error></lfm>`,
		`<lfm status="ok"><session><name>rj</name></session></lfm>`,
		`<error code="6">x</error>`,
		`<lfm status="failed"><error code="4"><![CDATA[x]]></error>`,
		`<!DOCTYPE lfm [<!ENTITY a "b">]><lfm status="failed"><error code="6">&a;</error></lfm>`,
		"\xef\xbb\xbf{\"error\":1e400}",
		"garbage",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := DecodeError(body)
		if e != nil && e.Code <= 0 {
			t.Fatalf("DecodeError = %+v: code not positive", e)
		}
		if e != nil {
			_ = e.Error()
		}
	})
}
