package emulator

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/fakeclock"
)

// signedWith returns params carrying key and signed with secret, whichever
// emulator they belong to.
func signedWith(key, secret string, p P) P {
	out := P{"api_key": key}
	for k, v := range p {
		out[k] = v
	}
	out["api_sig"] = Sign(out, secret)
	return out
}

// TestServiceAgeRules sends one scrobble per timestamp to an emulator playing
// each service: Last.fm ignores older than 14 days (3) and ahead (4), Libre.fm
// only ahead (3) and before 1009000000 (4), with its own wording.
func TestServiceAgeRules(t *testing.T) {
	now := time.Unix(1800000000, 0)
	day := 24 * time.Hour
	at := func(d time.Duration) int64 { return now.Add(d).Unix() }
	cases := []struct {
		name          string
		ts            int64
		lastfm, libre int
	}{
		{"now", at(0), 0, 0},
		{"4 min ahead", at(4 * time.Minute), 0, 0},
		{"6 min ahead", at(6 * time.Minute), 4, 3},
		{"13 days old", at(-13 * day), 0, 0},
		{"15 days old", at(-15 * day), 3, 0},
		{"10 years old", at(-3650 * day), 3, 0},
		{"Libre.fm's oldest", librefmOldest, 3, 0},
		{"before Libre.fm's oldest", librefmOldest - 1, 3, 4},
		{"1970", 0, 3, 4},
	}
	messages := map[Service]map[int]string{
		LastFM:  {0: "", 3: "Timestamp was too old", 4: "Timestamp was too new"},
		LibreFM: {0: "", 3: "Timestamp is too new", 4: "Timestamp is too old"},
	}
	for _, svc := range []Service{LastFM, LibreFM} {
		s := newTestServer(t, Options{Service: svc, Now: fakeclock.New(now).Now})
		sk := s.NewSession("rj")
		for _, c := range cases {
			t.Run(svc.String()+"/"+c.name, func(t *testing.T) {
				want := c.lastfm
				if svc == LibreFM {
					want = c.libre
				}
				before := len(s.Scrobbles("rj"))
				r := do(t, s, "POST", signed(s, P{"method": "track.scrobble", "artist": "A", "track": c.name,
					"timestamp": fmt.Sprint(c.ts), "sk": sk, "format": "json"}))
				m := jsonOf(t, r)
				if r.status != 200 || path(m, "scrobbles", "scrobble", "ignoredMessage", "code") != fmt.Sprint(want) ||
					path(m, "scrobbles", "scrobble", "ignoredMessage", "#text") != messages[svc][want] {
					t.Errorf("want code %d %q: %d %s", want, messages[svc][want], r.status, r.body)
				}
				accepted := 1
				if want != 0 {
					accepted = 0
				}
				if path(m, "scrobbles", "@attr", "accepted") != float64(accepted) ||
					path(m, "scrobbles", "@attr", "ignored") != float64(1-accepted) {
					t.Errorf("counts: %s", r.body)
				}
				if got := len(s.Scrobbles("rj")) - before; got != accepted {
					t.Errorf("stored %d, want %d", got, accepted)
				}
			})
		}
	}

	// A forced code Libre.fm does not word keeps Last.fm's text.
	s := newTestServer(t, Options{Service: LibreFM, Now: fakeclock.New(now).Now})
	s.Fail(Fault{IgnoreCode: 5, Times: 1})
	r := do(t, s, "POST", signed(s, P{"method": "track.scrobble", "artist": "A", "track": "T",
		"timestamp": fmt.Sprint(now.Unix()), "sk": s.NewSession("rj")}))
	if !strings.Contains(r.body, `<ignoredMessage code="5">Daily scrobble limit exceeded</ignoredMessage>`) {
		t.Errorf("code 5 on Libre.fm: %s", r.body)
	}
}

