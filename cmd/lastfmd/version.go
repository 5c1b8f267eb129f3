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
			fmt.Fprintf(e.stdout, "lastfmd %s (%s %s/%s)\n", daemon.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
