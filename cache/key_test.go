package cache

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

type keyArgs struct {
	method  string
	params  map[string]string
	account string
}

func (a keyArgs) key() string { return Key(a.method, a.params, a.account) }

func TestKeySame(t *testing.T) {
	tests := []struct {
		name string
		a, b keyArgs
	}{
		{
			"parameter order is irrelevant",
			keyArgs{"artist.getInfo", map[string]string{"artist": "Cher", "lang": "de", "autocorrect": "1", "format": "json"}, ""},
			keyArgs{"artist.getInfo", map[string]string{"format": "json", "autocorrect": "1", "lang": "de", "artist": "Cher"}, ""},
		},
		{
			"method name case is irrelevant",
			keyArgs{"user.getRecentTracks", map[string]string{"user": "rj"}, ""},
			keyArgs{"USER.GETRECENTTRACKS", map[string]string{"user": "rj"}, ""},
		},
		{
			"api_key, api_sig and sk are excluded",
			keyArgs{"user.getInfo", map[string]string{"user": "rj"}, ""},
			keyArgs{"user.getInfo", map[string]string{"user": "rj", "api_key": "k", "api_sig": "s", "sk": "secret"}, ""},
		},
		{
			"method in params is excluded",
			keyArgs{"user.getInfo", map[string]string{"user": "rj"}, ""},
			keyArgs{"user.getInfo", map[string]string{"user": "rj", "method": "User.GetInfo"}, ""},
		},
		{
			"nil and empty params",
			keyArgs{"chart.getTopArtists", nil, ""},
			keyArgs{"chart.getTopArtists", map[string]string{}, ""},
		},
		{
			"signed read, same account",
			keyArgs{"user.getInfo", nil, "rj"},
			keyArgs{"user.getInfo", map[string]string{"sk": "x"}, "rj"},
		},
		{
			"unicode values",
			keyArgs{"artist.getInfo", map[string]string{"artist": "Björk", "lang": "日本語"}, ""},
			keyArgs{"artist.getInfo", map[string]string{"lang": "日本語", "artist": "Björk"}, ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ka, kb := tt.a.key(), tt.b.key(); ka != kb {
				t.Errorf("keys differ:\n%q\n%q", ka, kb)
			}
		})
	}
}

func TestKeyDifferent(t *testing.T) {
	tests := []struct {
		name string
		a, b keyArgs
	}{
		{
			"account included when given",
			keyArgs{"user.getInfo", nil, ""},
			keyArgs{"user.getInfo", nil, "rj"},
		},
		{
			"different accounts",
			keyArgs{"user.getInfo", nil, "alice"},
			keyArgs{"user.getInfo", nil, "bob"},
		},
		{
			"account is not a parameter",
			keyArgs{"user.getInfo", map[string]string{"account": "rj"}, ""},
			keyArgs{"user.getInfo", nil, "rj"},
		},
		{
			"format included",
			keyArgs{"artist.getInfo", map[string]string{"artist": "Cher"}, ""},
			keyArgs{"artist.getInfo", map[string]string{"artist": "Cher", "format": "json"}, ""},
		},
		{
			"format value matters",
			keyArgs{"artist.getInfo", map[string]string{"artist": "Cher", "format": "json"}, ""},
			keyArgs{"artist.getInfo", map[string]string{"artist": "Cher", "format": "xml"}, ""},
		},
		{
			"callback included",
			keyArgs{"artist.getInfo", map[string]string{"artist": "Cher", "format": "json"}, ""},
			keyArgs{"artist.getInfo", map[string]string{"artist": "Cher", "format": "json", "callback": "cb"}, ""},
		},
		{
			"separator in value vs extra parameter",
			keyArgs{"m", map[string]string{"a": "b&c"}, ""},
			keyArgs{"m", map[string]string{"a": "b", "c": ""}, ""},
		},
		{
			"equals sign in value vs name",
			keyArgs{"m", map[string]string{"a": "b=c"}, ""},
			keyArgs{"m", map[string]string{"a=b": "c"}, ""},
		},
		{
			"length-prefix lookalike in value",
			keyArgs{"m", map[string]string{"a": "1:b1:c"}, ""},
			keyArgs{"m", map[string]string{"a": "1", "b": "c"}, ""},
		},
		{
			"value shifted into account",
			keyArgs{"m", map[string]string{"x": ""}, "y"},
			keyArgs{"m", map[string]string{"x": "y"}, ""},
		},
		{
			"method/account boundary",
			keyArgs{"ab", nil, "c"},
			keyArgs{"a", nil, "bc"},
		},
		{
			"NUL and newline in values",
			keyArgs{"m", map[string]string{"a": "x\x00b\ny"}, ""},
			keyArgs{"m", map[string]string{"a": "x", "b\ny": ""}, ""},
		},
		{
			"parameter value case matters",
			keyArgs{"user.getInfo", map[string]string{"user": "RJ"}, ""},
			keyArgs{"user.getInfo", map[string]string{"user": "rj"}, ""},
		},
		{
			"unicode values differ",
			keyArgs{"artist.getInfo", map[string]string{"artist": "Björk"}, ""},
			keyArgs{"artist.getInfo", map[string]string{"artist": "Bjork"}, ""},
		},
		{
			"different methods",
			keyArgs{"artist.getInfo", map[string]string{"artist": "Cher"}, ""},
			keyArgs{"artist.getSimilar", map[string]string{"artist": "Cher"}, ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ka, kb := tt.a.key(), tt.b.key(); ka == kb {
				t.Errorf("keys collide: %q", ka)
			}
		})
	}
}

