package main

import (
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// An upstream that echoes the request in its error (a proxy, a broken
// Last.fm) hands back what lastfmd sent: a password, a session key, a
// signature. Where no daemon runs, the CLI signs in itself with the parts
// the daemon builds (daemon/parts.go), redactor included, and says such an
// error with every secret masked.
func TestAuthCLILocalMasksEchoedSecrets(t *testing.T) {
	w := newAuthWorld(t, worldOpt{})

	w.emu.Fail(emulator.Fault{Method: "auth.getMobileSession", Answer: emulator.AnswerEcho, Times: 1})
	out, errOut, code := runCLI(t, w.env(), daemontest.AlicePassword+"\n", "auth", "mobile", "--username", daemontest.Alice, "--password-stdin")
	if code != 1 || !strings.Contains(errOut, "you sent:") {
		t.Fatalf("mobile, answered with an echo: %d %q %q", code, out, errOut)
	}
	w.noSecrets(out+errOut, "auth mobile's output", daemontest.AlicePassword)
	if strings.Contains(errOut, "api_sig="+w.emu.Requests()[len(w.emu.Requests())-1].Params["api_sig"]) {
		t.Error("auth mobile's output shows the call's signature")
	}

	sk := w.emu.NewSession(daemontest.Bob)
	w.emu.Fail(emulator.Fault{Method: "user.getInfo", Answer: emulator.AnswerEcho, Times: 1})
	out, errOut, code = runCLI(t, w.env(), sk+"\n", "auth", "import", "--username", daemontest.Bob)
	if code != 1 || !strings.Contains(errOut, "you sent:") {
		t.Fatalf("import, answered with an echo: %d %q %q", code, out, errOut)
	}
	w.noSecrets(out+errOut, "auth import's output", sk)
}

// The same on a mirror: its answer echoing the sign-in hands back
// Libre.fm's authToken and the call's signature; the CLI masks them, and
// shows no secret of either service.
func TestAuthCLIMirrorMasksEchoedSecrets(t *testing.T) {
	w := newAuthWorld(t, worldOpt{mirror: true})
	daemontest.SignInAlice(t, w.emu, w.stateDir)
	w.libre.Fail(emulator.Fault{Method: "auth.getMobileSession", Answer: emulator.AnswerEcho, Times: 1})
	out, errOut, code := runCLI(t, w.env(), librePassword+"\n", "auth", "mobile", "--mirror", "librefm", "--username", libreUser, "--password-stdin")
	if code != 1 || !strings.Contains(errOut, "you sent:") {
		t.Fatalf("mobile --mirror, answered with an echo: %d %q %q", code, out, errOut)
	}
	reqs := w.libre.Requests()
	sent := reqs[len(reqs)-1].Params
	alice, _ := w.store().Get("alice")
	w.noSecrets(out+errOut, "auth mobile --mirror's output", librePassword, sent["authToken"], sent["api_sig"], alice.Key)
}
