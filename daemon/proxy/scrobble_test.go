package proxy

import (
	"encoding/json"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/api"

	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/signer"
)

func TestScrobbleItems(t *testing.T) {
	cases := []struct {
		name   string
		req    Request
		want   []map[string]string
		errMsg string
	}{
		{"single form", Request{Params: map[string]string{"artist": "A", "track": "T", "timestamp": "1", "format": "json", "sk": "x"}},
			[]map[string]string{{"artist": "A", "track": "T", "timestamp": "1"}}, ""},
		{"single form with extras", Request{Params: map[string]string{"artist": "A", "track": "T", "timestamp": "1", "lang": "en",
			"lang[0]": "de", "cache-buster": "7"}},
			[]map[string]string{{"artist": "A", "track": "T", "timestamp": "1"}}, ""},
		{"indexed form", Request{Params: map[string]string{"artist[0]": "A", "track[0]": "T", "timestamp[0]": "1",
			"artist[1]": "B", "track[1]": "U", "timestamp[1]": "2", "album[1]": "X", "format": "xml"}},
			[]map[string]string{{"artist": "A", "track": "T", "timestamp": "1"}, {"artist": "B", "track": "U", "timestamp": "2", "album": "X"}}, ""},
		{"indexed form with un-indexed and indexed extras", Request{Params: map[string]string{"artist[0]": "A", "track[0]": "T",
			"timestamp[0]": "1", "lang": "en", "lang[0]": "en", "album": "ignored", "foo[9]": "x"}},
			[]map[string]string{{"artist": "A", "track": "T", "timestamp": "1"}}, ""},
		{"hole", Request{Params: map[string]string{"artist[0]": "A", "artist[2]": "B"}}, nil, "without a gap"},
		{"index 50", Request{Params: map[string]string{"artist[50]": "A"}}, nil, "0 to 49"},
		{"an item without track", Request{Params: map[string]string{"artist[0]": "A", "timestamp[0]": "1"}}, nil, `item 0: "track" is required`},
		{"a timestamp that is not a whole number", Request{Params: map[string]string{"artist": "A", "track": "T", "timestamp": "1.5"}},
			nil, "whole number"},
		{"JSON array", Request{Params: map[string]string{"format": "json"}, Scrobbles: []ScrobbleItem{{Values: url.Values{"artist": {"A"}, "track": {"T"}, "timestamp": {"1"}}}}},
			[]map[string]string{{"artist": "A", "track": "T", "timestamp": "1"}}, ""},
		{"JSON array with a stray parameter, dropped", Request{Params: map[string]string{"artist": "B", "lang": "en"},
			Scrobbles: []ScrobbleItem{{Values: url.Values{"artist": {"A"}, "track": {"T"}, "timestamp": {"1"}, "lang": {"x"}}}}},
			[]map[string]string{{"artist": "A", "track": "T", "timestamp": "1"}}, ""},
		{"empty JSON array", Request{Params: map[string]string{}, Scrobbles: []ScrobbleItem{}}, nil, "no scrobbles"},
		{"JSON items the transport could not read, a value given twice, a bad one", Request{Params: map[string]string{}, Scrobbles: []ScrobbleItem{
			{Values: url.Values{"artist": {"A"}, "track": {"T"}, "timestamp": {"1"}}},
			{Problem: "not a JSON object"},
			{Values: url.Values{"artist": {"A", "B"}, "track": {"T"}, "timestamp": {"1"}}},
			{Values: url.Values{"artist": {"A"}, "timestamp": {"1"}}}}},
			nil, `3 of 4 scrobbles are malformed, so none was accepted: item 1: not a JSON object; item 2: parameter "artist"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := scrobbleItems(&c.req)
			if c.errMsg != "" {
				if err == nil || !strings.Contains(err.Error(), c.errMsg) {
					t.Fatalf("err %v, want %q", err, c.errMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fields := make([]map[string]string, len(got))
			for i, sc := range got {
				fields[i] = sc.Params
			}
			gj, _ := json.Marshal(fields)
			wj, _ := json.Marshal(c.want)
			if string(gj) != string(wj) {
				t.Errorf("got %s, want %s", gj, wj)
			}
		})
	}
	big := &Request{Params: map[string]string{}, Scrobbles: make([]ScrobbleItem, MaxScrobblesPerRequest+1)}
	if _, err := scrobbleItems(big); err == nil || !strings.Contains(err.Error(), "at most 10000") {
		t.Errorf("10001 items: %v", err)
	}
}

func answers() []scrobbleAnswer {
	sc := func(track string) journal.Scrobble {
		s, _ := signer.ParseScrobble(map[string]string{"artist": "bjork", "track": track, "timestamp": "1700000000"})
		return s
	}
	return []scrobbleAnswer{
		{sc: sc("sent"), outcome: &journal.Outcome{ID: 1, State: journal.Sent, Result: &journal.Result{Status: journal.StatusAccepted,
			Answer: map[string]string{"artist": "Björk", "track": "sent"}, Corrected: map[string]string{"artist": "Björk"}}}},
		{sc: sc("queued"), outcome: &journal.Outcome{ID: 2, State: journal.Pending, Duplicate: true}},
		{sc: sc("too new"), ignored: 4},
		{sc: sc("dead"), outcome: &journal.Outcome{ID: 3, State: journal.Dead, Reason: "Last.fm refused it: error 6"}},
		{sc: sc("filtered"), outcome: &journal.Outcome{ID: 4, State: journal.Sent, Result: &journal.Result{Status: journal.StatusIgnored,
			IgnoredCode: 1, IgnoredMessage: "Artist was ignored"}}},
	}
}

func TestV1ScrobbleAnswer(t *testing.T) {
	res := v1ScrobbleAnswer(answers())
	if res.Status != 202 || res.Queued != 1 {
		t.Fatalf("status %d queued %d", res.Status, res.Queued)
	}
	var v api.ScrobbleAnswer
	if err := json.Unmarshal(res.Body, &v); err != nil {
		t.Fatal(err)
	}
	if v.Accepted != 1 || v.Queued != 1 || v.Ignored != 2 || v.Failed != 1 {
		t.Errorf("counts %+v", v)
	}
	s := v.Scrobbles
	if s[0].Corrected["artist"] != "Björk" || !s[1].Duplicate || s[2].IgnoredMessage.Code != 4 || s[2].ID != 0 ||
		s[3].Status != "failed" || !strings.Contains(s[3].Error, "error 6") || s[4].IgnoredMessage.Message != "Artist was ignored" {
		t.Errorf("items %+v", s)
	}
	// Everything answered: 200.
	if res := v1ScrobbleAnswer(answers()[:1]); res.Status != 200 || res.Queued != 0 {
		t.Errorf("all answered: %d", res.Status)
	}
}

func TestDropInScrobbleAnswer(t *testing.T) {
	res := dropInScrobbleAnswer(answers(), false)
	if res.Status != 200 || res.Queued != 1 || !strings.HasPrefix(res.ContentType, "text/xml") {
		t.Fatalf("%d %d %s", res.Status, res.Queued, res.ContentType)
	}
	var doc struct {
		Status    string `xml:"status,attr"`
		Scrobbles struct {
			Accepted int `xml:"accepted,attr"`
			Ignored  int `xml:"ignored,attr"`
			Items    []struct {
				Artist struct {
					Corrected string `xml:"corrected,attr"`
					Text      string `xml:",chardata"`
				} `xml:"artist"`
				Track   string `xml:"track"`
				Ignored struct {
					Code string `xml:"code,attr"`
					Text string `xml:",chardata"`
				} `xml:"ignoredMessage"`
			} `xml:"scrobble"`
		} `xml:"scrobbles"`
	}
	if err := xml.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("%v\n%s", err, res.Body)
	}
	it := doc.Scrobbles.Items
	if doc.Status != "ok" || doc.Scrobbles.Accepted != 2 || doc.Scrobbles.Ignored != 3 || len(it) != 5 ||
		it[0].Artist.Text != "Björk" || it[0].Artist.Corrected != "1" || it[1].Ignored.Code != "0" ||
		it[2].Ignored.Code != "4" || it[3].Ignored.Code != "1" || !strings.Contains(it[3].Ignored.Text, "not scrobbled") {
		t.Errorf("doc %+v", doc)
	}
	js := dropInScrobbleAnswer(answers()[:1], true)
	var j map[string]map[string]json.RawMessage
	if err := json.Unmarshal(js.Body, &j); err != nil || !strings.HasPrefix(string(j["scrobbles"]["scrobble"]), "{") {
		t.Errorf("one item must be an object: %s", js.Body)
	}
}

// FuzzScrobbleItems: track.scrobble parameters come from clients; the
// item extraction never panics and yields at most 50 items.
func FuzzScrobbleItems(f *testing.F) {
	f.Add("artist[0]", "A", "track[0]", "T", "timestamp[0]", "1")
	f.Add("artist", "A", "track", "T", "timestamp", "1")
	f.Add("artist[49]", "A", "artist[0]", "B", "album", "x")
	f.Add("artist[0]", "A", "artist", "B", "format", "json")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3, v3 string) {
		req := &Request{Params: map[string]string{k1: v1, k2: v2, k3: v3}}
		items, err := scrobbleItems(req)
		if err != nil {
			return
		}
		if len(items) == 0 || len(items) > signer.MaxScrobblesPerCall {
			t.Fatalf("%d items from %v", len(items), req.Params)
		}
		for _, it := range items {
			for name := range it.Params {
				if !signer.IsScrobbleField(name) {
					t.Fatalf("%q kept as an item field", name)
				}
			}
		}
	})
}
