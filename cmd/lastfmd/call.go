package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/signer"
)

func newCallCmd(e *env) *cobra.Command {
	var account string
	var raw bool
	cmd := &cobra.Command{
		Use:   "call METHOD [name=value ...]",
		Short: "Call a Last.fm method through the running daemon",
		Long: "call sends one Last.fm call to the running daemon (at $LASTFMD_URL, else the configured listen)\n" +
			"and prints the answer: pretty JSON on a terminal, raw when piped. Exit status 1 on a Last.fm error.",
		Example: "  lastfmd call artist.getInfo artist=Cher\n  lastfmd call track.love artist=Cher track=Believe --account alice",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 {
				return usageError{errors.New("missing METHOD (e.g. artist.getInfo)")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCall(e, args[0], args[1:], account, raw)
		},
		// Completes METHOD from the catalog (lastfmd completion bash|zsh|fish).
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, m := range signer.Methods() {
				if strings.HasPrefix(strings.ToLower(m.Name), strings.ToLower(toComplete)) {
					names = append(names, m.Name)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	}
	cmd.Flags().StringVar(&account, "account", "", "account to call as (see lastfmd auth status)")
	cmd.Flags().BoolVar(&raw, "raw", false, "print the answer exactly as received")
	return cmd
}

// client is how CLI commands reach the running daemon: its URL and token
// (never the API secret: a client needs none).
type client struct {
	base  string
	token string
	hc    *http.Client
}

func newClient(e *env) (*client, error) {
	cfg, _, err := config.Load(config.Options{Path: e.configPath})
	if err != nil {
		return nil, err
	}
	c := &client{token: cfg.Security.Token.Reveal(), hc: &http.Client{Timeout: 2 * time.Minute}}
	if u := os.Getenv("LASTFMD_URL"); u != "" {
		c.base = strings.TrimRight(u, "/")
		return c, nil
	}
	network, addr := cfg.ListenNetwork()
	if network == "unix" {
		c.base = "http://localhost"
		c.hc.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", addr)
		}}
		return c, nil
	}
	c.base = "http://" + addr
	return c, nil
}

func (c *client) do(req *http.Request) (*http.Response, error) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("no daemon answers at %s: start one with `lastfmd run` (or try `lastfmd demo`)", c.base)
	}
	return resp, nil
}

func runCall(e *env, method string, args []string, account string, raw bool) error {
	params := map[string]any{}
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return usageError{fmt.Errorf("argument %q is not name=value", a)}
		}
		params[name] = value
	}
	c, err := newClient(e)
	if err != nil {
		return err
	}
	post := true
	if m, ok := signer.Lookup(method); ok {
		method = m.Name
		post = m.Kind != signer.KindRead
	} else {
		post = false
	}
	var req *http.Request
	endpoint := c.base + "/v1/" + url.PathEscape(method)
	if post {
		body, _ := json.Marshal(params)
		req, err = http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
	} else {
		q := url.Values{}
		for k, v := range params {
			q.Set(k, v.(string))
		}
		req, err = http.NewRequest(http.MethodGet, endpoint+"?"+q.Encode(), nil)
	}
	if err != nil {
		return err
	}
	if account != "" {
		req.Header.Set("X-Lastfmd-Account", account)
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	out := body
	if !raw && isTerminal(e.stdout) {
		var pretty bytes.Buffer
		if json.Indent(&pretty, body, "", "  ") == nil {
			out = append(pretty.Bytes(), '\n')
		}
	}
	e.stdout.Write(out)
	if resp.StatusCode >= 400 || signer.DecodeError(body) != nil {
		msg := ""
		if apiErr := signer.DecodeError(body); apiErr != nil {
			msg = fmt.Sprintf("lastfmd call: %s (HTTP %d)", apiErr.Error(), resp.StatusCode)
		}
		if resp.StatusCode == http.StatusUnauthorized && c.token == "" {
			msg = "lastfmd call: this daemon requires its listener token: set security.token_file in your configuration " +
				"(a system install's is /etc/lastfmd/token, readable by the group lastfmd: sudo usermod -aG lastfmd \"$USER\", then log in again)"
		}
		return exitError{code: 1, msg: msg}
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
