package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/service"
)

func newRunCmd(e *env) *cobra.Command {
	var listen, stateDir string
	cmd := &cobra.Command{
		Use:     "run",
		Short:   "Run the daemon in the foreground (what the service unit starts)",
		Example: "  LASTFMD_API_KEY=... LASTFMD_API_SECRET_FILE=~/.config/lastfmd/api-secret lastfmd run\n  lastfmd run --listen 127.0.0.1:7375 --config ./lastfmd.toml",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			flags := map[string]string{}
			if cmd.Flags().Changed("listen") {
				flags["listen"] = listen
			}
			if cmd.Flags().Changed("state-dir") {
				flags["state_dir"] = stateDir
			}
			cfg, warnings, err := config.Load(config.Options{Path: e.configPath, Flags: flags, NeedCredentials: true})
			if err != nil {
				return err
			}
			log, level, err := daemon.NewLogger(e.stderr, cfg.LogFormat, cfg.LogLevel)
			if err != nil {
				return err
			}
			for _, w := range warnings {
				log.Warn(w)
			}
			m := &daemon.Main{Config: cfg, Log: log, LogLevel: level}
			// Socket activation (lastfmd.socket): systemd's sockets replace
			// listen, under the same loopback/token rule.
			lns, err := service.Listeners()
			if err != nil {
				return err
			}
			if len(lns) > 0 {
				m.Listener = daemon.MergeListeners(lns...)
			}
			// Open judges the configuration as `config check` does
			// (daemon.CheckConfig) before it takes anything.
			if err := m.Open(); err != nil {
				m.Close()
				return err
			}
			defer m.Close()
			// Type=notify readiness, the watchdog, and SIGHUP reloads.
			n := &service.Notifier{Log: log}
			reload := func() {
				n.Reloading()
				_ = m.Reload(func() (*config.Config, []string, error) {
					return config.Load(config.Options{Path: e.configPath, Flags: flags})
				})
				n.Ready("serving on " + m.Addr().String())
			}
			err = service.Run(func(ctx context.Context) error { return m.Supervise(ctx, n) }, service.OnReload(reload))
			log.Info("lastfmd stopped")
			return err
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "", `address to listen on: "127.0.0.1:7375", "[::1]:7375" or "unix:/run/lastfmd/lastfmd.sock"`)
	cmd.Flags().StringVar(&stateDir, "state-dir", "", "directory for sessions and the scrobble journal")
	return cmd
}