func TestKeyManyParams(t *testing.T) {
	// More names than fit the stack array still sort and round-trip.
	a := map[string]string{}
	b := map[string]string{}
	for i := 0; i < 3*stackParams; i++ {
		a[fmt.Sprintf("p%02d", i)] = fmt.Sprint(i)
	}
	for i := 3*stackParams - 1; i >= 0; i-- {
		b[fmt.Sprintf("p%02d", i)] = fmt.Sprint(i)
	}
	ka, kb := Key("m", a, ""), Key("m", b, "")
	if ka != kb {
		t.Fatalf("keys differ:\n%q\n%q", ka, kb)
	}
	for i := 0; i < 3*stackParams; i++ {
		if v, ok := KeyParam(ka, fmt.Sprintf("p%02d", i)); !ok || v != fmt.Sprint(i) {
			t.Errorf("KeyParam p%02d = %q, %v", i, v, ok)
		}
	}
}

func TestKeyAccessors(t *testing.T) {
	key := Key("Track.getInfo", map[string]string{
		"artist": "Cher", "track": "Believe", "username": "RJ", "a=b": "1:x", "api_key": "k",
	}, "alice")
	tests := []struct {
		name      string
		got, want any
	}{
		{"KeyMethod is lowercased", KeyMethod(key), "track.getinfo"},
		{"KeyAccount", KeyAccount(key), "alice"},
		{"KeyAccount unsigned", KeyAccount(Key("m", nil, "")), ""},
		{"KeyHasParam case-folds value", KeyHasParam(key, "username", "rj"), true},
		{"KeyHasParam other value", KeyHasParam(key, "username", "rjx"), false},
		{"KeyHasParam name is exact", KeyHasParam(key, "Username", "rj"), false},
		{"KeyHasParam odd name", KeyHasParam(key, "a=b", "1:x"), true},
		{"KeyHasParam excluded name", KeyHasParam(key, "api_key", "k"), false},
		{"KeyHasParam unicode fold", KeyHasParam(Key("m", map[string]string{"artist": "BJÖRK"}, ""), "artist", "björk"), true},
		{"KeyHasParam absent", KeyHasParam(key, "zzz", ""), false},
		{"KeyHasParam empty value", KeyHasParam(Key("m", map[string]string{"x": ""}, ""), "x", ""), true},
		{"KeyMethod of garbage", KeyMethod("not a key"), ""},
		{"KeyParam of truncated key", func() bool { _, ok := KeyParam(key[:len(key)-1], "username"); return ok }(), false},
		{"KeyParam of garbage", func() bool { _, ok := KeyParam("5:ab", "x"); return ok }(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestKeyAllocs(t *testing.T) {
	params := map[string]string{"artist": "Cher", "autocorrect": "1", "lang": "en", "format": "json"}
	n := testing.AllocsPerRun(100, func() { _ = Key("artist.getInfo", params, "") })
	if n > 1 {
		t.Errorf("Key allocates %v times, want 1", n)
	}
}

// refKey is Key written the obvious way, to check the fast one against.
func refKey(method string, params map[string]string, account string) string {
	field := func(s string) string { return fmt.Sprintf("%d:%s", len(s), s) }
	var names []string
	for n := range params {
		if !ignoredParam(n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := field(strings.ToLower(method)) + field(account)
	for _, n := range names {
		out += field(n) + field(params[n])
	}
	return out
}

func TestKeyMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "B", "=", "&", ":", "1", "é", "\x00", "api_key", "sk", "format", "user"}
	word := func(max int) string {
		var b strings.Builder
		for i := rng.IntN(max); i > 0; i-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for i := 0; i < 2000; i++ {
		params := map[string]string{}
		for j := rng.IntN(3 * stackParams); j > 0; j-- {
			params[word(4)] = word(40)
		}
		method, account := word(6), word(3)
		got, want := Key(method, params, account), refKey(method, params, account)
		if got != want {
			t.Fatalf("Key(%q, %q, %q)\n got %q\nwant %q", method, params, account, got, want)
		}
		for n, v := range params {
			if ignoredParam(n) {
				continue
			}
			if pv, ok := KeyParam(got, n); !ok || pv != v {
				t.Fatalf("KeyParam(%q, %q) = %q, %v; want %q", got, n, pv, ok, v)
			}
		}
	}
}
