package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// A desktop sign-in stops polling Last.fm when the person gives up:
// `lastfmd auth login` interrupted or killed, or `lastfmd auth cancel`
// (issue 21, point 7).

// polls counts the auth.getSession calls Last.fm got for one sign-in.
func (w *authWorld) polls(token string) int {
	return w.emu.CountWith("auth.getSession", "token", token)
}

// startHTTP starts a sign-in over the daemon's API, as another `lastfmd
// auth login` would, and returns it.
func (w *authWorld) startHTTP() client.Login {
	w.t.Helper()
	status, body := fetch(w.t, http.DefaultClient, http.MethodPost, w.url+"/v1/auth/login", "{}")
	if status != http.StatusOK {
		w.t.Fatalf("POST /v1/auth/login: %d %s", status, body)
	}
	var lg client.Login
	if err := json.Unmarshal([]byte(body), &lg); err != nil {
		w.t.Fatal(err)
	}
	return lg
}

// silent fails unless the sign-in with token has stopped polling: while
// a fresh sign-in, whose client keeps asking, polls three times, it polls
// no more. Events, not durations.
func (w *authWorld) silent(token string) {
	w.t.Helper()
	live := w.startHTTP()
	liveTok := tokenOfURL(live.URL)
	before := w.polls(token)
	waitfor.True(w.t, "a live sign-in to poll three times", func() bool {
		fetch(w.t, http.DefaultClient, http.MethodGet, w.url+"/v1/auth/login/"+live.ID, "")
		return w.polls(liveTok) >= 3
	})
	if n := w.polls(token); n != before {
		w.t.Errorf("the abandoned sign-in polled %d more times", n-before)
	}
}

func tokenOfURL(u string) string { return u[strings.Index(u, "token=")+len("token="):] }

// loginStart runs `lastfmd auth login` through the world's daemon and
// returns it running, once the daemon has polled Last.fm for it.
func (w *authWorld) loginStart() (cmd *exec.Cmd, token string, stderr *bytes.Buffer) {
	w.t.Helper()
	cmd = exec.Command(binPath, "auth", "login", "--no-browser", "--poll-interval", "20ms")
	cmd.Env = w.env()
	stdout, _ := cmd.StdoutPipe()
	stderr = &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	kill := time.AfterFunc(waitfor.Bound, func() { cmd.Process.Kill() }) // only a hang
	w.t.Cleanup(func() { kill.Stop() })
	first, _ := bufio.NewReader(stdout).ReadString('\n')
	token = tokenOfURL(strings.TrimSpace(first))
	waitfor.True(w.t, "the daemon to poll for the sign-in", func() bool { return w.polls(token) > 0 })
	return cmd, token, stderr
}

// Ctrl-C: the CLI tells the daemon, which stops polling before the CLI
// exits.
func TestAuthLoginInterruptedStopsPolling(t *testing.T) {
	w := newAuthWorld(t, worldOpt{daemon: true})
	cmd, token, stderr := w.loginStart()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil {
		t.Error("an interrupted login exited 0")
	}
	if !strings.Contains(stderr.String(), "stopped waiting; the sign-in is cancelled") {
		t.Errorf("stderr: %s", stderr)
	}
	w.silent(token)
}

// Killed outright (SIGKILL, a closed terminal): nothing asks about the
// sign-in any more, so the daemon drops it when its lease runs out.
func TestAuthLoginKilledStopsPolling(t *testing.T) {
	w := newAuthWorld(t, worldOpt{daemon: true, lease: 300 * time.Millisecond})
	cmd, token, _ := w.loginStart()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitfor.True(t, "the daemon to drop the abandoned sign-in", func() bool {
		return strings.Contains(w.logs.String(), "nothing asked how the sign-in goes")
	})
	w.silent(token)
}

// `lastfmd auth cancel` stops every sign-in waiting, through the daemon;
// with four waiting a fifth `auth login` is refused and names it.
func TestAuthCancelCommand(t *testing.T) {
	w := newAuthWorld(t, worldOpt{daemon: true})
	var tokens []string
	for range 4 {
		tokens = append(tokens, tokenOfURL(w.startHTTP().URL))
	}
	_, errOut, code := runCLI(t, w.env(), "", "auth", "login", "--no-browser")
	if code != 1 || !strings.Contains(errOut, "4 sign-ins are already waiting") || !strings.Contains(errOut, "`lastfmd auth cancel`") {
		t.Fatalf("a fifth login: exit %d, %s", code, errOut)
	}
	out, errOut, code := runCLI(t, w.env(), "", "auth", "cancel")
	if code != 0 || out != "Cancelled 4 sign-ins waiting for approval\n" {
		t.Fatalf("auth cancel: exit %d, %q %s", code, out, errOut)
	}
	for _, tok := range tokens {
		w.silent(tok)
	}
	// silent left one live sign-in per token; they go too.
	if out, _, _ := runCLI(t, w.env(), "", "auth", "cancel"); out != "Cancelled 4 sign-ins waiting for approval\n" {
		t.Errorf("second auth cancel: %q", out)
	}
	if out, _, _ := runCLI(t, w.env(), "", "auth", "cancel"); out != "No sign-in was waiting for approval\n" {
		t.Errorf("auth cancel with none waiting: %q", out)
	}
	// Without a daemon, a sign-in lives in its own command: nothing to do.
	nod := newAuthWorld(t, worldOpt{})
	if out, errOut, code := runCLI(t, nod.env(), "", "auth", "cancel"); code != 0 || out != "No sign-in is waiting: no daemon is running\n" {
		t.Errorf("auth cancel without a daemon: exit %d, %q %s", code, out, errOut)
	}
}