// TestServiceMobileSignIn: Last.fm takes password or authToken; Libre.fm only
// authToken = md5(lowercase(username) + md5(password)), in lowercase hex.
func TestServiceMobileSignIn(t *testing.T) {
	token := func(name, pw string) string { return md5hex(name + md5hex(pw)) }
	const (
		lastfmDenied = "Authentication Failed - You do not have permissions to access the service"
		libreDenied  = "Invalid authentication token supplied"
	)
	cases := []struct {
		name   string
		svc    Service
		params P
		status int
		code   int
		msg    string
	}{
		{"password", LastFM, P{"username": "rj", "password": "s3cret"}, 200, 0, ""},
		{"token of the name as sent", LastFM, P{"username": "rj", "authToken": token("rj", "s3cret")}, 200, 0, ""},
		{"token of the name as added", LastFM, P{"username": "rj", "authToken": token("RJ", "s3cret")}, 200, 0, ""},
		{"uppercase token", LastFM, P{"username": "rj", "authToken": strings.ToUpper(token("rj", "s3cret"))}, 200, 0, ""},
		{"wrong password", LastFM, P{"username": "rj", "password": "nope"}, 403, 4, lastfmDenied},

		{"token", LibreFM, P{"username": "rj", "authToken": token("rj", "s3cret")}, 200, 0, ""},
		{"token, name in another case", LibreFM, P{"username": "Rj", "authToken": token("rj", "s3cret")}, 200, 0, ""},
		{"token beside a wrong password", LibreFM, P{"username": "rj", "password": "nope", "authToken": token("rj", "s3cret")}, 200, 0, ""},
		{"password alone", LibreFM, P{"username": "rj", "password": "s3cret"}, 400, 6, ""},
		{"token of the name not lowercased", LibreFM, P{"username": "RJ", "authToken": token("RJ", "s3cret")}, 403, 4, libreDenied},
		{"uppercase token", LibreFM, P{"username": "rj", "authToken": strings.ToUpper(token("rj", "s3cret"))}, 403, 4, libreDenied},
		{"wrong password's token", LibreFM, P{"username": "rj", "authToken": token("rj", "nope")}, 403, 4, libreDenied},
		{"unknown user", LibreFM, P{"username": "nobody", "authToken": token("nobody", "s3cret")}, 403, 4, libreDenied},
		{"no username", LibreFM, P{"authToken": token("rj", "s3cret")}, 400, 6, ""},
	}
	servers := map[Service]*Server{}
	for _, svc := range []Service{LastFM, LibreFM} {
		servers[svc] = newTestServer(t, Options{Service: svc})
		servers[svc].AddUser("RJ", "s3cret", false)
	}
	for _, c := range cases {
		t.Run(c.svc.String()+"/"+c.name, func(t *testing.T) {
			s := servers[c.svc]
			p := P{"method": "auth.getMobileSession", "format": "json"}
			for k, v := range c.params {
				p[k] = v
			}
			r := do(t, s, "POST", signed(s, p))
			if r.status != c.status || errorCode(t, r) != c.code || !strings.Contains(r.body, c.msg) {
				t.Fatalf("want %d/%d %q: %d %s", c.status, c.code, c.msg, r.status, r.body)
			}
			if c.code != 0 {
				return
			}
			sk, _ := path(jsonOf(t, r), "session", "key").(string)
			if u, ok := s.SessionUser(sk); !ok || u != "RJ" {
				t.Errorf("session %q: %q %v", sk, u, ok)
			}
		})
	}
}

