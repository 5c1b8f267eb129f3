package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/apperr"
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
	fmt.Fprintf(e.stdout, "configuration OK: %s\n%s\n", from, verdict)
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
	defer up.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	r, err := up.Probe(ctx)
	// What Last.fm or the network said is quoted through the redactor, as
	// the daemon quotes it: an answer may echo what it was sent.
	said := redactor.String
	notVerified := "credentials not verified: Last.fm at " + cfg.LastFM.Upstream + " cannot be reached (%s); run `lastfmd config check` again when it can"
	switch {
	case err != nil:
		return fmt.Sprintf(notVerified, said(failureCause(err))), nil
	case r.APIError != nil:
		if cause := signer.CredentialCause(r.APIError.Code, cfg.SecretSource(), cfg.LastFM.APIKey); cause != "" {
			return "", fmt.Errorf("config: %s (%s): %s", cause, said(r.APIError.Error()), signer.CredentialsFix)
		}
		if r.Class == signer.ClassTransient || r.Class == signer.ClassRateLimited {
			return fmt.Sprintf(notVerified, said(r.APIError.Error())), nil
		}
		return "", fmt.Errorf("config: Last.fm refused the credential check %s: %s", upstream.ProbeMethod, said(r.APIError.Error()))
	case r.Failed():
		return fmt.Sprintf(notVerified, fmt.Sprintf("HTTP %d", r.Status)), nil
	}
	return "credentials verified: Last.fm accepts api_key " + cfg.LastFM.APIKey + " signed with the API secret from " + cfg.SecretSource(), nil
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
