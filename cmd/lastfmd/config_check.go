package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// probeTimeout bounds config check's one call to Last.fm, its wait for
// the limiter included (the call itself is bound by lastfm.timeout).
const probeTimeout = 15 * time.Second

// runConfigCheck loads the configuration and judges it as `run` does
// (config.Load, then daemon.CheckConfig, which daemon.Main.Open runs: one
// verdict), then sends one signed auth.getToken: it needs no session,
// changes nothing, and Last.fm answers it only when the key exists (else
// 10) and the secret belongs to it (else 13). Last.fm out of reach is not
// a configuration error: exit 0, saying the credentials were not verified.
// Each mirror is asked the same with its own credentials, a line each.
func runConfigCheck(e *env) error {
	cfg, warnings, err := config.Load(config.Options{Path: e.configPath, NeedCredentials: true})
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
	if err := daemon.CheckConfig(cfg); err != nil {
		return err
	}
	from := cfg.File
	if from == "" {
		from = "defaults and environment (no file)"
	}
	verdict, err := probeCredentials(cfg)
	if err != nil {
		return err
	}
	mirrors, err := probeMirrors(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "configuration OK: %s\n%s\n", from, verdict)
	for _, line := range mirrors {
		fmt.Fprintln(e.stdout, line)
	}
	return nil
}

// probeCredentials asks Last.fm about the key and secret, through the
// upstream client the daemon builds (daemon.NewUpstream: its limiter, its
// timeout, its redactor). It returns the line to print when the
// configuration may be used, or the error naming the wrong value.
func probeCredentials(cfg *config.Config) (string, error) {
	redactor := daemon.NewRedactor(cfg)
	up, err := daemon.NewUpstream(cfg, redactor, time.Now, daemon.Tuning{})
	if err != nil {
		return "", err
	}
	return probe(up, redactor.String, prober{service: "Last.fm", root: cfg.LastFM.Upstream, apiKey: cfg.LastFM.APIKey,
		secretFrom: cfg.SecretSource(), fix: signer.CredentialsFix})
}

// probeMirrors asks each mirror about its own key and secret, through the
// client the daemon builds for it (daemon.NewMirrorUpstream: its key,
// secret, limiter and timeout; never Last.fm's), or, a mirror of type
// listenbrainz, about its token_file's token (probeToken): a line per
// mirror, or the error naming the first mirror that refuses its
// credentials.
func probeMirrors(cfg *config.Config) ([]string, error) {
	redactor := daemon.NewRedactor(cfg)
	lb, err := daemon.NewListenBrainzClients(cfg, redactor, time.Now, daemon.Tuning{})
	if err != nil {
		return nil, err
	}
	var lines []string
	for i := range cfg.Mirrors {
		m := &cfg.Mirrors[i]
		if m.Type == config.MirrorTypeListenBrainz {
			line, err := probeToken(lb[m.Name], redactor.String, m, cfg.MirrorTokenSource(i))
			if err != nil {
				return nil, err
			}
			lines = append(lines, line)
			continue
		}
		up, err := daemon.NewMirrorUpstream(cfg, m, redactor, time.Now, daemon.Tuning{})
		if err != nil {
			return nil, err
		}
		label := fmt.Sprintf("mirror %q", m.Name)
		line, err := probe(up, redactor.String, prober{service: m.Name, label: label, root: m.APIRoot, apiKey: m.APIKey,
			secretFrom: cfg.MirrorSecretSource(i),
			fix:        "compare " + label + ".api_key and its API secret with your API account at that service, fix them, check with `lastfmd config check`, then restart lastfmd"})
		if err != nil {
			return nil, err
		}
		lines = append(lines, line)
	}
	return lines, nil
}

// tokenValidator is what probeToken asks a mirror of type listenbrainz
// (*listenbrainz.Client, from daemon.NewListenBrainzClients).
type tokenValidator interface {
	ValidateToken(ctx context.Context, token string) (bool, string, error)
	CloseIdleConnections()
}

