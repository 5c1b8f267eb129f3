package e2e_test

import (
	"net/url"
	"strings"
	"testing"
)

// The browser flow in a real browser: Debian's headless Chromium, driven
// through the DevTools protocol by the project's one browser harness
// (browser_test.go), opens the accounts page on
// localhost, presses Connect, approves on the emulator's page on 127.0.0.1
// (another site, as www.last.fm is), and lands on "Signed in as alice".
// Chromium enforces what the other tests only assert: SameSite=Lax sent on
// the cross-site redirect back, Sec-Fetch-Site, Origin, the CSP's
// form-action.
//
// Needs Debian's package chromium (.ci/setup installs it).
func TestSignInChromium(t *testing.T) {
	wd := newChromium(t)
	h := newHarnessAccount(t, noAccount, withToken(t))

	port := h.url[strings.LastIndexByte(h.url, ':')+1:]
	bearer := []string{"Authorization", "Bearer " + testToken}
	pageURL := decode[map[string]string](t, h.postJSON("/v1/auth/web", ``, bearer...))["url"]
	pageURL = strings.Replace(pageURL, "127.0.0.1", "localhost", 1) // the page on localhost, Last.fm on 127.0.0.1
	if !strings.HasPrefix(pageURL, "http://localhost:"+port+"/auth/?access=") {
		t.Fatalf("auth web URL %s", pageURL)
	}
	wd.navigate(pageURL)
	wd.click("#connect")
	// On the emulator's approval page, another site.
	wd.text("#approve")
	if u := wd.url(); !strings.HasPrefix(u, "http://"+h.emu.Addr()+"/api/auth/") {
		t.Fatalf("Connect led to %s", u)
	}
	wd.click("#approve")
	wd.waitText("#result", "Signed in")
	if got := wd.text("#result"); got != "Signed in as alice" {
		t.Fatalf("landed on %q at %s", got, wd.url())
	}
	if u := wd.url(); !strings.HasPrefix(u, "http://localhost:"+port+"/auth/callback?state=") {
		t.Errorf("result page at %s", u)
	}
	sk := h.liveKey("alice")
	wantStatus(t, h.postForm("/v1/track.love", url.Values{"artist": {"Cher"}, "track": {"Believe"}}, append(bearer, "X-Lastfmd-Account", "alice")...), 200)
	if h.last("track.love").Params["sk"] != sk {
		t.Error("the write did not use the session signed in with the browser")
	}
	// The accounts page, reached from the result page with the Strict
	// access cookie, lists alice.
	wd.click("#back")
	if got := wd.text("#accounts"); !strings.Contains(got, "alice") {
		t.Errorf("accounts page shows %q", got)
	}
	// Reloading the callback (a replay) is refused.
	wd.navigate(strings.Replace(h.url, "127.0.0.1", "localhost", 1) + "/auth/callback?state=replayed&token=x")
	if body := wd.text("body"); strings.Contains(body, "Signed in") {
		t.Errorf("forged callback in the browser: %q", body)
	}
	h.noLeak([]string{sk}, bearer...)
}