// TestTwoServices runs the emulator as Last.fm and as Libre.fm side by side:
// different keys and secrets, sessions and scrobbles of their own, and a
// request carrying the other's key (10), signature (13) or session (9) refused.
func TestTwoServices(t *testing.T) {
	clock := fakeclock.New(time.Unix(1800000000, 0))
	var logMu sync.Mutex
	var lines []string
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}
	lfm := newTestServer(t, Options{Now: clock.Now, Logf: logf})
	libre := newTestServer(t, Options{Service: LibreFM, Now: clock.Now, Logf: logf})
	if lfm.APIKey() == libre.APIKey() || lfm.Secret() == libre.Secret() ||
		libre.APIKey() != LibreFMAPIKey || libre.Secret() != LibreFMSecret || len(libre.APIKey()) != 32 {
		t.Fatalf("credentials: %s/%s and %s/%s", lfm.APIKey(), lfm.Secret(), libre.APIKey(), libre.Secret())
	}
	if lfm.Name() != "lastfm" || libre.Name() != "librefm" {
		t.Errorf("names %q %q", lfm.Name(), libre.Name())
	}
	skOf := map[*Server]string{lfm: lfm.NewSession("rj"), libre: libre.NewSession("rj")}
	// whose returns the other emulator when theirs is set, else own.
	whose := func(own *Server, theirs bool) *Server {
		if !theirs {
			return own
		}
		if own == lfm {
			return libre
		}
		return lfm
	}

	cases := []struct {
		name                         string
		theirKey, theirSecret, their bool // the request carries the other's key, secret, session
		status, code, count          int
	}{
		{"own credentials", false, false, false, 200, 0, 1},
		{"other's secret", false, true, false, 400, 13, 0},
		{"other's key and secret", true, true, true, 403, 10, 0},
		{"other's key, own secret", true, false, false, 403, 10, 0},
		{"other's session", false, false, true, 403, 9, 0},
	}
	for _, target := range []*Server{lfm, libre} {
		for _, c := range cases {
			t.Run(target.Name()+"/"+c.name, func(t *testing.T) {
				before := len(target.Scrobbles("rj"))
				p := signedWith(whose(target, c.theirKey).APIKey(), whose(target, c.theirSecret).Secret(), P{"method": "track.scrobble",
					"artist": "A", "track": c.name, "timestamp": fmt.Sprint(clock.Now().Unix()), "sk": skOf[whose(target, c.their)]})
				r := do(t, target, "POST", p)
				if r.status != c.status || errorCode(t, r) != c.code {
					t.Errorf("want %d/%d: %d %s", c.status, c.code, r.status, r.body)
				}
				if got := len(target.Scrobbles("rj")) - before; got != c.count {
					t.Errorf("stored %d, want %d", got, c.count)
				}
			})
		}
	}
	// Each kept its own: one scrobble each, none crossed over.
	if n, m := len(lfm.Scrobbles("rj")), len(libre.Scrobbles("rj")); n != 1 || m != 1 {
		t.Errorf("scrobbles: Last.fm %d, Libre.fm %d", n, m)
	}
	// Each recorded the requests that reached it, under its name.
	for _, s := range []*Server{lfm, libre} {
		reqs := s.Requests()
		if len(reqs) != len(cases) || s.Count("track.scrobble") != len(cases) {
			t.Errorf("%s recorded %d", s.Name(), len(reqs))
		}
		for _, r := range reqs {
			if r.Service != s.Name() {
				t.Errorf("%s recorded a request of %q", s.Name(), r.Service)
			}
		}
	}
	// The approval page names its service and knows only its own key.
	for _, c := range []struct {
		s      *Server
		key    string
		status int
		site   string
	}{
		{lfm, lfm.APIKey(), 200, "your Last.fm account"},
		{libre, libre.APIKey(), 200, "your Libre.fm account"},
		{libre, lfm.APIKey(), 403, "Invalid API key"},
	} {
		page := getPage(t, c.s.AuthURL()+"?api_key="+c.key)
		if page.status != c.status || !strings.Contains(page.body, c.site) {
			t.Errorf("%s page with %s: %d %s", c.s.Name(), c.key, page.status, page.body)
		}
	}
	// The log tells the two apart; Last.fm's lines keep their prefix.
	logMu.Lock()
	defer logMu.Unlock()
	var plain, named int
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "emulator: POST track.scrobble"):
			plain++
		case strings.HasPrefix(l, "emulator librefm: POST track.scrobble"):
			named++
		}
	}
	if plain != len(cases) || named != len(cases) {
		t.Errorf("log lines %d and %d: %q", plain, named, lines)
	}
}

// getPage fetches a page by GET.
func getPage(t *testing.T, u string) reply {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// TestLacks: a method the service lacks answers 3 as an unknown method does,
// after the key check, and changes nothing; the methods it has still work.
func TestLacks(t *testing.T) {
	s := newTestServer(t, Options{Service: LibreFM, Lacks: []string{"TRACK.LOVE", "track.updateNowPlaying"}})
	sk := s.NewSession("rj")
	const msg = "Invalid Method - No method with that name in this package"
	cases := []requestCase{
		{"lacked write", "POST", signed(s, P{"method": "track.love", "artist": "A", "track": "T", "sk": sk}), 400, 3},
		{"lacked, any case", "POST", signed(s, P{"method": "Track.Love", "artist": "A", "track": "T", "sk": sk}), 400, 3},
		{"lacked, unsigned", "POST", unsignedP(s, P{"method": "track.love", "artist": "A", "track": "T"}), 400, 3},
		{"lacked, wrong key first", "POST", signedWith(DefaultAPIKey, DefaultSecret, P{"method": "track.love", "artist": "A", "track": "T"}), 403, 10},
		{"lacked now playing", "POST", signed(s, P{"method": "track.updateNowPlaying", "artist": "A", "track": "T", "sk": sk}), 400, 3},
		{"kept write", "POST", signed(s, P{"method": "track.unlove", "artist": "A", "track": "T", "sk": sk}), 200, 0},
		{"kept read", "GET", unsignedP(s, P{"method": "artist.getInfo", "artist": "Cher"}), 200, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := P{"format": "json"}
			for k, v := range c.params {
				p[k] = v
			}
			r := do(t, s, c.verb, p)
			if r.status != c.status || errorCode(t, r) != c.code || c.code == 3 && path(jsonOf(t, r), "message") != msg {
				t.Errorf("want %d/%d: %d %s", c.status, c.code, r.status, r.body)
			}
		})
	}
	if len(s.Loved("rj")) != 0 || s.NowPlaying("rj") != nil {
		t.Errorf("a lacked method changed something: %v %v", s.Loved("rj"), s.NowPlaying("rj"))
	}
	// Recorded under its canonical name all the same.
	if n := s.Count("track.love"); n != 4 {
		t.Errorf("Count(track.love) = %d", n)
	}
}