// probeToken asks the ListenBrainz mirror m, through the client the daemon
// builds for it, whether its token_file's user token (the account
// "default"'s) is valid there (validate-token), bounded by probeTimeout:
// the line to print (valid, and whose; or not verified, the mirror out of
// reach; or no token to check), or the error naming the token's file when
// the mirror says it is not valid, as a refused Last.fm key is one.
func probeToken(c tokenValidator, said func(string) string, m *config.Mirror, from string) (string, error) {
	label := fmt.Sprintf("mirror %q", m.Name)
	if !m.Token.IsSet() {
		return fmt.Sprintf("%s: no user token configured (token_file): accounts give theirs with `lastfmd auth token --mirror %s`", label, m.Name), nil
	}
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	valid, user, err := c.ValidateToken(ctx, m.Token.Reveal())
	var ae *apperr.Error
	switch {
	case err != nil && errors.As(err, &ae) && ae.Kind == apperr.Invalid:
		return "", fmt.Errorf("config: %s: the user token from %s is not a token (%s): %s, write it there, check with `lastfmd config check`, then restart lastfmd",
			label, from, said(authflow.ShapeProblem(ae.Message)), authflow.TokenHelp)
	case err != nil:
		cause := failureCause(err)
		if ae != nil && ae.Err != nil && strings.HasPrefix(ae.Err.Error(), "the answer was ") {
			cause += ": " + ae.Err.Error()
		}
		return fmt.Sprintf("%s: user token not verified: %s at %s cannot be reached or did not say (%s); run `lastfmd config check` again when it can",
			label, m.Name, m.APIRoot, said(cause)), nil
	case !valid:
		return "", fmt.Errorf("config: %s: %s says the user token from %s is not valid there: %s, write it there, check with `lastfmd config check`, then restart lastfmd",
			label, m.Name, from, authflow.TokenHelp)
	}
	return fmt.Sprintf("%s: user token valid, as user %s (from %s)", label, said(user), from), nil
}

// A prober is what probe says about one service: Last.fm, or a mirror.
type prober struct {
	service    string // "Last.fm", "librefm"
	label      string // what its lines start with ("" for Last.fm): `mirror "librefm"`
	root       string // where it is reached
	apiKey     string
	secretFrom string // where its API secret was read
	fix        string // the next step when a credential is wrong
}

// probe sends up's one signed upstream.ProbeMethod, bounded by
// probeTimeout, and returns the line to print when the credentials may be
// used (verified, or not verified: the service out of reach is no
// configuration error), or the error naming the wrong value. What the
// service or the network said is quoted through said, as the daemon quotes
// it: an answer may echo what it was sent.
func probe(up *upstream.Client, said func(string) string, p prober) (string, error) {
	defer up.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	r, err := up.Probe(ctx)
	prefix, cfgPrefix := "", "config: "
	if p.label != "" {
		prefix = p.label + ": "
		cfgPrefix += prefix
	}
	notVerified := prefix + "credentials not verified: " + p.service + " at " + p.root + " cannot be reached (%s); run `lastfmd config check` again when it can"
	switch {
	case err != nil:
		return fmt.Sprintf(notVerified, said(failureCause(err))), nil
	case r.APIError != nil:
		answer := r.APIError.Error()
		if p.label != "" {
			answer = r.APIError.ErrorAt(p.service)
		}
		if cause := signer.CredentialCauseAt(p.service, r.APIError.Code, p.secretFrom, p.apiKey); cause != "" {
			return "", fmt.Errorf("%s%s (%s): %s", cfgPrefix, cause, said(answer), p.fix)
		}
		if r.Class == signer.ClassTransient || r.Class == signer.ClassRateLimited {
			return fmt.Sprintf(notVerified, said(answer)), nil
		}
		return "", fmt.Errorf("%s%s refused the credential check %s: %s", cfgPrefix, p.service, upstream.ProbeMethod, said(answer))
	case r.Failed():
		return fmt.Sprintf(notVerified, fmt.Sprintf("HTTP %d", r.Status)), nil
	}
	return prefix + "credentials verified: " + p.service + " accepts api_key " + p.apiKey + " signed with the API secret from " + p.secretFrom, nil
}

// failureCause is why the probe got no answer, said once: lastfmd's error
// already names the cause in its message, and its Error() adds the cause
// again (for the log).
func failureCause(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Message != "" {
		return ae.Message
	}
	return err.Error()
}
