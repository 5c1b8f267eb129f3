package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
)

// strict asks the daemon directly and decodes its document into v, refusing
// any field v does not declare: the client's types are the daemon's
// documents, whole (a field added to one and not the other fails here).
func strict(t *testing.T, url, method, path, body string, v any) {
	t.Helper()
	req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		t.Fatalf("%s %s: %v\n%s", method, path, err, data)
	}
}

// Through real sockets to a real daemon in front of the emulator: every
// method, and every document decoded whole.
func TestAgainstDaemon(t *testing.T) {
	emu := daemontest.Emulator(t)
	state := t.TempDir()
	daemontest.SignInAlice(t, emu, state)
	cfg := daemontest.Config(emu, state)
	_, url := daemontest.Start(t, &cfg, nil, daemontest.Pace{})
	c, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	if err := c.Ready(ctx); err != nil {
		t.Fatalf("ready: %v", err)
	}
	if err := c.Health(ctx); err != nil {
		t.Fatalf("health: %v", err)
	}
	ans, err := c.Call(ctx, "artist.getInfo", map[string]string{"artist": "Cher"}, "")
	if err != nil || ans.Status != 200 || !bytes.Contains(ans.Body, []byte(`"Cher"`)) {
		t.Fatalf("read: %v %+v", err, ans)
	}
	if _, err := c.Call(ctx, "track.love", map[string]string{"artist": "Cher", "track": "Believe"}, ""); err != nil {
		t.Fatalf("write: %v", err)
	}
	if len(emu.Loved(daemontest.Alice)) != 1 {
		t.Error("the love did not reach Last.fm")
	}
	ans, err = c.Call(ctx, "artist.getInfo", map[string]string{"artist": "Unknown Artist"}, "")
	if e, ok := client.AsError(err); !ok || e.Code != 6 || ans == nil || !bytes.Contains(ans.Body, []byte(`"error":6`)) {
		t.Errorf("a Last.fm error: %v %+v", err, ans)
	}
	var st client.Status
	strict(t, url, "GET", "/v1/status", "", &st)
	if got, err := c.Status(ctx); err != nil || got.Upstream.Calls == 0 || len(got.Accounts) != 1 || got.Accounts[0].Name != "alice" {
		t.Errorf("status: %v %+v", err, got)
	}

	// Sign-ins and accounts.
	var lg client.Login
	strict(t, url, "POST", "/v1/auth/login", `{"account":"work"}`, &lg)
	if p, err := c.LoginPoll(ctx, lg.ID); err != nil || p.State != client.LoginPending || lg.URL == "" {
		t.Errorf("login: %v %+v %+v", err, lg, p)
	}
	var si client.SignedIn
	strict(t, url, "POST", "/v1/auth/mobile", fmt.Sprintf(`{"username":%q,"password":%q,"account":"bobm"}`, daemontest.Bob, daemontest.BobPassword), &si)
	if si.Account != "bobm" || si.User != daemontest.Bob {
		t.Errorf("mobile: %+v", si)
	}
	if s, err := c.Import(ctx, daemontest.Bob, emu.NewSession(daemontest.Bob), "bob"); err != nil || s.Account != "bob" {
		t.Errorf("import: %v %+v", err, s)
	}
	if err := c.SetDefault(ctx, "bob"); err != nil {
		t.Errorf("default: %v", err)
	}
	var accts struct {
		Accounts []client.Account `json:"accounts"`
	}
	strict(t, url, "GET", "/v1/auth/accounts", "", &accts)
	list, err := c.Accounts(ctx)
	if err != nil || len(list) != 3 || len(accts.Accounts) != 3 {
		t.Fatalf("accounts: %v %+v", err, list)
	}
	for _, a := range list {
		if a.Default != (a.Name == "bob") || a.Added.IsZero() {
			t.Errorf("account %+v", a)
		}
	}
	if err := c.Logout(ctx, "bobm", false); err != nil {
		t.Errorf("logout: %v", err)
	}
	if err := c.Logout(ctx, "bobm", false); err == nil || !strings.Contains(err.Error(), "unknown account") {
		t.Errorf("logout twice: %v", err)
	}
	if u, err := c.WebURL(ctx); err != nil || !strings.HasPrefix(u, url+"/auth/") {
		t.Errorf("web: %v %q", err, u)
	}

	// The queue: a scrobble waits while Last.fm is down, then is
	// dead-lettered by a forced logout, retried and dropped.
	emu.Stop()
	ts := time.Now().Add(-5 * time.Minute).Unix()
	req, _ := http.NewRequest("POST", url+"/v1/track.scrobble", strings.NewReader(fmt.Sprintf(`{"artist":"Cher","track":"First","timestamp":%d}`, ts)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Prefer", "wait=0")
	req.Header.Set("X-Lastfmd-Account", "alice")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 202 {
		t.Fatalf("scrobble: %v %v", err, resp)
	}
	resp.Body.Close()
	var q client.Queue
	strict(t, url, "GET", "/v1/queue", "", &q)
	if q.Pending != 1 || len(q.Items) != 1 || q.Items[0].Params["track"] != "First" || q.Items[0].Timestamp != ts {
		t.Fatalf("queue: %+v", q)
	}
	if err := c.Logout(ctx, "alice", false); err == nil {
		t.Error("logout with a scrobble waiting was not refused")
	}
	if err := c.Logout(ctx, "alice", true); err != nil {
		t.Fatalf("forced logout: %v", err)
	}
	strict(t, url, "GET", "/v1/queue?limit=1", "", &q)
	got, err := c.Queue(ctx, 1, "")
	if err != nil || got.Dead != 1 || len(got.DeadLetters) != 1 || got.DeadLetters[0].Reason == "" || got.DeadLetters[0].Died.IsZero() {
		t.Fatalf("dead letter: %v %+v", err, got)
	}
	id := got.DeadLetters[0].ID
	var export bytes.Buffer
	if err := c.QueueExport(ctx, &export, ""); err != nil || !strings.Contains(export.String(), `"state":"dead"`) {
		t.Errorf("export: %v %q", err, export.String())
	}
	var changes struct {
		Items []client.QueueChange `json:"items"`
	}
	strict(t, url, "POST", "/v1/queue/drop", `{"ids":[999999]}`, &changes)
	if ch, err := c.QueueDrop(ctx, "", id, 999999); err != nil || len(ch) != 2 || ch[0].Result != "dropped" || ch[1].Result != "unknown" {
		t.Errorf("drop: %v %+v", err, ch)
	}
	if ch, err := c.QueueRetry(ctx, "", id); err != nil || len(ch) != 1 || ch[0].Result != "unknown" {
		t.Errorf("retry of a dropped id: %v %+v", err, ch)
	}
}

// A daemon that requires its listener token: the probes need none, every
// other request is refused without it (TokenSent false says why) and
// answered with it; the token never appears in an error.
func TestAgainstDaemonWithToken(t *testing.T) {
	emu := daemontest.Emulator(t)
	cfg := daemontest.Config(emu, t.TempDir())
	cfg.Security.Token = config.Secret(daemontest.Token)
	_, url := daemontest.Start(t, &cfg, nil, daemontest.Pace{})
	ctx := context.Background()

	without, _ := client.New(url)
	if err := without.Ready(ctx); err != nil {
		t.Errorf("ready without the token: %v", err)
	}
	_, err := without.Status(ctx)
	if e, ok := client.AsError(err); !ok || e.Status != 401 || e.TokenSent {
		t.Errorf("status without the token: %v", err)
	}
	wrong, _ := client.New(url, client.WithToken("not-the-"+daemontest.Token))
	_, err = wrong.Call(ctx, "artist.getInfo", map[string]string{"artist": "Cher"}, "")
	if e, ok := client.AsError(err); !ok || e.Status != 401 || !e.TokenSent || strings.Contains(err.Error(), daemontest.Token) {
		t.Errorf("a wrong token: %v", err)
	}
	with, _ := client.New(url, client.WithToken(daemontest.Token))
	if _, err := with.Status(ctx); err != nil {
		t.Errorf("status with the token: %v", err)
	}
	if _, err := with.Call(ctx, "artist.getInfo", map[string]string{"artist": "Cher"}, ""); err != nil {
		t.Errorf("a read with the token: %v", err)
	}
}
