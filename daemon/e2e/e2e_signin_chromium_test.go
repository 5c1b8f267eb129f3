package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// The browser flow in a real browser: Debian's headless Chromium, driven
// through chromedriver's W3C WebDriver HTTP API
// (https://www.w3.org/TR/webdriver2/), opens the accounts page on
// localhost, presses Connect, approves on the emulator's page on 127.0.0.1
// (another site, as www.last.fm is), and lands on "Signed in as alice".
// Chromium enforces what the other tests only assert: SameSite=Lax sent on
// the cross-site redirect back, Sec-Fetch-Site, Origin, the CSP's
// form-action.
//
// Needs the Debian packages chromium and chromium-driver (.ci/run installs
// them).
func TestSignInChromium(t *testing.T) {
	const chromium, driver = "/usr/bin/chromium", "/usr/bin/chromedriver"
	for _, p := range []string{chromium, driver} {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%s is not installed: apt-get install -y chromium chromium-driver (as .ci/run does) to run the real-browser sign-in test", p)
		}
	}
	binary := chromium
	if _, err := os.Stat("/usr/lib/chromium/chromium"); err == nil {
		binary = "/usr/lib/chromium/chromium" // the real binary, without Debian's launcher script
	}
	h := newHarnessAccount(t, noAccount, withToken(t))
	wd := startWebDriver(t, driver, binary)

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
	approveBtn := wd.find("#approve")
	if u := wd.currentURL(); !strings.HasPrefix(u, "http://"+h.emu.Addr()+"/api/auth/") {
		t.Fatalf("Connect led to %s", u)
	}
	wd.clickElement(approveBtn)
	result := wd.find("#result")
	if got := wd.text(result); got != "Signed in as alice" {
		t.Fatalf("landed on %q at %s", got, wd.currentURL())
	}
	if u := wd.currentURL(); !strings.HasPrefix(u, "http://localhost:"+port+"/auth/callback?state=") {
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
	if got := wd.text(wd.find("#accounts")); !strings.Contains(got, "alice") {
		t.Errorf("accounts page shows %q", got)
	}
	// Reloading the callback (a replay) is refused.
	wd.navigate(strings.Replace(h.url, "127.0.0.1", "localhost", 1) + "/auth/callback?state=replayed&token=x")
	if body := wd.text(wd.find("body")); strings.Contains(body, "Signed in") {
		t.Errorf("forged callback in the browser: %q", body)
	}
	h.noLeak([]string{sk}, bearer...)
}

// webDriver is a chromedriver session.
type webDriver struct {
	t    testing.TB
	base string // http://127.0.0.1:PORT/session/ID
	hc   *http.Client
}

func startWebDriver(t testing.TB, driver, binary string) *webDriver {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var logs bytes.Buffer
	cmd := exec.Command(driver, "--port="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting chromedriver: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	root := "http://127.0.0.1:" + strconv.Itoa(port)
	hc := &http.Client{Timeout: 60 * time.Second}
	deadline := time.Now().Add(waitfor.Bound)
	for {
		resp, err := hc.Get(root + "/status")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	profile := t.TempDir()
	caps := map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName": "chrome",
		"goog:chromeOptions": map[string]any{
			"binary": binary,
			"args": []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
				"--no-first-run", "--disable-quic", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--no-proxy-server", "--user-data-dir=" + profile},
		},
	}}}
	var created struct {
		Value struct {
			SessionID string `json:"sessionId"`
		} `json:"value"`
	}
	wd := &webDriver{t: t, hc: hc}
	wd.call(http.MethodPost, root+"/session", caps, &created)
	if created.Value.SessionID == "" {
		t.Fatalf("no WebDriver session\n%s", logs.String())
	}
	wd.base = root + "/session/" + created.Value.SessionID
	t.Cleanup(func() { wd.call(http.MethodDelete, wd.base, nil, nil) })
	return wd
}

// call sends one WebDriver command and decodes {"value": ...} into out.
func (w *webDriver) call(method, url string, body any, out any) {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.hc.Do(req)
	if err != nil {
		w.t.Fatalf("WebDriver %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		w.t.Fatalf("WebDriver %s %s: HTTP %d: %.500s", method, url, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			w.t.Fatalf("WebDriver answer: %v", err)
		}
	}
}

func (w *webDriver) navigate(u string) {
	w.t.Helper()
	w.call(http.MethodPost, w.base+"/url", map[string]string{"url": u}, nil)
}

func (w *webDriver) currentURL() string {
	w.t.Helper()
	var v struct{ Value string }
	w.call(http.MethodGet, w.base+"/url", nil, &v)
	return v.Value
}

// find waits up to 15 s for an element matching the CSS selector.
func (w *webDriver) find(css string) string {
	w.t.Helper()
	deadline := time.Now().Add(waitfor.Bound)
	for {
		b, _ := json.Marshal(map[string]string{"using": "css selector", "value": css})
		resp, err := w.hc.Post(w.base+"/element", "application/json", bytes.NewReader(b))
		if err != nil {
			w.t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			var v struct {
				Value map[string]string `json:"value"`
			}
			if json.Unmarshal(data, &v) == nil {
				for _, id := range v.Value {
					return id
				}
			}
		}
		if time.Now().After(deadline) {
			var src struct{ Value string }
			w.call(http.MethodGet, w.base+"/source", nil, &src)
			w.t.Fatalf("no %s at %s: %.300s\npage: %.1000s", css, w.currentURL(), data, src.Value)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (w *webDriver) clickElement(id string) {
	w.t.Helper()
	w.call(http.MethodPost, fmt.Sprintf("%s/element/%s/click", w.base, id), map[string]any{}, nil)
}

func (w *webDriver) click(css string) { w.clickElement(w.find(css)) }

func (w *webDriver) text(id string) string {
	w.t.Helper()
	var v struct{ Value string }
	w.call(http.MethodGet, fmt.Sprintf("%s/element/%s/text", w.base, id), nil, &v)
	return v.Value
}
