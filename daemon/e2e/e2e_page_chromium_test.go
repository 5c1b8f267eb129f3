package e2e_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/httpapi"
)

// The page at / (docs/page.md) in a real headless Chromium (browser_test.go).

// pagePoll is the page's polling interval in these tests (2 s in
// production).
const pagePoll = 100 * time.Millisecond

func withPagePoll(h *harness) { h.m.Tuning.PagePoll = pagePoll }

// The page shows each destination, mirrors too; a scrobble posted by a
// script appears without a reload; the CSP header is there; no console
// error; and no request leaves 127.0.0.1 while the page is open.
func TestPageChromiumLive(t *testing.T) {
	b := newChromium(t)
	h := newHarness(t, withMirror, withListenBrainz, withPagePoll)
	b.navigate(h.url + "/")
	if u := b.url(); u != h.url+"/ui/" {
		t.Fatalf("/ led to %s", u)
	}
	for _, d := range []string{"lastfm", mirrorName, lbName} {
		b.text("#dest-" + d)
	}
	wantContains(t, b.text("#accounts"), "alice", "default")
	b.waitText("#live", "Live: updated") // the script runs and polls
	if !eval[bool](b, "window.noReload = true") {
		t.Fatal("cannot mark the page")
	}
	a, _ := h.scrobble(items(1, "Live", time.Now()))
	wantStatus(t, a, 200)
	b.waitText("#recent", "Live0")
	b.waitText("#dest-"+lbName, "0 pending") // the mirrors' lanes settle on the page too
	if !eval[bool](b, "window.noReload === true") {
		t.Error("the page was reloaded")
	}
	if got := b.text("#recent"); !strings.Contains(got, "accepted") {
		t.Errorf("the last scrobbles: %q", got)
	}
	time.Sleep(3 * pagePoll) // a few more polls, recorded
	_, responses, console := b.seen()
	page := responses[h.url+"/ui/"]
	if page == nil || page.Status != 200 || page.Headers["Content-Security-Policy"] != httpapi.PageCSP ||
		page.Headers["X-Frame-Options"] != "DENY" || page.Headers["Referrer-Policy"] != "same-origin" {
		t.Errorf("the page's answer: %+v", page)
	}
	if data := responses[h.url+"/ui/data"]; data == nil || data.Status != 200 {
		t.Errorf("no poll of /ui/data recorded: %+v", data)
	}
	if len(console) > 0 {
		t.Errorf("console: %q", console)
	}
	reqs, _, _ := b.seen()
	if other := b.hostsOtherThan("127.0.0.1"); len(other) > 0 || len(reqs) < 4 {
		t.Errorf("requests beyond 127.0.0.1: %q (of %d)", other, len(reqs))
	}
}

// deadLetters makes one dead letter per track on Last.fm's lane (error 6
// on a lone scrobble) and returns their ids.
func deadLetters(t *testing.T, h *harness, tracks ...string) []uint64 {
	t.Helper()
	var ids []uint64
	for i, track := range tracks {
		h.emu.Fail(emulator.Fault{Method: "track.scrobble", Code: 6, Times: 1})
		a, v := h.scrobble([]scrobbleItem{{Artist: "Cher", Track: track, Timestamp: time.Now().Add(-time.Duration(10+i) * time.Minute).Unix()}}, "Prefer", "wait=0")
		wantStatus(t, a, 202)
		ids = append(ids, v.Scrobbles[0].ID)
		waitFor(t, "the dead letter "+track, func() bool { return h.queue().Dead == i+1 })
	}
	return ids
}

// Retry on a dead letter moves it back to pending and the emulator
// receives it once; Drop asks for confirmation, then removes it.
func TestPageChromiumRetryDrop(t *testing.T) {
	b := newChromium(t)
	h := newHarness(t, withJournal(fastJournal), withPagePoll)
	ids := deadLetters(t, h, "Retried", "Dropped")
	b.navigate(h.url + "/ui/")
	retry, drop := "#retry-lastfm-"+strconv.FormatUint(ids[0], 10), "#drop-lastfm-"+strconv.FormatUint(ids[1], 10)
	b.waitText("#dead", "Retried")
	b.click(retry)
	b.waitText("#note", "queued to be sent again")
	waitFor(t, "the retried scrobble at the emulator", func() bool { return strings.Contains(fmt.Sprint(h.delivered("alice")), "Retried") })
	h.settled()
	steady(t, "the emulator's scrobbles", 5*pagePoll, func() int { return len(h.delivered("alice")) })
	if got := h.delivered("alice"); len(got) != 1 || got[0] != "Retried" {
		t.Errorf("the emulator received %q", got)
	}
	b.waitText("#recent", "Retried")
	b.navigate(h.url + "/ui/")
	b.click(drop)
	b.waitText("#note", "Drop "+strconv.FormatUint(ids[1], 10)+" from Last.fm?")
	if q := h.queue(); q.Dead != 1 {
		t.Fatalf("dropped before the confirmation: %+v", q)
	}
	b.click("#confirm")
	b.waitText("#note", "dropped")
	if q := h.queue(); q.Dead != 0 || q.Pending != 0 {
		t.Errorf("after the drop: %+v", q)
	}
	b.waitText("#dead", "None: nothing was given up.")
	if got := h.delivered("alice"); len(got) != 1 {
		t.Errorf("the dropped scrobble was sent: %q", got)
	}
	if _, _, console := b.seen(); len(console) > 0 {
		t.Errorf("console: %q", console)
	}
}

