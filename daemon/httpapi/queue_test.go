package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseIDs(t *testing.T) {
	cases := []struct {
		body string
		want []uint64
		err  string
	}{
		{`{"ids":[1,2,3]}`, []uint64{1, 2, 3}, ""},
		{`{"ids":["17", 18]}`, []uint64{17, 18}, ""},
		{` {"ids":[18446744073709551615]} `, []uint64{18446744073709551615}, ""},
		{`{"ids":[]}`, nil, "no ids"},
		{`{}`, nil, "no ids"},
		{`{"ids":[0]}`, nil, "ids[0]"},
		{`{"ids":[1,-2,"x",1.5,"+3"]}`, nil, "ids[1]; ids[2]; ids[3]; ids[4]"},
		{`{"ids":[18446744073709551616]}`, nil, "ids[0]"},
		{`{"ids":[1],"extra":1}`, nil, "send a JSON object"},
		{`{"ids":[1]} {}`, nil, "data after"},
		{`[1,2]`, nil, "send a JSON object"},
		{``, nil, "no ids"},
		{`{"id":[1]}`, nil, "send a JSON object"},
		{`{"ids":"1"}`, nil, "send a JSON object"},
		{`{"ids":[1],"ids":[2]}`, nil, `"ids" given twice at the top level`},
	}
	for _, c := range cases {
		got, err := parseIDs([]byte(c.body))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err %v, want %q", c.body, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v %v, want %v", c.body, got, err, c.want)
		}
	}
}

func TestPreferWait(t *testing.T) {
	cases := []struct {
		headers []string
		want    time.Duration
		set     bool
	}{
		{nil, 0, false},
		{[]string{"wait=0"}, 0, true},
		{[]string{"wait=10"}, 10 * time.Second, true},
		{[]string{"respond-async, wait=3"}, 3 * time.Second, true},
		{[]string{"respond-async"}, 0, true},
		{[]string{"return=minimal", "Wait = 2"}, 2 * time.Second, true},
		{[]string{`wait="4"`}, 4 * time.Second, true},
		{[]string{"wait=5;foo=bar"}, 5 * time.Second, true},
		{[]string{"wait=100000"}, 60 * time.Second, true}, // capped
		{[]string{"wait=-1"}, 0, false},
		{[]string{"wait=1.5"}, 0, false},
		{[]string{"wait"}, 0, false},
		{[]string{"wait=2, wait=7"}, 2 * time.Second, true}, // the first wins
		{[]string{"handling=lenient"}, 0, false},
	}
	for _, c := range cases {
		h := http.Header{}
		for _, v := range c.headers {
			h.Add("Prefer", v)
		}
		got, set := preferWait(h)
		if got != c.want || set != c.set {
			t.Errorf("%q: %v %v, want %v %v", c.headers, got, set, c.want, c.set)
		}
	}
}

func TestIsScrobbleList(t *testing.T) {
	for body, want := range map[string]bool{
		`[]`: true, ` [{"artist":"A"}]`: true, `{"scrobbles":[]}`: true,
		`{"artist":"A","track":"T","timestamp":1}`: false, `{"scrobbles":[],"artist":"x"}`: false, `nope`: false,
	} {
		doc, _ := decodeJSON([]byte(body))
		if got := isScrobbleList(doc); got != want {
			t.Errorf("isScrobbleList(%s) = %v", body, got)
		}
	}
}

// FuzzQueueIDs: the retry/drop body is outside input; parseIDs never
// panics and accepts only positive ids.
func FuzzQueueIDs(f *testing.F) {
	for _, s := range []string{`{"ids":[1,2]}`, `{"ids":["3"]}`, `{"ids":[0]}`, `{"ids":null}`, `{"ids":[{"a":1}]}`, `[`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ids, err := parseIDs(body)
		if err != nil {
			return
		}
		if len(ids) == 0 {
			t.Fatal("accepted no ids")
		}
		for _, id := range ids {
			if id == 0 {
				t.Fatalf("accepted id 0 from %q", body)
			}
		}
	})
}

// FuzzPreferWait: the Prefer header is outside input; the wait it yields is
// never negative nor above the cap.
func FuzzPreferWait(f *testing.F) {
	for _, s := range []string{"wait=5", "respond-async, wait=0", `wait="7";x=y`, "wait=99999999999999999999", ",,;=", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{"Prefer": {v}}
		d, _ := preferWait(h)
		if d < 0 || d > 60*time.Second {
			t.Fatalf("wait %v from %q", d, v)
		}
	})
}
