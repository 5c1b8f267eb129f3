package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon/config"
)

func newConfigCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check or print the effective configuration",
		Args:  exactArgs(0),
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "check",
		Short:   "Validate the configuration as `lastfmd run` would load it, and ask Last.fm whether the key and secret belong together",
		Example: "  lastfmd config check --config /etc/lastfmd/lastfmd.toml",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			return runConfigCheck(e) // config_check.go
		},
	}, &cobra.Command{
		Use:     "dump",
		Short:   "Print the effective configuration as TOML, secrets redacted",
		Example: "  lastfmd config dump",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			cfg, warnings, err := config.Load(config.Options{Path: e.configPath, NeedCredentials: false})
			if err != nil {
				return err
			}
			for _, w := range warnings {
				fmt.Fprintln(e.stderr, "warning:", w)
			}
			return cfg.Dump(e.stdout)
		},
	})
	return cmd
}
