package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/service"
)

// statusTimeout bounds each question status and healthcheck ask the daemon:
// a monitor must not hang on a wedged daemon.
const statusTimeout = 5 * time.Second

// statusReport is `lastfmd status --json`: the service manager's view and
// the daemon's own (/readyz, /v1/status). Daemon is the /v1/status
// document (*client.Status), or a string saying why there is none ("not
// running").
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
	r.URL = c.Addr()
	ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
	defer cancel()
	err = c.Ready(ctx)
	ce, _ := client.AsError(err)
	switch {
	case err == nil:
		r.Ready = true
	case ce != nil && ce.NoAnswer():
		r.Reason = "no answer at " + c.Addr()
		r.Tried = []string{c.Addr()}
		if demo := demoURL(); demo != c.Addr() {
			r.Tried = append(r.Tried, demo)
			if findDemo(demo) {
				r.Demo = demo
			}
		}
		return r
	case ce != nil:
		r.Reason = fmt.Sprintf("/readyz answered %d: %s", ce.Status, ce.Message)
	default:
		r.Reason = err.Error()
		return r
	}
	doc, err := c.Status(ctx)
	ce, _ = client.AsError(err)
	switch {
	case err == nil:
		r.Daemon = doc
	case ce != nil && ce.NoAnswer():
		r.Daemon = "not running"
	case ce != nil:
		r.Daemon = fmt.Sprintf("status refused (HTTP %d): %s", ce.Status, ce.Message)
	default:
		r.Daemon = "status unreadable: " + err.Error()
	}
	return r
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
	doc, ok := r.Daemon.(*client.Status)
	if !ok {
		if s, _ := r.Daemon.(string); s != "" && s != "not running" {
			fmt.Fprintf(w, "status:   %s\n", s)
		}
		return
	}
	printDaemonStatus(w, doc, time.Now()) // status_human.go
}