// A page served from another origin can neither read the page or its
// data nor press its buttons: each attempt gets 403 and nothing changes.
func TestPageChromiumOtherOrigin(t *testing.T) {
	b := newChromium(t)
	h := newHarness(t, withJournal(fastJournal), withPagePoll)
	ids := deadLetters(t, h, "Kept")
	id := strconv.FormatUint(ids[0], 10)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!DOCTYPE html><html><body><p id="read">reading</p>
<form id="f" method="post" action="%[1]s/ui/retry"><input name="id" value="%[2]s"><input name="dest" value="lastfm"></form>
<script>
Promise.all(['/ui/', '/ui/data', '/'].map(function (p) {
  return fetch('%[1]s' + p, {credentials: 'include'}).then(function (r) { return r.text(); }).then(function (t) { return 'read ' + t.length; }, function () { return 'refused'; }).then(function (read) {
    return fetch('%[1]s' + p, {mode: 'no-cors', credentials: 'include'}).then(function () { return read; }, function () { return read; });
  });
})).then(function (rs) { document.getElementById('read').textContent = rs.join(','); document.getElementById('f').submit(); });
</script></body></html>`, h.url, id)
	}))
	defer evil.Close()
	// localhost is another site than 127.0.0.1, as a page on the web is.
	b.navigate(strings.Replace(evil.URL, "127.0.0.1", "localhost", 1))
	b.until("the form's answer", fmt.Sprintf(`location.href === %q`, h.url+"/ui/retry"))
	_, responses, _ := b.seen()
	for _, p := range []string{"/ui/", "/ui/data", "/", "/ui/retry"} {
		if r := responses[h.url+p]; r == nil || r.Status != http.StatusForbidden {
			t.Errorf("%s from another site: %+v", p, r)
		}
	}
	if body := b.text("body"); !strings.Contains(body, "browser request refused") {
		t.Errorf("the form's answer: %q", body)
	}
	steady(t, "the dead letter", 5*pagePoll, func() int { return h.queue().Dead })
	if q := h.queue(); q.Dead != 1 || q.Pending != 0 || len(h.delivered("alice")) != 0 {
		t.Errorf("another site changed the queue: %+v", q)
	}
}

// With a listener token the page is empty until the one-time code of
// `lastfmd open` (POST /v1/ui/open) is given; then it is live on the
// cookie alone.
func TestPageChromiumToken(t *testing.T) {
	b := newChromium(t)
	h := newHarness(t, withToken(t), withPagePoll)
	b.navigate(h.url + "/")
	wantContains(t, b.text("#locked"), "lastfmd open")
	if n := eval[int](b, `document.querySelectorAll('#main, #dead, #recent, #accounts').length`); n != 0 {
		t.Errorf("the locked page shows %d of the page's parts", n)
	}
	if body := b.text("body"); strings.Contains(body, "alice") {
		t.Errorf("the locked page: %q", body)
	}
	bearer := []string{"Authorization", "Bearer " + testToken}
	u := decode[map[string]string](t, h.postJSON("/v1/ui/open", ``, bearer...))["url"]
	if !strings.HasPrefix(u, h.url+"/ui/?access=") {
		t.Fatalf("/v1/ui/open: %s", u)
	}
	b.forget() // the locked page's 401, which the browser logs
	b.navigate(u)
	if got := b.url(); got != h.url+"/ui/" {
		t.Errorf("the code stayed in the address bar: %s", got)
	}
	wantContains(t, b.text("#accounts"), "alice")
	a, _ := h.scrobble(items(1, "Token", time.Now()), bearer...)
	wantStatus(t, a, 200)
	b.waitText("#recent", "Token0")
	if body := eval[string](b, "document.documentElement.outerHTML + document.cookie"); strings.Contains(body, testToken) {
		t.Error("the token is in the page or a cookie the page can read")
	}
	if _, _, console := b.seen(); len(console) > 0 {
		t.Errorf("console: %q", console)
	}
}
