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
		body      string
		forceable bool
		want      []uint64
		force     bool
		err       string
	}{
		{`{"ids":[1,2,3]}`, true, []uint64{1, 2, 3}, false, ""},
		{`{"ids":[4],"force":true}`, true, []uint64{4}, true, ""},
		{`{"ids":[4],"force":false}`, true, []uint64{4}, false, ""},
		{`{"ids":[4],"force":true}`, false, nil, false, "send a JSON object"}, // drop takes no force
		{`{"ids":[4],"force":"yes"}`, true, nil, false, "send a JSON object"},
		{`{"ids":["17", 18]}`, false, []uint64{17, 18}, false, ""},
		{` {"ids":[18446744073709551615]} `, false, []uint64{18446744073709551615}, false, ""},
		{`{"ids":[]}`, false, nil, false, "no ids"},
		{`{}`, false, nil, false, "no ids"},
		{`{"ids":[0]}`, false, nil, false, "ids[0]"},
		{`{"ids":[1,-2,"x",1.5,"+3"]}`, false, nil, false, "ids[1]; ids[2]; ids[3]; ids[4]"},
		{`{"ids":[18446744073709551616]}`, false, nil, false, "ids[0]"},
		{`{"ids":[1],"extra":1}`, false, nil, false, "send a JSON object"},
		{`{"ids":[1]} {}`, false, nil, false, "data after"},
		{`[1,2]`, false, nil, false, "send a JSON object"},
		{``, false, nil, false, "no ids"},
		{`{"id":[1]}`, false, nil, false, "send a JSON object"},
		{`{"ids":"1"}`, false, nil, false, "send a JSON object"},
		{`{"ids":[1],"ids":[2]}`, false, nil, false, `"ids" given twice at the top level`},
	}
	for _, c := range cases {
		got, force, err := parseIDs([]byte(c.body), c.forceable)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err %v, want %q", c.body, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) || force != c.force {
			t.Errorf("%s: %v %v %v, want %v %v", c.body, got, force, err, c.want, c.force)
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
		ids, _, err := parseIDs(body, true)
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
