package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// The one browser harness of the project: a real headless Chromium driven
// through the DevTools protocol by chromedp (pinned in go.mod), for the
// sign-in pages (e2e_signin_chromium_test.go) and the page at /
// (e2e_page_chromium_test.go). It records what the browser saw: every
// request the page made, every answer's status and headers, every console
// message, error and exception.
//
// Chromium is Debian's package (.ci/setup installs it). Where it is
// missing the browser tests skip, except with LASTFMD_BROWSER_REQUIRED set
// (.ci/run sets it, as LASTFMD_RECIPES_REQUIRED for the recipes' tools):
// in CI a missing Chromium fails them.

type chromium struct {
	t   testing.TB
	ctx context.Context

	mu        sync.Mutex
	requests  []string                     // every URL the page asked for, in order
	responses map[string]*network.Response // the last answer per URL
	console   []string                     // console errors, exceptions and log entries of level error
}

// chromiumPath is the browser binary: Debian's real binary rather than
// its launcher script, else the first found on PATH.
func chromiumPath() string {
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func newChromium(t testing.TB) *chromium {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		const how = "no Chromium: apt-get install -y chromium (as .ci/setup does) to run the real-browser tests"
		if os.Getenv("LASTFMD_BROWSER_REQUIRED") != "" {
			t.Fatal(how + " (LASTFMD_BROWSER_REQUIRED is set, as in CI)")
		}
		t.Skip(how)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("metrics-recording-only", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	b := &chromium{t: t, ctx: ctx, responses: map[string]*network.Response{}}
	// The first call starts the browser: no timeout on it (chromedp.Run).
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatalf("starting Chromium (%s): %v", path, err)
	}
	for _, enable := range []func() error{
		func() error { _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); return err },
		func() error { _, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); return err },
	} {
		if err := enable(); err != nil {
			t.Fatalf("Chromium (%s): %v", path, err)
		}
	}
	return b
}

// record keeps what the page did (ListenTarget's callback).
func (b *chromium) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, ev.Request.URL)
	case *network.EventResponseReceived:
		b.responses[ev.Response.URL] = ev.Response
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
			var args []string
			for _, a := range ev.Args {
				args = append(args, fmt.Sprintf("%s%s", a.Value, a.Description))
			}
			b.console = append(b.console, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
		}
	case *runtime.EventExceptionThrown:
		b.console = append(b.console, "exception: "+(&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			b.console = append(b.console, fmt.Sprintf("log %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// do runs actions, failing the test on an error; together they wait at
// most waitfor.Bound.
func (b *chromium) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitfor.Bound)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(what, err)
	}
}

// get runs one action that gives a value.
func get[T any](b *chromium, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitfor.Bound)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fail(what, err)
	}
	return v
}

func (b *chromium) fail(what string, err error) {
	b.t.Helper()
	hctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	html, _ := chromedp.Run(hctx, chromedp.OuterHTML(chromedp.CSS("html")))
	b.t.Fatalf("browser: %s: %v\nat %s\npage: %.2000s", what, err, b.url(), html)
}

func (b *chromium) navigate(u string) { b.t.Helper(); b.do("open "+u, chromedp.Navigate(u)) }

// click waits for the element matching the CSS selector, then clicks it.
func (b *chromium) click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// text waits for the element matching the CSS selector and returns its
// text.
func (b *chromium) text(sel string) string {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitReady(chromedp.CSS(sel)))
	return get(b, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// waitText waits until the element matching sel contains want, without a
// reload by the test (a navigation under way, after a click, is waited
// through).
func (b *chromium) waitText(sel, want string) {
	b.t.Helper()
	b.until(fmt.Sprintf("%q in %s", want, sel),
		fmt.Sprintf(`(function(){var e=document.querySelector(%q);return !!e && e.textContent.indexOf(%q)>=0;})()`, sel, want))
}

// until waits until the script is true in the page, asking every 50 ms.
func (b *chromium) until(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(waitfor.Bound)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	b.fail("wait for "+what, fmt.Errorf("still not so after %v (last error: %v)", waitfor.Bound, last))
}

// eval runs a script in the page and decodes its value.
func eval[T any](b *chromium, js string) T {
	b.t.Helper()
	return get(b, "evaluate "+js, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

func (b *chromium) url() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	u, _ := chromedp.Run(ctx, chromedp.Location())
	return u
}

// seen is what the browser recorded so far.
func (b *chromium) seen() (requests []string, responses map[string]*network.Response, console []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	responses = map[string]*network.Response{}
	for k, v := range b.responses {
		responses[k] = v
	}
	return append([]string(nil), b.requests...), responses, append([]string(nil), b.console...)
}

// forget drops what the browser recorded so far.
func (b *chromium) forget() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests, b.responses, b.console = nil, map[string]*network.Response{}, nil
}

// hostsOtherThan lists the requests the page made to any host but these.
func (b *chromium) hostsOtherThan(hosts ...string) []string {
	reqs, _, _ := b.seen()
	var out []string
	for _, r := range reqs {
		u, err := url.Parse(r)
		if err != nil || u.Scheme == "data" {
			continue
		}
		ok := false
		for _, h := range hosts {
			ok = ok || u.Hostname() == h
		}
		if !ok {
			out = append(out, r)
		}
	}
	return out
}
