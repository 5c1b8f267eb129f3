package main

import (
	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon/service"
)

// serviceManager is how the service commands reach kardianos and the
// machine; tests of the commands run the real binary with fake systemctl
// and loginctl on $PATH.
func serviceManager(e *env, user bool) *service.Manager {
	return &service.Manager{Out: e.stdout, User: user}
}

func newInstallCmd(e *env) *cobra.Command {
	var user, force bool
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Install lastfmd as a system service (or a per-user one with --user)",
		Long: "install writes and enables a hardened systemd unit for this binary (launchd or the Windows\n" +
			"service manager elsewhere). A system install also creates the group lastfmd, the listener\n" +
			"token /etc/lastfmd/token and a starter /etc/lastfmd/lastfmd.toml, then prints what to do next.",
		Example: "  sudo lastfmd install\n  lastfmd install --user\n  sudo lastfmd install --force --config /etc/lastfmd/lastfmd.toml",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			return serviceManager(e, user).Install(service.InstallOptions{Force: force, Config: e.configPath})
		},
	}
	cmd.Flags().BoolVar(&user, "user", false, "install a per-user service (systemctl --user) instead of a system one")
	cmd.Flags().BoolVar(&force, "force", false, "replace an installed unit (the token, configuration and secret are kept)")
	return cmd
}

func newUninstallCmd(e *env) *cobra.Command {
	var user bool
	cmd := &cobra.Command{
		Use:     "uninstall",
		Short:   "Stop, disable and remove the service (configuration, secrets and state are kept)",
		Example: "  sudo lastfmd uninstall\n  lastfmd uninstall --user",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			return serviceManager(e, user).Uninstall()
		},
	}
	cmd.Flags().BoolVar(&user, "user", false, "the per-user service")
	return cmd
}

// newControlCmd is start, stop or restart.
func newControlCmd(e *env, verb, short string, do func(*service.Manager) error) *cobra.Command {
	var user bool
	cmd := &cobra.Command{
		Use:     verb,
		Short:   short,
		Example: "  sudo lastfmd " + verb + "\n  lastfmd " + verb + " --user",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			return do(serviceManager(e, user))
		},
	}
	cmd.Flags().BoolVar(&user, "user", false, "the per-user service")
	return cmd
}

// newServiceCmds are install, uninstall, start, stop, restart and status.
func newServiceCmds(e *env) []*cobra.Command {
	return []*cobra.Command{
		newInstallCmd(e),
		newUninstallCmd(e),
		newControlCmd(e, "start", "Start the installed service", (*service.Manager).Start),
		newControlCmd(e, "stop", "Stop the service (in-flight requests drain first)", (*service.Manager).Stop),
		newControlCmd(e, "restart", "Restart the service", (*service.Manager).Restart),
		newStatusCmd(e),
		newHealthcheckCmd(e),
	}
}
