package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/service"
)

// statusTimeout bounds each question status and healthcheck ask the daemon:
// a monitor must not hang on a wedged daemon.
const statusTimeout = 5 * time.Second

// statusReport is `lastfmd status --json`: the service manager's view and
// the daemon's own (/readyz, /v1/status). Daemon is the /v1/status
// document, or a string saying why there is none ("not running").
type statusReport struct {
	Service service.State `json:"service"`
	URL     string        `json:"url,omitempty"`
	Ready   bool          `json:"ready"`
	Reason  string        `json:"reason,omitempty"`
	Daemon  any           `json:"daemon"`
	// Tried lists the addresses asked when none was ready; Demo is the
	// address where a demo answered /healthz (status_find.go).
	Tried []string `json:"tried,omitempty"`
	Demo  string   `json:"demo,omitempty"`
}

func newStatusCmd(e *env) *cobra.Command {
	var user, asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show whether the service is installed and running, and what the daemon says",
		Long: "status reports the service (not installed, stopped, running or failed, from systemctl show),\n" +
			"whether the daemon answers /readyz, and a summary of /v1/status. Exit status 0 when the daemon\n" +
			"is ready, 1 otherwise.",
		Example: "  lastfmd status\n  lastfmd status --user --json",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			r := collectStatus(e, user)
			if asJSON {
				out, _ := json.MarshalIndent(r, "", "  ")
				fmt.Fprintf(e.stdout, "%s\n", out)
			} else {
				printStatus(e.stdout, r, user)
			}
			if !r.Ready {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&user, "user", false, "the per-user service")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status document as JSON")
	return cmd
}

// collectStatus asks the service manager, then the daemon.
func collectStatus(e *env, user bool) statusReport {
	var r statusReport
	st, err := serviceManager(e, user).Status()
	if err != nil {
		st = service.State{State: service.StateUnknown, Error: err.Error()}
	}
	if st.Scope == "" {
		st.Scope = map[bool]string{true: "user", false: "system"}[user]
	}
	r.Service = st
	r.Daemon = "not running"

	c, err := newClient(e)
	if err != nil {
		r.Reason = err.Error()
		return r
	}
	c.hc.Timeout = statusTimeout
	r.URL = c.base
	ready, reason, answered := readyz(c)
	r.Ready, r.Reason = ready, reason
	if !answered {
		r.Tried = []string{c.base}
		if demo := demoURL(); demo != c.base {
			r.Tried = append(r.Tried, demo)
			if findDemo(demo) {
				r.Demo = demo
			}
		}
		return r
	}
	req, _ := http.NewRequest(http.MethodGet, c.base+"/v1/status", nil)
	resp, err := c.do(req)
	if err != nil {
		r.Daemon = "not running"
		return r
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case err != nil:
		r.Daemon = "status unreadable: " + err.Error()
	case resp.StatusCode != http.StatusOK:
		r.Daemon = fmt.Sprintf("status refused (HTTP %d): %s", resp.StatusCode, apiMessage(body))
	default:
		var doc json.RawMessage
		if json.Unmarshal(body, &doc) != nil {
			r.Daemon = "status unreadable: not JSON"
		} else {
			r.Daemon = doc
		}
	}
	return r
}

// readyz asks the daemon's /readyz: ready, why not, and whether anything
// answered at all.
func readyz(c *client) (ready bool, reason string, answered bool) {
	req, err := http.NewRequest(http.MethodGet, c.base+"/readyz", nil)
	if err != nil {
		return false, err.Error(), false
	}
	resp, err := c.do(req)
	if err != nil {
		return false, "no answer at " + c.base, false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Sprintf("/readyz answered %d: %s", resp.StatusCode, strings.TrimSpace(apiMessage(body))), true
	}
	return true, "", true
}

// apiMessage is the message of a Last.fm-shaped error body, else the body.
func apiMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return e.Message
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// printStatus writes the human summary.
func printStatus(w io.Writer, r statusReport, user bool) {
	st := r.Service
	line := st.State
	var details []string
	if st.Unit != "" {
		details = append(details, st.Scope+" unit "+st.Unit)
	} else if st.Manager != "" {
		details = append(details, st.Scope+" service, "+st.Manager)
	}
	if st.ActiveState != "" {
		details = append(details, st.ActiveState+"/"+st.SubState)
	}
	if st.UnitFileState != "" {
		details = append(details, st.UnitFileState)
	}
	if st.MainPID > 0 {
		details = append(details, fmt.Sprintf("pid %d", st.MainPID))
	}
	if st.Since != "" && st.State == service.StateRunning {
		details = append(details, "since "+st.Since)
	}
	if st.Result != "" && st.Result != "success" {
		details = append(details, "result "+st.Result)
	}
	if st.Error != "" {
		details = append(details, st.Error)
	}
	if len(details) > 0 {
		line += " (" + strings.Join(details, ", ") + ")"
	}
	fmt.Fprintf(w, "service:  %s\n", line)
	if st.State == service.StateFailed {
		journal := "journalctl -u lastfmd -n 50"
		if user {
			journal = "journalctl --user -u lastfmd -n 50"
		}
		fmt.Fprintf(w, "          see why: %s\n", journal)
	}

	switch {
	case r.Ready:
		fmt.Fprintf(w, "daemon:   ready at %s\n", r.URL)
	case r.URL != "" && r.Reason != "" && strings.HasPrefix(r.Reason, "/readyz"):
		fmt.Fprintf(w, "daemon:   not ready at %s: %s\n", r.URL, r.Reason)
	default:
		reason := r.Reason
		if len(r.Tried) > 0 {
			reason = "no answer at " + strings.Join(r.Tried, ", nor at ")
		}
		fmt.Fprintf(w, "daemon:   not running (%s)\n", reason)
		if r.Demo != "" {
			// Only a demo: never report it as this configuration's daemon.
			fmt.Fprintf(w, "          a demo answers at %s (`lastfmd demo`, in front of its emulator, not Last.fm): to try it, export LASTFMD_URL=%s\n", r.Demo, r.Demo)
		}
		fmt.Fprintf(w, "          %s\n", startHint(st, user))
	}
	raw, ok := r.Daemon.(json.RawMessage)
	if !ok {
		if s, _ := r.Daemon.(string); s != "" && s != "not running" {
			fmt.Fprintf(w, "status:   %s\n", s)
		}
		return
	}
	var doc daemon.StatusDoc
	if json.Unmarshal(raw, &doc) != nil {
		return
	}
	printDaemonStatus(w, doc, time.Now()) // status_human.go
}
