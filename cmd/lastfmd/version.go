package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon"
)

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: "  lastfmd version",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(e.stdout, "lastfmd %s\n", versionLine())
			return nil
		},
	}
}

// versionLine is what `lastfmd version` and `lastfmd --version` print
// after "lastfmd ".
func versionLine() string {
	return fmt.Sprintf("%s (%s %s/%s)", daemon.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