// TestOptionsRefused: New refuses a service or a lacked method it does not know.
func TestOptionsRefused(t *testing.T) {
	for name, o := range map[string]Options{
		"unknown service":         {Service: Service(7)},
		"unknown lacked method":   {Lacks: []string{"track.scrobbel"}},
		"lacked package, no name": {Lacks: []string{"track"}},
	} {
		t.Run(name, func(t *testing.T) {
			if s, err := New(o); err == nil {
				_ = s.Close()
				t.Fatalf("New(%+v) worked", o)
			}
		})
	}
	if got := Service(7).String(); got != "Service(7)" {
		t.Errorf("String of an unknown service: %q", got)
	}
}

// TestLooseScrobbleAnswer: a Maloja-like server answers track.scrobble with
// the counts alone and, with RefuseBatchForm, fails the indexed form.
func TestLooseScrobbleAnswer(t *testing.T) {
	now := time.Unix(1800000000, 0)
	ts := fmt.Sprint(now.Unix())
	start := now.Add(-time.Hour).Unix() // batch's items, 4 minutes apart, all in the window
	single := P{"method": "track.scrobble", "artist": "A", "track": "T", "timestamp": ts}
	indexedOne := P{"method": "track.scrobble", "artist[0]": "A", "track[0]": "T", "timestamp[0]": ts}
	withOld := batch(3, start)
	withOld["timestamp[1]"] = fmt.Sprint(now.Add(-30 * 24 * time.Hour).Unix())
	loose := Options{LooseScrobbleAnswer: true}
	maloja := Options{LooseScrobbleAnswer: true, RefuseBatchForm: true}
	const lastfmItem = `"scrobble":{"track":{"corrected":"0","#text":"T"}` // Last.fm's per-item entry
	cases := []struct {
		name    string
		o       Options
		params  P
		xml     bool
		status  int
		body    string
		partial bool // body is a part of the answer, not all of it
		stored  int
	}{
		{"single", loose, single, false, 200, `{"scrobbles":{"@attr":{"accepted":1,"ignored":0}}}`, false, 1},
		{"batch", loose, batch(3, start), false, 200, `{"scrobbles":{"@attr":{"accepted":3,"ignored":0}}}`, false, 3},
		{"batch holding an old item", loose, withOld, false, 200, `{"scrobbles":{"@attr":{"accepted":2,"ignored":1}}}`, false, 2},
		{"xml", loose, batch(2, start), true, 200,
			xmlHeader + `<lfm status="ok">` + "\n" + `  <scrobbles accepted="2" ignored="0"></scrobbles>` + "\n</lfm>\n", false, 2},
		{"batch refused", maloja, batch(3, start), false, 500, `{"error":8,"message":"Operation failed"}`, false, 0},
		{"indexed single refused", maloja, indexedOne, false, 500, `{"error":8,"message":"Operation failed"}`, false, 0},
		{"plain single beside a refused batch form", maloja, single, false, 200, `{"scrobbles":{"@attr":{"accepted":1,"ignored":0}}}`, false, 1},
		{"refused batch form alone keeps Last.fm's answer", Options{RefuseBatchForm: true}, single, false, 200, lastfmItem, true, 1},
		{"Last.fm's answer by default", Options{}, indexedOne, false, 200, lastfmItem, true, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.o
			o.Now = fakeclock.New(now).Now
			s := newTestServer(t, o)
			p := P{"sk": s.NewSession("rj"), "format": "json"}
			if c.xml {
				delete(p, "format")
			}
			for k, v := range c.params {
				p[k] = v
			}
			r := do(t, s, "POST", signed(s, p))
			if r.status != c.status || !c.partial && r.body != c.body || c.partial && !strings.Contains(r.body, c.body) {
				t.Errorf("want %d %s\ngot %d %s", c.status, c.body, r.status, r.body)
			}
			if n := len(s.Scrobbles("rj")); n != c.stored {
				t.Errorf("stored %d, want %d", n, c.stored)
			}
		})
	}
}

// TestNamedEmulator: Options.Name tells apart two emulators playing the same
// service (Last.fm and a Maloja-like mirror) in their records.
func TestNamedEmulator(t *testing.T) {
	maloja := newTestServer(t, Options{Name: "maloja", LooseScrobbleAnswer: true,
		Lacks: []string{"track.love", "track.unlove", "track.updateNowPlaying"}})
	if maloja.Name() != "maloja" || maloja.APIKey() != DefaultAPIKey {
		t.Errorf("name %q, key %q", maloja.Name(), maloja.APIKey())
	}
	do(t, maloja, "GET", unsignedP(maloja, P{"method": "artist.getInfo", "artist": "Cher"}))
	if reqs := maloja.Requests(); len(reqs) != 1 || reqs[0].Service != "maloja" {
		t.Errorf("recorded %+v", reqs)
	}
}
